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
from pathlib import Path

import pytest

from check_fixture_runner import CASES, FIXTURES, fixture_problems

from iacguard.checks import REGISTRY

pytestmark = pytest.mark.catalogue("all")  # the catalogue's own tests run every check


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
