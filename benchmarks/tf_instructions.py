"""Instructions of a cold scan (issue 17), counted by valgrind's callgrind: unlike CPU time on a
shared machine, the count hardly moves from one run to the next (PYTHONHASHSEED is fixed), so a
change of a percent or two can be seen in one run.

`python benchmarks/tf_instructions.py EXE_A [EXE_B] TREE...` prints, per tree, the millions of
instructions of `EXE scan TREE -q --format json -o /dev/null --fail-on none --no-cache` for each
executable and the change from A to B. Each run takes 50-80 times as long as the scan itself.
Prints figures, asserts nothing; says so and stops when valgrind is not installed."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys


def instructions(exe: str, tree: str) -> int:
    args = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + os.devnull, exe, "scan", tree, "-q",
            "--format", "json", "-o", os.devnull, "--fail-on", "none", "--no-cache"]
    env = dict(os.environ, PYTHONHASHSEED="0")
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    found = re.search(r"Collected : ([0-9]+)", done.stderr)
    if done.returncode or found is None:
        raise SystemExit("%s failed on %s:\n%s" % (exe, tree, done.stderr[-2000:]))
    return int(found.group(1))


def main(argv: list) -> None:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: nothing measured")
        return
    exes = [a for a in argv if not os.path.isdir(a)]
    trees = [a for a in argv if os.path.isdir(a)]
    if not exes or len(exes) > 2 or not trees:
        raise SystemExit(__doc__)
    total = [0] * len(exes)
    for tree in trees:
        got = [instructions(exe, tree) for exe in exes]
        total = [t + g for t, g in zip(total, got)]
        change = "   %+.1f%%" % ((got[1] / got[0] - 1) * 100) if len(got) == 2 else ""
        print("%-14s %s%s" % (os.path.basename(tree.rstrip("/")), "   ".join("%8.1fM" % (g / 1e6) for g in got), change))
    if len(trees) > 1:
        change = "   %+.1f%%" % ((total[1] / total[0] - 1) * 100) if len(total) == 2 else ""
        print("%-14s %s%s" % ("total", "   ".join("%8.1fM" % (t / 1e6) for t in total), change))


if __name__ == "__main__":
    main(sys.argv[1:])
