"""What a check is: metadata plus a pure function from facts to findings.

Metadata lives here, on the check, and is always available offline: SARIF rules, `iacguard
checks explain` and the docs are all generated from it. Registration is explicit: the built-in
catalogue is the list `iacguard.checks.REGISTRY`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

SEVERITIES = ("critical", "high", "medium", "low")
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

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError("%s: bad severity %r" % (self.id, self.severity))
        if self.pillar not in PILLARS:
            raise ValueError("%s: bad pillar %r" % (self.id, self.pillar))

    @property
    def pillar_title(self) -> str:
        return PILLARS[self.pillar]

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
        return "\n".join(lines)
