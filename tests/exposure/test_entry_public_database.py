"""Entry kind "public database" for AWS-PATH-001 (issue 14, "Done when"): fixture networks in
Terraform and CloudFormation (YAML and JSON) under fixtures/entries/public_database/.

- vulnerable: data subnets routed to the internet gateway behind a custom network ACL open to
  the world; an RDS instance (unencrypted) and an Aurora cluster member publicly accessible
  behind a group open on 5432, a public Redshift cluster open on 5439, an OpenSearch domain
  without VPC options (unencrypted). Four one-hop findings: each store is its own entry point.
- defended: the same stores private, encrypted, in unrouted subnets, the OpenSearch domain in
  the VPC; a load balancer (WAF, HTTPS) -> instance -> security group reference -> store: the
  paths exist, no finding, no undecided record, and no store is an entry point.
- traps: the defended network plus (1) a public database in subnets with no internet route,
  (2) a public Redshift cluster in a NAT-only subnet, (3) an open security group used only by
  (1), (4) an internal load balancer in front of an instance the reports database admits,
  (5) the reports database admitting the reachable application's group on another port only;
  and a database whose public accessibility is a variable / parameter without a value: an
  undecided record, never a finding.

Expected hops are literal: (address, file basename, line) per hop, in order.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from iacguard.checks.infrastructure.attack_paths import CHECK
from iacguard.core.model import ScanOptions
from iacguard.engine import scan
from iacguard.facts import Facts
from iacguard.facts.layers import nacl, sg_restriction
from entry_harness import facts_of as _facts, missing_by_path, rows_of as _rows, scan_path as _scan

pytestmark = pytest.mark.catalogue("all")

HERE = Path(__file__).parent / "fixtures" / "entries" / "public_database"
TF = HERE / "terraform"
CFN = HERE / "cloudformation"





def _layers(target: Path) -> dict:
    return missing_by_path(_facts(target))


def _resource(facts: Facts, address: str):
    return next(r for r in facts.graph.resources if r.address == address)


def test_aurora_member_layers_read_its_cluster():
    """An Aurora cluster instance names neither security groups nor a subnet group: they are its
    cluster's. sg-restriction and nacl used to find none and say "not applicable" (a world-open
    database port and a wide-open network ACL went unreported on a public Aurora instance)."""
    facts = _facts(TF / "vulnerable")
    member = _resource(facts, "aws_rds_cluster_instance.analytics_1")
    sg = sg_restriction(facts, member)
    assert sg is not None and sg.value is False and "aws_security_group.db" in sg.reason
    acl = nacl(facts, member)
    assert acl is not None and acl.value is False and "aws_network_acl.data" in acl.reason


def test_public_aurora_member_is_a_database():
    """A public `aws_rds_cluster_instance` is a database asset: the finding named it by its type
    ("aws_rds_cluster_instance aws_rds_cluster_instance.analytics_1") and graded it as a
    non-sensitive asset (one missing layer: low instead of medium)."""
    target = TF / "vulnerable"
    result = scan([str(target)], ScanOptions(), cwd=str(target), checks=[CHECK])
    [f] = [f for f in result.findings if f.resource.address == "aws_rds_cluster_instance.analytics_1"]
    assert f.message.startswith("Internet path to database aws_rds_cluster_instance.analytics_1, reachable from the internet itself")
    assert f.severity == "critical"  # a database lacking sg-restriction, nacl, network-segmentation


@pytest.mark.parametrize("target, address", [
    (TF / "vulnerable", "aws_redshift_cluster.warehouse"),
    (CFN / "vulnerable.yaml", "Warehouse"),
    (CFN / "vulnerable.json", "Warehouse"),
])
def test_redshift_layers_read_its_settings(target, address):
    """No relation links a Redshift cluster to its security groups or its cluster subnet group:
    sg-restriction and nacl used to say "not applicable" for a public Redshift cluster open to the
    world on 5439 behind a wide-open network ACL."""
    facts = _facts(target)
    cluster = _resource(facts, address)
    sg = sg_restriction(facts, cluster)
    assert sg is not None and sg.value is False and "Redshift (tcp/5439)" in sg.reason
    acl = nacl(facts, cluster)
    assert acl is not None and acl.value is False and ("DataAcl" in acl.reason or "aws_network_acl.data" in acl.reason)


def test_search_domain_in_a_vpc_layers_read_its_vpc_options():
    """An OpenSearch domain in a VPC (the defended twin's) names its groups and subnets in its VPC
    options: sg-restriction is decided (present) rather than not applicable."""
    facts = _facts(TF / "defended")
    domain = _resource(facts, "aws_opensearch_domain.search")
    sg = sg_restriction(facts, domain)
    assert sg is not None and sg.value is True


# --- vulnerable -----------------------------------------------------------------------------

ALL4 = ("sg-restriction", "nacl", "network-segmentation", "encryption-at-rest")


def test_terraform_vulnerable():
    d = "data.tf"
    assert _rows(TF / "vulnerable") == {
        ("aws_db_instance.orders", 9, "critical", (("aws_db_instance.orders", d, 9),), ALL4),
        ("aws_rds_cluster_instance.analytics_1", 31, "critical", (("aws_rds_cluster_instance.analytics_1", d, 31),), ALL4[:3]),
        ("aws_redshift_cluster.warehouse", 44, "critical", (("aws_redshift_cluster.warehouse", d, 44),), ALL4[:3]),
        ("aws_opensearch_domain.search", 55, "high", (("aws_opensearch_domain.search", d, 55),), ALL4[2:]),
    }
    assert _scan(TF / "vulnerable").undecided == []
    # the Aurora cluster itself is no entry point (its members decide), its encryption is its own
    facts = _facts(TF / "vulnerable")
    assert {e.resource.address for e in facts.of_kind("entry_point")} == {
        "aws_db_instance.orders", "aws_rds_cluster_instance.analytics_1", "aws_redshift_cluster.warehouse", "aws_opensearch_domain.search"}


CFN_VULNERABLE = {
    "vulnerable.yaml": {"Orders": 109, "Analytics1": 131, "Warehouse": 144, "Search": 158},
    "vulnerable.json": {"Orders": 192, "Analytics1": 236, "Warehouse": 262, "Search": 287},
}


@pytest.mark.parametrize("name", sorted(CFN_VULNERABLE))
def test_cloudformation_vulnerable(name):
    line = CFN_VULNERABLE[name]
    missing = {"Orders": ALL4, "Analytics1": ALL4[:3], "Warehouse": ALL4[:3], "Search": ALL4[2:]}
    severity = {"Orders": "critical", "Analytics1": "critical", "Warehouse": "critical", "Search": "high"}
    assert _rows(CFN / name) == {(a, line[a], severity[a], ((a, name, line[a]),), missing[a]) for a in line}
    assert _scan(CFN / name).undecided == []


# --- defended -------------------------------------------------------------------------------

TF_STORES = {"aws_security_group.db": ("aws_db_instance.orders", "aws_rds_cluster.analytics"),
             "aws_security_group.warehouse": ("aws_redshift_cluster.warehouse",),
             "aws_security_group.search": ("aws_opensearch_domain.search",)}
CFN_STORES = {"DbGroup": ("Orders", "Analytics"), "WarehouseGroup": ("Warehouse",), "SearchGroup": ("Search",)}


def _defended(target: Path, front: tuple, stores: dict) -> None:
    result = _scan(target)
    assert result.findings == [] and [u for u in result.undecided if u.check_id == CHECK.id] == []
    facts = _facts(target)
    assert [e.entry for e in facts.of_kind("entry_point")] == ["load_balancer"]  # no store is public
    paths = {p.addresses: p for p in facts.of_kind("attack_path")}
    assert set(paths) == {front + (sg, store) for sg, listed in stores.items() for store in listed}
    assert all(p.decided is True and p.access == "network" for p in paths.values())
    assert set(_layers(target).values()) == {()}


def test_terraform_defended():
    _defended(TF / "defended", ("aws_lb.web", "aws_lb_listener.https", "aws_lb_target_group.app", "aws_instance.app"), TF_STORES)


@pytest.mark.parametrize("name", ["defended.yaml", "defended.json"])
def test_cloudformation_defended(name):
    _defended(CFN / name, ("Web", "Https", "AppTargets", "App"), CFN_STORES)


# --- traps ----------------------------------------------------------------------------------

TF_TRAPS = {
    "no route to the internet gateway": ("aws_db_instance.isolated", "aws_db_subnet_group.isolated"),
    "NAT-only subnet": ("aws_redshift_cluster.nat_only", "aws_subnet.nat_only"),
    "unused open security group": ("aws_security_group.unused_db",),
    "internal load balancer": ("aws_lb.internal", "aws_lb_listener.internal", "aws_instance.reporting"),
    "a grant on a different port": ("aws_security_group.reports", "aws_db_instance.reports"),
}
CFN_TRAPS = {
    "no route to the internet gateway": ("Isolated", "IsolatedSubnets"),
    "NAT-only subnet": ("NatOnly", "NatOnlySubnet"),
    "unused open security group": ("UnusedDbGroup",),
    "internal load balancer": ("Internal", "InternalHttp", "Reporting"),
    "a grant on a different port": ("ReportsGroup", "Reports"),
}


def _traps(target: Path, traps: dict, entries: set, undecided: tuple) -> None:
    result = _scan(target)
    assert result.findings == []  # the rest of the network is the defended twin
    facts = _facts(target)
    on_paths = {a for p in facts.of_kind("attack_path") for a in p.addresses}
    found = {e.resource.address for e in facts.of_kind("entry_point")}
    for trap, resources in traps.items():
        assert not set(resources) & on_paths, trap
        assert not set(resources) & found, trap
    assert found == entries
    [u] = [u for u in result.undecided if u.check_id == CHECK.id]
    assert (u.resource.address, u.what, u.reason, os.path.basename(u.location.path), u.location.start_line) == undecided


def test_terraform_traps():
    _traps(TF / "traps", TF_TRAPS, {"aws_lb.web", "aws_db_instance.staging"},
           ("aws_db_instance.staging", "the path to database aws_db_instance.staging", "variable staging_public has no value", "traps.tf", 172))


@pytest.mark.parametrize("name, line", [("traps.yaml", 415), ("traps.json", 791)])
def test_cloudformation_traps(name, line):
    _traps(CFN / name, CFN_TRAPS, {"Web", "Staging"},
           ("Staging", "the path to database Staging", "parameter StagingPublic has no value", name, line))
