
"""scripts/new_check.py: the scaffold writes a check that imports, registers, passes its own
fixtures in both languages and keeps the README table in step; --dry-run writes nothing."""
from __future__ import annotations

import pytest

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


pytestmark = pytest.mark.catalogue("all")  # the catalogue's own tests run every check
from iacguard.engine import scan

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "new_check.py"
ARGS = ["AWS-SQS-900", "sqs_sse_turned_off", "--pillar", "data", "--kind", "queue", "--setting", "sse_sqs", "--title", "SQS queue turns SQS-managed encryption off"]


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "checks", root / "checks", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "README.md", root / "README.md")
    return root


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


def _load_registry(root: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, root / "checks" / "__init__.py", submodule_search_locations=[str(root / "checks")])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        return module.REGISTRY  # (made on first use, importing the package's modules)
    finally:
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]


def test_scaffold_writes_a_working_registered_check(tmp_path):
    root = _copy(tmp_path)
    done = _run(*ARGS, "--root", str(root))
    assert done.returncode == 0, done.stderr
    registry = _load_registry(root, "scaffolded_checks")
    check = next(c for c in registry if c.id == "AWS-SQS-900")
    assert check.kinds == ("queue",) and check.pillar == "data" and check.scope == "resource"
    assert len(registry) == len(_load_registry(REPO, "current_checks")) + 1
    for lang in ("terraform", "cloudformation"):
        folder = root / "tests" / "fixtures" / "checks" / "AWS-SQS-900" / lang
        expected = json.loads((folder / "expected.json").read_text())
        result = scan([str(folder)], checks=[check], cwd=str(folder))
        got = sorted((f.resource.address, os.path.basename(f.location.path), f.location.start_line) for f in result.findings)
        assert got == sorted((e["address"], e["file"], e["line"]) for e in expected["fail"]), lang
        assert result.resources == len(expected["fail"]) + len(expected["pass"])
    rows = [l for l in (root / "README.md").read_text().splitlines() if l.startswith("| AWS-SQS-900 ")]
    assert rows == ["| AWS-SQS-900 | medium | data | SQS queue turns SQS-managed encryption off |"]
    # Run twice: nothing is overwritten.
    again = _run(*ARGS, "--root", str(root))
    assert again.returncode != 0 and "exists already" in again.stderr


def test_scaffold_without_a_flag_setting_leaves_todos(tmp_path):
    root = _copy(tmp_path)
    done = _run("AWS-EC2-900", "sg_todo", "--pillar", "infrastructure", "--kind", "security_group_rule", "--title", "Security group does something", "--root", str(root))
    assert done.returncode == 0, done.stderr
    registry = _load_registry(root, "scaffolded_todo_checks")
    check = next(c for c in registry if c.id == "AWS-EC2-900")
    assert "TODO" in check.what and check.kinds == ("security_group_rule",)
    assert re.search(r"^ *from \.infrastructure import .*\bsg_todo\b", (root / "checks" / "__init__.py").read_text(), re.M)


def test_dry_run_writes_nothing(tmp_path):
    root = _copy(tmp_path)
    before = sorted(p for p in root.rglob("*") if "__pycache__" not in p.parts)
    done = _run(*ARGS, "--root", str(root), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "=== checks/data/sqs_sse_turned_off.py" in done.stdout
    assert "+        sqs_sse_turned_off.CHECK," in done.stdout
    assert sorted(p for p in root.rglob("*") if "__pycache__" not in p.parts) == before
