"""AWS-CT-100: a root module / top-level stack with no CloudTrail trail that logs."""
from __future__ import annotations

from iacguard.check import Check

from .detection_a_common import roots_lacking


def evaluate(facts):
    yield from roots_lacking(
        CHECK.id, facts, "cloudtrail", lambda trail: trail.logging, "a trail that logs",
        "No CloudTrail trail that logs is declared in this project (root module or stack).",
    )


CHECK = Check(
    id="AWS-CT-100",
    title="No CloudTrail trail that logs is declared in the project",
    severity="high",
    pillar="detection",
    scope="project",
    cwe=("CWE-778",),
    kinds=("root", "cloudtrail"),
    evaluate=evaluate,
    what="""Reports each Terraform root module and top-level CloudFormation stack that declares no
CloudTrail trail (`aws_cloudtrail` / `AWS::CloudTrail::Trail`, in the root or any module or nested
stack it uses) that logs: a trail with `enable_logging = false` / `IsLogging: false` does not count,
nor one whose `count` is 0 or whose CloudFormation condition is false. A trail that exists only
under an undecided condition, or whose logging is not known, leaves the root undecided. The finding
sits on the root's first file, line 1; reusable modules are never reported. Turn project-level
checks off with `--no-whole-project-checks` when trails are managed elsewhere (an organization
trail in a management account).""",
    why="""CloudTrail's event history keeps 90 days of management events in one region and cannot be
sent anywhere. Without a trail there is no durable, central record of who called which API: an
intrusion, a deleted resource or a privilege change cannot be investigated after the fact.""",
    fix_terraform="""```hcl
resource "aws_cloudtrail" "main" {
  name                          = "account-trail"
  s3_bucket_name                = aws_s3_bucket.trail.id
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  kms_key_id                    = aws_kms_key.trail.arn
}
```""",
    fix_cloudformation="""```yaml
Trail:
  Type: AWS::CloudTrail::Trail
  Properties:
    IsLogging: true
    S3BucketName: !Ref TrailBucket
    IsMultiRegionTrail: true
    IncludeGlobalServiceEvents: true
    EnableLogFileValidation: true
    KMSKeyId: !GetAtt TrailKey.Arn
```""",
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html",
    ),
)
