"""`--format github`: GitHub workflow commands (annotations), read back as GitHub's runner reads them."""
from __future__ import annotations

import os
import re
from pathlib import Path

from click.testing import CliRunner

from iacguard import output
from iacguard.cli import main
from iacguard.core.model import Finding, Location, Notification
from iacguard.output import github

COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")

TF = """\
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


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def parse(text: str) -> tuple:
    """(commands, plain lines): each command as {"name", "props": dict, "message"}, as the runner
    splits a line: properties up to "::", each up to ",", each name up to "="."""
    commands, plain = [], []
    for line in text.splitlines():
        m = COMMAND.match(line)
        if not m:
            assert not line.startswith("::"), line
            plain.append(line)
            continue
        props = {}
        for part in (m.group("props") or "").split(","):
            if part:
                name, _, value = part.partition("=")
                props[name] = _unescape_property(value)
        commands.append({"name": m.group("name"), "props": props, "message": _unescape_data(m.group("data"))})
    return commands, plain


def test_escaping_follows_github_rules():
    assert github.escape_data("50% a\r\nb: c, d") == "50%25 a%0D%0Ab: c, d"
    assert github.escape_property("50% a\r\nb: c, d") == "50%25 a%0D%0Ab%3A c%2C d"
    assert _unescape_property(github.escape_property("%3A, :%")) == "%3A, :%"


def test_one_annotation_per_finding_level_from_severity(result):
    text = output.render("github", result)
    commands, plain = parse(text)
    findings = [c for c in commands if c["props"].get("title", "").startswith("iacguard AWS-")]
    assert len(findings) == len(result.findings) == 4
    by_check = {}
    for c in findings:
        by_check.setdefault(c["props"]["title"].split(":")[0], []).append(c)
    assert {c["name"] for c in by_check["iacguard AWS-EC2-001"]} == {"error"}  # critical
    assert {c["name"] for c in by_check["iacguard AWS-S3-001"]} == {"error"}  # high
    assert {c["name"] for c in by_check["iacguard AWS-S3-002"]} == {"warning"}  # medium
    ec2 = by_check["iacguard AWS-EC2-001"][0]
    assert ec2["props"]["file"] == "main.tf"
    assert ec2["props"]["line"] == "7" and ec2["props"]["endLine"] == "7"
    assert ec2["props"]["title"] == "iacguard AWS-EC2-001: Security group allows ingress from the internet to SSH"
    assert "allows 0.0.0.0/0 to port 22" in ec2["message"] and "[critical]" in ec2["message"]
    cfn = [c for c in by_check["iacguard AWS-S3-001"] if c["props"]["file"].endswith(".yaml")][0]
    assert cfn["props"]["file"] == "my stacks/store bucket.yaml"
    assert (cfn["props"]["line"], cfn["props"]["endLine"]) == ("4", "6")
    assert "condition IsProd is true" in cfn["message"]
    # The most severe first.
    order = [c["name"] for c in commands]
    assert order.index("error") < order.index("warning")
    # The broken file and the skipped one are annotated as warnings.
    notes = [c for c in commands if c["props"].get("title", "").startswith("iacguard: ")]
    assert {c["props"]["file"] for c in notes} == {"broken.tf", "big.json"}
    assert {c["name"] for c in notes} == {"warning"}
    broken = [c for c in notes if c["props"]["file"] == "broken.tf"][0]
    assert broken["props"]["title"] == "iacguard: file not scanned" and broken["props"]["line"] == "3"
    # A summary line closes the output.
    assert plain == ["iacguard: 4 finding(s) (1 critical, 2 high, 1 medium) in 2 file(s); 1 file(s) could not be scanned"]
    assert text.endswith("\n")


def test_low_is_notice(tmp_path, scan):
    res = scan.build(tmp_path)
    bucket = [f for f in res.findings if f.resource.language == "cloudformation"][0]
    res.findings.append(Finding("AWS-S3-003", bucket.resource, "Bucket has no versioning.", bucket.location))
    commands, _ = parse(output.render("github", res))
    low = [c for c in commands if c["props"].get("title", "").startswith("iacguard AWS-S3-003")]
    assert [c["name"] for c in low] == ["notice"]
    assert commands[-1]["name"] in ("notice", "warning")  # the least severe last


def test_hostile_text_cannot_break_out(tmp_path, scan):
    res = scan.build(tmp_path)
    f = res.findings[0]
    weird = tmp_path / "a,b:c%d.tf"
    weird.write_text(TF)
    loc = Location(str(weird), 2, 3)
    res.findings[0] = Finding(f.check_id, f.resource, "line one\n::error::injected\r\n100% sure, ok: \x1b[31mred\u202e", loc)
    text = output.render("github", res)
    commands, plain = parse(text)
    assert len(plain) == 1  # only the summary: no line of the message became a line of its own
    assert not any(c["message"] == "injected" for c in commands)
    hit = [c for c in commands if c["props"].get("file") == "a,b:c%d.tf"]
    assert len(hit) == 1
    message = hit[0]["message"]
    assert message.startswith("line one\n::error::injected\n100% sure, ok: \\x1b[31mred\\u202e")
    assert "\x1b" not in text and "\u202e" not in text


def test_cap_keeps_the_most_severe_and_says_how_many_were_left_out(result):
    commands, plain = parse(github.render(result, max_annotations=2))
    assert [c["name"] for c in commands[:2]] == ["error", "error"]
    assert "AWS-EC2-001" in commands[0]["props"]["title"]  # critical before high
    last = commands[-1]
    assert last["name"] == "notice" and last["props"] == {"title": "iacguard: annotations left out"}
    assert last["message"].startswith("4 more annotation(s) left out")  # 2 findings + 2 files
    assert "10 error and 10 warning" in last["message"]
    assert len(commands) == 3 and len(plain) == 1


def test_default_cap():
    assert github.MAX_ANNOTATIONS == 50


def test_workspace_paths(result, tmp_path):
    inner = output.render("github", result, workspace=str(tmp_path / "my stacks"))
    commands, _ = parse(inner)
    files = {c["props"].get("file") for c in commands}
    assert "store bucket.yaml" in files  # relative to the workspace
    assert "main.tf" in files  # outside it: relative to the working directory, as before
    outside = output.render("github", result, workspace="/nonexistent/elsewhere")
    assert "file=main.tf," in outside


def test_empty_scan_is_one_summary_line(empty_result):
    assert output.render("github", empty_result) == "iacguard: 0 finding(s) in 0 file(s)\n"


def test_cli_main_report_and_output_file(tmp_path):
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    (repo / "infra" / "main.tf").write_text(TF)
    (repo / "broken.tf").write_text('resource "aws_s3_bucket" "x" {\n')
    extra = tmp_path / "annotations.txt"
    old = os.getcwd()
    os.chdir(repo / "infra")  # paths must follow GITHUB_WORKSPACE, not the working directory
    try:
        res = CliRunner().invoke(
            main, ["scan", "--format", "github", "--output-file", "github=%s" % extra, str(repo)],
            env={"GITHUB_WORKSPACE": str(repo)}, catch_exceptions=False,
        )
    finally:
        os.chdir(old)
    assert res.exit_code == 1, res.output
    commands, plain = parse(res.stdout)
    files = {c["props"].get("file") for c in commands}
    assert "infra/main.tf" in files and "broken.tf" in files
    assert any(c["name"] == "error" and "0.0.0.0/0" in c["message"] for c in commands)
    assert len(plain) == 1 and plain[0].startswith("iacguard: ") and "could not be scanned" in plain[0]
    assert Path(extra).read_text() == res.stdout
