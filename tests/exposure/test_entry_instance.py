"""Fixtures for the "instance" entry kind of AWS-PATH-001 (issue 14): an EC2 instance with a
public IP in a subnet routed to an internet gateway behind a security group open to the world,
and an auto scaling group whose launch template gives its instances public IPs. Terraform
(tests/exposure/fixtures/entries/instance/terraform/{vulnerable,defended,traps}) and
CloudFormation (YAML and JSON), with the expected hops by file and line."""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.checks.infrastructure.attack_paths import CHECK
from iacguard.core.model import ScanOptions
from iacguard.engine import build_graph, scan
from iacguard.facts import Facts
from iacguard.facts.layers import Hops, missing_layers

pytestmark = pytest.mark.catalogue("all")

FIXTURES = Path(__file__).parent / "fixtures" / "entries" / "instance"
TF = FIXTURES / "terraform"


def _scan(target: Path):
    folder = target if target.is_dir() else target.parent
    return scan([str(target)], ScanOptions(), cwd=str(folder), checks=[CHECK])


def _facts(target: Path) -> Facts:
    analysis = build_graph([str(target)])
    assert [n for n in analysis.notifications if n.level == "error"] == []
    return Facts(analysis.graph)


def _rows(result) -> set:
    return {(f.resource.address, f.location.start_line, f.severity,
             tuple((s.resource.address, Path(s.location.path).name, s.location.start_line) for s in f.path))
            for f in result.findings}


def _missing(facts: Facts) -> dict:
    """Path addresses -> the names of the layers it lacks, recomputed with `missing_layers`."""
    out = {}
    for path in facts.of_kind("attack_path"):
        missing, _ = missing_layers(facts, Hops.of([h.resource for h in path.hops], path.grant))
        out[path.addresses] = tuple(dict.fromkeys(layer for layer, _, _ in missing))
    return out


def test_asg_network_segmentation_layer():
    # was wrong: network-segmentation applied to instances only, so an auto scaling group
    # launching public instances in a routed subnet never lacked it
    facts = _facts(TF / "vulnerable")
    missing = _missing(facts)
    asg = [layers for addresses, layers in missing.items() if addresses[0] == "aws_autoscaling_group.workers"]
    assert asg and all("network-segmentation" in layers for layers in asg)


def test_asg_network_hop_names_its_launch_template():
    # was wrong: the network hop of an auto scaling group skipped the launch template that
    # names its security groups, so an SSH-open group was no sg-restriction gap on that path
    facts = _facts(TF / "vulnerable")
    missing = _missing(facts)
    path = ("aws_autoscaling_group.workers", "aws_launch_template.worker", "aws_security_group.db", "aws_db_instance.accounts")
    assert missing[path] == ("sg-restriction", "network-segmentation", "encryption-at-rest")


def test_instance_entry_keeps_the_grant_for_least_privilege():
    # was wrong: when the entry point is itself the compute (an instance or auto scaling group),
    # the walk rebuilt the path without the granting statement, so least-privilege was never judged
    facts = _facts(TF / "vulnerable")
    missing = _missing(facts)
    assert missing[("aws_instance.web", "aws_iam_role.web", "aws_iam_role_policy.web", "aws_s3_bucket.media")] == (
        "sg-restriction", "network-segmentation", "least-privilege")
    assert all(p.grant is not None for p in facts.of_kind("attack_path") if p.access != "network")
