"""AWS-SNS-820: an SNS topic that alarms or EventBridge publish to, encrypted with the AWS managed key."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for topic in facts.of_kind("alert_topic"):
        key = topic.aws_managed_key
        if key.is_true():
            yield Finding(CHECK.id, topic.resource, "SNS topic %s is encrypted with the AWS managed key alias/aws/sns, which %s cannot use: its notifications are never delivered." % (
                topic.resource.address, ", ".join(topic.senders[:2])), key.location)
        elif not key.known:
            yield undecided(CHECK.id, topic.resource, "KMS key", key.value, key.location)


CHECK = Check(
    id="AWS-SNS-820",
    title="Alerting SNS topic is encrypted with the AWS managed key, so alarms and events cannot publish to it",
    severity="high",
    pillar="incident",
    cwe=("CWE-778",),
    kinds=("alert_topic",),
    evaluate=evaluate,
    what="""Finds SNS topics (`aws_sns_topic`, `AWS::SNS::Topic`) that a CloudWatch alarm action or an
EventBridge target names by reference and that are encrypted with the AWS managed key
`alias/aws/sns` (`kms_master_key_id` / `KmsMasterKeyId`, directly or through a Terraform
`aws_kms_alias` / `aws_kms_key` data source that reads it). A key or alias managed in the scan is
a customer managed key and passes; a key that is not known is left undecided.""",
    why="""CloudWatch and EventBridge publish to an encrypted topic only when the key's policy lets
their service principals use it, and the policy of the AWS managed key cannot be changed. The
alarm fires, or the finding matches, and the publish fails without a trace in the topic: the
security alert that the whole setup exists for is never delivered.""",
    fix_terraform="""```hcl
resource "aws_sns_topic" "security_alerts" {
  name              = "security-alerts"
  kms_master_key_id = aws_kms_key.alerts.arn # its key policy allows cloudwatch.amazonaws.com and events.amazonaws.com
}
```""",
    fix_cloudformation="""```yaml
SecurityAlerts:
  Type: AWS::SNS::Topic
  Properties:
    KmsMasterKeyId: !Ref AlertsKey # its key policy allows cloudwatch.amazonaws.com and events.amazonaws.com
```""",
    references=(
        "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html",
        "https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger",
    ),
)
