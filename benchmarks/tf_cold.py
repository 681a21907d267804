"""Cold scans of Terraform trees, CPU (user+sys of the child) of two installs interleaved
(issue 17): `python benchmarks/tf_cold.py ROUNDS EXE_A EXE_B TREE...` prints per tree the
minimum and median CPU of each install and the change of the medians. Runs alternate A, B, A,
B... so that a busy machine slows both alike; prints figures, asserts nothing."""
from __future__ import annotations

import os
import subprocess
import sys


def cpu(exe: str, tree: str) -> float:
    args = [exe, "scan", tree, "-q", "--format", "json", "-o", os.devnull, "--fail-on", "none", "--no-cache"]
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    if status:
        raise SystemExit("%s failed on %s" % (exe, tree))
    return usage.ru_utime + usage.ru_stime


def main(argv: list) -> None:
    rounds, a, b, trees = int(argv[0]), argv[1], argv[2], argv[3:]
    total = [0.0, 0.0]
    for tree in trees:
        got: dict = {a: [], b: []}
        for _ in range(rounds):
            for exe in (a, b):
                got[exe].append(cpu(exe, tree))
        med = [sorted(got[e])[len(got[e]) // 2] for e in (a, b)]
        low = [min(got[e]) for e in (a, b)]
        total[0] += med[0]
        total[1] += med[1]
        print("%-14s A min %.3f med %.3f   B min %.3f med %.3f   median %+.1f%%" % (os.path.basename(tree.rstrip("/")), low[0], med[0], low[1], med[1], (med[1] / med[0] - 1) * 100))
    print("%-14s A med %.3f   B med %.3f   %+.1f%%" % ("total", total[0], total[1], (total[1] / total[0] - 1) * 100))


if __name__ == "__main__":
    main(sys.argv[1:])
