"""The Markdown report: a short summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

Counts by severity and pillar, a table of findings with file:line, then what was left out
(suppressed findings with their reasons, baseline and changed-file filtering) and problems met.
Everything taken from scanned files is escaped, so a file cannot inject links, images or HTML
into a comment. The findings table is ordered by severity (critical first), then file, line and
check, and stops at `max_rows` rows, so a cut leaves out the least severe findings; the other
reports hold everything, and the line under a cut table names the file that holds the full report
when the run writes one (`full_report`, given by the CLI), else says how to get one. A finding
with an attack path shows the chain after its message ("Path: `aws_lb.web -> aws_instance.app ->
aws_s3_bucket.media`"), at most MAX_PATH_STEPS steps (the first ones and the asset).
Its counts come from the summary model (.summary.summarize) the HTML report reads too.
"""
from __future__ import annotations

import re

import iacguard
from iacguard.check import PILLARS, SEVERITIES, SEVERITY_RANK, severity_of
from iacguard.core.model import ScanResult

from .findings import checks_by_id, finding_message, notification_sort_key, path_chain, shown_address
from .escape import visible
from .paths import display_path
from .summary import summarize
from .text import not_scanned_text

MAX_ROWS = 100
MAX_PATH_STEPS = 12  # steps of an attack path shown in a table cell (first ones and the asset)
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")  # & too: `&#64;` would become a mention
# GitHub links `@name` and `#12` after rendering Markdown (a backslash does not stop it): a
# zero-width space after the sign keeps them text, read the same, and pings no one.
_MENTION = re.compile(r"([@#])")
_ZWSP = "\u200b"


def _text(value) -> str:
    """Plain text for a table cell: control, bidirectional and invisible characters shown as
    escapes, Markdown and HTML characters escaped, mentions and issue links defused, one line."""
    escaped = _SPECIAL.sub(r"\\\1", visible(" ".join(str(value).split())))
    return _MENTION.sub(r"\1" + _ZWSP, escaped)


def _code(value) -> str:
    """An inline code span for a table cell (backticks cannot be escaped in one; pipes can).
    GitHub neither renders Markdown nor links mentions inside code spans."""
    return "`%s`" % visible(" ".join(str(value).split())).replace("`", "'").replace("|", "\\|")


def _plural(n: int, word: str) -> str:
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def _ordered(result: ScanResult, checks: dict) -> list:
    """The findings, most severe first, then by file, line and check."""

    def key(f):
        check = checks.get(f.check_id)
        path = display_path(f.location.path, result.cwd)
        return (-SEVERITY_RANK.get(severity_of(f, check), 0), path, f.location.start_line, f.check_id, shown_address(f))

    return sorted(result.findings, key=key)


def _more_line(left: int, full_report: str) -> str:
    """The line under a cut findings table: where the rest are."""
    if full_report:
        return "… and %d more: see %s." % (left, _code(full_report))
    return (
        "… and %d more, not shown here: every other report format lists them all (the text report "
        "on the terminal, or add `--output-file json=iacguard.json` to write one beside this)." % left
    )


def render(result: ScanResult, *, max_rows: int = MAX_ROWS, fail_on_error: bool = False, full_report: str = "") -> str:
    """`full_report`: the path (relative to the working directory) of a report this run also
    writes that holds every finding, named under a cut table; "" when there is none."""
    checks = checks_by_id(result)
    summary = summarize(result)  # the counts the HTML report shows too
    by_severity = summary.by_severity
    lines: list = []
    if summary.findings:
        parts = ["%d %s" % (by_severity[s], s) for s in SEVERITIES if by_severity[s]]
        lines.append("## iacguard: %s (%s)" % (_plural(summary.findings, "finding"), ", ".join(parts)))
    else:
        lines.append("## iacguard: no findings")
    lines.append("")
    lines.append(
        "%s scanned, %s, %s run."
        % (_plural(summary.files, "file"), _plural(summary.resources, "resource"), _plural(summary.checks, "check"))
    )
    lines.append("")
    lines += _configuration_lines(result)

    if summary.findings:
        lines += ["| Severity | Findings |", "|---|---:|"]
        lines += ["| %s | %d |" % (s, by_severity[s]) for s in SEVERITIES]
        lines.append("")
        by_pillar = summary.by_pillar
        lines += ["| Pillar | Findings |", "|---|---:|"]
        lines += ["| %s | %d |" % (title, by_pillar[key]) for key, title in PILLARS.items() if by_pillar[key]]
        lines.append("")
        lines += ["### Findings", "", "| Severity | Check | Resource | Location | Message |", "|---|---|---|---|---|"]
        for f in _ordered(result, checks)[:max_rows]:
            check = checks.get(f.check_id)
            severity = severity_of(f, check)
            where = "%s:%d" % (display_path(f.location.path, result.cwd), f.location.start_line)
            message = finding_message(f, fallback=check.title if check is not None else "")
            cell = _text(message)
            chain = path_chain(f, MAX_PATH_STEPS)
            if chain:
                cell += " Path: %s" % _code(chain)
            lines.append("| %s | %s | %s | %s | %s |" % (severity, _code(f.check_id), _code(shown_address(f)), _code(where), cell))
        if summary.findings > max_rows:
            lines.append("")
            lines.append(_more_line(summary.findings - max_rows, full_report))
        lines.append("")

    if result.suppressed:
        lines += ["<details><summary>%s</summary>" % _plural(summary.suppressed, "suppressed finding"), ""]
        lines += ["| Check | Resource | Location | Reason | Expires |", "|---|---|---|---|---|"]
        for item in result.suppressed[:max_rows]:
            f, sup = item.finding, item.suppression
            where = "%s:%d" % (display_path(f.location.path, result.cwd), f.location.start_line)
            lines.append(
                "| %s | %s | %s | %s | %s |"
                % (_code(f.check_id), _code(shown_address(f)), _code(where), _text(sup.reason or "(no reason given)"), _text(sup.expires or "never"))
            )
        if summary.suppressed > max_rows:
            lines += ["", "… and %d more." % (summary.suppressed - max_rows)]
        lines += ["", "</details>", ""]

    left_out = []
    if summary.suppressed:
        left_out.append("**Suppressed:** %d" % summary.suppressed)
    if summary.baseline_file:
        left_out.append(
            "**Baseline:** %s not shown, %d baseline %s fixed"
            % (_plural(summary.baseline_matched, "known finding"), summary.baseline_fixed, "entry" if summary.baseline_fixed == 1 else "entries")
        )
    if summary.outside_changes:
        left_out.append("**Outside the changed files:** %d not shown" % summary.outside_changes)
    if summary.min_severity:
        left_out.append("**Below min-severity %s:** %d not shown" % (summary.min_severity, summary.below_min_severity))
    if left_out:
        lines += [" · ".join(left_out), ""]
    not_scanned = not_scanned_text(result, fail_on_error)
    if not_scanned:
        lines += ["**%s**" % not_scanned, ""]

    lines += _undecided_lines(result, summary.undecided, max_rows)

    notes = [n for n in sorted(result.notifications, key=notification_sort_key) if n.level in ("error", "warning")]
    if notes:
        lines += ["<details><summary>%s</summary>" % _plural(len(notes), "problem"), ""]
        for n in notes[:max_rows]:
            where = display_path(n.path, result.cwd) if n.path else ""
            if where and n.line > 0:
                where = "%s:%d" % (where, n.line)
            lines.append("- %s %s%s" % (n.level, (_code(where) + " ") if where else "", _text(n.message)))
        lines += ["", "</details>", ""]

    lines.append("<sub>iacguard %s</sub>" % iacguard.__version__)
    return "\n".join(lines) + "\n"


def _undecided_lines(result: ScanResult, count: int, max_rows: int) -> list:
    """A collapsed section: the checks left undecided by unknown values, and where each value
    comes from."""
    if not count:
        return []
    lines = ["<details><summary>%s left undecided by unknown values</summary>" % _plural(count, "check"), ""]
    lines += ["| Check | Resource | Location | Value not known | Comes from |", "|---|---|---|---|---|"]
    for u in result.undecided[:max_rows]:
        where = "%s:%d" % (display_path(u.location.path, result.cwd), u.location.start_line)
        origins = ", ".join("%s (%s)" % (what, "%s:%d" % (display_path(loc.path, result.cwd), loc.start_line)) for loc, what in u.related)
        lines.append(
            "| %s | %s | %s | %s | %s |"
            % (_code(u.check_id), _code(u.resource.address), _code(where), _text("%s: %s" % (u.what, u.reason)), _text(origins) if origins else "")
        )
    if count > max_rows:
        lines += ["", "… and %d more." % (count - max_rows)]
    lines += ["", "</details>", ""]
    return lines


def _configuration_lines(result: ScanResult) -> list:
    """A summary line naming the configuration file used and what it changed."""
    conf = result.configuration
    if not conf:
        return []
    changes = "; ".join(conf.get("changes") or ()) or "no change from the defaults"
    lines = ["**Configuration:** %s (%s)" % (_code(display_path(conf["path"], result.cwd)), _text(changes)), ""]
    if conf.get("warning"):
        lines += ["**Warning:** %s" % _text(conf["warning"]), ""]
    return lines
