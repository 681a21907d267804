"""Two installs of iacguard side by side, in one run, on the same trees: the way the catalogue's
cost is measured against the release before it (this machine's speed varies by a third from one
hour to the next, so only interleaved runs compare).

    python benchmarks/compare.py --before /path/to/old-venv/bin/iacguard --after iacguard \\
        [--rounds 7] TREE [TREE...]

For each tree: a cold scan (empty cache) then a warm one (the cache the cold run filled), each in
a fresh process, both installs alternating in each round; then the median CPU time (user +
system) and the peak memory of each. Install both without `-e` (an editable install under
PYTHONDONTWRITEBYTECODE compiles every module on every run). Nothing here runs in the tests.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time


def run(exe: str, tree: str, cache: str | None) -> tuple:
    args = [exe, "scan", tree, "-q", "--format", "json", "-o", os.devnull, "--fail-on", "none"]
    args += ["--cache-dir", cache] if cache else ["--no-cache"]
    started = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.monotonic() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def median(xs: list) -> float:
    xs = sorted(xs)
    return xs[len(xs) // 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--cold-only", action="store_true", help="no warm scan (large trees: --no-cache)")
    ap.add_argument("trees", nargs="+")
    a = ap.parse_args()
    installs = {"before": a.before, "after": a.after}
    for tree in a.trees:
        got = {name: {"cold": [], "warm": []} for name in installs}
        for r in range(a.rounds):
            order = list(installs.items()) if r % 2 == 0 else list(installs.items())[::-1]
            for name, exe in order:
                if a.cold_only:
                    got[name]["cold"].append(run(exe, tree, None))
                    continue
                cache = tempfile.mkdtemp(prefix="iacguard-compare-")
                try:
                    got[name]["cold"].append(run(exe, tree, cache))
                    got[name]["warm"].append(run(exe, tree, cache))
                finally:
                    shutil.rmtree(cache, ignore_errors=True)
        print(tree)
        for phase in ("cold", "warm"):
            if not got["before"][phase]:
                continue
            b = median([x[1] for x in got["before"][phase]])
            c = median([x[1] for x in got["after"][phase]])
            mem_b = max(x[2] for x in got["before"][phase])
            mem_c = max(x[2] for x in got["after"][phase])
            print("  %-4s  before %.3f s  after %.3f s  (%+.0f%%)   peak memory %.0f -> %.0f MB" % (
                phase, b, c, (c / b - 1) * 100 if b else 0, mem_b, mem_c))


if __name__ == "__main__":
    main()
