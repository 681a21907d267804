"""Service control policies by level of the organization.

AWS attaches the managed SCP FullAWSAccess to the root, every OU and every account when SCPs are
enabled (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_strategies.html,
"Using SCPs as a deny list"); a scanned deny-list SCP sits beside it, so it restricts only by its
Deny statements. An SCP with Allow statements is an allow list: at its level one of the SCPs
attached there must allow ("Using SCPs as an allow list": "at every level ... at least one SCP
must allow"). An SCP that may apply (attached to an OU the account may be in) matters only where
it would deny or, as an allow list, not allow."""
from __future__ import annotations

import dataclasses

from iam_helpers import pol, req, sids, st

from iacguard.core.unknown import Unknown
from iacguard.iam.evaluate import evaluate

ADMIN = pol("admin", st(action="*", resource="*", sid="Admin"))


def scp(name, *statements, level="root", applies=None):
    return dataclasses.replace(pol(name, *statements, kind="scp"), level=level, applies=applies)


DENY_LEAVE = scp("deny-leave", st("Deny", action="organizations:LeaveOrganization", resource="*", sid="NoLeave"))


def test_a_deny_list_scp_restricts_only_by_its_denies():
    assert evaluate(req("s3:GetObject", "arn:aws:s3:::b/k"), identity=[ADMIN], guardrails=[DENY_LEAVE]).decision == "allow"
    d = evaluate(req("organizations:LeaveOrganization", "*"), identity=[ADMIN], guardrails=[DENY_LEAVE])
    assert (d.decision, sids(d)) == ("explicit-deny", ["NoLeave"])


def test_an_allow_list_scp_must_allow_at_its_level():
    s3_only = scp("s3-only", st(action="s3:*", resource="*", sid="S3"))
    assert evaluate(req("s3:GetObject", "arn:aws:s3:::b/k"), identity=[ADMIN], guardrails=[s3_only]).decision == "allow"
    d = evaluate(req("ec2:RunInstances", "*"), identity=[ADMIN], guardrails=[s3_only])
    assert (d.decision, [x.policy.name for x in d.statements]) == ("implicit-deny", ["s3-only"])
    assert "s3-only does not allow ec2:RunInstances" in d.reason


def test_one_allowing_scp_per_level_is_enough():
    s3_only = scp("s3-only", st(action="s3:*", resource="*"))
    ec2_only = scp("ec2-only", st(action="ec2:*", resource="*"))
    assert evaluate(req("ec2:RunInstances", "*"), identity=[ADMIN], guardrails=[s3_only, ec2_only]).decision == "allow"
    # The same two at different levels: each level must allow.
    d = evaluate(req("ec2:RunInstances", "*"), identity=[ADMIN],
                 guardrails=[s3_only, dataclasses.replace(ec2_only, level="account")])
    assert (d.decision, [x.policy.name for x in d.statements]) == ("implicit-deny", ["s3-only"])


def test_an_scp_that_may_apply_matters_only_where_it_would_deny():
    why = Unknown("SCP maybe may apply: attached to ou-dev, which may hold the account")
    maybe = scp("maybe", st("Deny", action="ec2:*", resource="*", sid="NoEc2"), level="ou-dev", applies=why)
    allowed = evaluate(req("s3:GetObject", "arn:aws:s3:::b/k"), identity=[ADMIN], unresolved_guardrails=[maybe])
    assert allowed.decision == "allow"
    open_ = evaluate(req("ec2:RunInstances", "*"), identity=[ADMIN], unresolved_guardrails=[maybe])
    assert (open_.decision, sids(open_)) == ("unknown", ["NoEc2"])
    assert open_.reason == ("not known before deploy: SCP maybe (NoEc2) denies ec2:RunInstances, and SCP maybe may "
                            "apply: attached to ou-dev, which may hold the account")
    # Nothing allows it anyway: whether the SCP applies cannot change the answer.
    assert evaluate(req("ec2:RunInstances", "*"), identity=[], unresolved_guardrails=[maybe]).decision == "implicit-deny"


def test_an_allow_list_scp_that_may_apply_leaves_what_it_lacks_open():
    why = Unknown("SCP maybe may apply")
    maybe = scp("maybe", st(action="s3:List*", resource="*"), level="ou-dev", applies=why)
    assert evaluate(req("s3:ListBucket", "arn:aws:s3:::b"), identity=[ADMIN], unresolved_guardrails=[maybe]).decision == "allow"
    d = evaluate(req("s3:GetObject", "arn:aws:s3:::b/k"), identity=[ADMIN], unresolved_guardrails=[maybe])
    assert d.decision == "unknown" and d.reason.endswith("SCP maybe does not allow s3:GetObject, and SCP maybe may apply")
    assert evaluate(req("s3:GetObject", "arn:aws:s3:::b/k"), identity=[], unresolved_guardrails=[maybe]).decision == "implicit-deny"


def test_an_unknown_scp_document_leaves_the_answer_open():
    d = evaluate(req("s3:GetObject", "arn:aws:s3:::b/k"), identity=[ADMIN],
                 unresolved_guardrails=[Unknown("SCP x may apply (its content is not known)")])
    assert d.decision == "unknown" and "SCP x may apply" in d.reason
