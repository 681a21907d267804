"""The YAML reader's composer reads documents exactly as it did before it was made faster (issue
17): data, line spans (in the same order), warnings, multi-line scalar spans and errors, for edge
cases, the depth and alias limits and 600 generated documents. The outcomes of the composer
before the change are kept as hashes in tests/data/yaml_reader_outcomes.json (made by running
this module's inputs through it), not as a copy of its code."""
from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import yaml

from iacguard.cloudformation import yaml_reader
from iacguard.cloudformation.source_lines import TemplateError
from iacguard.core import limits as _limits

EXPECTED = json.loads((Path(__file__).resolve().parents[1] / "data" / "yaml_reader_outcomes.json").read_text())


def _outcome(module, text):
    try:
        decoded, multiline = module.read_yaml(text)
    except TemplateError as exc:
        first = getattr(exc, "first", None)
        return ("error", type(exc).__name__, exc.message, exc.line,
                None if first is None else (repr(first.data), list(first.lines.items()), first.warnings))
    return ("ok", repr(decoded.data), decoded.data, list(decoded.lines.items()), decoded.warnings, multiline)


def _hash(text) -> str:
    return hashlib.sha256(repr(_outcome(yaml_reader, text)).encode("utf-8", "surrogatepass")).hexdigest()[:24]


EDGE_CASES = [
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
]


def _limit_cases() -> list:
    depth = _limits.CURRENT.max_depth
    out = []
    for n in (depth - 1, depth, depth + 1):
        out.append("[" * n + "]" * n)
        out.append("".join("  " * i + "a%d:\n" % i for i in range(n)) + "  " * n + "x: 1\n")
    out.append("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        "%s: &%s [%s]\n" % (c, c, ", ".join(["*" + p] * 9)) for p, c in zip("abcdefg", "bcdefgh")))
    return out


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


def _generated() -> list:
    rng = random.Random(17)
    out = []
    for _ in range(300):
        value = {"Resources": _random_value(rng, 0)}
        text = yaml.safe_dump(value, default_flow_style=rng.choice([False, None, True]),
                              width=rng.choice([20, 80, 1000]), allow_unicode=rng.random() < 0.5)
        out.append(text)
        # Intrinsic tags, anchors and aliases, spliced in for some plain values.
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if line.rstrip().endswith(": x") and rng.random() < 0.7:
                lines[i] = line.rstrip()[:-1] + rng.choice(_TAGS)
        out.append("\n".join(lines))
    return out


def test_every_input_reads_as_before():
    texts = EDGE_CASES + _limit_cases() + _generated()
    assert len(texts) == len(EXPECTED) == 648
    changed = [text[:120] for text, expected in zip(texts, EXPECTED) if _hash(text) != expected]
    assert changed == []
