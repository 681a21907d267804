"""Property-based tests of evaluation (not only parsing), on random Terraform expressions, random
Terraform module trees and random CloudFormation templates built by fuzz/evalgen.py.

Properties:
  * evaluating never raises, and no notification says "internal error" (the engine's catch-alls
    turn exceptions into such notes, so a note is a crash that was caught);
  * the result is deterministic: the same tree scanned twice gives the same findings,
    notifications, unknowns and resource count;
  * a value-preserving rewrite gives the same findings: a Terraform literal moved into a local, a
    variable default or a tfvars file; a CloudFormation literal moved into a parameter default, a
    mapping, Fn::Join/Fn::Sub/Fn::Select/Fn::If.

The budget comes from the hypothesis profile (tests/conftest.py): small in the ordinary run and in
CI (derandomized there), large with HYPOTHESIS_PROFILE=long. Trees are written to a temporary
folder and scanned through `iacguard.engine.scan` with the cache off.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fuzz"))
import evalgen  # noqa: E402  (fuzz/evalgen.py: the generators the fuzz target shares)

import iacguard.checks  # noqa: E402,F401  (imported up front: the first example is not slower)
import iacguard.graph  # noqa: E402,F401
from iacguard.engine import scan  # noqa: E402
from iacguard.core.model import ScanOptions  # noqa: E402
from iacguard.terraform.expressions import Scope, evaluate  # noqa: E402
from iacguard.terraform.parser import HclSyntaxError, parse_expression  # noqa: E402
from iacguard.core.unknown import Unknown  # noqa: E402


# -- helpers ------------------------------------------------------------------------------------


def _rel(path: str, root: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/") if path else ""


def _snapshot(result, root: str) -> dict:
    """The scan result with the temporary folder taken out, comparable across folders."""
    real = os.path.realpath(root)

    def text(s: str) -> str:
        # (path.module and path.root are the folders on disk: an address or value built from
        # them holds the temporary folder)
        return s.replace(real, "<root>").replace(root, "<root>")

    return {
        "findings": [
            (f.check_id, text(f.resource.address), _rel(f.location.path, real), f.location.start_line, text(f.message), f.conditions,
             tuple((_rel(loc.path, real), loc.start_line, what) for loc, what in f.related))
            for f in result.findings
        ],
        "notes": [(n.level, text(n.message), _rel(n.path, real), n.line) for n in result.notifications],
        "unknowns": [(_rel(u.path, real), u.line, text(u.what), text(u.reason)) for u in result.unknowns],
        "resources": result.resources,
        "files": [_rel(f, real) for f in result.files],
    }


def _scan_tree(files: dict, twice: bool = False):
    with tempfile.TemporaryDirectory(prefix="iacguard-prop-") as d:
        evalgen.write_tree(d, files)
        first = scan([d], ScanOptions(), cwd=d)
        snap = _snapshot(first, d)
        internal = [n for n in first.notifications if "internal error" in n.message]
        assert not internal, internal
        if twice:
            again = _snapshot(scan([d], ScanOptions(), cwd=d), d)
            assert again == snap, "two scans of the same tree differ"
        return snap


def _canonical(value):
    """A value with Unknowns and NaN made comparable."""
    if isinstance(value, Unknown):
        return ("Unknown", type(value).__name__)
    if isinstance(value, float) and value != value:
        return ("nan",)
    if isinstance(value, dict):
        return ("dict", type(value).__name__, tuple((repr(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_canonical(v) for v in value))
    return (type(value).__name__, repr(value))


# -- (a) expressions ------------------------------------------------------------------------------

_VARIABLES = {
    "var": {"v0": 3, "v1": "0.0.0.0/0", "v2": ["a", "b"], "v3": {"a": 1, "b": [1, 2]}, "v4": Unknown("no value"), "v5": None},
    "local": {"l0": [{"id": "x", "a": 1}, {"id": "y"}], "l1": True, "l2": {"k-1": "v"}},
    "path": {"module": ".", "root": ".", "cwd": "."},
    "terraform": {"workspace": "default"},
    "count": {"index": 1},
    "each": {"key": "a", "value": {"port": 22}},
}
_ENV = ["var.v0", "var.v1", "var.v2", "var.v3", "var.v4", "var.v5", "local.l0", "local.l1", "local.l2", "path.module",
        "terraform.workspace", "count.index", "each.key", "each.value", "var.missing", "aws_s3_bucket.b"]


@pytest.fixture(scope="module")
def files_root(tmp_path_factory):
    """A folder for the file functions to read (and fail to read)."""
    root = tmp_path_factory.mktemp("expr-files")
    evalgen.write_tree(str(root), {"main.tf": "# x\n", "a.txt": "hello ${v0}", "sub/x": "{\"a\": 1}", ".hidden": "secret"})
    return str(root)


@given(data=st.data())
def test_random_expressions_evaluate_without_raising_and_deterministically(files_root, data):
    c = evalgen.HypothesisChooser(data)
    text = evalgen.tf_expression(c, 4, _ENV)
    try:
        expr = parse_expression(text)
    except HclSyntaxError:
        return
    root = files_root
    values = []
    for _ in range(2):
        scope = Scope({k: (dict(v) if isinstance(v, dict) else v) for k, v in _VARIABLES.items()}, base_dir=root, root_dir=root)
        values.append(_canonical(evaluate(expr, scope)))
    assert values[0] == values[1], text


# -- (b) Terraform module trees -------------------------------------------------------------------


@given(st.data())
def test_terraform_module_trees_evaluate_without_internal_errors_and_deterministically(data):
    files, _ = evalgen.tf_tree(evalgen.HypothesisChooser(data))
    _scan_tree(files, twice=True)


_TF_PROBES = {
    "ebs": 'resource "aws_ebs_volume" "probe" {\n  size = 8\n  encrypted = %s\n}\n',
    "sg": ('resource "aws_security_group" "probe" {\n  ingress {\n    from_port = 22\n    to_port = 22\n'
           '    protocol = "tcp"\n    cidr_blocks = %s\n  }\n}\n'),
    "rds": 'resource "aws_db_instance" "probe" {\n  storage_encrypted = true\n  publicly_accessible = %s\n}\n',
    "s3": ('resource "aws_s3_bucket" "probe" {\n  server_side_encryption_configuration {\n    rule {\n'
           '      apply_server_side_encryption_by_default {\n        sse_algorithm = %s\n      }\n    }\n  }\n}\n'),
    "iam": ('resource "aws_iam_policy" "probe" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", '
            'Action = %s, Resource = "*" }] })\n}\n'),
    "count": 'resource "aws_ebs_volume" "probe" {\n  count = %s\n  encrypted = false\n}\n',
    "for_each": 'resource "aws_ebs_volume" "probe" {\n  for_each = %s\n  encrypted = false\n}\n',
}
_TF_INTERESTING = ["true", "false", '"true"', '"false"', "null", '["0.0.0.0/0"]', '["10.0.0.0/8", "0.0.0.0/0"]', '"AES256"',
                   '"*"', '["*"]', '["s3:*"]', "1", "0", "2", '{ a = "x", b = "y" }', 'toset(["a"])', '[]', '{}']


@given(st.data())
def test_terraform_literal_moved_into_local_variable_or_tfvars_gives_same_findings(data):
    c = evalgen.HypothesisChooser(data)
    files, info = evalgen.tf_tree(c)
    probe = _TF_PROBES[c.pick(sorted(_TF_PROBES))]
    value = c.pick(_TF_INTERESTING) if c.bool() else evalgen.tf_literal(c, 2)
    if "toset" in value and c.bool():
        value = '["a"]'
    forms = {
        "inline": {"probe.tf": probe % value},
        "local": {"probe.tf": probe % "local.probe" + "locals {\n  probe = %s\n}\n" % value},
        "variable": {"probe.tf": probe % "var.probe" + 'variable "probe" {\n  default = %s\n}\n' % value},
    }
    # tfvars: only for a root module, and not null (a root variable set to null in tfvars counts
    # as not set, so it is Unknown rather than null).
    if not info["root_called"] and "toset" not in value and value != "null":
        forms["tfvars"] = {"probe.tf": probe % "var.probe" + 'variable "probe" {}\n', "probe.auto.tfvars": "probe = %s\n" % value}
    findings = {}
    for name, extra in forms.items():
        findings[name] = _scan_tree({**files, **extra})["findings"]
        # A finding may name the variable or local it comes from: only the findings are compared.
        findings[name] = [f[:6] for f in findings[name]]
    inline = findings.pop("inline")
    for name, found in findings.items():
        assert found == inline, "%s form differs from the inline literal %s" % (name, value)


# -- (c) CloudFormation ---------------------------------------------------------------------------


@given(st.data())
def test_cloudformation_templates_evaluate_without_internal_errors_and_deterministically(data):
    files = evalgen.cfn_tree(evalgen.HypothesisChooser(data))
    _scan_tree(files, twice=True)


_CFN_PROBES = {
    "volume": ("AWS::EC2::Volume", lambda v: {"Encrypted": v, "Size": 8, "AvailabilityZone": "us-east-1a"}),
    "rds": ("AWS::RDS::DBInstance", lambda v: {"StorageEncrypted": v, "PubliclyAccessible": False, "Engine": "mysql"}),
    "rds_public": ("AWS::RDS::DBInstance", lambda v: {"StorageEncrypted": True, "PubliclyAccessible": v, "Engine": "mysql"}),
    "sg": ("AWS::EC2::SecurityGroup", lambda v: {"GroupDescription": "g", "SecurityGroupIngress": [
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": v}]}),
    "s3": ("AWS::S3::Bucket", lambda v: {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": v}}]}}),
    "iam": ("AWS::IAM::Policy", lambda v: {"PolicyName": "p", "PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": v, "Resource": "*"}]}}),
}
_CFN_STRINGS = ["true", "false", "True", "0.0.0.0/0", "10.0.0.0/8", "::/0", "AES256", "aws:kms", "*", "s3:*", "", "22", "x"]


def _cfn_rewrites(c, value) -> dict:
    """Value-preserving rewrites of `value`: name -> (expression, extra template sections)."""
    out = {
        "select": ({"Fn::Select": [0, [value]]}, {}),
        "if": ({"Fn::If": ["ProbeYes", value, "other"]}, {"Conditions": {"ProbeYes": {"Fn::Equals": ["a", "a"]}}}),
    }
    if isinstance(value, str):
        out["parameter"] = ({"Ref": "ProbeParam"}, {"Parameters": {"ProbeParam": {"Type": "String", "Default": value}}})
        out["mapping"] = ({"Fn::FindInMap": ["ProbeMap", "k", "v"]}, {"Mappings": {"ProbeMap": {"k": {"v": value}}}})
        cut = c.int(0, len(value))
        out["join"] = ({"Fn::Join": ["", [value[:cut], value[cut:]]]}, {})
        out["sub"] = ({"Fn::Sub": value}, {})
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        out["mapping"] = ({"Fn::FindInMap": ["ProbeMap", "k", "v"]}, {"Mappings": {"ProbeMap": {"k": {"v": value}}}})
    return out


@given(st.data())
def test_cloudformation_literal_moved_into_parameter_mapping_or_intrinsic_gives_same_findings(data):
    c = evalgen.HypothesisChooser(data)
    others = ["./t0.yaml", "t0.yaml"]
    template = evalgen.cfn_template(c, others, "t0.yaml")
    kind = c.pick(sorted(_CFN_PROBES))
    rtype, props = _CFN_PROBES[kind]
    k = c.int(0, 2)
    value = c.pick(_CFN_STRINGS) if k < 2 else c.pick([True, False, 0, 1, ["*"], ["s3:*", "*"], ["0.0.0.0/0"]])
    fmt = c.pick(["yaml", "yaml-short", "json"])
    name = "t0.json" if fmt == "json" else "t0.yaml"

    def build(expr, sections) -> dict:
        tpl = {key: (dict(val) if isinstance(val, dict) else val) for key, val in template.items()}
        for section, entries in sections.items():
            tpl[section] = {**tpl.get(section, {}), **entries}
        tpl["Resources"] = {**tpl["Resources"], "Probe": {"Type": rtype, "Properties": props(expr)}}
        return {name: evalgen.dump_template(tpl, fmt)}

    def findings(files):
        # Lines move when an expression takes more lines than the literal: compared without them.
        return sorted((f[0], f[1], f[2], f[4], f[5]) for f in _scan_tree(files)["findings"])

    inline = findings(build(value, {}))
    for rewrite, (expr, sections) in _cfn_rewrites(c, value).items():
        assert findings(build(expr, sections)) == inline, "%s rewrite of %r differs from the literal (%s)" % (rewrite, value, kind)


@pytest.mark.parametrize("seed", range(3))
def test_generators_produce_scannable_trees(seed):
    """The generators are not all noise: seeded trees do give resources."""
    c = evalgen.RandomChooser(seed)
    tf = _scan_tree(evalgen.tf_tree(c, folders=1)[0])
    cfn = _scan_tree(evalgen.cfn_tree(c))
    assert tf["files"] and cfn["files"]


# -- bugs the properties found (minimal reproducers) ---------------------------------------------


def _notes_of(tmp_path, name: str, text: str) -> list:
    (tmp_path / name).write_text(text)
    result = scan([str(tmp_path)], ScanOptions(), cwd=str(tmp_path))
    return [(n.level, n.message) for n in result.notifications]


def test_list_parameter_with_a_nested_list_default_is_a_warning_not_an_internal_error(tmp_path):
    # Was: TypeError from int([1]) -> "internal error evaluating t.yaml", the template dropped.
    notes = _notes_of(tmp_path, "t.yaml", (
        "Parameters:\n  Ports:\n    Type: List<Number>\n    Default: [[1], 2]\n"
        "Resources:\n  V:\n    Type: AWS::EC2::Volume\n    Properties:\n      Encrypted: false\n      Size: 8\n"))
    assert not [m for _, m in notes if "internal error" in m], notes
    assert ("warning", "parameter Ports: expected a list of scalars") in notes


def test_allowed_values_of_a_nested_list_parameter_is_not_an_internal_error(tmp_path):
    # Was: TypeError "unhashable type: 'list'" while checking AllowedValues.
    (tmp_path / "child.yaml").write_text(
        "Parameters:\n  Names:\n    Type: Number\n    AllowedValues: [1, 2]\n"
        "Resources:\n  V:\n    Type: AWS::EC2::Volume\n    Properties:\n      Encrypted: false\n      Size: 8\n")
    notes = _notes_of(tmp_path, "parent.yaml", (
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./child.yaml\n"
        "      Parameters:\n        Names: [[a], b]\n"))
    assert not [m for _, m in notes if "internal error" in m], notes


def test_to_json_string_of_no_value_is_a_warning_not_an_internal_error(tmp_path):
    # Was: TypeError "Object of type _NoValue is not JSON serializable" -> the template dropped
    # (found by the CloudFormation metamorphic property).
    notes = _notes_of(tmp_path, "t.yaml", (
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName:\n"
        "        Fn::ToJsonString: !Ref AWS::NoValue\n"))
    assert not [m for _, m in notes if "internal error" in m], notes
    assert ("warning", "malformed Fn::ToJsonString: AWS::NoValue has no JSON form") in notes
