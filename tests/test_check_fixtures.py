"""Every check, in every language it supports, against fixtures naming the exact resources and
lines expected to fail and the resources expected to pass.

A fixture proves something only if what it names is there: every address it lists, failing or
passing, must be a resource the evaluation produced, and every passing one must be a resource
the check actually looked at (the subject of a fact of a kind the check reads). Resources a
fixture needs that the check does not read (a security group whose rules are separate
resources, a role whose policies are attached apart) go under an optional "context" list: they
must exist and have no finding. A misspelt or invented address fails the test with a message
naming it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from iacguard.checks import REGISTRY
from iacguard.engine import scan
from iacguard.facts import Facts

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
CASES = sorted(p.parent for p in FIXTURES.glob("*/*/expected.json"))


def run_fixture(folder: Path, check) -> tuple:
    """(findings as (address, file, line), addresses evaluated, addresses the check inspected,
    error notifications) for `check` on the fixture `folder`."""
    seen: dict = {}

    def keep_graph(result, graph):
        seen["graph"] = graph

    result = scan([str(folder)], checks=[check], cwd=str(folder), postprocess=[keep_graph])
    graph = seen["graph"]
    evaluated = {r.address for r in graph.resources}
    facts = Facts(graph)
    inspected = {fact.resource.address for kind in check.kinds for fact in facts.of_kind(kind)}
    got = sorted((f.resource.address, os.path.basename(f.location.path), f.location.start_line) for f in result.findings)
    errors = [n for n in result.notifications if n.level == "error"]
    return got, evaluated, inspected, errors


def fixture_problems(folder: Path, check, expected: dict) -> list:
    """Every way the fixture's `expected.json` disagrees with the evaluation, as sentences."""
    got, evaluated, inspected, errors = run_fixture(folder, check)
    problems = ["error notification: %s" % (n,) for n in errors]
    want = sorted((e["address"], e["file"], e["line"]) for e in expected["fail"])
    if got != want:
        problems.append("findings differ:\n  got  %s\n  want %s" % (got, want))
    failing = {address for address, _, _ in got}
    for e in expected["fail"]:
        if e["address"] not in evaluated:
            problems.append("failing resource %r named in expected.json is not in the evaluated fixture" % e["address"])
    if not expected["pass"]:
        problems.append("expected.json names no passing resource")
    for address in expected["pass"]:
        if address not in evaluated:
            problems.append("passing resource %r named in expected.json is not in the evaluated fixture (evaluated: %s)" % (address, ", ".join(sorted(evaluated))))
        elif address not in inspected:
            problems.append("passing resource %r is not one %s reads (kinds %s), so its passing proves nothing" % (address, check.id, ", ".join(check.kinds)))
        if address in failing:
            problems.append("passing resource %r has a finding" % address)
    for address in expected.get("context", ()):
        if address not in evaluated:
            problems.append("context resource %r named in expected.json is not in the evaluated fixture" % address)
        if address in failing:
            problems.append("context resource %r has a finding" % address)
    overlap = set(expected["pass"]) & {e["address"] for e in expected["fail"]}
    if overlap:
        problems.append("named both passing and failing: %s" % ", ".join(sorted(overlap)))
    return problems


@pytest.mark.parametrize("folder", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_check_fixture(folder: Path):
    check = next(c for c in REGISTRY if c.id == folder.parent.name)
    expected = json.loads((folder / "expected.json").read_text())
    problems = fixture_problems(folder, check, expected)
    assert not problems, "%s/%s:\n%s" % (check.id, folder.name, "\n".join(problems))


def test_an_invented_passing_address_fails(tmp_path):
    """The bug this file once had: S3-001's passing addresses could be replaced by invented names."""
    folder = FIXTURES / "AWS-S3-001" / "terraform"
    check = next(c for c in REGISTRY if c.id == "AWS-S3-001")
    expected = json.loads((folder / "expected.json").read_text())
    assert fixture_problems(folder, check, expected) == []
    invented = dict(expected, **{"pass": ["aws_s3_bucket.no_such_bucket"]})
    problems = fixture_problems(folder, check, invented)
    assert len(problems) == 1 and "'aws_s3_bucket.no_such_bucket'" in problems[0] and "not in the evaluated fixture" in problems[0]
    # A resource that exists but that the check never reads proves nothing either.
    unread = dict(expected, **{"pass": ["aws_kms_key.archive"]})
    assert any("'aws_kms_key.archive' is not one AWS-S3-001 reads" in p for p in fixture_problems(folder, check, unread))
    invented_fail = dict(expected, fail=expected["fail"] + [{"address": "aws_s3_bucket.ghost", "file": "main.tf", "line": 1}])
    assert any("'aws_s3_bucket.ghost' named in expected.json is not in the evaluated fixture" in p for p in fixture_problems(folder, check, invented_fail))


def test_every_check_has_fixtures_in_each_language():
    for check in REGISTRY:
        for lang in check.languages:
            assert (FIXTURES / check.id / lang / "expected.json").is_file(), (check.id, lang)
