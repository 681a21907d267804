"""The Terraform evaluator and the plan evaluator ask the parse stage (`parse.parse_folder`) for
the files of folders discovery did not list (`.terraform/modules`, a plan's configuration), so
those files are read under the scan's bounds (--max-file-size, --time-per-file) and a refused
file is named in a note; there is one folder-reading loop."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from iacguard import cli, parse
from iacguard.core import limits
from iacguard.engine import scan
from iacguard.core.limits import Limits
from iacguard.core.model import ScanOptions
from iacguard.terraform.plan import evaluate_plan, parse_plan
from checksets import CORE

PLAN_TREE = Path(__file__).parent / "fixtures" / "eval" / "plan" / "insecure"
DB = 'variable "encrypted" {}\n\nresource "aws_db_instance" "this" {\n  engine            = "postgres"\n  storage_encrypted = var.encrypted\n}\n'
LIMIT = 2048


def _installed_module_tree(root: Path, padding: int) -> Path:
    """A root calling a registry module whose installed copy holds an unencrypted database;
    the copy padded with a comment to `padding` bytes more."""
    (root / ".terraform/modules/db").mkdir(parents=True)
    (root / "main.tf").write_text('module "db" {\n  source    = "example-corp/db/aws"\n  encrypted = false\n}\n')
    (root / ".terraform/modules/db/main.tf").write_text(DB + "# " + "x" * padding + "\n")
    (root / ".terraform/modules/modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "db", "Source": "registry.terraform.io/example-corp/db/aws", "Dir": ".terraform/modules/db"},
    ]}))
    return (root / ".terraform/modules/db/main.tf").resolve()


def _scan(root: Path, max_bytes: int):
    return scan([str(root)], ScanOptions(), cwd=str(root), max_file_bytes=max_bytes, limits=Limits(max_file_bytes=max_bytes), checks=CORE)


def test_an_installed_module_over_the_size_limit_is_refused_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CURRENT", limits.CURRENT)  # the scan applies its limits; put them back
    big = _installed_module_tree(tmp_path, LIMIT)
    result = _scan(tmp_path, LIMIT)
    assert result.findings == []
    size = big.stat().st_size
    assert [(n.path, n.message) for n in result.notifications if n.path == str(big)] == [
        (str(big), "skipped: file is %d bytes, over the limit of %d (--max-file-size)" % (size, LIMIT)),
    ]
    assert any(n.message == "module db has no Terraform files in %s" % big.parent for n in result.notifications)


def test_an_installed_module_under_the_size_limit_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CURRENT", limits.CURRENT)
    small = _installed_module_tree(tmp_path, 10)
    result = _scan(tmp_path, LIMIT)
    assert [(f.check_id, f.resource.address, f.location.path, f.location.start_line) for f in result.findings] == [
        ("AWS-RDS-001", "module.db.aws_db_instance.this", str(small), 5),
    ]
    assert not [n for n in result.notifications if n.path == str(small)]


def test_the_cli_flag_reaches_installed_modules(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CURRENT", limits.CURRENT)
    big = _installed_module_tree(tmp_path, LIMIT)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli.main, ["scan", ".", "--no-cache", "--format", "json", "--max-file-size", str(LIMIT)], catch_exceptions=False)
    report = json.loads(res.output)
    assert report["findings"] == []
    assert "over the limit of %d (--max-file-size)" % LIMIT in res.output
    assert ".terraform/modules/db/main.tf" in res.output


def test_a_parse_error_in_an_installed_module_is_named_with_its_line(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CURRENT", limits.CURRENT)
    path = _installed_module_tree(tmp_path, 10)
    path.write_text(DB + 'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n')
    result = _scan(tmp_path, LIMIT)
    errors = [(n.level, n.path, n.line) for n in result.notifications if n.message.startswith("parse error: ")]
    assert errors == [("error", str(path), 9)]


def _counting(monkeypatch) -> list:
    calls: list = []
    real = parse.parse_folder

    def counted(folder, root, *args, **kwargs):
        calls.append(os.path.relpath(folder, root))
        return real(folder, root, *args, **kwargs)

    monkeypatch.setattr(parse, "parse_folder", counted)
    return calls


def test_installed_modules_are_read_through_parse_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CURRENT", limits.CURRENT)
    calls = _counting(monkeypatch)
    _installed_module_tree(tmp_path, 10)
    assert [f.check_id for f in _scan(tmp_path, LIMIT).findings] == ["AWS-RDS-001"]
    assert calls == [".terraform/modules/db"]


def test_the_plan_reads_its_tf_files_through_parse_folder(tmp_path, monkeypatch):
    calls = _counting(monkeypatch)
    tree = tmp_path / "plan"
    shutil.copytree(PLAN_TREE, tree)
    root = str(tree.resolve())
    result = evaluate_plan(parse_plan((tree / "plan.json").read_text(), os.path.join(root, "plan.json")), root)
    # Each folder once: the root module's (three resources) and modules/storage.
    assert sorted(calls) == [".", "modules/storage"]
    web = next(r for r in result.resources if r.address == "aws_security_group.web")
    assert web.location.path == os.path.join(root, "main.tf")
    assert web.location_of("ingress", 0, "cidr_blocks").start_line == 20


def test_a_tf_file_beside_the_plan_over_the_size_limit_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CURRENT", Limits(max_file_bytes=64))
    tree = tmp_path / "plan"
    shutil.copytree(PLAN_TREE, tree)
    root = str(tree.resolve())
    result = evaluate_plan(parse_plan((tree / "plan.json").read_text(), os.path.join(root, "plan.json")), root)
    web = next(r for r in result.resources if r.address == "aws_security_group.web")
    assert web.location.path == os.path.join(root, "plan.json")  # the plan itself, as when no .tf is there


def test_a_var_file_is_read_by_the_parse_stage_under_the_scan_bounds(tmp_path):
    """--var-file goes through the parse stage too: over --max-file-size it is refused with a
    note (it was read whatever its size), a syntax error is named with its line."""
    before = limits.CURRENT
    try:
        root = tmp_path / "root"
        root.mkdir()
        (root / "main.tf").write_text(DB)
        big = tmp_path / "big.tfvars"
        big.write_text("encrypted = false\n# " + "x" * (LIMIT * 2) + "\n")
        result = scan([str(root)], ScanOptions(tf_var_files=[str(big)]), cwd=str(root), max_file_bytes=LIMIT, limits=Limits(max_file_bytes=LIMIT))
        assert [(n.level, n.path) for n in result.notifications if "over the limit" in n.message] == [("error", str(big))]
        assert not [f for f in result.findings if f.check_id == "AWS-RDS-001"]  # the value stayed unknown
        broken = tmp_path / "broken.tfvars"
        broken.write_text("encrypted = false\nx = 1 2\n")
        result = scan([str(root)], ScanOptions(tf_var_files=[str(broken)]), cwd=str(root))
        notes = [(n.path, n.line, n.message.split(":")[0]) for n in result.notifications if n.level == "error"]
        assert notes == [(str(broken), 2, "parse error in variables file")]
    finally:
        limits.apply(before)
