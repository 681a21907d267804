"""Policy validation against the action catalogue: what IAM Access Analyzer's policy validation
would say of a policy's actions, resources and condition keys, offline.

`validate(policy)` gives one `Problem` per mistake found, each with a code:

- `unknown-service`: an action's service prefix is not a catalogue service ("s3x:GetObject"), or
  a wildcard service part matches none; the closest service is suggested.
- `unknown-action`: the service exists, the action does not ("s3:GetObjekt"), or a wildcard
  pattern matches no action of its service ("s3:Gett*"), or the item has no "service:" part.
- `resource-mismatch`: an Allow statement whose every action (after expansion) takes only
  resource types whose ARN formats cannot match any of the statement's Resource patterns
  (s3:GetObject on "arn:aws:s3:::bucket": an object ARN has a key part). An action that takes no
  resource type accepts only "*". Reported only when certain: every Resource item is read with
  its unknown pieces and policy variables as `*`, compared with each ARN format by
  `catalogue.arn_can_match` (literal ARN fields one by one, the rest as globs that intersect);
  an action the catalogue does not know or an Unknown action item stops the check.
- `unknown-condition-key`: a condition key that is neither global nor defined by a service of the
  statement's actions ("s3:prefixx"; "kms:ViaService" on s3 actions); the closest is suggested.

Statements with a Principal (resource policies, trust policies) are validated the same way.
Unknown parts (an Unknown item, element, statement or document) are skipped: they never give a
problem. Operators are not validated here (the evaluator treats unknown operators). Loops over a
policy are bounded by `MAX_STATEMENTS` and `MAX_ITEMS`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from iacguard.core.model import Location
from iacguard.core.unknown import is_unknown
from iacguard.iam import model
from iacguard.iam.basics import RESOURCE_MISMATCH, UNKNOWN_ACTION, UNKNOWN_CONDITION_KEY, UNKNOWN_SERVICE  # the problem codes
from iacguard.iam.catalogue import CATALOGUE, Catalogue, arn_can_match, glob_match, has_wildcard

CODES = (UNKNOWN_SERVICE, UNKNOWN_ACTION, RESOURCE_MISMATCH, UNKNOWN_CONDITION_KEY)

MAX_STATEMENTS = 1000  # statements looked at per policy (IAM's size limits keep real ones far below)
MAX_ITEMS = 1000  # items looked at per element (actions, resources, condition keys)
MAX_ACTIONS = 25_000  # expanded actions compared with resources (the catalogue has ~22,000)

_VARIABLE = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class Problem:
    """A problem found in a policy document: a code, the statement, a message and a suggestion."""

    code: str  # one of CODES
    statement: model.Statement
    message: str  # one sentence a person reads
    location: Location | None  # the statement's lines, or the policy's
    item: str = ""  # the action, resource or condition key at fault, as written
    suggestion: str | None = None  # the closest catalogue name, when there is one


def validate(policy: model.Policy, catalogue: Catalogue | None = None) -> list:
    """The problems of a policy, in statement order (codes in the order of CODES within one)."""
    cat = catalogue or CATALOGUE
    if not isinstance(policy, model.Policy) or not policy.is_known():
        return []
    out = []
    for st in tuple(policy.statements)[:MAX_STATEMENTS]:
        out.extend(validate_statement(st, policy.location, cat))
    return out


def validate_statement(st: model.Statement, policy_location: Location | None = None,
                       catalogue: Catalogue | None = None) -> list:
    """The problems of one statement of a known policy whose lines are `policy_location`: what
    `validate` gives for a policy holding only that statement (without building that policy)."""
    if not isinstance(st, model.Statement) or st.unknown is not None:
        return []
    cat = catalogue or CATALOGUE
    where = st.location or policy_location
    return _action_problems(st, where, cat) + _resource_problems(st, where, cat) + _condition_problems(st, where, cat)


# -- actions ------------------------------------------------------------------------------------


def _known_items(element) -> tuple:
    """The str items of an element (tuple of str | Unknown), bounded; () for None or an Unknown."""
    if element is None or is_unknown(element) or not isinstance(element, tuple):
        return ()
    return tuple(i for i in element[:MAX_ITEMS] if isinstance(i, str))


def _all_known(element) -> bool:
    return isinstance(element, tuple) and len(element) <= MAX_ITEMS and all(isinstance(i, str) for i in element)


def _action_problems(st, where, cat: Catalogue) -> list:
    out = []
    for item in dict.fromkeys(_known_items(st.actions) + _known_items(st.not_actions)):
        problem = _action_problem(item, cat)
        if problem is not None:
            code, message, suggestion = problem
            out.append(Problem(code, st, message, where, item, suggestion))
    return out


def _action_problem(item: str, cat: Catalogue):
    """(code, message, suggestion) for an action pattern that names nothing, else None."""
    if item == "*":
        return None
    if ":" not in item:
        return (UNKNOWN_ACTION, "action %r has no service prefix (service:action)" % item, None)
    svc_part, _, act_part = item.partition(":")
    services = cat.matching_services(svc_part)
    if not services:
        near = None if has_wildcard(svc_part) else cat.closest_service(svc_part)
        hint = "; did you mean %r?" % near if near else ""
        what = "no service matches %r" % svc_part if has_wildcard(svc_part) else "%r is not an AWS service prefix" % svc_part
        return (UNKNOWN_SERVICE, "action %r: %s%s" % (item, what, hint), near)
    if cat.expand(item):
        return None
    if has_wildcard(svc_part) or has_wildcard(act_part):
        return (UNKNOWN_ACTION, "action pattern %r matches no action of %s" % (item, _names(services)), None)
    near = cat.closest_action(item)
    hint = "; did you mean %r?" % near if near else ""
    return (UNKNOWN_ACTION, "action %r: %s has no action %r%s" % (item, services[0], act_part, hint), near)


def _names(services: tuple) -> str:
    if len(services) <= 3:
        return ", ".join(services)
    return "%s and %d other services" % (", ".join(services[:3]), len(services) - 3)


# -- resources ----------------------------------------------------------------------------------


def _resource_glob(value) -> str | None:
    """A Resource item as a wildcard pattern: unknown pieces and policy variables as `*` (any
    text), so a mismatch found against it holds whatever they turn out to be."""
    parts = []
    for piece in model.pieces(value):
        parts.append(_VARIABLE.sub("*", piece) if isinstance(piece, str) else "*")
    return "".join(parts)


def _resource_problems(st, where, cat: Catalogue) -> list:
    if st.effect != model.ALLOW or not isinstance(st.actions, tuple) or not _all_known(st.actions):
        return []
    if not isinstance(st.resources, tuple) or not st.resources or len(st.resources) > MAX_ITEMS:
        return []
    globs = tuple(_resource_glob(r) for r in st.resources)
    if any(g.strip("*") == "" for g in globs):
        return []  # "*" fits every action: nothing to expand (Action "*" would read all 22,000)
    if any(a in ("*", "*:*") for a in st.actions):
        return []  # every action: each resource type of the catalogue is some action's
    actions = set()
    for item in st.actions:
        expanded = cat.expand(item)
        if not expanded:
            return []  # an action the catalogue does not know: nothing certain about its resources
        actions.update(expanded)
        if len(actions) > MAX_ACTIONS:
            return []
    if not actions:
        return []
    formats_seen = []
    for name in sorted(actions):
        formats = _accepted_formats(name, cat)
        if formats is None:
            return []
        if any(_fits(g, f) for g in globs for f in formats):
            return []
        formats_seen.extend(formats)
    wanted = ", ".join('"*" only (no resource-level permissions)' if f == "*" else f for f in dict.fromkeys(formats_seen))
    shown = ", ".join(repr(r) for r in st.resources if isinstance(r, str)) or "its resources"
    acts = sorted(actions)
    act_text = acts[0] if len(acts) == 1 else "%s (and %d more)" % (acts[0], len(acts) - 1)
    message = "%s cannot apply to %s: it takes %s" % (act_text, shown, wanted)
    return [Problem(RESOURCE_MISMATCH, st, message, where, shown, None)]


def _accepted_formats(name: str, cat: Catalogue):
    """The ARN formats an action takes ("*" for an action with no resource type), or None when
    one of its types has no known format (then nothing is certain)."""
    arns = cat.resource_arns(name)
    if not arns:
        return ("*",)
    if any(a.arn is None for a in arns):
        return None
    return tuple(a.arn for a in arns)


def _fits(resource_glob: str, arn_format: str) -> bool:
    if arn_format == "*":
        # Such an action is authorized against "*" itself: the pattern must be able to be "*".
        return glob_match(resource_glob, "*")
    return arn_can_match(resource_glob, arn_format)


# -- condition keys -----------------------------------------------------------------------------


def _condition_problems(st, where, cat: Catalogue) -> list:
    conditions = st.conditions
    if not isinstance(conditions, tuple) or not conditions:
        return []
    if st.actions is not None:
        if not _all_known(st.actions):
            return []  # an Unknown action may be of any service, with any key
        actions = st.actions
    elif st.not_actions is not None:
        actions = ("*",)  # NotAction covers (almost) every service
    else:
        return []
    out = []
    seen = set()
    for cond in conditions[:MAX_ITEMS]:
        key = getattr(cond, "key", None)
        if not isinstance(key, str) or key.lower() in seen:
            continue
        seen.add(key.lower())
        if cat.condition_key_known(key, actions):
            continue
        near = _closest_key(key, actions, cat)
        hint = "; did you mean %r?" % near if near else ""
        message = "condition key %r is not a global key nor a key of %s%s" % (key, _services_text(actions, cat), hint)
        out.append(Problem(UNKNOWN_CONDITION_KEY, st, message, where, key, near))
    return out


def _services_text(actions, cat: Catalogue) -> str:
    services = []
    for a in actions:
        svc = "*" if a == "*" else a.partition(":")[0].lower()
        services.append("any service" if has_wildcard(svc) else svc)
    return "the statement's services (%s)" % _names(tuple(dict.fromkeys(services)))


def _closest_key(key: str, actions, cat: Catalogue) -> str | None:
    candidates = cat.condition_key_candidates(actions, key)
    return cat.suggestion(("condition key", key, candidates), lambda: _closest_of(key, candidates))


def _closest_of(key: str, candidates: tuple) -> str | None:
    by_low = {}
    for c in candidates:
        by_low.setdefault(c.lower(), c)
    import difflib  # (here: a scan whose IAM names are all known never loads it)

    hits = difflib.get_close_matches(key.lower()[:200], list(by_low), n=1, cutoff=0.6)
    return by_low[hits[0]] if hits else None
