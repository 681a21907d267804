"""The decision logic of the IAM checks that their fixtures do not reach, on model objects built
by hand: AWS-IAM-003's NotAction coverage threshold, AWS-IAM-004's exclusions, the condition keys
of 005/006, AWS-IAM-002's blocks and resources, and the undecided records of 002 and 010-012."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from iam_helpers import pol, st  # noqa: E402

from iacguard.checks.identity import iam_escalation, iam_trust, iam_validation, iam_wide_access  # noqa: E402
from iacguard.core.model import Finding, Location, Resource, Undecided  # noqa: E402
from iacguard.core.unknown import Unknown  # noqa: E402
from iacguard.iam.catalogue import CATALOGUE  # noqa: E402
from iacguard.iam.model import BOUNDARY, TRUST, Policy, Principal  # noqa: E402

ACCOUNT = "111111111111"


def _res(address, type_="aws_iam_policy"):
    return Resource(id="tf:" + address, address=address, type=type_, language="terraform", properties={},
                    location=Location("main.tf", 1, 1))


class _Facts:
    def __init__(self, **kinds):
        self.kinds = kinds

    def of_kind(self, kind):
        return list(self.kinds.get(kind, ()))


def _held(policy, address="aws_iam_policy.p"):
    return Policy(policy.kind, address, policy.statements, _res(address), Location("main.tf", 1, 9), policy.unknown)


def _run(evaluate, **kinds):
    return [(type(i).__name__, i.resource.address) for i in evaluate(_Facts(**kinds))]


# -- AWS-IAM-003: how much a NotAction leaves ------------------------------------------------


def _services_but(share):
    """Service wildcards excluding enough services that exactly `share` of the catalogue stays."""
    services = sorted(CATALOGUE.services())
    keep = int(len(services) * share)
    return ["%s:*" % s for s in services[keep:] if s != "iam"]


def test_not_action_leaving_nine_tenths_of_aws_is_an_administrator():
    excluded = _services_but(0.95)
    p = _held(pol("p", st(not_action=excluded + ["iam:*"], resource="*")))
    assert _run(iam_wide_access.evaluate_admin, iam_policy=[p]) == [("Finding", "aws_iam_policy.p")]


def test_not_action_leaving_less_than_the_threshold_is_not():
    excluded = _services_but(0.85)
    p = _held(pol("p", st(not_action=excluded + ["iam:*"], resource="*")))
    assert _run(iam_wide_access.evaluate_admin, iam_policy=[p]) == []


def test_not_action_that_leaves_iam_is_an_administrator_whatever_else_it_excludes():
    excluded = _services_but(0.10)
    p = _held(pol("p", st(not_action=excluded, resource="*")))
    assert "iam:*" not in excluded
    assert _run(iam_wide_access.evaluate_admin, iam_policy=[p]) == [("Finding", "aws_iam_policy.p")]


def test_not_action_touching_one_iam_action_no_longer_grants_all_of_iam():
    p = _held(pol("p", st(not_action=_services_but(0.5) + ["iam:PassRole"], resource="*")))
    assert _run(iam_wide_access.evaluate_admin, iam_policy=[p]) == []


def test_admin_grant_on_named_resources_and_unknown_resource():
    named = _held(pol("p", st(action="iam:*", resource="arn:aws:iam::111111111111:role/app")))
    assert _run(iam_wide_access.evaluate_admin, iam_policy=[named]) == []
    unknown = _held(pol("p", st(action="iam:*", resource=Unknown("variable arn has no value"))))
    assert _run(iam_wide_access.evaluate_admin, iam_policy=[unknown]) == [("Undecided", "aws_iam_policy.p")]


# -- AWS-IAM-004: what it leaves out -----------------------------------------------------------


@pytest.mark.parametrize("statement,expected", [
    (st(action="sqs:SendMessage", resource="*"), [("Finding", "aws_iam_policy.p")]),
    (st(action="s3:ListAllMyBuckets", resource="*"), []),  # takes only "*": no narrower choice
    (st(action="s3:GetObject", resource="*"), []),  # Read
    (st(action="*", resource="*"), []),  # AWS-IAM-001's
    (st(action="iam:*", resource="*"), []),  # AWS-IAM-003's
    (st(effect="Deny", action="sqs:DeleteQueue", resource="*"), []),
    (st(action="sqs:SendMessage", resource="arn:aws:sqs:eu-west-1:111111111111:jobs"), []),
])
def test_write_on_every_resource(statement, expected):
    assert _run(iam_wide_access.evaluate_write, iam_policy=[_held(pol("p", statement))]) == expected


def test_write_resource_with_known_text_is_never_star():
    from iam_helpers import Partial

    arn = Partial("arn:aws:s3:::", Unknown("pseudo parameter"), "/*")
    p = _held(pol("p", st(action="s3:PutObject", resource=[arn])))
    assert _run(iam_wide_access.evaluate_write, iam_policy=[p]) == []
    whole = _held(pol("p", st(action="s3:PutObject", resource=[Unknown("variable arn")])))
    assert _run(iam_wide_access.evaluate_write, iam_policy=[whole]) == [("Undecided", "aws_iam_policy.p")]


# -- AWS-IAM-005 / 006: the condition keys that narrow a trust ---------------------------------


def _role(trust_statement, account=ACCOUNT):
    res = _res("aws_iam_role.r", "aws_iam_role")
    trust = Policy(TRUST, "aws_iam_role.r assume_role_policy", (trust_statement,), res, Location("main.tf", 2, 8))
    return Principal(res, "role", "r", "arn:aws:iam::%s:role/r" % account, account, trust=trust)


@pytest.mark.parametrize("condition,finding", [
    (None, True),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, False),
    ({"StringEquals": {"aws:SourceAccount": "222222222222"}}, False),
    ({"StringEquals": {"sts:ExternalId": "x"}}, False),
    ({"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}, True),  # negated: does not narrow
    ({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}, True),  # true when absent
    ({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}, True),  # not about the caller
])
def test_open_trust_condition_keys(condition, finding):
    role = _role(st(principal={"AWS": "*"}, action="sts:AssumeRole", condition=condition))
    got = _run(iam_trust.evaluate_open, iam_principal=[role])
    assert got == ([("Finding", "aws_iam_role.r")] if finding else [])


@pytest.mark.parametrize("condition,finding", [
    (None, True),
    ({"StringEquals": {"sts:ExternalId": "x"}}, False),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, False),
    ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-abc/r-1/*"}}, False),
    ({"StringEquals": {"aws:SourceAccount": "222222222222"}}, True),  # not a confused-deputy guard
    ({"StringEquals": {"sts:ExternalId": Unknown("variable external_id")}}, None),
])
def test_cross_account_condition_keys(condition, finding):
    role = _role(st(principal={"AWS": "arn:aws:iam::222222222222:root"}, action="sts:AssumeRole", condition=condition))
    got = _run(iam_trust.evaluate_cross_account, iam_principal=[role])
    assert got == {True: [("Finding", "aws_iam_role.r")], False: [], None: [("Undecided", "aws_iam_role.r")]}[finding]


def test_same_account_trust_is_not_cross_account():
    role = _role(st(principal={"AWS": "arn:aws:iam::%s:root" % ACCOUNT}, action="sts:AssumeRole"))
    assert _run(iam_trust.evaluate_cross_account, iam_principal=[role]) == []


# -- AWS-IAM-002 -------------------------------------------------------------------------------


def _actor(*statements, boundary=None, unresolved=(), kind="user"):
    res = _res("aws_iam_%s.a" % kind, "aws_iam_%s" % kind)
    policy = Policy("identity", "aws_iam_%s_policy.a" % kind, tuple(statements), res, Location("main.tf", 3, 9))
    return Principal(res, kind, "a", "arn:aws:iam::%s:%s/a" % (ACCOUNT, kind), ACCOUNT, identity_policies=(policy,),
                     boundary=boundary, unresolved=tuple(unresolved))


def _escalation(principal):
    return [(type(i).__name__, i.message if isinstance(i, Finding) else i.reason) for i in iam_escalation.evaluate(_Facts(iam_principal=[principal]))]


def test_escalation_method_and_blocks():
    assert "by new policy version" in _escalation(_actor(st(action="iam:CreatePolicyVersion", resource="*")))[0][1]
    denied = _actor(st(action="iam:CreatePolicyVersion", resource="*"), st(effect="Deny", action="iam:Create*", resource="*"))
    assert _escalation(denied) == []
    bounded = _actor(st(action="iam:CreatePolicyVersion", resource="*"),
                     boundary=Policy(BOUNDARY, "boundary", (st(action="s3:*", resource="*"),)))
    assert _escalation(bounded) == []


def test_pass_role_needs_its_compute_actions_together():
    assert _escalation(_actor(st(action=["iam:PassRole", "lambda:CreateFunction"], resource="*"))) == []
    got = _escalation(_actor(st(action=["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], resource="*")))
    assert [kind for kind, _ in got] == ["Finding"] and "pass role to new Lambda" in got[0][1]


def test_assume_role_counts_only_on_every_resource():
    assert _escalation(_actor(st(action="sts:AssumeRole", resource="arn:aws:iam::111111111111:role/deploy"))) == []
    got = _escalation(_actor(st(action="sts:AssumeRole", resource="*")))
    assert [kind for kind, _ in got] == ["Finding"] and "assume any role" in got[0][1]


def test_an_administrator_has_nothing_to_escalate_to():
    assert _escalation(_actor(st(action="*", resource="*"))) == []
    assert _escalation(_actor(st(not_action="aws-portal:*", resource="*"))) == []


def test_unknown_parts_leave_escalation_undecided():
    effect = _actor(st(effect=Unknown("variable effect has no value"), action="iam:AttachUserPolicy", resource="*"))
    assert _escalation(effect) == [("Undecided", "variable effect has no value")]
    attached = _actor(st(action="s3:GetObject", resource="*"), unresolved=(Unknown("AWS managed policy X is not shipped"),))
    assert _escalation(attached) == [("Undecided", "AWS managed policy X is not shipped")]


# -- AWS-IAM-010..012: unknown parts ---------------------------------------------------------


def _validation(evaluate, *statements):
    return [(type(i).__name__, getattr(i, "what", None)) for i in evaluate(_Facts(iam_policy=[_held(pol("p", *statements))]))]


def test_validation_findings_and_clean_statements():
    assert _validation(iam_validation.evaluate_actions, st(action="s3:GetObjekt", resource="*")) == [("Finding", None)]
    assert _validation(iam_validation.evaluate_actions, st(action="s3:GetObject", resource="*")) == []
    assert _validation(iam_validation.evaluate_resources, st(action="s3:GetObject", resource="arn:aws:s3:::b")) == [("Finding", None)]
    assert _validation(iam_validation.evaluate_resources, st(action="s3:GetObject", resource="arn:aws:s3:::b/*")) == []
    assert _validation(iam_validation.evaluate_condition_keys, st(action="s3:ListBucket", resource="*",
                                                                  condition={"StringLike": {"s3:prefixx": "a/*"}})) == [("Finding", None)]


def test_validation_undecided_on_the_part_that_decides():
    unknown_action = st(action=["s3:GetObject", Unknown("variable action")], resource="*")
    assert _validation(iam_validation.evaluate_actions, unknown_action) == [("Undecided", "Action")]
    # An unknown Effect read as Allow would give the mismatch: undecided on the Effect.
    effect = st(effect=Unknown("variable effect"), action="s3:GetObject", resource="arn:aws:s3:::b")
    assert _validation(iam_validation.evaluate_resources, effect) == [("Undecided", "Effect")]
    # A Deny on the bucket ARN is no grant: nothing to say.
    assert _validation(iam_validation.evaluate_resources, st(effect="Deny", action="s3:GetObject", resource="arn:aws:s3:::b")) == []
    # A service's key beside an unknown action: the key may be that action's service's.
    key = st(action=[Unknown("variable action")], resource="*", condition={"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}})
    assert _validation(iam_validation.evaluate_condition_keys, key) == [("Undecided", "Action")]
    # Only global keys: an unknown action changes nothing.
    glob = st(action=[Unknown("variable action")], resource="*", condition={"Bool": {"aws:SecureTransport": "true"}})
    assert _validation(iam_validation.evaluate_condition_keys, glob) == []


def test_validation_reports_a_shared_document_once():
    doc = pol("p", st(action="s3:GetObjekt", resource="*"))
    res = _res("aws_iam_role_policy.a")
    where = Location("main.tf", 5, 9)
    first = Policy("identity", "a", doc.statements, res, where)
    second = Policy("identity", "b", doc.statements, _res("aws_iam_role_policy.b"), where)
    got = list(iam_validation.evaluate_actions(_Facts(iam_policy=[first, second])))
    assert [(type(i).__name__, i.resource.address) for i in got] == [("Finding", "aws_iam_role_policy.a")]


@pytest.mark.parametrize("condition,finding", [
    ({"StringEquals": {"aws:RequestTag/eks:eks-cluster-name": "${aws:PrincipalTag/eks:eks-cluster-name}"}}, False),
    ({"StringEquals": {"aws:ResourceTag/team": "data"}}, False),
    ({"StringEquals": {"ec2:ResourceTag/team": "data"}}, False),
    ({"StringLike": {"aws:RequestTag/team": "*"}}, True),  # any value: the tag only exists
    ({"StringNotEquals": {"aws:ResourceTag/team": "data"}}, True),  # negated
    ({"StringEqualsIfExists": {"aws:ResourceTag/team": "data"}}, True),  # true without the tag
    ({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}, True),
])
def test_write_scoped_by_tags_is_not_every_resource(condition, finding):
    p = _held(pol("p", st(action="ec2:CreateNetworkInterface", resource="*", condition=condition)))
    assert _run(iam_wide_access.evaluate_write, iam_policy=[p]) == ([("Finding", "aws_iam_policy.p")] if finding else [])
