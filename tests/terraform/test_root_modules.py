"""Root modules kept apart (issue 10, points 1 and 3).

A folder with several root modules (examples/*, envs/*), top-level templates and plans is
scanned as that many separate deployments: nothing of one root (companions by name, a companion
whose bucket cannot be known, account- and region-wide settings) affects another, and scanning the
top gives exactly the union of scanning each root alone, with the same fingerprints.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from iacguard.engine import scan
from iacguard.graph import root_of
from iacguard.output import json_report, sarif, text
from iacguard.output.findings import fingerprints
from checksets import CORE

REPO = Path(__file__).resolve().parents[2]
ROOTS = REPO / "tests" / "terraform" / "fixtures" / "roots"


def _rows(result, checks=None) -> set:
    return {
        (f.check_id, str(Path(f.location.path).relative_to(ROOTS)), f.location.start_line, f.resource.address)
        for f in result.findings
        if checks is None or f.check_id in checks
    }


# -- many roots beside each other ------------------------------------------------------------

def test_unknown_bucket_companions_stay_in_their_root():
    """examples/with_unknown has a public access block and an encryption configuration whose
    bucket cannot be known: they may cover its own bucket, not those of the other examples (on
    main, every root-level bucket of the scan was left undecided and not reported)."""
    result = scan([str(ROOTS / "many")], cwd=str(REPO), checks=CORE)
    assert _rows(result, {"AWS-S3-001", "AWS-S3-002"}) == {
        ("AWS-S3-001", "many/examples/plain_a/main.tf", 1, "aws_s3_bucket.this"),
        ("AWS-S3-002", "many/examples/plain_a/main.tf", 1, "aws_s3_bucket.this"),
        ("AWS-S3-001", "many/examples/plain_b/main.tf", 1, "aws_s3_bucket.this"),
        ("AWS-S3-002", "many/examples/plain_b/main.tf", 1, "aws_s3_bucket.this"),
        ("AWS-S3-001", "many/modules/bucket/main.tf", 5, "module.shared.aws_s3_bucket.this"),
        ("AWS-S3-002", "many/modules/bucket/main.tf", 5, "module.shared.aws_s3_bucket.this"),
        ("AWS-S3-001", "many/stacks/first.yaml", 3, "Plain"),
        ("AWS-S3-002", "many/stacks/first.yaml", 3, "Plain"),
    }
    # The module reached from two roots: one finding per root, each naming its root.
    shared = [f for f in result.findings if f.check_id == "AWS-S3-002" and f.resource.module]
    assert sorted(f.root for f in shared) == ["tests/terraform/fixtures/roots/many/examples/named", "tests/terraform/fixtures/roots/many/examples/plain_b"]
    assert all(f.message.endswith("(via root module %s)." % f.root) for f in shared)


def test_each_root_as_if_scanned_alone():
    whole = scan([str(ROOTS / "many")], cwd=str(REPO), checks=CORE)
    for folder in ("examples/with_unknown", "examples/plain_a", "examples/plain_b", "examples/named"):
        root = str(ROOTS / "many" / folder)
        alone = scan([root], cwd=str(REPO), checks=CORE)
        # Alone, a root cannot reach the shared module beside it (outside the scanned folder).
        mine = [f for f in whole.findings if root_of(f.resource) == root and f.location.path.startswith(root)]
        assert {(f.check_id, f.location, f.resource.address) for f in mine} == {(f.check_id, f.location, f.resource.address) for f in alone.findings if f.location.path.startswith(root)}
    # with_unknown's own bucket is left undecided by its own unknown companions.
    assert not [f for f in whole.findings if "with_unknown" in f.location.path]


def test_literal_bucket_name_does_not_match_another_root():
    result = scan([str(ROOTS / "many")], cwd=str(REPO), checks=CORE)
    plain_a = [f for f in result.findings if f.check_id == "AWS-S3-002" and "plain_a" in f.location.path]
    assert [f.message for f in plain_a] == ["S3 bucket aws_s3_bucket.this has no public access block."]


def test_every_resource_names_its_root():
    result = scan([str(ROOTS / "many")], cwd=str(REPO), checks=CORE)
    stacks = {f.resource.address: root_of(f.resource) for f in result.findings if f.resource.language == "cloudformation"}
    assert stacks == {"Plain": str(ROOTS / "many" / "stacks" / "first.yaml"), "Data": str(ROOTS / "many" / "stacks" / "second.yaml")}


def test_reports_name_the_root_where_the_file_does_not():
    result = scan([str(ROOTS / "many")], cwd=str(REPO), checks=CORE)
    out = text.render(result)
    assert "tests/terraform/fixtures/roots/many/examples/named: module.shared.aws_s3_bucket.this" in out
    # A resource declared in a root module's own folder: its file names the root already.
    assert ": aws_s3_bucket.this" not in out
    data = json.loads(json_report.render(result))
    roots = sorted(f["resource"].get("root_module", "") for f in data["findings"] if f["resource"]["address"].startswith("module."))
    assert roots == ["tests/terraform/fixtures/roots/many/examples/named"] * 2 + ["tests/terraform/fixtures/roots/many/examples/plain_b"] * 2
    assert all("root_module" not in f["resource"] for f in data["findings"] if not f["resource"]["address"].startswith("module."))
    log = json.loads(sarif.render(result))
    props = [r["properties"] for r in log["runs"][0]["results"]]
    assert sum(1 for p in props if p.get("rootModule")) == 4


# -- accounts and regions --------------------------------------------------------------------

def test_account_settings_stay_in_their_root_region_and_account():
    result = scan([str(ROOTS / "regions")], cwd=str(REPO), checks=CORE)
    rows = _rows(result, {"AWS-S3-002", "AWS-EBS-001"})
    assert rows == {
        # Another root (eu-west-1): the us-east-1 root's account settings do not reach it.
        ("AWS-S3-002", "regions/eu_west/main.tf", 5, "aws_s3_bucket.plain"),
        ("AWS-EBS-001", "regions/eu_west/main.tf", 9, "aws_ebs_volume.plain"),
        # Same root, another region (alias, and a module given the alias): EBS default is per region.
        ("AWS-EBS-001", "regions/us_east/main.tf", 35, "aws_ebs_volume.west"),
        ("AWS-EBS-001", "regions/modules/volume/main.tf", 1, "module.passed_west.aws_ebs_volume.this"),
        # Same root, a region that cannot be known.
        ("AWS-EBS-001", "regions/unknown_region/main.tf", 21, "aws_ebs_volume.somewhere"),
        # Same root, another account (assume_role): the account block does not cover it.
        ("AWS-S3-002", "regions/assumed/main.tf", 24, "aws_s3_bucket.prod"),
    }
    # Covered: same root and region (aws_s3_bucket.west too: the S3 block covers every region
    # of the account), the module inheriting the default provider, the volume whose provider has
    # the setting's (unknown-region cases excepted).
    messages = {f.resource.address: f.message for f in result.findings if f.check_id in ("AWS-EBS-001", "AWS-S3-002")}
    assert messages["aws_ebs_volume.somewhere"] == (
        "EBS volume aws_ebs_volume.somewhere is not encrypted (the default is off); encryption by default is set in "
        "us-east-1 by aws_ebs_encryption_by_default.this, but this volume's region is not known (variable region has no value)."
    )
    assert messages["aws_ebs_volume.west"].endswith("encryption by default is set in us-east-1 by aws_ebs_encryption_by_default.this, not in this volume's region eu-west-1.")
    assert messages["aws_s3_bucket.prod"].endswith("the account-level public access block aws_s3_account_public_access_block.this is for another account than this bucket's provider aws.prod.")


def test_region_from_variables_and_tfvars(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "region" {}\n'
        'provider "aws" {\n  region = var.region\n}\n'
        'provider "aws" {\n  alias  = "copy"\n  region = "eu-central-1"\n}\n'
        'resource "aws_ebs_encryption_by_default" "this" {\n  provider = aws.copy\n}\n'
        'resource "aws_ebs_volume" "v" {\n  availability_zone = "a"\n  size = 1\n}\n'
    )
    unknown = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert [(f.check_id, f.location.start_line) for f in unknown.findings] == [("AWS-EBS-001", 12)]
    assert "its region and this volume's cannot be compared" in unknown.findings[0].message or "region is not known" in unknown.findings[0].message
    (tmp_path / "terraform.tfvars").write_text('region = "eu-central-1"\n')
    assert scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE).findings == []


def test_single_root_without_provider_block_is_covered(tmp_path):
    """No provider block at all: one implicit configuration (region unknown, but the same)."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_ebs_encryption_by_default" "this" {}\n'
        'resource "aws_ebs_volume" "v" {\n  availability_zone = "a"\n  size = 1\n}\n'
        'module "m" {\n  source = "./m"\n}\n'
    )
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text('resource "aws_ebs_volume" "w" {\n  availability_zone = "a"\n  size = 1\n}\n')
    assert scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE).findings == []


# -- the union property ----------------------------------------------------------------------

TREES = [
    REPO / "sample_iac",
    REPO / "tests" / "fixtures",
    REPO / "tests" / "cloudformation" / "fixtures",
    REPO / "tests" / "terraform" / "fixtures",
]


def _keyed(result) -> dict:
    """root -> {(check, file, line, address, conditions): fingerprint}"""
    out: dict = {}
    for f, fp in zip(result.findings, fingerprints(result)):
        out.setdefault(root_of(f.resource), {})[(f.check_id, f.location.path, f.location.start_line, f.resource.address, f.conditions)] = fp
    return out


@pytest.mark.parametrize("tree", TREES, ids=lambda p: str(p.relative_to(REPO)))
def test_top_scan_is_the_union_of_each_root_alone(tree):
    whole = scan([str(tree)], cwd=str(REPO), checks=CORE)
    by_root = _keyed(whole)
    assert "" not in by_root  # every finding names its root
    compared = 0
    for root, findings in sorted(by_root.items()):
        alone = scan([root], cwd=str(REPO), checks=CORE)
        if any("outside the scanned root" in n.message or "is not among the CloudFormation templates scanned" in n.message for n in alone.notifications):
            continue  # the root reaches files outside itself (or nested stacks not scanned with it alone): it cannot be evaluated the same
        assert _keyed(alone).get(root, {}) == findings, root
        compared += 1
    assert compared >= 1


def test_providers_in_json_syntax(tmp_path):
    (tmp_path / "main.tf.json").write_text(json.dumps({
        "provider": {"aws": [{"region": "us-east-1"}, {"alias": "west", "region": "eu-west-1"}]},
        "resource": {
            "aws_ebs_encryption_by_default": {"this": {}},
            "aws_ebs_volume": {
                "east": {"availability_zone": "a", "size": 1},
                "west": {"provider": "aws.west", "availability_zone": "a", "size": 1},
            },
        },
    }))
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert [(f.check_id, f.resource.address) for f in result.findings] == [("AWS-EBS-001", "aws_ebs_volume.west")]
