"""`iacguard iam simulate` and `who-can` speed: on sample_iac and on a generated tree with N roles
(default 1,000), each with an inline policy, an attached customer managed policy, an AWS managed
policy, a trust policy and a permissions boundary, plus buckets with bucket policies.

    python benchmarks/iam.py [--roles 1000] [--keep DIR]

Each command runs in a fresh process (what a user waits for, start-up included); the figures are
the best of 3 wall times. Targets (issue 12): simulate under 1 s on sample_iac and under 3 s on
1,000 roles. Nothing here runs in the test suite.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

ROLE = '''
resource "aws_iam_role" "r{i}" {{
  name                 = "role-{i}"
  permissions_boundary = aws_iam_policy.boundary.arn
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "ec2.amazonaws.com" }}, Action = "sts:AssumeRole" }}]
  }})
}}

data "aws_iam_policy_document" "p{i}" {{
  statement {{
    sid       = "Read{i}"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.b{b}.arn, "${{aws_s3_bucket.b{b}.arn}}/*"]
  }}
  statement {{
    sid       = "DenyDelete{i}"
    effect    = "Deny"
    actions   = ["s3:Delete*"]
    resources = ["*"]
  }}
}}

resource "aws_iam_role_policy" "p{i}" {{
  role   = aws_iam_role.r{i}.id
  policy = data.aws_iam_policy_document.p{i}.json
}}

resource "aws_iam_policy" "m{i}" {{
  name = "managed-{i}"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Sid = "Queue{i}", Effect = "Allow", Action = ["sqs:SendMessage"], Resource = "arn:aws:sqs:us-east-1:111122223333:q{i}" }}]
  }})
}}

resource "aws_iam_role_policy_attachment" "m{i}" {{
  role       = aws_iam_role.r{i}.name
  policy_arn = aws_iam_policy.m{i}.arn
}}

resource "aws_iam_role_policy_attachment" "ro{i}" {{
  role       = aws_iam_role.r{i}.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}}
'''

BUCKET = '''
resource "aws_s3_bucket" "b{b}" {{
  bucket = "bench-bucket-{b}"
}}

resource "aws_s3_bucket_policy" "b{b}" {{
  bucket = aws_s3_bucket.b{b}.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Sid = "TLS", Effect = "Deny", Principal = "*", Action = "s3:*",
                   Resource = ["arn:aws:s3:::bench-bucket-{b}", "arn:aws:s3:::bench-bucket-{b}/*"],
                   Condition = {{ Bool = {{ "aws:SecureTransport" = "false" }} }} }}]
  }})
}}
'''

HEADER = '''
provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["111122223333"]
}

resource "aws_iam_policy" "boundary" {
  name   = "boundary"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:*", "sqs:*"], Resource = "*" }] })
}
'''


def generate(folder: str, roles: int) -> None:
    buckets = max(1, roles // 10)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "main.tf"), "w") as f:
        f.write(HEADER)
        for b in range(buckets):
            f.write(BUCKET.format(b=b))
    per_file = 100
    for start in range(0, roles, per_file):
        with open(os.path.join(folder, "roles_%04d.tf" % start), "w") as f:
            for i in range(start, min(roles, start + per_file)):
                f.write(ROLE.format(i=i, b=i % buckets))


def timed(args: list, runs: int = 3) -> tuple:
    best, out = None, None
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "iacguard.cli", *args], capture_output=True, text=True, cwd=ROOT)
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
        out = proc
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--roles", type=int, default=1000)
    ap.add_argument("--keep", help="generate into this folder and keep it")
    a = ap.parse_args()
    folder = a.keep or tempfile.mkdtemp(prefix="iacguard-iam-bench-")
    try:
        generate(folder, a.roles)
        cases = [
            ("sample_iac simulate", ["iam", "simulate", "sample_iac", "--principal", "aws_iam_role.app", "--action", "s3:GetObject", "--resource", "aws_s3_bucket.assets/index.html"]),
            ("sample_iac who-can", ["iam", "who-can", "sample_iac", "--action", "s3:GetObject", "--resource", "aws_s3_bucket.assets/index.html"]),
            ("%d roles simulate" % a.roles, ["iam", "simulate", folder, "--principal", "aws_iam_role.r7", "--action", "s3:GetObject", "--resource", "aws_s3_bucket.b7/key", "--format", "json"]),
            ("%d roles who-can" % a.roles, ["iam", "who-can", folder, "--action", "s3:GetObject", "--resource", "aws_s3_bucket.b7/key", "--format", "json"]),
        ]
        print("%-28s %9s  %s" % ("case", "best of 3", "answer"))
        for name, args in cases:
            seconds, proc = timed(args)
            first = (proc.stdout.strip().splitlines() or [proc.stderr.strip()[:80]])[0]
            print("%-28s %8.2fs  exit %d, %s" % (name, seconds, proc.returncode, first[:70]))
    finally:
        if not a.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
