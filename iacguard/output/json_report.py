"""The JSON report: a stable, documented structure for scripts (see docs/json-format.md).

A finding that carries an attack path (`Finding.path`) has a `path` array, one
{address, type, file, start_line, end_line, message} entry per step from the entry point to the
asset; other findings have no `path` key, so their reports read as before.

Adding a field is compatible; renaming, removing or changing the meaning of one raises
`schema_version`.
"""
from __future__ import annotations


import iacguard
from iacguard.check import severity_of
from iacguard.core.model import Finding, ScanResult

from . import jsontext
from .findings import (
    checks_by_id,
    condition_pairs,
    filtering_summary,
    finding_message,
    fingerprints,
    notification_sort_key,
    pillar_counts,
    severity_counts,
    suppressed_fingerprints,
    suppression_data,
    undecided_fingerprints,
    unknown_sort_key,
)
from .paths import display_path

SCHEMA_VERSION = 1


def _file(path: str, cwd: str):
    return display_path(path, cwd) if path else None


def _notification(n, cwd: str) -> dict:
    return {
        "file": _file(n.path, cwd),
        "level": n.level,
        "line": n.line if n.line > 0 else None,
        "message": n.message,
    }


def report(result: ScanResult) -> dict:
    """The report as plain data (what `render` serialises)."""
    return _report(result, _eager)


def _report(result: ScanResult, listing) -> dict:
    """The report's data, its long lists (findings, suppressed, notifications, errors, unknowns,
    undecided) each made by `listing(make)` from `make`, a function returning a fresh iterable of
    their elements: `_eager` makes them all now, `jsontext.Lazy` as they are written."""
    checks = checks_by_id(result)
    cwd = result.cwd

    def findings():
        return (_finding(f, fingerprint, checks, cwd) for f, fingerprint in zip(result.findings, fingerprints(result)))

    def suppressed():
        for s, fingerprint in zip(result.suppressed, suppressed_fingerprints(result)):
            entry = _finding(s.finding, fingerprint, checks, cwd)
            entry["suppression"] = suppression_data(s.suppression, cwd)
            yield dict(sorted(entry.items()))

    notes = sorted(result.notifications, key=notification_sort_key)

    def notifications():
        return (_notification(n, cwd) for n in notes)

    def errors():
        return (_notification(n, cwd) for n in notes if n.level == "error")

    def unknowns():
        return (
            {
                "file": _file(u.path, cwd),
                "line": u.line if u.line > 0 else None,
                "reason": u.reason,
                "what": u.what,
            }
            for u in sorted(result.unknowns, key=unknown_sort_key)
        )

    def undecided():
        return (_undecided(u, fp, checks, cwd) for u, fp in zip(result.undecided, undecided_fingerprints(result)))

    summary = {
        "by_pillar": pillar_counts(result),
        "by_severity": severity_counts(result),
        "files": len(result.files),
        "findings": len(result.findings),
        "resources": result.resources,
        "unknown_values": len(result.unknowns),
        "undecided": len(result.undecided),
        "undecided_left_out": result.undecided_left_out,
    }
    summary.update(filtering_summary(result))
    summary = dict(sorted(summary.items()))
    out = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "iacguard", "version": iacguard.__version__},
        "findings": listing(findings),
        "suppressed": listing(suppressed),
        "summary": summary,
        "errors": listing(errors),
        "notifications": listing(notifications),
        "unknowns": listing(unknowns),
        "undecided": listing(undecided),
    }
    if result.configuration:
        out["configuration"] = configuration_data(result)
    return out


def configuration_data(result: ScanResult) -> dict:
    """The configuration file used and what it changed (present only when one was read)."""
    conf = result.configuration
    return {
        "file": _file(conf["path"], result.cwd),
        "changes": list(conf.get("changes") or ()),
        "changed_since_base": conf.get("warning"),
    }


def _located(rec, fingerprint: str, check, cwd: str, **own) -> dict:
    """What a finding and an undecided record share (check, place, resource, where the value comes
    from), plus their `own` keys; keys in alphabetical order, as the documented format shows them."""
    out = {
        "check_id": rec.check_id,
        "conditions": [{"name": n, "value": v} for n, v in condition_pairs(rec.conditions)],
        "end_line": max(rec.location.end_line, rec.location.start_line),
        "file": _file(rec.location.path, cwd),
        "fingerprint": fingerprint,
        # Where the offending value comes from (variables, parameters), most direct first.
        "related": [{"file": _file(loc.path, cwd), "line": loc.start_line, "message": what} for loc, what in rec.related],
        "resource": _resource(rec),
        "severity": (severity_of(rec, check) if isinstance(rec, Finding) else check.severity) if check else None,
        "start_line": rec.location.start_line,
        "title": check.title if check else None,
        **own,
    }
    return dict(sorted(out.items()))


def _finding(f, fingerprint: str, checks: dict, cwd: str) -> dict:
    check = checks.get(f.check_id)
    own = {"message": finding_message(f, fallback=check.title if check else ""), "pillar": check.pillar if check else None}
    if getattr(f, "path", ()):
        own["path"] = path_data(f.path, cwd)  # only on findings with an attack path
    return _located(f, fingerprint, check, cwd, **own)


def path_data(path, cwd: str) -> list:
    """An attack path as plain data: one entry per step, entry point first, asset last."""
    return [
        {
            "address": s.resource.address,
            "end_line": max(s.location.end_line, s.location.start_line),
            "file": _file(s.location.path, cwd),
            "message": s.message,
            "missing": list(getattr(s, "missing", ())),
            "start_line": s.location.start_line,
            "type": s.resource.type,
        }
        for s in path
    ]


def _undecided(u, fingerprint: str, checks: dict, cwd: str) -> dict:
    """A check left undecided on a resource by a value not known, and where that value comes from."""
    return _located(u, fingerprint, checks.get(u.check_id), cwd, reason=u.reason, what=u.what)


def _resource(f) -> dict:
    out = {"address": f.resource.address, "language": f.resource.language, "type": f.resource.type}
    if getattr(f, "root", ""):
        out["root_module"] = f.root  # only when the file does not name the root (see Finding.root)
    return out


def render(result: ScanResult) -> str:
    """The JSON report, indented by 2, ending in a newline."""
    return jsontext.dumps(report(result)) + "\n"


def chunks(result: ScanResult):
    """The text of `render(result)` in pieces, each finding, unknown... made and written one at a
    time (what the command line writes: never the whole report in memory)."""
    yield from jsontext.chunks(_report(result, jsontext.Lazy))
    yield "\n"


def _eager(make) -> list:
    return list(make())
