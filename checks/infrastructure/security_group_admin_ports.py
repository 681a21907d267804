"""AWS-EC2-001: security group ingress open to the internet on SSH, RDP or all ports."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown

from iacguard.facts.ports import ADMIN_PORTS


def exposed(rule) -> str | None:
    """What an internet-open rule exposes ("all ports", "SSH (22)"), or None."""
    if rule.protocol == "all":
        return "all ports"
    if is_unknown(rule.protocol):
        return None
    for port, (name, protocols) in ADMIN_PORTS.items():
        if rule.protocol in protocols and rule.covers_port(port) is True:
            if rule.covers_all_ports() is True:
                return "all %s ports" % rule.protocol.upper()
            return "%s (%s/%d)" % (name, rule.protocol, port)
    return None


def unknown_ports(rule):
    """(setting, Unknown) when an unknown protocol or port range may open an admin port, else None."""
    if is_unknown(rule.protocol):
        return "protocol", rule.protocol
    for port, (_, protocols) in ADMIN_PORTS.items():
        if rule.protocol in protocols and is_unknown(rule.covers_port(port)):
            return "port range", rule.unknown_port()
    return None


def evaluate(facts):
    for rule in facts.of_kind("security_group_rule"):
        if rule.direction != "ingress":
            continue
        what = exposed(rule)
        open_sources = rule.maybe_world_sources()
        if what is None:
            ports = unknown_ports(rule) if open_sources else None
            if ports is not None:
                yield undecided(CHECK.id, rule.resource, ports[0], ports[1], rule.location)
            continue
        for source in open_sources:
            if is_unknown(source.cidr):
                yield undecided(CHECK.id, rule.resource, "source CIDR", source.cidr, source.location)
            else:
                yield Finding(
                    CHECK.id,
                    rule.resource,
                    "Security group rule in %s allows %s from %s." % (rule.resource.address, what, source.cidr),
                    source.location,
                )


CHECK = Check(
    id="AWS-EC2-001",
    title="Security group allows SSH, RDP or all ports from the internet",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-284",),
    kinds=("security_group_rule",),
    evaluate=evaluate,
    what="""Finds ingress rules that admit `0.0.0.0/0` or `::/0` to TCP port 22 (SSH), TCP or UDP
port 3389 (RDP), or to every port (protocol `-1`/`all`, or a port range spanning them). Every way
of writing a rule is read: inline `ingress` blocks, `aws_security_group_rule`,
`aws_vpc_security_group_ingress_rule`, inline `SecurityGroupIngress` items and
`AWS::EC2::SecurityGroupIngress`. Rules whose CIDR, protocol or ports cannot be known before
deploy are left undecided (`--verbose` lists them), not reported.""",
    why="""Remote administration ports open to the whole internet are scanned within minutes of
exposure and are a leading way into cloud hosts: brute-forced credentials, leaked keys and
unpatched services all become reachable. Opening every port also exposes services that were never
meant to be public.""",
    fix_terraform="""Admit administrative traffic only from known ranges, or drop it in favour of
AWS Systems Manager Session Manager:

```hcl
resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.bastion.id
  cidr_ipv4         = "10.20.0.0/16" # the VPN range, not 0.0.0.0/0
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
}
```""",
    fix_cloudformation="""Limit `CidrIp`/`CidrIpv6` to a known range, or remove the rule and use
Session Manager:

```yaml
SecurityGroupIngress:
  - IpProtocol: tcp
    FromPort: 22
    ToPort: 22
    CidrIp: 10.20.0.0/16
```""",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html",
    ),
    equivalents=(("checkov", "CKV_AWS_24"), ("checkov", "CKV_AWS_25"), ("checkov", "CKV_AWS_277"), ("trivy", "AVD-AWS-0107"), ("cfn_nag", "W2")),
)
