"""Shared by the logging checks of the catalogue slice "detection_b": the loop of a check whose
fact holds one setting that must be set (a log destination, a flag that must be on)."""
from __future__ import annotations

from iacguard.check import undecided
from iacguard.core.model import Finding


def require(check_id: str, facts: list, setting: str, what: str, message: str):
    """A finding for every fact whose `setting` is known to be off or absent, an undecided record
    where it is Unknown. `message` is formatted with the resource's address."""
    for fact in facts:
        attr = getattr(fact, setting)
        if attr.is_true():
            continue
        if not attr.known:
            yield undecided(check_id, fact.resource, what, attr.value, attr.location)
        else:
            yield Finding(check_id, fact.resource, message % fact.resource.address, attr.location)
