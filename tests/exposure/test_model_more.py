"""Issue 14: the gaps of the exposure model closed (`iacguard.facts.exposure`, kind "entry_point";
`iacguard.facts.network` prefix lists; `iacguard.facts.layers`).

Fixtures under `fixtures/model_more/` (Terraform; CloudFormation YAML and the same template as
JSON): ECS services whose tasks get public IPs (Fargate), Neptune instances and DMS replication
instances publicly accessible in routed subnets, and security group rules whose source is a
managed prefix list, each next to its traps (NAT-only subnet, no public IP by default, the EC2
launch type, a group open to an office prefix list or to an AWS-managed list only) and its
unknowns (a variable or parameter without a value, a prefix list that is not a resource of the
scan). Entry points are asserted by address, kind, ports and the line of the deciding setting;
the AWS-PATH-001 paths through an ECS service by address and line.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.checks.infrastructure.attack_paths import CHECK
from iacguard.core.model import ScanOptions
from iacguard.core.unknown import is_unknown
from iacguard.engine import build_graph, scan
from iacguard.facts import Facts
from iacguard.facts.layers import sg_restriction
from iacguard.facts.network import security_group_rules

FIXTURES = Path(__file__).parent / "fixtures" / "model_more"
TF = FIXTURES / "terraform"
CFN = FIXTURES / "cloudformation"


def _facts(path: Path) -> Facts:
    analysis = build_graph([str(path)])
    assert [n for n in analysis.notifications if n.level == "error"] == []
    return Facts(analysis.graph)


def _entries(facts: Facts) -> dict:
    return {e.resource.address: e for e in facts.of_kind("entry_point")}


def _ports(entry) -> set:
    return {str(p) for p in entry.ports}


# --- Terraform ------------------------------------------------------------------------------

TERRAFORM_EXPOSED = {
    "aws_ecs_service.public": ("instance", {"tcp 443"}, 180),  # assign_public_ip = true
    "aws_ecs_service.prefix_open": ("instance", {"tcp 8080"}, 190),  # its group admits a prefix list holding 0.0.0.0/0
    "aws_neptune_cluster_instance.public": ("database", {"tcp 8182"}, 285),  # the cluster's subnet group is routed
    "aws_dms_replication_instance.default_public": ("database", set(), 313),  # publicly accessible by default
}
TERRAFORM_UNDECIDED = {
    "aws_ecs_service.by_variable": ("variable public_ip has no value", 255),
    "aws_ecs_service.foreign_list": ("prefix list pl-0123456789abcdef0 is not a resource of the scan", 134),
}
TERRAFORM_TRAPS = (
    "aws_ecs_service.nat_only",  # public IP and open group, NAT-only subnet
    "aws_ecs_service.no_public_ip",  # assign_public_ip left out: false
    "aws_ecs_service.closed",  # 10.0.0.0/8, an office prefix list, CloudFront's AWS-managed list
    "aws_ecs_service.ec2_launch",  # the EC2 launch type gives tasks no public IP
    "aws_ecs_service.bridge",  # no awsvpc network configuration
    "aws_neptune_cluster_instance.private",  # publicly_accessible left out: false
    "aws_neptune_cluster_instance.nat_only",  # public, but its cluster's subnet group is NAT-only
    "aws_dms_replication_instance.private", "aws_dms_replication_instance.nat_only",
    "aws_neptune_cluster.graph", "aws_ecs_task_definition.app", "aws_security_group.pl_world",
)


def test_terraform_entry_points_exposed_undecided_and_traps():
    entries = _entries(_facts(TF))
    assert set(entries) == set(TERRAFORM_EXPOSED) | set(TERRAFORM_UNDECIDED)
    for address, (kind, ports, line) in TERRAFORM_EXPOSED.items():
        entry = entries[address]
        assert (entry.entry, _ports(entry), entry.location.start_line) == (kind, ports, line), address
        assert entry.exposed and "undecided" not in entry.reason
    for address, (why, line) in TERRAFORM_UNDECIDED.items():
        entry = entries[address]
        assert is_unknown(entry.decided) and not entry.exposed, address
        assert why in entry.decided.reason and entry.location.start_line == line, address
    for address in TERRAFORM_TRAPS:
        assert address not in entries, address
    prefix = entries["aws_ecs_service.prefix_open"]
    assert "0.0.0.0/0 in prefix list aws_ec2_managed_prefix_list.world" in prefix.reason
    assert "(the default)" in entries["aws_dms_replication_instance.default_public"].reason


def _sources(path: Path) -> dict:
    """security group address -> [(cidr, prefix list)] of its ingress rules."""
    out: dict = {}
    analysis = build_graph([str(path)])
    for rule in security_group_rules(analysis.graph):
        if rule.direction != "ingress":
            continue
        group = rule.resource if "Group" in rule.resource.type or rule.resource.type == "aws_security_group" else None
        key = group.address if group is not None else rule.resource.address
        out.setdefault(key, []).extend((s.cidr, s.prefix_list, rule.is_world_open()) for s in rule.sources)
    return out


def test_prefix_list_sources_terraform():
    sources = _sources(TF)
    # an entry block and a separate entry resource, both read
    assert sorted(c for c, _, _ in sources["aws_security_group.pl_world"]) == ["0.0.0.0/0", "10.8.0.0/16"]
    assert {w for _, _, w in sources["aws_security_group.pl_world"]} == {True}
    assert sources["aws_vpc_security_group_ingress_rule.office"] == [("203.0.113.0/24", "aws_ec2_managed_prefix_list.office", False)]
    assert sources["aws_security_group.pl_cloudfront"] == []  # AWS-managed: AWS service ranges, never the world
    (cidr, name, world), = sources["aws_security_group_rule.foreign"]
    assert is_unknown(cidr) and is_unknown(world) and name == "pl-0123456789abcdef0"
    assert "pl-0123456789abcdef0" in cidr.reason


def test_prefix_list_sources_cloudformation():
    for name in ("stack.yaml", "stack.json"):
        sources = _sources(CFN / name)
        assert sorted(c for c, _, _ in sources["PrefixGroup"]) == ["2001:db8::/32", "::/0"], name
        assert sources["OfficeIngress"] == [("203.0.113.0/24", "OfficeList", False)], name
        (cidr, _, world), = sources["ForeignGroup"]
        assert is_unknown(cidr) and is_unknown(world) and "pl-0123456789abcdef0" in cidr.reason, name


def test_sg_restriction_reads_prefix_lists():
    facts = _facts(TF)
    graph = facts.graph
    by_address = {r.address: r for r in graph.of_type("aws_ecs_service")}
    # tcp 8080 through the world prefix list: not an admin or database port, present
    assert sg_restriction(facts, by_address["aws_ecs_service.prefix_open"]).value is True
    # SSH from a prefix list that is not of the scan: undecided, naming the list
    verdict = sg_restriction(facts, by_address["aws_ecs_service.foreign_list"])
    assert is_unknown(verdict.value) and "pl-0123456789abcdef0" in verdict.value.reason
    # SSH from an office prefix list of the scan: present
    assert sg_restriction(facts, by_address["aws_ecs_service.closed"]).value is True


# --- CloudFormation -------------------------------------------------------------------------

# address -> (kind, ports, line in the YAML, line in the JSON)
CFN_EXPOSED = {
    "PublicService": ("instance", {"tcp 443"}, 162, 298),
    "PrefixService": ("instance", {"tcp 8080"}, 171, 321),  # ::/0 in the prefix list WorldList
    "Migration": ("database", set(), 253, 527),  # PubliclyAccessible left out: true
}
CFN_UNDECIDED = {"ParameterService": "parameter PublicIp has no value", "ForeignService": "pl-0123456789abcdef0"}
CFN_TRAPS = ("NatOnlyService", "DisabledService", "ClosedService", "Ec2Service", "GraphInstance", "Graph",
             "PrivateMigration", "NatOnlyMigration")


@pytest.mark.parametrize("name,column", [("stack.yaml", 2), ("stack.json", 3)])
def test_cloudformation_entry_points(name, column):
    entries = _entries(_facts(CFN / name))
    assert set(entries) == set(CFN_EXPOSED) | set(CFN_UNDECIDED)
    for address, expected in CFN_EXPOSED.items():
        entry = entries[address]
        assert (entry.entry, _ports(entry), entry.location.start_line) == (expected[0], expected[1], expected[column]), address
        assert entry.exposed
    for address, why in CFN_UNDECIDED.items():
        assert is_unknown(entries[address].decided) and why in entries[address].decided.reason, address
    for address in CFN_TRAPS:
        assert address not in entries, address


def test_network_segmentation_of_ecs_services():
    from iacguard.facts.layers import network_segmentation

    facts = _facts(TF)
    by_address = {r.address: r for r in facts.graph.of_type("aws_ecs_service")}
    assert network_segmentation(facts, by_address["aws_ecs_service.public"]).value is False
    assert network_segmentation(facts, by_address["aws_ecs_service.nat_only"]).value is True
    assert network_segmentation(facts, by_address["aws_ecs_service.no_public_ip"]).value is True
    assert is_unknown(network_segmentation(facts, by_address["aws_ecs_service.by_variable"]).value)


# --- AWS-PATH-001 through an ECS service ----------------------------------------------------

def _rows(folder: Path) -> dict:
    result = scan([str(folder)], ScanOptions(), cwd=str(folder), checks=[CHECK])
    return {f.resource.address: (f.location.start_line, tuple((s.resource.address, s.location.start_line) for s in f.path), f.message)
            for f in result.findings}, result


@pytest.mark.catalogue("all")
def test_path_check_through_an_ecs_service_terraform():
    rows, result = _rows(TF)
    line, hops, message = rows["aws_ecs_service.public"]
    assert line == 173
    assert hops == (("aws_ecs_service.public", 173), ("aws_ecs_task_definition.app", 163), ("aws_iam_role.task", 149),
                    ("aws_iam_role_policy.read", 154), ("aws_s3_bucket.orders", 159))
    assert "network-segmentation" in message and "aws_s3_bucket.orders" in message
    assert rows["aws_ecs_service.prefix_open"][1][0] == ("aws_ecs_service.prefix_open", 184)
    assert rows["aws_neptune_cluster_instance.public"][1] == (("aws_neptune_cluster_instance.public", 282),)
    assert rows["aws_dms_replication_instance.default_public"][1] == (("aws_dms_replication_instance.default_public", 313),)
    for trap in ("aws_ecs_service.nat_only", "aws_ecs_service.no_public_ip", "aws_ecs_service.closed", "aws_ecs_service.ec2_launch"):
        assert trap not in rows, trap
    # undecided paths are not findings
    assert "aws_ecs_service.by_variable" not in rows and "aws_ecs_service.foreign_list" not in rows


@pytest.mark.catalogue("all")
@pytest.mark.parametrize("name,lines", [("stack.yaml", (155, 143, 121, 139)), ("stack.json", (289, 265, 225, 259))])
def test_path_check_through_an_ecs_service_cloudformation(name, lines):
    rows, _ = _rows(CFN / name)
    line, hops, message = rows["PublicService"]
    assert line == lines[0]
    assert hops == tuple(zip(("PublicService", "TaskDef", "TaskRole", "Orders"), lines))
    assert "Orders" in message and "network-segmentation" in message
    assert "NatOnlyService" not in rows and "Ec2Service" not in rows and "ClosedService" not in rows


def test_odd_values_do_not_crash(tmp_path):
    (tmp_path / "main.tf").write_text('''
resource "aws_ec2_managed_prefix_list" "odd" {
  entry = "not a block"
}
resource "aws_vpc" "odd" {}
resource "aws_security_group" "odd" {
  ingress {
    from_port       = 22
    to_port         = 22
    protocol        = "tcp"
    prefix_list_ids = [aws_ec2_managed_prefix_list.odd.id, 5, aws_vpc.odd.id]
  }
}
resource "aws_ecs_service" "odd" {
  network_configuration {
    subnets          = "subnet-1"
    assign_public_ip = "maybe"
    security_groups  = [aws_security_group.odd.id]
  }
}
resource "aws_ecs_service" "odd2" {
  network_configuration = "x"
}
resource "aws_neptune_cluster_instance" "odd" {
  publicly_accessible = true
  port                = "x"
  cluster_identifier  = 7
}
resource "aws_dms_replication_instance" "odd" {
  replication_subnet_group_id = ["a"]
}
''')
    (tmp_path / "t.yaml").write_text('''
Resources:
  L:
    Type: AWS::EC2::PrefixList
    Properties:
      Entries: [1, {Cidr: 7}, "x"]
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, SourcePrefixListId: !Ref L}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, SourcePrefixListId: [1, 2]}
  S:
    Type: AWS::ECS::Service
    Properties:
      NetworkConfiguration: {AwsvpcConfiguration: {AssignPublicIp: true, Subnets: 3}}
  N:
    Type: AWS::Neptune::DBInstance
    Properties: {PubliclyAccessible: "yes"}
''')
    facts = _facts(tmp_path)
    entries = _entries(facts)
    assert all(not e.exposed for e in entries.values() if e.resource.type == "aws_ecs_service")
    for path in facts.of_kind("attack_path"):
        assert path.hops
    result = scan([str(tmp_path)], ScanOptions(), cwd=str(tmp_path), checks=[CHECK])
    assert [n for n in result.notifications if n.level == "error"] == []


LB_TF = """\
variable "office" {
  type = string
}

resource "aws_security_group" "%(name)s" {
  ingress {
    from_port   = %(port)s
    to_port     = %(port)s
    protocol    = "tcp"
    cidr_blocks = [%(cidr)s]
  }
}

resource "aws_lb" "%(name)s" {
  internal        = false
  security_groups = [aws_security_group.%(name)s.id]
}

resource "aws_lb_listener" "%(name)s" {
  load_balancer_arn = aws_lb.%(name)s.arn
  port              = 443
  protocol          = "HTTPS"
}
"""


@pytest.mark.parametrize("port, cidr, exposed", [
    (443, '"0.0.0.0/0"', True),  # open on its listener port
    (80, '"0.0.0.0/0"', False),  # open on another port only
    (443, '"10.0.0.0/16"', False),  # the VPC only
    (443, "var.office", None),  # not known: undecided
])
def test_load_balancer_reached_only_where_its_groups_admit_the_internet(tmp_path, port, cidr, exposed):
    from iacguard.engine import build_graph
    from iacguard.facts import Facts

    (tmp_path / "main.tf").write_text(LB_TF % {"name": "web", "port": port, "cidr": cidr})
    entries = Facts(build_graph([str(tmp_path)]).graph).of_kind("entry_point")
    lb = [e for e in entries if e.resource.address == "aws_lb.web"]
    if exposed is False:
        assert lb == []
    elif exposed is True:
        assert len(lb) == 1 and lb[0].decided is True
    else:
        assert len(lb) == 1 and lb[0].decided is not True and "office" in lb[0].decided.reason
