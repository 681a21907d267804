"""A configuration file that came with a pull request cannot reach outside the repository nor
change the scan silently (issue 9, point 3)."""
from __future__ import annotations

import json
from pathlib import Path
import os
import xml.etree.ElementTree as ET

import pytest
from workflow_support import BUCKET, SG_OPEN, cli, commit_all, git_repo, write

from iacguard.output.markdown import _text as md_text  # the report's own escaping

pytestmark = pytest.mark.catalogue("core")  # asserts every finding: the checks it was written against

FORMATS = ("text", "json", "sarif", "junit", "markdown")
PR_CONFIG = """\
skip-checks = ["AWS-S3-002"]
fail-on = "none"
exclude = ["examples"]
vars = { db_password = "hunter2-not-shown" }

[severity]
AWS-EC2-001 = "low"
"""
CHANGES = ["skips AWS-S3-002", "severity AWS-EC2-001 high -> low", "fail-on none", "excludes examples", "sets variables db_password"]


@pytest.mark.parametrize("setting, key", [
    ('var-files = ["%(outside)s/secrets.tfvars"]', "var-files"),
    ('var-files = ["../outside/secrets.tfvars"]', "var-files"),
    ('var-files = ["infra/linked.tfvars"]', "var-files"),
    ('cfn-parameter-files = ["linkdir/secrets.tfvars"]', "cfn-parameter-files"),
    ('baseline = "%(outside)s/baseline.json"', "baseline"),
    ('[outputs]\nsarif = "%(outside)s/report.sarif"', "outputs.sarif"),
    ('[outputs]\nmarkdown = "infra/../../outside/report.md"', "outputs.markdown"),
    ('[outputs]\njson = "linkdir/report.json"', "outputs.json"),
])
def test_paths_outside_the_repository_are_refused(tmp_path, setting, key):
    outside = tmp_path / "outside"
    write(outside, {"secrets.tfvars": 'region = "token-value"\n'})
    repo = git_repo(write(tmp_path / "repo", {"infra/main.tf": SG_OPEN}))
    os.symlink(outside / "secrets.tfvars", repo / "infra" / "linked.tfvars")
    os.symlink(outside, repo / "linkdir")
    write(repo, {".iacguard.toml": setting % {"outside": outside.as_posix()} + "\n"})
    res = cli(["scan", "infra"], repo)
    assert res.exit_code == 2, res.output
    assert "iacguard: error:" in res.stderr and repr(key) in res.stderr
    assert "absolute path" in res.stderr or "leads outside the repository" in res.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["secrets.tfvars"]  # nothing written there


def test_paths_inside_the_repository_are_accepted(tmp_path):
    repo = git_repo(write(tmp_path / "repo", {
        "infra/main.tf": 'variable "region" {}\n' + SG_OPEN,
        "vars/prod.tfvars": 'region = "eu-west-1"\n',
        ".iacguard.toml": 'var-files = ["vars/prod.tfvars"]\n[outputs]\nsarif = "reports/../iacguard.sarif"\n',
    }))
    res = cli(["scan", "infra", "--format", "json"], repo)
    assert res.exit_code == 1, res.output
    assert json.loads(res.stdout)["configuration"]["changes"] == ["var files vars/prod.tfvars", "writes a sarif report to iacguard.sarif"]
    assert (repo / "iacguard.sarif").is_file()


def _reports(repo, *args) -> dict:
    out = {}
    for fmt in FORMATS:
        res = cli(["scan", ".", "--format", fmt, "--no-color", *args], repo)
        assert res.exit_code in (0, 1), res.output
        out[fmt] = res.stdout
    return out


def test_every_format_names_the_configuration_and_its_changes(tmp_path):
    repo = git_repo(write(tmp_path / "repo", {"main.tf": SG_OPEN + BUCKET % ("b", "b"), ".iacguard.toml": PR_CONFIG}))
    reports = _reports(repo)
    joined = "; ".join(CHANGES)
    assert "  Configuration: .iacguard.toml (%s)\n" % joined in reports["text"]
    data = json.loads(reports["json"])
    assert data["configuration"] == {"file": ".iacguard.toml", "changes": CHANGES, "changed_since_base": None}
    invocation = json.loads(reports["sarif"])["runs"][0]["invocations"][0]
    assert invocation["properties"] == {"configurationFile": ".iacguard.toml", "configurationChanges": CHANGES}
    [note] = invocation["toolConfigurationNotifications"]
    assert note["message"]["text"] == "configuration .iacguard.toml: " + joined
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": ".iacguard.toml", "uriBaseId": "%SRCROOT%"}
    suites = ET.fromstring(reports["junit"]).findall("testsuite")
    assert suites
    for suite in suites:
        props = {p.get("name"): p.get("value") for p in suite.find("properties")}
        assert props == {"iacguard.configuration": ".iacguard.toml", "iacguard.configuration.changes": joined}
    assert "**Configuration:** `.iacguard.toml` (%s)" % md_text(joined) in reports["markdown"]
    for fmt, text in reports.items():
        assert "hunter2" not in text, fmt  # variable values are never shown


def test_sarif_with_configuration_is_valid(tmp_path):
    import sys
    import subprocess

    shared = Path(__file__).resolve().parents[3] / "shared"  # ../shared beside the repository (CI has it)
    checker = str(shared / "tools" / "sarif_check.py")
    schema = str(shared / "sarif" / "sarif-schema-2.1.0.json")
    if not (os.path.exists(checker) and os.path.exists(schema)):
        pytest.skip("shared SARIF checker not available")
    repo = git_repo(write(tmp_path / "repo", {"main.tf": SG_OPEN, ".iacguard.toml": PR_CONFIG}))
    res = cli(["scan", ".", "--output-file", "sarif=out.sarif"], repo)
    assert res.exit_code == 0
    proc = subprocess.run([sys.executable, checker, str(repo / "out.sarif"), str(repo), schema], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_configuration_changes_nothing_in_the_reports(tmp_path):
    repo = write(tmp_path / "repo", {"main.tf": SG_OPEN})
    reports = _reports(repo)
    assert "configuration" not in reports["text"].lower()
    assert "configuration" not in json.loads(reports["json"])
    invocation = json.loads(reports["sarif"])["runs"][0]["invocations"][0]
    assert "toolConfigurationNotifications" not in invocation and "properties" not in invocation
    assert "<properties" not in reports["junit"]
    assert "Configuration" not in reports["markdown"]


def test_command_line_overrides_are_marked(tmp_path):
    repo = write(tmp_path / "repo", {"main.tf": SG_OPEN, ".iacguard.toml": 'fail-on = "none"\nskip-checks = ["AWS-S3-002"]\n'})
    res = cli(["scan", ".", "--fail-on", "high", "--format", "json"], repo)
    assert res.exit_code == 1
    assert json.loads(res.stdout)["configuration"]["changes"] == ["skips AWS-S3-002", "fail-on none (overridden by the command line)"]


def _warning_everywhere(repo, expected: str) -> None:
    reports = _reports(repo, "--diff-base", "HEAD")
    assert "warning  .iacguard.toml  %s" % expected in reports["text"]
    data = json.loads(reports["json"])
    assert ("warning", ".iacguard.toml", expected) in [(n["level"], n["file"], n["message"]) for n in data["notifications"]]
    assert data["configuration"]["changed_since_base"] == expected
    invocation = json.loads(reports["sarif"])["runs"][0]["invocations"][0]
    assert expected in [n["message"]["text"] for n in invocation["toolExecutionNotifications"] if n["level"] == "warning"]
    assert invocation["properties"]["configurationChangedSinceBase"] == expected
    props = {p.get("name"): p.get("value") for p in ET.fromstring(reports["junit"]).find("testsuite").find("properties")}
    assert props["iacguard.configuration.warning"] == expected
    assert "**Warning:** %s" % md_text(expected) in reports["markdown"]


def test_diff_base_reports_a_configuration_changed_since_the_base(tmp_path):
    repo = git_repo(write(tmp_path / "repo", {"main.tf": SG_OPEN, ".iacguard.toml": 'skip-checks = ["AWS-S3-001"]\n'}))
    commit_all(repo, "base")
    write(repo, {".iacguard.toml": PR_CONFIG})
    _warning_everywhere(repo, "configuration .iacguard.toml changed since HEAD: now %s; no longer skips AWS-S3-001" % ", ".join(CHANGES))


def test_diff_base_reports_a_new_configuration(tmp_path):
    repo = git_repo(write(tmp_path / "repo", {"main.tf": SG_OPEN}))
    commit_all(repo, "base")
    write(repo, {".iacguard.toml": PR_CONFIG})
    _warning_everywhere(repo, "configuration .iacguard.toml changed since HEAD (new file): now %s" % ", ".join(CHANGES))


def test_diff_base_configuration_unchanged_or_reformatted_is_quiet(tmp_path):
    repo = git_repo(write(tmp_path / "repo", {"main.tf": SG_OPEN, ".iacguard.toml": PR_CONFIG}))
    commit_all(repo, "base")
    write(repo, {".iacguard.toml": "# reformatted\n" + PR_CONFIG})
    res = cli(["scan", ".", "--diff-base", "HEAD", "--format", "json"], repo)
    data = json.loads(res.stdout)
    assert data["configuration"]["changed_since_base"] is None
    assert not [n for n in data["notifications"] if "changed since" in n["message"]]
