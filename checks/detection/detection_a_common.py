"""What the project-level detection checks of slice detection_a share: per root module / top-level
stack, is there a resource of a kind that turns a detective control on?"""
from __future__ import annotations

from iacguard.check import undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import Unknown
from iacguard.facts.common import Attr


def by_root(facts_of_kind) -> dict:
    """Facts grouped by the root of their resource (one pass)."""
    out: dict = {}
    for fact in facts_of_kind:
        out.setdefault(fact.resource.meta.get("root_module", ""), []).append(fact)
    return out


def conditional(fact, attr: Attr) -> Attr:
    """A fact that turns the control on only under undecided CloudFormation conditions, or whose
    Terraform `count` / `for_each` is not known (the one symbolic instance `[*]`, which may be
    none), is not known to turn it on."""
    res = fact.resource
    if not attr.is_true():
        return attr
    if res.conditions:
        assumed = ", ".join("%s is %s" % (name, "true" if value else "false") for name, value in res.conditions)
        return Attr(Unknown("%s exists only when %s (undecided conditions)" % (res.address, assumed)), res.location, True)
    if res.address.endswith("[*]"):
        return Attr(Unknown("%s has an unknown number of instances (count or for_each), possibly none" % res.address), res.location, True)
    return attr


def roots_lacking(check_id: str, facts, kind: str, state, what: str, message: str):
    """One finding per root where no fact of `kind` has `state(fact)` True, an undecided record
    where the only candidates are Unknown. `message` is formatted with the root's address."""
    members = by_root(facts.of_kind(kind))
    for root in facts.of_kind("root"):
        unknown = None
        covered = False
        for fact in members.get(root.path, ()):
            attr = conditional(fact, state(fact))
            if attr.is_true():
                covered = True
                break
            if not attr.known and unknown is None:
                unknown = attr
        if covered:
            continue
        if unknown is not None:
            yield undecided(check_id, root.resource, what, unknown.value, unknown.location)
        else:
            yield Finding(check_id, root.resource, message, root.resource.location)


def always(fact) -> Attr:
    return Attr(True, fact.resource.location, True)


def present(facts_in_root) -> Attr:
    """Whether any of these facts surely exists: True, Unknown (only under undecided conditions
    or unknown counts), or False (none)."""
    unknown = None
    for fact in facts_in_root:
        attr = conditional(fact, always(fact))
        if attr.is_true():
            return attr
        if unknown is None:
            unknown = attr
    return unknown or Attr(False, None, False)
