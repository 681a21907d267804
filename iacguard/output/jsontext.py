"""JSON text indented by two spaces, exactly as `json.dumps(obj, indent=2)` writes it, almost twice as
fast and without its list of one small string per token.

With `indent`, the standard library falls back to its pure-Python encoder, which yields one
string per token and joins them at the end: for a report of 150,000 findings, 11 million strings
held at once (most of the report's peak memory) and a third of the scan's time. Here each
container is joined as soon as its members are written, strings are escaped by the standard
library's C function, and the exact text (separators, escapes, number formats, key conversion)
is the standard library's: tests/output/test_jsontext.py compares the two on the same data.

A report of 100,000 resources still made its whole text (70 MB) and every element's data at once.
`chunks` yields the same text in pieces, and a `Lazy` list in the data makes its elements only as
they are written: a writer holds one element's data and text at a time (see atomic.write_chunks).
"""
from __future__ import annotations

from json.encoder import encode_basestring_ascii as _string

_INF = float("inf")


class Lazy:
    """A list whose elements are made as they are written: `make()` returns a fresh iterable of
    them each time the list is read. `dumps` writes it as the list it yields; `chunks` writes its
    elements one at a time, each made, written and dropped before the next."""

    __slots__ = ("_make",)

    def __init__(self, make):
        self._make = make

    def __iter__(self):
        return iter(self._make())


def dumps(obj) -> str:
    """`json.dumps(obj, indent=2)`: dicts keep their order; tuples are lists."""
    return _value(obj, "")


def chunks(obj):
    """The text of `dumps(obj)` in pieces: containers holding a `Lazy` list are written a member
    at a time, a Lazy list an element at a time; everything else in one piece per value."""
    return _chunks(obj, "")


def _holds_lazy(o) -> bool:
    """Whether `o` is a Lazy list or a dict or list holding one (the elements of a Lazy list are
    not looked into: they are written whole)."""
    t = type(o)
    if t is Lazy:
        return True
    if t is dict:
        return any(_holds_lazy(v) for v in o.values())
    if t is list or t is tuple:
        return any(_holds_lazy(v) for v in o)
    return False


def _chunks(o, indent: str):
    t = type(o)
    if t is Lazy:
        inner = indent + "  "
        sep = "[\n" + inner
        for v in o:
            yield sep + _value(v, inner)
            sep = ",\n" + inner
        yield "[]" if sep[0] == "[" else "\n" + indent + "]"
    elif t is dict and o and _holds_lazy(o):
        inner = indent + "  "
        sep = "{\n" + inner
        for k, v in o.items():
            yield sep + _member(k)
            yield from _chunks(v, inner)
            sep = ",\n" + inner
        yield "\n" + indent + "}"
    elif (t is list or t is tuple) and o and _holds_lazy(o):
        inner = indent + "  "
        sep = "[\n" + inner
        for v in o:
            yield sep
            yield from _chunks(v, inner)
            sep = ",\n" + inner
        yield "\n" + indent + "]"
    else:
        yield _value(o, indent)


def _float(f: float) -> str:
    if f != f:
        return "NaN"
    if f == _INF:
        return "Infinity"
    if f == -_INF:
        return "-Infinity"
    return float.__repr__(f)


def _key(k) -> str:
    if isinstance(k, str):
        return _string(k)
    if k is True:
        return '"true"'
    if k is False:
        return '"false"'
    if k is None:
        return '"null"'
    if isinstance(k, int):
        return '"%s"' % int.__repr__(k)
    if isinstance(k, float):
        return '"%s"' % _float(k)
    raise TypeError("keys must be str, int, float, bool or None, not %s" % type(k).__name__)


# A string key's text with its ": ", for the few names a report repeats on every entry (a report
# of 100,000 resources wrote 1.5 million keys); bounded, so data keys cannot grow it without end.
_KEY_TEXT: dict = {}
_KEY_TEXT_MAX = 4096


def _member(k) -> str:
    text = _KEY_TEXT.get(k) if type(k) is str else None
    if text is None:
        text = _key(k) + ": "
        if type(k) is str and len(_KEY_TEXT) < _KEY_TEXT_MAX:
            _KEY_TEXT[k] = text
    return text


def _value(o, indent: str) -> str:
    t = type(o)
    if t is str:
        return _string(o)
    if t is dict:
        if not o:
            return "{}"
        inner = indent + "  "
        # Members whose key is a known str and whose value is a str are written here, without
        # a call each (most members of a report: 1.5 million in one of 100,000 resources).
        key_text = _KEY_TEXT.get
        parts = []
        for k, v in o.items():
            text = key_text(k) if type(k) is str else None
            if text is None:
                text = _member(k)
            parts.append(text + (_string(v) if type(v) is str else _value(v, inner)))
        return "{\n" + inner + (",\n" + inner).join(parts) + "\n" + indent + "}"
    if t is list or t is tuple:
        if not o:
            return "[]"
        inner = indent + "  "
        return "[\n" + inner + (",\n" + inner).join([_string(v) if type(v) is str else _value(v, inner) for v in o]) + "\n" + indent + "]"
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if t is int:
        return int.__repr__(o)
    if t is float:
        return _float(o)
    if t is Lazy:
        return _value(list(o), indent)
    # Subclasses, as the standard library sees them.
    if isinstance(o, str):
        return _string(o)
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        return _float(o)
    if isinstance(o, dict):
        return _value(dict(o), indent)
    if isinstance(o, (list, tuple)):
        return _value(list(o), indent)
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)
