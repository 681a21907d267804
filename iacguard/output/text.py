"""The human-readable report: findings grouped by file, notifications, then a summary.

A finding that carries an attack path shows it under its line, on one line: "path: aws_lb.web ->
aws_instance.app -> aws_s3_bucket.media" (the message names the missing layers).

Colour (ANSI) only when the caller asks for it; `use_color` is the rule the CLI applies.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Mapping

from iacguard.check import PILLARS, SEVERITIES, severity_of
from iacguard.core.model import ScanResult

from .findings import (
    checks_by_id,
    finding_message,
    notification_sort_key,
    other_unknowns,
    path_chain,
    pillar_counts,
    severity_counts,
    shown_address,
)
from .escape import visible
from .paths import display_path

_RESET = "\033[0m"
_STYLES = {
    "critical": "\033[1;35m",
    "high": "\033[1;31m",
    "medium": "\033[33m",
    "low": "\033[36m",
    "error": "\033[1;31m",
    "warning": "\033[33m",
    "note": "\033[36m",
    "header": "\033[1m",
}

_MAX_ADDRESS_WIDTH = 48


def use_color(stream, env: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (to any value, even empty)."""
    if "NO_COLOR" in env:
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # closed or detached stream
        return False


def _clean(text: str) -> str:
    # Addresses, paths, messages and reasons come from scanned files: never let them drive the
    # terminal, reorder a line (bidi controls) or hide characters (see .escape).
    return visible(text)


def files_not_scanned(result: ScanResult) -> int:
    """Files named by error-level notifications (a parse error, an evaluation cut short, an
    internal error), plus such notifications that name no file: what --fail-on-error fails on."""
    paths, other = set(), 0
    for n in result.notifications:
        if n.level == "error":
            if n.path:
                paths.add(n.path)
            else:
                other += 1
    return len(paths) + other


def not_scanned_text(result: ScanResult, fail_on_error: bool) -> str:
    """With --fail-on-error, the summary sentence on the files that failed the scan; else ""
    (the notifications list those files either way)."""
    n = files_not_scanned(result) if fail_on_error else 0
    return "Failed because %d file(s) could not be scanned (--fail-on-error)" % n if n else ""


def _plural(n: int, word: str) -> str:
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def render(result: ScanResult, *, color: bool = False, verbose: bool = False, fail_on_error: bool = False) -> str:
    """The text report. `color` adds ANSI colours; `verbose` lists the checks left undecided by
    unknown values and every other value not known;
    `fail_on_error` says in the summary that files not scanned fail the scan."""
    return "\n".join(_lines(result, color, verbose, fail_on_error)) + "\n"


def chunks(result: ScanResult, *, color: bool = False, verbose: bool = False, fail_on_error: bool = False):
    """The text of `render(...)` in pieces, one line (with its newline) at a time."""
    for line in _lines(result, color, verbose, fail_on_error):
        yield line + "\n"


def _lines(result: ScanResult, color: bool, verbose: bool, fail_on_error: bool):
    """The report's lines (without their newlines), made one at a time."""

    def paint(style: str, text: str) -> str:
        return "%s%s%s" % (_STYLES[style], text, _RESET) if color and style in _STYLES else text

    checks = checks_by_id(result)

    # Findings arrive sorted by file; group them in that order.
    groups: dict[str, list] = {}
    for f in result.findings:
        groups.setdefault(display_path(f.location.path, result.cwd), []).append(f)

    if not result.findings:
        yield "No findings."
    for n, (path, findings) in enumerate(groups.items()):
        if n:
            yield ""
        yield paint("header", _clean(path))
        line_width = max(len(str(f.location.start_line)) for f in findings)
        id_width = max(len(f.check_id) for f in findings)
        # Align messages unless one very long address would push every line far right.
        address_width = min(max(len(shown_address(f)) for f in findings), _MAX_ADDRESS_WIDTH)
        for f in findings:
            check = checks.get(f.check_id)
            severity = severity_of(f, check)
            message = finding_message(f, fallback=check.title if check is not None else "")
            yield (
                "  %s  %s  %s  %s  %s"
                % (
                    str(f.location.start_line).rjust(max(line_width, 2)),
                    paint(severity, severity.upper().ljust(8)),
                    _clean(f.check_id).ljust(id_width),
                    _clean(shown_address(f)).ljust(address_width),
                    _clean(message),
                )
            )
            chain = path_chain(f)
            if chain:  # an attack path, entry point first, on one line
                yield "%s  path: %s" % (" " * (max(line_width, 2) + 2), _clean(chain))
            for loc, what in getattr(f, "related", ()):
                where = "%s:%d" % (display_path(loc.path, result.cwd), loc.start_line)
                yield "%s  -> %s (%s)" % (" " * (max(line_width, 2) + 2), _clean(what), _clean(where))

    if result.suppressed:
        yield from ["", paint("header", "Suppressed")]
        for item in result.suppressed:
            f, sup = item.finding, item.suppression
            where = "%s:%d" % (display_path(f.location.path, result.cwd), f.location.start_line)
            why = sup.reason or "(no reason given)"
            if sup.expires:
                why += " (until %s)" % sup.expires
            yield "  %s  %s  %s  %s" % (_clean(where), _clean(f.check_id), _clean(shown_address(f)), _clean(why))

    notes = sorted(result.notifications, key=notification_sort_key)
    if notes:
        yield from ["", paint("header", "Notifications")]
        for n in notes:
            where = display_path(n.path, result.cwd) if n.path else ""
            if where and n.line > 0:
                where = "%s:%d" % (where, n.line)
            text = "%s  %s" % (_clean(where), _clean(n.message)) if where else _clean(n.message)
            yield "  %s  %s" % (paint(n.level, n.level.ljust(7)), text)

    if verbose and result.undecided:
        yield from ["", paint("header", "Checks left undecided by unknown values")]
        for u in result.undecided:
            where = "%s:%d" % (display_path(u.location.path, result.cwd), u.location.start_line)
            yield "  %s  %s  %s  %s: %s" % (_clean(where), _clean(u.check_id), _clean(u.resource.address), _clean(u.what), _clean(u.reason))
            for loc, what in u.related:
                origin = "%s:%d" % (display_path(loc.path, result.cwd), loc.start_line)
                yield "    -> %s (%s)" % (_clean(what), _clean(origin))

    others = other_unknowns(result)
    if verbose and others:
        yield from ["", paint("header", "Other values that could not be known")]
        for u in others:
            where = display_path(u.path, result.cwd) if u.path else "?"
            if u.line > 0:
                where = "%s:%d" % (where, u.line)
            yield "  %s  %s: %s" % (_clean(where), _clean(u.what), _clean(u.reason))

    by_severity = severity_counts(result)
    by_pillar = pillar_counts(result)
    label_width = max(len(t) for t in PILLARS.values())
    yield from ["", paint("header", "Summary")]
    yield "  %s" % _plural(len(result.findings), "finding")
    for sev in SEVERITIES:
        yield "    %s  %d" % (paint(sev, sev.ljust(label_width)), by_severity[sev])
    yield "  By pillar"
    for key, title in PILLARS.items():
        yield "    %s  %d" % (title.ljust(label_width), by_pillar[key])
    undecided_line = "  Checks left undecided by unknown values: %d" % len(result.undecided)
    if result.undecided and not verbose:
        undecided_line += " (--verbose lists them)"
    if result.undecided_left_out:
        undecided_line += "; %d more left out like findings (suppressed, baseline, outside the changes)" % result.undecided_left_out
    unknown_line = "  Other values that could not be known: %d" % len(others)
    if others and not verbose:
        unknown_line += " (--verbose lists them)"
    if result.suppressed:
        yield "  Suppressed: %d (listed above, with their reasons)" % len(result.suppressed)
    if result.baseline_file:
        yield (
            "  Baseline: %d known finding%s not shown; %d baseline entr%s fixed"
            % (result.baseline_matched, "" if result.baseline_matched == 1 else "s", result.baseline_fixed, "y" if result.baseline_fixed == 1 else "ies")
        )
    if result.outside_changes:
        yield "  Not shown, outside the changed files: %d" % result.outside_changes
    if result.min_severity:
        yield "  Not shown, below min-severity %s: %d" % (result.min_severity, result.below_min_severity)
    yield from _configuration_lines(result)
    not_scanned = not_scanned_text(result, fail_on_error)
    if not_scanned:
        yield "  %s" % paint("error", not_scanned)
    yield from [
        "  Files scanned: %d" % len(result.files),
        "  Resources: %d" % result.resources,
        undecided_line,
        unknown_line,
        "  Duration: %.2fs" % result.duration,
    ]


def _configuration_lines(result: ScanResult) -> list:
    """The summary line naming the configuration file used and what it changed."""
    conf = result.configuration
    if not conf:
        return []
    changes = "; ".join(conf.get("changes") or ()) or "no change from the defaults"
    return ["  Configuration: %s (%s)" % (_clean(display_path(conf["path"], result.cwd)), _clean(changes))]
