"""AWS-CT-104: a CloudTrail trail whose event selectors exclude management events."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for trail in facts.of_kind("trail_events"):
        attr = trail.management_events
        if attr.is_false():
            yield Finding(CHECK.id, trail.resource, "CloudTrail trail %s records no management events: its event selectors exclude them." % trail.resource.address, attr.location)
        elif not attr.known:
            yield undecided(CHECK.id, trail.resource, "management events", attr.value, attr.location)


CHECK = Check(
    id="AWS-CT-104",
    title="CloudTrail trail excludes management events",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("trail_events",),
    evaluate=evaluate,
    what="""Finds CloudTrail trails whose event selectors leave out management events: every basic
selector (`event_selector` / `EventSelectors`) sets `include_management_events` /
`IncludeManagementEvents` to false (the default is true), or no advanced selector
(`advanced_event_selector` / `AdvancedEventSelectors`) selects `eventCategory = Management`. A
trail without selectors records all management events. A data-events trail beside another trail
that records management events is fine: pass it with an inline skip.""",
    why="""Management events are the control plane: IAM changes, security group edits, trails being
stopped, keys scheduled for deletion. A trail that records only data events looks like audit
coverage but misses every one of them.""",
    fix_terraform="""```hcl
resource "aws_cloudtrail" "main" {
  # ...
  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }
}
```""",
    fix_cloudformation="""```yaml
EventSelectors:
  - ReadWriteType: All
    IncludeManagementEvents: true
```""",
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/filtering-data-events.html",
    ),
)
