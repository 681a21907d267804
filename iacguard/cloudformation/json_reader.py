"""Reading a CloudFormation JSON document into plain data with the line span of every node.

Fast path (`read_json`): the data comes from the C decoder of the standard library (`json.loads`,
raw control characters allowed in strings, the last of duplicate keys kept, as below), and the
line spans and duplicate-key warnings from one pass of a regular-expression tokenizer over the
validated text. Anything the fast path does not reproduce exactly - invalid JSON, NaN/Infinity,
an integer too long to read, nesting at the depth limit - goes to the reference reader
(`read_json_reference`), so errors, limits and warnings are those of the reference reader.

The reference reader: an iterative parser (an explicit stack, so depth is bounded without recursion) built on the C
string scanner of the standard library; it records the line span of every mapping entry and
list item, and reports duplicate keys. Strings may hold raw control characters (tabs are common
in hand-written templates and CloudFormation accepts them).
"""
from __future__ import annotations

import re
from json import JSONDecoder
from json.decoder import scanstring

from iacguard.core.numbers import integer as read_integer
from iacguard.core import limits as _limits
from iacguard.core.unknown import Unknown
from .source_lines import JSON_BREAKS, Decoded, LineIndex, RefusedInput, TemplateError, duplicate_key

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


class _Slow(Exception):
    """The fast path cannot reproduce the reference reader here."""


def _int(digits: str) -> int:
    value = read_integer(digits)
    if type(value) is not int:  # an Unknown: its warning comes from the reference reader
        raise _Slow
    return value


def _constant(name: str):
    raise _Slow  # NaN, Infinity, -Infinity: not JSON; the reference reader says where


_DECODER = JSONDecoder(strict=False, parse_int=_int, parse_constant=_constant)
_DECODE = _DECODER.decode
# After validation by the decoder, the text is a sequence of tokens, each after any spaces, tabs,
# commas and colons: a line break (group 1: "\r\n", "\r" or "\n", as JSON_BREAKS counts them), a
# string (2) followed, when it is a key, by its ':' and any white space before it (3), an opening
# bracket (4), a closing bracket (5), or a bare scalar (6: number, true, false, null); a token
# other than a line break takes the line break that ends its line, if any (7: one match per line
# of pretty-printed JSON). The line breaks being tokens, the current line is a count: no offset is
# looked up, and `findall` gives the groups without a match object per token.
_TOKENS = re.compile(r'[ \t,:]*(?:(\r\n|[\r\n])|(?:("[^"\\]*(?:\\.[^"\\]*)*")([ \t\n\r]*:)?|([{\[])|([}\]])|([-+.0-9A-Za-z]+))[ \t,]*(\r\n|[\r\n])?)', re.S)


def read_json(text: str) -> Decoded:
    try:
        data = _DECODE(text)
    except (ValueError, RecursionError, _Slow):
        return read_json_reference(text)
    try:
        lines, warnings = _spans(text, _limits.CURRENT.max_depth)
    except _Slow:
        return read_json_reference(text)
    return Decoded(data, lines, warnings)


def _breaks(text: str) -> int:
    """How many line breaks (JSON_BREAKS) `text` holds."""
    return len(JSON_BREAKS.findall(text)) if "\n" in text or "\r" in text else 0


def _spans(text: str, max_depth: int) -> tuple[dict, list]:
    """Line spans of every node of valid JSON `text`, and duplicate-key warnings, in the order
    and shape of the reference reader."""
    lines: dict = {}
    warnings: list = []
    stack: list = []
    # The innermost open collection: is it a mapping, its children's path prefix, its start line,
    # its pending key and that key's line (mapping), its next index (list).
    is_map = False
    path: tuple = ()
    start = 0
    key = None
    key_line = 0
    count = 0
    depth = 0
    line = 1  # the line of the token at hand
    push = stack.append
    pop = stack.pop
    for brk, string, colon, opening, closing, bare, after in _TOKENS.findall(text):
        if brk:
            line += 1
            continue
        if string:
            begin = line
            if "\n" in string or "\r" in string:  # a raw line break inside a string (strict=False)
                line += _breaks(string)
            if colon:  # a key
                key_line = begin
                key = string[1:-1]
                if "\\" in key:
                    key = scanstring(string, 1, False)[0]
                if len(colon) > 1:
                    line += _breaks(colon)
                if after:
                    line += 1
                continue
            end = line
        elif opening:
            if depth >= max_depth:
                raise _Slow
            depth += 1
            push((is_map, path, start, key, key_line, count))
            if depth > 1:
                path = path + ((key,) if is_map else (count,))
            is_map = opening == "{"
            start = line
            count = 0
            if after:
                line += 1
            continue
        elif closing:  # the collection is the value to attach
            end = line
            begin = start
            depth -= 1
            is_map, path, start, key, key_line, count = pop()
        else:  # a number or literal
            begin = end = line
        if after:
            line += 1
        if not depth:
            continue  # a scalar document, or the document's end
        if is_map:
            entry = path + (key,)
            if entry in lines:
                duplicate_key(lines, warnings, entry, key, key_line)
            lines[entry] = (key_line, end)
        else:
            lines[path + (count,)] = (begin, end)
            count += 1
    return lines, warnings


def read_json_reference(text: str) -> Decoded:
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
                    duplicate_key(lines, warnings, path, top.key, top.key_line)
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
