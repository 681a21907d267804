"""AWS-NFW-401: Network Firewall policy without stateful rule groups (issue 13, slice infra_b)."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for policy in facts.of_kind("firewall_policy"):
        groups = policy.stateful_rule_groups
        if not groups.known:
            yield undecided(CHECK.id, policy.resource, "stateful rule groups", groups.value, groups.location)
        elif groups.value == 0:
            yield Finding(CHECK.id, policy.resource, "Network Firewall policy %s has no stateful rule group." % policy.resource.address, groups.location)


CHECK = Check(
    id="AWS-NFW-401",
    title="Network Firewall policy has no stateful rule groups",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-693",),
    kinds=("firewall_policy",),
    evaluate=evaluate,
    what="""Finds Network Firewall policies (`aws_networkfirewall_firewall_policy`,
`AWS::NetworkFirewall::FirewallPolicy`) that reference no stateful rule group
(`stateful_rule_group_reference` / `StatefulRuleGroupReferences`). Such a policy inspects traffic
with stateless rules only (five-tuple matches) or not at all: whatever the stateless rules forward
to the stateful engine passes uninspected.""",
    why="""The stateful engine is what makes Network Firewall more than a network ACL: domain
allow and deny lists, Suricata-compatible intrusion prevention signatures, connection tracking.
A policy without stateful rule groups cannot block egress to unwanted domains or detect known
attack traffic, which is usually why the firewall was deployed.""",
    fix_terraform="""```hcl
resource "aws_networkfirewall_firewall_policy" "egress" {
  name = "egress"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]

    stateful_rule_group_reference {
      resource_arn = aws_networkfirewall_rule_group.allowed_domains.arn
    }
  }
}
```""",
    fix_cloudformation="""```yaml
EgressPolicy:
  Type: AWS::NetworkFirewall::FirewallPolicy
  Properties:
    FirewallPolicyName: egress
    FirewallPolicy:
      StatelessDefaultActions: ["aws:forward_to_sfe"]
      StatelessFragmentDefaultActions: ["aws:forward_to_sfe"]
      StatefulRuleGroupReferences:
        - ResourceArn: !Ref AllowedDomainsRuleGroup
```""",
    references=(
        "https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-policies.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/networkfirewall-controls.html",
    ),
)
