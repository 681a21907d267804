
"""Golden findings for sample_iac/: any change in what the bundled example reports must be
reviewed. Regenerate with `pytest --update-golden tests/test_golden_sample.py` (or
IACGUARD_UPDATE_GOLDEN=1). The whole reports, in every format, are in test_golden_reports.py."""
from __future__ import annotations

import pytest

import json
import os
from pathlib import Path


pytestmark = pytest.mark.catalogue("all")  # the catalogue's own tests run every check
from iacguard.engine import scan

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "sample_iac_findings.json"


def current() -> list:
    result = scan([str(REPO / "sample_iac")], cwd=str(REPO))
    return [
        {
            "check": f.check_id,
            "file": os.path.relpath(f.location.path, REPO).replace(os.sep, "/"),
            "line": f.location.start_line,
            "resource": f.resource.address,
            "message": f.message,
        }
        for f in result.findings
    ]


def test_sample_iac_findings_match_golden(update_golden):
    got = current()
    if update_golden:
        GOLDEN.write_text(json.dumps(got, indent=2) + "\n")
    assert got == json.loads(GOLDEN.read_text())
    # Both languages are represented.
    assert {g["file"].split("/")[1] for g in got} == {"terraform", "cloudformation"}
