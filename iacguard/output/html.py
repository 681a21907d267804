"""The HTML report: one self-contained page to open from a CI artifact and show in a meeting.

Rendered with the jinja2 templates shipped in iacguard/output/templates/ (report.html.j2, with
report.css and report.js inlined): no external resource of any kind, and a Content-Security-Policy
that admits only the page's one style and one script, by their SHA-256 hashes computed here. The
page reads fully without JavaScript (totals, the pillar scorecard, findings grouped by file, attack
paths, suppressed and undecided records); the script adds filters (severity, pillar, check, path or
address text, also read from the URL hash: `#severity=high&text=main.tf`) and regrouping by check.
The element structure is a contract other code reads (tests/browser, the lead's SVG wiring): ids,
classes and data- attributes are listed in the module's tests.

Every text from the scanned tree goes through `escape.visible` (control, bidirectional and
invisible characters shown as escapes) and then HTML escaping: the environment's `finalize` does
the first for every printed string, autoescaping the second. A few source lines around each
finding are read from the scanned file itself, only when it is one of `result.files`.

Counts come from `summary.summarize`, the model the Markdown report reads too, so they agree.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path

from markupsafe import Markup, escape

import iacguard
from iacguard.check import SEVERITY_RANK, PILLARS, SEVERITIES, severity_of
from iacguard.core.model import ScanResult

from .escape import visible
from .findings import (
    checks_by_id,
    finding_message,
    fingerprints,
    notification_sort_key,
    suppressed_fingerprints,
    shown_address,
)
from .paths import display_path
from .summary import summarize
from .text import not_scanned_text

TEMPLATES = Path(__file__).resolve().parent / "templates"
CONTEXT_LINES = 2  # lines shown before the finding's first line and after its last
MAX_CODE_LINES = 12
MAX_SOURCE_BYTES = 8 * 1024 * 1024  # a file larger than this is not read back for code lines
MAX_CODE_LINE = 240  # characters of one source line shown; the rest is cut with "…"

_env = None
_assets: dict = {}


def _finalize(value):
    """Every string printed by the template is made visible (escape.visible) before autoescaping;
    Markup (already-escaped fragments built here) passes as it is."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return visible(value)
    return value


def _environment():
    global _env
    if _env is None:
        from jinja2 import Environment, FileSystemLoader, StrictUndefined

        _env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=True,
            finalize=_finalize,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
    return _env


def _asset(name: str) -> str:
    if name not in _assets:
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        closing = "</style" if name.endswith(".css") else "</script"
        if closing in text.lower():
            raise ValueError("%s must not hold %r" % (name, closing))
        _assets[name] = text
    return _assets[name]


def csp_hash(text: str) -> str:
    """The CSP source expression for an inline element holding exactly `text`."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _one_line(text) -> str:
    return " ".join(str(text).split())


_INLINE_CODE = re.compile(r"`([^`\n]+)`")


_BULLET = re.compile(r"^\s*[-*] +")


def _inline(text: str) -> Markup:
    pieces = _INLINE_CODE.split(visible(_one_line(text)))
    return Markup("").join(Markup("<code>%s</code>") % p if j % 2 else escape(p) for j, p in enumerate(pieces))


def _prose(text: str) -> Markup:
    """Check documentation (Markdown-ish, from the package) as HTML: fenced blocks as <pre>,
    paragraphs, "- " lists, `code` spans; everything else escaped as text."""
    out = []
    parts = re.split(r"^```[^\n]*\n(.*?)^```[ \t]*$", (text or "").strip(), flags=re.M | re.S)
    for i, part in enumerate(parts):
        if i % 2:  # inside a fence
            code = "\n".join(visible(line) for line in part.rstrip("\n").split("\n"))
            out.append(Markup('<pre class="fix"><code>%s</code></pre>') % code)
            continue
        for para in re.split(r"\n\s*\n", part.strip()):
            blocks: list = []  # ("p", [lines]) and ("li", [lines]) in order
            for line in para.split("\n"):
                if not line.strip():
                    continue
                if _BULLET.match(line):
                    blocks.append(("li", [_BULLET.sub("", line)]))
                elif blocks and (blocks[-1][0] == "p" or line[:1].isspace()):
                    blocks[-1][1].append(line)  # a paragraph goes on; an indented line continues an item
                else:
                    blocks.append(("p", [line]))
            items: list = []
            for kind, lines in blocks + [("end", [])]:
                if kind != "li" and items:
                    out.append(Markup("<ul>%s</ul>") % Markup("").join(items))
                    items = []
                if kind == "li":
                    items.append(Markup("<li>%s</li>") % _inline(" ".join(lines)))
                elif kind == "p":
                    out.append(Markup("<p>%s</p>") % _inline(" ".join(lines)))
    return Markup("").join(out)


_SUMMARY = Markup("<summary>What it checks, why it matters, how to fix it</summary>")
_LANGUAGES = (("terraform", "Terraform"), ("cloudformation", "CloudFormation"))


def _language(resource) -> str:
    return "cloudformation" if resource.language == "cloudformation" else "terraform"


def _explain(check, languages, cache: set) -> Markup:
    """The check's explanation and its fix, in a <details class="explain">. The first finding of
    a check on the page holds it in full (id "explain-CHECK"), with the fix for each language
    (`languages`) the check's findings on the page are written in; later ones hold a link to it,
    and the page's script copies it in when one is opened, so a page of 1,000 findings carries
    each text once (it would otherwise be half of the page)."""
    if check is None:
        return Markup('<details class="explain"><summary>About this check</summary><p>This check is not in the scan\'s catalogue.</p></details>')
    anchor = "explain-" + check.id
    if check.id in cache:
        return Markup('<details class="explain" data-ref="%s">%s<p class="ref">As for the <a href="#%s">first %s finding</a> on this page.</p></details>') % (
            anchor, _SUMMARY, anchor, check.id)
    cache.add(check.id)
    html = (
        Markup('<details class="explain" id="%s">%s') % (anchor, _SUMMARY)
        + Markup("<h5>What it checks</h5>") + _prose(check.what)
        + Markup("<h5>Why it matters</h5>") + _prose(check.why)
    )
    for lang, name in _LANGUAGES:
        if lang in languages:
            fix = check.fix_cloudformation if lang == "cloudformation" else check.fix_terraform
            html += Markup('<h5 data-language="%s">How to fix it (%s)</h5>') % (lang, name) + _prose(fix)
    return html + Markup("</details>")


class _Sources:
    """Source lines of the scanned files, read once each; only files of the scan are read."""

    def __init__(self, files):
        self.allowed = set(files)
        self.lines: dict = {}

    def get(self, path: str):
        if path not in self.lines:
            self.lines[path] = self._read(path)
        return self.lines[path]

    def _read(self, path: str):
        if path not in self.allowed:
            return None
        try:
            if os.path.getsize(path) > MAX_SOURCE_BYTES:
                return None
            with open(path, "rb") as fh:
                data = fh.read(MAX_SOURCE_BYTES + 1)
        except (OSError, ValueError):
            return None
        text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the end of the last line, not a line
        return lines


def _code(sources: _Sources, loc, block=None) -> Markup:
    """A <pre class="code"> of the lines around `loc` (numbered, the finding's own marked), or
    nothing when the file cannot be read or the lines are not in it.

    The lines around are taken only from inside `block` (the location of the finding's resource)
    when `loc` lies in it, and there are none otherwise: a resource block holds no variable
    default or parameter default, and only those can hold a value declared sensitive (reports
    get values redacted, these lines come from the file as it is)."""
    lines = sources.get(loc.path)
    start = max(loc.start_line, 1)
    if not lines or start > len(lines):
        return Markup("")
    end = min(max(loc.end_line, start), len(lines))
    lo, hi = start, end
    if block is not None and block.path == loc.path and block.start_line <= start <= max(block.end_line, block.start_line):
        lo = max(start - CONTEXT_LINES, block.start_line)
        hi = max(end, min(end + CONTEXT_LINES, block.end_line))
    first = max(1, lo)
    last = min(len(lines), hi, first + MAX_CODE_LINES - 1)
    width = len(str(last))
    out = []
    for n in range(first, last + 1):
        text = lines[n - 1].rstrip("\r").expandtabs(4)
        if len(text) > MAX_CODE_LINE:
            text = text[:MAX_CODE_LINE] + "…"
        # Compact markup (a page may hold 1,000 of these): <i> the line number, one <mark> around
        # the finding's own lines.
        if n == start:
            out.append("<mark>")
        out.append('<i>%s</i>%s' % (str(n).rjust(width), escape(visible(text))))
        out.append("</mark>\n" if n == end else "\n")
    if out[-1] == "\n":
        out.pop()
    return Markup('<pre class="code">%s</pre>' % "".join(out))


def _origins(related, cwd: str) -> list:
    return [{"what": _one_line(what), "where": "%s:%d" % (display_path(loc.path, cwd), loc.start_line)} for loc, what in related]


def _steps(path) -> list:
    return [
        {"address": s.resource.address, "type": s.resource.type, "message": _one_line(s.message), "missing": [str(m) for m in getattr(s, "missing", ())]}
        for s in path
    ]


# Attack paths drawn as SVG (about 6 KB each), the most severe first; every path also has its
# text chain (searchable, read without graphics), so a page with a thousand paths stays small.
MAX_DRAWN_PATHS = 20
_DRAW = object()  # the default: iacguard/output/pathsvg.py draws


def render(result: ScanResult, *, fail_on_error: bool = False, path_svg=_DRAW, overview_svg=_DRAW) -> str:
    """The HTML page. `path_svg(path, severity=..., title=...)` and `overview_svg(paths,
    severities)` draw the attack paths (default: iacguard/output/pathsvg.py; None: not drawn).
    The MAX_DRAWN_PATHS most severe paths are drawn; every path not drawn shows its text chain."""
    if path_svg is _DRAW or overview_svg is _DRAW:
        from . import pathsvg

        path_svg = pathsvg.path_svg if path_svg is _DRAW else path_svg
        overview_svg = pathsvg.overview_svg if overview_svg is _DRAW else overview_svg
    summary = summarize(result)
    checks = checks_by_id(result)
    cwd = result.cwd
    sources = _Sources(result.files)
    explain_cache: set = set()
    languages: dict = {}  # check id -> languages of its findings on the page
    for f in result.findings:
        languages.setdefault(f.check_id, set()).add(_language(f.resource))

    groups: list = []
    by_key: dict = {}
    path_figures = []
    entries = set()
    for f, fingerprint, severity in zip(result.findings, fingerprints(result), summary.severities):
        check = checks.get(f.check_id)
        file = display_path(f.location.path, cwd)
        item = {
            "severity": severity,
            "pillar": check.pillar if check is not None else "",
            "check": f.check_id,
            "title": check.title if check is not None else "",
            "file": file,
            "line": f.location.start_line,
            "fingerprint": fingerprint,
            "anchor": bool(getattr(f, "path", ())),  # an id for the attack-path figure's link
            "address": shown_address(f),
            "message": _one_line(finding_message(f, fallback=check.title if check is not None else "")),
            "code": _code(sources, f.location, f.resource.location),
            "origins": _origins(f.related, cwd),
            "path": _steps(f.path) if getattr(f, "path", ()) else [],
            "explain": _explain(check, languages.get(f.check_id, ()), explain_cache),
        }
        if file not in by_key:
            by_key[file] = {"key": file, "findings": []}
            groups.append(by_key[file])
        by_key[file]["findings"].append(item)
        if item["path"]:
            entries.add(item["path"][0]["address"])
            path_figures.append({
                "fingerprint": fingerprint, "severity": severity, "check": f.check_id, "path": item["path"],
                "entry": item["path"][0]["address"], "asset": item["path"][-1]["address"], "steps": len(item["path"]),
                "svg": "", "finding": f, "title": item["title"],
            })
    if path_svg:
        ranked = sorted(range(len(path_figures)), key=lambda i: -SEVERITY_RANK.get(path_figures[i]["severity"], 0))
        for i in ranked[:MAX_DRAWN_PATHS]:
            pf = path_figures[i]
            pf["svg"] = Markup(path_svg(pf["finding"].path, severity=pf["severity"], title=pf["title"]) or "")
    drawn_left_out = max(0, len(path_figures) - MAX_DRAWN_PATHS) if path_svg else 0
    overview = ""
    if overview_svg and path_figures:
        with_paths = [(f, sev) for f, sev in zip(result.findings, summary.severities) if getattr(f, "path", ())]
        overview = Markup(overview_svg([f.path for f, _ in with_paths], [sev for _, sev in with_paths]) or "")

    suppressed = []
    for item, fingerprint in zip(result.suppressed, suppressed_fingerprints(result)):
        f, sup = item.finding, item.suppression
        check = checks.get(f.check_id)
        written = display_path(sup.path, cwd) if sup.path else "(configuration)"
        if sup.path and sup.line > 0:
            written = "%s:%d" % (written, sup.line)
        suppressed.append({
            "severity": severity_of(f, check), "check": f.check_id, "file": display_path(f.location.path, cwd),
            "line": f.location.start_line, "address": shown_address(f), "fingerprint": fingerprint,
            "message": _one_line(finding_message(f, fallback=check.title if check is not None else "")),
            "reason": _one_line(sup.reason) or "(no reason given)", "written": written, "origin": sup.origin,
            "expires": sup.expires or "never",
        })

    undecided = [
        {"check": u.check_id, "file": display_path(u.location.path, cwd), "line": u.location.start_line,
         "address": u.resource.address, "what": _one_line(u.what), "reason": _one_line(u.reason), "origins": _origins(u.related, cwd)}
        for u in result.undecided
    ]

    problems = []
    for n in sorted(result.notifications, key=notification_sort_key):
        if n.level not in ("error", "warning"):
            continue
        where = display_path(n.path, cwd) if n.path else ""
        if where and n.line > 0:
            where = "%s:%d" % (where, n.line)
        problems.append({"level": n.level, "where": where, "message": _one_line(n.message)})

    config = None
    if result.configuration:
        conf = result.configuration
        config = {
            "file": display_path(conf.get("path", ""), cwd),
            "changes": "; ".join(conf.get("changes") or ()) or "no change from the defaults",
            "warning": _one_line(conf.get("warning") or ""),
        }

    shown_checks = sorted({f.check_id for f in result.findings})
    check_options = [{"id": i, "title": checks[i].title if i in checks else ""} for i in shown_checks]
    roots = [display_path(r, cwd) for r in result.roots] if result.roots else []
    if summary.findings:
        parts = ["%d %s" % (summary.by_severity[s], s) for s in SEVERITIES if summary.by_severity[s]]
        headline = "%d finding%s (%s)" % (summary.findings, "" if summary.findings == 1 else "s", ", ".join(parts) or "severity unknown")
    else:
        headline = "no findings"

    # Every entry point the exposure model found (when the attack-path check ran), with the paths
    # reported from it and their worst severity.
    from_entry: dict = {}
    for pf in path_figures:
        worst = from_entry.get(pf["entry"], (0, ""))
        rank = SEVERITY_RANK.get(pf["severity"], 0)
        from_entry[pf["entry"]] = (worst[0] + 1, pf["severity"] if rank > SEVERITY_RANK.get(worst[1], 0) else worst[1])
    entry_rows = []
    for e in getattr(result, "entry_points", ()) or ():
        count, worst = from_entry.get(e.resource.address, (0, ""))
        entry_rows.append({"address": e.resource.address, "type": e.resource.type, "file": display_path(e.location.path, cwd),
                           "line": e.location.start_line, "message": _one_line(e.message), "paths": count, "severity": worst})

    css, js = _asset("report.css"), _asset("report.js")
    page = _environment().get_template("report.html.j2").render(
        version=iacguard.__version__,
        headline=headline,
        roots=roots,
        roots_text=("scanned " + ", ".join(roots)) if roots else "%d file%s scanned" % (summary.files, "" if summary.files == 1 else "s"),
        s=summary,
        severities=SEVERITIES,
        pillars=summary.pillars,
        pillar_titles=PILLARS,
        config=config,
        problems=problems,
        not_scanned=not_scanned_text(result, fail_on_error),
        groups=groups,
        check_options=check_options,
        path_figures=path_figures,
        drawn_left_out=drawn_left_out,
        MAX_DRAWN=MAX_DRAWN_PATHS,
        entry_count=len(entries),
        entry_rows=entry_rows,
        overview=overview,
        suppressed=suppressed,
        undecided=undecided,
        css=Markup(css),
        js=Markup(js),
        style_hash=csp_hash(css),
        script_hash=csp_hash(js),
    )
    return page
