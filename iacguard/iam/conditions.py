"""Condition operators as IAM evaluates them, three-valued.

`condition_matches(conditions, context)`: every Condition (one operator and one key) must hold
(AND); the values of one key are OR-ed. Keys are case-insensitive; String* values are
case-sensitive unless the operator says IgnoreCase. From the IAM User Guide, "IAM JSON policy
elements: Condition operators" and "Set operators for multivalued context keys":

- a key absent from the request: a positive operator is false; a negated one (StringNotEquals,
  NotIpAddress, ArnNotLike...) is true; `...IfExists` is true; `Null` asks exactly this;
- `ForAnyValue:` is true when some request value matches (false for an absent or empty key);
  `ForAllValues:` when every request value matches (TRUE for an absent or empty key);
- a negated operator is the negation of its positive one for each request value ("matches none
  of the policy's values");
- several request values without a set operator: matched as ForAnyValue (negated: none matches);
- policy variables in the values of String*, Bool and Arn* operators (`${aws:username}`); a value
  whose variable has no value matches nothing.

An operator name this module does not know is an Unknown with the reason, never a pass; so is a
policy value of the wrong type (a date that does not parse). A request value of the wrong type
does not match. Unknown values on either side give an Unknown.
"""
from __future__ import annotations

from datetime import datetime, timezone
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any, Callable

from iacguard.core.unknown import Unknown, is_unknown

from .matching import (
    _Missing,
    _value_elements,
    and3,
    context_values,
    match_elements,
    not3,
    or3,
    substitute,
)

# Policy values or request values compared for one key (a hostile policy may hold many).
MAX_PAIRS = 100_000


def _text(value: Any) -> Any:
    """A scalar as the text IAM compares; Unknown stays Unknown; None for a non-scalar."""
    if is_unknown(value):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _string(lower: bool, like: bool) -> Callable:
    def compare(policy: Any, request: Any, context: dict) -> Any:
        r = _text(request)
        if r is None:
            return False
        if is_unknown(policy):
            return Unknown("condition value not known: %s" % (policy.reason or "unknown"))
        p = _text(policy)
        if p is None:
            return Unknown("condition value is not a string: %r" % (policy,))
        try:
            pat = substitute(p, context, lower=lower, wild=like)
        except _Missing:
            return False
        return match_elements(pat, _value_elements(r, lower), "the condition value %r" % p, "the request's value")

    return compare


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _date(value: Any) -> Any:
    """ISO 8601 (with Z), a date, or epoch seconds, as UTC seconds; None when it does not parse."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    s = value.strip()
    n = _number(s)
    if n is not None:
        return n
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        d = datetime.fromisoformat(s)
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.timestamp()


_ORDER = {
    "equals": lambda a, b: b == a,
    "lessthan": lambda a, b: b < a,
    "lessthanequals": lambda a, b: b <= a,
    "greaterthan": lambda a, b: b > a,
    "greaterthanequals": lambda a, b: b >= a,
}


def _ordered(parse: Callable, test: Callable, what: str) -> Callable:
    def compare(policy: Any, request: Any, context: dict) -> Any:
        if is_unknown(policy):
            return Unknown("condition value not known: %s" % (policy.reason or "unknown"))
        p = parse(policy)
        if p is None:
            return Unknown("condition value is not a %s: %r" % (what, policy))
        if is_unknown(request):
            return request
        r = parse(request)
        if r is None:
            return False
        return test(p, r)

    return compare


def _bool(policy: Any, request: Any, context: dict) -> Any:
    if is_unknown(policy):
        return Unknown("condition value not known: %s" % (policy.reason or "unknown"))
    if is_unknown(request):
        return request
    p = _text(policy)
    r = _text(request)
    if p is None or r is None:
        return False
    if "${" in p:
        try:
            p = "".join(e for e in substitute(p, context, wild=False) if isinstance(e, str))
        except _Missing:
            return False
    return p.lower() == r.lower()


def _binary(policy: Any, request: Any, context: dict) -> Any:
    if is_unknown(policy):
        return Unknown("condition value not known: %s" % (policy.reason or "unknown"))
    if is_unknown(request):
        return request
    return isinstance(policy, str) and isinstance(request, str) and policy == request


def _ip(policy: Any, request: Any, context: dict) -> Any:
    if is_unknown(policy):
        return Unknown("condition value not known: %s" % (policy.reason or "unknown"))
    import ipaddress  # (here: 1-2 ms to import, and few policies have IP conditions)

    try:
        net = ipaddress.ip_network(str(policy).strip(), strict=False)
    except ValueError:
        return Unknown("condition value is not an IP address or CIDR: %r" % (policy,))
    if is_unknown(request):
        return request
    try:
        ip = ipaddress.ip_address(str(request).strip())
    except ValueError:
        return False
    return ip.version == net.version and ip in net


def _arn(policy: Any, request: Any, context: dict) -> Any:
    """ArnEquals and ArnLike alike: each of the six colon-delimited parts matched on its own,
    with `*` and `?` in any of them, case-sensitive."""
    if is_unknown(policy):
        return Unknown("condition value not known: %s" % (policy.reason or "unknown"))
    if not isinstance(policy, str):
        return Unknown("condition value is not an ARN: %r" % (policy,))
    if request is None or (not isinstance(request, str) and not is_unknown(request)):
        return False
    try:
        pat = substitute(policy, context)
    except _Missing:
        return False
    val = _value_elements(request)
    if not all(isinstance(e, str) for e in pat + val):
        return match_elements(pat, val, "the condition value %r" % policy, "the request's value")
    pparts = _split_arn(pat)
    vparts = _split_arn(val)
    if len(pparts) != 6 or len(vparts) != 6:
        return False
    return all(match_elements(p, v) is True for p, v in zip(pparts, vparts))


def _split_arn(elements: list) -> list:
    parts: list = [[]]
    for e in elements:
        if e == ":" and len(parts) < 6:
            parts.append([])
        else:
            parts[-1].append(e)
    return parts


# base operator (lower-case) -> (compare(policy_value, request_value, context), negated)
_OPERATORS: dict = {
    "stringequals": (_string(False, False), False),
    "stringnotequals": (_string(False, False), True),
    "stringequalsignorecase": (_string(True, False), False),
    "stringnotequalsignorecase": (_string(True, False), True),
    "stringlike": (_string(False, True), False),
    "stringnotlike": (_string(False, True), True),
    "bool": (_bool, False),
    "binaryequals": (_binary, False),
    "ipaddress": (_ip, False),
    "notipaddress": (_ip, True),
    "arnequals": (_arn, False),
    "arnlike": (_arn, False),
    "arnnotequals": (_arn, True),
    "arnnotlike": (_arn, True),
}
for _name, _test in _ORDER.items():
    _OPERATORS["numeric" + _name] = (_ordered(_number, _test, "number"), False)
    _OPERATORS["date" + _name] = (_ordered(_date, _test, "date"), False)
_OPERATORS["numericnotequals"] = (_ordered(_number, _ORDER["equals"], "number"), True)
_OPERATORS["datenotequals"] = (_ordered(_date, _ORDER["equals"], "date"), True)


def parse_operator(operator: str):
    """(set_prefix, base, if_exists) of an operator name, lower-case: ("forallvalues",
    "stringlike", True) for "ForAllValues:StringLikeIfExists"; None when it is not one IAM has."""
    if not isinstance(operator, str):
        return None
    name = operator.strip().lower()
    prefix = ""
    if ":" in name:
        prefix, _, name = name.partition(":")
        if prefix not in ("forallvalues", "foranyvalue"):
            return None
    if_exists = False
    if name.endswith("ifexists") and name != "ifexists":
        name = name[: -len("ifexists")]
        if_exists = True
    if name == "null":
        return None if (if_exists or prefix) else (prefix, name, False)
    if name not in _OPERATORS:
        return None
    return prefix, name, if_exists


def _null(values: tuple, present: bool) -> Any:
    out = []
    for v in values:
        if is_unknown(v):
            out.append(Unknown("Null condition value not known: %s" % (v.reason or "unknown")))
            continue
        t = _text(v)
        if t is None or t.lower() not in ("true", "false"):
            out.append(Unknown("Null condition value is not true or false: %r" % (v,)))
            continue
        out.append(present is (t.lower() == "false"))
    return or3(out)


def one_condition(condition, context: dict) -> Any:
    """One operator and key of a Condition block against the request context."""
    parsed = parse_operator(getattr(condition, "operator", None))
    if parsed is None:
        return Unknown("condition operator %r is not one IAM evaluates" % (getattr(condition, "operator", None),))
    prefix, base, if_exists = parsed
    key = condition.key
    if is_unknown(key):
        return Unknown("condition key not known: %s" % (key.reason or "unknown"))
    if not isinstance(key, str):
        return Unknown("condition key is not a string: %r" % (key,))
    policy_values = condition.values if isinstance(condition.values, tuple) else (condition.values,)
    if is_unknown(condition.values):
        return Unknown("condition values of %s not known: %s" % (key, condition.values.reason or "unknown"))
    request_values = context_values(context or {}, key)
    if base == "null":
        present = request_values is not None and len(request_values) > 0
        return _null(policy_values, present)
    if len(policy_values) * max(1, len(request_values or ())) > MAX_PAIRS:
        return Unknown("condition %s on %s compares too many values" % (condition.operator, key))
    compare, negated = _OPERATORS[base]
    absent = request_values is None or len(request_values) == 0
    if absent:
        if if_exists:
            return True
        if prefix == "forallvalues":
            return True
        if prefix == "foranyvalue":
            return False
        return negated

    def positive(r: Any) -> Any:
        return or3(compare(p, r, context) for p in policy_values)

    def per_value(r: Any) -> Any:
        return not3(positive(r)) if negated else positive(r)

    if prefix == "forallvalues":
        return and3(per_value(r) for r in request_values)
    if prefix == "foranyvalue":
        return or3(per_value(r) for r in request_values)
    # Single-valued use: any request value matching; negated: none matching.
    hit = or3(positive(r) for r in request_values)
    return not3(hit) if negated else hit


def condition_matches(conditions: Any, context: dict) -> Any:
    """Do all the Conditions of a statement hold for the request context? Three-valued."""
    if conditions is None:
        return True
    if is_unknown(conditions):
        return Unknown("the Condition block is not known: %s" % (conditions.reason or "unknown"))
    results = []
    for c in conditions:
        if is_unknown(c):
            results.append(Unknown("a condition is not known: %s" % (c.reason or "unknown")))
            continue
        r = one_condition(c, context)
        if r is False:
            return False
        results.append(r)
    return and3(results)
