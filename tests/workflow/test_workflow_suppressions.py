"""Inline suppressions in Terraform and CloudFormation: every form, where they apply, and the
problems they are reported with (no reason, expired, unused, malformed)."""
from __future__ import annotations

import json

import pytest
from workflow_support import REPO, BUCKET, SG_OPEN, cli, notes, reported, scan_json, suppressed, write

pytestmark = pytest.mark.catalogue("core")  # asserts every finding: the checks it was written against

RDS = """\
resource "aws_db_instance" "this" {
  engine              = "postgres"
  publicly_accessible = true
  storage_encrypted   = false
}
"""


def test_terraform_comment_forms(tmp_path):
    write(tmp_path, {"main.tf": (
        "# iacguard:ignore AWS-S3-001,AWS-S3-002 public website assets, reviewed in SEC-12\n"
        + BUCKET % ("hash", "hash")
        + "\n// iacguard:ignore AWS-S3-001 slash comment form\n"
        + BUCKET % ("slash", "slash")
        + "\n/* iacguard:ignore AWS-S3-002 block comment form */\n"
        + BUCKET % ("block", "block")
        + "\n/*\n  Owned by the data team.\n  iacguard:ignore AWS-S3-001 multi-line block comment\n*/\n"
        + BUCKET % ("multiline", "multiline")
    )})
    code, report = scan_json(tmp_path, "--check", "AWS-S3-001", "--check", "AWS-S3-002")
    assert reported(report) == [
        ("AWS-S3-001", "aws_s3_bucket.block"),
        ("AWS-S3-002", "aws_s3_bucket.multiline"),
        ("AWS-S3-002", "aws_s3_bucket.slash"),
    ]
    assert suppressed(report) == [
        ("AWS-S3-001", "aws_s3_bucket.hash", "public website assets, reviewed in SEC-12"),
        ("AWS-S3-001", "aws_s3_bucket.multiline", "multi-line block comment"),
        ("AWS-S3-001", "aws_s3_bucket.slash", "slash comment form"),
        ("AWS-S3-002", "aws_s3_bucket.block", "block comment form"),
        ("AWS-S3-002", "aws_s3_bucket.hash", "public website assets, reviewed in SEC-12"),
    ]
    first = next(f for f in report["suppressed"] if f["resource"]["address"] == "aws_s3_bucket.hash")
    assert first["suppression"] == {"expires": None, "file": "main.tf", "line": 1, "origin": "comment",
                                    "reason": "public website assets, reviewed in SEC-12"}
    assert report["summary"]["suppressed"] == 5 and report["summary"]["findings"] == 3
    assert notes(report) == []


def test_terraform_attribute_line_and_line_above(tmp_path):
    on_line = SG_OPEN.replace('cidr_blocks = ["0.0.0.0/0"]', 'cidr_blocks = ["0.0.0.0/0"] # iacguard:ignore AWS-EC2-001 bastion, IP-restricted by NACL')
    above = SG_OPEN.replace('"web"', '"web2"', 2).replace(
        '    cidr_blocks', '    # iacguard:ignore AWS-EC2-001 temporary, ticket OPS-7\n    cidr_blocks')
    write(tmp_path, {"a.tf": on_line, "b.tf": above})
    _, report = scan_json(tmp_path)
    assert reported(report) == []
    assert suppressed(report) == [
        ("AWS-EC2-001", "aws_security_group.web", "bastion, IP-restricted by NACL"),
        ("AWS-EC2-001", "aws_security_group.web2", "temporary, ticket OPS-7"),
    ]


def test_comment_text_inside_strings_and_heredocs_is_not_a_suppression(tmp_path):
    text = (
        'resource "aws_s3_bucket" "x" {\n'
        '  bucket = "not # iacguard:ignore AWS-S3-001 inside a string"\n'
        '  tags = { note = "${lower("# iacguard:ignore AWS-S3-002 interpolated")}" }\n'
        "}\n"
        'resource "aws_iam_policy" "p" {\n'
        "  description = <<-EOT\n"
        "    # iacguard:ignore AWS-S3-001 heredoc body\n"
        "  EOT\n"
        "}\n"
        + BUCKET % ("y", "y")
    )
    write(tmp_path, {"main.tf": text})
    _, report = scan_json(tmp_path)
    assert ("AWS-S3-001", "aws_s3_bucket.x") in reported(report)
    assert ("AWS-S3-002", "aws_s3_bucket.x") in reported(report)
    assert ("AWS-S3-001", "aws_s3_bucket.y") in reported(report)
    assert report["suppressed"] == []
    assert notes(report) == []


def test_module_block_suppression_reaches_nested_module_resources(tmp_path):
    write(tmp_path, {
        "main.tf": (
            "# iacguard:ignore AWS-RDS-002 reporting replica, private subnet only\n"
            'module "reporting" {\n  source = "./modules/wrapper"\n}\n\n'
            'module "orders" {\n  source = "./modules/wrapper"\n}\n'
        ),
        "modules/wrapper/main.tf": 'module "db" {\n  count  = 2\n  source = "../db"\n}\n',
        "modules/db/main.tf": RDS,
    })
    _, report = scan_json(tmp_path)
    got = reported(report)
    assert ("AWS-RDS-002", 'module.orders.module.db[0].aws_db_instance.this') in got
    assert ("AWS-RDS-001", 'module.reporting.module.db[0].aws_db_instance.this') in got
    assert not [a for c, a in got if c == "AWS-RDS-002" and a.startswith("module.reporting")]
    sup = suppressed(report)
    assert sup and all(c == "AWS-RDS-002" and a.startswith("module.reporting.") for c, a, _ in sup)
    assert {r for _, _, r in sup} == {"reporting replica, private subnet only"}
    assert notes(report) == []


def test_inner_module_call_suppression(tmp_path):
    write(tmp_path, {
        "main.tf": 'module "app" {\n  source = "./modules/app"\n}\n',
        "modules/app/main.tf": 'module "db" { # iacguard:ignore AWS-RDS-001,AWS-RDS-002 test fixture database\n  source = "../db"\n}\n',
        "modules/db/main.tf": RDS,
    })
    _, report = scan_json(tmp_path, "--check", "AWS-RDS-001", "--check", "AWS-RDS-002")
    assert reported(report) == []
    assert suppressed(report) == [
        ("AWS-RDS-001", "module.app.module.db.aws_db_instance.this", "test fixture database"),
        ("AWS-RDS-002", "module.app.module.db.aws_db_instance.this", "test fixture database"),
    ]


def test_expiry(tmp_path):
    write(tmp_path, {"main.tf": (
        "# iacguard:ignore AWS-S3-001 expires=2000-01-31 migration to KMS\n" + BUCKET % ("old", "old")
        + "# iacguard:ignore AWS-S3-001 expires=2999-12-31 migration to KMS\n" + BUCKET % ("new", "new")
    )})
    _, report = scan_json(tmp_path, "--check", "AWS-S3-001")
    assert reported(report) == [("AWS-S3-001", "aws_s3_bucket.old")]
    assert suppressed(report) == [("AWS-S3-001", "aws_s3_bucket.new", "migration to KMS")]
    assert report["suppressed"][0]["suppression"]["expires"] == "2999-12-31"
    assert notes(report) == [("warning", "main.tf", 1, "suppression of AWS-S3-001 expired on 2000-01-31 and no longer suppresses anything")]


def test_unused_unknown_and_malformed(tmp_path):
    write(tmp_path, {"main.tf": (
        "# iacguard:ignore AWS-EBS-001 nothing to do with this bucket\n" + BUCKET % ("a", "a")
        + "# iacguard:ignore NOPE-999 typo in the id\n" + BUCKET % ("b", "b")
        + "# iacguard:ignore everything please\n" + BUCKET % ("c", "c")
        + "# iacguard:ignore AWS-S3-001 expires=soon bad date\n" + BUCKET % ("d", "d")
    )})
    _, report = scan_json(tmp_path)
    assert report["suppressed"] == []
    assert notes(report) == [
        ("note", "main.tf", 1, "suppression of AWS-EBS-001 is unused: no AWS-EBS-001 finding here"),
        ("warning", "main.tf", 5, "suppression of NOPE-999 names unknown check id NOPE-999"),
        ("warning", "main.tf", 9, "suppression of (no id) names no check id (write `iacguard:ignore CHECK_ID reason`); it suppresses nothing"),
        ("warning", "main.tf", 13, "suppression of AWS-S3-001 has an invalid expiry date 'soon' (use expires=YYYY-MM-DD); it suppresses nothing"),
    ]


def test_unused_is_not_reported_for_checks_that_did_not_run(tmp_path):
    write(tmp_path, {"main.tf": "# iacguard:ignore AWS-EBS-001 not run\n" + BUCKET % ("a", "a")})
    _, report = scan_json(tmp_path, "--skip-check", "AWS-EBS-001")
    assert notes(report) == []


def test_missing_reason_warns_and_require_reason_fails(tmp_path):
    write(tmp_path, {"main.tf": "# iacguard:ignore AWS-S3-001\n" + BUCKET % ("a", "a")})
    code, report = scan_json(tmp_path, "--check", "AWS-S3-001")
    assert code == 0
    assert suppressed(report) == [("AWS-S3-001", "aws_s3_bucket.a", "")]
    assert notes(report) == [("warning", "main.tf", 1, "suppression of AWS-S3-001 gives no reason: say why the risk is accepted")]

    code, report = scan_json(tmp_path, "--check", "AWS-S3-001", "--require-reason", "--fail-on", "none")
    assert code == 1  # even with --fail-on none: the suppression itself breaks the policy
    assert reported(report) == [("AWS-S3-001", "aws_s3_bucket.a")]
    assert report["errors"] == [{"file": "main.tf", "level": "error", "line": 1,
                                 "message": "suppression of AWS-S3-001 gives no reason, which --require-reason requires; it suppresses nothing"}]


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # iacguard:ignore AWS-S3-001,AWS-S3-002 static site, served through CloudFront
  Site:
    Type: AWS::S3::Bucket
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: "web # not a comment"
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          # iacguard:ignore AWS-EC2-001 bastion host, session-recorded
          CidrIp: 0.0.0.0/0
  Logs:
    Type: AWS::S3::Bucket
    Metadata:
      iacguard:
        ignore:
          - id: AWS-S3-001
            reason: log bucket, SSE-S3 set by the organisation policy
            expires: 2999-06-30
          - id: AWS-S3-002
  Scripts:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        - Key: note
          Value: |
            # iacguard:ignore AWS-S3-001 this is a block scalar, not a comment
"""


def test_cloudformation_comments_and_metadata(tmp_path):
    write(tmp_path, {"stack.yaml": TEMPLATE})
    _, report = scan_json(tmp_path)
    assert reported(report) == [("AWS-S3-001", "Scripts"), ("AWS-S3-002", "Scripts")]
    assert suppressed(report) == [
        ("AWS-EC2-001", "Web", "bastion host, session-recorded"),
        ("AWS-S3-001", "Logs", "log bucket, SSE-S3 set by the organisation policy"),
        ("AWS-S3-001", "Site", "static site, served through CloudFront"),
        ("AWS-S3-002", "Logs", ""),
        ("AWS-S3-002", "Site", "static site, served through CloudFront"),
    ]
    logs = next(f for f in report["suppressed"] if f["resource"]["address"] == "Logs" and f["check_id"] == "AWS-S3-001")
    assert logs["suppression"]["origin"] == "metadata" and logs["suppression"]["expires"] == "2999-06-30"
    assert [(lvl, msg) for lvl, _, _, msg in notes(report)] == [
        ("warning", "Metadata suppression of AWS-S3-002 gives no reason: say why the risk is accepted"),
    ]


def test_cloudformation_json_metadata(tmp_path):
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Metadata": {"iacguard": {"ignore": [{"id": "AWS-S3-002", "reason": "public dataset", "expires": "2000-01-01"},
                                                     {"id": "AWS-S3-001", "reason": "public dataset"}]}},
            }
        },
    }
    write(tmp_path, {"stack.json": json.dumps(template, indent=2)})
    _, report = scan_json(tmp_path, "--check", "AWS-S3-001", "--check", "AWS-S3-002")
    assert reported(report) == [("AWS-S3-002", "Bucket")]
    assert suppressed(report) == [("AWS-S3-001", "Bucket", "public dataset")]
    assert [n[0] for n in notes(report)] == ["warning"] and "expired on 2000-01-01" in notes(report)[0][3]


def test_text_and_sarif(tmp_path, sarif_checker):
    write(tmp_path, {"main.tf": "# iacguard:ignore AWS-S3-001 website bucket\n" + BUCKET % ("a", "a")})
    text = cli(["scan", ".", "--check", "AWS-S3-001"], tmp_path)
    assert text.exit_code == 0
    assert "Suppressed\n  main.tf:2  AWS-S3-001  aws_s3_bucket.a  website bucket\n" in text.stdout
    assert "  Suppressed: 1" in text.stdout

    default = json.loads(cli(["scan", ".", "--format", "sarif", "--check", "AWS-S3-001"], tmp_path).stdout)
    assert default["runs"][0]["results"] == []
    with_suppressed = json.loads(cli(["scan", ".", "--format", "sarif", "--check", "AWS-S3-001", "--include-suppressed"], tmp_path).stdout)
    (result,) = with_suppressed["runs"][0]["results"]
    assert result["ruleId"] == "AWS-S3-001"
    assert result["suppressions"][0]["kind"] == "inSource"
    assert result["suppressions"][0]["justification"] == "website bucket"
    assert result["suppressions"][0]["location"]["physicalLocation"]["region"]["startLine"] == 1
    # The GitHub-oriented checker objects, rightly: GitHub ignores `suppressions` and would open
    # an alert, which is why suppressed results are only in the SARIF on request.
    assert sarif_checker(with_suppressed, str(tmp_path)) == [
        "result AWS-S3-001: suppressed result in the upload (GitHub ignores suppressions and opens an alert)"
    ]
    assert sarif_checker(default, str(tmp_path)) == []
    assert_valid_sarif(with_suppressed)


def assert_valid_sarif(log: dict):
    """Against the strict OASIS schema (which has the `suppression` definition)."""
    schema_path = REPO.parent / "shared" / "sarif" / "sarif-schema-2.1.0.oasis-errata01.json"
    if not schema_path.is_file():
        pytest.skip("shared/sarif is not beside the repository")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(schema_path.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(log)] == []
