"""Progress on a terminal, silence elsewhere, --quiet and --verbose."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from workflow_support import SG_OPEN, cli, write

from iacguard.progress import TerminalProgress

pytestmark = pytest.mark.catalogue("core")  # asserts every finding: the checks it was written against


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_lines():
    stream = Tty()
    progress = TerminalProgress(stream)
    progress("parse", 0, 3)
    progress("parse", 3, 3)
    progress("evaluate", 1, 1)
    for i in range(1, 11):
        progress("check", i, 10)
    progress.finish()
    out = stream.getvalue()
    for text in ("parsing 3 files", "parsed 3 files", "evaluating values and building the resource graph", "running checks 10/10"):
        assert text in out
    assert out.endswith("\r\033[K")
    assert TerminalProgress.enabled(Tty()) and not TerminalProgress.enabled(io.StringIO())


def test_no_progress_when_not_a_terminal(tmp_path):
    write(tmp_path, {"main.tf": SG_OPEN})
    res = cli(["scan", ".", "--format", "json", "-o", "r.json"], tmp_path)
    assert res.stderr == "iacguard: 1 finding(s) in 1 file(s); report written to r.json\n"
    res = cli(["scan", ".", "--format", "json", "-o", "r.json", "--quiet"], tmp_path)
    assert res.stderr == ""
    res = cli(["scan", ".", "--output-file", "sarif=r.sarif", "--verbose"], tmp_path)
    assert "iacguard: configuration: none" in res.stderr and "sarif report written to" in res.stderr
    assert cli(["scan", ".", "--quiet", "--verbose"], tmp_path).exit_code == 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminal test")
def test_progress_on_a_real_terminal(tmp_path):
    import pty

    write(tmp_path, {"main.tf": SG_OPEN})
    code = "from iacguard.cli import main; main()"
    for quiet, expect in ((False, True), (True, False)):
        master, slave = pty.openpty()
        args = [sys.executable, "-c", code, "scan", ".", "--format", "json"] + (["--quiet"] if quiet else [])
        proc = subprocess.run(args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=slave, timeout=60)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        err = b"".join(chunks).decode()
        assert proc.returncode == 1
        assert ("running checks" in err) is expect, err
        assert proc.stdout.startswith(b"{")  # the report on stdout is untouched
