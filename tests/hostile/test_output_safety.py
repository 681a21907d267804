"""Reports under attack (issue 9): files written through committed symlinks, findings hidden behind
a file the scanner gives up on, numbers too long for int(), and text that drives terminals,
spoofs its reading order or pings people from a pull-request comment.

Every tree is built in tmp_path; each test fails on the code before issue 9.
"""
from __future__ import annotations

import json
import re
import os
import stat
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from workflow_support import SG_OPEN, cli, write  # noqa: E402

from iacguard import atomic  # noqa: E402

OUTSIDE_TEXT = "precious: not a report\n"


def _outside(tmp_path: Path) -> Path:
    """A file outside the workspace that a committed link points at."""
    victim = tmp_path / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text(OUTSIDE_TEXT)
    return victim


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    write(ws, {"main.tf": SG_OPEN})
    return ws


def _assert_replaced(link: Path, victim: Path) -> str:
    assert victim.read_text() == OUTSIDE_TEXT  # the link's target is untouched
    assert not link.is_symlink() and link.is_file()  # the link itself became the report
    assert not [p for p in link.parent.iterdir() if p.name.endswith(".tmp")]  # no temporary left
    return link.read_text()


# -- 1. reports and baselines are written by temporary file + rename --------------------------

def test_output_file_through_committed_symlink_replaces_the_link(tmp_path):
    victim = _outside(tmp_path)
    ws = _workspace(tmp_path)
    (ws / "iacguard.sarif").symlink_to(victim)
    res = cli(["scan", ".", "--output-file", "sarif=iacguard.sarif", "-q"], ws)
    assert res.exit_code == 1
    report = json.loads(_assert_replaced(ws / "iacguard.sarif", victim))
    assert [r["ruleId"] for r in report["runs"][0]["results"]] == ["AWS-EC2-001"]


def test_main_report_through_committed_symlink_replaces_the_link(tmp_path):
    victim = _outside(tmp_path)
    ws = _workspace(tmp_path)
    (ws / "report.json").symlink_to(victim)
    res = cli(["scan", ".", "--format", "json", "-o", "report.json", "-q"], ws)
    assert res.exit_code == 1
    report = json.loads(_assert_replaced(ws / "report.json", victim))
    assert [f["check_id"] for f in report["findings"]] == ["AWS-EC2-001"]


def test_baseline_through_committed_symlink_replaces_the_link(tmp_path):
    victim = _outside(tmp_path)
    ws = _workspace(tmp_path)
    (ws / ".iacguard-baseline.json").symlink_to(victim)
    res = cli(["baseline", ".", "-q"], ws)
    assert res.exit_code == 0, res.output
    doc = json.loads(_assert_replaced(ws / ".iacguard-baseline.json", victim))
    assert [e["resource"] for e in doc["findings"]] == ["aws_security_group.web"]


def test_dangling_link_is_replaced_and_nothing_created_at_its_target(tmp_path):
    ws = _workspace(tmp_path)
    target = tmp_path / "outside-new.txt"
    (ws / "out.md").symlink_to(target)
    res = cli(["scan", ".", "--output-file", "markdown=out.md", "-q"], ws)
    assert res.exit_code == 1
    assert not target.exists()
    assert (ws / "out.md").read_text().startswith("## iacguard: 1 finding")


def test_report_has_the_permissions_of_a_new_file(tmp_path):
    ws = _workspace(tmp_path)
    old = os.umask(0o027)
    try:
        atomic.write_text(str(ws / "r.txt"), "x\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((ws / "r.txt").stat().st_mode) == 0o640


def test_report_through_a_committed_folder_link_is_refused(tmp_path):
    """`reports/` committed as a link to a folder outside: neither the temporary file nor the
    rename may go through it (main report, extra report and baseline alike)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    ws = _workspace(tmp_path)
    (ws / "reports").symlink_to(outside, target_is_directory=True)
    for args in (["scan", ".", "-q", "--format", "json", "-o", "reports/r.json"],
                 ["scan", ".", "-q", "--output-file", "sarif=reports/r.sarif"],
                 ["baseline", ".", "-q", "-o", "reports/b.json"]):
        res = cli(args, ws)
        assert res.exit_code == 2, args
        assert "is a symbolic link inside the scanned workspace" in res.output
    assert list(outside.iterdir()) == []


def test_device_paths_named_by_the_user_are_written_as_they_are(tmp_path, capfd):
    """`-o /dev/null` and `-o /dev/stdout` are what people type; they are not committed links."""
    ws = _workspace(tmp_path)
    res = cli(["scan", ".", "-q", "--format", "json", "-o", "/dev/null"], ws)
    assert res.exit_code == 1, res.output
    assert os.path.exists("/dev/null") and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_directory_or_fifo_at_the_target_is_refused(tmp_path):
    ws = _workspace(tmp_path)
    (ws / "adir").mkdir()
    res = cli(["scan", ".", "--output-file", "json=adir", "-q"], ws)
    assert res.exit_code == 2
    assert "cannot write" in res.stderr and "adir" in res.stderr and "is a directory" in res.stderr
    if hasattr(os, "mkfifo"):
        os.mkfifo(ws / "fifo")
        res = cli(["scan", ".", "--output-file", "json=fifo", "-q"], ws)  # would block forever if opened
        assert res.exit_code == 2
        assert "not a regular file" in res.stderr
        assert stat.S_ISFIFO(os.lstat(ws / "fifo").st_mode)


def test_failed_write_leaves_target_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "r.json"
    target.write_text("old\n")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError):
        atomic.write_text(str(target), "new\n")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


# -- 2. --fail-on-error: findings cannot hide behind a file the scanner gives up on ------------

BROKEN = {"main.tf": SG_OPEN, "broken.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = \n'}


def test_fail_on_error_fails_the_scan_on_a_broken_file(tmp_path):
    write(tmp_path, BROKEN)
    # The open security group is high: below --fail-on critical, so only the broken file can fail.
    res = cli(["scan", ".", "--fail-on", "critical"], tmp_path)
    assert res.exit_code == 0
    assert "broken.tf:1  parse error: unclosed block opened at line 1" in res.stdout and "--fail-on-error" not in res.stdout
    res = cli(["scan", ".", "--fail-on", "critical", "--fail-on-error"], tmp_path)
    assert res.exit_code == 1
    assert "AWS-EC2-001" in res.stdout and "broken.tf:1  parse error: unclosed block opened at line 1" in res.stdout
    assert "Failed because 1 file(s) could not be scanned (--fail-on-error)" in res.stdout
    md = cli(["scan", ".", "--fail-on", "critical", "--fail-on-error", "--format", "markdown"], tmp_path)
    assert md.exit_code == 1
    assert "**Failed because 1 file(s) could not be scanned (--fail-on-error)**" in md.stdout
    # Findings at or above --fail-on still fail without the flag; a clean tree passes with it.
    assert cli(["scan", ".", "--fail-on", "high"], tmp_path).exit_code == 1
    os.remove(tmp_path / "broken.tf")
    assert cli(["scan", ".", "--fail-on", "critical", "--fail-on-error"], tmp_path).exit_code == 0


def test_fail_on_error_config_key_and_flag_precedence(tmp_path):
    write(tmp_path, {**BROKEN, ".iacguard.toml": 'fail-on = "critical"\nfail-on-error = true\n'})
    assert cli(["scan", ".", "-q"], tmp_path).exit_code == 1
    assert cli(["scan", ".", "-q", "--no-fail-on-error"], tmp_path).exit_code == 0
    write(tmp_path, {".iacguard.toml": 'fail-on-error = "yes"\n'})
    res = cli(["scan", ".", "-q"], tmp_path)
    assert res.exit_code == 2 and "'fail-on-error' must be true or false" in res.stderr


def test_fail_on_error_in_pre_commit(tmp_path):
    write(tmp_path, BROKEN)
    assert cli(["pre-commit", "--no-config", "--fail-on", "critical", "main.tf"], tmp_path).exit_code == 0
    res = cli(["pre-commit", "--no-config", "--fail-on", "critical", "--fail-on-error", "main.tf"], tmp_path)
    assert res.exit_code == 1


# -- 3. numbers of any length ------------------------------------------------------------------

BIG = "9" * 5000


def _number_tree(root: Path) -> None:
    write(root, {
        "tf/main.tf": (
            'variable "size" {}\n'
            "locals {\n  big = %s\n  idx = [1][\"%s\"]\n}\n" % (BIG, BIG)
            + 'resource "aws_s3_bucket" "tf" {\n  bucket = "b-${local.big}"\n  tags = { n = tonumber("%s"), s = var.size }\n}\n' % BIG
        ),
        "tf/terraform.tfvars": "size = %s\n" % BIG,
        "tf/more.auto.tfvars.json": '{"size": -%s}\n' % BIG,
        "tfjson/main.tf.json": '{"locals": {"big": %s},\n "resource": {"aws_s3_bucket": {"js": {"bucket": "x"}}}}\n' % BIG,
        "cfn/t.yaml": (
            "Resources:\n  Y:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n"
            "        - Key: n\n          Value: %s\n        - Key: h\n          Value: 0x%s\n" % (BIG, "f" * 2000)
        ),
        "cfn/t.json": '{"Resources": {"J": {"Type": "AWS::S3::Bucket",\n "Properties": {"Tags": [{"Key": "n", "Value": %s}]}}}}\n' % BIG,
    })


def test_number_of_5000_digits_is_read_and_the_file_checked(tmp_path):
    _number_tree(tmp_path)
    res = cli(["scan", ".", "--format", "json", "--check", "AWS-S3-002", "--fail-on-error", "-v"], tmp_path)
    report = json.loads(res.stdout)
    assert sorted((f["resource"]["address"], f["file"], f["start_line"]) for f in report["findings"]) == [
        ("J", "cfn/t.json", 1), ("Y", "cfn/t.yaml", 2), ("aws_s3_bucket.js", "tfjson/main.tf.json", 2), ("aws_s3_bucket.tf", "tf/main.tf", 6),
    ]
    assert [n for n in report["notifications"] if n["level"] == "error"] == []
    assert res.exit_code == 1  # the findings; no file failed
    too_long = "number of 5000 digits is too long to read exactly (more than 4000)"
    assert sorted((n["file"], n["line"], n["message"]) for n in report["notifications"]) == [
        ("cfn/t.json", 2, too_long + "; its value is unknown"),
        ("cfn/t.yaml", 7, too_long + "; its value is unknown"),
        ("cfn/t.yaml", 9, "number of 2002 digits is too long to read exactly (more than 4000); its value is unknown"),
    ]
    unknowns = {(u["file"], u["line"], u["what"]): u["reason"] for u in report["unknowns"]}
    assert {k: v for k, v in unknowns.items() if "digits" in v} == {
        ("tf/main.tf", 7, "aws_s3_bucket.tf.bucket"): too_long,
        ("tf/main.tf", 8, "aws_s3_bucket.tf.tags.n"): too_long,
        ("tf/main.tf", 8, "aws_s3_bucket.tf.tags.s"): too_long,
        ("cfn/t.yaml", 7, "Y.Tags[0].Value"): too_long,
        ("cfn/t.yaml", 9, "Y.Tags[1].Value"): "number of 2002 digits is too long to read exactly (more than 4000)",
        ("cfn/t.json", 2, "J.Tags[0].Value"): too_long,
    }


def test_numbers_up_to_the_bound_stay_exact(tmp_path):
    from iacguard.core.numbers import MAX_DIGITS, integer
    from iacguard.core.unknown import Unknown

    assert integer("-" + "7" * MAX_DIGITS) == -int("7" * MAX_DIGITS)
    assert isinstance(integer("7" * (MAX_DIGITS + 1)), Unknown)
    assert isinstance(integer("7" * 8_000_000), Unknown)  # linear: only the length is looked at


# -- 4. text from the tree never acts: control, bidi and invisible characters, mentions ---------

HOSTILE_TF = (
    'resource "aws_s3_bucket" "x" {\n'
    '  for_each = toset(["e\\u001b[31mred", "b\\u0007l", "n\\u0000l", "r\\u202eevil", "z\\u200bw", "@octocat"])\n'
    "  bucket   = each.key\n"
    "}\n"
    "# iacguard:ignore AWS-S3-002 | ok by @octocat \x1b[2J\u202e and &#64;team \x07\n"
    'resource "aws_s3_bucket" "y" {\n  bucket = "y"\n}\n'
)
HOSTILE_NAME = "tag\u202e@octo\x1bcat.tf"
# What must never reach a report raw (newlines aside): C0, DEL, C1, bidi controls, zero-width.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile(tmp_path):
    write(tmp_path, {"main.tf": HOSTILE_TF, HOSTILE_NAME: 'resource "aws_s3_bucket" "z" {\n  bucket = "z"\n}\n'})
    return tmp_path


def _report(root, fmt):
    res = cli(["scan", ".", "--format", fmt, "--include-suppressed", "--check", "AWS-S3-002"], root)
    assert res.exit_code == 1, res.output
    return res.stdout


def test_text_report_shows_hostile_characters_as_escapes(hostile):
    out = _report(hostile, "text")
    assert not RAW.findall(out)
    for shown in ('aws_s3_bucket.x["e\\x1b[31mred"]', 'aws_s3_bucket.x["b\\x07l"]', 'aws_s3_bucket.x["n\\x00l"]',
                  'aws_s3_bucket.x["r\\u202eevil"]', 'aws_s3_bucket.x["z\\u200bw"]', "tag\\u202e@octo\\x1bcat.tf",
                  "ok by @octocat \\x1b[2J\\u202e and &#64;team \\x07"):
        assert shown in out, shown


def test_markdown_report_escapes_and_pings_no_one(hostile):
    md = _report(hostile, "markdown")
    assert not RAW.findall(md.replace("@\u200b", "@").replace("#\u200b", "#"))
    assert "`aws_s3_bucket.x[\"e\\x1b[31mred\"]`" in md and "`tag\\u202e@octo\\x1bcat.tf:1`" in md
    assert "ok by @\u200boctocat \\\\x1b\\[2J\\\\u202e and \\&\\#\u200b64;team \\\\x07" in md
    outside_code = re.sub(r"`[^`]*`", "", md)
    assert re.findall(r"@.", outside_code) and all(m == "@\u200b" for m in re.findall(r"@.", outside_code))
    assert "&#64;" not in outside_code


def test_sarif_and_junit_stay_well_formed_and_visible(hostile):
    sarif = json.loads(_report(hostile, "sarif"))
    run = sarif["runs"][0]
    texts = [r["message"]["text"] for r in run["results"]]
    texts += [s.get("justification", "") for r in run["results"] for s in r.get("suppressions", [])]
    assert len(texts) == 9 and not [t for t in texts if RAW.search(t)]
    assert [t for t in texts if t.endswith("ok by @octocat \\x1b[2J\\u202e and &#64;team \\x07")]
    xml = _report(hostile, "junit")
    root = ET.fromstring(xml.encode("utf-8"))  # well-formed XML 1.0
    values = [v for e in root.iter() for v in list(e.attrib.values()) + [e.text or ""]]
    assert not [v for v in values if RAW.search(v.replace("\n", ""))]
    names = sorted(c.get("name") for c in root.iter("testcase") if c.get("name") != "no findings")
    resources = {n.split(": ", 1)[1] for n in names if ": " in n}
    assert 'aws_s3_bucket.x["n\\x00l"]' in resources and 'aws_s3_bucket.x["r\\u202eevil"]' in resources
    assert [n for n in names if n.startswith("tag\\u202e@octo\\x1bcat.tf: ")]  # the file, in the name
