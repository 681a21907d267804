"""Line bookkeeping shared by the YAML and JSON readers: offsets to lines, and the result shape.

Both readers produce a `Decoded`: plain data (dict/list/str/int/float/bool/None), the line span of
every mapping entry and list item keyed by its path from the document root, and warnings.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate, repeat
from operator import add
from dataclasses import dataclass, field

# Nesting deeper than this is refused: no real template comes close, and it keeps every later
# stage (evaluation, graph walks) far from Python's recursion limit.


class TemplateError(Exception):
    """Malformed input: not parseable, refused (unsafe tag, alias bomb, too deep).

    `line` is 1-based, 0 when unknown.
    """

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message, line)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return "line %d: %s" % (self.line, self.message) if self.line else self.message


class RefusedInput(TemplateError):
    """Input refused on purpose (unsafe tag, alias bomb, nesting too deep): always reported,
    whatever the file looks like."""


@dataclass(slots=True)
class Decoded:
    """A decoded template: its data, a line span per node path, and warnings."""

    data: object
    lines: dict = field(default_factory=dict)  # path tuple -> (start_line, end_line)
    warnings: list = field(default_factory=list)  # [(line, message)]


class LineIndex:
    """Maps a character offset to a 1-based line number."""

    __slots__ = ("starts",)

    def __init__(self, text: str, breaks: "re.Pattern[str]") -> None:
        if "\r" not in text and (breaks is JSON_BREAKS or breaks is YAML_BREAKS and "\x85" not in text
                                  and "\u2028" not in text and "\u2029" not in text):
            # Only "\n" breaks lines: each line starts one past the end of the one before.
            pieces = text.split("\n")
            pieces.pop()
            self.starts = list(accumulate(map(add, map(len, pieces), repeat(1)), initial=0))
        else:
            self.starts = [0]
            self.starts.extend(m.end() for m in breaks.finditer(text))

    def line(self, offset: int) -> int:
        return bisect_right(self.starts, offset)


# PyYAML counts these as line breaks; its marks and our index must agree.
YAML_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
JSON_BREAKS = re.compile("\r\n|[\r\n]")


def duplicate_key(lines: dict, warnings: list, path: tuple, key, key_line: int) -> None:
    """A mapping key seen again at `path`: warn, and forget the first value's line spans below
    it (the last value wins, as in CloudFormation). The same for YAML and JSON."""
    first = lines.get(path, (0, 0))[0]
    warnings.append((key_line, "duplicate key %r (first at line %d); the last one is used" % (key, first)))
    drop_subtree(lines, path)


def drop_subtree(lines: dict, prefix: tuple) -> None:
    """Forget the lines under `prefix` (a duplicate key replaced that value)."""
    n = len(prefix)
    for key in [k for k in lines if len(k) > n and k[:n] == prefix]:
        del lines[key]
