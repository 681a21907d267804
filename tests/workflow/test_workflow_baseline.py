"""Baselines: record today's findings, then report only new ones, across reformatting."""
from __future__ import annotations

import json

import pytest

from workflow_support import BUCKET, SG_OPEN, cli, reported, scan_json, write

pytestmark = pytest.mark.catalogue("core")  # asserts every finding: the checks it was written against


def test_round_trip_reports_only_the_new_flaw(tmp_path):
    # The checks this test is about (the catalogue's others would add findings of their own).
    write(tmp_path, {"main.tf": SG_OPEN + BUCKET % ("logs", "logs"), ".iacguard.toml": 'checks = ["AWS-EC2-001", "AWS-S3-001", "AWS-S3-002"]\n'})
    res = cli(["baseline", "."], tmp_path)
    assert res.exit_code == 0, res.output
    assert "baseline of 3 finding(s) written to" in res.stderr
    doc = json.loads((tmp_path / ".iacguard-baseline.json").read_text())
    assert doc["iacguard_baseline"] == 1
    assert sorted((e["check_id"], e["file"], e["resource"]) for e in doc["findings"]) == [
        ("AWS-EC2-001", "main.tf", "aws_security_group.web"),
        ("AWS-S3-001", "main.tf", "aws_s3_bucket.logs"),
        ("AWS-S3-002", "main.tf", "aws_s3_bucket.logs"),
    ]
    # The baseline carries the reports' fingerprints.
    _, full = scan_json(tmp_path)
    assert sorted(e["fingerprint"] for e in doc["findings"]) == sorted(f["fingerprint"] for f in full["findings"])

    # Reformat the file (lines move, a comment is added) and add one new flaw.
    reformatted = "# Storage and network.\n\n" + BUCKET % ("logs", "logs") + "\n\n" + SG_OPEN
    write(tmp_path, {"main.tf": reformatted, "data.tf": BUCKET % ("data", "data")})
    code, report = scan_json(tmp_path, "--baseline", ".iacguard-baseline.json")
    assert code == 1
    assert reported(report) == [("AWS-S3-001", "aws_s3_bucket.data"), ("AWS-S3-002", "aws_s3_bucket.data")]
    assert report["summary"]["baseline"] == {"file": ".iacguard-baseline.json", "matched": 3, "fixed": 0}

    # Fix one baseline finding: the scan says so.
    write(tmp_path, {"main.tf": BUCKET % ("logs", "logs")})
    text = cli(["scan", ".", "--baseline", ".iacguard-baseline.json"], tmp_path)
    assert "  Baseline: 2 known findings not shown; 1 baseline entry fixed\n" in text.stdout


def test_baseline_matches_from_another_working_directory(tmp_path):
    project = write(tmp_path / "project", {"infra/main.tf": SG_OPEN})
    assert cli(["baseline", "infra", "-o", "baseline.json"], project).exit_code == 0
    # Scanning from inside infra/: paths are taken relative to the baseline's folder.
    code, report = scan_json(project / "infra", "--baseline", "../baseline.json")
    assert code == 0 and report["findings"] == []
    assert report["summary"]["baseline"]["matched"] == 1


def test_same_resource_in_another_file_is_new(tmp_path):
    write(tmp_path, {"a.tf": SG_OPEN})
    cli(["baseline", ".", "--output", "b.json"], tmp_path)
    (tmp_path / "a.tf").unlink()
    write(tmp_path, {"b.tf": SG_OPEN})
    code, report = scan_json(tmp_path, "--baseline", "b.json")
    assert reported(report) == [("AWS-EC2-001", "aws_security_group.web")]
    assert report["summary"]["baseline"]["fixed"] == 1


def test_bad_baseline_is_a_usage_error(tmp_path):
    write(tmp_path, {"main.tf": SG_OPEN, "bad.json": "[1, 2]", "broken.json": "{"})
    for name in ("bad.json", "broken.json", "missing.json"):
        res = cli(["scan", ".", "--baseline", name], tmp_path)
        assert res.exit_code == 2, name
        assert "iacguard: error:" in res.stderr
