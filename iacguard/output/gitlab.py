"""GitLab reports: the Code Quality report (`--format gitlab`) and the SAST security report
(`--format gitlab-sast`).

Code Quality (`artifacts:reports:codequality`, shown in merge requests and pipelines): a JSON
array with one issue per finding, `{description, check_name, fingerprint, severity, location:
{path, lines: {begin, end}}}` plus the Code Climate `type` and `categories`. Severities map
critical -> blocker, high -> critical, medium -> major, low -> minor. The fingerprint is the
finding's (check, file, resource: not its lines, so an issue follows its code), the same one the
JSON and SARIF reports carry; GitLab keeps one issue per fingerprint, and iacguard's are unique
within a report. A file the scanner gave up on is an issue too (check name
`iacguard/file-not-scanned`, severity major), so the merge request shows it.

SAST (`artifacts:reports:sast`, the security dashboard and the vulnerability report): GitLab's
security report schema, version 15.0.6 (tests/data/gitlab/ holds a copy; the tests validate
against it). One vulnerability per finding: a stable UUID derived from its fingerprint, the
check's title as name, severity Critical/High/Medium/Low, the check id as primary identifier
(then its CWEs and the equivalent ids of other tools), links to its references, and its file and
lines. `scan` names iacguard as analyzer and scanner; files it could not read become scan
messages of level `warn`. Start and end times default to now (end) and now minus the scan's
duration (start), in UTC, to the second as the schema wants.

Paths are relative to `workspace` when given (the CLI passes $CI_PROJECT_DIR), else to the
scan's working directory. Output is deterministic given the times.
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone

import iacguard
from iacguard.check import severity_of
from iacguard.core.model import ScanResult

from . import jsontext
from .escape import visible
from .findings import checks_by_id, finding_message, fingerprints, notification_sort_key, shown_address
from .paths import display_path, relative_path

CODE_QUALITY_SEVERITY = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor"}
SAST_SEVERITY = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
SAST_VERSION = "15.0.6"
SAST_SCHEMA = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v%s/dist/sast-report-format.json" % SAST_VERSION
INFORMATION_URI = "https://github.com/iacguard/iacguard"
NOT_SCANNED = "iacguard/file-not-scanned"
# uuid5 namespace of iacguard's vulnerability ids (fixed: the same finding keeps its id across scans).
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, INFORMATION_URI + "/gitlab-sast")
MAX_NAME = 255
MAX_SOLUTION = 7000
MAX_DESCRIPTION = 1048576


def _file(path: str, cwd: str, workspace: str) -> str:
    if workspace:
        rel = relative_path(path, workspace)
        if rel is not None:
            return visible(rel)
    return visible(display_path(path, cwd))


def _lines(loc) -> tuple:
    begin = max(loc.start_line, 1)
    return begin, max(loc.end_line, begin)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(markdown: str) -> str:
    return "\n".join(line for line in markdown.strip().splitlines() if not line.lstrip().startswith("```"))


def _severity(f, check) -> str:
    return severity_of(f, check) if check is not None else "medium"


# ----------------------------------------------------------------------------- Code Quality


def code_quality(result: ScanResult, *, workspace: str = "") -> list:
    """The Code Quality report as plain data (what `render` serialises)."""
    return list(_issues(result, workspace))


def _issues(result: ScanResult, workspace: str):
    """The Code Quality issues, made one at a time."""
    checks = checks_by_id(result)
    for f, fp in zip(result.findings, fingerprints(result)):
        check = checks.get(f.check_id)
        begin, end = _lines(f.location)
        message = finding_message(f, fallback=check.title if check else f.check_id)
        yield {
            "type": "issue",
            "description": visible("%s: %s Resource: %s" % (f.check_id, message, shown_address(f))),
            "check_name": f.check_id,
            "fingerprint": fp,
            "severity": CODE_QUALITY_SEVERITY.get(_severity(f, check), "major"),
            "categories": ["Security"],
            "location": {"path": _file(f.location.path, result.cwd, workspace), "lines": {"begin": begin, "end": end}},
        }
    seen: set = set()
    for n in sorted(result.notifications, key=notification_sort_key):
        if n.level != "error":
            continue
        path = _file(n.path, result.cwd, workspace) if n.path else "."
        key = hashlib.sha256("\0".join((NOT_SCANNED, path, str(n.line), n.message)).encode("utf-8", "surrogatepass")).hexdigest()[:32]
        if key in seen:
            continue
        seen.add(key)
        yield {
            "type": "issue",
            "description": visible("File not scanned: %s" % (n.message or "error")),
            "check_name": NOT_SCANNED,
            "fingerprint": key,
            "severity": "major",
            "categories": ["Bug Risk"],
            "location": {"path": path, "lines": {"begin": max(n.line, 1), "end": max(n.line, 1)}},
        }


def render(result: ScanResult, *, workspace: str = "") -> str:
    """The Code Quality report as JSON text, indented by 2, ending in a newline."""
    return jsontext.dumps(code_quality(result, workspace=workspace)) + "\n"


def chunks(result: ScanResult, *, workspace: str = ""):
    """The text of `render(...)` in pieces, one issue made and written at a time."""
    yield from jsontext.chunks(jsontext.Lazy(lambda: _issues(result, workspace)))
    yield "\n"


# ----------------------------------------------------------------------------- SAST


def _time(value, default: datetime) -> str:
    if value is None:
        value = default
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            value = default
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def _cwe(cwe: str) -> dict | None:
    number = str(cwe).upper().replace("CWE", "").strip(" -_:")
    if not number.isdigit():
        return None
    return {"type": "cwe", "name": "CWE-%s" % number, "value": number, "url": "https://cwe.mitre.org/data/definitions/%s.html" % number}


def _identifiers(check_id: str, check) -> list:
    out = [{"type": "iacguard_check_id", "name": "iacguard %s" % check_id, "value": check_id}]
    if check is None:
        return out
    for c in check.cwe:
        ident = _cwe(c)
        if ident is not None and ident not in out:
            out.append(ident)
    for tool, other in check.equivalents:
        if str(other).strip():
            out.append({"type": "%s_id" % tool.replace("-", "_"), "name": "%s %s" % (tool, other), "value": str(other)})
    return out


def _component() -> dict:
    return {
        "id": "iacguard",
        "name": "iacguard",
        "url": INFORMATION_URI,
        "vendor": {"name": "iacguard"},
        "version": iacguard.__version__,
    }


def sast_report(result: ScanResult, *, workspace: str = "", start_time=None, end_time=None) -> dict:
    """The SAST report as plain data (what `render_sast` serialises)."""
    return _sast(result, workspace, start_time, end_time, lambda make: list(make()))


def _sast(result: ScanResult, workspace: str, start_time, end_time, listing) -> dict:
    """The SAST report's data, its vulnerabilities made by `listing(make)` from `make`, a
    function returning a fresh iterable of them (all now, or `jsontext.Lazy`: as written)."""
    checks = checks_by_id(result)
    now = datetime.now(timezone.utc)
    end = _time(end_time, now)
    start = _time(start_time, now - timedelta(seconds=max(result.duration or 0.0, 0.0)))
    if start > end:
        start = end
    def vulnerabilities():
        for f, fp in zip(result.findings, fingerprints(result)):
            check = checks.get(f.check_id)
            begin, last = _lines(f.location)
            message = finding_message(f, fallback=check.title if check else f.check_id)
            description = "%s\n\nResource: %s" % (message, shown_address(f))
            if check is not None:
                description += "\n\n%s\n\n%s" % (check.what.strip(), check.why.strip())
            vuln = {
                "id": str(uuid.uuid5(_NAMESPACE, fp)),
                "name": _cut(visible(check.title if check else f.check_id), MAX_NAME),
                "description": _cut(visible_lines(description.strip()), MAX_DESCRIPTION),
                "severity": SAST_SEVERITY.get(_severity(f, check), "Unknown"),
                "identifiers": _identifiers(f.check_id, check),
                "location": {"file": _file(f.location.path, result.cwd, workspace), "start_line": begin, "end_line": last},
            }
            if check is not None:
                fixes = [("Terraform", check.fix_terraform), ("CloudFormation", check.fix_cloudformation)]
                solution = "\n\n".join("%s: %s" % (lang, _plain(text)) for lang, text in fixes if text.strip())
                if solution:
                    vuln["solution"] = _cut(solution, MAX_SOLUTION)
                links = [{"url": r} for r in check.references if str(r).startswith(("https://", "http://"))]
                if links:
                    vuln["links"] = links
            yield vuln
    scan: dict = {
        "analyzer": _component(),
        "scanner": _component(),
        "type": "sast",
        "start_time": start,
        "end_time": end,
        "status": "success",
    }
    messages = []
    for n in sorted(result.notifications, key=notification_sort_key):
        if n.level not in ("error", "warning"):
            continue
        where = display_path(n.path, result.cwd) if n.path else ""
        if where and n.line > 0:
            where += ":%d" % n.line
        text = visible("%s%s" % ("%s: " % where if where else "", n.message or n.level))
        messages.append({"level": "warn", "value": text or "warning"})
    if messages:
        scan["messages"] = messages
    return {"version": SAST_VERSION, "schema": SAST_SCHEMA, "scan": scan, "vulnerabilities": listing(vulnerabilities)}


def visible_lines(text: str) -> str:
    """`visible` for each line, line breaks kept (GitLab renders the description as Markdown)."""
    return "\n".join(visible(line) for line in text.replace("\r\n", "\n").split("\n"))


def render_sast(result: ScanResult, *, workspace: str = "", start_time=None, end_time=None) -> str:
    """The SAST report as JSON text, indented by 2, ending in a newline."""
    return jsontext.dumps(sast_report(result, workspace=workspace, start_time=start_time, end_time=end_time)) + "\n"


def chunks_sast(result: ScanResult, *, workspace: str = "", start_time=None, end_time=None):
    """The text of `render_sast(...)` in pieces, one vulnerability made and written at a time."""
    yield from jsontext.chunks(_sast(result, workspace, start_time, end_time, jsontext.Lazy))
    yield "\n"
