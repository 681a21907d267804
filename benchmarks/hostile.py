"""Evaluation bombs: small files that multiply the per-level bounds (issue 9, point 5).

    python benchmarks/hostile.py [--case a,b,...] [--keep DIR] [-- extra scan options]

Builds each case in its own folder -- the bomb in one root (a Terraform root module folder or a
CloudFormation top-level template) and beside it, in another root, an S3 bucket without a
public access block that AWS-S3-002 reports -- scans it with the default budgets in a fresh
process, and prints the wall and CPU time, the peak memory of the scanning process (max RSS), the exit
code, the "evaluation cut short" note and whether the other root's finding was reported. Every
case must end well under 30 s and 2 GiB. tests/hostile/test_evaluation_budget.py builds the
same trees (it imports `CASES` from here).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

OK_TF = 'resource "aws_s3_bucket" "open" {\n  bucket = "open"\n}\n'
OK_CFN = "Resources:\n  Open:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: open\n"
BUCKET_TF = 'resource "aws_s3_bucket" "b" {\n  bucket = %s\n}\n'


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def _terraform(folder: str, files: dict) -> None:
    """The bomb under `bomb/`, the insecure bucket in the root module `ok/`."""
    for name, text in files.items():
        _write(os.path.join(folder, "bomb", name), text)
    _write(os.path.join(folder, "ok", "main.tf"), OK_TF)


def self_call_twice(folder: str) -> None:
    """a. A module calling `./` (itself) twice: 2^32 module instances."""
    _terraform(folder, {"main.tf": (
        'variable "n" {\n  default = 0\n}\n'
        'module "left" {\n  source = "./"\n  n      = var.n + 1\n}\n'
        'module "right" {\n  source = "./"\n  n      = var.n + 1\n}\n'
        + BUCKET_TF % '"b-${var.n}"'
    )})


def count_three_deep(folder: str) -> None:
    """b. `count = 1000` three module levels deep: 10^9 module instances."""
    files = {"main.tf": 'module "l1" {\n  source = "./l1"\n  count  = 1000\n}\n'}
    files["l1/main.tf"] = 'module "l2" {\n  source = "../l2"\n  count  = 1000\n}\n'
    files["l2/main.tf"] = 'module "l3" {\n  source = "../l3"\n  count  = 1000\n}\n'
    files["l3/main.tf"] = BUCKET_TF % '"leaf"'
    _terraform(folder, files)


def nested_for(folder: str) -> None:
    """c. Three nested `for` expressions over range(1000): 10^9 iterations."""
    _terraform(folder, {"main.tf": (
        'locals {\n  cube = [for i in range(1000) : [for j in range(1000) : [for k in range(1000) : "${i}-${j}-${k}"]]]\n}\n'
        + BUCKET_TF % "length(local.cube)"
    )})


def doubling_locals(folder: str) -> None:
    """d. 34 locals, each the previous string twice: 2^34 times the first."""
    lines = ['  s0 = "%s"' % ("x" * 64)]
    lines += ['  s%d = "${local.s%d}${local.s%d}"' % (i, i - 1, i - 1) for i in range(1, 35)]
    _terraform(folder, {"main.tf": "locals {\n%s\n}\n" % "\n".join(lines) + BUCKET_TF % "local.s34"})


def splat_product(folder: str) -> None:
    """e. `[*]` references in a 1000x1000 product: every instance of one resource refers to
    every instance of another, and a for over two splats pairs them all."""
    _terraform(folder, {"main.tf": (
        'resource "aws_s3_bucket" "a" {\n  count  = 1000\n  bucket = "a-${count.index}"\n}\n'
        'resource "aws_sqs_queue" "q" {\n  count = 1000\n  name  = "q-${count.index}"\n'
        '  tags  = { a = join(",", aws_s3_bucket.a[*].bucket), b = length(aws_s3_bucket.a[*].arn), c = aws_s3_bucket.a[*].id }\n}\n'
        'locals {\n  pairs = [for x in aws_s3_bucket.a[*].bucket : [for y in aws_sqs_queue.q[*].name : "${x}/${y}"]]\n}\n'
        'resource "aws_iam_policy" "p" {\n  count  = 1000\n  policy = jsonencode(local.pairs)\n}\n'
    )})


def regex_under_count(folder: str) -> None:
    """f. A backtracking regex() under count = 1000 (1 s timer per call on main)."""
    _terraform(folder, {"main.tf": (
        'resource "aws_s3_bucket" "b" {\n  count  = 1000\n'
        '  bucket = can(regex("^(a+)+$", "%s!")) ? "x" : "y"\n}\n' % ("a" * 40)
    )})


def shared_list(folder: str) -> None:
    """i. 40 locals, each a list holding the previous one twice: small in memory (one list per
    local) but 2^40 items to walk for jsonencode() or any function that looks inside."""
    lines = ['  l0 = ["x"]'] + ["  l%d = [local.l%d, local.l%d]" % (i, i - 1, i - 1) for i in range(1, 41)]
    _terraform(folder, {"main.tf": "locals {\n%s\n}\n" % "\n".join(lines) + BUCKET_TF % "jsonencode(local.l40)"})


def cfn_doubling_names(folder: str) -> None:
    """g. CloudFormation: each bucket's name joins the previous bucket's Ref twice."""
    lines = ["Resources:", "  B0:", "    Type: AWS::S3::Bucket", "    Properties:", "      BucketName: %s" % ("x" * 64)]
    for i in range(1, 41):
        lines += ["  B%d:" % i, "    Type: AWS::S3::Bucket", "    Properties:",
                  "      BucketName: !Join ['', [!Ref B%d, !Ref B%d]]" % (i - 1, i - 1)]
    _write(os.path.join(folder, "bomb.yaml"), "\n".join(lines) + "\n")
    _write(os.path.join(folder, "ok.yaml"), OK_CFN)


def cfn_nested_stacks(folder: str, depth: int = 20, fanout: int = 4) -> None:
    """h. CloudFormation nested stacks: each template nests the next one `fanout` times."""
    for level in range(depth):
        lines = ["Resources:", "  Queue:", "    Type: AWS::SQS::Queue"]
        if level + 1 < depth:
            for k in range(fanout):
                lines += ["  Next%d:" % k, "    Type: AWS::CloudFormation::Stack", "    Properties:",
                          "      TemplateURL: ./s%02d.yaml" % (level + 1)]
        _write(os.path.join(folder, "stacks", "s%02d.yaml" % level), "\n".join(lines) + "\n")
    _write(os.path.join(folder, "ok.yaml"), OK_CFN)


# name -> (builder, the root the note names, what the other root's finding is on)
CASES = {
    "a": (self_call_twice, "root module bomb", "aws_s3_bucket.open"),
    "b": (count_three_deep, "root module bomb", "aws_s3_bucket.open"),
    "c": (nested_for, "root module bomb", "aws_s3_bucket.open"),
    "d": (doubling_locals, "root module bomb", "aws_s3_bucket.open"),
    "e": (splat_product, "root module bomb", "aws_s3_bucket.open"),
    "f": (regex_under_count, "root module bomb", "aws_s3_bucket.open"),
    "i": (shared_list, "root module bomb", "aws_s3_bucket.open"),
    "g": (cfn_doubling_names, "template bomb.yaml", "Open"),
    "h": (cfn_nested_stacks, "template stacks/s00.yaml", "Open"),
}


def scan_command(folder: str, extra: list = ()) -> list:
    return [sys.executable, "-m", "iacguard.cli", "scan", folder, "--format", "json", "--fail-on", "none", "--no-cache", "--quiet", *extra]


def run_case(name: str, folder: str, extra: list = ()) -> dict:
    builder, root, _ = CASES[name]
    builder(folder)
    t0 = time.perf_counter()
    proc = subprocess.run(scan_command(folder, extra), capture_output=True, text=True)
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = usage.ru_maxrss / 1024.0  # the largest child so far: run one case per process
    cpu = usage.ru_utime + usage.ru_stime
    notes, found = [], False
    try:
        report = json.loads(proc.stdout)
        notes = [n["message"] for n in report.get("notifications", []) if n["message"].startswith("evaluation cut short: ")]
        found = any(f["check_id"] == "AWS-S3-002" and CASES[name][2] in json.dumps(f) for f in report["findings"])
    except (ValueError, KeyError):
        pass
    return {"wall": wall, "cpu": cpu, "peak_mb": peak, "rc": proc.returncode, "notes": notes, "found": found, "stderr": proc.stderr[-400:]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default=",".join(CASES))
    ap.add_argument("--keep", help="build the cases in this folder and keep them")
    ap.add_argument("--one", nargs=2, metavar=("CASE", "DIR"), help=argparse.SUPPRESS)
    ap.add_argument("extra", nargs="*", help="extra scan options (after --)")
    args = ap.parse_args()
    if args.one:
        # In a process of its own, so that RUSAGE_CHILDREN's max RSS is this case's scan alone.
        print(json.dumps(run_case(args.one[0], args.one[1], args.extra)))
        return
    work = args.keep or tempfile.mkdtemp(prefix="iacguard-hostile-")
    print("machine: %s, %d CPUs, Python %s; default budgets" % (os.uname().machine, os.cpu_count() or 0, sys.version.split()[0]))
    try:
        for name in args.case.split(","):
            proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", name, os.path.join(work, name), "--", *args.extra], capture_output=True, text=True)
            r = json.loads(proc.stdout)
            print("%s  %6.2f s (cpu %6.2f s)  peak %6.0f MB  exit %d  other root reported: %-3s  %s%s" % (
                name, r["wall"], r["cpu"], r["peak_mb"], r["rc"], "yes" if r["found"] else "NO",
                r["notes"][0] if r["notes"] else "(no cut-short note)", ("  stderr: " + r["stderr"]) if r["stderr"].strip() else ""))
            sys.stdout.flush()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
