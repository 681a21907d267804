"""AWS-IAM-004's list of write actions on every resource (`_wide`), with one catalogue lookup
per action (issue 17): the same actions as access level and `resource_arns` together gave."""
from __future__ import annotations

import pytest

from iacguard.checks.identity import iam_wide_access as wide
from iacguard.core.unknown import Unknown
from iacguard.iam import catalogue
from iacguard.iam.model import Statement


def _before(st) -> tuple:
    cat = catalogue.CATALOGUE
    return tuple(a for a in wide.granted_actions(st) if cat.access_level(a) in wide.LEVELS and cat.resource_arns(a))


@pytest.mark.parametrize("st", [
    Statement("Allow", actions=("s3:*",), resources=("*",)),
    Statement("Allow", actions=("ec2:Describe*", "iam:Pass*", "lambda:*Function*"), resources=("*",)),
    Statement("Allow", actions=("kms:Decrypt", "kms:CreateGrant", "sts:GetCallerIdentity", "nosuch:Thing", "s3"), resources=("*",)),
    Statement("Allow", actions=("dynamodb:*", Unknown("not known")), resources=("*",)),
    Statement("Allow", not_actions=("iam:*", "s3:*"), resources=("*",)),
    Statement("Allow", actions=(), resources=("*",)),
])
def test_wide_is_what_access_level_and_resource_arns_gave(st):
    got = wide._wide(st)
    assert got == _before(st)
    assert all(isinstance(a, str) for a in got)


def test_wide_keeps_only_write_actions_that_take_a_resource():
    got = wide._wide(Statement("Allow", actions=("s3:*",), resources=("*",)))
    assert "s3:PutObject" in got or "s3:putobject" in {a.lower() for a in got}
    assert not any(a.lower() == "s3:listallmybuckets" for a in got)  # List, and only "*"
