"""Which checks a test runs: one mechanism for the whole suite.

A test (or a module, through `pytestmark`) says what it was written against with the marker
`@pytest.mark.catalogue(NAME)`; the autouse fixture in tests/conftest.py sets
`iacguard.checks.REGISTRY` to that set before the test runs (the engine and the CLI read the
registry when they run, so that is enough):

- "all": every check. The catalogue's own tests (listings, docs, fixtures, goldens of the
  sample, meta tests) use it.
- "core": the checks numbered below 100, registered before the catalogue of issue 13 (the
  attack-path check AWS-PATH-001 of issue 14 aside). Tests of
  the engine, the CLI and the workflow that assert every finding of a scan (its count, its order,
  a JUnit test case per check) keep testing what they were written for when checks are added.
- "default" (no marker): every check except the project-level absence checks
  (`registry_detection_a.ABSENCE`: no CloudTrail, GuardDuty, Config, Security Hub, Access Analyzer
  declared), which report one finding on every root of every small synthetic project, and the
  attack-path check (`PATHS`).

`CORE` is also passed explicitly (`scan(..., checks=CORE)`) by tests that choose their checks.
"""
from __future__ import annotations

import iacguard.checks
from iacguard.checks.registry_detection_a import ABSENCE

ALL = tuple(iacguard.checks.REGISTRY)
# The attack-path check (issue 14) reports on every entry point of every small synthetic project
# that has a path to a store: tests of single-resource behaviour leave it out like the absence
# checks; its own tests, the catalogue's and the sample's run it.
PATHS = ("AWS-PATH-001",)
CORE = tuple(c for c in ALL if int(c.id.rsplit("-", 1)[1]) < 100 and c.id not in PATHS)
DEFAULT = tuple(c for c in ALL if c.id not in ABSENCE and c.id not in PATHS)

SETS = {"all": ALL, "core": CORE, "default": DEFAULT}
