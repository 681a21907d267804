"""AWS-SHIELD-401: an internet-facing entry point left out of the Shield Advanced protection its
project declares (issue 13, slice infra_b)."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for entry in facts.of_kind("shield_entry_point"):
        if not entry.declared or entry.protections:
            continue  # Shield Advanced not used in this root, or this entry point is protected
        facing = entry.internet_facing
        if facing.is_false():
            continue
        if not facing.known:
            yield undecided(CHECK.id, entry.resource, "internet-facing", facing.value, facing.location)
        elif entry.pending:
            pending = entry.pending[0]
            yield undecided(CHECK.id, entry.resource, "a Shield protection's resource ARN", pending.value, pending.location)
        else:
            yield Finding(
                CHECK.id, entry.resource,
                "Internet-facing %s %s has no Shield Advanced protection, while its project declares Shield Advanced (%s)."
                % (entry.entry, entry.resource.address, entry.declared[0].address),
                entry.resource.location,
            )


CHECK = Check(
    id="AWS-SHIELD-401",
    title="Internet-facing entry point is left out of the project's Shield Advanced protection",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-400",),
    kinds=("shield_entry_point",),
    evaluate=evaluate,
    # Whether an entry point is reported depends on the rest of its root (does it use Shield
    # Advanced at all?): a project-level question, skipped with --no-whole-project-checks.
    scope="project",
    what="""In a root module or stack that declares Shield Advanced (an `aws_shield_protection` /
`AWS::Shield::Protection`, a subscription, a protection group, proactive engagement or SRT
access), finds the internet-facing entry points no Shield protection names in its resource ARN:
CloudFront distributions, internet-facing load balancers (`aws_lb`, `aws_alb`, `aws_elb` and
their CloudFormation types), public Route 53 hosted zones and Global Accelerator accelerators.
Projects that do not use Shield Advanced are not reported: it is a paid subscription, and Shield
Standard protects every account. A protection whose resource ARN is not known before deploy
and names nothing of the scan may be the entry point's, so it leaves the check undecided.""",
    why="""Shield Advanced protects only the resources it is told to protect. An entry point left
out gets neither the layer 7 mitigations, the Shield Response Team, the DDoS cost protection nor
the detection tuned to its traffic; an attacker picks exactly such an unprotected front door.""",
    fix_terraform="""```hcl
resource "aws_shield_protection" "site" {
  name         = "site"
  resource_arn = aws_cloudfront_distribution.site.arn
}
```""",
    fix_cloudformation="""```yaml
SiteShieldProtection:
  Type: AWS::Shield::Protection
  Properties:
    Name: site
    ResourceArn: !Sub "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${SiteDistribution}"
```""",
    references=(
        "https://docs.aws.amazon.com/waf/latest/developerguide/ddos-choose-resources.html",
        "https://docs.aws.amazon.com/waf/latest/developerguide/ddos-advanced-summary.html",
    ),
)
