"""The scan cache on large scans, through the `iacguard` command: the entry keeps what
post-processing reads of the graph although the command empties a large graph before its report
(a warm scan lost the CloudFormation metadata suppressions), and a large scan's entry written by
a forked child while the report is written is there for the next scan (issue 17)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from iacguard.core import forked

TEMPLATE = """Resources:
  Logs:
    Type: AWS::S3::Bucket
    Metadata:
      iacguard:
        ignore:
          - id: AWS-S3-001
            reason: log bucket, encrypted by the organisation's default
"""

# Run the command in a fresh process; every graph counts as large (emptied before the report;
# its entry written in the background), and with "cached-only" a scan the cache does not answer
# fails.
RUN = r'''
import sys
from iacguard import engine, launch, scan_command
scan_command.RELEASE_MIN_NODES = 0
engine._BACKGROUND_MIN_RESOURCES = 0
if sys.argv[3] == "cached-only":
    def refuse(*args, **kwargs):
        raise SystemExit("not answered from the cache")
    engine._analyse = refuse
sys.argv = ["iacguard", "scan", sys.argv[1], "--format", "text", "--no-config", "--fail-on", "none",
            "--cache-dir", sys.argv[2], "-q", "--no-color"]
launch.run()
'''


def _run(tree, cache, mode="any") -> str:
    out = subprocess.run([sys.executable, "-c", RUN, str(tree), str(cache), mode], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return "\n".join(line for line in out.stdout.splitlines() if "Duration" not in line and "duration" not in line)


@pytest.mark.parametrize("background", [False, True])
def test_a_warm_scan_of_a_large_graph_keeps_metadata_suppressions(tmp_path, monkeypatch, background):
    if background and not forked.supported():
        pytest.skip("the background entry is written by a forked child (Linux)")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "t.yaml").write_text(TEMPLATE)
    cache = tmp_path / "cache"
    run = RUN if background else RUN.replace("engine._BACKGROUND_MIN_RESOURCES = 0", "engine._BACKGROUND_MIN_RESOURCES = 10 ** 9")
    monkeypatch.setattr(sys.modules[__name__], "RUN", run)
    cold = _run(tree, cache)
    assert "Suppressed: 1" in cold
    warm = _run(tree, cache, "cached-only")  # answered from the entry the first scan left
    assert warm == cold
    assert "Suppressed: 1" in _run(tree, cache, "cached-only")
