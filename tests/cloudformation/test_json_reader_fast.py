"""The fast JSON reader (json.loads + one token pass for lines) gives exactly what the reference
reader gives: data, lines, warnings, and the same errors for bad input."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from iacguard.cloudformation.json_reader import read_json, read_json_reference
from iacguard.cloudformation.source_lines import JSON_BREAKS, YAML_BREAKS, LineIndex, TemplateError
from iacguard.core import limits as _limits

TESTS = Path(__file__).resolve().parents[1]


def _outcome(reader, text):
    try:
        decoded = reader(text)
    except TemplateError as exc:
        return ("error", type(exc).__name__, exc.message, exc.line)
    return ("ok", repr(decoded.data), decoded.data, decoded.lines, decoded.warnings)


def _same(text):
    assert _outcome(read_json, text) == _outcome(read_json_reference, text)


def _fixture_texts():
    for path in sorted(TESTS.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".template"):
            try:
                yield str(path.relative_to(TESTS)), path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue


def test_every_json_fixture_reads_the_same():
    count = 0
    for name, text in _fixture_texts():
        if text.lstrip()[:1] in ("{", "["):
            assert _outcome(read_json, text) == _outcome(read_json_reference, text), name
            count += 1
    assert count > 10


@pytest.mark.parametrize("text", [
    "", "   ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{'a': 1}", "[NaN]", "[Infinity]",
    "[-Infinity]", "[01]", "[1.]", "[.5]", "[tru]", "{} {}", "[1] x", "\"x\"", "42", "null",
    "[\"a\tb\"]", "[\"a\nb\"]", "[\"\\ud800\"]", "[\"\\x\"]", "{\"a\\\"b\": {\"c\": [1, 2.5e3, true]}}",
    "{\"a\": 1, \"a\": {\"b\": [1, 2]}, \"a\": 3}", "{\"a\": {\"x\": 1}, \"a\": {\"y\": 2}}",
    "[" + "9" * 5000 + "]", "{\"n\": -" + "1" * 4001 + ", \"m\": 2}", "{\"k\\u00e9y\": \"v\"}",
    "{\r\n  \"a\": [\r\n 1,\r 2]\r\n}", "\n\n  {\n\"a\"\n:\n\"b\"\n,\n\"c\":[[],{}]}\n\n",
    "[1e400, -0, 0.0, -1E-2]", "{\"a\": \"\u2028\", \"b\": \"\x85\"}",
])
def test_edge_cases_read_the_same(text):
    _same(text)


def test_depth_limit_is_the_reference_one():
    depth = _limits.CURRENT.max_depth
    for n in (depth - 1, depth, depth + 1, 3000):
        _same("[" * n + "]" * n)
        _same("{\"a\":" * n + "1" + "}" * n)


def _random_value(rng, depth):
    kind = rng.randrange(8 if depth < 6 else 4)
    if kind == 0:
        return rng.choice([True, False, None])
    if kind == 1:
        return rng.choice([0, -3, 17, 2.5, -1e-7, 10 ** 20])
    if kind in (2, 3):
        return rng.choice(["", "x", "a b", "tab\there", "quote\"s", "back\\slash", "uni\u00e9", "line\nbreak"])
    if kind in (4, 5):
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["A", "B", "Type", "Ref", "k\"q", "Fn::Sub"]): _random_value(rng, depth + 1)
            for _ in range(rng.randrange(4))}


def test_generated_documents_read_the_same():
    rng = random.Random(17)
    for i in range(300):
        value = {"Resources": _random_value(rng, 0)}
        indent = rng.choice([None, 0, 1, 2, 4, "\t"])
        text = json.dumps(value, indent=indent, ensure_ascii=rng.random() < 0.5)
        _same(text)
        # Duplicate keys, spliced in textually.
        if text.startswith("{\"Resources\": "):
            _same(text[:-1] + ", \"Resources\": [1, {\"x\": 2}]}")


def test_line_index_fast_path_matches_the_pattern():
    for text in ("", "a", "a\n", "\n\nb\nc", "x\r\ny\rz\n", "a\x85b\nc", "a\u2028b\u2029", "\r"):
        for breaks in (JSON_BREAKS, YAML_BREAKS):
            assert LineIndex(text, breaks).starts == [0] + [m.end() for m in breaks.finditer(text)]


def _scatter_breaks(rng, text):
    """`text` with white space (any line breaks, blank lines, spaces before and after colons and
    commas) put between its tokens, and raw line breaks inside some strings: the fast reader counts
    lines itself, token by token, and must count them as the reference reader's offsets do."""
    out = []
    in_string = escaped = False
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            elif rng.random() < 0.03:
                out.append(rng.choice(["\n", "\r\n", "\r", "\t"]))  # raw, allowed (strict=False)
            continue
        if ch == '"':
            in_string = True
        if ch in '{}[],:"' and rng.random() < 0.4:
            out.append(rng.choice(["\n", "\r\n", "\r", " ", "\t", "\n\n", " \r\n  ", "\r\r\n", ""]))
        out.append(ch)
    return "".join(out)


def test_line_counts_follow_every_kind_of_break():
    rng = random.Random(20)
    for i in range(400):
        value = {"Resources": _random_value(rng, 0), "k\\\"ey": [1, "x"]}
        text = json.dumps(value, indent=rng.choice([None, 0, 2, "\t"]), ensure_ascii=rng.random() < 0.5)
        _same(_scatter_breaks(rng, text))
        _same("\r\n" * rng.randrange(3) + text.replace("\n", rng.choice(["\r\n", "\r"])) + "\n \n")
