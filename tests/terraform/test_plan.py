"""Terraform plan JSON: the same resources and graph as the configuration, with planned values;
Unknown where the plan says a value is known only after apply; source lines when the .tf files
are beside the plan."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from iacguard.checks import REGISTRY
from iacguard.discover import discover
from iacguard.engine import parse_source, scan
from iacguard.graph import ResourceGraph
from iacguard.core.model import ScanOptions
from iacguard.terraform.evaluate import evaluate_configuration
from iacguard.terraform.plan import PlanError, evaluate_plan, parse_plan
from iacguard.core.unknown import is_unknown

PLAN_TREE = Path(__file__).parent / "fixtures" / "eval" / "plan" / "insecure"
EC2_001 = [c for c in REGISTRY if c.id == "AWS-EC2-001"]


def load_plan(path: Path):
    parsed = parse_plan(path.read_text(), str(path.resolve()))
    result = evaluate_plan(parsed, str(path.resolve().parent))
    return result, {r.address: r for r in result.resources}


def test_plan_resources_match_the_configuration():
    plan_result, planned = load_plan(PLAN_TREE / "plan.json")
    disc = discover([str(PLAN_TREE)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    config_result = evaluate_configuration(files, disc.roots[0], ScanOptions())
    configured = {r.address: r for r in config_result.resources}
    assert sorted(planned) == sorted(configured) == [
        "aws_kms_key.logs",
        "aws_s3_bucket.logs",
        "aws_security_group.web",
        "module.storage.aws_db_instance.db[0]",
        "module.storage.aws_s3_bucket_server_side_encryption_configuration.this",
    ]
    for address, res in planned.items():
        assert res.location == configured[address].location, address
        assert res.module == configured[address].module, address


def test_plan_values_and_unknowns():
    result, planned = load_plan(PLAN_TREE / "plan.json")
    web = planned["aws_security_group.web"]
    assert web.blocks("ingress")[0]["cidr_blocks"] == ["0.0.0.0/0"]
    assert web.location_of("ingress", 0, "cidr_blocks").start_line == 20
    db = planned["module.storage.aws_db_instance.db[0]"]
    assert is_unknown(db.properties["storage_encrypted"])
    assert db.location.path.endswith("modules/storage/main.tf")
    sse = planned["module.storage.aws_s3_bucket_server_side_encryption_configuration.this"]
    assert is_unknown(sse.get("rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id"))
    assert sse.get("rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm") == "aws:kms"
    what = sorted(u.what for u in result.unknowns)
    assert "module.storage.aws_db_instance.db[0].storage_encrypted" in what
    assert "module.storage.aws_s3_bucket_server_side_encryption_configuration.this.bucket" in what


def test_plan_references_pass_through_module_inputs():
    result, planned = load_plan(PLAN_TREE / "plan.json")
    graph = ResourceGraph.build([result])
    bucket = planned["aws_s3_bucket.logs"]
    key = planned["aws_kms_key.logs"]
    assert [(r.address, p) for r, p in graph.referrers(bucket)] == [
        ("module.storage.aws_s3_bucket_server_side_encryption_configuration.this", ("bucket",)),
    ]
    referrers = dict((r.address, p) for r, p in graph.referrers(key))
    assert sorted(referrers) == [
        "module.storage.aws_db_instance.db[0]",
        "module.storage.aws_s3_bucket_server_side_encryption_configuration.this",
    ]
    assert referrers["module.storage.aws_s3_bucket_server_side_encryption_configuration.this"] == (
        "rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id",
    )


def test_plan_without_sources_points_at_the_plan(tmp_path):
    shutil.copy(PLAN_TREE / "plan.json", tmp_path / "plan.json")
    result = scan([str(tmp_path / "plan.json")], ScanOptions(), checks=EC2_001, cwd=str(tmp_path))
    assert [(f.resource.address, os.path.basename(f.location.path), f.location.start_line) for f in result.findings] == [
        ("aws_security_group.web", "plan.json", 43),
    ]


def test_plan_encryption_in_module_passes_for_root_bucket():
    s3 = [c for c in REGISTRY if c.id == "AWS-S3-001"]
    result = scan([str(PLAN_TREE / "plan.json")], ScanOptions(), checks=s3)
    assert result.findings == []
    assert result.files == [str((PLAN_TREE / "plan.json").resolve())]


def test_not_a_plan():
    with pytest.raises(PlanError):
        parse_plan('{"format_version": "1.2"}', "x.json")
    with pytest.raises(PlanError):
        parse_plan("{", "x.json")


def test_broken_plan_shapes_do_not_crash(tmp_path):
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {
            "resources": [None, {"address": "aws_s3_bucket.x", "type": "aws_s3_bucket", "name": "x", "values": None}],
            "child_modules": [{"address": "module.gone", "resources": "nope"}],
        }},
        "resource_changes": [{"address": "aws_s3_bucket.x", "change": {"after_unknown": {"bucket": True}}}],
        "configuration": {"root_module": {"module_calls": {"gone": {"source": "../../../etc"}}}},
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    result = scan([str(tmp_path / "plan.json")], ScanOptions())
    assert not [n for n in result.notifications if n.level == "error"]
    assert result.resources == 1
