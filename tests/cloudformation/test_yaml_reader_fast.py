"""The YAML reader's faster composer reads every document exactly as the one before it
(_yaml_reader_before): data, line spans (in the same order), warnings, multi-line scalar spans,
and the same errors - on every YAML fixture and on generated documents."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

import _yaml_reader_before as before
from iacguard.cloudformation import yaml_reader
from iacguard.cloudformation.source_lines import TemplateError
from iacguard.core import limits as _limits

TESTS = Path(__file__).resolve().parents[1]


def _outcome(module, text):
    try:
        decoded, multiline = module.read_yaml(text)
    except TemplateError as exc:
        first = getattr(exc, "first", None)
        return ("error", type(exc).__name__, exc.message, exc.line,
                None if first is None else (repr(first.data), list(first.lines.items()), first.warnings))
    return ("ok", repr(decoded.data), decoded.data, list(decoded.lines.items()), decoded.warnings, multiline)


def _same(text):
    assert _outcome(yaml_reader, text) == _outcome(before, text), text[:200]


def test_every_yaml_and_json_fixture_reads_the_same():
    count = 0
    for path in sorted(TESTS.rglob("*")):
        if not path.is_file() or path.suffix not in (".yaml", ".yml", ".json", ".template"):
            continue
        if path.stat().st_size > 300_000:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _outcome(yaml_reader, text) == _outcome(before, text), str(path)
        count += 1
    assert count > 50


@pytest.mark.parametrize("text", [
    "", "a", "- 1\n- 2", "a: 1\na: 2\n", "a: {b: 1}\na: {c: 2}\n", "? [1]\n: 2\n", "!Ref x: 1\n",
    "a: !Ref b\nc: !GetAtt R.Arn\nd: !GetAtt [R, Arn]\ne: !Sub\n  - x\n  - {}\n",
    "a: !!python/object:os.system x\n", "a: !!binary aGk=\n", "a: !Unknown\n  b: 1\n",
    "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nlist: [*b, *b]\n", "a: *nothing\n",
    "a: &x [1, 2]\nb: {<<: [*x]}\n", "a: 1\n---\nb: 2\n", "a: |\n  line one\n  line two\n\nb: 2\n",
    "a: >-\n  folded\n  text\n# comment\nb: 'multi\n  line'\n", "a: 0x1F\nb: 0o17\nc: 1_000\nd: 1:30\n",
    "a: " + "9" * 5000 + "\n", "a: 0x" + "f" * 2000 + "\n", "a: yes\nb: No\nc: ~\nd: 2010-09-09\ne: 1.5e3\n",
    "200: ok\nyes: no\nnull: 1\n", "a: [1, [2, [3]], {b: [4]}]\n", "a:\n- b\n- c: d\n  e: f\n",
    "{\"a\": 1, \"b\": [true, null]}", "a: \"\\t\"\nb: '\x85'\nc: x\u2028y\n", "a: b\r\nc:\r\n  - d\r\n",
    "a: [1, 2\n", "a: b: c\n", "\ta: 1\n", "a: \x07\n", "- &a [*a]\n", "!!map {a: 1}\n",
    "!!seq [1]\n", "!!str 1\n", "a: !!int '12'\nb: !!float '1'\nc: !!bool 'yes'\nd: !!null ''\n",
    "a: !Ref\n", "a: !Select [0, !GetAZs '']\nb: !If [c, !Ref AWS::NoValue, 1]\n",
    "a: &k key\n*k : v\n", "? - x\n: y\n", "a: !GetAtt\n  - R\n  - 12\n",
])
def test_edge_cases_read_the_same(text):
    _same(text)


def test_limits_are_the_same():
    depth = _limits.CURRENT.max_depth
    for n in (depth - 1, depth, depth + 1):
        _same("[" * n + "]" * n)
        _same("".join("  " * i + "a%d:\n" % i for i in range(n)) + "  " * n + "x: 1\n")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        "%s: &%s [%s]\n" % (c, c, ", ".join(["*" + p] * 9)) for p, c in zip("abcdefg", "bcdefgh"))
    _same(bomb)


def _random_value(rng, depth):
    kind = rng.randrange(9 if depth < 5 else 4)
    if kind == 0:
        return rng.choice([True, False, None, "yes", "no", "~", "null"])
    if kind == 1:
        return rng.choice([0, -3, 17, 2.5, -1e-7, 10 ** 20, "0x1F", "1_0", "2010-09-09", "1.5"])
    if kind in (2, 3):
        return rng.choice(["", "x", "a b", "tab\there", "quote'\"s", "colon: x", "# no", "line\nbreak",
                           "long text " * 12, "uni\u00e9"])
    if kind in (4, 5):
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["A", "B", "Type", "Ref", "200", "yes", "Fn::Sub", "<<x"]): _random_value(rng, depth + 1)
            for _ in range(rng.randrange(4))}


_TAGS = ("!Ref X", "!GetAtt R.Arn", "!Sub '${A}-b'", "!Join ['', [a, !Ref B]]", "!If [C, 1, !Ref AWS::NoValue]",
         "&anchor {k: v}", "*anchor")


def test_generated_documents_read_the_same():
    rng = random.Random(17)
    for _ in range(300):
        value = {"Resources": _random_value(rng, 0)}
        text = yaml.safe_dump(value, default_flow_style=rng.choice([False, None, True]),
                              width=rng.choice([20, 80, 1000]), allow_unicode=rng.random() < 0.5)
        _same(text)
        # Intrinsic tags, anchors and aliases, spliced in for some plain values.
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if line.rstrip().endswith(": x") and rng.random() < 0.7:
                lines[i] = line.rstrip()[:-1] + rng.choice(_TAGS)
        _same("\n".join(lines))
