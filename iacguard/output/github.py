"""GitHub Actions workflow commands: one annotation per finding, for repositories without code
scanning (`iacguard scan --format github .` in a workflow step).

Each finding becomes one line `::LEVEL file=F,line=L,endLine=E,title=T::MESSAGE`, the level from
the finding's severity (critical and high: `error`, medium: `warning`, low: `notice`). Files the
scanner could not read (notifications of level error or warning) are annotated too, as warnings,
so a broken template does not pass unseen.

GitHub reads a property value up to the next `,` or `::` and the message up to the end of the
line, so, as its runner expects: `%` is written `%25`, CR `%0D` and LF `%0A` everywhere, and in a
property value also `:` as `%3A` and `,` as `%2C`. Text from the scanned tree (addresses,
messages, file names) first has its control and invisible characters made visible
(`escape.visible`), line breaks kept, so a file cannot end an annotation and start a command of
its own.

File paths are relative to the workspace (`workspace`, the CLI passes $GITHUB_WORKSPACE), else to
the scan's working directory; a file outside both keeps its absolute path (GitHub then shows the
annotation on the run, not on a file).

GitHub shows at most 10 error and 10 warning annotations per step (and 50 per job); every
annotation line is still in the step's log. The most severe findings come first and at most
`max_annotations` (default 50) lines are written; a final `::notice` says how many were left
out. A last plain line sums the scan up.
"""
from __future__ import annotations

from iacguard.check import SEVERITIES, SEVERITY_RANK, severity_of
from iacguard.core.model import ScanResult

from .escape import visible
from .findings import checks_by_id, finding_message, severity_counts, shown_address
from .paths import display_path, relative_path

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}
MAX_ANNOTATIONS = 50  # GitHub keeps 50 annotations per job (and shows 10 errors, 10 warnings per step)
TITLE = "iacguard"


def escape_data(text: str) -> str:
    """A workflow command's message, as GitHub's runner reads it back."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (file, title): also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _clean(text) -> str:
    """Scanned text made visible, its line breaks kept (they become %0A)."""
    lines = str(text).replace("\r\n", "\n").split("\n")
    return "\n".join(visible(line) for line in lines)


def _file(path: str, cwd: str, workspace: str) -> str:
    if workspace:
        rel = relative_path(path, workspace)
        if rel is not None:
            return rel
    return display_path(path, cwd)


def command(level: str, message: str, *, file: str = "", line: int = 0, end_line: int = 0, title: str = "") -> str:
    """One workflow command line (without its newline)."""
    props = []
    if file:
        props.append("file=" + escape_property(_clean(file)))
        if line > 0:
            props.append("line=%d" % line)
            props.append("endLine=%d" % max(end_line, line))
    if title:
        props.append("title=" + escape_property(_clean(title)))
    head = "::%s %s" % (level, ",".join(props)) if props else "::%s" % level
    return "%s::%s" % (head, escape_data(_clean(message)))


def annotations(result: ScanResult, workspace: str = "") -> list:
    """(rank, line) for every finding and every file the scanner gave up on, most severe first
    (then by file and line, as the findings are sorted)."""
    checks = checks_by_id(result)
    out = []
    for f in result.findings:
        check = checks.get(f.check_id)
        severity = severity_of(f, check) if check is not None else "medium"
        title = "%s %s: %s" % (TITLE, f.check_id, check.title if check is not None else f.check_id)
        message = "%s [%s] %s" % (finding_message(f, fallback=check.title if check else f.check_id), severity, shown_address(f))
        loc = f.location
        out.append((
            -SEVERITY_RANK.get(severity, 2),
            command(LEVELS.get(severity, "warning"), message, file=_file(loc.path, result.cwd, workspace),
                    line=max(loc.start_line, 1), end_line=max(loc.end_line, loc.start_line, 1), title=title),
        ))
    for n in result.notifications:
        if n.level not in ("error", "warning"):
            continue
        title = "%s: %s" % (TITLE, "file not scanned" if n.level == "error" else "warning")
        out.append((
            -SEVERITY_RANK["medium"],
            command("warning", n.message or n.level, file=_file(n.path, result.cwd, workspace) if n.path else "",
                    line=n.line, end_line=n.line, title=title),
        ))
    out.sort(key=lambda item: item[0])  # stable: file order kept within a level
    return out


def summary(result: ScanResult) -> str:
    counts = severity_counts(result)
    parts = ", ".join("%d %s" % (counts[s], s) for s in SEVERITIES if counts[s])
    text = "iacguard: %d finding(s)%s in %d file(s)" % (len(result.findings), " (%s)" % parts if parts else "", len(result.files))
    errors = sum(1 for n in result.notifications if n.level == "error")
    if errors:
        text += "; %d file(s) could not be scanned" % errors
    if result.suppressed:
        text += "; %d suppressed" % len(result.suppressed)
    return text


def render(result: ScanResult, *, workspace: str = "", max_annotations: int = MAX_ANNOTATIONS) -> str:
    """Workflow command lines, then a summary line, ending in a newline."""
    lines = [line for _, line in annotations(result, workspace)]
    limit = max(int(max_annotations), 0)
    shown, left = lines[:limit], len(lines) - min(limit, len(lines))
    if left:
        shown.append(command(
            "notice",
            "%d more annotation(s) left out: GitHub shows at most 10 error and 10 warning annotations per step; "
            "see the full report (e.g. --output-file sarif=PATH or json=PATH)" % left,
            title="%s: annotations left out" % TITLE,
        ))
    shown.append(summary(result))
    return "\n".join(shown) + "\n"
