"""Reading a CloudFormation JSON document into plain data with the line span of every node.

An iterative parser (an explicit stack, so depth is bounded without recursion) built on the C
string scanner of the standard library; it records the line span of every mapping entry and
list item, and reports duplicate keys. Strings may hold raw control characters (tabs are common
in hand-written templates and CloudFormation accepts them).
"""
from __future__ import annotations

import re
from json.decoder import scanstring

from iacguard.core.numbers import integer as read_integer
from iacguard.core import limits as _limits
from iacguard.core.unknown import Unknown
from .source_lines import JSON_BREAKS, Decoded, LineIndex, RefusedInput, TemplateError, drop_subtree

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = (("true", True), ("false", False), ("null", None))


class _Frame:
    __slots__ = ("is_map", "value", "path", "start", "key", "key_line")

    def __init__(self, is_map: bool, path: tuple, start: int) -> None:
        self.is_map = is_map
        self.value = {} if is_map else []
        self.path = path
        self.start = start
        self.key = None
        self.key_line = 0


def read_json(text: str) -> Decoded:
    index = LineIndex(text, JSON_BREAKS)
    lines: dict = {}
    warnings: list = []
    stack: list[_Frame] = []
    n = len(text)
    pos = _WS.match(text, 0).end()

    def fail(message: str, at: int):
        raise TemplateError(message, index.line(min(at, max(n - 1, 0))))

    def read_key(at: int) -> int:
        """Reads `"key" :` into the top frame; returns the offset of the value."""
        if at >= n or text[at] != '"':
            fail("expected a quoted property name", at)
        try:
            key, at2 = scanstring(text, at + 1, False)
        except ValueError as exc:
            fail("bad string: %s" % exc.args[0].split(":")[0], at)
        top = stack[-1]
        top.key = key
        top.key_line = index.line(at)
        at2 = _WS.match(text, at2).end()
        if at2 >= n or text[at2] != ":":
            fail("expected ':' after property name", at2)
        return _WS.match(text, at2 + 1).end()

    root = None
    while True:
        # Here `pos` is at the start of a value.
        if pos >= n:
            fail("unexpected end of document", pos)
        ch = text[pos]
        start_line = index.line(pos)
        done = False
        if ch == "{" or ch == "[":
            if len(stack) >= _limits.CURRENT.max_depth:
                raise RefusedInput("nesting deeper than %d levels" % _limits.CURRENT.max_depth, index.line(min(pos, max(n - 1, 0))))
            if stack:
                top = stack[-1]
                path = top.path + ((top.key,) if top.is_map else (len(top.value),))
            else:
                path = ()
            stack.append(_Frame(ch == "{", path, start_line))
            pos = _WS.match(text, pos + 1).end()
            closer = "}" if ch == "{" else "]"
            if pos < n and text[pos] == closer:
                frame = stack.pop()
                value, end_line, pos = frame.value, index.line(pos), pos + 1
                done = True
            elif ch == "{":
                pos = read_key(pos)
                continue
            else:
                continue
        elif ch == '"':
            try:
                value, pos = scanstring(text, pos + 1, False)
            except ValueError as exc:
                fail("bad string: %s" % exc.args[0].split(":")[0], pos)
            end_line = index.line(pos - 1)
            done = True
        else:
            m = _NUMBER.match(text, pos)
            if m and m.end() > pos:
                integer, frac, exp = m.groups()
                if frac or exp:
                    value = float(integer + (frac or "") + (exp or ""))
                else:
                    value = read_integer(integer)
                    if isinstance(value, Unknown):  # longer than MAX_DIGITS: the file is still read
                        warnings.append((start_line, value.reason + "; its value is unknown"))
                pos = m.end()
            else:
                for word, literal in _LITERALS:
                    if text.startswith(word, pos):
                        value = literal
                        pos += len(word)
                        break
                else:
                    fail("unexpected character %r" % ch, pos)
            end_line = start_line
            done = True
        # A value is complete: attach it, then close as many collections as end here.
        while done:
            if not stack:
                root = value
                pos = _WS.match(text, pos).end()
                if pos != n:
                    fail("extra data after the document", pos)
                return Decoded(root, lines, warnings)
            top = stack[-1]
            if top.is_map:
                path = top.path + (top.key,)
                if top.key in top.value:
                    first = lines.get(path, (0, 0))[0]
                    warnings.append((top.key_line, "duplicate key %r (first at line %d); the last one is used"
                                     % (top.key, first)))
                    drop_subtree(lines, path)
                top.value[top.key] = value
                lines[path] = (top.key_line, end_line)
            else:
                lines[top.path + (len(top.value),)] = (start_line, end_line)
                top.value.append(value)
            pos = _WS.match(text, pos).end()
            if pos >= n:
                fail("unexpected end of document", pos)
            ch = text[pos]
            if ch == ",":
                pos = _WS.match(text, pos + 1).end()
                if top.is_map:
                    pos = read_key(pos)
                done = False
            elif ch == ("}" if top.is_map else "]"):
                frame = stack.pop()
                value, start_line, end_line = frame.value, frame.start, index.line(pos)
                pos += 1
            else:
                fail("expected ',' or '%s'" % ("}" if top.is_map else "]"), pos)
