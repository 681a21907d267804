"""Fixtures for the "load_balancer" entry kind of AWS-PATH-001 (issue 14): an internet-facing
application load balancer (and one classic ELB in the vulnerable network). Terraform
(tests/exposure/fixtures/entries/alb/terraform/{vulnerable,defended,traps}) and CloudFormation
(YAML and JSON of the same networks, lines per file), with the expected hops by file and line and
the missing layers by name (recomputed with `missing_layers` and compared with literal names).

The traps (named in the fixtures too):
- no route to the internet gateway: `aws_lb.unrouted` / `Unrouted` says internet-facing, but its
  only subnet has no route out (was wrong: the model made it an entry point; fixed in exposure.py);
- internal load balancer: `aws_lb.internal` / `Internal` (plain HTTP, in front of the batch
  instance whose role may do anything on S3) is not internet-facing: no entry point, no path;
- unused open SG: `aws_security_group.unused` / `Unused` admits SSH from the world but nothing
  uses it: no path touches it and it is no sg-restriction gap on the ALB's path;
- a role that can read a different bucket: the app role may read the assets bucket only, so no
  path reaches `aws_s3_bucket.ledger` / `Ledger`;
- a variable / parameter without a value: whether `aws_lb.partner` / `Partner` faces the
  internet is not known: an undecided record, never a finding.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.checks.infrastructure.attack_paths import CHECK
from iacguard.core.model import ScanOptions
from iacguard.engine import build_graph, scan
from iacguard.facts import Facts
from entry_harness import facts_of, finding_rows, missing_by_path, scan_path

pytestmark = pytest.mark.catalogue("all")

FIXTURES = Path(__file__).parent / "fixtures" / "entries" / "alb"
TF = FIXTURES / "terraform"
CFN = FIXTURES / "cloudformation"



def _run(target: Path) -> tuple:
    """(findings as (entry, line, severity, missing layer names, hops), undecided records, path addresses)."""
    result, facts = scan_path(target), facts_of(target)
    findings = {(e, line, sev, layers, hops) for e, line, sev, hops, layers in finding_rows(result, missing_by_path(facts))}
    undecided = {(u.check_id, u.resource.address, u.what, u.reason) for u in result.undecided}
    return findings, undecided, {p.addresses for p in facts.of_kind("attack_path")}


# --- Terraform ---------------------------------------------------------------------------------

TF_VULNERABLE = {
    ('aws_elb.legacy', 33, 'high', ('tls', 'least-privilege'), (
        ('aws_elb.legacy', 'edge.tf', 33), ('aws_instance.app', 'app.tf', 2), ('aws_iam_role.app', 'app.tf', 15),
        ('aws_iam_role_policy.s3', 'app.tf', 23), ('aws_s3_bucket.uploads', 'app.tf', 32),)),
    ('aws_elb.legacy', 33, 'high', ('tls', 'encryption-at-rest'), (
        ('aws_elb.legacy', 'edge.tf', 33), ('aws_instance.app', 'app.tf', 2),
        ('aws_security_group.db', 'network.tf', 77), ('aws_db_instance.orders', 'app.tf', 36),)),
    ('aws_lb.web', 3, 'critical', ('waf', 'tls', 'least-privilege'), (
        ('aws_lb.web', 'edge.tf', 3), ('aws_lb_listener.http', 'edge.tf', 11),
        ('aws_lb_target_group.app', 'edge.tf', 21), ('aws_instance.app', 'app.tf', 2),
        ('aws_iam_role.app', 'app.tf', 15), ('aws_iam_role_policy.s3', 'app.tf', 23),
        ('aws_s3_bucket.uploads', 'app.tf', 32),)),
    ('aws_lb.web', 3, 'critical', ('waf', 'tls', 'encryption-at-rest'), (
        ('aws_lb.web', 'edge.tf', 3), ('aws_lb_listener.http', 'edge.tf', 11),
        ('aws_lb_target_group.app', 'edge.tf', 21), ('aws_instance.app', 'app.tf', 2),
        ('aws_security_group.db', 'network.tf', 77), ('aws_db_instance.orders', 'app.tf', 36),)),
}


def test_terraform_vulnerable():
    findings, undecided, _ = _run(TF / "vulnerable")
    assert findings == TF_VULNERABLE
    assert undecided == set()


def test_terraform_defended_twin_has_paths_but_no_finding():
    findings, undecided, paths = _run(TF / "defended")
    assert findings == set() and undecided == set()
    # the twin is not empty: the same two paths, every layer present (WAF, HTTPS with a
    # redirect, a one-bucket grant, an encrypted database)
    assert paths == {
        ('aws_lb.web', 'aws_lb_listener.https', 'aws_lb_target_group.app', 'aws_instance.app', 'aws_iam_role.app',
         'aws_iam_role_policy.s3', 'aws_s3_bucket.uploads'),
        ('aws_lb.web', 'aws_lb_listener.https', 'aws_lb_target_group.app', 'aws_instance.app', 'aws_security_group.db',
         'aws_db_instance.orders'),
    }


TF_TRAPS = {
    ('aws_lb.web', 3, 'low', ('waf',), (
        ('aws_lb.web', 'edge.tf', 3), ('aws_lb_listener.https', 'edge.tf', 11),
        ('aws_lb_target_group.app', 'edge.tf', 23), ('aws_instance.app', 'app.tf', 2),
        ('aws_iam_role.app', 'app.tf', 15), ('aws_iam_role_policy.assets', 'app.tf', 25),
        ('aws_s3_bucket.assets', 'app.tf', 34),)),
}
# trap -> the resources no finding's path may touch
TF_TRAP_RESOURCES = {
    "no route to the internet gateway": ("aws_lb.unrouted", "aws_lb_listener.unrouted", "aws_lb_target_group.unrouted"),
    "internal load balancer": ("aws_lb.internal", "aws_lb_listener.internal", "aws_lb_target_group.batch", "aws_instance.batch",
                               "aws_iam_role.batch"),
    "unused open SG": ("aws_security_group.unused",),
    "a role that can read a different bucket": ("aws_s3_bucket.ledger",),
    "a variable without a value": ("aws_lb.partner",),
}


def test_terraform_traps():
    findings, undecided, paths = _run(TF / "traps")
    assert findings == TF_TRAPS
    touched = {hop[0] for f in findings for hop in f[4]}
    for trap, resources in TF_TRAP_RESOURCES.items():
        assert not touched & set(resources), trap
    for trap in ("no route to the internet gateway", "internal load balancer", "a role that can read a different bucket"):
        assert not any(a in p for p in paths for a in TF_TRAP_RESOURCES[trap]), trap
    # the variable: an undecided record, not a finding
    assert undecided == {("AWS-PATH-001", "aws_lb.partner", "the path to S3 bucket aws_s3_bucket.assets",
                          "variable partner_internal has no value")}


# --- CloudFormation (YAML and JSON: the same networks, lines per file) -------------------------

CFN_VULNERABLE = {
    "vulnerable.yaml": {
        ('Legacy', 122, 'high', ('tls', 'least-privilege'), (
            ('Legacy', 'vulnerable.yaml', 122), ('App', 'vulnerable.yaml', 134), ('AppRole', 'vulnerable.yaml', 146),
            ('AppS3', 'vulnerable.yaml', 156), ('Uploads', 'vulnerable.yaml', 167),)),
        ('Legacy', 122, 'high', ('tls', 'encryption-at-rest'), (
            ('Legacy', 'vulnerable.yaml', 122), ('App', 'vulnerable.yaml', 134), ('DbGroup', 'vulnerable.yaml', 87),
            ('Orders', 'vulnerable.yaml', 171),)),
        ('Web', 97, 'critical', ('waf', 'tls', 'least-privilege'), (
            ('Web', 'vulnerable.yaml', 97), ('HttpListener', 'vulnerable.yaml', 104),
            ('AppTargets', 'vulnerable.yaml', 113), ('App', 'vulnerable.yaml', 134),
            ('AppRole', 'vulnerable.yaml', 146), ('AppS3', 'vulnerable.yaml', 156),
            ('Uploads', 'vulnerable.yaml', 167),)),
        ('Web', 97, 'critical', ('waf', 'tls', 'encryption-at-rest'), (
            ('Web', 'vulnerable.yaml', 97), ('HttpListener', 'vulnerable.yaml', 104),
            ('AppTargets', 'vulnerable.yaml', 113), ('App', 'vulnerable.yaml', 134),
            ('DbGroup', 'vulnerable.yaml', 87), ('Orders', 'vulnerable.yaml', 171),)),
    },
    "vulnerable.json": {
        ('Legacy', 233, 'high', ('tls', 'least-privilege'), (
            ('Legacy', 'vulnerable.json', 233), ('App', 'vulnerable.json', 262), ('AppRole', 'vulnerable.json', 290),
            ('AppS3', 'vulnerable.json', 307), ('Uploads', 'vulnerable.json', 328),)),
        ('Legacy', 233, 'high', ('tls', 'encryption-at-rest'), (
            ('Legacy', 'vulnerable.json', 233), ('App', 'vulnerable.json', 262), ('DbGroup', 'vulnerable.json', 161),
            ('Orders', 'vulnerable.json', 334),)),
        ('Web', 180, 'critical', ('waf', 'tls', 'least-privilege'), (
            ('Web', 'vulnerable.json', 180), ('HttpListener', 'vulnerable.json', 197),
            ('AppTargets', 'vulnerable.json', 215), ('App', 'vulnerable.json', 262),
            ('AppRole', 'vulnerable.json', 290), ('AppS3', 'vulnerable.json', 307),
            ('Uploads', 'vulnerable.json', 328),)),
        ('Web', 180, 'critical', ('waf', 'tls', 'encryption-at-rest'), (
            ('Web', 'vulnerable.json', 180), ('HttpListener', 'vulnerable.json', 197),
            ('AppTargets', 'vulnerable.json', 215), ('App', 'vulnerable.json', 262),
            ('DbGroup', 'vulnerable.json', 161), ('Orders', 'vulnerable.json', 334),)),
    },
    "defended.yaml": set(),
    "defended.json": set(),
    "traps.yaml": {
        ('Web', 100, 'low', ('waf',), (
            ('Web', 'traps.yaml', 100), ('HttpsListener', 'traps.yaml', 107), ('AppTargets', 'traps.yaml', 119),
            ('App', 'traps.yaml', 128), ('AppRole', 'traps.yaml', 140), ('AppAssets', 'traps.yaml', 150),
            ('Assets', 'traps.yaml', 163),)),
    },
    "traps.json": {
        ('Web', 189, 'low', ('waf',), (
            ('Web', 'traps.json', 189), ('HttpsListener', 'traps.json', 206), ('AppTargets', 'traps.json', 230),
            ('App', 'traps.json', 248), ('AppRole', 'traps.json', 276), ('AppAssets', 'traps.json', 293),
            ('Assets', 'traps.json', 316),)),
    },
}
CFN_DEFENDED_PATHS = {
    ('Web', 'HttpsListener', 'AppTargets', 'App', 'AppRole', 'AppS3', 'Uploads'),
    ('Web', 'HttpsListener', 'AppTargets', 'App', 'DbGroup', 'Orders'),
}
CFN_TRAP_RESOURCES = {
    "no route to the internet gateway": ("Unrouted", "UnroutedListener", "UnroutedTargets"),
    "internal load balancer": ("Internal", "InternalListener", "BatchTargets", "Batch", "BatchRole"),
    "unused open SG": ("Unused",),
    "a role that can read a different bucket": ("Ledger",),
    "a parameter without a value": ("Partner",),
}


@pytest.mark.parametrize("name", sorted(CFN_VULNERABLE))
def test_cloudformation(name):
    findings, undecided, paths = _run(CFN / name)
    assert findings == CFN_VULNERABLE[name]
    if name.startswith("defended"):
        assert undecided == set() and paths == CFN_DEFENDED_PATHS
    elif name.startswith("traps"):
        touched = {hop[0] for f in findings for hop in f[4]}
        for trap, resources in CFN_TRAP_RESOURCES.items():
            assert not touched & set(resources), trap
        for trap in ("no route to the internet gateway", "internal load balancer", "a role that can read a different bucket"):
            assert not any(a in p for p in paths for a in CFN_TRAP_RESOURCES[trap]), trap
        assert undecided == {("AWS-PATH-001", "Partner", "the path to S3 bucket Assets", "parameter PartnerScheme has no value")}
    else:
        assert undecided == set()


def test_unrouted_internet_facing_load_balancer_is_no_entry_point():
    # was wrong: an internet-facing load balancer was an entry point whatever its subnets' routes
    for target, address in ((TF / "traps", "aws_lb.unrouted"), (CFN / "traps.yaml", "Unrouted"), (CFN / "traps.json", "Unrouted")):
        facts = Facts(build_graph([str(target)]).graph)
        assert address not in {e.resource.address for e in facts.of_kind("entry_point")}
    # an unknown route is undecided, never exposed (and a routed subnet still exposes: the traps' aws_lb.web)


@pytest.mark.parametrize("target", ["terraform/vulnerable", "cloudformation/vulnerable.yaml", "cloudformation/vulnerable.json"])
def test_sarif_code_flows_follow_the_hops(target):
    import json
    import sys

    from iacguard.output import render

    path = FIXTURES / target
    result = scan([str(path)], ScanOptions(), cwd=str(path if path.is_dir() else path.parent), checks=[CHECK])
    sarif = json.loads(render("sarif", result))
    results = sarif["runs"][0]["results"]
    assert len(results) == len(result.findings) == 4
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


def test_load_balancer_subnet_with_unknown_gateway_is_undecided(tmp_path):
    # the only route of the load balancer's subnet goes to a gateway a variable names: the
    # load balancer is an undecided entry point (an Unknown never exposes by itself)
    (tmp_path / "main.tf").write_text('''
variable "gateway" {}
resource "aws_vpc" "main" {
  cidr_block = "10.30.0.0/16"
}
resource "aws_subnet" "edge" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.30.1.0/24"
}
resource "aws_route_table" "edge" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = var.gateway
  }
}
resource "aws_route_table_association" "edge" {
  subnet_id      = aws_subnet.edge.id
  route_table_id = aws_route_table.edge.id
}
resource "aws_lb" "edge" {
  internal = false
  subnets  = [aws_subnet.edge.id]
}
resource "aws_lb_listener" "edge" {
  load_balancer_arn = aws_lb.edge.arn
  port              = 80
  protocol          = "HTTP"
}
''')
    facts = Facts(build_graph([str(tmp_path)]).graph)
    [entry] = facts.of_kind("entry_point")
    assert entry.resource.address == "aws_lb.edge" and entry.decided is not True
    assert "gateway" in entry.decided.reason
