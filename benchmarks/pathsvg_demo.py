"""Write an HTML page with the attack-path drawings of a scan, to look at them.

    python benchmarks/pathsvg_demo.py [TREE ...] [--out FILE] [--png FILE] [--synthetic]

Scans each TREE (default: sample_iac and the AWS-PATH-001 Terraform fixture) with the attack-path
check only, draws the overview and each path (iacguard.output.pathsvg) into one HTML file, and, with
--png, renders it with headless Chromium (/usr/bin/chromium) to a PNG. Nothing here runs in the test
suite.
"""
from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from iacguard.check import severity_of  # noqa: E402
from iacguard.checks.infrastructure.attack_paths import CHECK  # noqa: E402
from iacguard.core.model import Location, PathStep, Resource  # noqa: E402
from iacguard.engine import scan  # noqa: E402
from iacguard.output.pathsvg import overview_svg, path_svg  # noqa: E402

DEFAULT_TREES = [HERE / "sample_iac", HERE / "tests/fixtures/checks/AWS-PATH-001/terraform"]


def _step(address, rtype, missing=()):
    loc = Location("/demo/main.tf", 1, 2)
    res = Resource(id=address, address=address, type=rtype, language="terraform", properties={}, location=loc)
    return PathStep(resource=res, message="%s does its part" % address, location=loc, missing=missing)


def page(trees, synthetic: bool = False) -> str:
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'><title>attack paths</title>"
             "<style>body{font-family:system-ui,sans-serif;margin:24px;background:#f8fafc;max-width:1100px}"
             "svg{max-width:100%;height:auto;background:#fff;border:1px solid #e2e8f0;border-radius:8px}"
             "figure{margin:0 0 18px}</style></head><body>"]
    for tree in trees:
        result = scan([str(tree)], checks=[CHECK])
        findings = [f for f in result.findings if f.path]
        sevs = [severity_of(f, CHECK) for f in findings]
        parts.append("<h2>%s: %d paths</h2>" % (html.escape(os.path.relpath(tree, HERE)), len(findings)))
        parts.append("<figure>%s</figure>" % overview_svg([f.path for f in findings], sevs))
        sizes = []
        for f, sev in zip(findings, sevs):
            svg = path_svg(f.path, severity=sev, title=f.message)
            sizes.append(len(svg.encode()))
            parts.append("<figure>%s</figure>" % svg)
        if sizes:
            print("%s: %d paths, %.1f steps and %.0f bytes of SVG a path on average (largest %d)" % (
                os.path.relpath(tree, HERE), len(sizes), sum(len(f.path) for f in findings) / len(findings),
                sum(sizes) / len(sizes), max(sizes)))
    if synthetic:
        parts.append("<h2>synthetic: hostile names, 1,000 steps, 200 entry points</h2>")
        hostile = (_step('aws_lb."><script>alert(1)</script>', "aws_lb", ("waf", "tls")),
                   _step("aws_instance.\u202eevil\x1b[31m", "aws_instance"),
                   _step("aws_s3_bucket." + "x" * 80, "aws_s3_bucket", ("encryption-at-rest",)))
        parts.append("<figure>%s</figure>" % path_svg(hostile, severity="critical",
                                                      title="<b>hostile</b> \u202e names"))
        long = tuple(_step("aws_thing.s%d" % i, "aws_thing", ("waf",) if i % 7 == 3 else ()) for i in range(1000))
        parts.append("<figure>%s</figure>" % path_svg(long, severity="low", title="a path of 1,000 steps"))
        many = [(_step("aws_lb.entry_%03d" % i, "aws_lb"),) for i in range(200) for _ in range(1 + i % 3)]
        parts.append("<figure>%s</figure>" % overview_svg(many, [("critical", "high", "medium", "low")[i % 4]
                                                                 for i in range(len(many))]))
    parts.append("</body></html>")
    return "".join(parts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="*", type=Path)
    ap.add_argument("--out", default="/tmp/pathsvg_demo.html")
    ap.add_argument("--png", default="")
    ap.add_argument("--synthetic", action="store_true", help="also draw hostile names, 1,000 steps, 200 entry points")
    ap.add_argument("--width", type=int, default=1150)
    ap.add_argument("--height", type=int, default=3000)
    args = ap.parse_args(argv)
    text = page(args.trees or DEFAULT_TREES, args.synthetic)
    Path(args.out).write_text(text, encoding="utf-8")
    print("wrote %s (%d bytes)" % (args.out, len(text.encode())))
    if args.png:
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        if not os.path.exists(chromium):
            print("no chromium: PNG not written", file=sys.stderr)
            return 1
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=%d,%d" % (args.width, args.height), "--screenshot=" + os.path.abspath(args.png),
                        Path(args.out).resolve().as_uri()], check=True, capture_output=True, timeout=120)
        print("wrote %s" % args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
