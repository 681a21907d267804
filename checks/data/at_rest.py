"""What the slice's encryption-at-rest checks share: one verdict per fact.

A resource passes when what it needs is known to be there; otherwise the first setting that is
not known leaves the check undecided on it (never silently passed), and only when every setting
involved is known is it a finding.
"""
from __future__ import annotations

from iacguard.check import undecided
from iacguard.core.model import Finding


def verdict(check_id: str, resource, good: bool, involved: tuple, message: str, location):
    """None when `good`; else an Undecided record for the first Unknown of `involved` (pairs of
    label and Attr), else a Finding with `message` at `location`."""
    if good:
        return None
    for label, attr in involved:
        if not attr.known:
            return undecided(check_id, resource, label, attr.value, attr.location)
    return Finding(check_id, resource, message, location)


def how(attr, off: str, default: str) -> str:
    """How the source leaves a setting off: said explicitly, or left to the default."""
    return off if attr.explicit else default
