"""Comments in source files, found by small line scanners that know just enough syntax.

Suppression comments are read from the files themselves rather than from the parsers' trees, so
they do not depend on how a parser keeps (or drops) comments. The scanners know where strings,
heredocs and block scalars are, so a `#` inside a value is never taken for a comment.

`scan_hcl(text)` and `scan_yaml(text)` return a `SourceComments`: the text of every comment by
line, and the lines that hold nothing but comments.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field


@dataclass(slots=True)
class SourceComments:
    """The comments of a source file by line, and the lines that hold only a comment."""

    comments: list = field(default_factory=list)  # (line, text) per comment line, in order
    comment_only: set = field(default_factory=set)  # lines holding only comments

    def run_above(self, line: int) -> list:
        """`line` itself, then each line upwards while it holds only comments."""
        out = [line]
        above = line - 1
        while above in self.comment_only:
            out.append(above)
            above -= 1
        return out


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")


def scan_hcl(text: str) -> SourceComments:
    """Comments in Terraform native syntax: `#`, `//` and `/* ... */`."""
    lines = _Lines(text)
    spans: list = []  # (start, end) of each comment
    code_lines: set = set()
    n = len(text)
    i = 0
    # Each entry is the brace depth of an open template interpolation `${` / `%{`; while the
    # stack is non-empty and its top is None we are inside a string.
    stack: list = []

    def in_string() -> bool:
        return bool(stack) and stack[-1] is None

    while i < n:
        c = text[i]
        if in_string():
            if c == "\\":
                i += 2
                continue
            if c == '"':
                stack.pop()
                code_lines.add(lines.line(i))
                i += 1
                continue
            if text.startswith("$${", i) or text.startswith("%%{", i):  # escaped, literal text
                i += 3
                continue
            if c in "$%" and text.startswith("{", i + 1):
                stack.append(0)
                i += 2
                continue
            if c == "\n":  # an unterminated string ends at the line end (HCL does not allow newlines)
                stack.pop()
            i += 1
            continue
        if c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            spans.append((i, end))
            i = end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            spans.append((i, end))
            i = end
            continue
        if c == '"':
            stack.append(None)
            code_lines.add(lines.line(i))
            i += 1
            continue
        if c == "<" and text.startswith("<<", i):
            m = _HEREDOC.match(text, i)
            if m:
                marker = m.group(2)
                first = lines.line(i)
                j = m.end()
                # The heredoc runs to the first line that holds only the marker.
                while j < n:
                    k = text.find("\n", j)
                    k = n if k < 0 else k
                    if text[j:k].strip() == marker:
                        j = k
                        break
                    j = k + 1
                code_lines.update(range(first, lines.line(min(j, n - 1) if n else 0) + 1))
                i = j
                continue
        if stack:
            if c == "{":
                stack[-1] += 1
            elif c == "}":
                if stack[-1] == 0:
                    stack.pop()  # back inside the string
                else:
                    stack[-1] -= 1
        if not c.isspace():
            code_lines.add(lines.line(i))
        i += 1

    out = SourceComments()
    comment_lines: set = set()
    for start, end in spans:
        first = lines.line(start)
        for offset, part in enumerate(text[start:end].split("\n")):
            out.comments.append((first + offset, part))
            comment_lines.add(first + offset)
    out.comment_only = comment_lines - code_lines
    return out


_BLOCK_SCALAR = re.compile(r"(?:^|[:\-]\s*|\s)[|>][+-]?[0-9]?[+-]?\s*$")


def _yaml_comment_start(line: str) -> int:
    """Offset of the `#` starting a comment on one YAML line, -1 for none."""
    quote = ""
    i = 0
    while i < len(line):
        c = line[i]
        if quote == "'":
            if c == "'":
                if line.startswith("''", i):
                    i += 2
                    continue
                quote = ""
        elif quote == '"':
            if c == "\\":
                i += 2
                continue
            if c == '"':
                quote = ""
        elif c in "'\"" and (i == 0 or line[i - 1] in " \t[{,:-?"):
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
        i += 1
    return -1


def scan_yaml(text: str) -> SourceComments:
    """Comments in YAML: `#` at a line start or after whitespace, outside quotes and block
    scalars (`|`, `>`)."""
    out = SourceComments()
    block_indent = None  # lines indented deeper than this belong to a block scalar
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not stripped.strip() or indent > block_indent:
                continue
            block_indent = None
        pos = _yaml_comment_start(line)
        code = line if pos < 0 else line[:pos]
        if pos >= 0:
            out.comments.append((number, line[pos:]))
            if not code.strip():
                out.comment_only.add(number)
        if _BLOCK_SCALAR.search(code.rstrip()) and code.strip():
            block_indent = indent
    return out
