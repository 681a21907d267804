"""Terraform's regular expressions are RE2; this translates them to Python's `re` (`_compile_re2`)
and runs them safely (`_run_regex`): constructs without a Python equivalent give Unknown, and a
pattern that could backtrack badly runs under a 1 s SIGALRM timer from the main thread, else only
on inputs short enough to be safe. `regex`, `regexall` and `replace` with a /pattern/ use it, and
fileset() globs use its timer."""
from __future__ import annotations

import re
from functools import lru_cache
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any, Callable

from iacguard.core import limits as _limits
from .conversions import FunctionError, _bail, _to_str


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
