"""The floor: what a scan costs before it has anything to do.

Runs the installed `iacguard` (the one importable by this Python, or by each --python PY given:
several are timed side by side, runs interleaved) in fresh processes: `--version`, an empty folder, one Terraform file, one
CloudFormation file and sample_iac, each scan with `--no-cache -q`; then --eks FOLDER (default
/work/corpus6/eks, left out when missing) cold (`--no-cache`) and warm (answered from a cache
folder of its own that two scans filled first), with the warm/cold CPU ratio (issue 17: at least
10x). Prints the median wall and
CPU (user+sys of the child, from os.wait4) of --runs runs (default 9), interleaved so that a busy
moment hurts every case alike, and the number of modules each one imports (`python -X importtime`).
Time a compiled install (not an editable one under PYTHONDONTWRITEBYTECODE=1, which recompiles
every module on every run).

    python benchmarks/floor.py [--python /path/to/venv/bin/python ...] [--runs 9]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EKS = "/work/corpus6/eks"
SAMPLE = os.path.join(os.path.dirname(HERE), "sample_iac")

TF = 'resource "aws_s3_bucket" "b" {\n  bucket = "my-bucket"\n}\n'
CFN = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: my-bucket\n'

# What the `iacguard` console script pip writes runs (iacguard.launch: the scan command line read
# without click, the caches of compiled patterns and modules).
RUNNER = "import re\nimport sys\nfrom iacguard.launch import run\nsys.argv = ['iacguard'] + sys.argv[1:]\nsys.exit(run())\n"


def fixtures(root: str, eks: str = "") -> list:
    empty = os.path.join(root, "empty")
    tf = os.path.join(root, "tf")
    cfn = os.path.join(root, "cfn")
    for d in (empty, tf, cfn):
        os.makedirs(d)
    with open(os.path.join(tf, "main.tf"), "w") as f:
        f.write(TF)
    with open(os.path.join(cfn, "template.yaml"), "w") as f:
        f.write(CFN)
    cases = [("--version", ["--version"]), ("empty folder", ["scan", empty]), ("one TF file", ["scan", tf]), ("one CFN file", ["scan", cfn])]
    if os.path.isdir(SAMPLE):
        cases.append(("sample_iac", ["scan", SAMPLE]))
    cases = [(name, args if args == ["--version"] else args + ["-q", "--no-cache"]) for name, args in cases]
    if eks and os.path.isdir(eks):
        report = ["-q", "--format", "json", "-o", os.devnull]
        cases += [("eks cold", ["scan", eks, "--no-cache"] + report), ("eks warm", ["scan", eks, "--cache-dir", "{cache}"] + report)]
    return cases


def for_python(args: list, root: str, index: int) -> list:
    """`args` with {cache} replaced by a cache folder of the index-th Python's own."""
    return [a.replace("{cache}", os.path.join(root, "cache-%d" % index)) for a in args]


def run_once(python: str, args: list) -> tuple:
    start = time.perf_counter()
    proc = subprocess.Popen([python, "-c", RUNNER] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def module_count(python: str, args: list) -> int:
    proc = subprocess.run([python, "-X", "importtime", "-c", RUNNER] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tempfile.gettempdir())
    return sum(1 for line in proc.stderr.splitlines() if line.startswith("import time:") and not line.rstrip().endswith("imported package"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", help="the Python of an environment to time (repeatable; default: this one)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--eks", default=EKS, help="a tree timed cold and warm (default %(default)s; '' to leave out)")
    opts = parser.parse_args()
    pythons = opts.python or [sys.executable]
    with tempfile.TemporaryDirectory() as root:
        cases = fixtures(root, opts.eks)
        walls: dict = {(py, name): [] for py in pythons for name, _ in cases}
        cpus: dict = {(py, name): [] for py in pythons for name, _ in cases}
        for i, py in enumerate(pythons):
            run_once(py, cases[0][1])  # warm the file cache
            for name, args in cases:
                if "{cache}" in " ".join(args):
                    for _ in range(2):  # the first scan writes the scan entry, the second the rest
                        run_once(py, for_python(args, root, i))
        for _ in range(opts.runs):
            for name, args in cases:
                for i, py in enumerate(pythons):
                    wall, cpu = run_once(py, for_python(args, root, i))
                    walls[py, name].append(wall)
                    cpus[py, name].append(cpu)
        counts = {(py, name): module_count(py, for_python(args, root, i)) for i, py in enumerate(pythons) for name, args in cases}
    print("%d runs each, medians; wall and CPU (user+sys) in seconds" % opts.runs)
    print("%-14s" % "case" + "".join(" | %8s %8s %7s" % ("wall", "cpu", "modules") for _ in pythons))
    for name, _ in cases:
        print("%-14s" % name + "".join(" | %8.3f %8.3f %7d" % (statistics.median(walls[py, name]), statistics.median(cpus[py, name]), counts[py, name]) for py in pythons))
    names = [name for name, _ in cases]
    if "eks cold" in names and "eks warm" in names:
        print("%-14s" % "eks cold/warm" + "".join(" | %8.1fx %8.1fx %6s" % (
            statistics.median(walls[py, "eks cold"]) / statistics.median(walls[py, "eks warm"]),
            statistics.median(cpus[py, "eks cold"]) / statistics.median(cpus[py, "eks warm"]), "") for py in pythons))
    for i, py in enumerate(pythons, 1):
        print("column %d: %s" % (i, py))
    # Issue 17: an empty or one-file scan under 0.1 s.
    for py in pythons:
        worst = max(statistics.median(walls[py, name]) for name in ("empty folder", "one TF file", "one CFN file"))
        print("empty or one-file scan under 0.1 s (%s): %.3f s at most, %s" % (py, worst, "met" if worst < 0.1 else "not met"))


if __name__ == "__main__":
    main()
