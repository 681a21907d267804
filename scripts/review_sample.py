"""Draw the sample of the accuracy review (docs/finding-review.md) from JSON reports.

    python scripts/review_sample.py DIR [--seed 13] [--size 100] > sample.json

DIR holds one `iacguard scan --format json` report per repository, named <repository>.json.
Repositories are taken in turn; in a first phase each picks, at random, a check id not yet in
the sample and then one of its findings, until the sample is full or no repository has a new
check id; a second phase fills up with random findings of check ids that have fewer than 5.
The same reports and seed give the same sample.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import sys

PER_CHECK = 5


def draw(reports: dict, seed: int, size: int) -> list:
    rng = random.Random(seed)
    order = list(reports)
    by_repo = {r: sorted(fs, key=lambda f: (f["check_id"], f["file"], f["start_line"], f["resource"]["address"]))
               for r, fs in reports.items()}
    sample, ids = [], collections.Counter()
    while len(sample) < size:
        added = False
        for r in order:
            if len(sample) >= size:
                break
            cands = [f for f in by_repo[r] if ids[f["check_id"]] == 0]
            if not cands:
                continue
            cid = rng.choice(sorted({f["check_id"] for f in cands}))
            f = rng.choice([f for f in cands if f["check_id"] == cid])
            sample.append((r, f))
            ids[cid] += 1
            added = True
        if not added:
            break
    while len(sample) < size:
        added = False
        for r in order:
            if len(sample) >= size:
                break
            taken = {(x[0], x[1]["fingerprint"]) for x in sample}
            cands = [f for f in by_repo[r] if ids[f["check_id"]] < PER_CHECK and (r, f["fingerprint"]) not in taken]
            if not cands:
                continue
            f = rng.choice(cands)
            sample.append((r, f))
            ids[f["check_id"]] += 1
            added = True
        if not added:
            break
    return [dict(n=i + 1, repo=r, file=f["file"], line=f["start_line"], end=f["end_line"], check=f["check_id"],
                 resource=f["resource"]["address"], message=f["message"], fingerprint=f["fingerprint"])
            for i, (r, f) in enumerate(sample)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--repos", nargs="*", help="repository order (default: the review's)")
    args = ap.parse_args()
    repos = args.repos or ["eks", "cloudgoat", "tfsec", "terraform-aws-rds", "aws-refarch-wordpress",
                           "serverless-patterns", "aws-cloudformation-templates", "terraform-aws-vpc",
                           "terraform-aws-s3-bucket"]
    reports = {r: json.load(open(os.path.join(args.dir, r + ".json")))["findings"] for r in repos}
    json.dump(draw(reports, args.seed, args.size), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
