"""JUnit XML and Markdown reports, and several reports from one run."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from workflow_support import BUCKET, SG_OPEN, cli, write

import iacguard.checks

pytestmark = pytest.mark.catalogue("core")  # asserts every finding: the checks it was written against

PROJECT = {
    "main.tf": SG_OPEN + "\n# iacguard:ignore AWS-S3-002 | public `assets` <b>bucket</b>\n" + BUCKET % ("assets", "assets")
    # Server access logs for the bucket (AWS-S3-201), after it: the lines above stay as they are.
    + '\nresource "aws_s3_bucket_logging" "assets" {\n  bucket        = aws_s3_bucket.assets.id\n  target_bucket = "acme-access-logs"\n}\n',
}


def test_junit(tmp_path):
    write(tmp_path, PROJECT)
    res = cli(["scan", ".", "--format", "junit"], tmp_path)
    assert res.exit_code == 1
    root = ET.fromstring(res.stdout.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = {s.get("name").split(":")[0]: s for s in root.findall("testsuite")}
    assert sorted(suites) == sorted(c.id for c in iacguard.checks.REGISTRY)
    cases = [(c.get("classname"), c.get("name"), [ch.tag for ch in c])
             for s in root.findall("testsuite") for c in s.findall("testcase") if c.get("name") != "no findings"]
    assert sorted(cases) == [
        ("iacguard.AWS-EC2-001", "main.tf: aws_security_group.web", ["failure"]),
        ("iacguard.AWS-S3-001", "main.tf: aws_s3_bucket.assets", ["failure"]),
        ("iacguard.AWS-S3-002", "main.tf: aws_s3_bucket.assets (suppressed)", ["skipped"]),
    ]
    failure = suites["AWS-EC2-001"].find("testcase/failure")
    assert failure.get("type") == "high"
    assert failure.text.startswith("main.tf:8: Security group rule in aws_security_group.web allows SSH")
    skipped = suites["AWS-S3-002"].find("testcase/skipped")
    assert skipped.get("message") == "suppressed: | public `assets` <b>bucket</b>"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == (str(len(iacguard.checks.REGISTRY) - 3 + 3), "2", "0")
    assert sum(int(s.get("skipped")) for s in root.findall("testsuite")) == 1
    for s in root.findall("testsuite"):
        assert int(s.get("tests")) == len(s.findall("testcase"))
        assert int(s.get("failures")) == len(s.findall("testcase/failure"))
        assert int(s.get("skipped")) == len(s.findall("testcase/skipped"))


def test_markdown(tmp_path):
    write(tmp_path, PROJECT)
    md = cli(["scan", ".", "--format", "markdown"], tmp_path).stdout
    assert md.startswith("## iacguard: 2 findings (1 high, 1 low)\n")
    assert "| high | 1 |" in md and "| low | 1 |" in md and "| critical | 0 |" in md
    assert "| Infrastructure protection | 1 |" in md and "| Data protection | 1 |" in md
    assert "| high | `AWS-EC2-001` | `aws_security_group.web` | `main.tf:8` |" in md
    assert "| low | `AWS-S3-001` | `aws_s3_bucket.assets` | `main.tf:13` |" in md
    assert "<details><summary>1 suppressed finding</summary>" in md
    # Text from the scanned file is escaped: no HTML, no broken table.
    assert "\\| public \\`assets\\` \\<b\\>bucket\\</b\\>" in md
    assert "<b>" not in md
    assert "**Suppressed:** 1" in md


def test_markdown_baseline_changes_and_clean(tmp_path):
    write(tmp_path, {"main.tf": SG_OPEN})
    cli(["baseline", "."], tmp_path)
    md = cli(["scan", ".", "--format", "markdown", "--baseline", ".iacguard-baseline.json"], tmp_path).stdout
    assert md.startswith("## iacguard: no findings\n")
    assert "**Baseline:** 1 known finding not shown, 0 baseline entries fixed" in md


def test_markdown_row_limit():
    from iacguard.output import markdown
    from iacguard.core.model import Finding, Location, Resource, ScanResult

    check = iacguard.checks.REGISTRY[0]
    res = Resource("r", "aws_x.y", "aws_x", "terraform", {}, Location("/p/main.tf", 1, 1))
    findings = [Finding(check.id, res, "m", Location("/p/main.tf", i, i)) for i in range(1, 131)]
    out = markdown.render(ScanResult(findings, [check], [], ["/p/main.tf"], cwd="/p"))
    assert out.count("| `%s` |" % check.id) == 100
    assert "… and 30 more, not shown here: every other report format lists them all" in out


def test_several_reports_in_one_run(tmp_path, sarif_checker):
    write(tmp_path, PROJECT)
    out = tmp_path / "out"
    out.mkdir()
    res = cli([
        "scan", ".",
        "--output-file", "sarif=out/r.sarif",
        "--output-file", "json=out/r.json",
        "--output-file", "junit=out/r.xml",
        "--output-file", "markdown=out/r.md",
        "--output-file", "text=out/r.txt",
    ], tmp_path)
    assert res.exit_code == 1
    assert res.stdout.startswith("main.tf\n")  # the terminal report is still there
    sarif = json.loads((out / "r.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["AWS-EC2-001", "AWS-S3-001"]
    assert sarif_checker(sarif, str(tmp_path)) == []
    report = json.loads((out / "r.json").read_text())
    assert len(report["findings"]) == 2 and len(report["suppressed"]) == 1
    assert [f["fingerprint"] for f in report["findings"]] == [r["partialFingerprints"]["primaryLocationLineHash"] for r in sarif["runs"][0]["results"]]
    ET.fromstring((out / "r.xml").read_bytes())
    assert (out / "r.md").read_text().startswith("## iacguard: 2 findings")
    assert "\x1b[" not in (out / "r.txt").read_text()


def test_output_file_errors(tmp_path):
    write(tmp_path, PROJECT)
    assert cli(["scan", ".", "--output-file", "xml=x.xml"], tmp_path).exit_code == 2
    assert cli(["scan", ".", "--output-file", "sarif"], tmp_path).exit_code == 2
    res = cli(["scan", ".", "--output-file", "sarif=no/such/dir/r.sarif"], tmp_path)
    assert res.exit_code == 2 and "cannot write" in res.stderr
