"""AWS-CT-101, -102, -103: a CloudTrail trail that does not log, is not encrypted with a KMS key,
or does not deliver to CloudWatch Logs."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def _off(check_id: str, facts, setting: str, what: str, message: str):
    for trail in facts.of_kind("cloudtrail"):
        attr = getattr(trail, setting)
        if attr.is_false():
            yield Finding(check_id, trail.resource, message % trail.resource.address, attr.location)
        elif not attr.known:
            yield undecided(check_id, trail.resource, what, attr.value, attr.location)


def evaluate_logging(facts):
    yield from _off(LOGGING.id, facts, "logging", "logging", "CloudTrail trail %s is created with logging stopped.")


def evaluate_kms(facts):
    yield from _off(KMS.id, facts, "kms_key", "KMS key", "CloudTrail trail %s does not encrypt its log files with a KMS key.")


def evaluate_cloudwatch(facts):
    yield from _off(CLOUDWATCH.id, facts, "cloudwatch_logs", "CloudWatch Logs group", "CloudTrail trail %s does not deliver its events to CloudWatch Logs.")


LOGGING = Check(
    id="AWS-CT-101",
    title="CloudTrail trail has logging turned off",
    severity="high",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("cloudtrail",),
    evaluate=evaluate_logging,
    what="""Finds CloudTrail trails declared with `enable_logging = false` (Terraform; the
provider's default is true) or `IsLogging: false` (CloudFormation, where the property is
required).""",
    why="""A trail that is not logging records nothing: it looks like coverage in a review and in the
console's list of trails while every API call goes unrecorded. Stopping a trail is also a classic
step of an intruder covering their tracks; declaring it stopped makes that the normal state.""",
    fix_terraform="""```hcl
resource "aws_cloudtrail" "main" {
  # ...
  enable_logging = true
}
```""",
    fix_cloudformation="""```yaml
IsLogging: true
```""",
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudtrail-trail.html",
    ),
    equivalents=(("checkov", "CKV_AWS_251"),),
)

KMS = Check(
    id="AWS-CT-102",
    title="CloudTrail log files are not encrypted with a KMS key",
    severity="medium",
    pillar="detection",
    cwe=("CWE-311",),
    kinds=("cloudtrail",),
    evaluate=evaluate_kms,
    what="""Finds CloudTrail trails without `kms_key_id` / `KMSKeyId`. A key given by reference to a
KMS key or alias of the scan counts as set even though its ARN is known only at deploy time.""",
    why="""Without SSE-KMS the log files are encrypted with S3-managed keys: anyone who may read the
bucket may read the whole activity record of the account. With a customer managed key, reading the
logs also needs `kms:Decrypt` on that key, which the key policy grants to a few auditors, and every
use of the key is itself recorded.""",
    fix_terraform="""```hcl
resource "aws_cloudtrail" "main" {
  # ...
  kms_key_id = aws_kms_key.trail.arn
}
```""",
    fix_cloudformation="""```yaml
KMSKeyId: !GetAtt TrailKey.Arn
```""",
    references=("https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html",),
    equivalents=(("checkov", "CKV_AWS_35"), ("trivy", "AVD-AWS-0015")),
)

CLOUDWATCH = Check(
    id="AWS-CT-103",
    title="CloudTrail trail does not send its events to CloudWatch Logs",
    severity="low",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("cloudtrail",),
    evaluate=evaluate_cloudwatch,
    what="""Finds CloudTrail trails without a CloudWatch Logs log group
(`cloud_watch_logs_group_arn` / `CloudWatchLogsLogGroupArn`). A log group given by reference to
a log group of the scan counts as set.""",
    why="""Log files in S3 are for investigation after the fact. Alerting on what matters now (root
sign-in, policy changes, CloudTrail being stopped) needs the events in CloudWatch Logs, where metric
filters and alarms can react within minutes.""",
    fix_terraform="""```hcl
resource "aws_cloudtrail" "main" {
  # ...
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn  = aws_iam_role.trail_to_logs.arn
}
```""",
    fix_cloudformation="""```yaml
CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn
CloudWatchLogsRoleArn: !GetAtt TrailToLogsRole.Arn
```""",
    references=("https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html",),
    equivalents=(("checkov", "CKV2_AWS_10"), ("trivy", "AVD-AWS-0162")),
)
