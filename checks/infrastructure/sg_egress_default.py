"""AWS-EC2-303: security group egress to the whole internet on every port and protocol.
AWS-EC2-304: a VPC's default security group adopted with rules."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown


def evaluate_egress(facts):
    for rule in facts.of_kind("security_group_rule"):
        if rule.direction != "egress":
            continue
        sources = rule.maybe_world_sources()
        if not sources:
            continue
        if is_unknown(rule.protocol):
            yield undecided(EGRESS.id, rule.resource, "protocol", rule.protocol, rule.location)
            continue
        every = rule.covers_all_ports()
        if is_unknown(every):
            yield undecided(EGRESS.id, rule.resource, "port range", every, rule.location)
            continue
        if not (rule.protocol == "all" or (every is True and rule.protocol in ("tcp", "udp"))):
            continue
        what = "all traffic" if rule.protocol == "all" else "every %s port" % rule.protocol.upper()
        for source in sources:
            if is_unknown(source.cidr):
                yield undecided(EGRESS.id, rule.resource, "destination CIDR", source.cidr, source.location)
            else:
                yield Finding(EGRESS.id, rule.resource, "Security group rule in %s allows %s out to %s." % (rule.resource.address, what, source.cidr), source.location)


EGRESS = Check(
    id="AWS-EC2-303",
    title="Security group allows all outbound traffic to the internet",
    severity="low",
    pillar="infrastructure",
    cwe=("CWE-284",),
    kinds=("security_group_rule",),
    evaluate=evaluate_egress,
    what="""Finds declared egress rules that let everything out to `0.0.0.0/0` or `::/0`: protocol
`-1`/`all`, or every TCP or UDP port. Every way of writing a rule is read (inline `egress` blocks,
`aws_security_group_rule`, `aws_vpc_security_group_egress_rule`, inline `SecurityGroupEgress`
items, `AWS::EC2::SecurityGroupEgress`). Only declared rules are reported: the allow-all rule EC2
adds to a CloudFormation security group that declares no egress is not (Terraform removes it).""",
    why="""Unrestricted egress is how a compromised host downloads tooling, reaches its command
and control and exfiltrates data. Limiting egress to the ports and destinations a workload needs
(HTTPS to VPC endpoints or a proxy, the database's group) contains a breach. Many workloads need
broad egress; this is a hardening finding, hence low.""",
    fix_terraform="""```hcl
resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.app.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
```""",
    fix_cloudformation="""```yaml
SecurityGroupEgress:
  - IpProtocol: tcp
    FromPort: 443
    ToPort: 443
    CidrIp: 0.0.0.0/0
```""",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",),
    equivalents=(("checkov", "CKV_AWS_382"), ("trivy", "AVD-AWS-0104"), ("cfn_nag", "W5"), ("cfn_nag", "W40")),
)


def evaluate_default(facts):
    for group in facts.of_kind("default_security_group"):
        declared = []
        for attr, direction in ((group.ingress, "ingress"), (group.egress, "egress")):
            if not attr.known:
                yield undecided(DEFAULT_GROUP.id, group.resource, direction, attr.value, attr.location)
                declared = None
                break
            if attr.value:
                declared.append((direction, attr))
        if not declared:
            continue
        direction, attr = declared[0]
        yield Finding(
            DEFAULT_GROUP.id, group.resource,
            "Default security group %s keeps %s rules; the default group should have none." % (group.resource.address, " and ".join(d for d, _ in declared)),
            attr.location,
        )


DEFAULT_GROUP = Check(
    id="AWS-EC2-304",
    title="Default security group of a VPC has rules",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-284",),
    kinds=("default_security_group",),
    evaluate=evaluate_default,
    languages=("terraform",),
    what="""Finds `aws_default_security_group` resources that declare `ingress` or `egress`
blocks. Terraform removes every rule of the adopted default group that the source does not
declare, so a block-less `aws_default_security_group` is the fix and is not reported.
CloudFormation cannot manage a VPC's default group, so the check is for Terraform only.""",
    why="""Resources launched without a security group (instances, ENIs, endpoints, Lambda
functions in a VPC) land in the default group. Rules on it give them access nobody chose; the CIS
AWS Foundations Benchmark asks that the default group of every VPC restrict all traffic.""",
    fix_terraform="""Adopt the default group with no rules, and give workloads their own groups:

```hcl
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}
```""",
    fix_cloudformation="""Not applicable: CloudFormation has no resource for a VPC's default
security group. Attach explicit groups to every resource instead:

```yaml
SecurityGroupIds:
  - !Ref AppSecurityGroup
```""",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-2",
    ),
    equivalents=(("checkov", "CKV2_AWS_12"), ("trivy", "AVD-AWS-0173")),
)
