"""What every report format says the same way about findings: condition wording, fingerprints,
the check behind a finding and the summary counts."""
from __future__ import annotations

import hashlib
from collections import Counter

from iacguard.check import PILLARS, SEVERITIES
from iacguard.model import CLOUDFORMATION, TERRAFORM, ScanResult

from .paths import display_path


def condition_pairs(conditions) -> list:
    """A finding's conditions as (name, required truth) pairs.

    A bare name (an older shape of `Finding.conditions`) means the condition must be true.
    """
    pairs = []
    for c in conditions or ():
        if isinstance(c, str):
            pairs.append((c, True))
        else:
            name, value = c
            pairs.append((str(name), bool(value)))
    return pairs


def condition_text(conditions) -> str:
    """E.g. "(only when condition IsProd is true and condition UseKms is false)"; "" for none."""
    pairs = condition_pairs(conditions)
    if not pairs:
        return ""
    parts = ["condition %s is %s" % (name, "true" if value else "false") for name, value in pairs]
    return "(only when %s)" % " and ".join(parts)


def finding_message(finding, fallback: str = "") -> str:
    """The finding's message with its conditions appended (before a final full stop, so the
    first sentence still carries them)."""
    message = (finding.message or fallback).strip()
    cond = condition_text(finding.conditions)
    if not cond:
        return message
    if message.endswith("."):
        return "%s %s." % (message[:-1], cond)
    return ("%s %s" % (message, cond)).strip()


def shown_address(finding) -> str:
    """The address reports show: `examples/complete: module.s3.aws_s3_bucket.this` when the
    finding names the root it comes through (`Finding.root`), else the resource address."""
    root = getattr(finding, "root", "")
    return "%s: %s" % (root, finding.resource.address) if root else finding.resource.address


def checks_by_id(result: ScanResult) -> dict:
    return {c.id: c for c in result.checks}


def fingerprints(result: ScanResult, findings=None, path_of=None) -> list:
    """One fingerprint per finding (of `findings`, default `result.findings`), in order: sha256
    of check id, file path relative to cwd and resource address, 32 hex digits.

    `path_of(path)` names files (default: relative to the scan's cwd, else absolute).

    Line numbers are left out on purpose, so a finding keeps its identity when lines move. A
    resource inside a Terraform module also brings the folder of the root module that calls it,
    so that two examples calling one module keep apart, and a resource of a plan the plan file
    (its findings point at the configuration files the plan was made from); the file of a
    resource declared in a root module's own folder or in a template already names its root,
    while a resource of a nested stack brings its top-level template. None of these depend on the
    folder scanned, so scanning a tree or each of its root modules alone gives the same
    fingerprints (with the same working directory). When several findings share all of
    these (a check failing twice on one resource), the second and later ones get ":2", ":3", ...
    in report order, which follows their position in the file.
    """
    out = []
    seen: Counter = Counter()
    for f in (result.findings if findings is None else findings):
        shown = path_of or (lambda path: display_path(path, result.cwd))
        parts = [f.check_id, shown(f.location.path), f.resource.address]
        res = f.resource
        # A Terraform module's file does not say which root module reached it, nor does the
        # configuration file a plan's resource is traced to say which plan it comes from.
        root = res.meta.get("root_module") if res.language == TERRAFORM and (res.module or res.meta.get("plan")) else None
        if root:
            parts.append(shown(root))
        if res.language == CLOUDFORMATION and res.module and res.meta.get("root_module"):
            # Nor does a nested stack's template say which top-level stack nests it: a template
            # nested by several parents gives one fingerprint per parent, whatever the file order.
            parts.append(shown(res.meta["root_module"]))
        key = "\0".join(parts)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        seen[digest] += 1
        out.append(digest if seen[digest] == 1 else "%s:%d" % (digest, seen[digest]))
    return out


def undecided_fingerprints(result: ScanResult, records=None, path_of=None) -> list:
    """One fingerprint per record of `records` (default `result.undecided`): a finding's
    fingerprint of the same check, file and resource, hashed again with "undecided" and the
    setting, so that a baseline entry for an undecided record never hides a finding."""
    records = result.undecided if records is None else records
    out = []
    for u, fp in zip(records, fingerprints(result, records, path_of)):
        out.append(hashlib.sha256(("undecided\0%s\0%s" % (u.what, fp)).encode("utf-8")).hexdigest()[:32])
    return out


def other_unknowns(result: ScanResult) -> list:
    """Values that could not be known and left no check undecided: those not on the line of an
    undecided record (a list of UnknownValue, in report order)."""
    lines = {(u.location.path, u.location.start_line) for u in result.undecided}
    return [u for u in sorted(result.unknowns, key=unknown_sort_key) if (u.path, u.line) not in lines]


def severity_counts(result: ScanResult) -> dict:
    """Findings per severity, every severity present, most severe first."""
    checks = checks_by_id(result)
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in result.findings:
        check = checks.get(f.check_id)
        if check is not None:
            counts[check.severity] += 1
    return counts


def pillar_counts(result: ScanResult) -> dict:
    """Findings per pillar key, every pillar present, in the order of PILLARS."""
    checks = checks_by_id(result)
    counts = dict.fromkeys(PILLARS, 0)
    for f in result.findings:
        check = checks.get(f.check_id)
        if check is not None:
            counts[check.pillar] += 1
    return counts


def notification_sort_key(n) -> tuple:
    return (n.path, n.line, n.level, n.message)


def unknown_sort_key(u) -> tuple:
    return (u.path, u.line, u.what, u.reason)


def suppressed_fingerprints(result: ScanResult) -> list:
    """Fingerprints of `result.suppressed`, counted after the reported findings so a reported
    finding keeps the fingerprint it has without suppressions beside it."""
    everything = list(result.findings) + [s.finding for s in result.suppressed]
    return fingerprints(result, everything)[len(result.findings):]


def suppression_data(suppression, cwd: str) -> dict:
    """A suppression as plain data, the same in every structured report."""
    return {
        "expires": suppression.expires or None,
        "file": display_path(suppression.path, cwd) if suppression.path else None,
        "line": suppression.line if suppression.line > 0 else None,
        "origin": suppression.origin,
        "reason": suppression.reason,
    }


def filtering_summary(result: ScanResult) -> dict:
    """What the stages after the checks left out of the report, as counts."""
    return {
        "baseline": (
            {
                "file": display_path(result.baseline_file, result.cwd),
                "matched": result.baseline_matched,
                "fixed": result.baseline_fixed,
            }
            if result.baseline_file
            else None
        ),
        "outside_changes": result.outside_changes,
        "suppressed": len(result.suppressed),
    }
