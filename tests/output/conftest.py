"""Small scan results for the formatter tests: fake checks, real files in a temporary folder."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from iacguard.check import Check
from iacguard.core.model import Finding, Location, Notification, Resource, ScanResult, UnknownValue, end_column, line_end_columns

MAIN_TF = """\
resource "aws_security_group" "web" {
  name = "web"

  ingress {
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
"""

TEMPLATE_YAML = """\
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Condition: IsProd
"""


def make_check(check_id="AWS-S3-001", title="S3 bucket has no default encryption", severity="high",
               pillar="data", cwe=("CWE-311",), languages=("terraform", "cloudformation")) -> Check:
    return Check(
        id=check_id,
        title=title,
        severity=severity,
        pillar=pillar,
        what="Checks that the bucket\nencrypts objects at rest.",
        why="Unencrypted objects can be read from stolen media.",
        fix_terraform='Add encryption:\n\n```hcl\nsse_algorithm = "aws:kms"\n```',
        fix_cloudformation="Add `BucketEncryption`.",
        kinds=("bucket",),
        evaluate=lambda facts: [],
        references=("https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingEncryption.html",),
        cwe=cwe,
        languages=languages,
    )


CHECKS = [
    make_check("AWS-EC2-001", "Security group allows ingress from the internet to SSH", "critical",
               "infrastructure", ("CWE-284",), ("terraform", "cloudformation")),
    make_check("AWS-S3-001", "S3 bucket has no default encryption", "high", "data", ("CWE-311",)),
    make_check("AWS-S3-002", "S3 bucket has no access logging", "medium", "detection", (), ("terraform",)),
    make_check("AWS-S3-003", "S3 bucket has no versioning", "low", "data", (), ("cloudformation",)),
]


def _end_col(path: str, line: int, end_line: int) -> int:
    """Where the span ends, as a parser records it (0 when the file is not there)."""
    try:
        text = Path(path).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return 0
    return end_column(line_end_columns(text), line, end_line)


def resource(address, rtype, language, path, line, end_line=None) -> Resource:
    return Resource(
        id=address, address=address, type=rtype, language=language, properties={},
        location=Location(path, line, end_line or line, 1, _end_col(path, line, end_line or line)),
    )


def finding(check_id, res, message, line, end_line=None, start_col=1, end_col=None, conditions=()) -> Finding:
    """A finding at lines line..end_line of the resource's file; `end_col` None: the end of the
    last line, as the parsers record it."""
    if end_col is None:
        end_col = _end_col(res.location.path, line, end_line or line)
    loc = Location(res.location.path, line, end_line or line, start_col, end_col)
    return Finding(check_id=check_id, resource=res, message=message, location=loc, conditions=conditions)


def build(root: Path, shift: int = 0) -> ScanResult:
    """A scan of `root` with findings in two files (one in a folder with a space in its name).

    `shift` inserts that many blank lines at the top of main.tf and moves its findings down.
    """
    root = root.resolve()
    main = root / "main.tf"
    main.write_text("\n" * shift + MAIN_TF)
    template = root / "my stacks" / "store bucket.yaml"
    template.parent.mkdir(exist_ok=True)
    template.write_text(TEMPLATE_YAML)
    sg = resource("aws_security_group.web", "aws_security_group", "terraform", str(main), 1 + shift, 9 + shift)
    logs = resource("aws_s3_bucket.logs", "aws_s3_bucket", "terraform", str(main), 11 + shift, 13 + shift)
    bucket = resource("Bucket", "AWS::S3::Bucket", "cloudformation", str(template), 4, 6)
    findings = [
        finding("AWS-EC2-001", sg, "Security group web allows 0.0.0.0/0 to port 22.", 7 + shift, start_col=5),
        finding("AWS-S3-001", logs, "Bucket logs has no default encryption.", 11 + shift, 13 + shift),
        finding("AWS-S3-002", logs, "Bucket logs has no access logging.", 11 + shift, 13 + shift),
        finding("AWS-S3-001", bucket, "Bucket Bucket has no default encryption.", 4, 6,
                conditions=(("IsProd", True),)),
    ]
    findings.sort(key=lambda f: f.sort_key)
    return ScanResult(
        findings=findings,
        checks=list(CHECKS),
        notifications=[
            Notification("error", "Unexpected token '}'", str(root / "broken.tf"), 3),
            Notification("warning", "Skipped a file larger than 5 MB", str(root / "big.json")),
        ],
        files=[str(main), str(template)],
        resources=3,
        unknowns=[UnknownValue(str(main), 12 + shift, "aws_s3_bucket.logs.bucket", "variable name has no value")],
        roots=[str(root)],
        cwd=str(root),
        duration=0.25,
    )


@pytest.fixture
def scan():
    """Builders for scan results: scan.build(root, shift=0), scan.finding(...), scan.resource(...)."""
    return SimpleNamespace(build=build, finding=finding, resource=resource, make_check=make_check, checks=CHECKS)


@pytest.fixture
def result(tmp_path, scan):
    return scan.build(tmp_path)


@pytest.fixture
def empty_result(tmp_path):
    return ScanResult(findings=[], checks=list(CHECKS), notifications=[], files=[], cwd=str(tmp_path.resolve()))
