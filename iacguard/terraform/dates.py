"""Terraform's date and time functions: RFC 3339 timestamps (`_parse_timestamp`), `formatdate`'s
tokens, Go durations for `timeadd`, and `timecmp`."""
from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from .conversions import FunctionError, _to_str


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
