"""Meta-tests over the check catalogue."""
from __future__ import annotations

import re

import pytest

from iacguard.check import PILLARS, SEVERITIES
from iacguard.checks import REGISTRY
from iacguard.facts import KINDS

pytestmark = pytest.mark.catalogue("all")  # the catalogue's own tests run every check


def test_ids_and_titles_unique():
    ids = [c.id for c in REGISTRY]
    titles = [c.title for c in REGISTRY]
    assert len(ids) == len(set(ids))
    assert len(titles) == len(set(titles))


def test_metadata_complete():
    for c in REGISTRY:
        assert re.fullmatch(r"AWS-[A-Z0-9]+-\d{3}", c.id), c.id
        for text in (c.title, c.what, c.why, c.fix_terraform, c.fix_cloudformation):
            assert text.strip(), c.id
        assert c.references and all(r.startswith("https://") for r in c.references)
        # The page holds each raw field under its heading, in order (the headings alone are
        # always written; tests/test_check_docs.py checks the fields themselves).
        doc = c.markdown()
        assert doc.startswith("# %s: %s\n" % (c.id, c.title)), c.id
        position = 0
        for heading, body in (
            ("## What it does", c.what),
            ("## Why it matters", c.why),
            ("### Terraform", c.fix_terraform),
            ("### CloudFormation", c.fix_cloudformation),
            ("## References", "\n".join("- %s" % r for r in c.references)),
        ):
            at = doc.find("%s\n\n%s\n" % (heading, body.strip()), position)
            assert at >= 0, (c.id, heading, "the field is not under its heading, after the previous one")
            position = at + len(heading)


def test_check_refuses_an_unknown_severity_or_pillar():
    """Why test_metadata_complete need not look at them: a Check cannot hold others."""
    import dataclasses

    import pytest

    check = REGISTRY[0]
    assert check.severity in SEVERITIES and check.pillar in PILLARS
    with pytest.raises(ValueError, match="bad severity 'severe'"):
        dataclasses.replace(check, severity="severe")
    with pytest.raises(ValueError, match="bad pillar 'network'"):
        dataclasses.replace(check, pillar="network")


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


def test_readme_table_and_check_pages_follow_the_registry():
    """README's checks table and docs/checks/ are generated from the registry: nothing is stale."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, str(root / "scripts" / "update_check_docs.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
