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
  thread, else only on inputs short enough to be safe (``re2._run_regex``); a match that would
  take too long gives Unknown rather than hanging the scan.
* Numbers beyond float range, ``range``/``setproduct``/``format`` results past a size limit,
  YAML with too many nodes (alias bombs), deeply nested values.
* String lengths and ``substr``/``strrev`` use an approximation of Unicode grapheme clusters.

This module holds the functions and their table; what deserves a module of its own lives beside
it: ``conversions`` (errors, limits, Terraform's conversions, grapheme clusters, JSON text, shared
by all), ``re2`` (RE2 -> Python ``re`` translation and the regex timer), ``goformat`` (Go-style
``format``/``formatlist``) and ``dates`` (``formatdate``, ``timeadd``, ``timecmp``).
"""
from __future__ import annotations

import base64
import io
import itertools
import json
import math
import os
import posixpath
import re
import stat
from decimal import Decimal
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any, Callable


from iacguard.core import limits as _limits
from iacguard.core.unknown import Unknown, contains_unknown, first_unknown
from .conversions import (
    FunctionError, _Bail, _MAX_FILE_BYTES, _MAX_ITEMS, _MAX_PAD, _MAX_RANGE, _as_set, _bail,
    _canon, _dec, _from_decimal, _graphemes, _is_num, _json, _key_str, _known, _loose_eq,
    _norm_num, _normalize, _num_to_str, _parse_number, _strict, _to_bool, _to_int, _to_list,
    _to_map, _to_num, _to_str, _type_word, _unify,
)
from .goformat import fn_format, fn_formatlist
from .re2 import (
    _REGEX_SECONDS, _compile_re2, _go_sub, _run_regex, _timer_usable, fn_regex, fn_regexall,
)

__all__ = ["FunctionError", "FUNCTIONS", "call_function"]


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
    _flatten_into(_to_list(lst), 0, out)
    return out


def _flatten_into(x: list, depth: int, out: list) -> None:
    # A module-level function: a nested one calling itself is a reference cycle per call.
    if depth > 100:
        _bail("list nested too deeply")
    _limits.ACTIVE.grow(len(x))  # a list holding one list twice, nested, is walked in full
    for item in x:
        item = _known(item)  # an Unknown item may be a list: the result's shape is unknown
        if isinstance(item, list):
            _flatten_into(item, depth + 1, out)
        else:
            out.append(item)


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


# --------------------------------------------------------------------------------------------
# Encoding functions
# --------------------------------------------------------------------------------------------


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


_YAML: list = []  # [(yaml, loader)] once yamldecode first runs: PyYAML loads only when a scan needs it


def _yaml_loader() -> tuple:
    if not _YAML:
        import yaml

        class _YamlLoader(yaml.SafeLoader):
            """Safe loader; timestamps stay strings (as in Terraform), node count is bounded."""

        _YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
        _YAML.append((yaml, _YamlLoader))
    return _YAML[0]


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
    yaml, loader = _yaml_loader()
    try:
        value = yaml.load(s, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        raise FunctionError("yamldecode: invalid YAML: %s" % str(e).splitlines()[0]) from None
    return _yaml_plain(value, [_MAX_ITEMS])


def fn_csvdecode(s: Any) -> list:
    import csv  # (the modules of rarely used functions load when one is called)

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
    import gzip

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
    import urllib.parse

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
    import ipaddress  # (here: 1-2 ms to import, and few configurations call the cidr functions)

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


def _hashlib():
    """hashlib, imported by the first hash function a configuration calls: it loads OpenSSL
    (about 4 ms), which most scans never need (see iacguard.core.digests)."""
    import hashlib

    return hashlib


def _hex_hash(algo: str) -> Callable[[Any], str]:
    def fn(s: Any) -> str:
        return _hashlib().new(algo, _to_str(s).encode("utf-8")).hexdigest()

    fn.__name__ = "fn_" + algo
    return fn


def _b64_hash(algo: str) -> Callable[[Any], str]:
    def fn(s: Any) -> str:
        digest = _hashlib().new(algo, _to_str(s).encode("utf-8")).digest()
        return base64.b64encode(digest).decode("ascii")

    fn.__name__ = "fn_base64" + algo
    return fn


def fn_formatdate(spec: Any, timestamp: Any) -> str:
    from .dates import fn_formatdate as fn  # (datetime loads for the date functions only)

    return fn(spec, timestamp)


def fn_timeadd(timestamp: Any, duration: Any) -> str:
    from .dates import fn_timeadd as fn

    return fn(timestamp, duration)


def fn_timecmp(a: Any, b: Any) -> int:
    from .dates import fn_timecmp as fn

    return fn(a, b)


def fn_uuidv5(namespace: Any, name: Any) -> str:
    import uuid as _uuid  # (with platform: 2.4 ms, for a function few configurations call)

    ns_text, name = _to_str(namespace), _to_str(name)
    ns = {"dns": _uuid.NAMESPACE_DNS, "url": _uuid.NAMESPACE_URL, "oid": _uuid.NAMESPACE_OID, "x500": _uuid.NAMESPACE_X500}.get(ns_text)
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
# Filesystem functions: they read only what discovery would scan (iacguard.discover.refusal):
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


def _real_folder(ctx: Any, folder: str, hook: Any = None) -> str:
    """`os.path.realpath` of a module or root folder, once per evaluation where the evaluator's
    hook keeps them (`real_folders`): every file function call asked again for the same two."""
    hook = hook if hook is not None else _file_access(ctx)
    known = getattr(hook, "real_folders", None)
    if not isinstance(known, dict):
        return os.path.realpath(folder)
    real = known.get(folder)
    if real is None:
        real = known[folder] = os.path.realpath(folder)
    return real


def _hidden_base(ctx: Any, root: str) -> str:
    """`<...>/.terraform/modules/NAME` when the calling module lives in such a copy, else ""."""
    base = _real_folder(ctx, ctx.base_dir or root)
    if not _inside(root, base):
        return ""
    parts = os.path.relpath(base, root).split(os.sep)
    for i in range(len(parts) - 2):
        if parts[i] == ".terraform" and parts[i + 1] == "modules":
            return os.path.join(root, *parts[:i + 3])
    return ""


def _resolve(ctx: Any, path: Any, fn: str) -> tuple[str, str]:
    """(real path, the path as written); a path discovery would not scan ends the call (Unknown)."""
    from iacguard.discover import refusal

    text = _to_str(path)
    if "\x00" in text:
        raise FunctionError("%s: invalid path" % fn)
    hook = _file_access(ctx)
    root = _real_folder(ctx, ctx.root_dir, hook)
    full = text if os.path.isabs(text) else os.path.join(ctx.base_dir, text)
    why = refusal(full, root, getattr(hook, "excludes", ()) or (), _hidden_base(ctx, root))
    if why:
        _refuse(ctx, fn, text, why)
    return os.path.realpath(full), text


def _read_bytes(ctx: Any, path: Any, fn: str) -> bytes:
    from iacguard.discover import special_kind

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
        digest = _hashlib().new(algo, _read_bytes(ctx, path, name))
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
    from iacguard.discover import refusal

    real, _text = _resolve(ctx, path, "fileset")
    pattern = _to_str(pattern)
    try:
        rx = re.compile(_glob_to_regex(pattern.removeprefix("./")), re.S)
    except re.error:
        raise FunctionError("fileset: invalid pattern %r" % pattern) from None
    root = _real_folder(ctx, ctx.root_dir)
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
    """Count a function result against the root's evaluation budget (see iacguard.core.limits)."""
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
