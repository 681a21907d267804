"""AWS-S3-201: S3 bucket without server access logging."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for bucket in facts.of_kind("bucket_logging"):
        attr = bucket.logging
        if attr.is_true() or bucket.log_target:
            continue  # logged, or the destination of other buckets' access logs
        if not attr.known:
            yield undecided(CHECK.id, bucket.resource, "server access logging", attr.value, attr.location)
        else:
            yield Finding(CHECK.id, bucket.resource, "S3 bucket %s has no server access logging." % bucket.resource.address, attr.location)


CHECK = Check(
    id="AWS-S3-201",
    title="S3 bucket has no server access logging",
    severity="low",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("bucket_logging",),
    evaluate=evaluate,
    what="""Finds S3 buckets without server access logging: no inline `logging` block and no
`aws_s3_bucket_logging` naming the bucket (by reference or by its literal name, in the same root
module) in Terraform, no `LoggingConfiguration` in CloudFormation. A bucket that receives the
access logs of other buckets of the scan (their `target_bucket` / `DestinationBucketName`) is not
reported: logging a log bucket into itself loops. A logging configuration whose bucket cannot be
known leaves the buckets of its module undecided.""",
    why="""Server access logs record each request made to a bucket: requester, operation, key,
result. They are the record of who read or deleted which object, which CloudTrail keeps only when
S3 data events are turned on (and paid for).""",
    fix_terraform="""Use the split resource (AWS provider v4 and later):

```hcl
resource "aws_s3_bucket_logging" "reports" {
  bucket        = aws_s3_bucket.reports.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "reports/"
}
```""",
    fix_cloudformation="""```yaml
ReportsBucket:
  Type: AWS::S3::Bucket
  Properties:
    LoggingConfiguration:
      DestinationBucketName: !Ref AccessLogsBucket
      LogFilePrefix: reports/
```""",
    references=("https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html",),
    equivalents=(("checkov", "CKV_AWS_18"), ("trivy", "AVD-AWS-0089"), ("cfn_nag", "W35")),
)
