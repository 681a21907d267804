"""The Markdown report's findings table: ordered by severity then file, cut keeping the most severe,
and naming the file that holds the full report when the run writes one."""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.check import SEVERITY_RANK
from iacguard.cli import main
from iacguard.core.model import Finding, Location, Resource, ScanResult
from iacguard.output import markdown

def make_check(check_id: str, severity: str):
    """A check of the catalogue under another id and severity."""
    import iacguard.checks

    return dataclasses.replace(iacguard.checks.REGISTRY[0], id=check_id, severity=severity, graded=False)


ROW = re.compile(r"^\| (critical|high|medium|low|none) \| `([^`]+)` \| `([^`]+)` \| `([^`]+):(\d+)` \|", re.M)


def rows(md: str) -> list:
    """(severity, check, resource, file, line) of each row of the findings table."""
    table = md.split("### Findings", 1)[1].split("\n\n", 2)[1]
    return [(m[0], m[1], m[2], m[3], int(m[4])) for m in ROW.findall(table)]


def finding(check, path, line, address="aws_x.y", severity=""):
    res = Resource(address, address, "aws_x", "terraform", {}, Location(path, line, line))
    return Finding(check.id, res, "m", Location(path, line, line), severity=severity)


def test_rows_by_severity_then_file_then_line():
    low = dataclasses.replace(make_check("AWS-T-001", severity="low"), graded=True)
    high = make_check("AWS-T-002", severity="high")
    crit = make_check("AWS-T-003", severity="critical")
    findings = [
        finding(low, "/p/a.tf", 1), finding(high, "/p/b.tf", 9), finding(high, "/p/a.tf", 20),
        finding(crit, "/p/z.tf", 5), finding(low, "/p/a.tf", 3, severity="critical"),  # a graded finding's own severity
        finding(high, "/p/b.tf", 2),
    ]
    out = markdown.render(ScanResult(findings, [low, high, crit], [], ["/p/a.tf", "/p/b.tf", "/p/z.tf"], cwd="/p"))
    assert [(r[0], r[3], r[4]) for r in rows(out)] == [
        ("critical", "a.tf", 3), ("critical", "z.tf", 5),
        ("high", "a.tf", 20), ("high", "b.tf", 2), ("high", "b.tf", 9),
        ("low", "a.tf", 1),
    ]


def test_the_cut_keeps_the_most_severe():
    low = make_check("AWS-T-001", severity="low")
    high = make_check("AWS-T-002", severity="high")
    # Sorted by file, the 120 lows in a.tf would hide the highs in z.tf.
    findings = [finding(low, "/p/a.tf", i) for i in range(1, 121)] + [finding(high, "/p/z.tf", i) for i in range(1, 4)]
    out = markdown.render(ScanResult(findings, [low, high], [], ["/p/a.tf", "/p/z.tf"], cwd="/p"), max_rows=100)
    shown = rows(out)
    assert len(shown) == 100
    assert [r[0] for r in shown[:3]] == ["high"] * 3 and {r[0] for r in shown[3:]} == {"low"}
    assert "… and 23 more, not shown here: every other report format lists them all" in out
    assert "--output-file json=iacguard.json" in out


def test_the_cut_names_the_full_report():
    low = make_check("AWS-T-001", severity="low")
    findings = [finding(low, "/p/a.tf", i) for i in range(1, 6)]
    result = ScanResult(findings, [low], [], ["/p/a.tf"], cwd="/p")
    out = markdown.render(result, max_rows=2, full_report="out/iacguard `x`.sarif")
    assert "… and 3 more: see `out/iacguard 'x'.sarif`." in out
    assert "more" not in markdown.render(result, max_rows=5, full_report="r.json")


# --- through the CLI, on real files ----------------------------------------------------------

BUCKET = 'resource "aws_s3_bucket" "b%d" {\n  bucket = "b-%d"\n}\n\n'
SG_OPEN = """\
resource "aws_security_group" "web" {
  name = "web"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""


@pytest.fixture
def many(tmp_path):
    """More than 100 findings: many buckets in a.tf (sorted first by file), an open SSH
    security group in z.tf."""
    (tmp_path / "a.tf").write_text("".join(BUCKET % (i, i) for i in range(60)))
    (tmp_path / "z.tf").write_text(SG_OPEN)
    (tmp_path / "out").mkdir()
    return tmp_path


def run(cwd: Path, *args: str):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    assert res.exit_code == 1, res.output
    return res


def more_line(md: str) -> str:
    return next(line for line in md.splitlines() if line.startswith("… and "))


def test_cli_table_is_ordered_and_keeps_the_high_finding(many):
    md = run(many, "scan", ".", "--format", "markdown").stdout
    shown = rows(md)
    assert len(shown) == 100
    ranks = [SEVERITY_RANK[r[0]] for r in shown]
    assert ranks == sorted(ranks, reverse=True)
    assert ("high", "AWS-EC2-001", "aws_security_group.web", "z.tf", 1) in [r[:4] + (1,) for r in shown]
    for a, b in zip(shown, shown[1:]):  # within a severity, by file then line
        if a[0] == b[0]:
            assert (a[3], a[4]) <= (b[3], b[4])
    assert "not shown here" in more_line(md)


def test_cli_markdown_names_the_other_report_file(many):
    run(many, "scan", ".", "--format", "markdown", "-o", "out/report.md", "--output-file", "json=out/full.json", "-q")
    md = (many / "out" / "report.md").read_text()
    assert re.fullmatch(r"… and \d+ more: see `out/full\.json`\.", more_line(md))
    assert (many / "out" / "full.json").is_file()


def test_cli_markdown_as_extra_file_names_the_main_output(many):
    run(many, "scan", ".", "--format", "sarif", "-o", "out/r.sarif", "--output-file", "markdown=out/r.md", "-q")
    assert more_line((many / "out" / "r.md").read_text()).endswith("see `out/r.sarif`.")


def test_cli_markdown_on_stdout_names_the_most_readable_extra_file(many):
    md = run(
        many, "scan", ".", "--format", "markdown", "--output-file", "sarif=out/r.sarif",
        "--output-file", "markdown=out/copy.md", "--output-file", "html=out/r.html",
    ).stdout
    assert more_line(md).endswith("see `out/r.html`.")
    assert more_line((many / "out" / "copy.md").read_text()).endswith("see `out/r.html`.")


def test_cli_only_markdown_files_says_how_to_get_the_rest(many):
    md = run(many, "scan", ".", "--format", "markdown", "--output-file", "markdown=out/copy.md").stdout
    assert "not shown here" in more_line(md) and "--output-file json=" in more_line(md)
