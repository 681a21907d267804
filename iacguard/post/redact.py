"""Keeping secret values out of every report.

The evaluators record the values of Terraform variables declared `sensitive = true` and of
CloudFormation parameters with `NoEcho: true` (whatever set them: a default, a tfvars or parameter
file, --var, --cfn-param, TF_VAR_*) in `LanguageResult.secrets` (see `secret_strings`). The engine
gathers them and, before suppressions, baselines and the changed-files filter run, `redact`
replaces every occurrence in the text a report shows with "(sensitive)": finding messages,
resource addresses (of findings and suppressed findings), related-location labels, the steps of
attack paths (`Finding.path`: each step's message and its resource's address), unknown values'
`what` and `reason`, notification messages. Resources are shared with the graph, so a
finding gets a redacted copy of its resource, never an edited original.

Matching is textual: a value is replaced where it appears as it is (also inside a longer string,
such as `"${var.token}-logs"`), not once transformed (`upper()`, `base64encode()`, a piece of a
`split()`). A value shorter than 4 characters, `true` or `false`, is replaced only where a whole
field or a whole token (a run of letters, digits and `_-.` between other characters) equals it,
so that a sensitive `1` or `true` does not blank every digit of every message. Empty and blank
values are never recorded.

Not tracked: `sensitive = true` outputs and the `sensitive()` function (a value they mark comes
from somewhere else: a variable, a resource attribute, which are what reports show).

Fingerprints (JSON, SARIF, baselines) are computed from the redacted address: a secret that
changes between runs (a rotated token used in a `for_each` key) keeps the fingerprint stable,
and a short secret cannot be recovered by hashing guesses against it.
"""
from __future__ import annotations

import dataclasses
import operator
import re
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any, Iterable

from iacguard.core.model import Finding, Notification, PathStep, Resource, ScanResult, SuppressedFinding, UnknownValue

MASK = "(sensitive)"
SHORT = 4  # values shorter than this are replaced only as whole fields or tokens
_TOKEN_ONLY = frozenset({"true", "false"})
_MAX_ITEMS = 10_000  # values recorded per secret (elements of a long list or map)


def secret_strings(value: Any) -> list:
    """The strings a secret value shows as: a string itself, numbers and booleans in their
    Terraform string form, the elements of lists and the values of maps (deeply); Unknown and
    null are nothing. Empty and blank strings are left out."""
    out: list = []
    stack = [value]
    while stack and len(out) < _MAX_ITEMS:
        v = stack.pop()
        if isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, int):
            out.append(str(v))
        elif isinstance(v, float):
            out.append(str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v))
        elif isinstance(v, str):
            if v.strip():
                out.append(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
    return out


class Redactor:
    """Replaces a fixed set of secret values in strings."""

    def __init__(self, secrets: Iterable) -> None:
        values = {s for s in secrets if isinstance(s, str) and s.strip()}
        self.long = sorted((s for s in values if len(s) >= SHORT and s not in _TOKEN_ONLY), key=lambda s: (-len(s), s))
        self.short = frozenset(s for s in values if len(s) < SHORT or s in _TOKEN_ONLY)
        self._long_rx = re.compile("|".join(re.escape(s) for s in self.long)) if self.long else None
        self._short_rx = (
            re.compile(r"(?<![\w.-])(?:%s)(?![\w.-])" % "|".join(re.escape(s) for s in sorted(self.short, key=lambda s: (-len(s), s))))
            if self.short else None
        )

    def __bool__(self) -> bool:
        return bool(self.long or self.short)

    def text(self, s: str) -> str:
        if not s or not self:
            return s
        if s in self.short or s in self.long:
            return MASK
        if self._long_rx is not None:
            s = self._long_rx.sub(MASK, s)
        if self._short_rx is not None:
            s = self._short_rx.sub(MASK, s)
        return s

    # -- the ScanResult's report fields ---------------------------------------------------------
    def resource(self, res: Resource, copies: dict) -> Resource:
        address = self.text(res.address)
        if address == res.address:
            return res
        copy = copies.get(id(res))
        if copy is None:
            copy = copies[id(res)] = dataclasses.replace(res, address=address)
        return copy

    def finding(self, f: Finding, copies: dict) -> Finding:
        res = self.resource(f.resource, copies)
        message = self.text(f.message)
        related = tuple((loc, self.text(what)) for loc, what in f.related)
        path = tuple(self.step(s, copies) for s in f.path)
        if res is f.resource and message == f.message and related == tuple(f.related) and all(map(operator.is_, path, f.path)):
            return f
        return dataclasses.replace(f, resource=res, message=message, related=related, path=path)

    def step(self, s: PathStep, copies: dict) -> PathStep:
        res = self.resource(s.resource, copies)
        message = self.text(s.message)
        if res is s.resource and message == s.message:
            return s
        return dataclasses.replace(s, resource=res, message=message)

    def result(self, result: ScanResult) -> ScanResult:
        """Redact `result` in place (its lists are replaced by redacted copies)."""
        if not self:
            return result
        copies: dict = {}
        result.findings = [self.finding(f, copies) for f in result.findings]
        result.entry_points = [self.step(s, copies) for s in getattr(result, "entry_points", ())]
        result.suppressed = [SuppressedFinding(self.finding(s.finding, copies), s.suppression) for s in result.suppressed]
        result.notifications = [
            n if self.text(n.message) == n.message else Notification(n.level, self.text(n.message), n.path, n.line)
            for n in result.notifications
        ]
        result.unknowns = [
            UnknownValue(u.path, u.line, self.text(u.what), self.text(u.reason)) for u in result.unknowns
        ]
        result.undecided = [
            dataclasses.replace(u, resource=self.resource(u.resource, copies), what=self.text(u.what), reason=self.text(u.reason),
                                related=tuple((loc, self.text(what)) for loc, what in u.related))
            for u in result.undecided
        ]
        return result


def redact(result: ScanResult, secrets: Iterable) -> ScanResult:
    """Replace every secret value in the report fields of `result` with "(sensitive)"."""
    return Redactor(secrets).result(result)
