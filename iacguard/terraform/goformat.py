"""Terraform's `format` and `formatlist`: Go's fmt verbs (%v %d %s %q %f %e %g %x %o %b %t %%,
flags, widths, precisions, explicit argument indexes) over Terraform values, with widths and
precisions bounded (`_MAX_PAD`)."""
from __future__ import annotations

import re
from decimal import Decimal
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from .conversions import (
    FunctionError, _Bail, _MAX_PAD, _bail, _graphemes, _is_scalar, _json, _json_str, _to_bool,
    _to_num, _to_str, _type_word,
)


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
