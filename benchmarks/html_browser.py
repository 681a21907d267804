"""Size and render time of the HTML report of a scan with 1,000 findings, in headless Chromium.

    python benchmarks/html_browser.py [--findings 1000] [--runs 5] [--keep DIR] [--synthetic]

Builds a Terraform tree whose scan has at least --findings findings (S3 buckets with nothing
configured, five findings each, over several files), renders it with `iacguard scan --format
html`, opens the page from file:// in Chromium (tests/browser/cdp.py) --runs times and prints
the page's size and, from the Performance API, DOMContentLoaded, the load event's end and first
(contentful) paint, median and worst, how long the severity filter takes on that page, and the
same timings with the page's script off (what parsing, style and layout alone cost).
Targets (issue 15): under 2 MB and under 1 s.

With --synthetic (or while the html format is not registered yet) the page is the hand-made
contract fixture (tests/browser/fixtures/contract.html) with its findings repeated to the count:
it measures the browser side of the contract, not the real renderer; the output says which.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser.cdp import Browser, find_chromium  # noqa: E402
from browser.pages import FIXTURES, inline_hashes  # noqa: E402

BUCKET = 'resource "aws_s3_bucket" "b%d" {\n  bucket = "bench-bucket-%d"\n}\n\n'
PER_BUCKET = 5  # AWS-S3-001, -002, -201, -614, -615 on a bucket with nothing configured
FILES = 20


def build_tree(root: Path, findings: int) -> None:
    buckets = -(-findings // PER_BUCKET)
    per_file = -(-buckets // FILES)
    for f in range(FILES):
        text = "".join(BUCKET % (i, i) for i in range(f * per_file, min(buckets, (f + 1) * per_file)))
        if text:
            (root / ("storage_%02d.tf" % f)).write_text(text, encoding="utf-8")


def real_page(work: Path, findings: int) -> tuple:
    tree = work / "tree"
    tree.mkdir()
    build_tree(tree, findings)
    cmd = [sys.executable, "-c", "from iacguard.cli import main; main()", "scan", "tree", "--format"]
    start = time.perf_counter()
    html = subprocess.run(cmd + ["html"], cwd=work, capture_output=True, timeout=600)
    scan_s = time.perf_counter() - start
    if html.returncode not in (0, 1):
        raise SystemExit("scan failed: %s" % html.stderr.decode(errors="replace")[-2000:])
    report = json.loads(subprocess.run(cmd + ["json"], cwd=work, capture_output=True, timeout=600).stdout)
    page = work / "report.html"
    page.write_bytes(html.stdout)
    return page, len(report["findings"]), "iacguard scan --format html (%.2f s scan + render)" % scan_s


def synthetic_page(work: Path, findings: int) -> tuple:
    """The contract fixture with its articles repeated `findings` times (CSP hashes unchanged)."""
    html = (FIXTURES / "contract.html").read_text(encoding="utf-8")
    articles = re.findall(r"<article class=\"finding\".*?</article>\n", html, re.S)
    body = "".join(articles[i % len(articles)].replace('data-fingerprint="', 'data-fingerprint="%d-' % i)
                   for i in range(findings))
    start, end = html.index('<div class="group"'), html.index("</section>", html.index('<section id="findings"'))
    html = html[:start] + '<div class="group" data-key="all">\n' + body + "</div>\n" + html[end:]
    page = work / "synthetic.html"
    page.write_text(html, encoding="utf-8")
    return page, findings, "synthetic: contract fixture, findings repeated (NOT the real renderer)"


TIMINGS = """new Promise(function (resolve) {
  (function poll() {
    var nav = performance.getEntriesByType('navigation')[0];
    if (!nav || !nav.loadEventEnd) { return setTimeout(poll, 10); }
    var paint = {};
    performance.getEntriesByType('paint').forEach(function (p) { paint[p.name] = p.startTime; });
    resolve({dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
             fp: paint['first-paint'] || null, fcp: paint['first-contentful-paint'] || null,
             articles: document.querySelectorAll('article.finding').length});
  })();
})"""

FILTER = """(function () {
  var s = document.getElementById('filter-severity'), t0 = performance.now();
  s.value = 'high'; s.dispatchEvent(new Event('change', {bubbles: true}));
  document.body.offsetHeight;  // layout
  var t1 = performance.now();
  s.value = ''; s.dispatchEvent(new Event('change', {bubbles: true}));
  return t1 - t0;
})()"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--findings", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="keep the page (and tree) in this folder")
    ap.add_argument("--synthetic", action="store_true", help="measure the repeated contract fixture")
    args = ap.parse_args(argv)
    if not find_chromium():
        print("no Chromium found: apt-get install chromium", file=sys.stderr)
        return 2
    from iacguard.output import FORMATS

    synthetic = args.synthetic or "html" not in FORMATS
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="iacguard-html-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    page, count, source = (synthetic_page if synthetic else real_page)(work, args.findings)
    size = page.stat().st_size
    html = page.read_text(encoding="utf-8")
    print("page: %s" % source)
    print("findings: %d   file: %s" % (count, page))
    print("size: %d bytes = %.2f MB (target < 2 MB: %s)" % (size, size / 1e6, "ok" if size < 2_000_000 else "OVER"))
    print("inline style %d, inline script %d" % (len(inline_hashes(html)["style"]), len(inline_hashes(html)["script"])))
    rows = []
    with Browser.launch(timeout=60) as b:
        for _ in range(args.runs):
            wall = b.open(page.resolve().as_uri())
            t = b.evaluate(TIMINGS)
            t["wall"] = wall * 1000
            t["filter"] = b.evaluate(FILTER)
            rows.append(t)
            errors = b.errors()
            if errors:
                print("browser errors: %s" % errors[:3])
            other = [u for u in b.requests if not u.startswith(("file:", "data:"))]
            if other:
                print("requests leaving the page: %s" % other[:3])
        # The same page with its script off: what parsing, style and layout cost without the filters.
        b.send("Emulation.setScriptExecutionDisabled", {"value": True})
        plain = []
        for _ in range(args.runs):
            b.open(page.resolve().as_uri())
            plain.append(b.evaluate(TIMINGS))
        b.send("Emulation.setScriptExecutionDisabled", {"value": False})
    print("articles in the DOM: %d" % rows[0]["articles"])
    for key, label in (("dcl", "DOMContentLoaded"), ("fp", "first paint"), ("fcp", "first contentful paint"),
                       ("load", "load event end"), ("wall", "navigate -> load (CDP)"), ("filter", "severity filter")):
        values = [r[key] for r in rows if r.get(key) is not None]
        if values:
            print("%-26s median %7.1f ms   worst %7.1f ms" % (label, statistics.median(values), max(values)))
    for key, label in (("dcl", "DOMContentLoaded"), ("load", "load event end")):
        values = [r[key] for r in plain if r.get(key)]
        if values:
            print("%-26s median %7.1f ms   worst %7.1f ms" % (label + ", no script", statistics.median(values), max(values)))
    worst = max(r["load"] for r in rows)
    print("render (load event end, worst of %d): %.0f ms (target < 1000 ms: %s)" % (len(rows), worst, "ok" if worst < 1000 else "OVER"))
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
