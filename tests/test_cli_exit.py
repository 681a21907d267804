"""The `iacguard` command exits without tearing the interpreter down (iacguard.cli.run): what it
prints is all there, and its exit codes are the command line's."""
from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = "import sys; from iacguard.cli import run; sys.argv = ['iacguard'] + sys.argv[1:]; run()"


def _run(*args, **kwargs):
    return subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, timeout=300, **kwargs)


def test_a_large_report_on_a_pipe_is_complete_and_the_exit_code_kept(tmp_path):
    out = _run("scan", os.path.join(ROOT, "sample_iac"), "--format", "json", "--no-cache", cwd=str(tmp_path))
    report = json.loads(out.stdout)  # the whole report came through the pipe
    assert report["findings"] and out.returncode == 1  # findings at or above the default --fail-on
    clean = _run("scan", os.path.join(ROOT, "sample_iac"), "--format", "json", "--no-cache", "--fail-on", "none", cwd=str(tmp_path))
    assert clean.returncode == 0 and json.loads(clean.stdout)["findings"]


def test_usage_errors_and_version(tmp_path):
    bad = _run("scan", "--no-such-option", cwd=str(tmp_path))
    assert bad.returncode == 2 and "no-such-option" in bad.stderr
    version = _run("--version", cwd=str(tmp_path))
    assert version.returncode == 0 and "iacguard" in version.stdout


def test_a_report_file_and_the_summary_line_are_written(tmp_path):
    target = tmp_path / "out.sarif"
    out = _run("scan", os.path.join(ROOT, "sample_iac"), "--format", "sarif", "-o", str(target), "--no-cache", "--fail-on", "none", cwd=str(tmp_path))
    assert out.returncode == 0 and json.loads(target.read_text())["runs"]
    assert "report written to" in out.stderr
