"""The checks' metadata kept in the cache (iacguard/catalogue.py): what a scan answered from the
cache reads instead of importing the check modules. It must give back the same checks, with the
same scan key, and anything else in its place is a miss."""
from __future__ import annotations

import dataclasses
import json

import pytest

from iacguard import catalogue
from iacguard.check import Check


def test_every_field_of_a_check_is_kept():
    assert set(catalogue.FIELDS) == {f.name for f in dataclasses.fields(Check)}


@pytest.mark.catalogue("all")
def test_the_whole_catalogue_comes_back_equal_with_the_same_scan_key(tmp_path):
    import iacguard.checks
    from iacguard.cache import ScanCache
    from iacguard.core.model import ScanOptions

    registry = iacguard.checks.REGISTRY
    data = catalogue.encode(registry)
    assert data is not None
    back = catalogue.decode(data)
    assert list(back) == list(registry)
    assert [c.equivalents for c in back] == [c.equivalents for c in registry]  # tuples of tuples again
    cache = ScanCache(str(tmp_path / "cache"))

    class File:
        path, digest = "/x/main.tf", "d"

    assert cache.key([File()], ScanOptions(), list(back), []) == cache.key([File()], ScanOptions(), list(registry), [])


@pytest.mark.catalogue("all")
def test_a_check_read_from_the_entry_runs_the_real_one(monkeypatch):
    import iacguard.checks

    real = iacguard.checks.REGISTRY[0]
    back = catalogue.decode(catalogue.encode(iacguard.checks.REGISTRY))[0]
    seen = []
    monkeypatch.setattr(iacguard.checks, "REGISTRY", (dataclasses.replace(real, evaluate=lambda facts: seen.append(facts) or ["finding"]),))
    assert back.id == real.id and back.evaluate("facts") == ["finding"] and seen == ["facts"]


def test_configured_and_foreign_checks_are_not_kept():
    check = Check("X-1", "t", "low", "data", "w", "y", "f", "g", ("bucket",), evaluate=lambda facts: [])
    assert catalogue.encode([check]) is not None

    def configured(facts):
        return []

    configured.cache_token = ({"not": "strings"},)
    assert catalogue.encode([dataclasses.replace(check, evaluate=configured)]) is None

    class Other(Check):
        pass

    assert catalogue.encode([Other(*dataclasses.astuple(check)[:9], evaluate=check.evaluate)]) is None


@pytest.mark.parametrize("change", [
    lambda rows: rows[0].update(severity="fatal"),
    lambda rows: rows[0].update(kinds="bucket"),
    lambda rows: rows[0].update(equivalents=[["checkov"]]),
    lambda rows: rows[0].update(graded=1),
    lambda rows: rows[0].update(extra=1),
    lambda rows: rows[0].pop("why"),
    lambda rows: rows[0].update(token=[1]),
    lambda rows: rows[0].update(token="x"),
    lambda rows: rows[0].update(kinds=["bucket", 1]),
    lambda rows: rows[0].update(equivalents="checkov"),
    lambda rows: rows[0].update(equivalents=[["checkov", 1]]),
    lambda rows: rows[0].update(evaluate=1),
    lambda rows: rows[0].update(title=None),
    lambda rows: rows.append(dict(rows[0])),  # the same id twice
])
def test_an_entry_of_another_shape_is_a_miss(change):
    check = Check("X-1", "t", "low", "data", "w", "y", "f", "g", ("bucket",), evaluate=lambda facts: [], equivalents=(("checkov", "CKV_1"),))
    rows = json.loads(catalogue.encode([check]))
    change(rows)
    assert catalogue.decode(json.dumps(rows).encode()) is None
    for junk in (b"", b"{}", b"[1]", b"\xff", b"[" * 100000):
        assert catalogue.decode(junk) is None
