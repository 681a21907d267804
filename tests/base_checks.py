"""The checks the engine, CLI and workflow tests were written against: the built-in checks
numbered below 100. The catalogue of issue 13 numbers its checks from 200 up, so a test that
asserts every finding of a scan (its count, its order, a JUnit test case per check) keeps
testing what it was written for when checks are added to the catalogue.

Use: `pytestmark = pytest.mark.usefixtures("base_checks")` (or the mark on one test) in a
module that imports `base_checks` from here. The engine and the CLI read
`iacguard.checks.REGISTRY` when they run, so patching it is enough.
"""
from __future__ import annotations

import pytest

import iacguard.checks

BASE = tuple(c for c in iacguard.checks.REGISTRY if int(c.id.rsplit("-", 1)[1]) < 100)


@pytest.fixture
def base_checks(monkeypatch):
    monkeypatch.setattr(iacguard.checks, "REGISTRY", BASE)
    return BASE
