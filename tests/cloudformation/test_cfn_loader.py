"""parse_template: syntax, lines, short tags, duplicate keys, refusals and bounds."""
from __future__ import annotations

import json
import pickle
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iacguard.cloudformation import TemplateError, looks_like_cloudformation, parse_template
from iacguard.cloudformation.json_reader import read_json

from cfn_helpers import FIXTURES, load

PROPS = ("Resources", "Bucket", "Properties")

# (path below Bucket.Properties) -> (start, end) for each syntax
EXPECTED_LINES = {
    "yaml": {
        (): (7, 18),
        ("BucketName",): (8, 8),
        ("BucketEncryption",): (9, 13),
        ("BucketEncryption", "ServerSideEncryptionConfiguration"): (10, 13),
        ("BucketEncryption", "ServerSideEncryptionConfiguration", 0): (11, 13),
        ("BucketEncryption", "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault",
         "KMSMasterKeyID"): (13, 13),
        ("Tags",): (14, 18),
        ("Tags", 1): (17, 18),
        ("Tags", 1, "Value"): (18, 18),
    },
    "json": {
        (): (7, 24),
        ("BucketName",): (8, 8),
        ("BucketEncryption",): (9, 18),
        ("BucketEncryption", "ServerSideEncryptionConfiguration"): (10, 17),
        ("BucketEncryption", "ServerSideEncryptionConfiguration", 0): (11, 16),
        ("BucketEncryption", "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault",
         "KMSMasterKeyID"): (14, 14),
        ("Tags",): (19, 23),
        ("Tags", 1): (21, 22),
        ("Tags", 1, "Value"): (22, 22),
    },
}


@pytest.mark.parametrize("syntax", ["yaml", "json"])
def test_property_lines(syntax):
    template = load(FIXTURES / "loader" / ("lines." + syntax))
    assert template.syntax == syntax
    for path, span in EXPECTED_LINES[syntax].items():
        assert template.lines[PROPS + path] == span, path
    resource_span = {"yaml": (5, 18), "json": (5, 25)}[syntax]
    assert template.lines[("Resources", "Bucket")] == resource_span
    key_span = {"yaml": (19, 26), "json": (26, 32)}[syntax]
    assert template.lines[("Resources", "Key")] == key_span


@pytest.mark.parametrize("syntax", ["yaml", "json"])
def test_duplicate_keys_warned_last_wins(syntax):
    template = load(FIXTURES / "loader" / ("lines." + syntax))
    expected = {"yaml": [(29, "duplicate key 'Type' (first at line 28); the last one is used")],
                "json": [(35, "duplicate key 'Type' (first at line 34); the last one is used")]}[syntax]
    assert template.warnings == expected
    assert template.data["Resources"]["Queue"]["Type"] == "AWS::SNS::Topic"


def test_data_is_plain_and_pickles():
    template = load(FIXTURES / "loader" / "lines.yaml")
    copy = pickle.loads(pickle.dumps(template))
    assert copy.data == template.data and copy.lines == template.lines
    assert template.data["AWSTemplateFormatVersion"] == "2010-09-09"
    assert template.data["Resources"]["Key"]["Properties"] == {
        "Description": "# not a comment: inside a block scalar\nsecond line\n", "EnableKeyRotation": True}
    assert json.loads(json.dumps(template.data)) == template.data


def test_comments_skip_block_scalars():
    template = load(FIXTURES / "loader" / "lines.yaml")
    assert template.comments == [(3, "iacguard:ignore AWS-S3-001 -- a comment line"), (8, "trailing comment")]


@pytest.mark.parametrize("text", [
    "a: 1\n",
    "a: 1  # one\nb: '#no' # two\n",
    "a: 1\r\n# one\r\nb: 2 # two\r\n",
    "a: 1\r# one\rb: 2 # two",
    "a: 1\x85# one\u2028b: 2 # two\u2029# three\n# four",
    "a: |\n  # inside\n  more\nb: 2 # after\n",
])
def test_comments_by_line_as_the_yaml_line_breaks_split_them(text):
    """_comments splits on "\\n" when that is the only break, and skips texts with no "#": the same
    comments as splitting on every YAML line break."""
    from iacguard.cloudformation.loader import _comments
    from iacguard.cloudformation.source_lines import YAML_BREAKS

    multiline = [(1, 3)] if text.startswith("a: |") else []
    got = _comments(text, multiline)
    # the reference: every YAML break, every line scanned (the reader before the shortcuts)
    inside = {n for s, e in multiline for n in range(s + 1, e + 1)}
    want = []
    for number, line in enumerate(YAML_BREAKS.split(text), start=1):
        if number in inside:
            continue
        quote, prev = None, " "
        for i, ch in enumerate(line):
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "'\"" and prev in " \t:[{,-":
                quote = ch
            elif ch == "#" and prev in " \t":
                want.append((number, line[i + 1:].strip()))
                break
            prev = ch
    assert got == want


def test_short_form_tags_become_long_form():
    data = load(FIXTURES / "loader" / "short_tags.yaml").data
    assert data["AWSTemplateFormatVersion"] == "2010-09-09"  # an unquoted date stays a string
    assert data["Conditions"] == {
        "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
        "Both": {"Fn::And": [{"Condition": "IsProd"},
                             {"Fn::Or": [{"Condition": "NotProd"}, {"Fn::Equals": ["a", "a"]}]}]},
    }
    assert data["Resources"]["Thing"]["Properties"] == {
        "A": {"Ref": "Env"},
        "B": {"Fn::GetAtt": ["Other", "Arn"]},
        "C": {"Fn::GetAtt": ["Other", "Arn"]},
        "D": {"Fn::Sub": "${Env}-x"},
        "E": {"Fn::Sub": ["${X}", {"X": {"Ref": "Env"}}]},
        "F": {"Fn::If": ["IsProd", 1, 2]},
        "G": {"Fn::Join": ["-", ["a", "b"]]},
        "H": {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]},
        "I": {"Fn::FindInMap": ["M", "K", "V"]},
        "J": {"Fn::Base64": "text"},
        "K": {"Fn::Cidr": ["10.0.0.0/16", 2, 8]},
        "L": {"Fn::GetAZs": ""},
        "M": {"Fn::ImportValue": "shared"},
        "N": {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}},
        "O": {"Fn::GetAtt": ["Stack", "Outputs.Url"]},
    }
    lines = load(FIXTURES / "loader" / "short_tags.yaml").lines
    assert lines[("Resources", "Thing", "Properties", "E", "Fn::Sub", 1, "X")] == (14, 14)


@pytest.mark.parametrize("text", [
    "Resources: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
    "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  X: !!python/name:os.system\n",
    "Resources:\n  X: !<tag:example.com,2000:thing> 1\n",
    "a: !!binary aGVsbG8=\n",
])
def test_unsafe_tags_refused(text, tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(TemplateError) as info:
        parse_template("t.yaml", text.replace("/tmp/pwned", str(marker)))
    assert "unsupported YAML tag" in info.value.message
    assert info.value.line >= 1
    assert not marker.exists()


def test_alias_bomb_fails_fast():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append("a%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 9)))
    start = time.perf_counter()
    with pytest.raises(TemplateError) as info:
        parse_template("bomb.yaml", "\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1.0
    assert "aliases expand" in info.value.message
    assert info.value.line == 6


def test_small_aliases_are_fine():
    text = ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A:\n    Type: AWS::SNS::Topic\n"
            "    Properties: &props {TopicName: t}\n  B:\n    Type: AWS::SNS::Topic\n    Properties: *props\n")
    template = parse_template("t.yaml", text)
    assert template.data["Resources"]["B"]["Properties"] == {"TopicName": "t"}
    assert template.lines[("Resources", "B", "Properties")] == (8, 8)


@pytest.mark.parametrize("text,line", [
    ("[" * 600 + "]" * 600, 1),
    ('{"a":' * 600 + "1" + "}" * 600, 1),
    ("".join(" " * i + "k:\n" for i in range(600)), 129),
])
def test_deep_nesting_is_an_error_not_a_crash(text, line):
    with pytest.raises(TemplateError) as info:
        parse_template("deep", text)
    assert "nesting deeper than 128" in info.value.message
    assert info.value.line == line


@pytest.mark.parametrize("text,line,fragment", [
    ('{\n  "Resources": {\n    "A": [1, 2}\n  }\n}\n', 3, ""),
    ("Resources:\n  A: [1, 2\n", 3, ""),
    ("Resources:\n\tA: 1\n", 2, "character"),
])
def test_malformed_input_names_a_line(text, line, fragment):
    with pytest.raises(TemplateError) as info:
        parse_template("bad", text)
    assert info.value.line == line
    assert fragment in info.value.message


def test_json_error_beats_yaml_fallback():
    with pytest.raises(TemplateError) as info:
        parse_template("t.json", '{"AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {"A": 1 "B": 2}\n}')
    assert info.value.line == 2
    assert info.value.message == "expected ',' or '}'"


@pytest.mark.parametrize("name", ["not_cfn.yaml", "manifest.yaml"])
def test_not_cloudformation_is_none(name):
    assert load(FIXTURES / "loader" / name) is None


@pytest.mark.parametrize("text,expected", [
    ("Resources:\n  F:\n    Type: Alexa::ASK::Skill\n", True),
    ("Resources:\n  F:\n    Type: Custom::Thing\n", True),
    ("Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n", True),
    ("AWSTemplateFormatVersion: '2010-09-09'\n", True),
    ("Resources:\n  F:\n    Type: function\n", False),
    ("resources:\n  Resources:\n    F:\n      Type: AWS::S3::Bucket\n", False),
    ("[1, 2]", False),
    ("", False),
])
def test_recognised_by_content(text, expected):
    assert (parse_template("t", text) is not None) is expected
    if expected:
        assert looks_like_cloudformation(text)


def test_multi_document_cloudformation_is_an_error():
    with pytest.raises(TemplateError) as info:
        parse_template("t.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n---\nb: 1\n")
    assert info.value.line == 2


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(json_values, st.sampled_from([None, 1, 2]))
def test_json_reader_agrees_with_json_module(value, indent):
    text = json.dumps(value, indent=indent)
    assert read_json(text).data == json.loads(text)
