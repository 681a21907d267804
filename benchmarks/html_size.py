"""How large the HTML report of a scan with many findings is (issue 15: under 2 MB for 1,000).

    python benchmarks/html_size.py [--findings 1000] [--paths 0.1] [--keep DIR] [--out PAGE]

Builds a synthetic scan result (no parsing): `--findings` findings spread over the real check
catalogue and over 50 Terraform and CloudFormation files of 400 lines each written to a temporary
folder (so every finding shows its source lines), a third with a value origin, a share (`--paths`)
with an attack path of five steps, two of them missing layers. Renders `--format html` and prints
the page's size in bytes and MB, the share of it taken by the check explanations, the inline
style and script, and the render time (informative only: the browser's render time is
benchmarks/html_browser.py's). Nothing here runs in the test suite; tests/output/test_output_html.py
renders a smaller result of the same shape (`synthetic_result`) and checks its size per finding.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

LIMIT = 2_000_000  # "2 MB" read strictly (decimal)


def _source(i: int, language: str) -> str:
    if language == "terraform":
        block = (
            'resource "aws_s3_bucket" "b%d_%d" {\n  bucket = "bucket-%d-%d"\n  tags = {\n    Team  = "payments"\n'
            '    Owner = "platform@example.com"\n  }\n  force_destroy = false\n}\n\n'
        )
    else:
        block = (
            "  Bucket%d%d:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: bucket-%d-%d\n"
            "      Tags:\n        - Key: Team\n          Value: payments\n      VersioningConfiguration: {}\n\n"
        )
    head = "" if language == "terraform" else "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
    return head + "".join(block % (i, n, i, n) for n in range(45))


def synthetic_result(root: str, findings: int = 1000, paths: float = 0.1, files: int = 50):
    """A ScanResult of `findings` findings over `files` files written under `root`."""
    from iacguard.checks import REGISTRY
    from iacguard.core.model import Finding, Location, PathStep, Resource, ScanResult

    root = os.path.realpath(root)
    names = []
    for i in range(files):
        language = "terraform" if i % 3 else "cloudformation"
        name = os.path.join(root, "stack%02d" % (i // 10), "file%02d.%s" % (i, "tf" if language == "terraform" else "yaml"))
        os.makedirs(os.path.dirname(name), exist_ok=True)
        with open(name, "w", encoding="utf-8") as fh:
            fh.write(_source(i, language))
        names.append((name, language))
    checks = sorted(REGISTRY, key=lambda c: c.id)
    out = []
    every = max(1, round(1 / paths)) if paths > 0 else 0
    for n in range(findings):
        path, language = names[n % files]
        check = checks[n % len(checks)]
        line = 1 + (n * 7) % 390
        res = Resource(
            id="r%d" % n, address="aws_s3_bucket.b%d_%d" % (n % files, n % 45), type="aws_s3_bucket", language=language,
            properties={}, location=Location(path, line, line + 7),
        )
        related = ((Location(path, line + 1, line + 1), "variable bucket_name"),) if n % 3 == 0 else ()
        steps = ()
        if every and n % every == 0:
            kinds = [("aws_lb", "web"), ("aws_lb_listener", "https"), ("aws_instance", "app"), ("aws_iam_role", "app"), ("aws_s3_bucket", "media")]
            steps = tuple(
                PathStep(
                    Resource(id="s%d_%d" % (n, k), address="%s.%s%d" % (t, a, n), type=t, language=language, properties={}, location=Location(path, line, line)),
                    "step %d of the path" % k, Location(path, line, line), ("waf", "tls") if k in (0, 2) else (),
                )
                for k, (t, a) in enumerate(kinds)
            )
        out.append(Finding(check.id, res, "%s on %s." % (check.title, res.address), Location(path, line, line + 7), related=related, path=steps))
    out.sort(key=lambda f: f.sort_key)
    return ScanResult(
        findings=out, checks=checks, notifications=[], files=sorted(p for p, _ in names), resources=findings,
        roots=[root], cwd=os.path.dirname(root),
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--findings", type=int, default=1000)
    ap.add_argument("--paths", type=float, default=0.1, help="share of the findings with an attack path")
    ap.add_argument("--keep", help="write the synthetic files here (kept) instead of a temporary folder")
    ap.add_argument("--out", help="also write the page here")
    args = ap.parse_args(argv)
    from iacguard.output import html

    root = args.keep or tempfile.mkdtemp(prefix="iacguard-html-size-")
    try:
        result = synthetic_result(os.path.join(root, "tree"), args.findings, args.paths)
        start = time.perf_counter()
        page = html.render(result)
        seconds = time.perf_counter() - start
        size = len(page.encode("utf-8"))
        explain = sum(len(m) for m in _explanations(page))
        assets = len(html._asset("report.css")) + len(html._asset("report.js"))
        if args.out:
            with open(args.out, "w", encoding="utf-8") as fh:
                fh.write(page)
        print("findings: %d (%d with an attack path), files: %d" % (len(result.findings), sum(1 for f in result.findings if f.path), len(result.files)))
        print("page: %d bytes (%.2f MB), %d bytes per finding; limit %d bytes: %s"
              % (size, size / 1024 / 1024, size // max(1, len(result.findings)), LIMIT, "under" if size < LIMIT else "OVER"))
        print("check explanations: %d bytes (%.0f%%); inline style + script: %d bytes" % (explain, 100.0 * explain / size, assets))
        print("render: %.3f s (Python, informative)" % seconds)
        return 0 if size < LIMIT else 1
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


def _explanations(page: str):
    start = 0
    while True:
        i = page.find('<details class="explain" id=', start)
        if i < 0:
            return
        j = page.find("</details>", i)
        yield page[i:j]
        start = j


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(main())
