"""AWS-IAM-010/011/012 share one memo of validate's problems per scan (checks/identity/
iam_validation.py `_problems`): their findings and undecided records are the same with the memo
shared between the three checks as with none (each check validating on its own)."""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.checks.identity import iam_validation
from iacguard.engine import build_graph
from iacguard.facts import Facts

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "checks"
CASES = [FIXTURES / c / lang for c in ("AWS-IAM-010", "AWS-IAM-011", "AWS-IAM-012")
         for lang in ("cloudformation", "terraform") if (FIXTURES / c / lang).is_dir()]
CHECKS = (iam_validation.evaluate_actions, iam_validation.evaluate_resources, iam_validation.evaluate_condition_keys)


def _run(folder: Path) -> list:
    facts = Facts(build_graph([str(folder)]).graph)
    out = []
    for check in CHECKS:
        out.extend(repr(item) for item in check(facts))
        out.extend(repr(item) for item in check(facts))  # asked twice: the second reads the memo
    return out


@pytest.mark.parametrize("folder", CASES, ids=lambda p: "%s-%s" % (p.parent.name, p.name))
def test_shared_memo_gives_the_same_records(folder, monkeypatch):
    shared = _run(folder)
    assert shared
    monkeypatch.setattr(iam_validation, "_memo_of", lambda facts: {})
    assert _run(folder) == shared


def test_memo_is_released_once_the_three_checks_ran():
    facts = Facts(build_graph([str(CASES[0])]).graph)
    for check in CHECKS:
        list(check(facts))
        if check is not CHECKS[-1]:
            assert facts in iam_validation._PROBLEMS
    assert facts not in iam_validation._PROBLEMS
