"""`Check.scope` and the flag that skips project-scope checks."""
from __future__ import annotations

import dataclasses
import json
import os

import pytest
from click.testing import CliRunner

import iacguard.cli as cli
from iacguard import scan_command
from iacguard.check import Check
from iacguard.checks import REGISTRY

pytestmark = pytest.mark.catalogue("all")  # the catalogue's own tests run every check

TRAIL = 'resource "aws_cloudtrail" "t" {\n  name = "t"\n  s3_bucket_name = "b"\n  enable_log_file_validation = true\n}\n'


def test_scope_defaults_to_resource_and_is_validated():
    assert {c.scope for c in REGISTRY} <= {"resource", "project"}
    assert REGISTRY[0].scope == "resource"
    with pytest.raises(ValueError):
        dataclasses.replace(REGISTRY[0], scope="account")


def _run(tmp_path, monkeypatch, *args) -> set:
    # AWS-CT-002 made a project-scope check for the test (today's built-in checks are all
    # resource scope: each finding follows from one trail).
    registry = tuple(dataclasses.replace(c, scope="project") if c.id == "AWS-CT-002" else c for c in REGISTRY)
    monkeypatch.setattr(scan_command, "registry", lambda: registry)
    (tmp_path / "main.tf").write_text(TRAIL)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        res = CliRunner().invoke(cli.main, ["scan", ".", "--no-cache", "--format", "json", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return {f["check_id"] for f in json.loads(res.output)["findings"]}


def test_project_scope_checks_run_by_default_and_are_skipped_by_the_flag(tmp_path, monkeypatch):
    assert "AWS-CT-002" in _run(tmp_path, monkeypatch)
    assert "AWS-CT-002" in _run(tmp_path, monkeypatch, "--whole-project-checks")
    assert "AWS-CT-002" not in _run(tmp_path, monkeypatch, "--no-whole-project-checks")


def test_configuration_key_skips_project_scope_checks(tmp_path, monkeypatch):
    (tmp_path / ".iacguard.toml").write_text("whole-project-checks = false\n")
    assert "AWS-CT-002" not in _run(tmp_path, monkeypatch)
    # The flag wins over the configuration.
    assert "AWS-CT-002" in _run(tmp_path, monkeypatch, "--whole-project-checks")


def test_resource_scope_checks_are_not_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_registry", lambda: REGISTRY)
    (tmp_path / "main.tf").write_text(TRAIL)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        res = CliRunner().invoke(cli.main, ["scan", ".", "--no-cache", "--format", "json", "--no-whole-project-checks"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert "AWS-CT-002" in {f["check_id"] for f in json.loads(res.output)["findings"]}


def test_check_signature_keeps_scope_last():
    # Positional construction of a Check (as plugins may do) is unchanged by new fields: they are
    # appended after `scope` (`equivalents` came next, then `graded`).
    fields = [f.name for f in dataclasses.fields(Check)]
    assert fields[fields.index("scope") + 1:] == ["equivalents", "graded"]
    assert fields.index("scope") == 13
