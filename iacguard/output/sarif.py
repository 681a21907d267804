"""The SARIF 2.1.0 report, shaped for GitHub code scanning (see shared/sarif/GITHUB-CODE-SCANNING.md).

One run per scan with category `iacguard/` (`iacguard/NAME/` with `category="NAME"`, from
`--sarif-category`, so two scans uploaded from one workflow keep their alerts apart). Every check that ran becomes a rule (so GitHub shows
the full catalogue), with its severity as `security-severity`. Result locations are relative to
the scan's working directory under `%SRCROOT%`; a file outside that directory is named by its
absolute `file:///` URI instead (same scheme as the working directory, so the upload is
accepted, but GitHub can only show alerts for files in the repository). Fingerprints come from
check id, file path and resource address, never line numbers, so alerts follow their code.

A finding that carries an attack path (`Finding.path`) gets one code flow with one thread flow:
`codeFlows[0].threadFlows[0].locations` holds one location per step, in order from the entry
point to the asset, each pointing at the step's resource block (start and end line) with the
step's message. GitHub keeps 10,000 thread-flow locations per result and shows 1,000, so a path
longer than MAX_FLOW_LOCATIONS keeps its first MAX_FLOW_LOCATIONS - 1 steps and its last (the
asset), the last one's message saying how many were left out, and the result's properties give
`pathSteps` (all of them) and `pathStepsShown`. A finding without a path has no `codeFlows`.

Output is deterministic: no timestamps unless the caller passes them, fixed key order, rules
sorted by id, notifications sorted.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

import iacguard
from iacguard.check import Check, severity_of
from iacguard.core.model import Location, ScanResult

from . import jsontext
from .findings import (
    checks_by_id,
    condition_pairs,
    finding_message,
    fingerprints,
    notification_sort_key,
    suppressed_fingerprints,
)
from .escape import visible
from .paths import directory_uri, file_uri, relative_path, relative_uri

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/iacguard/iacguard"
SRCROOT = "%SRCROOT%"
CATEGORY = "iacguard/"
FINGERPRINT_KEY = "iacguard/v1"

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub reads a number as a severity band: >=9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
# 0.1-3.9 low. Each value sits inside its band, away from the disputed 9.0 edge.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
MAX_TAGS = 10  # GitHub keeps 10 tags per rule
MAX_DESCRIPTION = 1024
MAX_FLOW_LOCATIONS = 1000  # thread-flow locations per result GitHub shows (it keeps 10,000)
NOTIFICATION_LEVELS = ("error", "warning", "note", "none")

# "[text](3)" in a SARIF message is a link to related location 3; a message that happens to
# contain that shape (e.g. "ingress[0](tcp)") gets its brackets escaped.
_EMBEDDED_LINK = re.compile(r"\[[^\]]*\]\(")  # [text](N) or [text](uri): a link a viewer would render


def rule_name(title: str) -> str:
    """CamelCase from a title: "S3 bucket has no default encryption" -> "S3BucketHasNoDefaultEncryption"."""
    words = re.split(r"[^0-9A-Za-z]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words if w)[:255]


def _truncate(text: str, limit: int = MAX_DESCRIPTION) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _plain(markdown: str) -> str:
    """Markdown snippets as plain text: code fences dropped, code kept."""
    return "\n".join(line for line in markdown.strip().splitlines() if not line.lstrip().startswith("```"))


def _cwe_tag(cwe: str) -> str:
    number = re.sub(r"^\s*cwe[-_ ]?", "", str(cwe), flags=re.IGNORECASE).strip()
    return "external/cwe/cwe-%s" % number


def rule_tags(check: Check) -> list:
    tags = ["security", "iac", check.pillar]
    tags += [lang for lang in ("terraform", "cloudformation") if lang in check.languages]
    tags += [_cwe_tag(c) for c in check.cwe]
    unique = list(dict.fromkeys(tags))
    return unique[:MAX_TAGS]


def help_text(check: Check) -> str:
    """The check's documentation as plain text (GitHub shows help.markdown when present)."""
    sections = [
        "%s: %s" % (check.id, check.title),
        "What it does:\n%s" % check.what.strip(),
        "Why it matters:\n%s" % check.why.strip(),
    ]
    if check.fix_terraform.strip():
        sections.append("How to fix (Terraform):\n%s" % _plain(check.fix_terraform))
    if check.fix_cloudformation.strip():
        sections.append("How to fix (CloudFormation):\n%s" % _plain(check.fix_cloudformation))
    if check.references:
        sections.append("References:\n%s" % "\n".join("- %s" % r for r in check.references))
    if check.equivalents:
        sections.append("Equivalent ids:\n%s" % "\n".join("- %s: %s" % pair for pair in check.equivalents))
    return "\n\n".join(sections) + "\n"


def rule(check: Check) -> dict:
    full = _one_line("%s %s" % (check.what.strip(), check.why.strip()))
    properties = {
        "tags": rule_tags(check),
        "precision": "high",
        "security-severity": SECURITY_SEVERITY[check.severity],
    }
    if check.equivalents:
        properties["equivalents"] = ["%s:%s" % pair for pair in check.equivalents]
    return {
        "id": check.id,
        "name": rule_name(check.title),
        "shortDescription": {"text": _truncate(check.title)},
        "fullDescription": {"text": _truncate(full or check.title)},
        "help": {"text": help_text(check), "markdown": check.markdown()},
        "defaultConfiguration": {"level": LEVELS[check.severity]},
        "properties": properties,
    }


def _unregistered_rule(check_id: str) -> dict:
    """A finding names a check missing from `result.checks` (should not happen): keep the log
    valid for GitHub with a neutral rule rather than drop the finding."""
    text = "iacguard check %s (no metadata available)" % check_id
    return {
        "id": check_id,
        "name": rule_name(check_id),
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["security", "iac"], "precision": "high", "security-severity": SECURITY_SEVERITY["medium"]},
    }


def _artifact_location(path: str, cwd: str) -> dict:
    rel = relative_path(path, cwd)
    if rel is not None:
        return {"uri": relative_uri(rel), "uriBaseId": SRCROOT}
    return {"uri": file_uri(path)}


def _region(loc) -> dict:
    """A SARIF region from a Location. Parsers record where each line ends, so the end column
    comes with the location (columns are exclusive at the end, like SARIF's); no source file is
    read here. A location without one (end_col 0, "end of line") leaves endColumn out, which
    SARIF reads as the end of the end line."""
    start_line = max(loc.start_line, 1)
    end_line = max(loc.end_line, start_line)
    start_col = max(loc.start_col, 1)
    region = {"startLine": start_line, "startColumn": start_col, "endLine": end_line}
    if loc.end_col > 0:
        end_col = loc.end_col
        if end_line == start_line and end_col < start_col:
            end_col = start_col
        region["endColumn"] = end_col
    return region


def _code_flows(f, cwd: str) -> tuple:
    """The result's `codeFlows` for a finding's attack path, and how many steps it shows."""
    steps = list(f.path)
    shown = steps
    if len(steps) > MAX_FLOW_LOCATIONS:
        shown = steps[: MAX_FLOW_LOCATIONS - 1] + steps[-1:]
    locations = []
    for i, step in enumerate(shown):
        text = step.message or step.resource.address
        if getattr(step, "missing", ()):
            text = "%s [missing: %s]" % (text, ", ".join(step.missing))
        if i == len(shown) - 1 and len(shown) < len(steps):
            text = "%s (%d steps before this one left out: GitHub shows at most %d)" % (text, len(steps) - len(shown), MAX_FLOW_LOCATIONS)
        locations.append({
            "location": {
                "physicalLocation": {"artifactLocation": _artifact_location(step.location.path, cwd), "region": _region(step.location)},
                "message": {"text": _message_text(text)},
            },
        })
    flow = {
        "message": {"text": _message_text("Path from %s to %s (%d steps)" % (steps[0].resource.address, steps[-1].resource.address, len(steps)))},
        "threadFlows": [{"locations": locations}],
    }
    return [flow], len(shown)


def _result(f, fingerprint: str, suppression, checks: dict, index: dict, cwd: str) -> dict:
    """One finding as a SARIF result."""
    check = checks.get(f.check_id)
    level = LEVELS[severity_of(f, check)] if check is not None else "warning"
    properties = {
        "resourceAddress": f.resource.address,
        "resourceType": f.resource.type,
        "language": f.resource.language,
    }
    if getattr(f, "root", ""):
        properties["rootModule"] = f.root
    if check is not None and check.graded and f.severity:
        properties["severity"] = severity_of(f, check)  # the rule's security-severity is its default
    pairs = condition_pairs(f.conditions)
    if pairs:
        properties["conditions"] = [{"name": n, "value": v} for n, v in pairs]
    entry = {
        "ruleId": f.check_id,
        "ruleIndex": index[f.check_id],
        "level": level,
        "message": {"text": _message_text(finding_message(f, fallback=check.title if check else f.check_id))},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact_location(f.location.path, cwd),
                    "region": _region(f.location),
                }
            }
        ],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint, FINGERPRINT_KEY: fingerprint},
        "properties": properties,
    }
    related = getattr(f, "related", ())
    if related:
        # GitHub shows a related location only when the message links to it as [text](id).
        entry["relatedLocations"] = [
            {
                "id": i,
                "message": {"text": visible(what)},
                "physicalLocation": {
                    "artifactLocation": _artifact_location(loc.path, cwd),
                    "region": _region(loc),
                },
            }
            for i, (loc, what) in enumerate(related, 1)
        ]
        links = ", ".join("[%s](%d)" % (visible(what).replace("[", "").replace("]", ""), i) for i, (_, what) in enumerate(related, 1))
        entry["message"]["text"] += " Value from: %s." % links
    if getattr(f, "path", ()):
        entry["codeFlows"], shown = _code_flows(f, cwd)
        properties["pathSteps"] = len(f.path)
        properties["pathStepsShown"] = shown
    if suppression is not None:
        entry["suppressions"] = [_suppression(suppression, cwd)]
    return entry


def _message_text(text: str) -> str:
    text = visible(text)  # GitHub shows message text: no raw control or bidirectional characters
    if _EMBEDDED_LINK.search(text):
        text = text.replace("[", "\\[").replace("]", "\\]")
    return text


def _timestamp(value) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return str(value)


def _notification(n, cwd: str) -> dict:
    out = {
        "level": n.level if n.level in NOTIFICATION_LEVELS else "note",
        "message": {"text": visible(n.message or n.level)},
    }
    if n.path:
        physical = {"artifactLocation": _artifact_location(n.path, cwd)}
        if n.line > 0:
            physical["region"] = {"startLine": n.line}
        out["locations"] = [{"physicalLocation": physical}]
    return out


def _undecided(u, cwd: str, index: dict) -> dict:
    """A check left undecided by an unknown value, as a notification of level note with its
    location (GitHub code scanning shows no notifications and opens no alert for them; a
    result of any kind would become an alert). The origins of the value follow as further
    locations, each with its message."""
    text = "%s left undecided on %s: %s is not known (%s)" % (u.check_id, u.resource.address, u.what, u.reason or "no reason given")
    if u.related:
        text += "; value from %s" % ", ".join(what for _, what in u.related)
    out: dict = {
        "level": "note",
        "message": {"text": visible(text + ".")},
        "descriptor": {"id": "iacguard/undecided"},
        "locations": [
            {"physicalLocation": {"artifactLocation": _artifact_location(u.location.path, cwd), "region": {"startLine": max(u.location.start_line, 1)}}}
        ]
        + [
            {
                "physicalLocation": {"artifactLocation": _artifact_location(loc.path, cwd), "region": {"startLine": max(loc.start_line, 1)}},
                "message": {"text": visible(what)},
            }
            for loc, what in u.related
        ],
        "properties": {"resourceAddress": u.resource.address, "resourceType": u.resource.type, "setting": u.what, "reason": u.reason},
    }
    if u.check_id in index:
        out["associatedRule"] = {"id": u.check_id, "index": index[u.check_id]}
    return out


def _suppression(suppression, cwd: str) -> dict:
    out: dict = {"kind": "inSource", "status": "accepted"}
    if suppression.reason:
        out["justification"] = visible(suppression.reason)
    if suppression.path and suppression.line > 0:
        loc = Location(suppression.path, suppression.line, suppression.line, 1, getattr(suppression, "end_col", 0))
        out["location"] = {"physicalLocation": {"artifactLocation": _artifact_location(suppression.path, cwd), "region": _region(loc)}}
    return out


def _configuration(invocation: dict, result: ScanResult) -> None:
    """The configuration file used, as a toolConfigurationNotification (with its location) and
    as invocation properties."""
    conf = result.configuration
    if not conf:
        return
    rel = relative_path(conf["path"], result.cwd)
    shown = rel if rel is not None else conf["path"]
    changes = list(conf.get("changes") or ())
    note = {
        "level": "warning" if conf.get("warning") else "note",
        "message": {"text": "configuration %s: %s" % (shown, "; ".join(changes) or "no change from the defaults")},
        "descriptor": {"id": "iacguard/configuration"},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact_location(conf["path"], result.cwd)}}],
    }
    invocation["toolConfigurationNotifications"] = [note]
    props = {"configurationFile": shown, "configurationChanges": changes}
    if conf.get("warning"):
        props["configurationChangedSinceBase"] = conf["warning"]
    invocation["properties"] = props


def category_name(name) -> str:
    """`name` as a category: surrounding whitespace and slashes and a leading "./" dropped, so a
    scanned path names the same category however it is written ("./infra/", "infra"). Empty (or
    ".", the workspace itself) means no name. A control character is refused (ValueError): it
    would make an id no one can type or see."""
    text = str(name or "").strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError("a SARIF category cannot contain control characters")
    while text.startswith("./"):
        text = text[2:].lstrip("/")
    text = text.strip("/")
    return "" if text in ("", ".") else text


def category_id(name=None) -> str:
    """runs[].automationDetails.id: "iacguard/" alone, or "iacguard/NAME/". The trailing slash
    makes the whole id the category (SARIF 3.17.3: the part after the last "/" is the run's own
    id), which is how GitHub code scanning tells uploads apart."""
    name = category_name(name)
    return "%s%s/" % (CATEGORY, name) if name else CATEGORY


def sarif_log(result: ScanResult, *, include_suppressed: bool = False, start_time=None, end_time=None, category=None) -> dict:
    """The SARIF log as plain data (what `render` serialises).

    Suppressed findings are left out unless `include_suppressed`: GitHub ignores SARIF
    `suppressions` and would open them as alerts. When included, each carries a `suppressions`
    entry (kind "inSource", the reason as justification) for viewers that read it.
    `start_time`/`end_time` (datetime or ISO 8601 string) add invocation timestamps.
    `category` names the run's category (see `category_id`).
    """
    return _log(result, _eager, include_suppressed, start_time, end_time, category)


def _eager(make) -> list:
    return list(make())


def _log(result: ScanResult, listing, include_suppressed: bool, start_time, end_time, category) -> dict:
    """The log's data, its results and notifications each made by `listing(make)` from `make`, a
    function returning a fresh iterable of them: `_eager` makes them all now, `jsontext.Lazy`
    as they are written."""
    automation_id = category_id(category)
    checks = checks_by_id(result)
    rules_by_id = {c.id: rule(c) for c in result.checks}
    reported = [(f, fp, None) for f, fp in zip(result.findings, fingerprints(result))]
    if include_suppressed:
        reported += [(s.finding, fp, s.suppression) for s, fp in zip(result.suppressed, suppressed_fingerprints(result))]
    for f, _, _ in reported:
        if f.check_id not in rules_by_id:
            rules_by_id[f.check_id] = _unregistered_rule(f.check_id)
    rules = [rules_by_id[i] for i in sorted(rules_by_id)]
    index = {r["id"]: i for i, r in enumerate(rules)}

    invocation: dict = {"executionSuccessful": True}
    if start_time is not None:
        invocation["startTimeUtc"] = _timestamp(start_time)
    if end_time is not None:
        invocation["endTimeUtc"] = _timestamp(end_time)
    if result.cwd:
        invocation["workingDirectory"] = {"uri": directory_uri(result.cwd)}
    cwd = result.cwd

    def notes():
        for n in sorted(result.notifications, key=notification_sort_key):
            yield _notification(n, cwd)
        for u in result.undecided:
            yield _undecided(u, cwd, index)

    if result.notifications or result.undecided:
        invocation["toolExecutionNotifications"] = listing(notes)
    _configuration(invocation, result)

    run: dict = {
        "tool": {
            "driver": {
                "name": "iacguard",
                "semanticVersion": iacguard.__version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "automationDetails": {"id": automation_id},
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
    }
    if result.cwd:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": directory_uri(result.cwd)}}
    run["results"] = listing(lambda: (_result(f, fp, suppression, checks, index, cwd) for f, fp, suppression in reported))
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, *, include_suppressed: bool = False, start_time=None, end_time=None, category=None) -> str:
    """The SARIF log as JSON text, indented by 2, ending in a newline."""
    log = sarif_log(result, include_suppressed=include_suppressed, start_time=start_time, end_time=end_time, category=category)
    return jsontext.dumps(log) + "\n"


def chunks(result: ScanResult, *, include_suppressed: bool = False, start_time=None, end_time=None, category=None):
    """The text of `render(...)` in pieces, each result and notification made and written one
    at a time (what the command line writes: never the whole log in memory)."""
    yield from jsontext.chunks(_log(result, jsontext.Lazy, include_suppressed, start_time, end_time, category))
    yield "\n"
