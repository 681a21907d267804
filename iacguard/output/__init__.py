"""Report formatters: each turns a ScanResult into text, and none reads a parser.

`FORMATS` maps a format name to its `render(result, **options) -> str`; `render(fmt, result,
**options)` picks one; `chunks(fmt, result, **options)` gives the same text in pieces (text, JSON, SARIF
and GitLab's make and write one finding at a time; the other formats give their text whole). Options are
keyword-only and differ by format:

- text:  color=False, verbose=False, fail_on_error=False
- json:  (none)
- sarif: include_suppressed=False, start_time=None, end_time=None, category=None
- junit: (none)
- markdown: max_rows=100, fail_on_error=False
- html: fail_on_error=False, path_svg=None, overview_svg=None
- github: workspace="", max_annotations=50
- gitlab: workspace=""
- gitlab-sast: workspace="", start_time=None, end_time=None
"""
from __future__ import annotations

from iacguard.core.model import ScanResult

import importlib

_MODULES = {"text": "text", "json": "json_report", "sarif": "sarif", "junit": "junit", "markdown": "markdown", "html": "html",
            "github": "github", "gitlab": "gitlab", "gitlab-sast": "gitlab:render_sast"}  # module[:function], default render


class _Formats(dict):
    """Format name -> render function, each formatter imported the first time it is asked for
    (a scan writes one or two formats; importing all of them cost a warm scan about 20 ms)."""

    def __missing__(self, fmt):
        module, _, name = _MODULES[fmt].partition(":")  # KeyError for an unknown format, as a plain dict
        fn = getattr(importlib.import_module("." + module, __name__), name or "render")
        self[fmt] = fn
        return fn

    def __iter__(self):
        return iter(_MODULES)

    def __len__(self):
        return len(_MODULES)

    def __contains__(self, fmt):
        return fmt in _MODULES

    def keys(self):
        return _MODULES.keys()

    def items(self):
        return [(k, self[k]) for k in _MODULES]

    def values(self):
        return [self[k] for k in _MODULES]


FORMATS = _Formats()


def render(fmt: str, result: ScanResult, **opts) -> str:
    """Render `result` in format `fmt` (a key of FORMATS); unknown options raise TypeError."""
    try:
        formatter = FORMATS[fmt]
    except KeyError:
        raise ValueError("unknown output format %r (choose from %s)" % (fmt, ", ".join(sorted(FORMATS)))) from None
    return formatter(result, **opts)


def chunks(fmt: str, result: ScanResult, **opts):
    """The text of `render(fmt, result, **opts)` as an iterable of str, for a writer that never
    holds the whole report (see atomic.write_chunks): a formatter module's `chunks` beside its
    `render` (`chunks_sast` beside `render_sast`), a generator taking the same arguments; a
    format without one comes whole."""
    if fmt not in _MODULES:
        return (render(fmt, result, **opts),)  # (its error: an unknown format)
    module, _, name = _MODULES[fmt].partition(":")
    piecewise = getattr(importlib.import_module("." + module, __name__), (name or "render").replace("render", "chunks", 1), None)
    if piecewise is None:
        return (render(fmt, result, **opts),)
    return piecewise(result, **opts)


__all__ = ["FORMATS", "chunks", "render"]
