"""Meta-test: a check reads exactly the fact kinds it declares in `Check.kinds`.

Every check runs on its own fixtures (both languages) with `Facts.of_kind` recording what is
asked for; the kinds read must be the kinds declared, no more (an undeclared kind is a hidden
dependency the docs, the cache and the kind-to-check index do not know) and no fewer (a declared
kind never read is a stale declaration)."""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.checks import REGISTRY
from iacguard.engine import scan
from iacguard.facts import KIND_TYPES, Facts

pytestmark = pytest.mark.catalogue("all")  # the catalogue's own tests run every check

FIXTURES = Path(__file__).parent / "fixtures" / "checks"


def _kinds_read(check, monkeypatch) -> set:
    asked: set = set()
    original = Facts.of_kind

    def recording(self, kind):
        asked.add(kind)
        facts = original(self, kind)
        assert all(isinstance(f, KIND_TYPES[kind]) for f in facts), kind
        return facts

    monkeypatch.setattr(Facts, "of_kind", recording)
    from check_fixture_runner import configured_for

    for lang in check.languages:
        folder = FIXTURES / check.id / lang
        result = scan([str(folder)], checks=[configured_for(folder, check)], cwd=str(folder))  # a fixture's own configuration (AWS-S3-900)
        assert not [n for n in result.notifications if "internal error" in n.message], check.id
    return asked


@pytest.mark.parametrize("check", REGISTRY, ids=[c.id for c in REGISTRY])
def test_check_reads_exactly_the_kinds_it_declares(check, monkeypatch):
    assert _kinds_read(check, monkeypatch) == set(check.kinds)


def test_the_meta_test_catches_an_undeclared_kind(monkeypatch):
    import dataclasses

    sqs = next(c for c in REGISTRY if c.id == "AWS-SQS-001")

    def sneaky(facts):
        facts.of_kind("bucket")
        yield from sqs.evaluate(facts)

    lying = dataclasses.replace(sqs, evaluate=sneaky)
    assert _kinds_read(lying, monkeypatch) != set(lying.kinds)
