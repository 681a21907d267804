"""AWS-EC2-301 and AWS-EC2-302: security group ingress open to the internet on database ports,
and on other remote-access and legacy ports (SSH, RDP and all ports are AWS-EC2-001's)."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown

from iacguard.facts.ports import DATABASE_PORTS, REMOTE_PORTS


def _ports_of(rule, table: dict) -> list:
    """The ports of `table` this rule surely opens, as "Name (proto/port)" texts."""
    out = []
    for port, (name, protocols) in table.items():
        if rule.protocol in protocols and rule.covers_port(port) is True:
            out.append("%s (%s/%d)" % (name, rule.protocol, port))
    return out


def _unknown(rule, table: dict):
    if is_unknown(rule.protocol):
        return "protocol", rule.protocol
    for port, (_, protocols) in table.items():
        if rule.protocol in protocols and is_unknown(rule.covers_port(port)):
            return "port range", rule.unknown_port()
    return None


def _evaluate(check_id: str, table: dict, what: str):
    def evaluate(facts):
        for rule in facts.of_kind("security_group_rule"):
            if rule.direction != "ingress" or rule.protocol == "all" or rule.covers_all_ports() is True:
                continue  # every port open: AWS-EC2-001 reports it
            sources = rule.maybe_world_sources()
            if not sources:
                continue
            ports = _ports_of(rule, table)
            if not ports:
                unknown = _unknown(rule, table)
                if unknown is not None:
                    yield undecided(check_id, rule.resource, unknown[0], unknown[1], rule.location)
                continue
            shown = ", ".join(ports[:4]) + (" and %d more" % (len(ports) - 4) if len(ports) > 4 else "")
            for source in sources:
                if is_unknown(source.cidr):
                    yield undecided(check_id, rule.resource, "source CIDR", source.cidr, source.location)
                else:
                    yield Finding(check_id, rule.resource, "Security group rule in %s allows %s %s from %s." % (rule.resource.address, what, shown, source.cidr), source.location)
    return evaluate


_FORMS = """Every way of writing a rule is read: inline `ingress` blocks, `aws_security_group_rule`,
`aws_vpc_security_group_ingress_rule`, inline `SecurityGroupIngress` items and
`AWS::EC2::SecurityGroupIngress`, with IPv4 and IPv6 ranges (`0.0.0.0/0`, `::/0` however
written). A rule opening every port is AWS-EC2-001's and is not reported again here. Rules whose
range, protocol or ports are not known before deploy are left undecided."""

DATABASE = Check(
    id="AWS-EC2-301",
    title="Security group allows database ports from the internet",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-284",),
    kinds=("security_group_rule",),
    evaluate=_evaluate("AWS-EC2-301", DATABASE_PORTS, "database port"),
    what="""Finds ingress rules that admit `0.0.0.0/0` or `::/0` to a database or cache port:
SQL Server 1433, Oracle 1521/2483/2484, MySQL 3306, PostgreSQL 5432, Redshift 5439, CouchDB
5984, Redis 6379, Cassandra 7000/7001/9042, Neptune 8182, Elasticsearch/OpenSearch 9200/9300,
Memcached 11211 (TCP and UDP) and MongoDB 27017-27019. """ + _FORMS,
    why="""Databases and caches exposed to the internet are found by scanners within hours; many
(Redis, Memcached, MongoDB, Elasticsearch) have no authentication by default, and the rest are
one weak or leaked password away from a data breach. Memcached over UDP is also a well-known
DDoS amplifier. Applications reach their data stores from inside the VPC.""",
    fix_terraform="""Admit the database port only from the application's security group or
private ranges:

```hcl
resource "aws_vpc_security_group_ingress_rule" "postgres" {
  security_group_id            = aws_security_group.db.id
  referenced_security_group_id = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}
```""",
    fix_cloudformation="""```yaml
DbIngress:
  Type: AWS::EC2::SecurityGroupIngress
  Properties:
    GroupId: !Ref DbSecurityGroup
    SourceSecurityGroupId: !Ref AppSecurityGroup
    IpProtocol: tcp
    FromPort: 5432
    ToPort: 5432
```""",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.RDSSecurityGroups.html",
    ),
    equivalents=(("trivy", "AVD-AWS-0107"), ("cfn_nag", "W2")),
)

REMOTE = Check(
    id="AWS-EC2-302",
    title="Security group allows remote-access or legacy service ports from the internet",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-284", "CWE-319"),
    kinds=("security_group_rule",),
    evaluate=_evaluate("AWS-EC2-302", REMOTE_PORTS, "remote-access port"),
    what="""Finds ingress rules that admit `0.0.0.0/0` or `::/0` to remote-access and legacy
service ports other than SSH and RDP (AWS-EC2-001): FTP 20/21, Telnet 23, TFTP 69/udp, MS RPC
135, NetBIOS 137-139, SMB 445, rexec/rlogin/rsh 512-514, the Docker API 2375/2376, VNC
5800/5900/5901, WinRM 5985/5986 and X11 6000. """ + _FORMS,
    why="""These services give remote control of a host or its files, several send credentials
in clear text (Telnet, FTP, rsh), and SMB, RPC and the Docker API have a long record of wormable
exploits. None of them belongs on the internet: use Session Manager, a VPN or a bastion.""",
    fix_terraform="""```hcl
resource "aws_vpc_security_group_ingress_rule" "winrm" {
  security_group_id = aws_security_group.windows.id
  cidr_ipv4         = "10.20.0.0/16" # the management network, not 0.0.0.0/0
  ip_protocol       = "tcp"
  from_port         = 5986
  to_port           = 5986
}
```""",
    fix_cloudformation="""```yaml
SecurityGroupIngress:
  - IpProtocol: tcp
    FromPort: 5986
    ToPort: 5986
    CidrIp: 10.20.0.0/16
```""",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html",
    ),
    equivalents=(("trivy", "AVD-AWS-0107"), ("cfn_nag", "W2")),
)
