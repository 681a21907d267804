"""Small readers the IAM checks share (over iacguard.iam.model objects, never the graph)."""
from __future__ import annotations

from iacguard.core.model import Location
from iacguard.core.unknown import Unknown, is_unknown
from iacguard.core.lazy import lazy_module
from iacguard.iam.basics import ALLOW, DENY

_matching = lazy_module("iacguard.iam.matching")  # loaded when a check runs, not when it is listed

# How many action names a message lists before "and N more".
SHOWN = 4


def action_glob(pattern, action: str):
    """True/False/Unknown: whether the Action pattern `pattern` matches `action` (the engine's
    matching: case-insensitive, `*` and `?`, unknown pieces kept)."""
    return _matching.action_matches(pattern, action)


def grants_action(statement, action: str):
    """True/False/Unknown: whether the statement's Action/NotAction covers `action` (effect,
    resources and conditions aside)."""
    if statement.unknown is not None:
        return statement.unknown
    if statement.actions is not None:
        return _matching.any_action_matches(statement.actions, action)
    return _matching.not3(_matching.any_action_matches(statement.not_actions or (), action))


# An address range that is every address does not narrow aws:SourceIp.
_EVERY_ADDRESS = frozenset(("0.0.0.0/0", "::/0"))


def guarded(statement, keys):
    """True when a condition compares one of `keys` with a positive operator and a known value
    that narrows, False when none does, the Unknown when that is not known."""
    conditions = statement.conditions
    if is_unknown(conditions):
        return conditions
    unknown = None
    for cond in tuple(conditions or ())[:256]:
        op = cond.operator if isinstance(cond.operator, str) else ""
        base = op.split(":")[-1]
        if not isinstance(cond.key, str):
            if is_unknown(cond.key):
                unknown = cond.key if unknown is None else unknown
            continue
        key = cond.key.lower()
        if key not in keys:
            continue
        if base.startswith(("StringNot", "ArnNot", "NotIp")) or base.endswith("IfExists") or base == "Null":
            continue
        values = tuple(cond.values or ()) if not is_unknown(cond.values) else (cond.values,)
        if any(is_unknown(v) and not hasattr(v, "node") and not getattr(v, "partial_text", None) for v in values):
            unknown = next(v for v in values if is_unknown(v)) if unknown is None else unknown
            continue
        if key == "aws:sourceip" and all(isinstance(v, str) and v in _EVERY_ADDRESS for v in values):
            continue
        if values and not all(v == "*" for v in values):
            return True
    return unknown if unknown is not None else False


def effect_of(statement):
    """ALLOW, DENY or the Unknown (an unknown statement's Unknown first)."""
    if statement.unknown is not None:
        return statement.unknown
    return statement.effect


def location_of(statement, policy, fallback: Location) -> Location:
    return statement.location or policy.location or (policy.resource.location if policy.resource is not None else fallback)


def listed(names, shown: int = SHOWN) -> str:
    """"a, b, c, d and 3 more" of sorted names."""
    names = sorted(names)
    head = ", ".join(names[:shown])
    return head + (" and %d more" % (len(names) - shown) if len(names) > shown else "")


def document_unknown(policy) -> Unknown:
    """The Unknown of a policy whose document is not known, with the reason a person needs.

    The Terraform collector names the policy in its reason ("aws_iam_policy.p is not known
    (variable policy_json has no value)"); an undecided record names the resource and the setting
    already, so it keeps only the cause in parentheses, as AWS-IAM-001 reports it."""
    unknown = policy.unknown
    reason = getattr(unknown, "reason", "") or ""
    head = "%s is not known (" % policy.name
    if reason.startswith(head) and reason.endswith(")") and len(reason) > len(head) + 1:
        return Unknown(reason[len(head):-1])
    return unknown


def first_reason(*values) -> Unknown | None:
    return next((v for v in values if is_unknown(v)), None)


__all__ = ["ALLOW", "DENY", "SHOWN", "guarded", "action_glob", "grants_action", "effect_of", "location_of", "listed", "document_unknown", "first_reason"]


def foreign_accounts(items, own, account_of) -> tuple:
    """(the accounts other than `own` that principal items name, the first Unknown that leaves it
    open). `account_of(item)` gives (account or None, Unknown or None) for one item. When `own` is
    not known, every named account is foreign once two are named (a resource or role is in one
    account at most); with one, `own` itself is the open part."""
    others, named, unknown = set(), set(), None
    for item in items:
        account, open_item = account_of(item)
        if open_item is not None:
            unknown = open_item if unknown is None else unknown
            continue
        if account is None:
            continue
        named.add(account)
        if is_unknown(own):
            unknown = own if unknown is None else unknown
        elif account != own:
            others.add(account)
    if is_unknown(own) and len(named) > 1:
        others = named
    return others, unknown
