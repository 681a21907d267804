"""Matching as IAM matches: actions, resource ARNs, principals, and policy variables. Three-valued.

A value may be partly unknown (iacguard.iam.model.pieces): a tuple of known text and Unknown
pieces. A pattern is matched against a value as two sequences of elements:

- pattern: literal characters, `*` (any run, also empty, crossing ":" and "/"), `?` (one
  character), and unknown pieces;
- value: literal characters and unknown pieces.

`True` is answered only when the pattern matches whatever the unknowns turn out to be ("always":
an unknown value piece is covered by a `*`, a symbolic piece of the pattern meets the same
symbolic piece of the value); `False` only when it matches for none ("possible": every unknown
is taken as any string). In between, an Unknown naming the pieces that decide.

A symbolic piece is an unknown that names what it stands for (an `AttributeUnknown`: `.node`,
the graph node of a resource of the scan, and `.attribute`): the same node and attribute on both
sides is the same string; the ARNs of two different resources are different strings. So are the
names inside them: a name known only at deploy (generated, or given by a variable) is a
`NameUnknown` piece (iacguard.facts.arns) with a `namespace` (its type's ARN template) and the
characters such a name never holds (`stops`: it never stands for them). Two of them of two
different resources in one namespace conflict (neither is taken as any part of the other) when
each is "bound": nothing before it in its pattern or value may stretch (no `*`, `?` or anonymous
unknown) and what follows it is the end or one of its stop characters. Then the texts around the two names are the same
and the names must be equal for a match, which two resources of one scan (two AWS objects) never
are: `${aws_s3_bucket.a.arn}/*` does not match an object of bucket b even when neither name is
known, while `arn:aws:s3:::${var.x}/*`, or a name followed by `*`, stays undecided. Likewise a
pattern that is such an ARN (known text, the bound name piece) does not match a value whose text
there is the known ARN of another resource of the scan (the piece's `taken`, see `_taken_name`).

Both matchers are automata over (pattern position, value position): O(len(pattern) * len(value))
at worst, never exponential, whatever `*`s a hostile policy holds; inputs beyond MAX_CELLS give
an Unknown instead of a long walk.
"""
from __future__ import annotations

import functools
import re
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from iacguard.core.unknown import Unknown, is_unknown

from .model import pieces

# Bound on pattern length x value length for one match (a hostile policy may hold megabytes).
MAX_CELLS = 4_000_000
# Policy variables substituted in one pattern.
MAX_VARIABLES = 256

_STAR = object()
_QMARK = object()
_ARN_ATTRIBUTES = ("arn", "Arn")


# --- three-valued logic ----------------------------------------------------------------------

def or3(values) -> Any:
    """True if any is True; else the first Unknown if any; else False."""
    first = None
    for v in values:
        if v is True:
            return True
        if first is None and is_unknown(v):
            first = v
    return first if first is not None else False


def and3(values) -> Any:
    """False if any is False; else the first Unknown if any; else True."""
    first = None
    for v in values:
        if v is False:
            return False
        if first is None and is_unknown(v):
            first = v
    return first if first is not None else True


def not3(value: Any) -> Any:
    if is_unknown(value):
        return value
    return not value


# --- elements --------------------------------------------------------------------------------

class _Token:
    """An unknown piece as one element: `key` is (node, attribute) for a symbolic piece, else None;
    `space` the namespace of a resource name piece (a `NameUnknown`), else None; `bound`: set by
    `_bind` for such a piece (see the module docstring)."""

    __slots__ = ("unknown", "key", "space", "stops", "bound")

    def __init__(self, unknown: Unknown) -> None:
        self.unknown = unknown
        node = getattr(unknown, "node", None)
        self.key = (node, getattr(unknown, "attribute", None)) if node is not None else None
        space = getattr(unknown, "namespace", None)
        self.space = space if node is not None and isinstance(space, str) and space else None
        stops = getattr(unknown, "stops", "") if self.space is not None else ""
        self.stops = stops if isinstance(stops, str) else ""
        self.bound = False

    def is_arn(self) -> bool:
        return self.key is not None and self.key[1] in _ARN_ATTRIBUTES


def _pattern_text(text: str, lower: bool, out: list, wild: bool = True) -> None:
    if lower:
        text = text.lower()
    for c in text:
        if wild and c == "*":
            out.append(_STAR)
        elif wild and c == "?":
            out.append(_QMARK)
        else:
            out.append(c)


def _value_elements(value: Any, lower: bool = False) -> list:
    out: list = []
    for p in pieces(value):
        if isinstance(p, str):
            out.extend(p.lower() if lower else p)
        else:
            out.append(_Token(p))
    return out


# --- policy variables ------------------------------------------------------------------------

_SPECIAL = {"*": "*", "?": "?", "$": "$"}


class _Missing(Exception):
    """A policy variable names a key absent from the request (or one with several values)."""


def context_values(context: dict, key: str):
    """The values of a condition key in a request context (keys are case-insensitive), as a
    tuple; None when the key is absent."""
    if not isinstance(context, dict):
        return None
    low = key.lower()
    if low in context:
        v = context[low]
    else:
        for k in context:
            if isinstance(k, str) and k.lower() == low:
                v = context[k]
                break
        else:
            return None
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        return tuple(v)
    return (v,)


def _parse_default(rest: str):
    """The default of `${key, 'default'}`: quoted, '' for a quote; None when malformed."""
    rest = rest.strip()
    if len(rest) < 2 or rest[0] != "'" or rest[-1] != "'":
        return None
    body = rest[1:-1]
    if "'" in body.replace("''", ""):
        return None
    return body.replace("''", "'")


def _variable(body: str, context: dict):
    """The text or Unknown a variable stands for. Raises _Missing when it has no value."""
    if body in _SPECIAL:
        return _SPECIAL[body]
    key, sep, rest = body.partition(",")
    key = key.strip()
    default = _parse_default(rest) if sep else None
    if sep and default is None:
        raise _Missing("malformed default in ${%s}" % body)
    values = context_values(context, key) if key else None
    if values is not None and len(values) == 1:
        v = values[0]
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (str, int, float)) or is_unknown(v):
            return v if not isinstance(v, (int, float)) else str(v)
    if default is not None:
        return default
    # AWS: a variable whose key is absent (or has several values) does not resolve, and the
    # element holding it does not match.
    raise _Missing("${%s} has no value in the request" % key)


def substitute(text: str, context: dict, lower: bool = False, wild: bool = True) -> list:
    """`text` as pattern elements with its policy variables replaced from `context` (the
    substituted text is literal: a `*` in a user name is not a wildcard). Raises _Missing."""
    out: list = []
    i = 0
    n = len(text)
    count = 0
    while i < n:
        j = text.find("${", i)
        if j < 0:
            _pattern_text(text[i:], lower, out, wild)
            break
        k = text.find("}", j + 2)
        if k < 0:
            _pattern_text(text[i:], lower, out, wild)
            break
        count += 1
        if count > MAX_VARIABLES:
            raise _Missing("more than %d policy variables" % MAX_VARIABLES)
        _pattern_text(text[i:j], lower, out, wild)
        v = _variable(text[j + 2:k], context)
        if isinstance(v, str):
            out.extend(v.lower() if lower else v)
        else:
            out.append(_Token(v))
        i = k + 1
    return out


# --- the automata ----------------------------------------------------------------------------

def _closure(states: set, pat: list, possible: bool) -> set:
    """Add the positions reachable without consuming: a `*` may match nothing; in "possible"
    mode an anonymous unknown pattern piece may be empty too (a symbolic one, a resource's ARN
    or name, is not)."""
    stack = list(states)
    while stack:
        i = stack.pop()
        if i < len(pat):
            e = pat[i]
            if e is _STAR or (possible and isinstance(e, _Token) and e.key is None):
                if i + 1 not in states:
                    states.add(i + 1)
                    stack.append(i + 1)
    return states


def _bind(elements: list) -> None:
    """Mark the resource name pieces of a pattern or value that are bound: no `*`, `?` or
    anonymous unknown before them, and the end or one of their stop characters after them."""
    free = False
    last = len(elements) - 1
    for i, e in enumerate(elements):
        if isinstance(e, _Token):
            if e.space is not None and not free:
                after = elements[i + 1] if i < last else None
                e.bound = after is None or (isinstance(after, str) and len(after) == 1 and after in e.stops)
            if e.key is None:
                free = True
        elif e is _STAR or e is _QMARK:
            free = True


def _taken_name(pat: list, val: list) -> bool:
    """True when one side (`pat`) is the ARN of a resource of the scan whose name is not known
    (known text, then its bound name piece, then the end or a stop character) and the other
    side's text there, up to a stop character, without wildcards, is the known ARN of another
    resource of the scan in that namespace (the piece's `taken`): the name that piece would have
    to be is another resource's, so they cannot match. Asked both ways round."""
    for i, e in enumerate(pat):
        if not isinstance(e, str):
            break
    else:
        return False
    if not (isinstance(e, _Token) and e.bound and e.space is not None):
        return False
    taken = getattr(e.unknown, "taken", None)
    if not taken or len(val) <= i or any(not isinstance(c, str) for c in val[:i]) or val[:i] != pat[:i]:
        return False
    end = i
    while end < len(val) and isinstance(val[end], str) and val[end] not in e.stops:
        end += 1
    if end == i or (end < len(val) and not isinstance(val[end], str)):
        return False
    return "".join(val[:end]) in taken


def _conflict(e: Any, v: _Token) -> bool:
    """Where an unknown value piece cannot stretch over the pattern: two symbolic ARNs of
    different resources are different strings, and the same symbolic piece on both sides stands
    for itself (met head on, it matches itself; it is not taken as part of anything else); two
    bound name pieces of different resources in one namespace are different names."""
    if not isinstance(e, _Token) or v.key is None or e.key is None:
        return False
    if e.key == v.key or (e.is_arn() and v.is_arn()):
        return True
    return e.bound and v.bound and e.space == v.space and e.key[0] != v.key[0]


def _step(states: set, pat: list, v: Any, possible: bool) -> set:
    nxt: set = set()
    n = len(pat)
    if isinstance(v, _Token):
        for i in sorted(states):
            if i < n and (pat[i] is _STAR or (possible and v.key is None)):
                nxt.add(i)  # absorbed by a `*` (or, possibly, empty)
            if i < n and isinstance(pat[i], _Token) and pat[i].key is not None and pat[i].key == v.key:
                nxt.add(i + 1)  # the same symbolic piece on both sides
            if not possible:
                continue
            # An unknown value piece may be any string: it may stand for any run of the pattern,
            # except across a symbolic ARN of another resource.
            j = i
            while j < n and not _conflict(pat[j], v) and not (isinstance(pat[j], str) and pat[j] in v.stops):
                j += 1
                if j in nxt:
                    continue
                nxt.add(j)
        return nxt
    for i in states:
        if i >= n:
            continue
        e = pat[i]
        if e is _STAR:
            nxt.add(i)
        elif isinstance(e, _Token):
            if possible and v not in e.stops:
                nxt.add(i)  # an unknown pattern piece may be any string (even "*")
                nxt.add(i + 1)
        elif e is _QMARK or e == v:
            nxt.add(i + 1)
    return nxt


def _run(pat: list, val: list, possible: bool) -> bool:
    states = _closure({0}, pat, possible)
    for v in val:
        if not states:
            return False
        states = _closure(_step(states, pat, v, possible), pat, possible)
    return len(pat) in states


def _glob_known(pat: list, val: list) -> bool:
    """Wildcard match of known elements: two pointers, backtracking to the last `*` only."""
    p = v = 0
    star = -1
    mark = 0
    np, nv = len(pat), len(val)
    while v < nv:
        if p < np and pat[p] is not _STAR and (pat[p] is _QMARK or pat[p] == val[v]):
            p += 1
            v += 1
        elif p < np and pat[p] is _STAR:
            star = p
            mark = v
            p += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            v = mark
        else:
            return False
    while p < np and pat[p] is _STAR:
        p += 1
    return p == np


def _unknowns(*lists) -> list:
    return [e.unknown for lst in lists for e in lst if isinstance(e, _Token)]


def match_elements(pat: list, val: list, what: str = "pattern", value_what: str = "the value") -> Any:
    """Three-valued match of pattern elements against value elements. `what` and `value_what`
    name the two sides in the reason of an Unknown answer ("the action ?", "the requested resource
    arn:aws:s3:::?/x"), each followed by why its unknown pieces are not known."""
    if not any(isinstance(e, _Token) for e in pat) and not any(isinstance(e, _Token) for e in val):
        return _glob_known(pat, val)
    if (len(pat) + 1) * (len(val) + 1) > MAX_CELLS:
        return Unknown("%s too long to match" % what)
    _bind(pat)
    _bind(val)
    if _taken_name(pat, val) or _taken_name(val, pat):
        return False
    if _run(pat, val, possible=False):
        return True
    if not _run(pat, val, possible=True):
        return False
    said = []
    for side, name in ((pat, what), (val, value_what)):
        reasons: list = []
        for u in _unknowns(side):
            r = u.reason or "unknown value"
            if r not in reasons:
                reasons.append(r)
        if reasons:
            said.append("%s is not known (%s)" % (name, "; ".join(reasons[:3])))
    return Unknown(" and ".join(said) or "%s may match" % what)


# --- public matchers -------------------------------------------------------------------------

# Known action patterns are matched by a compiled regular expression, cached: a managed policy
# such as ReadOnlyAccess holds about 2,000 wildcard patterns, asked again for every principal
# that has it. Patterns are short (IAM allows 128 characters per action); longer ones go the
# general way. `*` and `?` become `.*` and `.` with everything else escaped, so matching is
# linear in practice for such short texts and never depends on the scanned tree's regex syntax.
_MAX_CACHED_PATTERN = 256


def _action_source(lowered: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in lowered)


@functools.lru_cache(maxsize=8192)
def _action_regex(lowered: str) -> "re.Pattern[str]":
    return re.compile(_action_source(lowered), re.DOTALL)


def action_matches(pattern: Any, action: Any) -> Any:
    """Does an Action pattern ("s3:Get*", "*", "iam:?ass*") match the action? Case-insensitive."""
    if isinstance(pattern, str) and isinstance(action, str):
        p = pattern.lower()
        a = action.lower()
        if p == "*" or p == a:
            return True
        if "*" not in p and "?" not in p:
            return False
        if len(p) <= _MAX_CACHED_PATTERN:
            return _action_regex(p).fullmatch(a) is not None
    pat: list = []
    for piece in pieces(pattern):
        if isinstance(piece, str):
            _pattern_text(piece, True, pat)
        else:
            pat.append(_Token(piece))
    return match_elements(pat, _value_elements(action, lower=True), _named("the action", pattern),
                          _named("the requested action", action))


class _ActionIndex:
    """An Action element of known patterns, indexed for matching one action quickly: exact
    names in a set, wildcard patterns by their service prefix (compiled only when an action of
    that service is asked), and patterns with a wildcard in the prefix apart."""

    __slots__ = ("exact", "by_service", "any_service")

    def __init__(self, patterns: tuple) -> None:
        self.exact: set = set()
        self.by_service: dict = {}
        self.any_service: list = []
        for p in patterns:
            low = p.lower()
            if "*" not in low and "?" not in low:
                self.exact.add(low)
                continue
            service, sep, _ = low.partition(":")
            if sep and "*" not in service and "?" not in service:
                self.by_service.setdefault(service, []).append(low)
            else:
                self.any_service.append(low)

    def matches(self, action: str) -> bool:
        a = action.lower()
        if a in self.exact:
            return True
        service = a.partition(":")[0]
        for low in self.by_service.get(service, ()):
            if _action_regex(low).fullmatch(a) is not None:
                return True
        return any(low == "*" or _action_regex(low).fullmatch(a) is not None for low in self.any_service)


@functools.lru_cache(maxsize=4096)
def _action_index(patterns: tuple) -> "_ActionIndex | None":
    """The index of an element of known, short patterns; None for any other element."""
    if len(patterns) > 4096 or not all(type(p) is str and len(p) <= _MAX_CACHED_PATTERN for p in patterns):
        return None
    return _ActionIndex(patterns)


def any_action_matches(patterns: Any, action: Any) -> Any:
    """Does any of an Action (or NotAction) element's patterns match the action? An element of
    known, short patterns is indexed once (cached: an AWS managed policy's element is asked once
    per principal holding it); else pattern by pattern, three-valued."""
    if is_unknown(patterns):
        return Unknown("element not known: %s" % (patterns.reason or "unknown"))
    if isinstance(patterns, str):
        patterns = (patterns,)
    if isinstance(action, str) and type(patterns) is tuple:
        index = _action_index(patterns)
        if index is not None:
            return index.matches(action)
    return or3(action_matches(p, action) for p in patterns)


# Answers of arn_matches for patterns or values with unknown pieces and no policy variable (so
# the request context plays no part), keyed by the two objects' identities: the escalation check
# asks the same statement Resource about the same ARN once per action (about 30 per principal),
# and each such match runs two automata. The entry holds the two objects, so their ids stay
# theirs while it lives; the table is emptied when it reaches MAX_ARN_MEMO entries.
MAX_ARN_MEMO = 2048
_arn_memo: dict = {}


def _memo_key(x: Any):
    return x if isinstance(x, str) else id(x)


def _has_variable(pattern: Any) -> bool:
    return any(isinstance(p, str) and "${" in p for p in pieces(pattern))


def arn_matches(pattern: Any, value: Any, context: dict | None = None) -> Any:
    """Does a Resource pattern match the ARN `value`? Case-sensitive; `*` and `?`; policy
    variables substituted from `context` first (a variable without a value: no match)."""
    if isinstance(pattern, str) and isinstance(value, str):
        if pattern == "*":
            return True
        if "$" not in pattern and "*" not in pattern and "?" not in pattern:
            return pattern == value
        return _arn_matches(pattern, value, context or {})
    if _has_variable(pattern):
        return _arn_matches(pattern, value, context or {})
    key = (_memo_key(pattern), _memo_key(value))
    hit = _arn_memo.get(key)
    if hit is not None and hit[0] is pattern and hit[1] is value:
        return hit[2]
    answer = _arn_matches(pattern, value, {})
    if len(_arn_memo) >= MAX_ARN_MEMO:
        _arn_memo.clear()
    _arn_memo[key] = (pattern, value, answer)
    return answer


def _arn_matches(pattern: Any, value: Any, context: dict) -> Any:
    pat: list = []
    try:
        for piece in pieces(pattern):
            if isinstance(piece, str):
                pat.extend(substitute(piece, context))
            else:
                pat.append(_Token(piece))
    except _Missing:
        return False
    return match_elements(pat, _value_elements(value), _named("the resource", pattern),
                          _named("the requested resource", value))


def equals(a: Any, b: Any, lower: bool = False) -> Any:
    """Three-valued string equality of two values that may hold unknown pieces (no wildcards)."""
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower() if lower else a == b
    pat: list = []
    for piece in pieces(a):
        if isinstance(piece, str):
            _pattern_text(piece, lower, pat, wild=False)
        else:
            pat.append(_Token(piece))
    return match_elements(pat, _value_elements(b, lower), _named("the value", a), _named("the value", b))


def _named(kind: str, value: Any) -> str:
    """How a reason names a value with unknown pieces: `kind`, then the value with "?" for each
    unknown piece (nothing more when no piece is known)."""
    parts = pieces(value)
    if not any(isinstance(p, str) and p for p in parts):
        return kind
    return "%s %s" % (kind, "".join(p if isinstance(p, str) else "?" for p in parts))


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return "".join(p if isinstance(p, str) else "<%s>" % (p.reason or "unknown") for p in pieces(value))


# --- principals ------------------------------------------------------------------------------

_ACCOUNT = re.compile(r"^\d{12}$")
_ROOT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):root$")
_SESSION = re.compile(r"^arn:aws[a-z-]*:sts::(\d{12}):assumed-role/([^/]+)/(.+)$")
_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:.*/)?([^/]+)$")
_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):")

# How a principal entry named the requester (evaluate needs it: a same-account resource policy
# that names the account only delegates to the identity policies).
ACCOUNT = "account"  # an account id or arn:...:root
PRINCIPAL = "principal"  # "*", a user or role ARN, a service, a federated provider
SESSION = "session"  # an assumed-role session ARN


def _request_account(request) -> Any:
    acct = getattr(request, "principal_account", None)
    if acct is not None:
        return acct
    arn = getattr(request, "principal_arn", None)
    if isinstance(arn, str):
        m = _IAM_ARN.match(arn)
        if m:
            return m.group(1)
    if is_unknown(arn):
        return Unknown("the account of principal %s is not known" % _show(arn))
    return None


def _block_items(block: Any):
    """(type, value) pairs of a Principal block; ("*", "*") for "*"."""
    if isinstance(block, str):
        yield ("AWS", block)
        return
    if isinstance(block, dict):
        for k, vs in block.items():
            kind = str(k).upper() if isinstance(k, str) else "?"
            if isinstance(vs, (list, tuple)):
                for v in vs:
                    yield (kind, v)
            else:
                yield (kind, vs)


def _aws_entry(entry: Any, request) -> tuple:
    """(how, match) for one "AWS" principal entry."""
    arn = getattr(request, "principal_arn", None)
    if isinstance(entry, str):
        if entry == "*":
            return PRINCIPAL, True
        m = _ROOT.match(entry)
        account = m.group(1) if m else entry if _ACCOUNT.match(entry) else None
        if account is not None:
            acct = _request_account(request)
            if acct is None:
                return ACCOUNT, False
            return ACCOUNT, equals(account, acct)
        if _SESSION.match(entry):
            return SESSION, equals(entry, arn) if arn is not None else False
        role = _ROLE.match(entry)
        if role and isinstance(arn, str):
            # A role ARN names the role and every session of it (arn:...:sts::A:assumed-role/R/s).
            s = _SESSION.match(arn)
            if s:
                return PRINCIPAL, s.group(1) == role.group(1) and s.group(2) == role.group(2)
    if arn is None:
        return PRINCIPAL, False
    return PRINCIPAL, equals(entry, arn)


_ROOT_START = re.compile(r"^arn:aws[a-z-]*:iam::$")


def _symbolic_aws_entry(entry: Any, request) -> tuple:
    """(how, match) for an "AWS" entry with unknown pieces (an account known only at deploy):
    arn:...:iam::<account>:root names that account; any other is compared piece by piece with the
    requester's ARN, so that a symbol both share decides."""
    parts = pieces(entry)
    if len(parts) == 3 and isinstance(parts[0], str) and _ROOT_START.match(parts[0]) and parts[2] == ":root":
        acct = _request_account(request)
        return ACCOUNT, False if acct is None else equals(parts[1], acct)
    arn = getattr(request, "principal_arn", None)
    if arn is None:
        return PRINCIPAL, False
    return PRINCIPAL, equals(entry, arn)


def principal_entries(block: Any, request) -> list:
    """[(how, match)] for each entry of a Principal block: how it names the requester
    (ACCOUNT, PRINCIPAL, SESSION) and whether it does (three-valued)."""
    if block is None:
        return []
    if is_unknown(block):
        return [(PRINCIPAL, Unknown("the Principal is not known: %s" % (block.reason or "unknown")))]
    if block == "*":
        return [(PRINCIPAL, True)]
    out = []
    context = getattr(request, "context", {}) or {}
    arn = getattr(request, "principal_arn", None)
    for kind, entry in _block_items(block):
        if is_unknown(entry) and kind == "AWS" and any(isinstance(p, str) and p for p in pieces(entry)):
            out.append(_symbolic_aws_entry(entry, request))
        elif is_unknown(entry):
            out.append((PRINCIPAL, Unknown("a Principal entry is not known: %s" % (entry.reason or "unknown"))))
        elif kind == "AWS":
            out.append(_aws_entry(entry, request))
        elif kind == "SERVICE":
            names = context_values(context, "aws:PrincipalServiceName") or ()
            m = or3([equals(entry, n) for n in names if isinstance(n, str) or is_unknown(n)]
                    + ([equals(entry, arn)] if arn is not None else []))
            out.append((PRINCIPAL, m))
        elif kind == "FEDERATED":
            names = context_values(context, "aws:FederatedProvider") or ()
            m = or3([equals(entry, n) for n in names if isinstance(n, str) or is_unknown(n)]
                    + ([equals(entry, arn)] if arn is not None else []))
            out.append((PRINCIPAL, m))
        elif kind == "CANONICALUSER":
            out.append((PRINCIPAL, equals(entry, arn) if arn is not None else False))
        else:
            out.append((PRINCIPAL, False))
    return out


def principal_matches(principal_block: Any, request) -> Any:
    """Does a Principal block name the requester? "*", {"AWS": "*"}, an account (id or :root:
    any principal of it), a user or role ARN (a role: its sessions too), a session ARN, a service,
    a federated provider. Three-valued."""
    return or3(m for _, m in principal_entries(principal_block, request))


def not_principal_matches(not_principal_block: Any, request) -> Any:
    """Does a statement with NotPrincipal apply to the requester? AWS checks each identity the
    request carries: the account, and the user, or the role and its session; the requester is left
    out only when the block names all of them (the documented reason to list the account ARN
    beside a user's in a Deny with NotPrincipal)."""
    if is_unknown(not_principal_block):
        return Unknown("the NotPrincipal is not known: %s" % (not_principal_block.reason or "unknown"))
    if not_principal_block == "*":
        return False
    entries = list(_block_items(not_principal_block))
    acct = _request_account(request)
    arn = getattr(request, "principal_arn", None)
    identities: list = []
    if acct is not None:
        identities.append("arn:aws:iam::%s:root" % acct if isinstance(acct, str) else acct)
    if isinstance(arn, str):
        s = _SESSION.match(arn)
        if s:
            identities.append("arn:aws:iam::%s:role/%s" % (s.group(1), s.group(2)))
        if not _ROOT.match(arn):
            identities.append(arn)
    elif arn is not None:
        identities.append(arn)
    if not identities:
        return True

    def named(identity) -> Any:
        ms = []
        for kind, entry in entries:
            if is_unknown(entry):
                ms.append(Unknown("a NotPrincipal entry is not known: %s" % (entry.reason or "unknown")))
            elif kind == "AWS" and isinstance(entry, str) and isinstance(identity, str):
                if entry == "*":
                    ms.append(True)
                    continue
                m = _ROOT.match(entry)
                if _ACCOUNT.match(entry):
                    entry = "arn:aws:iam::%s:root" % entry
                r = _ROLE.match(entry)
                i = _ROLE.match(identity)
                if r and i and not m:
                    ms.append(r.group(1) == i.group(1) and r.group(2) == i.group(2))
                else:
                    ms.append(equals(entry, identity))
            elif kind == "AWS" or (kind != "AWS" and not isinstance(identity, str)):
                ms.append(equals(entry, identity) if not isinstance(entry, str) or entry != "*" else True)
            else:
                ms.append(equals(entry, identity))
        return or3(ms)

    return not3(and3(named(i) for i in identities))
