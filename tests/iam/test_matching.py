"""Action, ARN and principal matching (iacguard.iam.matching): wildcards, case, policy variables,
unknown pieces (symbolic pieces cancel, different resources' ARNs differ)."""
from __future__ import annotations

import pytest
from iam_helpers import AttrUnknown, Partial, req

from iacguard.core.unknown import Unknown, is_unknown
from iacguard.iam.matching import action_matches, arn_matches, not_principal_matches, principal_matches

U = Unknown("variable x has no value")


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("*", "s3:GetObject", True),
        ("s3:GetObject", "S3:getobject", True),  # case-insensitive
        ("s3:Get*", "s3:GetObjectAcl", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Get?bject", "s3:GetObbject", False),
        ("s?:*", "s3:ListBucket", True),  # wildcard in the service prefix
        ("*:Describe*", "ec2:DescribeInstances", True),
        ("iam:*", "sts:AssumeRole", False),
        ("s3:*", "s3", False),
        ("ec2:*Instances", "ec2:RunInstances", True),
    ],
)
def test_action_matches(pattern, action, expected):
    assert action_matches(pattern, action) is expected


def test_unknown_action_pattern_is_unknown_unless_its_known_text_rules_it_out():
    assert is_unknown(action_matches(U, "s3:GetObject"))
    assert action_matches(Partial("iam:", U), "s3:GetObject") is False
    assert is_unknown(action_matches(Partial("s3:", U), "s3:GetObject"))


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "arn:aws:s3:::b/k", True),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/dir/k", True),  # `*` crosses "/"
        ("arn:aws:s3:::b*", "arn:aws:s3:::b/k", True),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::B/k", False),  # case-sensitive
        ("arn:aws:*:us-east-1:*:table/t", "arn:aws:dynamodb:us-east-1:123456789012:table/t", True),  # crosses ":"
        ("arn:aws:s3:::b/?", "arn:aws:s3:::b/k", True),
        ("arn:aws:s3:::b/?", "arn:aws:s3:::b/kk", False),
        ("arn:aws:s3:::b", "arn:aws:s3:::b/k", False),
        ("arn:aws:s3:::*a*a*a*a*a*a*a*a*b", "arn:aws:s3:::" + "a" * 200, False),  # no blow-up
    ],
)
def test_arn_matches(pattern, value, expected):
    assert arn_matches(pattern, value, {}) is expected


def test_policy_variables_are_substituted_from_the_context():
    ctx = {"aws:username": ("bob",), "aws:principaltag/team": ("red",)}
    assert arn_matches("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/x", ctx) is True
    assert arn_matches("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/eve/x", ctx) is False
    assert arn_matches("arn:aws:s3:::t/${aws:PrincipalTag/team}/*", "arn:aws:s3:::t/red/x", ctx) is True
    assert arn_matches("arn:aws:s3:::t/${AWS:PRINCIPALTAG/TEAM}/*", "arn:aws:s3:::t/red/x", ctx) is True  # keys case-insensitive


def test_a_variable_without_a_value_does_not_match_and_a_default_fills_it():
    assert arn_matches("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/x", {}) is False
    assert arn_matches("arn:aws:s3:::home/${aws:username, 'bob'}/*", "arn:aws:s3:::home/bob/x", {}) is True
    assert arn_matches("arn:aws:s3:::q/${aws:username, 'it''s'}", "arn:aws:s3:::q/it's", {}) is True
    # several values: the variable does not resolve
    assert arn_matches("arn:aws:s3:::home/${aws:username}", "arn:aws:s3:::home/a", {"aws:username": ("a", "b")}) is False


def test_special_variables_are_literal_characters_and_substituted_text_is_literal():
    assert arn_matches("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", {}) is True
    assert arn_matches("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/key", {}) is False
    assert arn_matches("arn:aws:s3:::b/${?}", "arn:aws:s3:::b/?", {}) is True
    assert arn_matches("arn:aws:s3:::b/${$}x", "arn:aws:s3:::b/$x", {}) is True
    # a user named "*" does not become a wildcard
    assert arn_matches("arn:aws:s3:::home/${aws:username}", "arn:aws:s3:::home/eve", {"aws:username": ("*",)}) is False


def test_symbolic_pieces_cancel_and_different_arns_differ():
    a = AttrUnknown("aws_s3_bucket.a")
    b = AttrUnknown("aws_s3_bucket.b")
    assert arn_matches(Partial(a, "/*"), Partial(a, "/key"), {}) is True
    assert arn_matches(a, a, {}) is True
    assert arn_matches(Partial(a, "/*"), Partial(b, "/key"), {}) is False
    assert arn_matches(a, b, {}) is False
    assert arn_matches(Partial(a, "/logs/*"), Partial(a, "/data/k"), {}) is False
    # A name attribute is not an ARN: another node's may equal it
    assert is_unknown(arn_matches(AttrUnknown("x", "name"), AttrUnknown("y", "name"), {}))


def test_unknown_pieces_on_either_side():
    u = Unknown("var.bucket has no value")
    assert arn_matches("*", Partial("arn:aws:s3:::", u), {}) is True
    assert arn_matches("arn:aws:s3:::*", Partial("arn:aws:s3:::", u, "/k"), {}) is True  # covered by `*`
    r = arn_matches("arn:aws:s3:::logs/*", Partial("arn:aws:s3:::", u, "/k"), {})
    assert is_unknown(r) and "var.bucket has no value" in r.reason
    assert arn_matches("arn:aws:sqs:*", Partial("arn:aws:s3:::", u), {}) is False  # the known text rules it out
    assert is_unknown(arn_matches(Partial("arn:aws:s3:::", u, "/*"), "arn:aws:s3:::b/k", {}))
    assert arn_matches(Partial("arn:aws:s3:::", u, "/*"), "arn:aws:sqs:us-east-1:1:q", {}) is False
    # an unknown context value in a variable
    assert is_unknown(arn_matches("arn:aws:s3:::h/${aws:username}", "arn:aws:s3:::h/bob", {"aws:username": (u,)}))


ROLE = "arn:aws:iam::111122223333:role/app"


@pytest.mark.parametrize(
    ("block", "principal", "expected"),
    [
        ("*", ROLE, True),
        ({"AWS": ("*",)}, ROLE, True),
        ({"AWS": ("111122223333",)}, ROLE, True),
        ({"AWS": ("arn:aws:iam::111122223333:root",)}, ROLE, True),
        ({"AWS": ("arn:aws:iam::444455556666:root",)}, ROLE, False),
        ({"AWS": (ROLE,)}, ROLE, True),
        ({"AWS": ("arn:aws:iam::111122223333:role/other",)}, ROLE, False),
        ({"AWS": ("arn:aws:iam::111122223333:role/path/app",)}, "arn:aws:sts::111122223333:assumed-role/app/s1", True),
        ({"AWS": ("arn:aws:sts::111122223333:assumed-role/app/s1",)}, "arn:aws:sts::111122223333:assumed-role/app/s1", True),
        ({"AWS": ("arn:aws:sts::111122223333:assumed-role/app/s1",)}, "arn:aws:sts::111122223333:assumed-role/app/s2", False),
        ({"Service": ("ec2.amazonaws.com",)}, "ec2.amazonaws.com", True),
        ({"Service": ("lambda.amazonaws.com",)}, "ec2.amazonaws.com", False),
        ({"Federated": ("cognito-identity.amazonaws.com",)}, "cognito-identity.amazonaws.com", True),
    ],
)
def test_principal_matches(block, principal, expected):
    assert principal_matches(block, req("s3:GetObject", "*", principal=principal, account=None)) is expected


def test_service_principal_from_the_context_and_unknown_entries():
    r = req("sts:AssumeRole", ROLE, principal=None, account=None, aws__PrincipalServiceName="ec2.amazonaws.com")
    assert principal_matches({"Service": ("ec2.amazonaws.com",)}, r) is True
    assert is_unknown(principal_matches({"AWS": (Unknown("var.reader"),)}, req("s3:GetObject", "*")))
    assert is_unknown(principal_matches(Unknown("whole block"), req("s3:GetObject", "*")))


def test_not_principal_needs_the_account_and_the_user_to_leave_the_user_out():
    bob = req("s3:GetObject", "*", principal="arn:aws:iam::444455556666:user/Bob", account="444455556666")
    user_only = {"AWS": ("arn:aws:iam::444455556666:user/Bob",)}
    both = {"AWS": ("arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root")}
    assert not_principal_matches(user_only, bob) is True  # the account is not excluded: it still applies
    assert not_principal_matches(both, bob) is False
    other = req("s3:GetObject", "*", principal="arn:aws:iam::444455556666:user/Eve", account="444455556666")
    assert not_principal_matches(both, other) is True
