"""Helpers for the pre-merge workflow tests: real files in tmp_path, the CLI as users run it."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.cli import main

REPO = Path(__file__).resolve().parents[2]

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

BUCKET = """\
resource "aws_s3_bucket" "%s" {
  bucket = "%s"
}
"""


def write(root: Path, files: dict) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def cli(args, cwd, env=None):
    """Run the CLI in `cwd`; returns click's Result (stdout and stderr apart)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, env=env)
    finally:
        os.chdir(old)


def scan_json(cwd, *args):
    res = cli(["scan", ".", "--format", "json", *args], cwd)
    assert res.exit_code in (0, 1), res.output
    return res.exit_code, json.loads(res.stdout)


def reported(report) -> list:
    return sorted((f["check_id"], f["resource"]["address"]) for f in report["findings"])


def suppressed(report) -> list:
    return sorted((f["check_id"], f["resource"]["address"], f["suppression"]["reason"]) for f in report["suppressed"])


def notes(report, level=None) -> list:
    return [(n["level"], n["file"], n["line"], n["message"]) for n in report["notifications"] if level in (None, n["level"])]


GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd, *args):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def git_repo(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    return root


def commit_all(root: Path, message="commit"):
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def iacguard_on_path(tmp_path_factory):
    """A bin folder whose `iacguard` runs this checkout with the current interpreter."""
    bindir = tmp_path_factory.mktemp("bin")
    script = bindir / "iacguard"
    script.write_text('#!/bin/sh\nexec "%s" -c "from iacguard.cli import main; main()" "$@"\n' % sys.executable)
    script.chmod(0o755)
    return bindir
