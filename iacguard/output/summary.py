"""One summary of a scan, read by every report that shows counts (Markdown, HTML), so they agree.

`summarize(result)` counts once: findings shown by severity and by pillar (the same functions the
JSON report's `summary` uses), files, resources, checks run, what suppressions, the baseline and
the changed-files filter left out, checks left undecided, and the pillar scorecard: for each
pillar of `iacguard.check.PILLARS`, its findings by severity and, among the checks that ran
(`result.checks`), those that failed (a finding shown), were undecided (undecided records and no
finding) and passed (neither).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from iacguard.check import PILLARS, SEVERITIES, severity_of
from iacguard.core.model import ScanResult

from .findings import checks_by_id, pillar_counts, severity_counts
from .paths import display_path


@dataclass(frozen=True)
class PillarScore:
    """One card of the scorecard."""

    key: str
    title: str
    findings: int
    by_severity: dict  # severity -> findings, every severity present, most severe first
    failed: tuple  # ids of the checks with a finding shown
    undecided: tuple  # ids of the checks with undecided records and no finding
    passed: tuple  # ids of the other checks that ran


@dataclass(frozen=True)
class Summary:
    findings: int  # shown, after suppressions, the baseline and the changed-files filter
    by_severity: dict  # severity -> findings shown, every severity present, most severe first
    by_pillar: dict  # pillar key -> findings shown, every pillar present, in the order of PILLARS
    files: int  # files scanned
    resources: int
    checks: int  # checks that ran
    suppressed: int
    baseline_file: str  # as reports show it (relative to the scan's directory), "" when none
    baseline_matched: int
    baseline_fixed: int
    outside_changes: int
    undecided: int  # undecided records shown
    undecided_left_out: int
    unknown_values: int
    errors: int  # error notifications (files that failed to parse, ...)
    warnings: int
    min_severity: str = ""  # --min-severity, "" when not set
    below_min_severity: int = 0  # findings it left out
    pillars: tuple = field(default_factory=tuple)  # PillarScore per key of PILLARS, in order
    severities: tuple = field(default_factory=tuple)  # the severity shown of each finding, in order


def summarize(result: ScanResult) -> Summary:
    checks = checks_by_id(result)
    severities = tuple(severity_of(f, checks.get(f.check_id)) for f in result.findings)
    with_findings = {f.check_id for f in result.findings}
    with_undecided = {u.check_id for u in result.undecided}
    pillars = []
    for key, title in PILLARS.items():
        counts = dict.fromkeys(SEVERITIES, 0)
        total = 0
        for f, sev in zip(result.findings, severities):
            check = checks.get(f.check_id)
            if check is not None and check.pillar == key:
                total += 1
                if sev in counts:
                    counts[sev] += 1
        ran = [c.id for c in result.checks if c.pillar == key]
        failed = tuple(i for i in ran if i in with_findings)
        undecided = tuple(i for i in ran if i not in with_findings and i in with_undecided)
        passed = tuple(i for i in ran if i not in with_findings and i not in with_undecided)
        pillars.append(PillarScore(key, title, total, counts, failed, undecided, passed))
    levels = [n.level for n in result.notifications]
    return Summary(
        findings=len(result.findings),
        by_severity=severity_counts(result),
        by_pillar=pillar_counts(result),
        files=len(result.files),
        resources=result.resources,
        checks=len(result.checks),
        suppressed=len(result.suppressed),
        baseline_file=display_path(result.baseline_file, result.cwd) if result.baseline_file else "",
        baseline_matched=result.baseline_matched,
        baseline_fixed=result.baseline_fixed,
        outside_changes=result.outside_changes,
        undecided=len(result.undecided),
        undecided_left_out=result.undecided_left_out,
        unknown_values=len(result.unknowns),
        errors=levels.count("error"),
        warnings=levels.count("warning"),
        pillars=tuple(pillars),
        severities=severities,
        min_severity=result.min_severity,
        below_min_severity=result.below_min_severity,
    )
