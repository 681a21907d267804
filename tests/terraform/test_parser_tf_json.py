"""JSON-syntax parser: block shapes, templates in strings, lines, errors, and equivalence with
the same configuration written in native syntax."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from iacguard.terraform.expressions import Scope, evaluate, references
from iacguard.terraform.parser import HclSyntaxError, parse_hcl, parse_tf_json
from iacguard.terraform.syntax import (
    Attribute,
    BinaryOp,
    GetAttr,
    Literal,
    ObjectExpr,
    Template,
    TupleExpr,
    Variable,
)

FIXTURES = Path(__file__).parent / "fixtures" / "parser"


def _blocks(body):
    return [(b.type, b.labels) for b in body.blocks]


def test_block_shapes_and_lines():
    text = """{
  "resource": {
    "aws_s3_bucket": {
      "a": {"bucket": "x"},
      "b": [{"bucket": "y"}, {"bucket": "z"}]
    }
  },
  "provider": {"aws": [{"region": "eu-west-1"}, {"alias": "west"}]},
  "locals": [{"one": 1}, {"two": 2}],
  "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}},
                "backend": {"s3": {"bucket": "state"}}}
}"""
    cf = parse_tf_json(text, "/abs/main.tf.json")
    assert _blocks(cf.body) == [
        ("resource", ["aws_s3_bucket", "a"]),
        ("resource", ["aws_s3_bucket", "b"]),
        ("resource", ["aws_s3_bucket", "b"]),
        ("provider", ["aws"]),
        ("provider", ["aws"]),
        ("locals", []),
        ("locals", []),
        ("terraform", []),
    ]
    a = cf.body.blocks[0]
    assert (a.line, a.end_line) == (4, 4)
    assert a.body.attributes == {"bucket": Attribute("bucket", Literal(4, 4, "x"), 4, 4)}
    assert cf.body.blocks[2].body.attributes["bucket"].expr == Literal(5, 5, "z")
    tf = cf.body.blocks[-1]
    assert _blocks(tf.body) == [("required_providers", []), ("backend", ["s3"])]
    assert tf.body.blocks[0].body.attributes["aws"].expr == ObjectExpr(
        10, 10, [(Literal(10, 10, "source"), Literal(10, 10, "hashicorp/aws"))]
    )


def test_strings_are_templates():
    text = '{"locals": {"a": "${var.x}", "b": "p-${var.x}", "c": "plain", "d": "$${lit}",\n "e": "${1 + 2}"}}'
    attrs = parse_tf_json(text, "x.tf.json").body.blocks[0].body.attributes
    assert attrs["a"].expr == GetAttr(1, 1, Variable(1, 1, "var"), "x")  # no Template wrapper
    assert attrs["b"].expr == Template(1, 1, ["p-", GetAttr(1, 1, Variable(1, 1, "var"), "x")])
    assert attrs["c"].expr == Literal(1, 1, "plain")
    assert attrs["d"].expr == Literal(1, 1, "${lit}")
    assert attrs["e"].expr == BinaryOp(2, 2, "+", Literal(2, 2, 1), Literal(2, 2, 2))


def test_nested_blocks_stay_attributes():
    text = '{"resource": {"aws_instance": {"w": {"ebs_block_device": [{"encrypted": true}], "lifecycle": {"prevent_destroy": true}}}}}'
    body = parse_tf_json(text, "x.tf.json").body.blocks[0].body
    assert body.blocks == []
    assert body.attributes["ebs_block_device"].expr == TupleExpr(
        1, 1, [ObjectExpr(1, 1, [(Literal(1, 1, "encrypted"), Literal(1, 1, True))])]
    )
    assert type(body.attributes["lifecycle"].expr) is ObjectExpr


def test_expression_attributes():
    text = """{"resource": {"aws_s3_bucket": {"b": {"provider": "aws.west", "depends_on": ["aws_kms_key.k"]}}},
 "variable": {"v": {"type": "list(string)"}}}"""
    cf = parse_tf_json(text, "x.tf.json")
    attrs = cf.body.blocks[0].body.attributes
    assert attrs["provider"].expr == GetAttr(1, 1, Variable(1, 1, "aws"), "west")
    assert references(attrs["depends_on"].expr) == [("aws_kms_key", "k")]
    assert cf.body.blocks[1].body.attributes["type"].expr.name == "list"


def test_comments_and_tfvars():
    text = '{\n  "//": "top note",\n  "variable": {"x": {"//": "inner note", "default": 1}}\n}'
    cf = parse_tf_json(text, "x.tf.json")
    assert cf.comments == [(2, "top note"), (3, "inner note")]
    assert "//" not in cf.body.blocks[0].body.attributes
    tv = parse_tf_json('{"region": "${not_a_template}", "n": [1, 2.5]}', "a.tfvars.json")
    assert tv.body.attributes["region"].expr == Literal(1, 1, "${not_a_template}")
    assert tv.body.attributes["n"].expr == TupleExpr(1, 1, [Literal(1, 1, 1), Literal(1, 1, 2.5)])


@pytest.mark.parametrize(
    "text,line",
    [
        ('{\n  "a": 1,\n}', 3),
        ('{\n  "a": [1, 2\n', 3),
        ('{"a": tru}', 1),
        ('{\n\n"a" 1}', 3),
        ("[1]", 1),
        ('{"a": 1} x', 1),
        ('{"a": "\x01"}', 1),
        ("", 1),
        ("\x00\xff garbage", 1),
        ("[" * 100_000 + "]" * 100_000, 1),
        ('{"a":' * 100_000 + "1" + "}" * 100_000, 1),
        ('{"locals": {"a": "${1 +}"}}', 1),
        ('{"resource": {"t": "not an object"}}', 1),
    ],
)
def test_errors(text, line):
    with pytest.raises(HclSyntaxError) as err:
        parse_tf_json(text, "x.tf.json")
    assert err.value.line == line


def _evaluated(cf):
    scope = Scope(
        {
            "var": {"env": "prod"},
            "local": {"name": "app-prod", "tags": {"Env": "prod"}},
            "aws_s3_bucket": {"b": {"arn": "arn:aws:s3:::app-prod"}},
            "aws": {"west": "aws.west"},
        }
    )
    out = []
    stack = [((), cf.body)]
    while stack:
        path, body = stack.pop(0)
        for name, attr in body.attributes.items():
            out.append((path, name, evaluate(attr.expr, scope), references(attr.expr)))
        for blk in body.blocks:
            stack.append((path + (blk.type, *blk.labels), blk.body))
    return out


def test_native_and_json_are_equivalent():
    native = parse_hcl((FIXTURES / "equivalence.tf").read_text(), "equivalence.tf")
    js = parse_tf_json((FIXTURES / "equivalence.tf.json").read_text(), "equivalence.tf.json")
    n, j = _evaluated(native), _evaluated(js)
    # the native nested block `versioning {}` is an object attribute in JSON syntax
    n_versioning = [x for x in n if x[0][-1:] == ("versioning",)]
    assert n_versioning == [(("resource", "aws_s3_bucket", "b", "versioning"), "enabled", True, [])]
    n = [x for x in n if x not in n_versioning]
    j_versioning = [x for x in j if x[1] == "versioning"]
    assert j_versioning[0][2] == {"enabled": True}
    j = [x for x in j if x not in j_versioning]
    assert n == j
    assert ("locals",) in [x[0] for x in n]
    assert [x for x in n if x[1] == "ports"][0][2] == [443]
    assert [c[1] for c in js.comments] == ["iacguard:ignore=EXAMPLE-1 a JSON comment"]
    assert native.comments == [(1, "# iacguard:ignore=EXAMPLE-1 a line comment")]


def test_results_pickle():
    js = parse_tf_json((FIXTURES / "equivalence.tf.json").read_text(), "equivalence.tf.json")
    assert pickle.loads(pickle.dumps(js)) == js
