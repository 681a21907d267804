"""Regenerate what follows the check registry: the README's checks table (between the
`<!-- checks:start -->` and `<!-- checks:end -->` markers) and docs/checks/ (one page per check,
from `Check.markdown()`, and an index).

    python scripts/update_check_docs.py          # write
    python scripts/update_check_docs.py --check  # exit 1 when anything is out of date (the tests run this)
"""
from __future__ import annotations

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START, END = "<!-- checks:start -->", "<!-- checks:end -->"


def expected() -> dict:
    """path (relative to the repository) -> the text it must hold."""
    from iacguard.checks import REGISTRY
    from iacguard.check import PILLARS
    from iacguard.cli import checks_table

    rows = sorted(REGISTRY, key=lambda c: c.id)
    out = {os.path.join("docs", "checks", "%s.md" % c.id): c.markdown() for c in rows}
    counts = ", ".join("%s %d" % (PILLARS[p], sum(1 for c in rows if c.pillar == p)) for p in PILLARS)
    index = ["# Checks", "", "%d checks (%s). Generated from the registry by `scripts/update_check_docs.py`." % (len(rows), counts), ""]
    for pillar, title in PILLARS.items():
        index += ["## %s" % title, ""]
        index += ["- [%s](%s.md) (%s): %s" % (c.id, c.id, c.severity, c.title) for c in rows if c.pillar == pillar]
        index.append("")
    out[os.path.join("docs", "checks", "README.md")] = "\n".join(index)
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    out["README.md"] = head + START + "\n" + checks_table(rows) + "\n" + END + tail
    return out


def stale() -> list:
    """Paths whose text differs from the expected (or that should not exist)."""
    want = expected()
    bad = []
    for rel, text in want.items():
        path = os.path.join(ROOT, rel)
        try:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    bad.append(rel)
        except FileNotFoundError:
            bad.append(rel)
    folder = os.path.join(ROOT, "docs", "checks")
    if os.path.isdir(folder):
        for name in sorted(os.listdir(folder)):
            rel = os.path.join("docs", "checks", name)
            if rel not in want:
                bad.append(rel)
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only say whether anything is out of date")
    a = ap.parse_args()
    if a.check:
        bad = stale()
        for rel in bad:
            print("out of date: %s (run python scripts/update_check_docs.py)" % rel)
        return 1 if bad else 0
    want = expected()
    os.makedirs(os.path.join(ROOT, "docs", "checks"), exist_ok=True)
    for rel in stale():
        path = os.path.join(ROOT, rel)
        if rel in want:
            with open(path, "w", encoding="utf-8") as f:
                f.write(want[rel])
        else:
            os.remove(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
