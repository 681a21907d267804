"""Report formatters: each turns a ScanResult into text, and none reads a parser.

`FORMATS` maps a format name to its `render(result, **options) -> str`; `render(fmt, result,
**options)` picks one. Options are keyword-only and differ by format:

- text:  color=False, verbose=False, fail_on_error=False
- json:  (none)
- sarif: include_suppressed=False, start_time=None, end_time=None
- junit: (none)
- markdown: max_rows=100, fail_on_error=False
"""
from __future__ import annotations

from iacguard.core.model import ScanResult

from . import json_report, junit, markdown, sarif, text
from .text import use_color

FORMATS = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "markdown": markdown.render,
}


def render(fmt: str, result: ScanResult, **opts) -> str:
    """Render `result` in format `fmt` (a key of FORMATS); unknown options raise TypeError."""
    try:
        formatter = FORMATS[fmt]
    except KeyError:
        raise ValueError("unknown output format %r (choose from %s)" % (fmt, ", ".join(sorted(FORMATS)))) from None
    return formatter(result, **opts)


__all__ = ["FORMATS", "render", "use_color"]
