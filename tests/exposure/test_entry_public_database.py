"""Entry kind "public database" for AWS-PATH-001 (issue 14, "Done when"): fixture networks in
Terraform and CloudFormation (YAML and JSON) under fixtures/entries/public_database/."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from iacguard.checks.infrastructure.attack_paths import CHECK
from iacguard.core.model import ScanOptions
from iacguard.engine import build_graph, scan
from iacguard.facts import Facts
from iacguard.facts.layers import Hops, missing_layers, nacl, sg_restriction

pytestmark = pytest.mark.catalogue("all")

HERE = Path(__file__).parent / "fixtures" / "entries" / "public_database"
TF = HERE / "terraform"
CFN = HERE / "cloudformation"


def _facts(target: Path) -> Facts:
    analysis = build_graph([str(target)])
    assert [n for n in analysis.notifications if n.level == "error"] == []
    return Facts(analysis.graph)


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
