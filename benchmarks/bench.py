"""Scan speed and memory on generated repositories.

    python benchmarks/bench.py [--sizes 1000,10000,100000] [--jobs N] [--keep DIR]
    python benchmarks/bench.py --repo PATH   # time a real repository, cold and warm

Generates synthetic repositories (Terraform root modules calling a local module, plus
CloudFormation templates) with the given numbers of resources, scans each cold (empty parse cache)
and warm (cache filled by the cold run), each in a fresh process, and prints files/s, resources/s,
MB/s, wall time and peak memory (max RSS of the scanning process). Nothing here runs in the test
suite.
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

TF_MODULE = '''variable "name" {}
variable "cidr" {
  default = "10.0.0.0/16"
}

resource "aws_security_group" "this" {
  name = "sg-${var.name}"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}

resource "aws_s3_bucket" "this" {
  bucket = "bucket-${var.name}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

output "bucket_id" {
  value = aws_s3_bucket.this.id
}
'''

TF_ROOT_BLOCK = '''
module "m{i}" {{
  source = "../../modules/app"
  name   = "app{i}"
}}

resource "aws_ebs_volume" "v{i}" {{
  availability_zone = "eu-west-1a"
  size              = {size}
  encrypted         = {enc}
  tags = {{
    Name  = "vol-{i}"
    Owner = local.owner
  }}
}}
'''

CFN_RESOURCE = '''  Bucket{i}:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${{AWS::StackName}}-bucket-{i}"
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
  Sg{i}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Ref Description
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: !Ref AllowedCidr
'''


def generate(folder: str, resources: int) -> None:
    """About half the resources in Terraform (3 per module call + 1 volume), half in CloudFormation."""
    os.makedirs(os.path.join(folder, "modules", "app"), exist_ok=True)
    with open(os.path.join(folder, "modules", "app", "main.tf"), "w") as fh:
        fh.write(TF_MODULE)
    tf_units = resources // 2 // 4  # each unit: module (3 resources) + 1 volume
    per_file = 50
    stacks = 0
    for start in range(0, tf_units, per_file * 20):
        stack = os.path.join(folder, "live", "stack%03d" % stacks)
        os.makedirs(stack, exist_ok=True)
        with open(os.path.join(stack, "locals.tf"), "w") as fh:
            fh.write('locals {\n  owner = "platform"\n}\n')
        for f0 in range(start, min(start + per_file * 20, tf_units), per_file):
            with open(os.path.join(stack, "units_%05d.tf" % f0), "w") as fh:
                for i in range(f0, min(f0 + per_file, tf_units)):
                    fh.write(TF_ROOT_BLOCK.format(i=i, size=10 + i % 50, enc="true" if i % 7 else "false"))
        stacks += 1
    cfn_units = resources // 2 // 2
    os.makedirs(os.path.join(folder, "cloudformation"), exist_ok=True)
    per_template = 100
    for t0 in range(0, cfn_units, per_template):
        with open(os.path.join(folder, "cloudformation", "stack_%05d.yaml" % t0), "w") as fh:
            fh.write("AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  AllowedCidr:\n    Type: String\n    Default: 10.0.0.0/8\n  Description:\n    Type: String\n    Default: app\nResources:\n")
            for i in range(t0, min(t0 + per_template, cfn_units)):
                fh.write(CFN_RESOURCE.format(i=i))


def tree_size(folder: str) -> tuple:
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for n in filenames:
            if n.endswith((".tf", ".yaml", ".yml", ".json", ".template", ".tfvars")):
                files += 1
                size += os.path.getsize(os.path.join(dirpath, n))
    return files, size


def timed_scan(path: str, cache_dir: str, jobs: int) -> dict:
    cmd = [sys.executable, "-m", "iacguard.cli", "scan", path, "--format", "json", "--fail-on", "none", "--cache-dir", cache_dir]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        raise SystemExit("scan failed (%d): %s" % (proc.returncode, proc.stderr[-2000:]))
    report = json.loads(proc.stdout)
    return {"wall": wall, "peak_mb": max(peak_kb, before) / 1024.0, "resources": report["summary"]["resources"], "findings": len(report["findings"])}


def line(label: str, files: int, size: int, r: dict) -> str:
    w = r["wall"] or 1e-9
    return "%-18s %7.2f s  %8.0f files/s  %9.0f resources/s  %6.2f MB/s  peak %6.0f MB  (%d resources, %d findings)" % (
        label, r["wall"], files / w, r["resources"] / w, size / 1e6 / w, r["peak_mb"], r["resources"], r["findings"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--keep", help="generate into this folder and keep it")
    ap.add_argument("--repo", help="benchmark an existing repository instead")
    args = ap.parse_args()
    print("machine: %s, %d CPUs, Python %s" % (os.uname().machine, os.cpu_count() or 0, sys.version.split()[0]))
    targets = []
    work = args.keep or tempfile.mkdtemp(prefix="iacguard-bench-")
    if args.repo:
        targets.append((args.repo, args.repo))
    else:
        for n in (int(x) for x in args.sizes.split(",") if x):
            folder = os.path.join(work, "synthetic-%d" % n)
            if not os.path.isdir(folder):
                generate(folder, n)
            targets.append(("%d resources" % n, folder))
    try:
        for label, folder in targets:
            files, size = tree_size(folder)
            cache = tempfile.mkdtemp(prefix="iacguard-cache-")
            try:
                cold = timed_scan(folder, cache, args.jobs)
                warm = timed_scan(folder, cache, args.jobs)
            finally:
                shutil.rmtree(cache, ignore_errors=True)
            print("%s: %d files, %.1f MB" % (label, files, size / 1e6))
            print("  " + line("cold", files, size, cold))
            print("  " + line("warm", files, size, warm))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
