"""What every report format says the same way about findings: condition wording, fingerprints,
the check behind a finding and the summary counts."""
from __future__ import annotations

from iacguard.check import PILLARS, SEVERITIES, severity_of
from iacguard.core.model import ScanResult

from iacguard.core.fingerprint import fingerprints, reported_fingerprints, undecided_fingerprints  # noqa: F401 - re-exported for the formats

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


def path_chain(finding, limit: int = 0) -> str:
    """A finding's attack path on one line, "aws_lb.web -> aws_instance.app -> aws_s3_bucket.media";
    "" when it has none. With `limit` (at least 2), a longer path shows its first limit-1 steps,
    "… (N more) ->" and its last step (the asset)."""
    steps = [s.resource.address for s in getattr(finding, "path", ())]
    if limit >= 2 and len(steps) > limit:
        steps = steps[: limit - 1] + ["… (%d more)" % (len(steps) - limit), steps[-1]]
    return " -> ".join(steps)


def checks_by_id(result: ScanResult) -> dict:
    return {c.id: c for c in result.checks}


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
            counts[severity_of(f, check)] += 1
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
    return reported_fingerprints(result)[len(result.findings):]


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
    out = {
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
    if result.min_severity:  # only with --min-severity, so reports without it are unchanged
        out["below_min_severity"] = {"level": result.min_severity, "count": result.below_min_severity}
    return out
