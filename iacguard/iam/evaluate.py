"""AWS's policy evaluation logic over the IAM model (iacguard.iam.model), three-valued.

    evaluate(request, identity=(), resource_policy=None, boundary=None, guardrails=(),
             session=(), unresolved=(), unresolved_guardrails=(), principal_kind="role") -> Decision
    simulate(principal, request, resource_policies=()) -> Decision
    statement_matches(statement, request) -> True | False | Unknown
    action_matches(pattern, action) -> True | False | Unknown      (from .matching)
    arn_matches(pattern, value, context) -> True | False | Unknown (from .matching)

The order is the IAM User Guide's, "Policy evaluation logic" (reference_policies_evaluation-logic)
and "Cross-account policy evaluation logic":

1. an explicit Deny in any policy (identity, resource, boundary, SCP, session) wins;
2. each guardrail present must allow: every SCP given (one per level of the organization), the
   permissions boundary, the session policies; else an implicit deny naming the guardrail;
3. in the same account, an identity policy OR the resource policy allows; across accounts (both
   account ids known and different) BOTH must; when the relation is not known both are
   evaluated and the answer is given only when they agree. A resource without an account in
   the request (None) is taken to be in the principal's account.

Resource-policy nuances (IAM User Guide, "Permissions boundaries for IAM entities", section
"Evaluating effective permissions with boundaries" / resource-based policies; and "Session
policies"), implemented for the same account:
- a resource policy that names an IAM user (its ARN, or "*") grants despite an implicit deny of
  the user's boundary (it is still limited by a session policy and SCPs);
- one that names a role's ARN is limited by the role's boundary and session policies;
- one that names an assumed-role SESSION ARN grants despite the implicit deny of the boundary
  and of the session policies;
- one that names only the account (an id, arn:...:root) delegates: the identity policies must allow.
KMS keys (action kms:*) and roles (sts:AssumeRole*, the trust policy passed as `resource_policy`)
need their resource policy to allow: naming the principal alone suffices in the same account,
naming the account needs an identity policy too. No key policy given for a kms request: the
default key policy, which delegates to the account's IAM policies, is assumed. No trust policy
for sts:AssumeRole*: unknown.

Unknowns: a statement whose match is Unknown and whose effect could be Deny makes an otherwise
allowed answer "unknown" (an implicit deny stays one: a deny it might add denies too); an allow that rests on Unknown matches is
"unknown"; a policy whose document is not known (Policy.unknown, or an item of `unresolved`) may
allow or deny, so it turns both allow and implicit deny into "unknown". The reason names the policy
and the Unknown's reason.
"""
from __future__ import annotations

import dataclasses
import re
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from iacguard.core.unknown import Unknown, is_unknown

from .conditions import condition_matches
from .matching import (
    ACCOUNT,
    PRINCIPAL,
    SESSION,
    action_matches,
    any_action_matches,
    and3,
    arn_matches,
    equals,
    not_principal_matches,
    not3,
    or3,
    principal_entries,
    principal_matches,
)
from .model import (
    ALLOW,
    ALLOWED,
    BOUNDARY,
    DENY,
    EXPLICIT_DENY,
    IDENTITY,
    IMPLICIT_DENY,
    RESOURCE,
    SCP,
    SESSION as SESSION_KIND,
    TRUST,
    UNKNOWN,
    Decided,
    Decision,
    Policy,
    Principal,
    Request,
)

__all__ = [
    "evaluate",
    "simulate",
    "statement_matches",
    "action_matches",
    "arn_matches",
    "principal_matches",
]

# Reasons listed in one unknown answer.
MAX_REASONS = 3


# --- one statement ---------------------------------------------------------------------------

def _any(patterns: Any, test) -> Any:
    if is_unknown(patterns):
        return Unknown("element not known: %s" % (patterns.reason or "unknown"))
    if isinstance(patterns, str):
        patterns = (patterns,)
    return or3(test(p) for p in patterns)


def _core(statement, request: Request) -> Any:
    """Action/NotAction, Resource/NotResource and Condition (not the principal), three-valued."""
    if statement.unknown is not None:
        return Unknown("the statement is not known: %s" % (statement.unknown.reason or "unknown"))
    if statement.actions is not None:
        action = any_action_matches(statement.actions, request.action)
    elif statement.not_actions is not None:
        action = not3(any_action_matches(statement.not_actions, request.action))
    else:
        action = False  # a statement without Action or NotAction applies to nothing
    if action is False:
        return False
    ctx = request.context or {}
    if statement.resources is not None:
        resource = _any(statement.resources, lambda p: arn_matches(p, request.resource, ctx))
    elif statement.not_resources is not None:
        resource = not3(_any(statement.not_resources, lambda p: arn_matches(p, request.resource, ctx)))
    else:
        resource = True  # trust policies have no Resource: the role itself
    if resource is False:
        return False
    return and3((action, resource, condition_matches(statement.conditions, ctx)))


def statement_matches(statement, request: Request, has_boundary: bool = False) -> Any:
    """Does the statement apply to the request? Action/NotAction, Resource/NotResource,
    Principal/NotPrincipal (when present: resource-based kinds), Condition. Three-valued.

    `has_boundary`: the requester has a permissions boundary; a Deny with NotPrincipal then
    applies whatever it names (documented on the boundaries page: "The NotPrincipal element with a
    Deny effect will always deny any IAM principal that has a permissions boundary policy")."""
    core = _core(statement, request)
    if core is False:
        return False
    if statement.principals is not None:
        who = principal_matches(statement.principals, request)
    elif statement.not_principals is not None:
        if has_boundary and _effect(statement) == DENY:
            who = True
        else:
            who = not_principal_matches(statement.not_principals, request)
    else:
        who = True
    return and3((core, who))


def _effect(statement) -> Any:
    e = statement.effect
    if isinstance(e, str):
        low = e.strip().lower()
        if low == "allow":
            return ALLOW
        if low == "deny":
            return DENY
        return Unknown("effect %r is neither Allow nor Deny" % e)
    if is_unknown(e):
        return Unknown("the effect is not known: %s" % (e.reason or "unknown"))
    return Unknown("the effect is not a string")


# --- policies --------------------------------------------------------------------------------

class _Part:
    """What one set of policies says of the request: whether it allows (three-valued), the
    statements that surely allow, and the open ones with their reasons."""

    def __init__(self) -> None:
        self.allow: list = []  # three-valued matches of the statements that may allow
        self.allowing: list = []  # Decided
        self.open: list = []  # (Decided, reason)

    def value(self) -> Any:
        return or3(self.allow)


class _Run:
    def __init__(self, request: Request, has_boundary: bool) -> None:
        self.request = request
        self.has_boundary = has_boundary
        self.denying: list = []  # Decided
        self.deny_open: list = []  # (Decided, reason)

    def part(self, policies, by_how: bool = False):
        """A _Part of the policies; for a resource-based kind, one per way the Principal names the
        requester (ACCOUNT, PRINCIPAL, SESSION)."""
        parts = {h: _Part() for h in (ACCOUNT, PRINCIPAL, SESSION)} if by_how else {None: _Part()}
        for policy in policies:
            if policy.unknown is not None:
                why = policy.unknown.reason or "unknown"
                # an unresolved policy is named by its reason; a collector's reason may name it too
                reason = why if policy.name in why else "policy %s is not known: %s" % (policy.name, why)
                d = Decided(policy, None)
                self.deny_open.append((d, reason))
                u = Unknown(reason)
                for p in parts.values():
                    p.allow.append(u)
                    p.open.append((d, reason))
                continue
            for st in policy.statements:
                self._statement(policy, st, parts, by_how)
        return parts if by_how else parts[None]

    def _statement(self, policy: Policy, st, parts: dict, by_how: bool) -> None:
        d = Decided(policy, st)
        effect = _effect(st)
        match = statement_matches(st, self.request, self.has_boundary)
        if match is False:
            return
        if effect != ALLOW:  # Deny, or an effect not known (it may be Deny)
            if effect == DENY and match is True:
                self.denying.append(d)
            else:
                self.deny_open.append((d, _why(policy, st, match, effect)))
        if effect == DENY:
            return
        if not by_how:
            self._add(parts[None], d, policy, st, match, effect)
            return
        core = _core(st, self.request)
        if st.principals is not None:
            entries = principal_entries(st.principals, self.request)
        else:  # an Allow with NotPrincipal names no one in particular
            entries = [(PRINCIPAL, not_principal_matches(st.not_principals, self.request))] \
                if st.not_principals is not None else [(PRINCIPAL, True)]
        for how, part in parts.items():
            m = and3((core, or3(em for eh, em in entries if eh == how)))
            if m is not False:
                self._add(part, d, policy, st, m, effect)

    @staticmethod
    def _add(part: _Part, d: Decided, policy: Policy, st, match: Any, effect: Any) -> None:
        if match is True and effect == ALLOW:
            part.allow.append(True)
            part.allowing.append(d)
        else:
            reason = _why(policy, st, match, effect)
            part.allow.append(Unknown(reason))
            part.open.append((d, reason))


def _label(policy: Policy, st) -> str:
    sid = getattr(st, "sid", None) if st is not None else None
    return "%s (%s)" % (policy.name, sid) if sid else policy.name


def _why(policy: Policy, st, match: Any, effect: Any) -> str:
    if is_unknown(effect):
        return "%s: %s" % (_label(policy, st), effect.reason)
    return "%s: %s" % (_label(policy, st), getattr(match, "reason", "") or "not known")


def _unresolved(kind: str, unknowns) -> list:
    out = []
    for u in unknowns or ():
        reason = getattr(u, "reason", "") or "a policy whose document is not known"
        out.append(Policy(kind=kind, name=reason, unknown=u if is_unknown(u) else Unknown(reason)))
    return out


def _policies(value: Any) -> list:
    """A Policy, a ResourcePolicy, or a sequence of them, as a list of Policy."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out.extend(_policies(v))
        return out
    policy = getattr(value, "policy", None)
    if isinstance(policy, Policy):
        return [policy]
    return [value]


# --- the decision ----------------------------------------------------------------------------

_TRUST_ACTIONS = ("sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity")


def _account_relation(request: Request) -> Any:
    """True: same account; False: different accounts; Unknown: not known."""
    a, b = request.principal_account, request.resource_account
    if a is None or b is None:
        return True
    return equals(a, b)


def _grant(same: bool, needs_resource: bool, user: bool, v: dict) -> Any:
    I, B, S, G = v["identity"], v["boundary"], v["session"], v["scp"]
    r_acc, r_pri, r_ses = v[("rp", ACCOUNT)], v[("rp", PRINCIPAL)], v[("rp", SESSION)]
    r_any = or3((r_acc, r_pri, r_ses))
    if not same:
        return and3((G, I, B, S, r_any))
    # A resource policy naming the requester: a user is not limited by its boundary, a session
    # by neither its role's boundary nor its session policy; a role ARN by both.
    direct = or3((and3((r_pri, True if user else B, S)), r_ses))
    through_identity = and3((r_any, I, B, S)) if needs_resource else and3((I, B, S))
    return and3((G, or3((through_identity, direct))))


def evaluate(request: Request, identity=(), resource_policy=None, boundary=None, guardrails=(), session=(),
             unresolved=(), unresolved_guardrails=(), principal_kind: str = "role") -> Decision:
    """May the requester do request.action on request.resource? See the module docstring."""
    identity = _policies(identity) + _unresolved(IDENTITY, unresolved)
    resource = _policies(resource_policy)
    boundaries = _policies(boundary)
    scps = _policies(guardrails) + _unresolved(SCP, [g for g in unresolved_guardrails or () if not isinstance(g, Policy)])
    maybe_scps = [g for g in unresolved_guardrails or () if isinstance(g, Policy)]
    sessions = _policies(session)
    action = request.action.lower() if isinstance(request.action, str) else ""
    trust = action in _TRUST_ACTIONS
    needs_resource = trust or (action.startswith("kms:") and bool(resource))
    if trust:
        resource = [p for p in resource if p.kind == TRUST] or resource
    if trust and not resource:
        return Decision(UNKNOWN, (), "the trust policy of %s is not given" % _show(request.resource))

    run = _Run(request, has_boundary=bool(boundaries))
    p_identity = run.part(identity)
    p_resource = run.part(resource, by_how=True)
    p_boundary = run.part(boundaries) if boundaries else None
    p_scps = _scp_levels(run, scps) + _maybe_scps(run, request, maybe_scps)
    p_session = run.part(sessions) if sessions else None

    if run.denying:
        return Decision(EXPLICIT_DENY, tuple(run.denying), "explicitly denied by %s" % _names(run.denying))

    values = {
        "identity": p_identity.value(),
        "boundary": p_boundary.value() if p_boundary else True,
        "session": p_session.value() if p_session else True,
        "scp": and3(part.value() for _, part in p_scps),
        # keyed apart from "session" (the session policies): how a resource policy names the requester
        ("rp", ACCOUNT): p_resource[ACCOUNT].value(),
        ("rp", PRINCIPAL): p_resource[PRINCIPAL].value(),
        ("rp", SESSION): p_resource[SESSION].value(),
    }
    user = principal_kind == "user"
    relation = _account_relation(request)
    if is_unknown(relation):
        same, cross = _grant(True, needs_resource, user, values), _grant(False, needs_resource, user, values)
        grant = same if same is cross else (
            Unknown("whether %s and the resource are in one account is not known: %s" % (
                _show(request.principal_arn), relation.reason or "unknown"))
            if not (is_unknown(same) and is_unknown(cross)) else same)
    else:
        grant = _grant(relation, needs_resource, user, values)

    # A resource policy that names only the account delegates to the identity policies: its
    # statements decide only together with an identity policy that allows.
    hows = (ACCOUNT, PRINCIPAL, SESSION) if values["identity"] is True else (PRINCIPAL, SESSION)
    allowing = tuple(p_identity.allowing) + tuple(d for h in hows for d in p_resource[h].allowing)
    allowing = _unique(allowing)
    if grant is True and not run.deny_open:
        return Decision(ALLOWED, allowing, "allowed by %s" % _names(allowing))
    if grant is False:
        # Denied whatever the open Deny statements turn out to be: an explicit deny they might
        # add would deny it too.
        return _implicit(request, relation, needs_resource, user, values, p_scps, p_boundary, boundaries,
                         p_session, sessions, allowing)
    opens: list = []
    if is_unknown(grant):
        parts = [p_identity, p_resource[ACCOUNT], p_resource[PRINCIPAL], p_resource[SESSION]]
        parts += [part for _, part in p_scps]
        parts += [p for p in (p_boundary, p_session) if p is not None]
        for part in parts:
            if is_unknown(part.value()):
                opens.extend(part.open)
    opens.extend(run.deny_open)
    seen: dict = {}  # id(Decided's policy, statement) -> (Decided, reason); statements hold dicts, not hashable
    for d, reason in opens:
        seen.setdefault((id(d.policy), id(d.statement)), (d, reason))
    reasons = list(dict.fromkeys(r for _, r in seen.values()))
    if not reasons and is_unknown(grant):
        reasons = [grant.reason or "unknown"]
    text = "; ".join(reasons[:MAX_REASONS]) + ("; and %d more" % (len(reasons) - MAX_REASONS) if len(reasons) > MAX_REASONS else "")
    return Decision(UNKNOWN, tuple(d for d, _ in seen.values()), "not known before deploy: " + text)


class _Level:
    """What the SCPs of one level of the organization say together: the level allows when one of
    them does. A level whose SCPs hold no Allow statement at all (deny lists) allows whatever they
    do not deny: AWS attaches FullAWSAccess at every root, OU and account, and a deny-list SCP is
    written to sit beside it."""

    def __init__(self, parts: list, allow_list: bool, value: Any = None) -> None:
        self.parts = parts
        self.allow_list = allow_list
        self.open = [o for part in parts for o in part.open] if allow_list else []
        self._value = value

    def value(self) -> Any:
        if self._value is not None:
            return self._value
        return or3(part.value() for part in self.parts) if self.allow_list else True


def _has_allow(policy: Policy) -> bool:
    return policy.unknown is not None or any(_effect(st) != DENY for st in policy.statements)


def _scp_levels(run: "_Run", scps: list) -> list:
    """(policies, _Level) per level of the organization (SCPs without a level are each their own)."""
    levels: dict = {}
    for i, p in enumerate(scps):
        levels.setdefault(p.level or ("#%d" % i), []).append(p)
    out = []
    for policies in levels.values():
        parts = [run.part([p]) for p in policies]  # explicit denies are gathered here, whatever the level
        out.append((policies, _Level(parts, any(_has_allow(p) for p in policies))))
    return out


def _maybe_scps(run: "_Run", request: Request, policies: list) -> list:
    """SCPs that may apply: where one would deny, or (an allow list) would not allow, the answer
    is open, with the reason it may apply; elsewhere they change nothing."""
    out = []
    for p in policies:
        why = p.applies.reason if p.applies is not None and p.applies.reason else "it may apply"
        own = _Run(request, run.has_boundary)
        part = own.part([p])
        for d in own.denying:
            run.deny_open.append((d, "SCP %s denies %s, and %s" % (_label(p, d.statement), request.action, why)))
        for d, reason in own.deny_open:
            run.deny_open.append((d, "%s, and %s" % (reason, why)))
        value = None
        if _has_allow(p) and part.value() is not True:
            value = Unknown("SCP %s does not allow %s, and %s" % (p.name, request.action, why))
            part.open.append((Decided(p, None), value.reason))
        out.append(([p], _Level([part], _has_allow(p), value if value is not None else True)))
    return out


def _implicit(request, relation, needs_resource, user, values, p_scps, p_boundary, boundaries, p_session,
              sessions, allowing) -> Decision:
    """An implicit deny, naming the guardrail that lacked an allow when one did."""
    same = relation if not is_unknown(relation) else True

    def grant_with(**over) -> Any:
        return _grant(same, needs_resource, user, dict(values, **over))

    lacking = [p for policies, part in p_scps if part.value() is False for p in policies]
    if lacking and grant_with(scp=True) is not False:
        return Decision(IMPLICIT_DENY, tuple(Decided(p, None) for p in lacking),
                        "the service control policy %s does not allow %s" % (
                            ", ".join(p.name for p in lacking), request.action))
    if p_boundary is not None and values["boundary"] is False and grant_with(boundary=True) is not False:
        return Decision(IMPLICIT_DENY, tuple(Decided(p, None) for p in boundaries),
                        "the permissions boundary %s does not allow %s" % (
                            ", ".join(p.name for p in boundaries), request.action))
    if p_session is not None and values["session"] is False and grant_with(session=True) is not False:
        return Decision(IMPLICIT_DENY, tuple(Decided(p, None) for p in sessions),
                        "the session policy %s does not allow %s" % (
                            ", ".join(p.name for p in sessions), request.action))
    if relation is False and allowing:
        side = "the resource policy does not" if values["identity"] is True else "no identity policy does"
        return Decision(IMPLICIT_DENY, (), "across accounts both an identity policy and the resource policy must "
                        "allow %s; %s" % (request.action, side))
    if needs_resource and values["identity"] is True:
        return Decision(IMPLICIT_DENY, (), "the %s does not allow %s" % (
            "trust policy" if request.action.lower().startswith("sts:") else "key policy", request.action))
    return Decision(IMPLICIT_DENY, (), "no statement allows %s on %s" % (request.action, _show(request.resource)))


def _unique(decided) -> tuple:
    """Decided in first-seen order, each once (a statement can allow under two headings)."""
    out: dict = {}
    for d in decided:
        out.setdefault((id(d.policy), id(d.statement)), d)
    return tuple(out.values())


def _names(decided) -> str:
    return ", ".join(_label(d.policy, d.statement) for d in decided) or "nothing"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if is_unknown(value):
        parts = getattr(value, "partial_text", None) or (value,)
        # "?" for each piece known only after deploy: the reason says why elsewhere, not in the ARN
        return "".join(p if isinstance(p, str) else "?" for p in parts)
    return str(value)


# --- a principal of the scan -----------------------------------------------------------------

_SESSION_ARN = re.compile(r"^arn:aws[a-z-]*:sts::")


def simulate(principal: Principal, request: Request, resource_policies=()) -> Decision:
    """Evaluate a request made by a principal of the scan against the ResourcePolicy objects of the
    requested resource: fills the requester's ARN and account when the request has none, adds
    aws:PrincipalArn, aws:PrincipalAccount, aws:username (users) and aws:PrincipalType to the
    context when known and not given, and picks the trust policy for sts:AssumeRole*."""
    rps = list(resource_policies or ())
    request = _as_requester(principal, request, rps)
    action = request.action.lower() if isinstance(request.action, str) else ""
    policies = [rp.policy if hasattr(rp, "policy") else rp for rp in rps]
    if action in _TRUST_ACTIONS:
        resource = [p for p in policies if p.kind == TRUST]
        if not resource and principal.trust is not None and equals(request.resource, principal.arn) is True:
            resource = [principal.trust]
    else:
        resource = [p for p in policies if p.kind != TRUST]
    return evaluate(
        request,
        identity=principal.identity_policies,
        resource_policy=resource or None,
        boundary=principal.boundary,
        guardrails=principal.guardrails,
        unresolved=principal.unresolved,
        unresolved_guardrails=principal.unresolved_guardrails,
        principal_kind=principal.kind,
    )


def identity_may_allow(principal: Principal, resource: Any, action: str | None = None) -> bool:
    """False when no request of `principal` on `resource` can be ALLOWED by `simulate` without
    resource policies, whatever its action: an allowed answer needs the identity policies to
    allow, and those need one statement that surely allows and surely matches, every part of it
    (its Resource/NotResource and Condition do not depend on the action). True when one may:
    the caller then asks `simulate`. A caller asking many actions on one resource learns with
    one pass over the statements that none of them can be allowed. With `action`, the
    statement's Action/NotAction must surely cover it too (the bound for that action alone)."""
    request = _as_requester(principal, Request(action="", resource=resource), [])
    ctx = request.context or {}
    for policy in _policies(principal.identity_policies):
        if policy.unknown is not None:
            continue  # a document not known makes an answer open, never allowed
        for st in policy.statements:
            if st.unknown is not None or _effect(st) != ALLOW:
                continue
            if st.actions is None and st.not_actions is None:
                continue  # applies to nothing
            if st.principals is not None or st.not_principals is not None:
                return True  # an identity statement with a Principal: not bounded here
            if action is not None and not _sure(
                    any_action_matches(st.actions, action) if st.actions is not None
                    else not3(any_action_matches(st.not_actions, action))):
                continue
            if _sure(_where(st, request, ctx)) and _sure(condition_matches(st.conditions, ctx)):
                return True
    return False


def _sure(value: Any) -> bool:
    """What and3 counts as True: neither False nor an Unknown."""
    return value is not False and not is_unknown(value)


def _where(statement, request: Request, ctx: dict) -> Any:
    """The Resource/NotResource part of `_core`, three-valued."""
    if statement.resources is not None:
        return _any(statement.resources, lambda p: arn_matches(p, request.resource, ctx))
    if statement.not_resources is not None:
        return not3(_any(statement.not_resources, lambda p: arn_matches(p, request.resource, ctx)))
    return True


def _as_requester(principal: Principal, request: Request, rps: list) -> Request:
    """The request as `principal` makes it (see `simulate`)."""
    changes: dict = {}
    if request.principal_arn is None and principal.arn is not None:
        changes["principal_arn"] = principal.arn
    if request.principal_account is None and principal.account is not None:
        changes["principal_account"] = principal.account
    if request.resource_account is None:
        for rp in rps:
            acct = getattr(rp, "account", None)
            if acct is not None:
                changes["resource_account"] = acct
                break
    context = dict(request.context or {})
    arn = changes.get("principal_arn", request.principal_arn)
    account = changes.get("principal_account", request.principal_account)
    added = {
        "aws:principalarn": arn,
        "aws:principalaccount": account,
        "aws:username": principal.name if principal.kind == "user" else None,
        "aws:principaltype": {"user": "User", "role": "AssumedRole"}.get(principal.kind),
    }
    for key, value in added.items():
        if isinstance(value, str) and key not in context:
            context[key] = (value,)
    changes["context"] = context
    if type(request) is Request:  # what dataclasses.replace gives, without its per-field walk
        request = Request(request.action, request.resource, arn, account,
                          changes.get("resource_account", request.resource_account), context)
    else:
        request = dataclasses.replace(request, **changes)
    return request


# The kinds evaluate reads, named here so that a reader sees them in one place.
_KINDS = (IDENTITY, RESOURCE, TRUST, BOUNDARY, SCP, SESSION_KIND)
