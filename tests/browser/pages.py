"""The pages the browser tests open: the hand-made contract fixture and real `iacguard` reports.

A page is a `Page(name, html: Path, report: dict)`: `report` is the JSON report of the same scan
(for the fixture, fixtures/contract.json, the same shape cut down to what the tests read).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
FIXTURES = HERE / "fixtures"
SCREENSHOTS = REPO / "test-output" / "browser"

_INLINE = re.compile(r"<(style|script)\b[^>]*>(.*?)</\1\s*>", re.S | re.I)
_CSP = re.compile(r'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"', re.I)


@dataclass
class Page:
    name: str
    html: Path
    report: dict

    @property
    def url(self) -> str:
        return self.html.resolve().as_uri()


def inline_hashes(html: str) -> dict:
    """{"style": [...], "script": [...]}: the CSP source ('sha256-...') of each inline element."""
    out: dict = {"style": [], "script": []}
    for tag, body in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        out[tag.lower()].append("'sha256-%s'" % digest)
    return out


def csp(html: str) -> dict:
    """The page's Content-Security-Policy meta tag as {directive: [sources]} ({} when none)."""
    m = _CSP.search(html)
    if not m:
        return {}
    policy: dict = {}
    for part in m.group(1).split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


def contract_page() -> Page:
    return Page("contract", FIXTURES / "contract.html", json.loads((FIXTURES / "contract.json").read_text()))


def html_registered() -> bool:
    from iacguard.output import FORMATS
    return "html" in FORMATS


def scan(paths, fmt: str, *, cwd=None, timeout: float = 300) -> str:
    """The report of `iacguard scan PATHS --format FMT` (exit 0 or 1: findings), as text."""
    cmd = [sys.executable, "-c", "from iacguard.cli import main; main()", "scan", *map(str, paths), "--format", fmt]
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=timeout, env=env)
    if proc.returncode not in (0, 1):
        raise AssertionError("iacguard scan exited %d: %s" % (proc.returncode, proc.stderr.decode(errors="replace")[-2000:]))
    return proc.stdout.decode("utf-8")


def report_page(name: str, paths, out_dir: Path, *, cwd=None) -> Page:
    """Scan `paths` twice (html, json) and keep both in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / (name + ".html")
    html.write_text(scan(paths, "html", cwd=cwd), encoding="utf-8")
    report = json.loads(scan(paths, "json", cwd=cwd))
    (out_dir / (name + ".json")).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return Page(name, html, report)
