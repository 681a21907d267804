"""`--sarif-category NAME`: runs[].automationDetails.id "iacguard/NAME/", so two scans uploaded from
one workflow keep their code scanning alerts apart (GitHub keys alerts by this category)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.cli import main
from iacguard.output import sarif

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from workflow_support import SG_OPEN, write  # noqa: E402

pytestmark = pytest.mark.catalogue("core")  # asserts findings of AWS-EC2-001


def run_cli(args, cwd):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def scan_sarif(cwd, *args) -> dict:
    res = run_cli(["scan", *args, "--no-cache", "-q", "--format", "sarif", "--check", "AWS-EC2-001"], cwd)
    assert res.exit_code == 1, res.output
    return json.loads(res.stdout)


def automation_id(log) -> str:
    return log["runs"][0]["automationDetails"]["id"]


def test_two_scans_with_two_categories_keep_their_alerts_apart(tmp_path):
    write(tmp_path, {"network/main.tf": SG_OPEN, "edge/main.tf": SG_OPEN})
    network = scan_sarif(tmp_path, "network", "--sarif-category", "network")
    edge = scan_sarif(tmp_path, "edge", "--sarif-category", "edge")
    assert (automation_id(network), automation_id(edge)) == ("iacguard/network/", "iacguard/edge/")
    # Same check, same kind of resource: only the category keeps GitHub from matching the two
    # uploads' alerts to each other (and closing one scan's alerts when the other uploads).
    assert [r["ruleId"] for r in network["runs"][0]["results"]] == [r["ruleId"] for r in edge["runs"][0]["results"]] == ["AWS-EC2-001"]


def test_default_category_is_unchanged(tmp_path):
    write(tmp_path, {"main.tf": SG_OPEN})
    assert automation_id(scan_sarif(tmp_path, ".")) == "iacguard/"


def test_category_in_extra_report_files_only_for_sarif(tmp_path):
    write(tmp_path, {"infra/main.tf": SG_OPEN})
    res = run_cli(["scan", "infra", "--no-cache", "-q", "--check", "AWS-EC2-001", "--sarif-category", "infra",
                   "--output-file", "sarif=out.sarif", "--output-file", "json=out.json"], tmp_path)
    assert res.exit_code == 1, res.output
    assert automation_id(json.loads((tmp_path / "out.sarif").read_text())) == "iacguard/infra/"
    assert "iacguard/infra/" not in (tmp_path / "out.json").read_text()


@pytest.mark.parametrize("given, expected", [
    ("infra", "iacguard/infra/"),
    ("./infra/", "iacguard/infra/"),   # a scanned path, however it is written
    ("/infra//", "iacguard/infra/"),
    ("envs/prod", "iacguard/envs/prod/"),
    ("  app prod  ", "iacguard/app prod/"),
    (".", "iacguard/"),                # the workspace itself: the plain category
    ("./", "iacguard/"),
    ("", "iacguard/"),
])
def test_category_names(tmp_path, given, expected):
    write(tmp_path, {"main.tf": SG_OPEN})
    assert automation_id(scan_sarif(tmp_path, ".", "--sarif-category", given)) == expected
    assert sarif.category_id(given) == expected


@pytest.mark.parametrize("bad", ["a\nb", "tab\there", "bell\x07", "del\x7f"])
def test_control_characters_are_a_usage_error(tmp_path, bad):
    write(tmp_path, {"main.tf": SG_OPEN})
    res = run_cli(["scan", ".", "--no-cache", "--format", "sarif", "--sarif-category", bad], tmp_path)
    assert res.exit_code == 2
    assert "--sarif-category" in res.output and "control characters" in res.output
    assert "Traceback" not in res.output


def test_help_names_the_option():
    res = CliRunner().invoke(main, ["scan", "--help"])
    assert "--sarif-category" in res.output and "iacguard/NAME/" in res.output
