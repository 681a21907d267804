"""Issue 14, part A: the exposure model (`iacguard.facts.exposure`, facts kind "entry_point").

Fixture trees under `fixtures/`: a Terraform root and a CloudFormation template where every entry
kind is exposed next to its traps (no route to the internet gateway, a NAT-only subnet, an
internal load balancer, an open security group no one uses, a private database, a private REST
API...), and one of each where a variable or parameter without a value decides: undecided, never
exposed. Entry points are asserted by address, kind, ports and the line of the deciding setting.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.core.unknown import Unknown, is_unknown
from iacguard.engine import build_graph
from iacguard.facts import KIND_TYPES, Facts
from iacguard.facts.exposure import ENTRY_KINDS, EntryPoint, Port, entry_points

FIXTURES = Path(__file__).parent / "fixtures"


def _entries(path: Path) -> dict:
    analysis = build_graph([str(path)])
    assert [n for n in analysis.notifications if n.level == "error"] == []
    return {e.resource.address: e for e in Facts(analysis.graph).of_kind("entry_point")}


def _ports(entry: EntryPoint) -> set:
    return {str(p) for p in entry.ports}


# address -> (entry kind, ports, line of the deciding setting)
TERRAFORM_EXPOSED = {
    "aws_instance.web": ("instance", {"tcp 443", "tcp 80"}, 13),  # the subnet maps public IPs
    "aws_instance.ssh": ("instance", {"tcp 22"}, 12),  # a separate rule resource opens 22
    "aws_instance.eip": ("instance", {"tcp 443", "tcp 80"}, 23),  # an Elastic IP
    "aws_instance.default_vpc": ("instance", {"tcp 443", "tcp 80"}, 28),  # no subnet: default VPC
    "aws_lb.public": ("load_balancer", {"tcp 80", "tcp 443"}, 3),
    "aws_elb.classic": ("load_balancer", {"tcp 80"}, 58),
    "aws_api_gateway_stage.public": ("api_gateway", {"tcp 443"}, 69),
    "aws_apigatewayv2_stage.http": ("api_gateway", {"tcp 443"}, 97),
    "aws_cloudfront_distribution.cdn": ("cloudfront", {"tcp 80", "tcp 443"}, 107),
    "aws_lambda_function_url.url": ("function_url", {"tcp 443"}, 92),
    "aws_db_instance.public": ("database", {"tcp 5432"}, 15),
    "aws_db_instance.custom_port": ("database", {"tcp 3307"}, 24),
    "aws_eks_cluster.open": ("eks_endpoint", {"tcp 443"}, 44),
    # an auto scaling group: its launch template asks for a public IP (the deciding line)
    "aws_autoscaling_group.public": ("instance", {"tcp 443", "tcp 80"}, 5),
    "aws_redshift_cluster.public": ("database", {"tcp 5439"}, 78),
    "aws_opensearch_domain.public": ("database", {"tcp 443"}, 95),  # no VPC options
}
TERRAFORM_TRAPS = (
    "aws_instance.nat_only",  # public IP, open SG, but the subnet routes through a NAT gateway only
    "aws_instance.isolated",  # public IP, open SG, subnet with no route to the internet gateway
    "aws_instance.internal_sg",  # its security group admits 10.0.0.0/8 only
    "aws_instance.no_public_ip",  # declines a public IP
    "aws_instance.public_b_no_ip",  # routed subnet that maps no public IP
    "aws_instance.default_sg",  # no security group: the VPC's default group
    "aws_security_group.unused",  # open to the world, used by no one
    "aws_lb.internal", "aws_lb.no_listener",
    "aws_api_gateway_stage.private", "aws_cloudfront_distribution.off",
    "aws_db_instance.private_group", "aws_db_instance.private",
    "aws_eks_cluster.restricted", "aws_eks_cluster.private",
    "aws_lambda_function.fn", "aws_s3_bucket.site", "aws_subnet.public",
    "aws_autoscaling_group.nat_only",  # the same template in a NAT-only subnet
    "aws_autoscaling_group.internal_sg",  # its launch configuration's group admits 10.0.0.0/8 only
    "aws_launch_template.public", "aws_launch_configuration.internal",  # templates are not entry points themselves
    "aws_redshift_cluster.nat_only", "aws_opensearch_domain.in_vpc",
)


def test_terraform_entry_points_exposed_and_traps():
    entries = _entries(FIXTURES / "terraform" / "exposed")
    assert set(entries) == set(TERRAFORM_EXPOSED)
    for address, (kind, ports, line) in TERRAFORM_EXPOSED.items():
        entry = entries[address]
        assert (entry.entry, _ports(entry), entry.location.start_line) == (kind, ports, line), address
        assert entry.decided is True and entry.exposed
        assert entry.reason and "undecided" not in entry.reason
        assert entry.root.endswith("exposed")
    for address in TERRAFORM_TRAPS:
        assert address not in entries


def test_terraform_fronts_and_reasons():
    entries = _entries(FIXTURES / "terraform" / "exposed")
    assert [r.address for r in entries["aws_lambda_function_url.url"].fronts] == ["aws_lambda_function.fn"]
    assert [r.address for r in entries["aws_cloudfront_distribution.cdn"].fronts] == ["aws_s3_bucket.site"]
    assert "aws_security_group.ssh_world admits the internet (0.0.0.0/0) on tcp 22" in entries["aws_instance.ssh"].reason
    assert "aws_subnet.public_b routes to an internet gateway" in entries["aws_instance.ssh"].reason
    assert "Elastic IP aws_eip.eip" in entries["aws_instance.eip"].reason
    assert "default VPC" in entries["aws_instance.default_vpc"].reason
    assert [r.address for r in entries["aws_autoscaling_group.public"].fronts] == ["aws_launch_template.public"]
    https = [p for p in entries["aws_lb.public"].ports if p.application == "HTTPS"]
    assert https == [Port("tcp", 443, 443, "HTTPS")]


TERRAFORM_UNDECIDED = {
    "aws_lb.maybe": ("load_balancer", "variable internal has no value", {"tcp 443"}, 13),
    "aws_instance.maybe_ip": ("instance", "variable public_ip has no value", {"tcp 443", "tcp 80"}, 43),
    "aws_instance.maybe_sg": ("instance", "variable cidr has no value", {"tcp 8080"}, 31),
    "aws_instance.maybe_subnet": ("instance", "variable subnet has no value", {"tcp 443", "tcp 80"}, 58),
    "aws_api_gateway_stage.maybe": ("api_gateway", "variable api_types has no value", {"tcp 443"}, 75),
    "aws_cloudfront_distribution.maybe": ("cloudfront", "variable enabled has no value", {"tcp 80", "tcp 443"}, 86),
    "aws_db_instance.maybe": ("database", "variable publicly has no value", {"tcp 5432"}, 116),
    "aws_eks_cluster.maybe": ("eks_endpoint", "variable eks_cidrs has no value", {"tcp 443"}, 130),
    "aws_autoscaling_group.maybe": ("instance", "variable template has no value", set(), 141),
    # its own group is closed, but a world-open rule whose group is not known may belong to it
    "aws_instance.maybe_rule": ("instance", "variable group has no value", {"tcp 5432"}, 158),
    # a route of its subnet's table goes to a gateway that is not known (it may be an internet gateway)
    "aws_instance.maybe_route": ("instance", "variable gateway has no value", {"tcp 443", "tcp 80"}, 180),
    # no listener of its own; a listener whose load balancer is not known may be its
    "aws_lb.maybe_listener": ("load_balancer", "variable lb_arn has no value", {"tcp 8443"}, 206),
}


def test_terraform_unknown_parts_are_undecided():
    entries = _entries(FIXTURES / "terraform" / "unknown")
    assert set(entries) == set(TERRAFORM_UNDECIDED)  # aws_instance.maybe_ip_nat_only: the NAT-only subnet decides
    for address, (kind, why, ports, line) in TERRAFORM_UNDECIDED.items():
        entry = entries[address]
        assert is_unknown(entry.decided) and not entry.exposed, address
        assert entry.decided.reason == why, address
        assert (entry.entry, _ports(entry), entry.location.start_line) == (kind, ports, line), address
        assert entry.reason.startswith("undecided: ") and why in entry.reason


CFN_EXPOSED = {
    "Web": ("instance", {"tcp 443"}, 19),
    "Ssh": ("instance", {"tcp 22"}, 120),  # public IP on its interface, an IPv6 world rule resource
    "PublicAlb": ("load_balancer", {"tcp 443"}, 143),  # internet-facing by default
    "Nlb": ("load_balancer", {"tcp 53", "udp 53"}, 173),
    "RestStage": ("api_gateway", {"tcp 443"}, 187),
    "HttpStage": ("api_gateway", {"tcp 443"}, 214),
    "Cdn": ("cloudfront", {"tcp 80", "tcp 443"}, 223),
    "FnUrl": ("function_url", {"tcp 443"}, 244),
    "PublicDb": ("database", {"tcp 3306"}, 264),
    "OpenCluster": ("eks_endpoint", {"tcp 443"}, 280),
    "EipHost": ("instance", {"tcp 443"}, 303),  # the Elastic IP's block
    "PublicGroup": ("instance", {"tcp 22"}, 314),  # its launch template's interface asks for a public IP
}
CFN_TRAPS = ("NatOnly", "Isolated", "InternalOnly", "UnusedOpenSg", "InternalAlb", "PrivateStage",
             "PublicDbPrivateSubnets", "PrivateDb", "PrivateCluster", "Fn", "NatOnlyGroup", "PublicTemplate")


def test_cloudformation_entry_points_exposed_and_traps():
    entries = _entries(FIXTURES / "cloudformation" / "exposed.yaml")
    assert set(entries) == set(CFN_EXPOSED)
    for address, (kind, ports, line) in CFN_EXPOSED.items():
        entry = entries[address]
        assert (entry.entry, _ports(entry), entry.location.start_line) == (kind, ports, line), address
        assert entry.decided is True
    for address in CFN_TRAPS:
        assert address not in entries
    assert [r.address for r in entries["FnUrl"].fronts] == ["Fn"]


CFN_UNDECIDED = {
    "Admin": ("instance", "parameter AdminCidr has no value", {"tcp 3389"}, 44),
    "MaybeAlb": ("load_balancer", "parameter Scheme has no value", {"tcp 80"}, 60),
    "MaybeDb": ("database", "parameter Public has no value", {"tcp 5432"}, 82),
    # PubliclyAccessible left out: CloudFormation decides from the VPC, which the source does not say.
    "UnsaidDb": ("database", "PubliclyAccessible not set and no default", {"tcp 5432"}, 85),
    # a route of its subnet's table goes to a gateway that is not known
    "MaybeRouted": ("instance", "parameter Gateway has no value", {"tcp 3389"}, 105),
}


def test_cloudformation_unknown_parts_are_undecided():
    entries = _entries(FIXTURES / "cloudformation" / "unknown.yaml")
    assert set(entries) == set(CFN_UNDECIDED)
    for address, (kind, why, ports, line) in CFN_UNDECIDED.items():
        entry = entries[address]
        assert is_unknown(entry.decided) and entry.decided.reason == why, address
        assert (entry.entry, _ports(entry), entry.location.start_line) == (kind, ports, line), address


def test_registered_kind_and_vocabulary():
    assert KIND_TYPES["entry_point"] is EntryPoint
    entries = _entries(FIXTURES / "terraform" / "exposed")
    assert {e.entry for e in entries.values()} == set(ENTRY_KINDS)
    assert str(Port("tcp", 0, 65535)) == "tcp all ports"
    assert str(Port("tcp", 1024, 2048)) == "tcp 1024-2048"
    assert str(Port(Unknown("x"), Unknown("x"), Unknown("x"))) == "? ?"


def test_roots_are_kept_apart_and_sorted(tmp_path):
    """Two roots, each a copy of the exposed tree: every entry point once per root, in order."""
    import shutil

    for name in ("a", "b"):
        shutil.copytree(FIXTURES / "terraform" / "exposed", tmp_path / name)
    analysis = build_graph([str(tmp_path)])
    entries = Facts(analysis.graph).of_kind("entry_point")
    assert len(entries) == 2 * len(TERRAFORM_EXPOSED)
    assert [e.root for e in entries] == sorted(e.root for e in entries)
    assert len({e.root for e in entries}) == 2


@pytest.mark.parametrize("text", [
    # whole blocks and lists that are not known, odd values: never a crash, never "exposed" by an Unknown
    'variable "x" {}\nresource "aws_instance" "i" {\n  subnet_id = var.x\n  vpc_security_group_ids = var.x\n  associate_public_ip_address = var.x\n}\n',
    'variable "x" {}\nresource "aws_lb" "l" {\n  internal = "maybe"\n}\nresource "aws_lb_listener" "l" {\n  load_balancer_arn = aws_lb.l.arn\n  port = var.x\n  protocol = var.x\n}\n',
    'resource "aws_elb" "c" {\n  listener {\n    lb_port = "http"\n  }\n}\n',
    'variable "x" {}\nresource "aws_db_instance" "d" {\n  publicly_accessible = true\n  db_subnet_group_name = "not-in-the-scan"\n  engine = var.x\n}\n',
    'variable "x" {}\nresource "aws_eks_cluster" "e" {\n  vpc_config {\n    public_access_cidrs = [var.x, "10.0.0.0/8"]\n  }\n}\n',
])
def test_bad_or_unknown_input_is_never_exposed(tmp_path, text):
    (tmp_path / "main.tf").write_text(text)
    analysis = build_graph([str(tmp_path)])
    for entry in entry_points(analysis.graph):
        if entry.exposed:
            # an internet-facing classic load balancer with a listener is exposed; its port is not known
            assert entry.resource.address == "aws_elb.c", entry
            assert all(is_unknown(p.from_port) for p in entry.ports)
        else:
            assert is_unknown(entry.decided), entry


# The same templates in JSON (generated from the YAML ones): the same entry points, located at
# the JSON lines of the same settings.
CFN_JSON_LINES = {
    "Web": 31, "Ssh": 218, "PublicAlb": 276, "Nlb": 338, "RestStage": 365, "HttpStage": 409, "Cdn": 422,
    "FnUrl": 461, "PublicDb": 503, "OpenCluster": 531, "EipHost": 588, "PublicGroup": 604,
    "Admin": 75, "MaybeAlb": 109, "MaybeDb": 153, "UnsaidDb": 161, "MaybeRouted": 195,
}


@pytest.mark.parametrize("name, expected", [("exposed", CFN_EXPOSED), ("unknown", CFN_UNDECIDED)])
def test_cloudformation_json_matches_yaml(name, expected):
    entries = _entries(FIXTURES / "cloudformation" / (name + ".json"))
    assert set(entries) == set(expected)
    for address, want in expected.items():
        entry = entries[address]
        assert (entry.entry, _ports(entry)) == (want[0], want[-2]), address
        assert entry.location.start_line == CFN_JSON_LINES[address], address
        assert (entry.decided is True) == (name == "exposed")
