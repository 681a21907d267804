"""Every check, in every language it supports, against fixtures naming the exact resources and
lines expected to fail and the resources expected to pass."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from iacguard.checks import REGISTRY
from iacguard.engine import scan

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
CASES = sorted(p.parent for p in FIXTURES.glob("*/*/expected.json"))


@pytest.mark.parametrize("folder", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_check_fixture(folder: Path):
    check_id = folder.parent.name
    expected = json.loads((folder / "expected.json").read_text())
    check = next(c for c in REGISTRY if c.id == check_id)
    result = scan([str(folder)], checks=[check], cwd=str(folder))
    errors = [n for n in result.notifications if n.level == "error"]
    assert not errors, errors
    got = sorted((f.resource.address, os.path.basename(f.location.path), f.location.start_line) for f in result.findings)
    want = sorted((e["address"], e["file"], e["line"]) for e in expected["fail"])
    assert got == want
    failing = {f.resource.address for f in result.findings}
    for address in expected["pass"]:
        assert address not in failing
    # Passing resources must exist, or the fixture proves nothing.
    assert result.resources >= len(set(expected["pass"]) | {e["address"] for e in expected["fail"]})


def test_every_check_has_fixtures_in_each_language():
    for check in REGISTRY:
        for lang in check.languages:
            assert (FIXTURES / check.id / lang / "expected.json").is_file(), (check.id, lang)
