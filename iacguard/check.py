"""What a check is: metadata plus a pure function from facts to findings.

A check decides only on known values. Where a value it needs is Unknown, it yields an
`Undecided` record (see `undecided()`) instead of a finding, so the summary can say which
checks unknown values left undecided and where those values come from; it never drops an
Unknown silently (tests/test_undecided_meta.py makes every check prove it).

A check's `scope` says what it looks at: "resource" (the default: each finding follows from one
resource and what belongs to it) or "project" (it reasons across the whole scanned project, e.g.
whether any trail covers an account, or a path through the graph); `--no-whole-project-checks`
and the configuration key `whole-project-checks = false` skip project-scope checks.

Metadata lives here, on the check, and is always available offline: SARIF rules, `iacguard
checks explain` and the docs are all generated from it. Registration is explicit: the built-in
catalogue is the list `iacguard.checks.REGISTRY`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable

    from iacguard.core.model import Location, Resource, Undecided

SEVERITIES = ("critical", "high", "medium", "low")
EQUIVALENT_TOOLS = ("checkov", "trivy", "kics", "cfn_nag", "cfn-lint")
SCOPES = ("resource", "project")
SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "none": 0}

PILLARS = {
    "identity": "Identity and access management",
    "detection": "Detection",
    "infrastructure": "Infrastructure protection",
    "data": "Data protection",
    "incident": "Incident response",
}


@dataclass(frozen=True)
class Check:
    """A check: its metadata (id, title, severity, pillar, texts, references) and the function that
    reads facts and yields findings."""

    id: str  # stable forever, never reused, e.g. "AWS-S3-001"
    title: str  # one line, says what is wrong: "S3 bucket has no default encryption"
    severity: str  # critical | high | medium | low
    pillar: str  # a key of PILLARS
    what: str  # What it does (one paragraph)
    why: str  # Why it matters
    fix_terraform: str  # How to fix, Terraform (markdown, may hold a ```hcl block)
    fix_cloudformation: str  # How to fix, CloudFormation (markdown, may hold a ```yaml block)
    kinds: tuple  # the normalized fact kinds the check reads (see iacguard.facts)
    evaluate: Callable[..., Iterable] = field(repr=False, compare=False)  # (facts) -> findings
    references: tuple = ()  # URLs
    cwe: tuple = ()  # e.g. ("CWE-311",)
    languages: tuple = ("terraform", "cloudformation")
    scope: str = "resource"  # "resource" | "project" (see the module docstring)
    # The ids of the same rule in other scanners, for users mapping their skip lists:
    # (("checkov", "CKV_AWS_27"), ("trivy", "AVD-AWS-0096"), ("cfn_nag", "W48")). Ids are facts;
    # nothing else of those tools is taken.
    equivalents: tuple = ()
    # Graded: each finding may carry its own severity (`Finding.severity`, one of SEVERITIES),
    # `severity` above being the rule's default (SARIF's rule-level security-severity). A severity
    # the user configures for the check (`--severity`, `[severity]`) applies to all its findings
    # and turns the grading off.
    graded: bool = False

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError("%s: bad scope %r" % (self.id, self.scope))
        if self.severity not in SEVERITIES:
            raise ValueError("%s: bad severity %r" % (self.id, self.severity))
        if self.pillar not in PILLARS:
            raise ValueError("%s: bad pillar %r" % (self.id, self.pillar))
        for pair in self.equivalents:
            if not (isinstance(pair, tuple) and len(pair) == 2 and pair[0] in EQUIVALENT_TOOLS and pair[1]):
                raise ValueError("%s: bad equivalent %r (expected (tool, id), tool one of %s)" % (self.id, pair, ", ".join(EQUIVALENT_TOOLS)))

    @property
    def pillar_title(self) -> str:
        return PILLARS[self.pillar]

    def summary(self) -> dict:
        """The check as `iacguard checks --format json` lists it."""
        return {
            "id": self.id, "title": self.title, "severity": self.severity, "pillar": self.pillar,
            "languages": list(self.languages), "scope": self.scope, "cwe": list(self.cwe),
            "equivalents": {tool: [i for t, i in self.equivalents if t == tool] for tool, _ in self.equivalents},
        }

    def markdown(self) -> str:
        """The check's documentation, in fixed sections."""
        refs = "\n".join("- %s" % r for r in self.references) or "- (none)"
        cwe = ", ".join(self.cwe)
        lines = [
            "# %s: %s" % (self.id, self.title),
            "",
            "Severity: **%s** · Pillar: %s%s" % (self.severity, self.pillar_title, (" · " + cwe) if cwe else ""),
            "",
            "## What it does",
            "",
            self.what.strip(),
            "",
            "## Why it matters",
            "",
            self.why.strip(),
            "",
            "## How to fix",
            "",
            "### Terraform",
            "",
            self.fix_terraform.strip(),
            "",
            "### CloudFormation",
            "",
            self.fix_cloudformation.strip(),
            "",
            "## References",
            "",
            refs,
            "",
        ]
        if self.equivalents:
            lines += ["## Equivalent ids", "", "\n".join("- %s: `%s`" % pair for pair in self.equivalents), ""]
        return "\n".join(lines)


def severity_of(finding, check) -> str:
    """The severity a report shows for `finding` of `check` (None: a check not in the scan, e.g.
    a finding read from an older report: "unknown"): the finding's own when the check is graded
    and the finding has one, else the check's."""
    if check is None:
        return finding.severity or "unknown"
    if check.graded and finding.severity in SEVERITY_RANK and finding.severity != "none":
        return finding.severity
    return check.severity


def undecided(check_id: str, resource: Resource, what: str, value: Any, location: Location) -> Undecided:
    """The record a check yields when `value` (an Unknown) leaves it undecided on `resource`:
    `what` names the setting (e.g. "cidr_blocks"), `location` is where the source sets it."""
    from iacguard.core.model import Undecided  # (imported here: the configuration and the replay memo read this module without the data model)

    reason = getattr(value, "reason", "") or "not known before deploy"
    return Undecided(check_id, resource, what, reason, location)
