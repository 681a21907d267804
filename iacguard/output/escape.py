"""Text from the scanned tree made visible: no character in a report may act instead of showing.

Addresses, messages, paths, notes, suppression reasons and unknown values come from files an
attacker may have written. Shown raw, some characters act on the reader rather than being read:

- control characters (C0, DEL, C1): ESC sequences drive a terminal or a CI log (colours, cursor
  moves, hyperlinks, window titles), BEL rings, NUL truncates, CR overwrites a line;
- bidirectional formatting (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069): reorder what
  follows, so `allow-all` can read as something else ("Trojan Source", CVE-2021-42574);
- invisible characters (zero-width space and joiners, word joiner, invisible operators, soft
  hyphen, byte order mark, interlinear annotations, line and paragraph separators): make two
  different names look alike, or split a line where none is seen;
- lone surrogates (a file name that is not valid UTF-8): cannot even be written out.

`visible(text)` writes each of them as an escape a reader can see: `\\x1b`, `\\u202e`. Other text,
including every printable non-ASCII letter, is kept as it is.
"""
from __future__ import annotations

import re

UNSAFE = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"  # C0, DEL, C1
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e"  # soft hyphen, grapheme joiner, ALM, fillers
    "\u200b-\u200f"  # zero-width space, non-joiner, joiner, LRM, RLM
    "\u2028-\u202e"  # line/paragraph separators, LRE, RLE, PDF, LRO, RLO
    "\u2060-\u206f"  # word joiner, invisible operators, LRI, RLI, FSI, PDI, deprecated formats
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\ufffe\uffff"  # fillers, variation selectors, BOM
    "\ud800-\udfff"  # lone surrogates
    "]"
)


def _escape(m: "re.Match[str]") -> str:
    code = ord(m.group())
    return "\\x%02x" % code if code < 0x100 else "\\u%04x" % code


def visible(text) -> str:
    """`text` (any value, str() taken) with every unsafe character written as a visible escape."""
    return UNSAFE.sub(_escape, str(text))
