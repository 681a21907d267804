"""Issue 12: every IAM policy of a Terraform configuration, linked to its principal or the
resource it governs (iacguard.facts.iam_terraform). Each fixture under
fixtures/iam/terraform/<case>/main.tf; each test names exact policies, statements, lines and reasons."""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard import engine
from iacguard.core.unknown import is_unknown
from iacguard.facts import iam_access

FIXTURES = Path(__file__).parent.parent / "fixtures" / "iam" / "terraform"


def _collect(case: str):
    out = {}
    engine.scan([str(FIXTURES / case)], postprocess=[lambda r, g: out.setdefault("graph", g)])
    return iam_access.collect(out["graph"])


@pytest.fixture(scope="module")
def documents():
    return {p.name: p for p in _collect("documents").policies}


@pytest.fixture(scope="module")
def principals():
    c = _collect("principals")
    return c, {p.address: p for p in c.principals}


def _lines(s):
    return (s.location.start_line, s.location.end_line)


def test_data_source_merged_as_the_provider_does(documents):
    pol = documents["aws_iam_policy.from_data"]
    assert pol.kind == "identity" and pol.unknown is None
    read, listing, send = pol.statements
    # the document's own "Read" replaces the source's in place; the override's "List" replaces the source's
    assert (read.sid, read.effect, read.actions, read.not_actions, read.not_resources, _lines(read)) == (
        "Read", "Allow", None, ("iam:*",), ("arn:aws:s3:::secret/*",), (28, 37))
    cond = read.conditions[0]
    assert (cond.operator, cond.key, cond.values[0]) == ("StringEquals", "aws:PrincipalTag/team", "data")
    assert is_unknown(cond.values[1]) and "unknown_arn" in cond.values[1].reason
    assert (listing.sid, listing.effect, listing.resources, _lines(listing)) == ("List", "Deny", ("*",), (17, 22))
    assert (send.sid, send.actions, _lines(send)) == (None, ("sqs:SendMessage",), (38, 41))


def test_minified_json_of_a_data_source(documents):
    pol = documents["aws_iam_policy.minified"]
    assert [(s.sid, s.actions, _lines(s)) for s in pol.statements] == [
        ("Read", ("s3:GetObject",), (4, 8)), ("List", ("s3:ListBucket",), (9, 13))]


def test_heredoc_statements_located_at_the_attribute_unknown_kept(documents):
    allow, deny = documents["aws_iam_policy.heredoc"].statements
    assert (allow.sid, allow.actions, allow.resources, _lines(allow)) == ("All", ("ec2:Describe*",), ("*",), (59, 68))
    assert [(c.operator, c.key, c.values) for c in allow.conditions] == [("Bool", "aws:SecureTransport", ("true",))]
    assert deny.effect == "Deny" and deny.actions == ("s3:DeleteBucket",)
    assert is_unknown(deny.resources[0]) and deny.resources[0].reason == "variable unknown_arn has no value"


def test_jsonencode_statements_have_their_own_lines(documents):
    first, second = documents["aws_iam_policy.encoded"].statements
    assert _lines(first) == (76, 80) and is_unknown(first.resources[0])
    assert (second.actions, second.resources, _lines(second)) == (("kms:Decrypt",), ("*",), (81, 85))


def test_bad_json_is_an_unknown_document(documents):
    pol = documents["aws_iam_policy.broken"]
    assert pol.statements == () and pol.unknown.reason == "aws_iam_policy.broken is not known (not valid JSON)"


def test_data_sources_merged_into_each_other_are_cut(documents):
    unknown, allow = documents["aws_iam_policy.looped"].statements  # a self-reference names nothing
    assert is_unknown(unknown.unknown) and allow.actions == ("s3:GetObject",)
    (cut,) = documents["aws_iam_policy.cycle"].statements
    assert cut.unknown.reason == "data.aws_iam_policy_document.ping is merged into itself through source or override documents"


def test_policies_listed_once_with_kinds(principals):
    c, _ = principals
    assert [(p.kind, p.name) for p in c.policies] == [
        ("identity", "aws_iam_policy.deploy"),
        ("boundary", "aws_iam_policy.limit"),
        ("identity", "aws_iam_role_policy.app_extra"),
        ("identity", "aws_iam_group_policy.ops"),
        ("identity", 'aws_iam_role.app inline_policy "logs"'),
        ("trust", "aws_iam_role.app assume_role_policy"),
        ("trust", "aws_iam_role.ci assume_role_policy"),
        ("boundary", "aws_iam_role.ci permissions_boundary"),
    ]


def test_role_with_every_kind_of_policy(principals):
    _, by = principals
    app = by["aws_iam_role.app"]
    assert (app.kind, app.name) == ("role", "app")
    assert [p.name for p in app.identity_policies] == [
        'aws_iam_role.app inline_policy "logs"', "aws_iam_role_policy.app_extra", "aws_iam_policy.deploy",
        "arn:aws:iam::aws:policy/ReadOnlyAccess"]  # shipped with iacguard (iacguard/iam/data)
    assert [p.reason for p in app.unresolved] == [
        "managed_policy_arns of aws_iam_role.app is not known (variable extra_policy_arn has no value)",
    ]
    assert (app.boundary.kind, app.boundary.name, app.boundary.statements[0].actions) == ("boundary", "aws_iam_policy.limit", ("s3:*",))
    (trust,) = app.trust.statements
    assert trust.principals == {"Service": ("lambda.amazonaws.com",)} and _lines(trust) == (18, 18)


def test_exclusive_attachments_and_unknown_boundary(principals):
    _, by = principals
    ci = by["aws_iam_role.ci"]
    assert [p.name for p in ci.identity_policies] == ["aws_iam_policy.deploy"]
    assert [u.reason for u in ci.unresolved] == [
        "policy arn:aws:iam::123456789012:policy/elsewhere attached by aws_iam_role_policy_attachments_exclusive.ci is not in the scan"]
    assert ci.boundary.kind == "boundary" and ci.boundary.unknown.reason == (
        "permissions_boundary of aws_iam_role.ci is not known (variable boundary_arn has no value)")
    assert ci.trust.statements[0].principals == {"AWS": ("arn:aws:iam::111122223333:root",)}
    assert _lines(ci.trust.statements[0]) == (40, 40)


def test_users_take_their_groups_policies(principals):
    _, by = principals
    alice, bob, ops = by["aws_iam_user.alice"], by["aws_iam_user.bob"], by["aws_iam_group.ops"]
    assert [g.address for g in alice.groups] == ["aws_iam_group.ops"]
    assert [p.name for p in alice.identity_policies] == ["aws_iam_group_policy.ops"]
    assert [u.reason for u in alice.unresolved] == [u.reason for u in ops.unresolved] == [
        "AWS managed policy arn:aws:iam::aws:policy/AmazonMacieFullAccess is not shipped with iacguard"]
    assert [g.address for g in bob.groups] == ["aws_iam_group.audit"]
    assert [p.name for p in bob.identity_policies] == ["aws_iam_policy.deploy"]  # direct and through audit: once
    assert [u.reason for u in bob.unresolved] == [
        "aws_iam_user_group_membership.bob names aws_iam_group 'contractors', which is not in the scan"]


def test_guardrails():
    by = {p.address: p for p in _collect("guardrails").principals}
    member, management = by["aws_iam_role.member"], by["aws_iam_role.management"]
    assert [g.name for g in member.guardrails] == ["aws_organizations_policy.deny_leave"]
    assert member.guardrails[0].kind == "scp" and member.guardrails[0].statements[0].effect == "Deny"
    assert management.guardrails == ()  # SCPs do not apply to the management account
    expected = "SCP aws_organizations_policy.dev_only may apply: attached to aws_organizations_organizational_unit.dev, which may hold the account of %s"
    assert [u.reason for u in member.unresolved_guardrails] == [expected % "aws_iam_role.member"]
    assert [u.reason for u in management.unresolved_guardrails] == [expected % "aws_iam_role.management"]


def test_resource_policies():
    c = _collect("resources")
    got = [(rp.resource.address, rp.policy.name) for rp in c.resource_policies]
    assert got == [
        ("aws_s3_bucket.data", "aws_s3_bucket_policy.data"),
        ("aws_s3_bucket_policy.elsewhere", "aws_s3_bucket_policy.elsewhere"),
        ("aws_kms_key.k", "aws_kms_key.k policy"),
        ("aws_sqs_queue.q", "aws_sqs_queue_policy.q"),
        ("aws_sns_topic.t", "aws_sns_topic.t policy"),
        ("aws_secretsmanager_secret.s", "aws_secretsmanager_secret_policy.s"),
        ("aws_ecr_repository.r", "aws_ecr_repository_policy.r"),
        ("aws_lambda_function.fn", "aws_lambda_permission.s3"),
        ("aws_lambda_function.fn", "aws_lambda_permission.org"),
    ]
    by = {rp.policy.name: rp for rp in c.resource_policies}
    assert by["aws_s3_bucket_policy.elsewhere"].arn == "arn:aws:s3:::not-in-scan"
    (bucket,) = by["aws_s3_bucket_policy.data"].policy.statements
    assert (bucket.sid, bucket.principals, _lines(bucket)) == ("Other", {"AWS": ("arn:aws:iam::999988887777:root",)}, (9, 15))
    (perm,) = by["aws_lambda_permission.s3"].policy.statements
    assert (perm.sid, perm.effect, perm.actions, perm.principals, _lines(perm)) == (
        "AllowS3", "Allow", ("lambda:InvokeFunction",), {"Service": ("s3.amazonaws.com",)}, (68, 75))
    assert [(x.operator, x.key, x.values) for x in perm.conditions] == [
        ("ArnLike", "aws:SourceArn", ("arn:aws:s3:::data-bucket",)), ("StringEquals", "aws:SourceAccount", ("111122223333",))]
    (org,) = by["aws_lambda_permission.org"].policy.statements
    assert org.principals == "*" and [(x.key, x.values) for x in org.conditions] == [("aws:PrincipalOrgID", ("o-abc123",))]
    assert is_unknown(org.resources[0])  # the function's ARN, found by its literal name
    assert [p.kind for p in c.policies].count("resource") == 9
