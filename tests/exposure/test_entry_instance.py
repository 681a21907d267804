"""Fixtures for the "instance" entry kind of AWS-PATH-001 (issue 14): an EC2 instance with a
public IP in a subnet routed to an internet gateway behind a security group open to the world,
and an auto scaling group whose launch template gives its instances public IPs; the vulnerable
network also has an Elastic IP and a subnet mapping public IPs with an SSH-open network ACL. Terraform
(tests/exposure/fixtures/entries/instance/terraform/{vulnerable,defended,traps}) and
CloudFormation (YAML and JSON of the same networks, lines per file), with the expected hops by
file and line and the missing layers by name (recomputed with `missing_layers`).

The defended twin has no path at all: an instance with a public IP in a routed subnet always
lacks `network-segmentation`, so the defended version of this kind declines public IPs (and is
then no entry point).

The traps (named in the fixtures too):
- no route to the internet gateway: `aws_instance.isolated` / `Isolated` (public IP, open group)
  in a subnet whose table has no route out;
- NAT-only subnet: `aws_instance.natted` / `Natted`, and the auto scaling group `batch` / `Batch`
  whose launch template asks for public IPs, in a subnet routed through a NAT gateway only;
- unused open SG: `aws_security_group.unused` / `Unused` admits SSH from the world but nothing
  uses it; `aws_instance.quiet` / `Quiet` (public IP, routed subnet) has a VPC-only group;
- a role that can read a different bucket: the web role may read the assets bucket only, so no
  path reaches `aws_s3_bucket.ledger` / `Ledger`;
- a variable / parameter without a value: whether `aws_instance.maybe` / `Maybe` gets a public
  IP is not known: an undecided record, never a finding.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.checks.infrastructure.attack_paths import CHECK
from iacguard.core.model import ScanOptions
from iacguard.engine import scan
from entry_harness import facts_of as _facts, finding_rows, missing_by_path, scan_path

pytestmark = pytest.mark.catalogue("all")

FIXTURES = Path(__file__).parent / "fixtures" / "entries" / "instance"
TF = FIXTURES / "terraform"
CFN = FIXTURES / "cloudformation"





def _run(target: Path) -> tuple:
    """(findings as (entry, line, severity, missing layer names, hops), undecided records, facts)."""
    result, facts = scan_path(target), _facts(target)
    findings = {(e, line, sev, layers, hops) for e, line, sev, hops, layers in finding_rows(result, missing_by_path(facts))}
    undecided = {(u.check_id, u.resource.address, u.what, u.reason) for u in result.undecided}
    return findings, undecided, facts


def _touched(findings: set) -> set:
    return {hop[0] for f in findings for hop in f[4]}


# --- Terraform ---------------------------------------------------------------------------------

TF_VULNERABLE = {
    ('aws_autoscaling_group.workers', 47, 'critical', ('sg-restriction', 'network-segmentation', 'encryption-at-rest'), (
        ('aws_autoscaling_group.workers', 'hosts.tf', 47), ('aws_launch_template.worker', 'hosts.tf', 34),
        ('aws_security_group.db', 'network.tf', 50), ('aws_db_instance.accounts', 'data.tf', 17),)),
    ('aws_autoscaling_group.workers', 47, 'high', ('sg-restriction', 'network-segmentation'), (
        ('aws_autoscaling_group.workers', 'hosts.tf', 47), ('aws_launch_template.worker', 'hosts.tf', 34),
        ('aws_iam_role.worker', 'hosts.tf', 62), ('aws_iam_role_policy.jobs', 'hosts.tf', 70),
        ('aws_dynamodb_table.jobs', 'data.tf', 7),)),
    ('aws_instance.eip', 4, 'critical', ('sg-restriction', 'network-segmentation', 'encryption-at-rest'), (
        ('aws_instance.eip', 'variants.tf', 4), ('aws_security_group.db', 'network.tf', 50),
        ('aws_db_instance.accounts', 'data.tf', 17),)),
    ('aws_instance.eip', 4, 'high', ('sg-restriction', 'network-segmentation'), (
        ('aws_instance.eip', 'variants.tf', 4), ('aws_iam_role.sender', 'variants.tf', 54),
        ('aws_sqs_queue.orders', 'variants.tf', 69),)),
    ('aws_instance.mapped', 41, 'critical', ('sg-restriction', 'nacl', 'network-segmentation'), (
        ('aws_instance.mapped', 'variants.tf', 41), ('aws_iam_role.sender', 'variants.tf', 54),
        ('aws_sqs_queue.orders', 'variants.tf', 69),)),
    ('aws_instance.mapped', 41, 'critical', ('sg-restriction', 'nacl', 'network-segmentation', 'encryption-at-rest'), (
        ('aws_instance.mapped', 'variants.tf', 41), ('aws_security_group.db', 'network.tf', 50),
        ('aws_db_instance.accounts', 'data.tf', 17),)),
    ('aws_instance.web', 3, 'critical', ('sg-restriction', 'network-segmentation', 'least-privilege'), (
        ('aws_instance.web', 'hosts.tf', 3), ('aws_iam_role.web', 'hosts.tf', 17),
        ('aws_iam_role_policy.web', 'hosts.tf', 25), ('aws_s3_bucket.media', 'data.tf', 3),)),
    ('aws_instance.web', 3, 'critical', ('sg-restriction', 'network-segmentation', 'encryption-at-rest'), (
        ('aws_instance.web', 'hosts.tf', 3), ('aws_security_group.db', 'network.tf', 50),
        ('aws_db_instance.accounts', 'data.tf', 17),)),
}


def test_terraform_vulnerable():
    findings, undecided, _ = _run(TF / "vulnerable")
    assert findings == TF_VULNERABLE
    assert undecided == set()


def test_terraform_defended_twin():
    findings, undecided, facts = _run(TF / "defended")
    assert findings == set() and undecided == set()
    # the same instance, auto scaling group, roles and stores: declining public IPs, they are no
    # entry point, so no path (the vulnerable twin's paths are the ones above)
    assert facts.of_kind("entry_point") == [] and facts.of_kind("attack_path") == []
    assert {r.address for r in facts.graph.of_type("aws_instance", "aws_autoscaling_group")} == {
        "aws_instance.web", "aws_instance.eip", "aws_instance.mapped", "aws_autoscaling_group.workers"}


TF_TRAPS = {
    ('aws_instance.web', 3, 'low', ('network-segmentation',), (
        ('aws_instance.web', 'hosts.tf', 3), ('aws_iam_role.web', 'hosts.tf', 17),
        ('aws_iam_role_policy.web', 'hosts.tf', 27), ('aws_s3_bucket.assets', 'hosts.tf', 36),)),
}
# trap -> the resources no finding's path (and no path at all) may touch
TF_TRAP_RESOURCES = {
    "no route to the internet gateway": ("aws_instance.isolated", "aws_subnet.isolated"),
    "NAT-only subnet": ("aws_instance.natted", "aws_autoscaling_group.batch", "aws_launch_template.batch", "aws_subnet.nat"),
    "unused open SG": ("aws_security_group.unused", "aws_instance.quiet"),
    "a role that can read a different bucket": ("aws_s3_bucket.ledger", "aws_iam_role.admin"),
}


def test_terraform_traps():
    findings, undecided, facts = _run(TF / "traps")
    assert findings == TF_TRAPS
    on_paths = {a for p in facts.of_kind("attack_path") for a in p.addresses}
    for trap, resources in TF_TRAP_RESOURCES.items():
        assert not _touched(findings) & set(resources), trap
        assert not on_paths & set(resources), trap
    assert {e.resource.address for e in facts.of_kind("entry_point")} == {"aws_instance.web", "aws_instance.maybe"}
    # the variable: an undecided record, not a finding
    assert undecided == {("AWS-PATH-001", "aws_instance.maybe", "the path to S3 bucket aws_s3_bucket.assets",
                          "variable maybe_public has no value")}


# --- CloudFormation (YAML and JSON: the same networks, lines per file) -------------------------

CFN_EXPECTED = {
    "vulnerable.yaml": {
        ('Eip', 180, 'critical', ('sg-restriction', 'network-segmentation', 'encryption-at-rest'), (
            ('Eip', 'vulnerable.yaml', 180), ('DbGroup', 'vulnerable.yaml', 56),
            ('Accounts', 'vulnerable.yaml', 168),)),
        ('Eip', 180, 'high', ('sg-restriction', 'network-segmentation'), (
            ('Eip', 'vulnerable.yaml', 180), ('SenderRole', 'vulnerable.yaml', 236),
            ('OrdersQueue', 'vulnerable.yaml', 254),)),
        ('Mapped', 224, 'critical', ('sg-restriction', 'nacl', 'network-segmentation', 'encryption-at-rest'), (
            ('Mapped', 'vulnerable.yaml', 224), ('DbGroup', 'vulnerable.yaml', 56),
            ('Accounts', 'vulnerable.yaml', 168),)),
        ('Mapped', 224, 'critical', ('sg-restriction', 'nacl', 'network-segmentation'), (
            ('Mapped', 'vulnerable.yaml', 224), ('SenderRole', 'vulnerable.yaml', 236),
            ('OrdersQueue', 'vulnerable.yaml', 254),)),
        ('Web', 71, 'critical', ('sg-restriction', 'network-segmentation', 'encryption-at-rest'), (
            ('Web', 'vulnerable.yaml', 71), ('DbGroup', 'vulnerable.yaml', 56), ('Accounts', 'vulnerable.yaml', 168),)),
        ('Web', 71, 'critical', ('sg-restriction', 'network-segmentation', 'least-privilege'), (
            ('Web', 'vulnerable.yaml', 71), ('WebRole', 'vulnerable.yaml', 86), ('WebS3', 'vulnerable.yaml', 96),
            ('Media', 'vulnerable.yaml', 153),)),
        ('Workers', 119, 'critical', ('sg-restriction', 'network-segmentation', 'encryption-at-rest'), (
            ('Workers', 'vulnerable.yaml', 119), ('WorkerTemplate', 'vulnerable.yaml', 107),
            ('DbGroup', 'vulnerable.yaml', 56), ('Accounts', 'vulnerable.yaml', 168),)),
        ('Workers', 119, 'high', ('sg-restriction', 'network-segmentation'), (
            ('Workers', 'vulnerable.yaml', 119), ('WorkerTemplate', 'vulnerable.yaml', 107),
            ('WorkerRole', 'vulnerable.yaml', 132), ('WorkerJobs', 'vulnerable.yaml', 142),
            ('Jobs', 'vulnerable.yaml', 157),)),
    },
    "vulnerable.json": {
        ('Eip', 350, 'critical', ('sg-restriction', 'network-segmentation', 'encryption-at-rest'), (
            ('Eip', 'vulnerable.json', 350), ('DbGroup', 'vulnerable.json', 96),
            ('Accounts', 'vulnerable.json', 330),)),
        ('Eip', 350, 'high', ('sg-restriction', 'network-segmentation'), (
            ('Eip', 'vulnerable.json', 350), ('SenderRole', 'vulnerable.json', 461),
            ('OrdersQueue', 'vulnerable.json', 498),)),
        ('Mapped', 433, 'critical', ('sg-restriction', 'nacl', 'network-segmentation', 'encryption-at-rest'), (
            ('Mapped', 'vulnerable.json', 433), ('DbGroup', 'vulnerable.json', 96),
            ('Accounts', 'vulnerable.json', 330),)),
        ('Mapped', 433, 'critical', ('sg-restriction', 'nacl', 'network-segmentation'), (
            ('Mapped', 'vulnerable.json', 433), ('SenderRole', 'vulnerable.json', 461),
            ('OrdersQueue', 'vulnerable.json', 498),)),
        ('Web', 126, 'critical', ('sg-restriction', 'network-segmentation', 'encryption-at-rest'), (
            ('Web', 'vulnerable.json', 126), ('DbGroup', 'vulnerable.json', 96),
            ('Accounts', 'vulnerable.json', 330),)),
        ('Web', 126, 'critical', ('sg-restriction', 'network-segmentation', 'least-privilege'), (
            ('Web', 'vulnerable.json', 126), ('WebRole', 'vulnerable.json', 160), ('WebS3', 'vulnerable.json', 177),
            ('Media', 'vulnerable.json', 305),)),
        ('Workers', 226, 'critical', ('sg-restriction', 'network-segmentation', 'encryption-at-rest'), (
            ('Workers', 'vulnerable.json', 226), ('WorkerTemplate', 'vulnerable.json', 198),
            ('DbGroup', 'vulnerable.json', 96), ('Accounts', 'vulnerable.json', 330),)),
        ('Workers', 226, 'high', ('sg-restriction', 'network-segmentation'), (
            ('Workers', 'vulnerable.json', 226), ('WorkerTemplate', 'vulnerable.json', 198),
            ('WorkerRole', 'vulnerable.json', 259), ('WorkerJobs', 'vulnerable.json', 276),
            ('Jobs', 'vulnerable.json', 311),)),
    },
    "defended.yaml": set(),
    "defended.json": set(),
    "traps.yaml": {
        ('Web', 117, 'low', ('network-segmentation',), (
            ('Web', 'traps.yaml', 117), ('WebRole', 'traps.yaml', 132), ('WebAssets', 'traps.yaml', 144),
            ('Assets', 'traps.yaml', 155),)),
    },
    "traps.json": {
        ('Web', 212, 'low', ('network-segmentation',), (
            ('Web', 'traps.json', 212), ('WebRole', 'traps.json', 246), ('WebAssets', 'traps.json', 263),
            ('Assets', 'traps.json', 286),)),
    },
}
CFN_TRAP_RESOURCES = {
    "no route to the internet gateway": ("Isolated", "IsolatedSubnet"),
    "NAT-only subnet": ("Natted", "Batch", "BatchTemplate", "NatSubnet"),
    "unused open SG": ("Unused", "Quiet"),
    "a role that can read a different bucket": ("Ledger", "AdminRole"),
}


@pytest.mark.parametrize("name", sorted(CFN_EXPECTED))
def test_cloudformation(name):
    findings, undecided, facts = _run(CFN / name)
    assert findings == CFN_EXPECTED[name]
    if name.startswith("defended"):
        assert undecided == set()
        assert facts.of_kind("entry_point") == [] and facts.of_kind("attack_path") == []
        assert {r.address for r in facts.graph.of_type("AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup")} == {
            "Web", "Eip", "Mapped", "Workers"}
    elif name.startswith("traps"):
        on_paths = {a for p in facts.of_kind("attack_path") for a in p.addresses}
        for trap, resources in CFN_TRAP_RESOURCES.items():
            assert not _touched(findings) & set(resources), trap
            assert not on_paths & set(resources), trap
        assert {e.resource.address for e in facts.of_kind("entry_point")} == {"Web", "Maybe"}
        assert undecided == {("AWS-PATH-001", "Maybe", "the path to S3 bucket Assets", "parameter MaybePublic has no value")}
    else:
        assert undecided == set()


# --- what was wrong in the model (fixed alongside these fixtures) ------------------------------

def test_asg_network_segmentation_layer():
    # was wrong: network-segmentation applied to instances only, so an auto scaling group
    # launching public instances in a routed subnet never lacked it
    facts = _facts(TF / "vulnerable")
    missing = missing_by_path(facts)
    asg = [layers for addresses, layers in missing.items() if addresses[0] == "aws_autoscaling_group.workers"]
    assert asg and all("network-segmentation" in layers for layers in asg)


def test_asg_network_hop_names_its_launch_template():
    # was wrong: the network hop of an auto scaling group skipped the launch template that
    # names its security groups, so an SSH-open group was no sg-restriction gap on that path
    facts = _facts(TF / "vulnerable")
    missing = missing_by_path(facts)
    path = ("aws_autoscaling_group.workers", "aws_launch_template.worker", "aws_security_group.db", "aws_db_instance.accounts")
    assert missing[path] == ("sg-restriction", "network-segmentation", "encryption-at-rest")


def test_instance_entry_keeps_the_grant_for_least_privilege():
    # was wrong: when the entry point is itself the compute (an instance or auto scaling group),
    # the walk rebuilt the path without the granting statement, so least-privilege was never judged
    facts = _facts(TF / "vulnerable")
    missing = missing_by_path(facts)
    assert missing[("aws_instance.web", "aws_iam_role.web", "aws_iam_role_policy.web", "aws_s3_bucket.media")] == (
        "sg-restriction", "network-segmentation", "least-privilege")
    assert all(p.grant is not None for p in facts.of_kind("attack_path") if p.access != "network")


@pytest.mark.parametrize("target", ["terraform/vulnerable", "cloudformation/vulnerable.yaml", "cloudformation/vulnerable.json"])
def test_sarif_code_flows_follow_the_hops(target):
    import json
    import sys

    from iacguard.output import render

    path = FIXTURES / target
    result = scan([str(path)], ScanOptions(), cwd=str(path if path.is_dir() else path.parent), checks=[CHECK])
    sarif = json.loads(render("sarif", result))
    results = sarif["runs"][0]["results"]
    assert len(results) == len(result.findings) == 8
    by_line = {}
    for f in result.findings:
        by_line.setdefault(f.location.start_line, set()).add(tuple((Path(s.location.path).name, s.location.start_line) for s in f.path))
    for res in results:
        flow = res["codeFlows"][0]["threadFlows"][0]["locations"]
        steps = tuple((Path(loc["location"]["physicalLocation"]["artifactLocation"]["uri"]).name,
                       loc["location"]["physicalLocation"]["region"]["startLine"]) for loc in flow)
        assert steps in by_line[res["locations"][0]["physicalLocation"]["region"]["startLine"]]
    sys.path.insert(0, str(Path(__file__).parent.parent / "output"))
    from test_output_sarif import SCHEMA, load_json, schema_errors, schema_validator

    if SCHEMA.exists():  # shared/ sits beside the repository in CI
        assert schema_errors(schema_validator(load_json(SCHEMA)), sarif) == []
