"""The report phase's memory: peak RSS of a whole scan that writes a JSON or SARIF report.

Issue 17's CloudFormation target is 100,000 resources in 2,000 templates under 1 GiB peak
(maxrss <= 1,048,576 KB). The report used to be built whole (a dict per finding, unknown,
undecided record, then one string of the whole text, 70 MB at that size) on top of the scan's
result; it is now written as it is made (output.chunks, atomic.write_chunks).

Runs `iacguard scan TARGET -q --format FMT -o FILE --fail-on none --no-cache -j 1` with each
--python given (compiled installs: several are measured side by side, runs interleaved) and
prints, per format, the median maxrss (KB, from os.wait4) and CPU (user+sys) of --runs runs, and
whether every install wrote the same bytes (sha256 of the report, times left out; to a file
and, with --stdout, to standard output as well).

    python benchmarks/report_memory.py --python /work/venvs/A/bin/python --python /work/venvs/B/bin/python \\
        [--target /work/targets-trees/e-100000] [--formats json,sarif] [--runs 2] [--stdout]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import statistics
import subprocess
import sys
import tempfile

RUNNER = "import sys\nfrom iacguard.cli import main\nsys.argv = ['iacguard'] + sys.argv[1:]\nmain()\n"
TARGET = "/work/targets-trees/e-100000"
LIMIT_KB = 1_048_576
_TIMES = re.compile(rb'^  Duration: .*$|"(start|end)_time": "[^"]*"', re.MULTILINE)


def run_once(python: str, target: str, fmt: str, out: str, to_stdout: bool) -> tuple:
    """(maxrss KB, CPU seconds, sha256 of the report) of one scan in a fresh process."""
    args = [python, "-c", RUNNER, "scan", target, "-q", "--format", fmt, "--fail-on", "none", "--no-cache", "-j", "1"]
    if not to_stdout:
        args += ["-o", out]
    with open(out + ".stdout", "wb") as sink:
        proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())
        _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit("%s failed (status %d): %s" % (python, status, " ".join(args[3:])))
    with open(out + ".stdout" if to_stdout else out, "rb") as fh:
        text = _TIMES.sub(b"", fh.read())  # the text report's duration, GitLab SAST's times
        digest = hashlib.sha256(text).hexdigest()[:16]
    return usage.ru_maxrss, usage.ru_utime + usage.ru_stime, digest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", action="append", default=[], help="a Python with iacguard installed (repeatable)")
    ap.add_argument("--target", default=TARGET)
    ap.add_argument("--formats", default="json,sarif")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--stdout", action="store_true", help="also write each report to standard output (a file)")
    args = ap.parse_args()
    pythons = args.python or [sys.executable]
    if not os.path.isdir(args.target):
        raise SystemExit("no target folder %s (make it with benchmarks/targets.py)" % args.target)
    modes = [False, True] if args.stdout else [False]
    with tempfile.TemporaryDirectory(prefix="iacguard-report-memory-") as tmp:
        print("target %s, %d run(s) each, interleaved; limit %s KB" % (args.target, args.runs, format(LIMIT_KB, ",")))
        print("%-8s %-6s %-50s %12s %8s  %s" % ("format", "to", "python", "maxrss KB", "CPU s", "sha256"))
        for fmt in args.formats.split(","):
            for to_stdout in modes:
                samples = {py: [] for py in pythons}
                for _ in range(args.runs):
                    for i, py in enumerate(pythons):
                        samples[py].append(run_once(py, args.target, fmt, os.path.join(tmp, "r%d.%s" % (i, fmt)), to_stdout))
                digests = set()
                for py in pythons:
                    rss = statistics.median(s[0] for s in samples[py])
                    cpu = statistics.median(s[1] for s in samples[py])
                    digests.update(s[2] for s in samples[py])
                    print("%-8s %-6s %-50s %12s %8.1f  %s%s" % (fmt, "stdout" if to_stdout else "file", py[-50:], format(int(rss), ","), cpu,
                                                              samples[py][0][2], "  over 1 GiB" if rss > LIMIT_KB else ""))
                print("%-8s %-6s %s" % (fmt, "", "same bytes from every install" if len(digests) == 1 else "REPORTS DIFFER"))


if __name__ == "__main__":
    main()
