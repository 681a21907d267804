"""Checks left undecided by unknown values: reported apart from the other unknown values, in
every format, with where each value comes from; filtered like findings; kept by the cache.
Also the smaller items of issue 10: Serverless Framework files, the folder shown as ".", and
unclosed HCL constructs reported where they open."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import hcl2_oracle  # tests/hcl2_oracle.py: python-hcl2's grammar, the parser's test oracle
from iacguard.post import baseline
from iacguard.post.changed_files import ChangedFilesFilter
from iacguard.engine import scan
from iacguard.output import render
from iacguard.post.suppressions import Suppressor
from iacguard.terraform.fastparse import parse_hcl_fast
from iacguard.terraform.parser import HclSyntaxError

MAIN_TF = """\
variable "cg_whitelist" {
  type = list(string)
}

resource "aws_security_group" "ssh" {
  name = "ssh-${var.cg_whitelist[0]}"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.cg_whitelist
  }
}
"""

TEMPLATE = """\
Parameters:
  AdminCidr:
    Type: String
Resources:
  AdminSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: admin
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 3389
          ToPort: 3389
          CidrIp: !Ref AdminCidr
"""


def _tree(tmp_path: Path, files: dict) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def _records(result) -> list:
    return [
        (u.check_id, u.resource.address, u.what, u.reason, Path(u.location.path).name, u.location.start_line,
         [(what, Path(loc.path).name, loc.start_line) for loc, what in u.related])
        for u in result.undecided
    ]


def test_terraform_variable_with_no_value_leaves_the_check_undecided(tmp_path):
    root = _tree(tmp_path, {"main.tf": MAIN_TF})
    result = scan([str(root)], cwd=str(root))
    assert result.findings == []
    assert _records(result) == [
        ("AWS-EC2-001", "aws_security_group.ssh", "source CIDR", "variable cg_whitelist has no value", "main.tf", 11,
         [("variable cg_whitelist", "main.tf", 1)]),
    ]
    # The name built from the variable is unknown too, but decides nothing.
    assert any("name" in u.what for u in result.unknowns)


def test_cloudformation_parameter_with_no_value_leaves_the_check_undecided(tmp_path):
    root = _tree(tmp_path, {"stack.yaml": TEMPLATE})
    result = scan([str(root)], cwd=str(root))
    assert result.findings == []
    [(check, address, what, reason, file, line, related)] = _records(result)
    assert (check, address, what, file, line) == ("AWS-EC2-001", "AdminSg", "source CIDR", "stack.yaml", 13)
    assert "AdminCidr" in reason
    assert related == [("parameter AdminCidr", "stack.yaml", 2)]


def test_text_summary_separates_undecided_checks_from_other_unknowns(tmp_path):
    root = _tree(tmp_path, {"main.tf": MAIN_TF})
    result = scan([str(root)], cwd=str(root))
    others = len(result.unknowns) - 1  # the CIDR's own unknown sits on the undecided line
    out = render("text", result)
    assert "  Checks left undecided by unknown values: 1 (--verbose lists them)\n" in out
    assert "  Other values that could not be known: %d (--verbose lists them)\n" % others in out
    assert "main.tf:11  AWS-EC2-001" not in out
    verbose = render("text", result, verbose=True)
    assert (
        "\nChecks left undecided by unknown values\n"
        "  main.tf:11  AWS-EC2-001  aws_security_group.ssh  source CIDR: variable cg_whitelist has no value\n"
        "    -> variable cg_whitelist (main.tf:1)\n"
    ) in verbose
    assert "\nOther values that could not be known\n" in verbose
    assert "  Checks left undecided by unknown values: 1\n" in verbose


def test_every_format_reports_undecided_checks(tmp_path):
    root = _tree(tmp_path, {"main.tf": MAIN_TF})
    result = scan([str(root)], cwd=str(root))
    data = json.loads(render("json", result))
    assert data["summary"]["undecided"] == 1
    [entry] = data["undecided"]
    assert {k: entry[k] for k in ("check_id", "file", "start_line", "what", "reason", "related")} == {
        "check_id": "AWS-EC2-001",
        "file": "main.tf",
        "start_line": 11,
        "what": "source CIDR",
        "reason": "variable cg_whitelist has no value",
        "related": [{"file": "main.tf", "line": 1, "message": "variable cg_whitelist"}],
    }
    assert entry["resource"] == {"address": "aws_security_group.ssh", "language": "terraform", "type": "aws_security_group"}

    log = json.loads(render("sarif", result))
    run = log["runs"][0]
    assert run["results"] == []  # no alert for an undecided check
    [note] = [n for n in run["invocations"][0]["toolExecutionNotifications"] if n["descriptor"]["id"] == "iacguard/undecided"]
    assert note["level"] == "note"
    assert note["associatedRule"]["id"] == "AWS-EC2-001"
    assert note["message"]["text"] == (
        "AWS-EC2-001 left undecided on aws_security_group.ssh: source CIDR is not known "
        "(variable cg_whitelist has no value); value from variable cg_whitelist."
    )
    assert [l["physicalLocation"]["region"]["startLine"] for l in note["locations"]] == [11, 1]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "main.tf"

    md = render("markdown", result)
    assert "<details><summary>1 check left undecided by unknown values</summary>" in md
    assert "| `AWS-EC2-001` | `aws_security_group.ssh` | `main.tf:11` | source CIDR: variable cg\\_whitelist has no value | variable cg\\_whitelist \\(main.tf:1\\) |" in md

    suites = {s.get("name").split(":")[0]: s for s in ET.fromstring(render("junit", result)).iter("testsuite")}
    props = {p.get("name"): p.get("value") for p in suites["AWS-EC2-001"].iter("property")}
    assert props == {"iacguard.undecided": "1"}
    assert suites["AWS-EC2-001"].get("failures") == "0"
    assert not list(suites["AWS-S3-001"].iter("property"))


def test_sarif_with_undecided_notes_is_schema_valid(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = Path(__file__).resolve().parents[2] / "shared" / "sarif" / "sarif-schema-2.1.0.oasis-errata01.json"  # ../shared beside the repository
    if not schema_path.is_file():
        pytest.skip("no SARIF schema here")
    root = _tree(tmp_path, {"main.tf": MAIN_TF})
    jsonschema.validate(json.loads(render("sarif", scan([str(root)], cwd=str(root)))), json.loads(schema_path.read_text()))


def test_a_suppression_accepts_the_undecided_check(tmp_path):
    text = MAIN_TF.replace('resource "aws_security_group" "ssh" {', '# iacguard:ignore AWS-EC2-001 reviewed: the whitelist is our VPN\nresource "aws_security_group" "ssh" {')
    root = _tree(tmp_path, {"main.tf": text})
    result = scan([str(root)], cwd=str(root), postprocess=[Suppressor()])
    assert result.undecided == [] and result.undecided_left_out == 1
    assert not [n for n in result.notifications if "matches no" in n.message or "unused" in n.message]
    assert "; 1 more left out like findings" in render("text", result)


def test_changed_files_filter_leaves_out_undecided_checks_in_unchanged_files(tmp_path):
    root = _tree(tmp_path, {"main.tf": MAIN_TF, "other.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'})
    result = scan([str(root)], cwd=str(root), postprocess=[ChangedFilesFilter([str(root / "other.tf")])])
    assert result.undecided == [] and result.undecided_left_out == 1
    kept = scan([str(root)], cwd=str(root), postprocess=[ChangedFilesFilter([str(root / "main.tf")])])
    assert len(kept.undecided) == 1


def test_baseline_holds_undecided_checks_and_never_hides_a_finding(tmp_path):
    root = _tree(tmp_path, {"main.tf": MAIN_TF})
    first = scan([str(root)], cwd=str(root))
    path = str(root / "baseline.json")
    baseline.write(first, path)
    entries = json.loads(Path(path).read_text())["findings"]
    assert [(e["check_id"], e["resource"], e.get("undecided")) for e in entries] == [("AWS-EC2-001", "aws_security_group.ssh", True)]
    again = scan([str(root)], cwd=str(root), postprocess=[baseline.BaselineFilter(path)])
    assert again.undecided == [] and again.undecided_left_out == 1 and again.baseline_fixed == 0
    # The value becomes known and open: the finding is new, not hidden by the undecided entry.
    (root / "terraform.tfvars").write_text('cg_whitelist = ["0.0.0.0/0"]\n')
    later = scan([str(root)], cwd=str(root), postprocess=[baseline.BaselineFilter(path)])
    assert [f.check_id for f in later.findings] == ["AWS-EC2-001"]
    assert later.baseline_fixed == 0


def test_the_scan_cache_keeps_undecided_checks(tmp_path):
    root = _tree(tmp_path / "src", {"main.tf": MAIN_TF})
    cache = str(tmp_path / "cache")
    first = scan([str(root)], cwd=str(root), cache_dir=cache)
    second = scan([str(root)], cwd=str(root), cache_dir=cache)
    assert _records(first) == _records(second) and len(second.undecided) == 1


def test_split_encryption_naming_an_unknown_bucket_is_undecided(tmp_path):
    root = _tree(tmp_path, {"main.tf": """\
variable "name" {}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "some" {
  bucket = var.name
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
"""})
    from iacguard.checks.data import s3_encryption

    result = scan([str(root)], cwd=str(root), checks=[s3_encryption.CHECK])
    assert result.findings == []
    assert [(u.check_id, u.resource.address, u.what, u.location.start_line) for u in result.undecided] == [
        ("AWS-S3-001", "aws_s3_bucket.data", "encryption", 3)
    ]


def test_unknown_policy_document_is_undecided(tmp_path):
    root = _tree(tmp_path, {"main.tf": """\
variable "policy_json" {}

resource "aws_iam_policy" "p" {
  name   = "p"
  policy = var.policy_json
}
"""})
    result = scan([str(root)], cwd=str(root))
    assert _records(result) == [
        ("AWS-IAM-001", "aws_iam_policy.p", "policy document", "variable policy_json has no value", "main.tf", 5,
         [("variable policy_json", "main.tf", 1)]),
        ("AWS-IAM-003", "aws_iam_policy.p", "policy document", "variable policy_json has no value", "main.tf", 5,
         [("variable policy_json", "main.tf", 1)]),
        ("AWS-IAM-004", "aws_iam_policy.p", "policy document", "variable policy_json has no value", "main.tf", 5,
         [("variable policy_json", "main.tf", 1)]),
    ] + [
        (check_id, "aws_iam_policy.p", "policy document", "variable policy_json has no value", "main.tf", 5,
         [("variable policy_json", "main.tf", 1)])
        for check_id in ("AWS-IAM-010", "AWS-IAM-011", "AWS-IAM-012", "AWS-IAM-704", "AWS-IAM-705")
    ]


# -- the smaller items ---------------------------------------------------------------------

SERVERLESS = """\
service: orders
provider:
  name: aws
  runtime: python3.12
functions:
  hello:
    handler: handler.hello
resources:
  Resources:
    OrdersTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: orders
"""


@pytest.mark.parametrize("name", ["serverless.yml", "orders.yaml"])
def test_serverless_framework_file_is_named_as_such(tmp_path, name):
    root = _tree(tmp_path, {name: SERVERLESS})
    result = scan([str(root)], cwd=str(root))
    notes = [(Path(n.path).name, n.level, n.message) for n in result.notifications if n.path.endswith(name)]
    assert notes == [(name, "note", "not scanned: a Serverless Framework file; iacguard does not expand Serverless Framework configuration (its `resources:` section included)")]


def test_nothing_found_names_the_scanned_folder_relatively(tmp_path):
    (tmp_path / "empty").mkdir()
    here = scan([str(tmp_path / "empty")], cwd=str(tmp_path / "empty"))
    assert "  warning  .  no Terraform or CloudFormation files found\n" in render("text", here)
    assert json.loads(render("json", here))["notifications"][0]["file"] == "."
    above = scan([str(tmp_path / "empty")], cwd=str(tmp_path))
    assert "  warning  empty  no Terraform or CloudFormation files found\n" in render("text", above)


UNCLOSED = [
    ('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n\nresource "aws_s3_bucket" "c" {\n  bucket = "y"\n}\n', "unclosed block opened at line 1", 1),
    ('locals {\n  a = 1\n}\n\nmodule "m" {\n  source = "./m"\n  tags = {\n    a = 1\n  }\n\n\n', "unclosed block opened at line 5", 5),
    ('locals {\n  a = [\n    1,\n    2\n}\n', None, None),  # a '}' where ']' belongs: reported where it is
    ('locals {\n  a = 1\n}\nlocals {\n  b = [1,\n    2\n\n\n', "unclosed '[' opened at line 5", 5),
    ('locals {\n  a = 1\n}\nlocals {\n  b = { x = 1\n\n\n', "unclosed '{' opened at line 5", 5),
    ('locals {\n  a = 1\n}\nlocals {\n  b = max(1,\n    2\n\n\n', "unclosed '(' opened at line 5", 5),
    ('locals {\n  a = 1\n}\nlocals {\n  b = (1 +\n    2\n\n\n', "unclosed '(' opened at line 5", 5),
    ('locals {\n  a = 1\n}\nlocals {\n  b = <<EOT\n  text\n\n\n', "unclosed heredoc <<EOT opened at line 5", 5),
]


@pytest.mark.parametrize("parse", [parse_hcl_fast, hcl2_oracle.parse_hcl], ids=["fastparse", "oracle"])
@pytest.mark.parametrize("text,message,line", UNCLOSED)
def test_unclosed_constructs_are_reported_where_they_open(parse, text, message, line):
    with pytest.raises(HclSyntaxError) as info:
        parse(text, "main.tf")
    if message is None:
        assert info.value.line == 5
    else:
        assert (info.value.message, info.value.line) == (message, line)


def test_unclosed_block_note_names_the_opening_line(tmp_path):
    root = _tree(tmp_path, {"main.tf": UNCLOSED[1][0], "ok.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'})
    result = scan([str(root)], cwd=str(root))
    notes = [(Path(n.path).name, n.line, n.message) for n in result.notifications if n.level == "error"]
    assert notes == [("main.tf", 5, "parse error: unclosed block opened at line 5")]


def test_a_policy_rendered_by_a_policy_document_data_source_is_not_undecided(tmp_path):
    """`policy = data.aws_iam_policy_document.x.json` is known through the data source: its
    statements are read (and reported) there, so the holder is not an undecided record."""
    root = _tree(tmp_path, {"main.tf": """
data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = data.aws_iam_policy_document.admin.json
}
"""})
    result = scan([str(root)], cwd=str(root))
    assert [u for u in result.undecided if u.check_id == "AWS-IAM-001"] == []
    assert [(f.check_id, f.resource.address, f.location.start_line) for f in result.findings if f.check_id == "AWS-IAM-001"] == [
        ("AWS-IAM-001", "data.aws_iam_policy_document.admin", 3)]
