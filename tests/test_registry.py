"""Meta-tests over the check catalogue."""
from __future__ import annotations

import re

from iacguard.check import PILLARS, SEVERITIES
from iacguard.checks import REGISTRY
from iacguard.facts import KINDS


def test_ids_and_titles_unique():
    ids = [c.id for c in REGISTRY]
    titles = [c.title for c in REGISTRY]
    assert len(ids) == len(set(ids))
    assert len(titles) == len(set(titles))


def test_metadata_complete():
    for c in REGISTRY:
        assert re.fullmatch(r"AWS-[A-Z0-9]+-\d{3}", c.id), c.id
        assert c.severity in SEVERITIES and c.pillar in PILLARS
        for text in (c.title, c.what, c.why, c.fix_terraform, c.fix_cloudformation):
            assert text.strip(), c.id
        assert c.references and all(r.startswith("https://") for r in c.references)
        doc = c.markdown()
        for section in ("## What it does", "## Why it matters", "## How to fix", "### Terraform", "### CloudFormation", "## References"):
            assert section in doc, (c.id, section)


def test_every_kind_a_check_reads_has_an_adapter():
    for c in REGISTRY:
        for kind in c.kinds:
            assert kind in KINDS, (c.id, kind)


def test_checks_do_not_import_parsers_graph_or_output():
    import ast
    import inspect

    for c in REGISTRY:
        tree = ast.parse(inspect.getsource(inspect.getmodule(c.evaluate)))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
        for name in imported:
            for forbidden in ("networkx", "iacguard.terraform", "iacguard.cloudformation", "iacguard.output", "iacguard.graph", "hcl2", "yaml", "cfn_tools"):
                assert not name.startswith(forbidden), (c.id, name)


def test_readme_checks_table_matches_the_registry():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = set()
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"AWS-[A-Z0-9]+-\d{3}", cells[0]):
            rows.add(tuple(cells))
    assert rows == {(c.id, c.severity, c.pillar, c.title) for c in REGISTRY}
