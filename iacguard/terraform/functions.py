"""Terraform's built-in functions, evaluated over plain Python values.

Interface: ``call_function(name, args, ctx)``. Values are ``str``, ``int``, ``float``, ``bool``,
``None``, ``list`` (Terraform lists, tuples and sets; a set is a sorted, de-duplicated list),
``dict`` (maps and objects) or ``Unknown``. ``ctx`` needs ``base_dir`` (folder of the module
being evaluated: relative paths resolve against it) and ``root_dir`` (the scan root: file
functions never read outside it); ``templatefile``/``templatestring`` also need
``ctx.render_template(text, variables, line)``.

Outcomes:

* ``KeyError(name)``: no such function (also ``can`` and ``try``, which the evaluator handles).
* ``FunctionError``: an error a Terraform run would report for well-typed arguments
  (``element([], 0)``, ``index`` not found, ``one([1, 2])``, ``regex`` without a match, invalid
  JSON/YAML/CIDR, a missing file, ``tonumber("abc")``, ``lookup`` of a missing key without a
  default, a subnet out of range...). ``try()``/``can()`` catch it.
* ``Unknown``: the value cannot be known offline. Any other failure (wrong types, wrong number
  of arguments, an internal limit) gives ``Unknown(reason)`` too: nothing else escapes.

Unknown propagation: most functions return the first Unknown found in their arguments. The
functions in ``_LENIENT`` look inside: ``length([Unknown, 1])`` is 2, ``merge``/``concat``/
``lookup``/``keys``/``element``/``slice``... keep Unknown items without becoming Unknown.

Unknown by design (the value differs per run or depends on the machine):
``uuid``, ``timestamp``, ``plantimestamp``, ``bcrypt``, ``type``, ``issensitive``,
``ephemeralasnull``, ``pathexpand`` of a path starting with ``~``, ``templatefile``/
``templatestring`` when ``ctx`` has no ``render_template``.

Unknown by limit (documented trade-offs of running offline, in Python):

* Regular expressions are RE2 in Terraform; they are translated to Python's ``re``. Constructs
  without a Python equivalent (``\\pX`` classes other than L/N, ``(?U)``, ``\\C``, negated Perl
  classes inside brackets) give Unknown. Python's engine backtracks where RE2 does not: a
  pattern that could backtrack badly runs under a 1 s SIGALRM timer when called from the main
  thread, else only on inputs short enough to be safe (``_run_regex``); a match that would
  take too long gives Unknown rather than hanging the scan.
* Numbers beyond float range, ``range``/``setproduct``/``format`` results past a size limit,
  YAML with too many nodes (alias bombs), deeply nested values.
* String lengths and ``substr``/``strrev`` use an approximation of Unicode grapheme clusters.
"""
from __future__ import annotations

import base64
import csv
import datetime as _dt
import gzip
import hashlib
import io
import ipaddress
import itertools
import json
import math
import os
import posixpath
import re
import stat
import unicodedata
import urllib.parse
import uuid as _uuid
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable

import yaml

from iacguard import limits as _limits
from iacguard.numbers import MAX_DIGITS, too_long
from iacguard.unknown import Unknown, contains_unknown, first_unknown

__all__ = ["FunctionError", "FUNCTIONS", "call_function"]


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
        # Whole numbers stay exact up to iacguard.numbers.MAX_DIGITS digits (str() of them works).
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


# --------------------------------------------------------------------------------------------
# Collection functions
# --------------------------------------------------------------------------------------------


def fn_length(v: Any) -> int:
    v = _known(v)
    if isinstance(v, str):
        return len(_graphemes(v))
    if isinstance(v, (list, dict)):
        return len(v)
    return _bail("length of a %s" % _type_word(v))


def fn_merge(*maps: Any) -> dict:
    out: dict = {}
    for m in maps:
        m = _known(m)
        if m is None:
            continue
        out.update(_to_map(m))
    return out


def fn_concat(*lists: Any) -> list:
    out: list = []
    for x in lists:
        out.extend(_to_list(x))
    return out


def fn_lookup(m: Any, key: Any, *default: Any) -> Any:
    if len(default) > 1:
        return _bail("lookup takes two or three arguments")
    m = _to_map(m)
    k = _to_str(key)
    if k in m:
        return m[k]
    if default:
        return default[0]
    raise FunctionError("lookup failed to find key %r" % k)


def fn_coalesce(*vals: Any) -> Any:
    any_str = any(isinstance(v, str) for v in vals)
    for v in vals:
        v = _known(v)
        if v is None or v == "":
            continue
        if any_str and not isinstance(v, str):
            return _to_str(v)
        return v
    raise FunctionError("coalesce: no non-null, non-empty-string arguments")


def fn_coalescelist(*lists: Any) -> list:
    for x in lists:
        x = _known(x)
        if x is None:
            continue
        x = _to_list(x)
        if x:
            return x
    raise FunctionError("coalescelist: no non-empty list arguments")


def fn_element(lst: Any, index: Any) -> Any:
    lst = _to_list(lst)
    i = _to_int(index)
    if not lst:
        raise FunctionError("cannot use element function with an empty list")
    if i < 0:
        raise FunctionError("cannot use element function with a negative index")
    return lst[i % len(lst)]


def fn_index(lst: Any, value: Any) -> int:
    lst = _to_list(lst)
    for i, x in enumerate(lst):
        if _loose_eq(x, value):
            return i
    raise FunctionError("item not found in the list")


def fn_contains(lst: Any, value: Any) -> Any:
    lst = _to_list(lst)
    _strict(value)
    pending = None
    for x in lst:
        if contains_unknown(x):
            if pending is None:
                pending = first_unknown(x, _limits.ACTIVE.grow)
            continue
        if _loose_eq(x, value):
            return True
    if pending is not None:
        return pending
    return False


def fn_keys(m: Any) -> list:
    return sorted(_to_map(m))


def fn_values(m: Any) -> list:
    m = _to_map(m)
    return [m[k] for k in sorted(m)]


def fn_zipmap(keys: Any, values: Any) -> dict:
    keys = [_to_str(k) for k in _strict(_to_list(keys))]
    values = _to_list(values)
    if len(keys) != len(values):
        raise FunctionError("zipmap: %d keys but %d values" % (len(keys), len(values)))
    return dict(zip(keys, values))


def fn_flatten(lst: Any) -> list:
    out: list = []

    def walk(x: list, depth: int) -> None:
        if depth > 100:
            _bail("list nested too deeply")
        _limits.ACTIVE.grow(len(x))  # a list holding one list twice, nested, is walked in full
        for item in x:
            item = _known(item)  # an Unknown item may be a list: the result's shape is unknown
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append(item)

    walk(_to_list(lst), 0)
    return out


def fn_distinct(lst: Any) -> list:
    seen: dict = {}
    for x in _to_list(lst):
        seen.setdefault(_canon(x), x)
    return list(seen.values())


def fn_compact(lst: Any) -> list:
    out = []
    for x in _to_list(lst):
        if x is None:
            continue
        s = _to_str(x)
        if s != "":
            out.append(s)
    return out


def fn_slice(lst: Any, start: Any, end: Any) -> list:
    lst = _to_list(lst)
    a, b = _to_int(start), _to_int(end)
    if a < 0:
        raise FunctionError("slice: start index must not be negative")
    if b > len(lst):
        raise FunctionError("slice: end index must not be greater than the length of the list")
    if a > b:
        raise FunctionError("slice: start index must not be greater than end index")
    return lst[a:b]


def fn_sort(lst: Any) -> list:
    return sorted(_to_str(x) for x in _to_list(lst))


def fn_reverse(lst: Any) -> list:
    return list(reversed(_to_list(lst)))


def fn_range(*args: Any) -> list:
    if not 1 <= len(args) <= 3:
        return _bail("range takes one to three arguments")
    nums = [_dec(_to_num(a)) for a in args]
    if len(nums) == 1:
        start, limit, step = Decimal(0), nums[0], None
    else:
        start, limit = nums[0], nums[1]
        step = nums[2] if len(nums) == 3 else None
    if step is None:
        step = Decimal(1) if start <= limit else Decimal(-1)
    if step == 0:
        raise FunctionError("range: step must not be zero")
    if (step > 0 and start > limit) or (step < 0 and start < limit):
        raise FunctionError("range: step must move from start towards limit")
    count = math.ceil((limit - start) / step)
    if count > _MAX_RANGE:
        raise FunctionError("range: more than %d values would be produced" % _MAX_RANGE)
    return [_from_decimal(start + i * step) for i in range(count)]


def fn_one(lst: Any) -> Any:
    lst = _to_list(lst)
    if len(lst) > 1:
        raise FunctionError("one: must be a list, set, or tuple value with either zero or one elements")
    return lst[0] if lst else None


def fn_chunklist(lst: Any, size: Any) -> list:
    lst = _to_list(lst)
    n = _to_int(size)
    if n < 0:
        raise FunctionError("chunklist: the size argument must be positive")
    if n == 0:
        return [lst]
    return [lst[i:i + n] for i in range(0, len(lst), n)]


def fn_setunion(*sets: Any) -> list:
    if not sets:
        return _bail("setunion takes at least one argument")
    items: list = []
    for s in sets:
        items.extend(_to_list(s))
    return _as_set(items)


def fn_setintersection(first: Any, *rest: Any) -> list:
    result = _as_set(_to_list(first))
    for s in rest:
        keys = {_canon(x) for x in _as_set(_to_list(s))}
        result = [x for x in result if _canon(x) in keys]
    return result


def fn_setsubtract(a: Any, b: Any) -> list:
    drop = {_canon(x) for x in _as_set(_to_list(b))}
    return [x for x in _as_set(_to_list(a)) if _canon(x) not in drop]


def fn_setproduct(*sets: Any) -> list:
    if len(sets) < 2:
        return _bail("setproduct takes at least two arguments")
    lists = [_to_list(s) for s in sets]
    total = 1
    for x in lists:
        total *= len(x)
    if total > _MAX_ITEMS:
        return _bail("setproduct result too large (%d elements)" % total)
    return [list(t) for t in itertools.product(*lists)]


def fn_transpose(m: Any) -> dict:
    out: dict = {}
    m = _to_map(m)
    for k in sorted(m):
        for v in _to_list(m[k]):
            out.setdefault(_to_str(v), []).append(k)
    return out


def fn_matchkeys(values: Any, keys: Any, searchset: Any) -> list:
    values, keys, search = _to_list(values), _to_list(keys), _to_list(searchset)
    if len(values) != len(keys):
        raise FunctionError("matchkeys: length of keys and values should be equal")
    out = []
    for v, k in zip(values, keys):
        if any(_loose_eq(k, s) for s in search):
            out.append(v)
    return out


def _bool_items(lst: Any) -> list:
    out = []
    for x in _to_list(lst):
        if isinstance(x, Unknown):
            out.append(x)
        elif x is None:
            _bail("null in a list of booleans")
        else:
            out.append(_to_bool(x))
    return out


def fn_alltrue(lst: Any) -> Any:
    items = _bool_items(lst)
    if any(x is False for x in items):
        return False
    pending = next((x for x in items if isinstance(x, Unknown)), None)
    return pending if pending is not None else True


def fn_anytrue(lst: Any) -> Any:
    items = _bool_items(lst)
    if any(x is True for x in items):
        return True
    pending = next((x for x in items if isinstance(x, Unknown)), None)
    return pending if pending is not None else False


def fn_list(*items: Any) -> list:
    return list(items)


def fn_map(*pairs: Any) -> dict:
    if len(pairs) % 2:
        return _bail("map takes an even number of arguments")
    out: dict = {}
    for i in range(0, len(pairs), 2):
        k = _to_str(pairs[i])
        if k in out:
            raise FunctionError("map: duplicate key %r" % k)
        out[k] = pairs[i + 1]
    return out


# --------------------------------------------------------------------------------------------
# String functions
# --------------------------------------------------------------------------------------------

_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008" \
            "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def fn_join(sep: Any, *lists: Any) -> str:
    if not lists:
        return _bail("join takes at least one list")
    sep = _to_str(sep)
    items: list[str] = []
    for lst in lists:
        for x in _to_list(lst):
            items.append(_to_str(x))
    # Charged before it is built: a long separator between many items multiplies.
    _limits.ACTIVE.grow_str(len(sep) * len(items) + sum(map(len, items)))
    return sep.join(items)


def fn_split(sep: Any, s: Any) -> list:
    sep, s = _to_str(sep), _to_str(s)
    if sep == "":
        return list(s)
    return s.split(sep)


def fn_lower(s: Any) -> str:
    return _to_str(s).lower()


def fn_upper(s: Any) -> str:
    return _to_str(s).upper()


def _title_separator(c: str) -> bool:
    if c.isascii():
        return not (c.isalnum() or c == "_")
    if c.isalpha() or c.isdigit():
        return False
    return c in _GO_SPACE or c.isspace()


def fn_title(s: Any) -> str:
    out = []
    prev = " "
    for c in _to_str(s):
        if _title_separator(prev):
            up = c.title()
            out.append(up if len(up) == 1 else c)
        else:
            out.append(c)
        prev = c
    return "".join(out)


def fn_trimspace(s: Any) -> str:
    return _to_str(s).strip(_GO_SPACE)


def fn_trim(s: Any, cutset: Any) -> str:
    return _to_str(s).strip(_to_str(cutset))


def fn_trimprefix(s: Any, prefix: Any) -> str:
    return _to_str(s).removeprefix(_to_str(prefix))


def fn_trimsuffix(s: Any, suffix: Any) -> str:
    return _to_str(s).removesuffix(_to_str(suffix))


def fn_substr(s: Any, offset: Any, length: Any) -> str:
    g = _graphemes(_to_str(s))
    off, n = _to_int(offset), _to_int(length)
    if off < 0:
        off = max(off + len(g), 0)
    if n < 0:
        return "".join(g[off:])
    return "".join(g[off:off + n])


def fn_startswith(s: Any, prefix: Any) -> bool:
    return _to_str(s).startswith(_to_str(prefix))


def fn_endswith(s: Any, suffix: Any) -> bool:
    return _to_str(s).endswith(_to_str(suffix))


def fn_strcontains(s: Any, sub: Any) -> bool:
    return _to_str(sub) in _to_str(s)


def fn_strrev(s: Any) -> str:
    return "".join(reversed(_graphemes(_to_str(s))))


def fn_chomp(s: Any) -> str:
    return _to_str(s).rstrip("\r\n")


def fn_indent(spaces: Any, s: Any) -> str:
    n = _to_int(spaces)
    if n < 0:
        return _bail("indent: negative number of spaces")
    if n > _MAX_PAD:
        return _bail("indent: too many spaces")
    s = _to_str(s)
    _limits.ACTIVE.grow_str(len(s) + n * s.count("\n"))  # before it is built
    return s.replace("\n", "\n" + " " * n)


def fn_replace(s: Any, substr: Any, replacement: Any) -> str:
    s, sub, rep = _to_str(s), _to_str(substr), _to_str(replacement)
    if len(sub) > 1 and sub.startswith("/") and sub.endswith("/"):
        rx = _compile_re2(sub[1:-1])
        if rep:  # at most one match per position, each `rep` with $n expanded (matches don't overlap)
            _limits.ACTIVE.grow_str(len(s) + (len(s) + 1) * len(rep) + len(s) * rep.count("$"))
        return _run_regex(rx, s, lambda: _go_sub(rx, s, rep))
    if len(rep) > len(sub):  # the result grows with every match: charged before it is built
        _limits.ACTIVE.grow_str(len(s) + (len(rep) - len(sub)) * (s.count(sub) if sub else len(s) + 1))
    return s.replace(sub, rep)


# --- format -------------------------------------------------------------------------------

_VERB_RE = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+)?(?:\.(\d*))?(?:\[(\d+)\])?(.)?", re.S)


def _go_shortest_g(x: float, upper: bool) -> str:
    """Go's %g with no precision: shortest digits, exponent form when exp < -4 or >= 6."""
    if x == 0:
        return "0"
    d = Decimal(repr(abs(float(x)))).normalize()
    _sign, digits, exp = d.as_tuple()
    ds = "".join(map(str, digits))
    e10 = len(ds) + exp - 1  # exponent of the first digit
    if e10 < -4 or e10 >= 6:
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        out = "%s%s%s%02d" % (mant, "E" if upper else "e", "-" if e10 < 0 else "+", abs(e10))
    else:
        out = format(d, "f")
    return ("-" if x < 0 else "") + out


def _format_one(verb: str, flags: str, width: int | None, prec: int | None, v: Any) -> str:
    if v is None and verb != "v":
        raise FunctionError("format: null value cannot be formatted with %%%s" % verb)
    if verb == "v" and flags.find("#") >= 0:
        return _json(v)
    if verb in "vs":
        if verb == "v" and isinstance(v, (list, dict)):
            text = _json(v)
        elif verb == "v" and v is None:
            text = "null"
        elif isinstance(v, (list, dict)):
            raise FunctionError("format: a %s cannot be formatted with %%s" % _type_word(v))
        else:
            text = _to_str(v)
        if prec is not None:
            text = "".join(_graphemes(text)[:prec])
        return _pad(text, flags, width)
    if verb == "q":
        if not _is_scalar(v):
            raise FunctionError("format: %q needs a string")
        return _pad(_json_str(_to_str(v)), flags, width)
    if verb == "t":
        try:
            text = "true" if _to_bool(v) else "false"
        except _Bail:
            raise FunctionError("format: %t needs a boolean") from None
        return _pad(text, flags, width)
    try:
        n = _to_num(v)
    except _Bail:
        raise FunctionError("format: %%%s needs a number" % verb) from None
    spec = "%" + flags.replace("#", "" if verb in "bo" else "#")
    if width is not None:
        spec += str(width)
    if prec is not None:
        spec += "." + str(prec)
    if verb in "doxXb":
        if not isinstance(n, int):
            raise FunctionError("format: %%%s needs a whole number" % verb)
        if verb == "b":
            body = format(abs(n), "b")
            if prec is not None:
                body = body.rjust(prec, "0")
            sign = "-" if n < 0 else "+" if "+" in flags else " " if " " in flags else ""
            return _pad(sign + body, flags, width, zero_ok=prec is None)
        if verb == "o" and "#" in flags:
            body = "0" + format(abs(n), "o")
            sign = "-" if n < 0 else "+" if "+" in flags else ""
            return _pad(sign + body, flags, width, zero_ok=True)
        return (spec + verb) % n
    if verb in "eEfFgG":
        f = float(n)
        if verb in "gG" and prec is None:
            body = _go_shortest_g(f, verb == "G")
            if f >= 0 and "+" in flags:
                body = "+" + body
            elif f >= 0 and " " in flags:
                body = " " + body
            return _pad(body, flags, width, zero_ok=True)
        return (spec + verb) % f
    raise FunctionError("format: unsupported verb %%%s" % verb)


def _pad(text: str, flags: str, width: int | None, zero_ok: bool = False) -> str:
    if width is None:
        return text
    fill = width - len(text)
    if fill <= 0:
        return text
    if "-" in flags:
        return text + " " * fill
    if "0" in flags and zero_ok and text[:1] in "+- ":
        return text[0] + "0" * fill + text[1:]
    if "0" in flags:
        return "0" * fill + text
    return " " * fill + text


def _format(spec: str, args: list) -> str:
    out: list[str] = []
    pos = 0
    argi = 0
    used = 0
    while True:
        j = spec.find("%", pos)
        if j < 0:
            out.append(spec[pos:])
            break
        out.append(spec[pos:j])
        m = _VERB_RE.match(spec, j)
        idx1, flags, width, prec, idx2, verb = m.groups()
        if verb is None:
            raise FunctionError("format: unterminated format verb at the end of the string")
        pos = m.end()
        if verb == "%" and not (idx1 or flags or width or prec is not None or idx2):
            out.append("%")
            continue
        if verb not in "vsqtdbxXoeEfFgG":
            raise FunctionError("format: unsupported format verb %%%s" % verb)
        w = int(width) if width else None
        p = int(prec or "0") if prec is not None else None
        if (w or 0) > _MAX_PAD or (p or 0) > _MAX_PAD:
            return _bail("format: width or precision too large")
        if idx1 or idx2:
            argi = int(idx1 or idx2) - 1
            if argi < 0:
                raise FunctionError("format: argument index must be positive")
        if argi >= len(args):
            raise FunctionError("format: not enough arguments for the format string")
        out.append(_format_one(verb, flags, w, p, args[argi]))
        argi += 1
        used = max(used, argi)
    if used < len(args):
        raise FunctionError("format: too many arguments; only %d used by the format string" % used)
    return "".join(out)


def fn_format(spec: Any, *args: Any) -> str:
    return _format(_to_str(spec), list(args))


def fn_formatlist(spec: Any, *args: Any) -> list:
    spec = _to_str(spec)
    n = None
    for a in args:
        if isinstance(a, list):
            if n is not None and len(a) != n:
                raise FunctionError("formatlist: all list arguments must have the same length")
            n = len(a)
    if n is None:
        return [_format(spec, list(args))]
    return [_format(spec, [a[i] if isinstance(a, list) else a for a in args]) for i in range(n)]


# --------------------------------------------------------------------------------------------
# Regular expressions: RE2 syntax -> Python `re`
# --------------------------------------------------------------------------------------------

_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z",
    "print": " -~", "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z",
    "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}
_PERL_OUT = {"d": "[0-9]", "D": "[^0-9]", "w": "[0-9A-Za-z_]", "W": "[^0-9A-Za-z_]",
             "s": "[\\t\\n\\f\\r ]", "S": "[^\\t\\n\\f\\r ]"}
_PERL_IN = {"d": "0-9", "w": "0-9A-Za-z_", "s": "\\t\\n\\f\\r "}
_SIMPLE_ESC = {"a": "\a", "f": "\f", "t": "\t", "n": "\n", "r": "\r", "v": "\v"}
_REP_RE = re.compile(r"\{(\d+)(,(\d*))?\}")
_FLAGS_RE = re.compile(r"\(\?([imsU]*(?:-[imsU]*)?)(\)|:)")


class _Regex:
    __slots__ = ("pattern_obj", "risky", "quantifiers", "anchored", "named", "groups")

    def __init__(self, pattern_obj: re.Pattern, risky: bool, quantifiers: int, anchored: bool):
        self.pattern_obj = pattern_obj
        self.risky = risky
        self.quantifiers = quantifiers
        self.anchored = anchored
        self.named = bool(pattern_obj.groupindex)
        self.groups = pattern_obj.groups


def _lit(c: str) -> str:
    return re.escape(c) if c in "\\^$.|?*+()[]{}-&~# \t\n\r\v\f" else c


def _re2_char_escape(p: str, i: int) -> tuple[str, int]:
    """A single-character escape at p[i] == '\\' -> (the character, index after)."""
    if i + 1 >= len(p):
        raise FunctionError("invalid regex: trailing backslash")
    c = p[i + 1]
    if c in _SIMPLE_ESC:
        return _SIMPLE_ESC[c], i + 2
    if c == "x":
        if p.startswith("{", i + 2):
            end = p.find("}", i + 3)
            hexd = p[i + 3:end] if end > 0 else ""
            if not hexd or not all(h in "0123456789abcdefABCDEF" for h in hexd) or int(hexd, 16) > 0x10FFFF:
                raise FunctionError("invalid regex: bad \\x{...} escape")
            return chr(int(hexd, 16)), end + 1
        hexd = p[i + 2:i + 4]
        if len(hexd) != 2 or not all(h in "0123456789abcdefABCDEF" for h in hexd):
            raise FunctionError("invalid regex: bad \\x escape")
        return chr(int(hexd, 16)), i + 4
    if c in "01234567":
        j = i + 1
        digits = ""
        while j < len(p) and len(digits) < 3 and p[j] in "01234567":
            digits += p[j]
            j += 1
        if c != "0" and len(digits) == 1:
            raise FunctionError("invalid regex: backreferences are not supported (\\%s)" % c)
        return chr(int(digits, 8)), j
    if c.isascii() and not c.isalnum():
        return c, i + 2
    if c in "89":
        raise FunctionError("invalid regex: backreferences are not supported")
    return "", i  # not a single-character escape


def _translate_class(p: str, i: int) -> tuple[str, int]:
    """p[i] == '[' -> (Python class text, index after the closing bracket)."""
    j = i + 1
    neg = False
    if j < len(p) and p[j] == "^":
        neg = True
        j += 1
    parts: list[str] = []
    first = True
    while True:
        if j >= len(p):
            raise FunctionError("invalid regex: missing closing ]")
        c = p[j]
        if c == "]" and not first:
            j += 1
            break
        first = False
        if c == "[" and p.startswith("[:", j):
            end = p.find(":]", j + 2)
            if end > 0:
                name = p[j + 2:end]
                if name.startswith("^"):
                    _bail("negated POSIX class inside brackets is not supported")
                if name not in _POSIX_CLASSES:
                    raise FunctionError("invalid regex: unknown character class [:%s:]" % name)
                parts.append(_POSIX_CLASSES[name])
                j = end + 2
                continue
        if c == "\\" and j + 1 < len(p):
            e = p[j + 1]
            if e in _PERL_IN:
                parts.append(_PERL_IN[e])
                j += 2
                continue
            if e in "DWSpPQbBAzC":
                _bail("unsupported escape \\%s inside a character class" % e)
            lo, j2 = _re2_char_escape(p, j)
            if not lo:
                raise FunctionError("invalid regex: invalid escape \\%s" % e)
        else:
            lo, j2 = c, j + 1
        if j2 + 1 < len(p) and p[j2] == "-" and p[j2 + 1] != "]":
            k = j2 + 1
            if p[k] == "\\":
                hi, k2 = _re2_char_escape(p, k)
                if not hi:
                    raise FunctionError("invalid regex: bad range end")
            else:
                hi, k2 = p[k], k + 1
            if hi < lo:
                raise FunctionError("invalid regex: invalid character class range")
            parts.append(re.escape(lo) + "-" + re.escape(hi))
            j = k2
        else:
            parts.append(re.escape(lo))
            j = j2
    return "[" + ("^" if neg else "") + "".join(parts) + "]", j


def _translate_re2(p: str) -> tuple[str, bool, int, bool]:
    """RE2 pattern -> (Python pattern, risky nesting?, quantifier count, anchored at start?)."""
    out: list[str] = []
    # One frame per open group: [flag groups opened by a bare (?flags) inside it (closed at
    # each | and at the group's end, reopened after each |), multiline?, holds a quantifier/|?]
    frames: list[list] = [[[], False, False]]
    last_atom_group: list | None = None  # frame of the group that just closed
    last_atom = False
    risky = False
    quants = 0
    i = 0
    n = len(p)
    while i < n:
        c = p[i]
        frame = frames[-1]
        if c in "*+?{":
            rep = None
            if c == "{":
                rep = _REP_RE.match(p, i)
                if rep is None:  # a literal brace in RE2
                    out.append("\\{")
                    i += 1
                    last_atom, last_atom_group = True, None
                    continue
            if not last_atom:
                raise FunctionError("invalid regex: missing argument to repetition operator")
            if rep is not None:
                lo = int(rep.group(1))
                hi = lo if rep.group(2) is None else (int(rep.group(3)) if rep.group(3) else None)
                if lo > 1000 or (hi is not None and (hi > 1000 or hi < lo)):
                    raise FunctionError("invalid regex: bad repetition count")
                unbounded = hi is None or hi > 1
                out.append(rep.group(0))
                i = rep.end()
            else:
                unbounded = c != "?"
                out.append(c)
                i += 1
            if i < n and p[i] == "?":  # lazy
                out.append("?")
                i += 1
            if i < n and (p[i] in "*+?" or _REP_RE.match(p, i)):
                raise FunctionError("invalid regex: invalid nested repetition operator")
            if unbounded:
                quants += 1
            if last_atom_group is not None and last_atom_group[2] and unbounded:
                risky = True
            frame[2] = True
            last_atom, last_atom_group = False, None
            continue
        last_atom_group = None
        if c == "\\":
            e = p[i + 1] if i + 1 < n else ""
            if e in _PERL_OUT:
                out.append(_PERL_OUT[e])
                i += 2
            elif e in "bB":
                out.append("(?a:\\%s)" % e)
                i += 2
                last_atom = False
                continue
            elif e == "A":
                out.append("\\A")
                i += 2
                last_atom = False
                continue
            elif e == "z":
                out.append("\\Z")
                i += 2
                last_atom = False
                continue
            elif e in "pP":
                m = re.compile(r"\\([pP])(?:\{(\^?)(\w+)\}|(\w))").match(p, i)
                if not m:
                    raise FunctionError("invalid regex: bad \\p escape")
                negated = (m.group(1) == "P") != bool(m.group(2))
                name = m.group(3) or m.group(4)
                if name == "L":
                    out.append("[\\W\\d_]" if negated else "[^\\W\\d_]")
                elif name in ("N", "Nd"):
                    out.append("\\D" if negated else "\\d")
                else:
                    _bail("unsupported Unicode class \\p{%s}" % name)
                i = m.end()
            elif e == "Q":
                end = p.find("\\E", i + 2)
                text = p[i + 2:] if end < 0 else p[i + 2:end]
                out.append("(?:%s)" % re.escape(text) if text else "")
                i = n if end < 0 else end + 2
            elif e == "C":
                _bail("\\C is not supported")
            else:
                ch, j = _re2_char_escape(p, i)
                if not ch:
                    raise FunctionError("invalid regex: invalid escape sequence \\%s" % e)
                out.append(re.escape(ch))
                i = j
            last_atom = True
            continue
        if c == "[":
            text, i = _translate_class(p, i)
            out.append(text)
            last_atom = True
            continue
        if c == "(":
            if p.startswith("(?", i):
                fm = _FLAGS_RE.match(p, i)
                if p.startswith("(?P<", i) or (p.startswith("(?<", i) and i + 3 < n
                                                 and p[i + 3] not in "=!"):
                    start = i + (4 if p[i + 2] == "P" else 3)
                    end = p.find(">", start)
                    name = p[start:end] if end > 0 else ""
                    if not name or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                        if name and re.fullmatch(r"\w+", name):
                            _bail("group name %r is not supported" % name)
                        raise FunctionError("invalid regex: invalid named capture group")
                    out.append("(?P<%s>" % name)
                    frames.append([[], frame[1], False])
                    i = end + 1
                    last_atom = False
                    continue
                if p.startswith("(?:", i):
                    out.append("(?:")
                    frames.append([[], frame[1], False])
                    i += 3
                    last_atom = False
                    continue
                if fm and fm.group(1) not in ("", "-") and not fm.group(1).endswith("-"):
                    flags = fm.group(1)
                    if "U" in flags:
                        _bail("the ungreedy flag (?U) is not supported")
                    on, _, off = flags.partition("-")
                    if fm.group(2) == ")":
                        # (?flags) applies to the rest of the enclosing group: a scoped group.
                        out.append("(?%s:" % flags)
                        frame[0].append(flags)
                        if "m" in on:
                            frame[1] = True
                        elif "m" in off:
                            frame[1] = False
                    else:
                        out.append("(?%s:" % flags)
                        ml = True if "m" in on else False if "m" in off else frame[1]
                        frames.append([[], ml, False])
                    i = fm.end()
                    last_atom = False
                    continue
                raise FunctionError("invalid regex: unsupported group syntax %r" % p[i:i + 4])
            out.append("(")
            frames.append([[], frame[1], False])
            i += 1
            last_atom = False
            continue
        if c == ")":
            if len(frames) == 1:
                raise FunctionError("invalid regex: unexpected )")
            closed = frames.pop()
            out.append(")" * (len(closed[0]) + 1))
            if closed[2]:
                frames[-1][2] = True
            last_atom, last_atom_group = True, closed
            i += 1
            continue
        if c == "|":
            frame[2] = True
            out.append(")" * len(frame[0]) + "|" + "".join("(?%s:" % f for f in frame[0]))
            last_atom = False
            i += 1
            continue
        if c == "$":
            out.append("$" if frame[1] else "\\Z")
            last_atom = False
            i += 1
            continue
        if c == "^":
            out.append("^")
            last_atom = False
            i += 1
            continue
        out.append(c if c == "." else _lit(c))
        last_atom = True
        i += 1
    if len(frames) > 1:
        raise FunctionError("invalid regex: missing closing )")
    out.append(")" * len(frames[0][0]))
    anchored = p.startswith("^") or p.startswith("\\A")
    return "".join(out), risky, quants, anchored


@lru_cache(maxsize=512)
def _compile_re2(pattern: str) -> _Regex:
    py, risky, quants, anchored = _translate_re2(pattern)
    try:
        compiled = re.compile(py)
    except re.error as e:
        raise FunctionError("invalid regex %r: %s" % (pattern, e)) from None
    except (RecursionError, OverflowError):
        _bail("regex too complex")
    rx = _Regex(compiled, risky, quants, anchored)
    if rx.named and len(compiled.groupindex) != compiled.groups:
        raise FunctionError("invalid regex: cannot mix named and unnamed capture groups")
    return rx


def _regex_degree(rx: _Regex) -> int:
    """Rough worst-case polynomial degree of a backtracking match (searches add one)."""
    return rx.quantifiers + (0 if rx.anchored else 1)


def _regex_input_ok(rx: _Regex, s: str) -> None:
    """Refuse inputs a backtracking match could take too long on (used when no timer).

    A quantified group holding a quantifier or an alternation can take exponential time, so
    it only runs on short inputs; otherwise the cost grows like len(s) ** degree.
    """
    n = len(s)
    k = _regex_degree(rx)
    if rx.risky:
        limit = 24
    else:
        limit = n if k <= 1 else max(64, int(10 ** (9 / k)))
    if n > limit:
        _bail("regex: input of %d characters too long for a backtracking-safe match" % n)


_REGEX_SECONDS = 1.0


def _timer_usable() -> bool:
    return _limits.timer_usable()


def _run_regex(rx: _Regex, s: str, action: Callable[[], Any]) -> Any:
    """Run a match of `rx` over `s` without letting backtracking hang the scan.

    Terraform uses RE2 (linear time); Python's `re` backtracks. Patterns that can only be
    slow in theory run under a SIGALRM timer when the caller is the main thread (the `re`
    engine checks for signals), else only on inputs short enough to be safe. Either way a
    match that would take too long gives Unknown. The timer is `limits.run_timed`: under a
    root's evaluation budget all such matches share one overall limit, so a slow pattern
    called a thousand times cuts the root short instead of costing a second per call.
    """
    if not rx.risky and _regex_degree(rx) <= 1:
        return action()
    if not _timer_usable():
        _regex_input_ok(rx, s)
        return action()
    try:
        return _limits.run_timed(action, _REGEX_SECONDS)
    except _limits.TimedOut:
        return _bail("regex: match took longer than %gs (backtracking)" % _REGEX_SECONDS)


def _match_value(rx: _Regex, m: re.Match) -> Any:
    if rx.groups == 0:
        return m.group(0)
    if rx.named:
        return {k: m.group(k) for k in rx.pattern_obj.groupindex}
    return list(m.groups())


def fn_regex(pattern: Any, s: Any) -> Any:
    rx = _compile_re2(_to_str(pattern))
    s = _to_str(s)
    m = _run_regex(rx, s, lambda: rx.pattern_obj.search(s))
    if m is None:
        raise FunctionError("regex: pattern did not match any part of the given string")
    return _match_value(rx, m)


def fn_regexall(pattern: Any, s: Any) -> list:
    rx = _compile_re2(_to_str(pattern))
    s = _to_str(s)
    return _run_regex(rx, s, lambda: [_match_value(rx, m) for m in _go_matches(rx, s)])


def _go_matches(rx: _Regex, s: str) -> list[re.Match]:
    """All matches the way Go finds them: an empty match right after a match is ignored."""
    out: list[re.Match] = []
    prev_end = -1
    for m in rx.pattern_obj.finditer(s):
        if m.start() == m.end() == prev_end:
            continue
        prev_end = m.end()
        out.append(m)
    return out


def _go_sub(rx: _Regex, s: str, template: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _go_matches(rx, s):
        out.append(s[pos:m.start()])
        out.append(_expand_go_template(template, m))
        pos = m.end()
    out.append(s[pos:])
    return "".join(out)


_TEMPLATE_VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def _expand_go_template(template: str, m: re.Match) -> str:
    """Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a dollar; missing groups are empty."""
    out: list[str] = []
    i = 0
    while True:
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            return "".join(out)
        out.append(template[i:j])
        if template.startswith("$$", j):
            out.append("$")
            i = j + 2
            continue
        vm = _TEMPLATE_VAR.match(template, j)
        if vm is None:
            out.append("$")
            i = j + 1
            continue
        name = vm.group(1) or vm.group(2)
        value = None
        if name.isdigit():
            idx = int(name)
            if idx <= m.re.groups:
                value = m.group(idx)
        elif name in m.re.groupindex:
            value = m.group(name)
        out.append(value or "")
        i = vm.end()


# --------------------------------------------------------------------------------------------
# Encoding functions
# --------------------------------------------------------------------------------------------


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


def fn_jsonencode(v: Any) -> str:
    return _json(v)


def _reject_constant(name: str) -> Any:
    raise FunctionError("jsondecode: %s is not valid JSON" % name)


def fn_jsondecode(s: Any) -> Any:
    s = _to_str(s)
    try:
        value = json.loads(s, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise FunctionError("jsondecode: invalid JSON: %s" % e) from None
    return _normalize(value)


def _yaml_scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if _is_num(v):
        return _num_to_str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, Unknown):
        raise _Bail(v)
    return _bail("cannot encode a %s" % type(v).__name__)


def _yaml_lines(v: Any, indent: int, depth: int = 0) -> list[str]:
    """Block-style YAML the way Terraform's yamlencode writes it (double-quoted strings)."""
    if depth > 200:
        return _bail("value nested too deeply")
    pad = " " * indent
    if isinstance(v, dict) and v:
        lines = []
        for k in sorted(v, key=_key_str):
            item = v[k]
            key = json.dumps(_key_str(k), ensure_ascii=False) + ":"
            if isinstance(item, dict) and item:
                lines.append(pad + key)
                lines.extend(_yaml_lines(item, indent + 2, depth + 1))
            elif isinstance(item, list) and item:
                lines.append(pad + key)
                lines.extend(_yaml_lines(item, indent, depth + 1))
            else:
                lines.append(pad + key + " " + _yaml_inline(item))
        return lines
    if isinstance(v, list) and v:
        lines = []
        for item in v:
            if (isinstance(item, (dict, list))) and item:
                sub = _yaml_lines(item, indent + 2, depth + 1)
                lines.append(pad + "- " + sub[0][indent + 2:])
                lines.extend(sub[1:])
            else:
                lines.append(pad + "- " + _yaml_inline(item))
        return lines
    return [pad + _yaml_inline(v)]


def _yaml_inline(v: Any) -> str:
    if isinstance(v, dict):
        return "{}"
    if isinstance(v, list):
        return "[]"
    return _yaml_scalar(v)


def fn_yamlencode(v: Any) -> str:
    return "\n".join(_yaml_lines(v, 0)) + "\n"


class _YamlLoader(yaml.SafeLoader):
    """Safe loader; timestamps stay strings (as in Terraform), node count is bounded."""


_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _yaml_plain(v: Any, budget: list[int], depth: int = 0) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        return _bail("yamldecode: document too large (alias expansion?)")
    if depth > 200:
        return _bail("yamldecode: nested too deeply")
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, float)):
        return _norm_num(v)
    if isinstance(v, (list, tuple)):
        return [_yaml_plain(x, budget, depth + 1) for x in v]
    if isinstance(v, dict):
        return {_key_str(k): _yaml_plain(x, budget, depth + 1) for k, x in v.items()}
    if isinstance(v, (set, frozenset)):
        return [_yaml_plain(x, budget, depth + 1) for x in sorted(v, key=str)]
    return _bail("yamldecode: unsupported value of type %s" % type(v).__name__)


def fn_yamldecode(s: Any) -> Any:
    s = _to_str(s)
    try:
        value = yaml.load(s, Loader=_YamlLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        raise FunctionError("yamldecode: invalid YAML: %s" % str(e).splitlines()[0]) from None
    return _yaml_plain(value, [_MAX_ITEMS])


def fn_csvdecode(s: Any) -> list:
    s = _to_str(s)
    try:
        rows = list(csv.reader(io.StringIO(s), strict=True))
    except csv.Error as e:
        raise FunctionError("csvdecode: %s" % e) from None
    if not rows:
        raise FunctionError("csvdecode: missing header line")
    header, out = rows[0], []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise FunctionError("csvdecode: line %d: wrong number of fields" % n)
        out.append(dict(zip(header, row)))
    return out


def fn_base64encode(s: Any) -> str:
    return base64.b64encode(_to_str(s).encode("utf-8")).decode("ascii")


def _b64decode(s: str) -> bytes:
    try:
        return base64.b64decode(s.replace("\r", "").replace("\n", ""), validate=True)
    except ValueError:
        raise FunctionError("base64decode: invalid base64 data") from None


def fn_base64decode(s: Any) -> str:
    data = _b64decode(_to_str(s))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError("base64decode: the result is not valid UTF-8") from None


def fn_base64gzip(s: Any) -> str:
    data = gzip.compress(_to_str(s).encode("utf-8"), mtime=0)
    return base64.b64encode(data).decode("ascii")


def _codec(name: str) -> str:
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        raise FunctionError("unsupported encoding %r" % name) from None


def fn_textencodebase64(s: Any, encoding: Any) -> str:
    codec = _codec(_to_str(encoding))
    try:
        data = _to_str(s).encode(codec)
    except UnicodeEncodeError:
        raise FunctionError("textencodebase64: the string cannot be encoded as %s" % codec) from None
    return base64.b64encode(data).decode("ascii")


def fn_textdecodebase64(s: Any, encoding: Any) -> str:
    codec = _codec(_to_str(encoding))
    try:
        return _b64decode(_to_str(s)).decode(codec)
    except UnicodeDecodeError:
        raise FunctionError("textdecodebase64: the data is not valid %s" % codec) from None


def fn_urlencode(s: Any) -> str:
    return urllib.parse.quote_plus(_to_str(s), safe="")


# --------------------------------------------------------------------------------------------
# Type conversion functions (a failed conversion is a Terraform error: can() catches it)
# --------------------------------------------------------------------------------------------


def fn_tostring(v: Any) -> Any:
    v = _known(v)
    if v is None:
        return None
    if isinstance(v, (list, dict)):
        raise FunctionError("tostring: cannot convert a %s to a string" % _type_word(v))
    return _to_str(v)


def fn_tonumber(v: Any) -> Any:
    v = _known(v)
    if v is None:
        return None
    if _is_num(v):
        return _norm_num(v)
    if isinstance(v, str):
        n = _parse_number(v)
        if n is None:
            raise FunctionError("tonumber: cannot convert %r to a number" % v[:40])
        return n
    raise FunctionError("tonumber: cannot convert a %s to a number" % _type_word(v))


def fn_tobool(v: Any) -> Any:
    v = _known(v)
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if v in ("true", "false"):
        return v == "true"
    raise FunctionError("tobool: cannot convert %s to a bool" % _type_word(v))


def fn_tolist(v: Any) -> Any:
    v = _known(v)
    if v is None:
        return None
    if not isinstance(v, list):
        raise FunctionError("tolist: cannot convert a %s to a list" % _type_word(v))
    return _unify(v)


def fn_toset(v: Any) -> Any:
    v = _known(v)
    if v is None:
        return None
    if not isinstance(v, list):
        raise FunctionError("toset: cannot convert a %s to a set" % _type_word(v))
    _strict(v)
    return _as_set(v)


def fn_tomap(v: Any) -> Any:
    v = _known(v)
    if v is None:
        return None
    if not isinstance(v, dict):
        raise FunctionError("tomap: cannot convert a %s to a map" % _type_word(v))
    keys = list(v)
    return dict(zip(keys, _unify([v[k] for k in keys])))


def fn_identity(v: Any) -> Any:
    return v


# --------------------------------------------------------------------------------------------
# Numeric functions
# --------------------------------------------------------------------------------------------


def _numbers(args: tuple) -> list:
    if not args:
        raise FunctionError("at least one number is required")
    return [_to_num(a) for a in args]


def fn_min(*args: Any) -> Any:
    return min(_numbers(args))


def fn_max(*args: Any) -> Any:
    return max(_numbers(args))


def fn_abs(x: Any) -> Any:
    return abs(_to_num(x))


def fn_ceil(x: Any) -> int:
    return math.ceil(_to_num(x))


def fn_floor(x: Any) -> int:
    return math.floor(_to_num(x))


def fn_signum(x: Any) -> int:
    n = _to_num(x)
    return (n > 0) - (n < 0)


def fn_log(x: Any, base: Any) -> Any:
    a, b = _to_num(x), _to_num(base)
    if a <= 0 or b <= 0 or b == 1:
        return _bail("log: result is not a finite number")
    return _norm_num(math.log(a) / math.log(b))


def fn_pow(x: Any, y: Any) -> Any:
    a, b = _to_num(x), _to_num(y)
    try:
        return _norm_num(math.pow(a, b))
    except (OverflowError, ValueError):
        return _bail("pow: result is not a finite number")


def fn_sum(lst: Any) -> Any:
    items = [_to_num(x) for x in _to_list(lst)]
    if not items:
        raise FunctionError("sum: cannot sum an empty list")
    if all(isinstance(x, int) for x in items):
        return sum(items)
    return _from_decimal(sum((_dec(x) for x in items), Decimal(0)))


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def fn_parseint(s: Any, base: Any) -> int:
    text, b = _to_str(s), _to_int(base)
    if not 2 <= b <= 62:
        raise FunctionError("parseint: base must be a whole number between 2 and 62")
    if len(text) > 4096:
        return _bail("parseint: number too long")
    body = text[1:] if text[:1] in "+-" else text
    if not body:
        raise FunctionError("parseint: cannot parse %r as a base %d integer" % (text[:40], b))
    value = 0
    for c in body:
        d = _DIGITS.find(c.lower() if b <= 36 else c)
        if d < 0 or d >= b:
            raise FunctionError("parseint: cannot parse %r as a base %d integer" % (text[:40], b))
        value = value * b + d
    return -value if text.startswith("-") else value


# --------------------------------------------------------------------------------------------
# IP network functions
# --------------------------------------------------------------------------------------------


def _network(prefix: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    text = _to_str(prefix)
    if "/" not in text:
        raise FunctionError("invalid CIDR address %r" % text[:60])
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise FunctionError("invalid CIDR address %r" % text[:60]) from None


def _subnet(net: Any, newbits: int, netnum: int) -> Any:
    new_len = net.prefixlen + newbits
    if newbits < 0:
        raise FunctionError("cidrsubnet: newbits must not be negative")
    if new_len > net.max_prefixlen:
        raise FunctionError("cidrsubnet: insufficient address space to extend prefix of %d by %d"
                            % (net.prefixlen, newbits))
    if netnum < 0 or netnum >= (1 << newbits):
        raise FunctionError("cidrsubnet: prefix extension of %d does not accommodate a subnet "
                            "numbered %d" % (newbits, netnum))
    base = int(net.network_address) + (netnum << (net.max_prefixlen - new_len))
    return type(net)((base, new_len))


def fn_cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    return str(_subnet(_network(prefix), _to_int(newbits), _to_int(netnum)))


def fn_cidrsubnets(prefix: Any, *newbits: Any) -> list:
    net = _network(prefix)
    bits = [_to_int(b) for b in newbits]
    out: list[str] = []
    start = int(net.network_address)
    end = int(net.broadcast_address)
    for nb in bits:
        if nb < 1:
            raise FunctionError("cidrsubnets: each newbits value must be at least 1")
        new_len = net.prefixlen + nb
        if new_len > net.max_prefixlen:
            raise FunctionError("cidrsubnets: insufficient address space to extend prefix of "
                                "%d by %d" % (net.prefixlen, nb))
        size = 1 << (net.max_prefixlen - new_len)
        start = -(-start // size) * size  # align upwards
        if start + size - 1 > end:
            raise FunctionError("cidrsubnets: not enough remaining address space for a subnet "
                                "with a prefix of %d bits" % new_len)
        out.append(str(type(net)((start, new_len))))
        start += size
    return out


def fn_cidrhost(prefix: Any, hostnum: Any) -> str:
    net = _network(prefix)
    n = _to_int(hostnum)
    size = net.num_addresses
    if n < -size or n >= size:
        raise FunctionError("cidrhost: prefix of %d does not accommodate a host numbered %d"
                            % (net.prefixlen, n))
    if n < 0:
        n += size
    return str(net.network_address + n)


def fn_cidrnetmask(prefix: Any) -> str:
    net = _network(prefix)
    if net.version != 4:
        raise FunctionError("cidrnetmask: only IPv4 prefixes have a netmask")
    return str(net.netmask)


# --------------------------------------------------------------------------------------------
# Hash and crypto functions
# --------------------------------------------------------------------------------------------


def _hex_hash(algo: str) -> Callable[[Any], str]:
    def fn(s: Any) -> str:
        return hashlib.new(algo, _to_str(s).encode("utf-8")).hexdigest()

    fn.__name__ = "fn_" + algo
    return fn


def _b64_hash(algo: str) -> Callable[[Any], str]:
    def fn(s: Any) -> str:
        digest = hashlib.new(algo, _to_str(s).encode("utf-8")).digest()
        return base64.b64encode(digest).decode("ascii")

    fn.__name__ = "fn_base64" + algo
    return fn


_UUID_NAMESPACES = {"dns": _uuid.NAMESPACE_DNS, "url": _uuid.NAMESPACE_URL,
                    "oid": _uuid.NAMESPACE_OID, "x500": _uuid.NAMESPACE_X500}


def fn_uuidv5(namespace: Any, name: Any) -> str:
    ns_text, name = _to_str(namespace), _to_str(name)
    ns = _UUID_NAMESPACES.get(ns_text)
    if ns is None:
        try:
            ns = _uuid.UUID(ns_text)
        except ValueError:
            raise FunctionError("uuidv5: %r is not a valid namespace" % ns_text[:60]) from None
    return str(_uuid.uuid5(ns, name))


def _unknown_by_design(reason: str) -> Callable[..., Unknown]:
    def fn(*_args: Any) -> Unknown:
        return Unknown(reason)

    return fn


# --------------------------------------------------------------------------------------------
# Date and time functions
# --------------------------------------------------------------------------------------------

_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?"
                      r"(?:(Z)|([+-])(\d{2}):(\d{2}))\Z")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _parse_timestamp(text: str) -> _dt.datetime:
    m = _RFC3339.match(text)
    if not m:
        raise FunctionError("not a valid RFC 3339 timestamp: %r" % text[:60])
    y, mo, d, h, mi, s, frac, z, sign, oh, om = m.groups()
    if z:
        tz = _dt.timezone.utc
    else:
        off = _dt.timedelta(hours=int(oh), minutes=int(om))
        if off >= _dt.timedelta(hours=24):
            raise FunctionError("not a valid RFC 3339 timestamp: %r" % text[:60])
        tz = _dt.timezone(-off if sign == "-" else off)
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    try:
        return _dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), micro, tzinfo=tz)
    except ValueError:
        raise FunctionError("not a valid RFC 3339 timestamp: %r" % text[:60]) from None


def _offset(t: _dt.datetime, colon: bool) -> str:
    secs = int(t.utcoffset().total_seconds())
    sign = "-" if secs < 0 else "+"
    secs = abs(secs)
    return "%s%02d%s%02d" % (sign, secs // 3600, ":" if colon else "", secs // 60 % 60)


def _rfc3339(t: _dt.datetime) -> str:
    base = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.utcoffset() == _dt.timedelta(0):
        return base + "Z"
    return base + _offset(t, True)


def _date_token(tok: str, t: _dt.datetime) -> str:
    h12 = t.hour % 12 or 12
    table = {
        "YYYY": "%04d" % t.year, "YY": "%02d" % (t.year % 100),
        "MMMM": _MONTHS[t.month - 1], "MMM": _MONTHS[t.month - 1][:3],
        "MM": "%02d" % t.month, "M": str(t.month),
        "DD": "%02d" % t.day, "D": str(t.day),
        "EEEE": _DAYS[t.weekday()], "EEE": _DAYS[t.weekday()][:3],
        "hh": "%02d" % t.hour, "h": str(t.hour), "HH": "%02d" % h12, "H": str(h12),
        "AA": "PM" if t.hour >= 12 else "AM", "aa": "pm" if t.hour >= 12 else "am",
        "mm": "%02d" % t.minute, "m": str(t.minute), "ss": "%02d" % t.second, "s": str(t.second),
        "ZZZZZ": _offset(t, True), "ZZZZ": _offset(t, False),
        "ZZZ": "UTC" if t.utcoffset() == _dt.timedelta(0) else _offset(t, False),
        "Z": "Z" if t.utcoffset() == _dt.timedelta(0) else _offset(t, True),
    }
    if tok not in table:
        raise FunctionError("formatdate: invalid date format verb %r" % tok)
    return table[tok]


def fn_formatdate(spec: Any, timestamp: Any) -> str:
    spec, t = _to_str(spec), _parse_timestamp(_to_str(timestamp))
    out: list[str] = []
    i = 0
    while i < len(spec):
        c = spec[i]
        if c == "'":
            end = i + 1
            text = []
            while True:
                if end >= len(spec):
                    raise FunctionError("formatdate: unterminated literal '")
                if spec[end] == "'":
                    if spec.startswith("''", end):
                        text.append("'")
                        end += 2
                        continue
                    break
                text.append(spec[end])
                end += 1
            out.append("".join(text) if end > i + 1 else "'")
            i = end + 1
            continue
        if c.isalpha():
            j = i
            while j < len(spec) and spec[j] == c:
                j += 1
            out.append(_date_token(spec[i:j], t))
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out)


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_DURATION_UNITS = {"ns": Decimal("1e-9"), "us": Decimal("1e-6"), "µs": Decimal("1e-6"),
                   "μs": Decimal("1e-6"), "ms": Decimal("1e-3"), "s": Decimal(1),
                   "m": Decimal(60), "h": Decimal(3600)}


def _parse_duration(text: str) -> Decimal:
    s = text
    sign = 1
    if s[:1] in "+-":
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if s == "0":
        return Decimal(0)
    total = Decimal(0)
    pos = 0
    if not s:
        raise FunctionError("timeadd: invalid duration %r" % text[:40])
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if not m:
            raise FunctionError("timeadd: invalid duration %r" % text[:40])
        total += Decimal(m.group(1)) * _DURATION_UNITS[m.group(2)]
        pos = m.end()
    return sign * total


def fn_timeadd(timestamp: Any, duration: Any) -> str:
    t = _parse_timestamp(_to_str(timestamp))
    secs = _parse_duration(_to_str(duration))
    try:
        return _rfc3339(t + _dt.timedelta(seconds=float(secs)))
    except OverflowError:
        raise FunctionError("timeadd: the resulting time is out of range") from None


def fn_timecmp(a: Any, b: Any) -> int:
    ta, tb = _parse_timestamp(_to_str(a)), _parse_timestamp(_to_str(b))
    return (ta > tb) - (ta < tb)


# --------------------------------------------------------------------------------------------
# Filesystem functions: they read only what discovery would scan (iacguard.discovery.refusal):
# regular files inside ctx.root_dir, not hidden (`.git/config` holds the CI checkout token), not
# a credential file, not excluded, at most 4 MiB. A refused path gives Unknown (not an error, so
# try()/can() do not quietly swap in a fallback) and a warning naming the function and the path
# as written, through the evaluator's `file_access` hook on ctx or a parent scope (`.note(level,
# message)`, `.excludes`). A module `terraform init` copied into `.terraform/modules/NAME` reads
# its own files. fileset() globs run under the regex() timer.
# --------------------------------------------------------------------------------------------

_MAX_GLOB_CHARS = 512
_MAX_GLOB_ALTERNATIVES = 64  # `{` and `,` inside braces, together


def _inside(root: str, real: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _file_access(ctx: Any) -> Any:
    """The evaluator's hook object on ctx or the nearest parent scope that has one, or None."""
    scope = ctx
    for _ in range(100_000):
        if scope is None:
            return None
        hook = getattr(scope, "file_access", None)
        if hook is not None:
            return hook
        scope = getattr(scope, "parent", None)
    return None


def _tell(ctx: Any, level: str, message: str) -> None:
    hook = _file_access(ctx)
    if hook is not None:
        try:
            hook.note(level, message)
        except Exception:  # noqa: BLE001 - a note must never fail the call
            pass


def _refuse(ctx: Any, fn: str, text: str, reason: str) -> Any:
    """End the call with Unknown and a warning: `file(".git/config") not read: hidden path`."""
    message = "%s(%s) not read: %s" % (fn, json.dumps(text), reason)
    _tell(ctx, "warning", message)
    raise _Bail(Unknown(message))


def _hidden_base(ctx: Any, root: str) -> str:
    """`<...>/.terraform/modules/NAME` when the calling module lives in such a copy, else ""."""
    base = os.path.realpath(ctx.base_dir or root)
    if not _inside(root, base):
        return ""
    parts = os.path.relpath(base, root).split(os.sep)
    for i in range(len(parts) - 2):
        if parts[i] == ".terraform" and parts[i + 1] == "modules":
            return os.path.join(root, *parts[:i + 3])
    return ""


def _resolve(ctx: Any, path: Any, fn: str) -> tuple[str, str]:
    """(real path, the path as written); a path discovery would not scan ends the call (Unknown)."""
    from iacguard.discovery import refusal

    text = _to_str(path)
    if "\x00" in text:
        raise FunctionError("%s: invalid path" % fn)
    root = os.path.realpath(ctx.root_dir)
    full = text if os.path.isabs(text) else os.path.join(ctx.base_dir, text)
    hook = _file_access(ctx)
    why = refusal(full, root, getattr(hook, "excludes", ()) or (), _hidden_base(ctx, root))
    if why:
        _refuse(ctx, fn, text, why)
    return os.path.realpath(full), text


def _read_bytes(ctx: Any, path: Any, fn: str) -> bytes:
    from iacguard.discovery import special_kind

    real, text = _resolve(ctx, path, fn)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
        | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        raise FunctionError("%s: no file exists at %r" % (fn, text)) from None
    except OSError as e:
        raise FunctionError("%s: cannot read %r: %s" % (fn, text, e.strerror)) from None
    if stat.S_ISDIR(st.st_mode):
        raise FunctionError("%s: %r is not a regular file" % (fn, text))
    if special_kind(st.st_mode):
        _refuse(ctx, fn, text, special_kind(st.st_mode))
    try:
        fd = os.open(real, flags)
    except OSError as e:
        raise FunctionError("%s: cannot read %r: %s" % (fn, text, e.strerror)) from None
    try:
        st = os.fstat(fd)
        if special_kind(st.st_mode):
            _refuse(ctx, fn, text, special_kind(st.st_mode))
        if st.st_size > _MAX_FILE_BYTES:
            raise FunctionError("%s: %r is larger than %d bytes" % (fn, text, _MAX_FILE_BYTES))
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            size += len(chunk)
            if size > _MAX_FILE_BYTES:
                raise FunctionError("%s: %r is larger than %d bytes" % (fn, text, _MAX_FILE_BYTES))
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _read_text(ctx: Any, path: Any, fn: str) -> str:
    data = _read_bytes(ctx, path, fn)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError("%s: %r is not valid UTF-8 text" % (fn, _to_str(path))) from None


def fn_file(path: Any, *, ctx: Any) -> str:
    return _read_text(ctx, path, "file")


def fn_filebase64(path: Any, *, ctx: Any) -> str:
    return base64.b64encode(_read_bytes(ctx, path, "filebase64")).decode("ascii")


def _file_hash(algo: str, b64: bool = False) -> Callable[..., str]:
    name = ("filebase64" if b64 else "file") + algo

    def fn(path: Any, *, ctx: Any) -> str:
        digest = hashlib.new(algo, _read_bytes(ctx, path, name))
        return base64.b64encode(digest.digest()).decode("ascii") if b64 else digest.hexdigest()

    fn.__name__ = "fn_" + name
    return fn


def fn_fileexists(path: Any, *, ctx: Any) -> bool:
    real, text = _resolve(ctx, path, "fileexists")
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return False
    except OSError as e:
        raise FunctionError("fileexists: cannot stat %r: %s" % (text, e.strerror)) from None
    if not stat.S_ISREG(st.st_mode):
        raise FunctionError("fileexists: %r is not a regular file" % text)
    return True


def _glob_to_regex(pattern: str) -> str:
    if len(pattern) > _MAX_GLOB_CHARS:
        _bail("fileset: pattern of %d characters is longer than %d" % (len(pattern), _MAX_GLOB_CHARS))
    out: list[str] = []
    i = 0
    depth = 0  # inside {a,b}
    alternatives = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                raise FunctionError("fileset: invalid pattern %r (unclosed [)" % pattern)
            body = pattern[i + 1:end]
            neg = body[:1] in ("!", "^")
            if neg:
                body = body[1:]
            parts = []
            k = 0
            while k < len(body):
                if body[k] == "\\" and k + 1 < len(body):
                    k += 1
                if k + 2 < len(body) and body[k + 1] == "-":
                    parts.append(re.escape(body[k]) + "-" + re.escape(body[k + 2]))
                    k += 3
                else:
                    parts.append(re.escape(body[k]))
                    k += 1
            out.append("(?:(?!/)[%s%s])" % ("^" if neg else "", "".join(parts)))
            i = end + 1
        elif c == "{":
            out.append("(?:")
            depth += 1
            alternatives += 1
            i += 1
        elif c == "}" and depth:
            out.append(")")
            depth -= 1
            i += 1
        elif c == "," and depth:
            out.append("|")
            alternatives += 1
            i += 1
        elif c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
        if alternatives > _MAX_GLOB_ALTERNATIVES:
            _bail("fileset: pattern has more than %d alternatives" % _MAX_GLOB_ALTERNATIVES)
    if depth:
        raise FunctionError("fileset: invalid pattern %r (unclosed {)" % pattern)
    return "".join(out) + r"\Z"


def _glob_degree(pattern: str) -> int:
    """Rough worst-case polynomial degree of matching the glob by backtracking."""
    return pattern.count("*") + pattern.count("{")


def _timed_glob(ctx: Any, pattern: str, action: Callable[[], Any]) -> Any:
    """Run the glob matching `action` under the regex() timer (see `_run_regex`); without the
    timer (not the main thread) a pattern that could backtrack gets only short names, checked
    by `action` itself. Too slow: Unknown with a warning."""
    if _glob_degree(pattern) <= 1 or not _timer_usable():
        return action()
    try:
        return _limits.run_timed(action, _REGEX_SECONDS)
    except _limits.TimedOut:
        message = "fileset(%s): glob matching took longer than %gs (backtracking)" % (json.dumps(pattern), _REGEX_SECONDS)
        _tell(ctx, "warning", message)
        return _bail(message)


def fn_fileset(path: Any, pattern: Any, *, ctx: Any) -> list:
    """Files under `path` matching `pattern`, relative to `path`; hidden and credential files
    (and anything else discovery would not scan) are left out, with a note saying how many."""
    from iacguard.discovery import refusal

    real, _text = _resolve(ctx, path, "fileset")
    pattern = _to_str(pattern)
    try:
        rx = re.compile(_glob_to_regex(pattern.removeprefix("./")), re.S)
    except re.error:
        raise FunctionError("fileset: invalid pattern %r" % pattern) from None
    root = os.path.realpath(ctx.root_dir)
    if not os.path.isdir(real):
        return []
    hook = _file_access(ctx)
    excludes = getattr(hook, "excludes", ()) or ()
    hidden_base = _hidden_base(ctx, root)
    degree = _glob_degree(pattern)
    # Without the timer: names short enough that backtracking stays cheap (as _regex_input_ok).
    short = None if degree <= 1 or _timer_usable() else max(64, int(10 ** (9 / degree)))
    left_out = 0

    def walk() -> list:
        nonlocal left_out
        found: list[str] = []
        seen = 0
        for dirpath, dirnames, filenames in os.walk(real, followlinks=False):
            kept = sorted(d for d in dirnames if not d.startswith("."))
            left_out += len(dirnames) - len(kept)  # hidden folders are not walked at all
            dirnames[:] = kept
            seen += len(dirnames) + len(filenames)
            if seen > _MAX_ITEMS:
                return _bail("fileset: too many files under %r" % _text)
            for name in filenames:
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, real).replace(os.sep, "/")
                if short is not None and len(rel) > short:
                    return _bail("fileset: name of %d characters too long for a backtracking-safe glob match" % len(rel))
                if not rx.match(rel):
                    continue
                if refusal(full, root, excludes, hidden_base):
                    left_out += 1
                    continue  # hidden, a credential file, a link leading out, not a regular file
                found.append(rel)
        return found

    found = _timed_glob(ctx, pattern, walk)
    if left_out:
        _tell(ctx, "note", "fileset(%s, %s) left out %d file(s) or folder(s) that are not scanned (hidden, credential, excluded, special or linked outside)"
              % (json.dumps(_text), json.dumps(pattern), left_out))
    return sorted(found)


def _render(ctx: Any, text: str, variables: Any) -> Any:
    variables = _known(variables)
    if variables is None:
        variables = {}
    variables = _to_map(variables)
    render = getattr(ctx, "render_template", None)
    if render is None:
        return Unknown("no template renderer available")
    return render(text, dict(variables), 1)


def fn_templatefile(path: Any, variables: Any, *, ctx: Any) -> Any:
    text = _read_text(ctx, _known(path), "templatefile")
    return _render(ctx, text, variables)


def fn_templatestring(template: Any, variables: Any, *, ctx: Any) -> Any:
    return _render(ctx, _to_str(template), variables)


def fn_abspath(path: Any, *, ctx: Any) -> str:
    text = _to_str(path)
    full = text if os.path.isabs(text) else os.path.join(ctx.base_dir, text)
    return os.path.normpath(full).replace(os.sep, "/")


def fn_basename(path: Any) -> str:
    p = _to_str(path)
    if p == "":
        return "."
    p = p.rstrip("/")
    if p == "":
        return "/"
    return p.rsplit("/", 1)[-1]


def fn_dirname(path: Any) -> str:
    p = _to_str(path)
    i = p.rfind("/")
    d = p[:i + 1]
    if d == "":
        return "."
    d = posixpath.normpath(d) if d.strip("/") else "/"
    # normpath keeps a leading "//"; Go's Clean does not
    return "/" + d.lstrip("/") if d.startswith("//") else d


def fn_pathexpand(path: Any) -> Any:
    p = _to_str(path)
    if p.startswith("~"):
        return Unknown("pathexpand: depends on the home directory")
    return p


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------

FUNCTIONS: dict[str, Callable[..., Any]] = {
    # collections
    "merge": fn_merge, "concat": fn_concat, "lookup": fn_lookup, "coalesce": fn_coalesce,
    "coalescelist": fn_coalescelist, "length": fn_length, "element": fn_element,
    "index": fn_index, "contains": fn_contains, "keys": fn_keys, "values": fn_values,
    "zipmap": fn_zipmap, "flatten": fn_flatten, "distinct": fn_distinct, "compact": fn_compact,
    "slice": fn_slice, "sort": fn_sort, "reverse": fn_reverse, "range": fn_range, "one": fn_one,
    "chunklist": fn_chunklist, "setunion": fn_setunion, "setintersection": fn_setintersection,
    "setsubtract": fn_setsubtract, "setproduct": fn_setproduct, "transpose": fn_transpose,
    "matchkeys": fn_matchkeys, "alltrue": fn_alltrue, "anytrue": fn_anytrue, "list": fn_list,
    "map": fn_map, "sum": fn_sum,
    # strings
    "format": fn_format, "formatlist": fn_formatlist, "join": fn_join, "split": fn_split,
    "replace": fn_replace, "lower": fn_lower, "upper": fn_upper, "title": fn_title,
    "trimspace": fn_trimspace, "trim": fn_trim, "trimprefix": fn_trimprefix,
    "trimsuffix": fn_trimsuffix, "substr": fn_substr, "startswith": fn_startswith,
    "endswith": fn_endswith, "strcontains": fn_strcontains, "strrev": fn_strrev,
    "chomp": fn_chomp, "indent": fn_indent, "regex": fn_regex, "regexall": fn_regexall,
    # encoding
    "jsonencode": fn_jsonencode, "jsondecode": fn_jsondecode, "yamlencode": fn_yamlencode,
    "yamldecode": fn_yamldecode, "csvdecode": fn_csvdecode, "base64encode": fn_base64encode,
    "base64decode": fn_base64decode, "base64gzip": fn_base64gzip,
    "textencodebase64": fn_textencodebase64, "textdecodebase64": fn_textdecodebase64,
    "urlencode": fn_urlencode,
    # type conversion
    "tostring": fn_tostring, "tonumber": fn_tonumber, "tobool": fn_tobool, "tolist": fn_tolist,
    "toset": fn_toset, "tomap": fn_tomap, "sensitive": fn_identity, "nonsensitive": fn_identity,
    # numbers
    "min": fn_min, "max": fn_max, "abs": fn_abs, "ceil": fn_ceil, "floor": fn_floor,
    "log": fn_log, "pow": fn_pow, "signum": fn_signum, "parseint": fn_parseint,
    # network
    "cidrsubnet": fn_cidrsubnet, "cidrsubnets": fn_cidrsubnets, "cidrhost": fn_cidrhost,
    "cidrnetmask": fn_cidrnetmask,
    # hashes, ids
    "md5": _hex_hash("md5"), "sha1": _hex_hash("sha1"), "sha256": _hex_hash("sha256"),
    "sha512": _hex_hash("sha512"), "base64sha256": _b64_hash("sha256"),
    "base64sha512": _b64_hash("sha512"), "uuidv5": fn_uuidv5,
    # time
    "formatdate": fn_formatdate, "timeadd": fn_timeadd, "timecmp": fn_timecmp,
    # filesystem
    "file": fn_file, "fileexists": fn_fileexists, "fileset": fn_fileset,
    "filebase64": fn_filebase64, "filemd5": _file_hash("md5"), "filesha1": _file_hash("sha1"),
    "filesha256": _file_hash("sha256"), "filesha512": _file_hash("sha512"),
    "filebase64sha256": _file_hash("sha256", b64=True),
    "filebase64sha512": _file_hash("sha512", b64=True),
    "templatefile": fn_templatefile, "templatestring": fn_templatestring,
    "abspath": fn_abspath, "basename": fn_basename, "dirname": fn_dirname,
    "pathexpand": fn_pathexpand,
    # Unknown by design
    "uuid": _unknown_by_design("uuid() differs on every run"),
    "timestamp": _unknown_by_design("timestamp() differs on every run"),
    "plantimestamp": _unknown_by_design("plantimestamp() differs on every run"),
    "bcrypt": _unknown_by_design("bcrypt() uses a random salt"),
    "type": _unknown_by_design("type() is a console-only function"),
    "issensitive": _unknown_by_design("sensitivity is not tracked"),
    "ephemeralasnull": _unknown_by_design("ephemeral values are not tracked"),
}

# Functions that get ctx (keyword argument).
_NEEDS_CTX = frozenset({
    "file", "fileexists", "fileset", "filebase64", "filemd5", "filesha1", "filesha256",
    "filesha512", "filebase64sha256", "filebase64sha512", "templatefile", "templatestring",
    "abspath",
})

# Functions that look inside their arguments for Unknowns themselves; every other function
# returns the first Unknown found anywhere in its arguments.
_TYPE_MISMATCH = re.compile(r"where an? \w+ was expected|not a boolean")

_LENIENT = frozenset({
    "merge", "concat", "lookup", "coalesce", "coalescelist", "length", "element", "contains",
    "keys", "values", "zipmap", "flatten", "slice", "reverse", "one", "chunklist", "alltrue",
    "anytrue", "list", "map", "tolist", "tomap", "sensitive", "nonsensitive", "templatefile",
    "templatestring", "uuid", "timestamp", "plantimestamp", "bcrypt", "type", "issensitive",
    "ephemeralasnull",
})


def _charge(result: Any) -> None:
    """Count a function result against the root's evaluation budget (see iacguard.limits)."""
    if isinstance(result, str):
        _limits.ACTIVE.grow_str(len(result))
    elif isinstance(result, (list, dict)):
        _limits.ACTIVE.grow(1 + len(result))


def call_function(name: str, args: list, ctx: Any) -> Any:
    """Call Terraform function `name`; KeyError if there is none (including can/try)."""
    impl = FUNCTIONS.get(name)
    if impl is None:
        raise KeyError(name)
    args = list(args)
    try:
        if name not in _LENIENT:
            u = first_unknown(args, _limits.ACTIVE.grow)
            if u is not None:
                return u
        result = impl(*args, ctx=ctx) if name in _NEEDS_CTX else impl(*args)
        _charge(result)
        return result
    except FunctionError:
        raise
    except MemoryError:
        raise  # the root is cut short (see limits): not an Unknown to carry on with
    except _Bail as b:
        # A known argument of the wrong type is an error in Terraform (so try()/can() see it),
        # not a value known after apply.
        if _TYPE_MISMATCH.search(b.unknown.reason or "") and not contains_unknown(args):
            raise FunctionError("%s(): %s" % (name, b.unknown.reason)) from None
        return b.unknown
    except RecursionError:
        return Unknown("%s(): value nested too deeply" % name)
    except TypeError as e:
        if not contains_unknown(args):
            raise FunctionError("%s(): invalid arguments (%s)" % (name, e)) from None
        return Unknown("%s(): invalid arguments (%s)" % (name, e))
    except Exception as e:  # noqa: BLE001 - no function may fail the scan
        return Unknown("%s(): %s: %s" % (name, type(e).__name__, e))
