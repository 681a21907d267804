"""AWS-LOGS-201: CloudWatch log group that deletes its events within a year."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown

MIN_DAYS = 365


def _days(value):
    """The retention as an int, None when it is not a number (bad input is not a finding)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def evaluate(facts):
    for group in facts.of_kind("log_group"):
        attr = group.days
        if is_unknown(attr.value):
            yield undecided(CHECK.id, group.resource, "retention", attr.value, attr.location)
            continue
        days = _days(attr.value)
        if days is not None and 0 < days < MIN_DAYS:
            yield Finding(CHECK.id, group.resource, "CloudWatch log group %s deletes its events after %d days (less than %d)." % (
                group.resource.address, days, MIN_DAYS), attr.location)


CHECK = Check(
    id="AWS-LOGS-201",
    title="CloudWatch log group keeps its events less than a year",
    severity="low",
    pillar="detection",
    cwe=("CWE-779",),
    kinds=("log_group",),
    evaluate=evaluate,
    what="""Finds CloudWatch log groups (`aws_cloudwatch_log_group`, `AWS::Logs::LogGroup`) whose
retention (`retention_in_days` / `RetentionInDays`) is shorter than 365 days. A group that leaves
retention out (or sets 0) keeps its events forever and is not reported. A retention that is not
known before deploy leaves the check undecided.""",
    why="""Intrusions are often found months after they began: the median dwell time is counted
in weeks and many incidents surface after a quarter. Logs deleted after 30 or 90 days cannot show
how an attacker got in, and CIS, PCI DSS and most audit regimes ask for a year of logs.""",
    fix_terraform="""```hcl
resource "aws_cloudwatch_log_group" "app" {
  name              = "/app/orders"
  retention_in_days = 365
}
```""",
    fix_cloudformation="""```yaml
AppLogs:
  Type: AWS::Logs::LogGroup
  Properties:
    LogGroupName: /app/orders
    RetentionInDays: 365
```""",
    references=("https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention",),
    equivalents=(("checkov", "CKV_AWS_338"),),
)
