"""The YAML reader resolves each distinct (text, implicit flags) of a document once
(yaml_reader._scalar's `resolved`): reading every YAML fixture with that memo gives the same data,
line spans, warnings and multi-line spans as resolving every scalar on its own."""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.cloudformation import yaml_reader
from iacguard.cloudformation.source_lines import TemplateError

TESTS = Path(__file__).resolve().parent.parent
FILES = sorted(p for p in TESTS.rglob("*.y*ml") if p.suffix in (".yaml", ".yml") and p.stat().st_size < 200_000)[:400]


def _read(path: Path):
    try:
        decoded, multiline = yaml_reader.read_yaml(path.read_text(encoding="utf-8", errors="replace"))
    except TemplateError as exc:
        return ("error", type(exc).__name__, str(exc))
    return (repr(decoded.data), sorted(decoded.lines.items(), key=repr), decoded.warnings, multiline)


def test_memoized_resolution_reads_the_fixtures_alike(monkeypatch):
    assert len(FILES) > 20
    memoized = [_read(p) for p in FILES]
    plain = yaml_reader._scalar
    monkeypatch.setattr(yaml_reader, "_scalar", lambda loader, event, line, resolved=None: plain(loader, event, line, None))
    assert [_read(p) for p in FILES] == memoized


@pytest.mark.parametrize("text", [
    "a: yes\nb: 'yes'\nc: yes\nd: 1\ne: '1'\nf: 1\ng: null\nh: ~\ni: 2010-09-09\nj: !Ref yes\n",
    "x: [1, '1', 1.5, '1.5', true, 'true', true]\n",
])
def test_same_text_quoted_and_plain_resolve_apart(text):
    decoded, _ = yaml_reader.read_yaml(text)
    data = decoded.data
    if "x" in data:
        assert data["x"] == [1, "1", 1.5, "1.5", True, "true", True]
    else:
        assert (data["a"], data["b"], data["d"], data["e"], data["g"], data["h"], data["i"]) == (True, "yes", 1, "1", None, None, "2010-09-09")


def test_scalars_resolve_as_pyyaml_safe_load_does():
    """The reader's tag memo (keyed by a plain scalar's text; a quoted or `!`-tagged scalar is a
    string without asking) against PyYAML's own composer, which resolves every scalar on its own:
    the same text plain, single-quoted, double-quoted and `!`-tagged in one document."""
    import random

    import yaml

    words = ["yes", "no", "on", "off", "true", "False", "null", "~", "1", "-7", "0x1A", "0o17", "017", "1_000",
             "1.5", "1e3", ".inf", "-.Inf", ".nan", "abc", "1:30", "0", "+12", "y", "n", "NULL", "", "3.", "-0"]
    rng = random.Random(20)
    for _ in range(60):
        lines = []
        for i in range(40):
            word = rng.choice(words)
            style = rng.randrange(4)
            if style == 0 and word:
                text = word
            elif style == 1:
                text = "'%s'" % word
            elif style == 2:
                text = '"%s"' % word
            else:
                text = "! '%s'" % word if not word else "! %s" % word
            lines.append("k%d: %s" % (i, text))
        doc = "\n".join(lines) + "\n"
        decoded, _ = yaml_reader.read_yaml(doc)
        expected = yaml.safe_load(doc)
        assert repr(decoded.data) == repr(expected), doc
