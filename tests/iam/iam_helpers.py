"""Builders for the IAM evaluator tests: statements and policies from JSON-like dicts, and a
stand-in for iacguard.core.unknown.AttributeUnknown (being added in parallel: `.node`, `.attribute`)."""
from __future__ import annotations

from iacguard.core.unknown import Unknown
from iacguard.iam.model import Condition, Policy, Request, Statement


class AttrUnknown(Unknown):
    __slots__ = ("node", "attribute")

    def __init__(self, node: str, attribute: str = "arn") -> None:
        super().__init__("computed attribute %s.%s" % (node, attribute))
        self.node = node
        self.attribute = attribute


class Partial(Unknown):
    __slots__ = ("partial_text",)

    def __init__(self, *parts) -> None:
        super().__init__("partly known")
        self.partial_text = tuple(parts)


def _t(v):
    if v is None:
        return None
    return tuple(v) if isinstance(v, (list, tuple)) else (v,)


def _principal(v):
    if v is None or v == "*" or isinstance(v, Unknown):
        return v
    return {k: _t(x) for k, x in v.items()}


def st(effect="Allow", action=None, not_action=None, resource=None, not_resource=None, principal=None,
       not_principal=None, condition=None, sid=None, unknown=None):
    conds = ()
    if isinstance(condition, Unknown):
        conds = condition
    elif condition:
        conds = tuple(Condition(op, key, _t(vals)) for op, keys in condition.items() for key, vals in keys.items())
    return Statement(effect=effect, actions=_t(action), not_actions=_t(not_action), resources=_t(resource),
                     not_resources=_t(not_resource), principals=_principal(principal),
                     not_principals=_principal(not_principal), conditions=conds, sid=sid, unknown=unknown)


def pol(name, *statements, kind="identity", unknown=None):
    return Policy(kind=kind, name=name, statements=tuple(statements), unknown=unknown)


def req(action, resource, principal="arn:aws:iam::111122223333:role/app", account="111122223333",
        resource_account=None, **context):
    ctx = {k.replace("__", ":").replace("_SLASH_", "/").lower(): _t(v) for k, v in context.items()}
    return Request(action=action, resource=resource, principal_arn=principal, principal_account=account,
                   resource_account=resource_account, context=ctx)


def sids(decision):
    return [d.statement.sid if d.statement is not None else d.policy.name for d in decision.statements]
