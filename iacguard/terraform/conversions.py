"""What Terraform's built-in functions share: the errors a call ends with (`FunctionError`, which
try()/can() catch, and `_Bail`, which makes the result Unknown), the per-call limits, Terraform's
conversions between numbers, strings, bools and collections, grapheme clusters, and JSON text.
`functions`, `goformat`, `re2` and `dates` build on it; it imports none of them."""
from __future__ import annotations

import json
import math
import re
import unicodedata
from decimal import Decimal
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from iacguard.core import limits as _limits
from iacguard.core.numbers import MAX_DIGITS, too_long
from iacguard.core.unknown import Unknown, first_unknown


class FunctionError(Exception):
    """An error Terraform itself would report for this call (``try``/``can`` catch it)."""


class _Bail(Exception):
    """Internal: the call's result is Unknown (bad argument, unsupported case, limit)."""

    def __init__(self, reason: str | Unknown) -> None:
        super().__init__(reason)
        self.unknown = reason if isinstance(reason, Unknown) else Unknown(reason)


def _bail(reason: str) -> Any:
    raise _Bail(reason)


def _known(v: Any) -> Any:
    """The value itself; an Unknown ends the call with that Unknown."""
    if isinstance(v, Unknown):
        raise _Bail(v)
    return v


def _strict(v: Any) -> Any:
    """The value itself; one holding an Unknown anywhere ends the call with that Unknown."""
    u = first_unknown(v, _limits.ACTIVE.grow)
    if u is not None:
        raise _Bail(u)
    return v


# Limits that keep one call cheap whatever the configuration says.
_MAX_FILE_BYTES = 4 * 1024 * 1024
_MAX_ITEMS = 100_000  # setproduct, yamldecode nodes, fileset entries walked
_MAX_PAD = 10_000  # format widths/precisions, indent
_MAX_RANGE = 1024  # Terraform's own limit for range()

# --------------------------------------------------------------------------------------------
# Numbers and conversions
# --------------------------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _norm_num(x: int | float) -> int | float:
    """Terraform has one number type: whole numbers are ints here, others floats."""
    if isinstance(x, bool):
        return _bail("boolean where a number was expected")
    if isinstance(x, float):
        if not math.isfinite(x):
            return _bail("number is not finite")
        if x.is_integer():
            # Beyond 2**53 keep what the shortest text means (1e23 is 10**23).
            return int(x) if abs(x) < 2 ** 53 else int(Decimal(repr(x)))
    return x


def _from_decimal(d: Decimal) -> int | float:
    if not d.is_finite():
        return _bail("number is not finite")
    if d == d.to_integral_value():
        # Whole numbers stay exact up to iacguard.core.numbers.MAX_DIGITS digits (str() of them works).
        if d.adjusted() < MAX_DIGITS:
            return int(d)
        return _bail(too_long(d.adjusted() + 1))
    return _norm_num(float(d))


def _parse_number(s: str) -> int | float | None:
    if not _NUMBER_RE.match(s):
        return None
    return _from_decimal(Decimal(s))


def _dec(x: int | float) -> Decimal:
    """A decimal equal to what the number's shortest text means (0.1 is 0.1)."""
    return Decimal(x) if isinstance(x, int) else Decimal(repr(x))


def _num_to_str(x: int | float) -> str:
    x = _norm_num(x)
    if isinstance(x, int):
        return str(x)
    return format(Decimal(repr(x)), "f")


def _to_str(v: Any) -> str:
    """Terraform's automatic conversion to string (numbers and bools convert)."""
    v = _known(v)
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if _is_num(v):
        return _num_to_str(v)
    if v is None:
        return _bail("null where a string was expected")
    return _bail("a %s where a string was expected" % _type_word(v))


def _to_num(v: Any) -> int | float:
    v = _known(v)
    if _is_num(v):
        return _norm_num(v)
    if isinstance(v, str):
        n = _parse_number(v)
        if n is None:
            return _bail("not a number: %r" % v[:40])
        return n
    if v is None:
        return _bail("null where a number was expected")
    return _bail("a %s where a number was expected" % _type_word(v))


def _to_int(v: Any) -> int:
    n = _to_num(v)
    if not isinstance(n, int):
        return _bail("not a whole number: %r" % n)
    return n


def _to_bool(v: Any) -> bool:
    v = _known(v)
    if isinstance(v, bool):
        return v
    if v == "true":
        return True
    if v == "false":
        return False
    return _bail("not a boolean")


def _to_list(v: Any) -> list:
    v = _known(v)
    if isinstance(v, (list, tuple)):
        return list(v)
    return _bail("a %s where a list was expected" % _type_word(v))


def _to_map(v: Any) -> dict:
    v = _known(v)
    if isinstance(v, dict):
        return v
    return _bail("a %s where a map was expected" % _type_word(v))


def _type_word(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if _is_num(v):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "list"
    if isinstance(v, dict):
        return "map"
    return type(v).__name__


def _canon(v: Any) -> Any:
    """A hashable key: equal keys for values Terraform considers equal (1 == 1.0, not true)."""
    if isinstance(v, bool):
        return ("b", v)
    if _is_num(v):
        return ("n", _norm_num(v))
    if isinstance(v, str):
        return ("s", v)
    if v is None:
        return ("z",)
    if isinstance(v, (list, tuple)):
        return ("l", tuple(_canon(x) for x in v))
    if isinstance(v, dict):
        return ("m", tuple(sorted((k, _canon(x)) for k, x in v.items())))
    if isinstance(v, Unknown):
        return _bail("unknown value")
    return _bail("unsupported value")


def _loose_eq(a: Any, b: Any) -> bool:
    """Equality after Terraform's string/number/bool unification."""
    if _canon(a) == _canon(b):
        return True
    scalars = (str, int, float, bool)
    if isinstance(a, scalars) and isinstance(b, scalars) and (isinstance(a, str) or isinstance(b, str)):
        return _to_str(a) == _to_str(b)
    return False


def _is_scalar(v: Any) -> bool:
    return isinstance(v, (str, int, float, bool))


def _unify(items: list) -> list:
    """Elements of one collection get one type: mixed strings/numbers/bools become strings."""
    kinds = {("s" if isinstance(x, str) else "b" if isinstance(x, bool) else "n")
             for x in items if _is_scalar(x)}
    has_coll = any(isinstance(x, (list, dict)) for x in items)
    if kinds and has_coll:
        raise FunctionError("collection elements must all have the same type")
    if len(kinds) > 1:
        return [_to_str(x) if _is_scalar(x) else x for x in items]
    return list(items)


def _sort_key(v: Any) -> tuple:
    if isinstance(v, bool):
        return (0, v, "")
    if _is_num(v):
        return (1, v, "")
    if isinstance(v, str):
        return (2, 0, v)
    if v is None:
        return (4, 0, "")
    return (3, 0, _json(v))


def _as_set(items: list) -> list:
    """Terraform set semantics: unified, de-duplicated, in a stable sorted order."""
    seen: dict = {}
    for x in _unify(items):
        seen.setdefault(_canon(x), x)
    return sorted(seen.values(), key=_sort_key)


def _normalize(v: Any, depth: int = 0) -> Any:
    """Plain values of ours from a decoder's output (whole floats -> ints, keys -> strings)."""
    if depth > 200:
        return _bail("value nested too deeply")
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, float)):
        return _norm_num(v)
    if isinstance(v, (list, tuple)):
        return [_normalize(x, depth + 1) for x in v]
    if isinstance(v, dict):
        return {_key_str(k): _normalize(x, depth + 1) for k, x in v.items()}
    return _bail("unsupported decoded value: %s" % type(v).__name__)


def _key_str(k: Any) -> str:
    if k is None:
        return "null"
    if isinstance(k, (str, bool, int, float)):
        return _to_str(k)
    return _bail("unsupported map key")


# --------------------------------------------------------------------------------------------
# Grapheme clusters (approximation: base character + combining marks, ZWJ sequences, CRLF,
# variation selectors, emoji modifiers, regional-indicator pairs)
# --------------------------------------------------------------------------------------------


def _extends(prev: str, c: str) -> bool:
    o = ord(c)
    if prev == "\u200d" or c == "\u200d":
        return True
    if prev == "\r" and c == "\n":
        return True
    if 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF or 0x1F3FB <= o <= 0x1F3FF:
        return True
    if 0xE0020 <= o <= 0xE007F:  # emoji tag sequences
        return True
    return unicodedata.category(c) in ("Mn", "Me", "Mc")


def _graphemes(s: str) -> list[str]:
    out: list[str] = []
    for c in s:
        if out:
            last = out[-1]
            if _extends(last[-1], c):
                out[-1] = last + c
                continue
            if (0x1F1E6 <= ord(c) <= 0x1F1FF and len(last) == 1
                    and 0x1F1E6 <= ord(last) <= 0x1F1FF):
                out[-1] = last + c
                continue
        out.append(c)
    return out


def _json_str(s: str) -> str:
    text = json.dumps(s, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _json(v: Any, depth: int = 0) -> str:
    if depth > 200:
        return _bail("value nested too deeply")
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if _is_num(v):
        return _num_to_str(v)
    if isinstance(v, str):
        return _json_str(v)
    if isinstance(v, (list, tuple)):
        _limits.ACTIVE.grow(len(v))
        return "[" + ",".join(_json(x, depth + 1) for x in v) + "]"
    if isinstance(v, dict):
        _limits.ACTIVE.grow(len(v))
        return "{" + ",".join(_json_str(_key_str(k)) + ":" + _json(v[k], depth + 1)
                              for k in sorted(v, key=_key_str)) + "}"
    if isinstance(v, Unknown):
        raise _Bail(v)
    return _bail("cannot encode a %s" % type(v).__name__)
