"""AWS-CT-002: CloudTrail trail that records one region only."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for trail in facts.of_kind("trail"):
        attr = trail.multi_region
        if attr.is_false():
            yield Finding(CHECK.id, trail.resource, "CloudTrail trail %s records a single region only." % trail.resource.address, attr.location)
        elif not attr.known:
            yield undecided(CHECK.id, trail.resource, "multi-region", attr.value, attr.location)


CHECK = Check(
    id="AWS-CT-002",
    title="CloudTrail trail is not multi-region",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("trail",),
    evaluate=evaluate,
    what="""Finds CloudTrail trails whose `is_multi_region_trail` / `IsMultiRegionTrail` is false
or left out (the default is a single-region trail).""",
    why="""Attackers favour regions nobody watches: they launch instances or create keys where
there is no trail. A multi-region trail records API activity in every region, including regions
enabled later.""",
    fix_terraform="""```hcl
resource "aws_cloudtrail" "main" {
  # ...
  is_multi_region_trail = true
}
```""",
    fix_cloudformation="""```yaml
IsMultiRegionTrail: true
```""",
    references=("https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html",),
    equivalents=(("checkov", "CKV_AWS_67"), ("trivy", "AVD-AWS-0014")),
)
