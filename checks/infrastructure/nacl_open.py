"""AWS-VPC-305: network ACL entry allowing all traffic in from the internet.
AWS-VPC-306: network ACL entry allowing SSH or RDP in from the internet."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown

from iacguard.facts import ports

ADMIN_PORTS = {port: name for port, (name, _) in ports.ADMIN_PORTS.items()}
EPHEMERAL_STARTS = (1024, 32768)  # the lowest starts of ephemeral ranges (Linux 32768, Windows 49152, NAT 1024)


def _ephemeral(entry) -> bool:
    """A return-traffic range: from 1024..32768 up to 65535."""
    return EPHEMERAL_STARTS[0] <= entry.from_port <= EPHEMERAL_STARTS[1] and entry.to_port >= 65535


def _open_entries(check_id: str, facts):
    """(entry, world sources) of the entries that are, or may be, ingress allows from the
    internet; undecided records for the ones whose direction or action is not known."""
    for entry in facts.of_kind("network_acl_entry"):
        sources = entry.maybe_world_sources()
        if not sources or entry.direction == "egress" or entry.action == "deny":
            continue
        if is_unknown(entry.direction):
            yield undecided(check_id, entry.resource, "egress", entry.direction, entry.direction_location), None
        elif is_unknown(entry.action):
            yield undecided(check_id, entry.resource, "rule action", entry.action, entry.action_location), None
        else:
            yield entry, sources


def _report(check_id: str, entry, sources, what: str):
    for source in sources:
        if is_unknown(source.cidr):
            yield undecided(check_id, entry.resource, "CIDR block", source.cidr, source.location)
        else:
            yield Finding(check_id, entry.resource, "Network ACL entry in %s allows %s in from %s." % (entry.resource.address, what, source.cidr), source.location)


def evaluate_all(facts):
    for entry, sources in _open_entries(ALL_TRAFFIC.id, facts):
        if sources is None:
            yield entry
            continue
        if is_unknown(entry.protocol):
            yield undecided(ALL_TRAFFIC.id, entry.resource, "protocol", entry.protocol, entry.location)
            continue
        if entry.protocol == "all":
            yield from _report(ALL_TRAFFIC.id, entry, sources, "all traffic")
            continue
        if entry.protocol not in ("tcp", "udp"):
            continue
        every = entry.covers_all_ports()
        if is_unknown(every):
            yield undecided(ALL_TRAFFIC.id, entry.resource, "port range", every, entry.location)
        elif every:
            yield from _report(ALL_TRAFFIC.id, entry, sources, "every %s port" % entry.protocol.upper())


def evaluate_admin(facts):
    for entry, sources in _open_entries(ADMIN.id, facts):
        if sources is None:
            yield entry
            continue
        if is_unknown(entry.protocol):
            yield undecided(ADMIN.id, entry.resource, "protocol", entry.protocol, entry.location)
            continue
        if entry.protocol == "all" or entry.protocol not in ("tcp", "udp"):
            continue  # all protocols: AWS-VPC-305; ICMP and others carry no ports
        if entry.covers_all_ports() is True:
            continue  # every port: AWS-VPC-305
        unknown = entry.unknown_port()
        if unknown is not None:
            yield undecided(ADMIN.id, entry.resource, "port range", unknown, entry.location)
            continue
        if _ephemeral(entry):
            continue  # the ephemeral range return traffic needs (e.g. 1024-65535), not an admin opening
        names = ["%s (%s/%d)" % (name, entry.protocol, port) for port, name in ADMIN_PORTS.items() if entry.covers_port(port) is True]
        if names:
            yield from _report(ADMIN.id, entry, sources, " and ".join(names))


_FORMS = """Every form is read: inline `ingress` blocks of `aws_network_acl` and
`aws_default_network_acl`, `aws_network_acl_rule` (`egress` false or left out) and
`AWS::EC2::NetworkAclEntry` (`Egress` false or left out), with IPv4 (`cidr_block`, `CidrBlock`)
and IPv6 (`ipv6_cidr_block`, `Ipv6CidrBlock`) ranges. Entries whose direction, action, protocol,
ports or range are not known before deploy are left undecided."""

ALL_TRAFFIC = Check(
    id="AWS-VPC-305",
    title="Network ACL allows all inbound traffic from the internet",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-284",),
    kinds=("network_acl_entry",),
    evaluate=evaluate_all,
    what="""Finds inbound network ACL entries that allow every protocol (`-1`) or every TCP or UDP
port from `0.0.0.0/0` or `::/0`. """ + _FORMS,
    why="""Network ACLs are the subnet-level layer under security groups. An entry that lets
everything in from the internet leaves that layer doing nothing: one permissive security group
is then all that stands between a service and the internet.""",
    fix_terraform="""Allow only the ports the subnet serves, plus the ephemeral range for return
traffic:

```hcl
resource "aws_network_acl_rule" "https_in" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}
```""",
    fix_cloudformation="""```yaml
HttpsIn:
  Type: AWS::EC2::NetworkAclEntry
  Properties:
    NetworkAclId: !Ref PublicAcl
    RuleNumber: 100
    Protocol: 6
    RuleAction: allow
    CidrBlock: 0.0.0.0/0
    PortRange:
      From: 443
      To: 443
```""",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",),
    equivalents=(("checkov", "CKV_AWS_352"), ("trivy", "AVD-AWS-0102"), ("cfn_nag", "W66")),
)

ADMIN = Check(
    id="AWS-VPC-306",
    title="Network ACL allows SSH or RDP from the internet",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-284",),
    kinds=("network_acl_entry",),
    evaluate=evaluate_admin,
    what="""Finds inbound network ACL allow entries that admit `0.0.0.0/0` or `::/0` to TCP or UDP
port 22 (SSH) or 3389 (RDP) with a port range that is not the ephemeral range return traffic
needs (a range from 1024-32768 up to 65535, such as 1024-65535, is not reported). Entries for every
protocol or every port are AWS-VPC-305's. """ + _FORMS,
    why="""The CIS AWS Foundations Benchmark asks that no network ACL admit remote administration
ports from the internet: with the ACL open, a single permissive security group exposes SSH or RDP
to brute force and exploits.""",
    fix_terraform="""Allow administration only from a known range, or use Session Manager:

```hcl
resource "aws_network_acl_rule" "ssh_in" {
  network_acl_id = aws_network_acl.private.id
  rule_number    = 110
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.20.0.0/16"
  from_port      = 22
  to_port        = 22
}
```""",
    fix_cloudformation="""```yaml
SshIn:
  Type: AWS::EC2::NetworkAclEntry
  Properties:
    NetworkAclId: !Ref PrivateAcl
    RuleNumber: 110
    Protocol: 6
    RuleAction: allow
    CidrBlock: 10.20.0.0/16
    PortRange:
      From: 22
      To: 22
```""",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-21",
    ),
    equivalents=(("checkov", "CKV_AWS_232"), ("checkov", "CKV_AWS_231"), ("trivy", "AVD-AWS-0105")),
)
