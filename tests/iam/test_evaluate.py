"""The evaluator (iacguard.iam.evaluate): a table of requests, each with the expected decision and
the deciding statements (by sid; a policy's name where the policy as a whole decided)."""
from __future__ import annotations

import pytest
from iam_helpers import AttrUnknown, Partial, pol, req, sids, st

from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown
from iacguard.iam.evaluate import evaluate, simulate, statement_matches
from iacguard.iam.model import Principal, ResourcePolicy

ACCT = "111122223333"
OTHER = "444455556666"
ROLE = "arn:aws:iam::%s:role/app" % ACCT
USER = "arn:aws:iam::%s:user/bob" % ACCT
BUCKET = "arn:aws:s3:::data"
OBJ = "arn:aws:s3:::data/k"

read_all = pol("aws_iam_role_policy.read", st(action="s3:GetObject", resource="arn:aws:s3:::data/*", sid="Read"))
deny_obj = pol("aws_iam_role_policy.deny", st("Deny", action="s3:*", resource=OBJ, sid="DenyObj"))
admin = pol("aws_iam_policy.admin", st(action="*", resource="*", sid="Admin"))
scp_all = pol("aws_organizations_policy.full", st(action="*", resource="*", sid="FullAWS"), kind="scp")
scp_ec2 = pol("aws_organizations_policy.ec2", st(action="ec2:*", resource="*", sid="OnlyEC2"), kind="scp")
scp_deny_s3 = pol("aws_organizations_policy.nos3", st("Deny", action="s3:*", resource="*", sid="NoS3"), kind="scp")
bound_ec2 = pol("aws_iam_policy.boundary", st(action="ec2:*", resource="*", sid="BoundEC2"), kind="boundary")
bound_s3 = pol("aws_iam_policy.boundary_s3", st(action="s3:*", resource="*", sid="BoundS3"), kind="boundary")


def bucket_policy(principal, sid="Bucket", effect="Allow", action="s3:GetObject", kind="resource", **kw):
    return pol("aws_s3_bucket_policy.data", st(effect, action=action, resource="arn:aws:s3:::data/*",
                                                principal=principal, sid=sid, **kw), kind=kind)


U = Unknown("variable reader has no value")

CASES = [
    # name, request, evaluate() keywords, decision, deciding sids
    ("identity allows", req("s3:GetObject", OBJ), dict(identity=[read_all]), "allow", ["Read"]),
    ("nothing allows", req("s3:PutObject", OBJ), dict(identity=[read_all]), "implicit-deny", []),
    ("no policies", req("s3:GetObject", OBJ), dict(), "implicit-deny", []),
    ("explicit deny beats allow", req("s3:GetObject", OBJ), dict(identity=[admin, deny_obj]), "explicit-deny", ["DenyObj"]),
    ("deny elsewhere does not apply", req("s3:GetObject", "arn:aws:s3:::data/other"), dict(identity=[admin, deny_obj]), "allow", ["Admin"]),
    ("wildcard action", req("ec2:RunInstances", "*"), dict(identity=[pol("p", st(action="ec2:Run*", resource="*", sid="W"))]), "allow", ["W"]),
    ("wildcard ? in action", req("s3:GetObject", OBJ), dict(identity=[pol("p", st(action="s3:G?tObject", resource="*", sid="Q"))]), "allow", ["Q"]),
    ("action case-insensitive", req("S3:GETOBJECT", OBJ), dict(identity=[read_all]), "allow", ["Read"]),
    ("ARN case-sensitive", req("s3:GetObject", "arn:aws:s3:::DATA/k"), dict(identity=[read_all]), "implicit-deny", []),
    ("NotAction allows the rest", req("ec2:RunInstances", "*"),
     dict(identity=[pol("p", st(not_action="iam:*", resource="*", sid="NotIAM"))]), "allow", ["NotIAM"]),
    ("NotAction leaves out", req("iam:CreateUser", "*"),
     dict(identity=[pol("p", st(not_action="iam:*", resource="*", sid="NotIAM"))]), "implicit-deny", []),
    ("NotResource allows others", req("s3:GetObject", "arn:aws:s3:::logs/k"),
     dict(identity=[pol("p", st(action="s3:*", not_resource="arn:aws:s3:::data/*", sid="NotData"))]), "allow", ["NotData"]),
    ("NotResource leaves out", req("s3:GetObject", OBJ),
     dict(identity=[pol("p", st(action="s3:*", not_resource="arn:aws:s3:::data/*", sid="NotData"))]), "implicit-deny", []),
    ("Deny with NotAction", req("iam:CreateUser", "*"),
     dict(identity=[admin, pol("p", st("Deny", not_action=["s3:*", "ec2:*"], resource="*", sid="OnlyS3EC2"))]), "explicit-deny", ["OnlyS3EC2"]),
    ("SCP allows", req("ec2:RunInstances", "*"), dict(identity=[admin], guardrails=[scp_all]), "allow", ["Admin"]),
    ("SCP without allow", req("s3:GetObject", OBJ), dict(identity=[admin], guardrails=[scp_ec2]), "implicit-deny", ["aws_organizations_policy.ec2"]),
    ("SCP deny", req("s3:GetObject", OBJ), dict(identity=[admin], guardrails=[scp_all, scp_deny_s3]), "explicit-deny", ["NoS3"]),
    ("every SCP level must allow", req("s3:GetObject", OBJ), dict(identity=[admin], guardrails=[scp_all, scp_ec2]),
     "implicit-deny", ["aws_organizations_policy.ec2"]),
    ("boundary lacks allow", req("s3:GetObject", OBJ), dict(identity=[admin], boundary=bound_ec2), "implicit-deny", ["aws_iam_policy.boundary"]),
    ("boundary allows", req("s3:GetObject", OBJ), dict(identity=[read_all], boundary=bound_s3), "allow", ["Read"]),
    ("boundary alone grants nothing", req("s3:GetObject", OBJ), dict(boundary=bound_s3), "implicit-deny", []),
    ("boundary deny", req("s3:GetObject", OBJ),
     dict(identity=[admin], boundary=pol("b", st(action="*", resource="*"), st("Deny", action="s3:*", resource="*", sid="BDeny"), kind="boundary")),
     "explicit-deny", ["BDeny"]),
    ("session policy lacks allow", req("s3:GetObject", OBJ),
     dict(identity=[admin], session=[pol("sess", st(action="ec2:*", resource="*"), kind="session")]), "implicit-deny", ["sess"]),
    ("resource policy grants, same account", req("s3:GetObject", OBJ), dict(resource_policy=bucket_policy({"AWS": ROLE})), "allow", ["Bucket"]),
    ("resource policy to the account delegates", req("s3:GetObject", OBJ),
     dict(resource_policy=bucket_policy({"AWS": ACCT})), "implicit-deny", []),
    ("resource + identity both listed", req("s3:GetObject", OBJ),
     dict(identity=[read_all], resource_policy=bucket_policy({"AWS": ROLE})), "allow", ["Read", "Bucket"]),
    ("cross-account needs both: resource only", req("s3:GetObject", OBJ, principal="arn:aws:iam::%s:role/x" % OTHER, account=OTHER,
                                                    resource_account=ACCT),
     dict(resource_policy=bucket_policy({"AWS": "arn:aws:iam::%s:role/x" % OTHER})), "implicit-deny", []),
    ("cross-account needs both: identity only", req("s3:GetObject", OBJ, principal="arn:aws:iam::%s:role/x" % OTHER, account=OTHER,
                                                    resource_account=ACCT),
     dict(identity=[read_all]), "implicit-deny", []),
    ("cross-account both allow", req("s3:GetObject", OBJ, principal="arn:aws:iam::%s:role/x" % OTHER, account=OTHER, resource_account=ACCT),
     dict(identity=[read_all], resource_policy=bucket_policy({"AWS": OTHER})), "allow", ["Read", "Bucket"]),
    ("resource policy deny", req("s3:GetObject", OBJ),
     dict(identity=[admin], resource_policy=bucket_policy("*", sid="DenyAll", effect="Deny", action="s3:*")), "explicit-deny", ["DenyAll"]),
    ("resource policy names a user: boundary does not limit", req("s3:GetObject", OBJ, principal=USER),
     dict(resource_policy=bucket_policy({"AWS": USER}), boundary=bound_ec2, principal_kind="user"), "allow", ["Bucket"]),
    ("resource policy names a role: boundary limits", req("s3:GetObject", OBJ),
     dict(resource_policy=bucket_policy({"AWS": ROLE}), boundary=bound_ec2), "implicit-deny", ["aws_iam_policy.boundary"]),
    ("resource policy names a session: boundary does not limit",
     req("s3:GetObject", OBJ, principal="arn:aws:sts::%s:assumed-role/app/s1" % ACCT),
     dict(resource_policy=bucket_policy({"AWS": "arn:aws:sts::%s:assumed-role/app/s1" % ACCT}), boundary=bound_ec2), "allow", ["Bucket"]),
    ("condition met", req("s3:GetObject", OBJ, aws__SourceIp="10.1.1.1"),
     dict(identity=[pol("p", st(action="s3:*", resource="*", sid="FromVpc", condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))]),
     "allow", ["FromVpc"]),
    ("condition unmet", req("s3:GetObject", OBJ, aws__SourceIp="8.8.8.8"),
     dict(identity=[pol("p", st(action="s3:*", resource="*", sid="FromVpc", condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))]),
     "implicit-deny", []),
    ("condition key missing", req("s3:GetObject", OBJ),
     dict(identity=[pol("p", st(action="s3:*", resource="*", sid="FromVpc", condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))]),
     "implicit-deny", []),
    ("IfExists with the key missing", req("ec2:RunInstances", "*"),
     dict(identity=[pol("p", st(action="ec2:*", resource="*", sid="Small", condition={"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}))]),
     "allow", ["Small"]),
    ("deny unless MFA (Null)", req("s3:GetObject", OBJ),
     dict(identity=[admin, pol("p", st("Deny", action="*", resource="*", sid="NoMFA", condition={"Null": {"aws:MultiFactorAuthAge": "true"}}))]),
     "explicit-deny", ["NoMFA"]),
    ("ForAllValues with the key missing allows", req("dynamodb:GetItem", "*"),
     dict(identity=[pol("p", st(action="dynamodb:GetItem", resource="*", sid="Attrs",
                                condition={"ForAllValues:StringEquals": {"dynamodb:Attributes": ["id", "name"]}}))]),
     "allow", ["Attrs"]),
    ("policy variable", req("s3:GetObject", "arn:aws:s3:::home/bob/k", principal=USER, aws__username="bob"),
     dict(identity=[pol("p", st(action="s3:GetObject", resource="arn:aws:s3:::home/${aws:username}/*", sid="Home"))], principal_kind="user"),
     "allow", ["Home"]),
    ("policy variable, other user", req("s3:GetObject", "arn:aws:s3:::home/bob/k", principal=USER, aws__username="eve"),
     dict(identity=[pol("p", st(action="s3:GetObject", resource="arn:aws:s3:::home/${aws:username}/*", sid="Home"))]),
     "implicit-deny", []),
    ("wildcard ARN", req("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:%s:table/t" % ACCT),
     dict(identity=[pol("p", st(action="dynamodb:*", resource="arn:aws:dynamodb:*:*:table/*", sid="Tables"))]), "allow", ["Tables"]),
    # Unknown parts
    ("unknown effect", req("s3:GetObject", OBJ), dict(identity=[read_all, pol("p", st(U, action="s3:*", resource="*", sid="Maybe"))]),
     "unknown", ["Maybe"]),
    ("unknown action item", req("s3:GetObject", OBJ), dict(identity=[pol("p", st(action=[U], resource="*", sid="Var"))]), "unknown", ["Var"]),
    ("unknown action item that cannot match", req("s3:GetObject", OBJ),
     dict(identity=[pol("p", st(action=[Partial("iam:", U)], resource="*", sid="Var"))]), "implicit-deny", []),
    ("unknown resource piece", req("s3:GetObject", OBJ),
     dict(identity=[pol("p", st(action="s3:*", resource=Partial("arn:aws:s3:::", U, "/*"), sid="Var"))]), "unknown", ["Var"]),
    ("symbolic resource of the same bucket", req("s3:GetObject", Partial(AttrUnknown("aws_s3_bucket.data"), "/k")),
     dict(identity=[pol("p", st(action="s3:*", resource=Partial(AttrUnknown("aws_s3_bucket.data"), "/*"), sid="Sym"))]), "allow", ["Sym"]),
    ("symbolic resource of another bucket", req("s3:GetObject", Partial(AttrUnknown("aws_s3_bucket.data"), "/k")),
     dict(identity=[pol("p", st(action="s3:*", resource=Partial(AttrUnknown("aws_s3_bucket.logs"), "/*"), sid="Sym"))]), "implicit-deny", []),
    ("unknown deny beside an allow", req("s3:GetObject", OBJ),
     dict(identity=[read_all, pol("p", st("Deny", action="s3:*", resource=[U], sid="MaybeDeny"))]), "unknown", ["MaybeDeny"]),
    ("unresolved policy turns implicit deny unknown", req("s3:PutObject", OBJ),
     dict(identity=[read_all], unresolved=[Unknown("AWS managed policy arn:aws:iam::aws:policy/Foo is not shipped")]), "unknown",
     ["AWS managed policy arn:aws:iam::aws:policy/Foo is not shipped"]),
    ("unresolved policy turns allow unknown", req("s3:GetObject", OBJ),
     dict(identity=[read_all], unresolved=[Unknown("policy var.arn")]), "unknown", ["policy var.arn"]),
    ("unknown document", req("s3:GetObject", OBJ), dict(identity=[pol("aws_iam_policy.x", unknown=Unknown("file() of a missing file"))]),
     "unknown", ["aws_iam_policy.x"]),
    ("explicit deny wins over unknowns", req("s3:GetObject", OBJ), dict(identity=[deny_obj], unresolved=[U]), "explicit-deny", ["DenyObj"]),
    ("unknown condition value", req("s3:GetObject", OBJ, aws__username="bob"),
     dict(identity=[pol("p", st(action="s3:*", resource="*", sid="C", condition={"StringEquals": {"aws:username": U}}))]), "unknown", ["C"]),
    ("unknown account relation, answers agree", req("s3:GetObject", OBJ, account=Unknown("account not known"), resource_account=ACCT),
     dict(identity=[read_all], resource_policy=bucket_policy({"AWS": ROLE})), "allow", ["Read", "Bucket"]),
    ("unknown account relation, answers differ", req("s3:GetObject", OBJ, account=Unknown("account not known"), resource_account=ACCT),
     dict(identity=[read_all]), "unknown", []),
    ("unresolved SCP", req("s3:GetObject", OBJ), dict(identity=[admin], unresolved_guardrails=[Unknown("SCP targets not known")]),
     "unknown", ["SCP targets not known"]),
    # KMS and trust policies
    ("KMS: identity alone gives nothing without the key policy", req("kms:Decrypt", "arn:aws:kms:us-east-1:%s:key/1" % ACCT),
     dict(identity=[admin], resource_policy=pol("key", st(action="kms:*", resource="*", principal={"AWS": "arn:aws:iam::%s:role/other" % ACCT},
                                                           sid="Other"), kind="resource")), "implicit-deny", []),
    ("KMS: key policy delegates to the account", req("kms:Decrypt", "arn:aws:kms:us-east-1:%s:key/1" % ACCT),
     dict(identity=[admin], resource_policy=pol("key", st(action="kms:*", resource="*", principal={"AWS": "arn:aws:iam::%s:root" % ACCT},
                                                           sid="Root"), kind="resource")), "allow", ["Admin", "Root"]),
    ("KMS: key policy account only, no identity", req("kms:Decrypt", "arn:aws:kms:us-east-1:%s:key/1" % ACCT),
     dict(resource_policy=pol("key", st(action="kms:*", resource="*", principal={"AWS": ACCT}, sid="Root"), kind="resource")),
     "implicit-deny", []),
    ("trust policy names the user", req("sts:AssumeRole", ROLE, principal=USER),
     dict(resource_policy=pol("trust", st(action="sts:AssumeRole", principal={"AWS": USER}, sid="Trust"), kind="trust"), principal_kind="user"),
     "allow", ["Trust"]),
    ("trust policy names another", req("sts:AssumeRole", ROLE, principal=USER),
     dict(identity=[admin], resource_policy=pol("trust", st(action="sts:AssumeRole", principal={"Service": "ec2.amazonaws.com"}, sid="Trust"),
                                                kind="trust")), "implicit-deny", []),
    ("trust policy not given", req("sts:AssumeRole", ROLE, principal=USER), dict(identity=[admin]), "unknown", []),
]


@pytest.mark.parametrize(("name", "request_", "kw", "decision", "deciding"), CASES, ids=[c[0] for c in CASES])
def test_evaluate(name, request_, kw, decision, deciding):
    d = evaluate(request_, **kw)
    assert (d.decision, sids(d)) == (decision, deciding), d.reason
    assert d.reason


def test_unknown_reasons_name_the_policy_and_the_unknown():
    d = evaluate(req("s3:GetObject", OBJ), identity=[pol("aws_iam_role_policy.x", st(action=[U], resource="*", sid="Var"))])
    assert "aws_iam_role_policy.x (Var)" in d.reason and "variable reader has no value" in d.reason
    d = evaluate(req("s3:PutObject", OBJ), identity=[read_all], unresolved=[Unknown("AWS managed policy Foo is not shipped")])
    assert "AWS managed policy Foo is not shipped" in d.reason


def test_implicit_deny_names_the_guardrail():
    d = evaluate(req("s3:GetObject", OBJ), identity=[admin], boundary=bound_ec2)
    assert "aws_iam_policy.boundary" in d.reason and "boundary" in d.reason


def test_statement_matches_principal_for_resource_kinds():
    s = st(action="s3:GetObject", resource="arn:aws:s3:::data/*", principal={"AWS": ROLE})
    assert statement_matches(s, req("s3:GetObject", OBJ)) is True
    assert statement_matches(s, req("s3:GetObject", OBJ, principal=USER)) is False
    deny_np = st("Deny", action="s3:*", resource="*", not_principal={"AWS": [ROLE, "arn:aws:iam::%s:root" % ACCT]})
    assert statement_matches(deny_np, req("s3:GetObject", OBJ)) is False
    # boundaries page: a Deny with NotPrincipal always denies a principal with a boundary
    assert statement_matches(deny_np, req("s3:GetObject", OBJ), has_boundary=True) is True


def _principal(kind="user", name="bob", arn=USER, **kw):
    address = "aws_iam_%s.%s" % (kind, name)
    resource = Resource(id=address, address=address, type="aws_iam_%s" % kind, language="terraform", properties={},
                        location=Location("main.tf", 1, 1))
    return Principal(resource=resource, kind=kind, name=name, arn=arn, account=ACCT, **kw)


def test_simulate_fills_the_requester_and_the_context():
    home = pol("p", st(action="s3:GetObject", resource="arn:aws:s3:::home/${aws:username}/*", sid="Home"))
    bob = _principal(identity_policies=(home,))
    d = simulate(bob, Request_("s3:GetObject", "arn:aws:s3:::home/bob/k"))
    assert (d.decision, sids(d)) == ("allow", ["Home"])
    d = simulate(bob, Request_("s3:GetObject", "arn:aws:s3:::home/eve/k"))
    assert d.decision == "implicit-deny"


def test_simulate_passes_guardrails_and_picks_the_trust_policy():
    role = _principal("role", "app", ROLE, identity_policies=(admin,), boundary=bound_ec2,
                      trust=pol("trust", st(action="sts:AssumeRole", principal={"Service": "ec2.amazonaws.com"}, sid="Ec2"), kind="trust"))
    assert sids(simulate(role, Request_("s3:GetObject", OBJ))) == ["aws_iam_policy.boundary"]
    # sts:AssumeRole on the principal's own ARN: its trust policy is the resource policy
    plain = _principal("role", "app", ROLE, trust=role.trust)
    d = simulate(plain, Request_("sts:AssumeRole", ROLE, principal_arn="ec2.amazonaws.com"))
    assert (d.decision, sids(d)) == ("allow", ["Ec2"])
    d = simulate(plain, Request_("sts:AssumeRole", ROLE, principal_arn="lambda.amazonaws.com"))
    assert d.decision == "implicit-deny"
    bucket = ResourcePolicy(resource=role.resource, arn=BUCKET, account=OTHER, policy=bucket_policy({"AWS": ROLE}))
    # the bucket's account differs from the role's: both policies needed; the boundary still limits
    role2 = _principal("role", "app", ROLE, identity_policies=(read_all,))
    assert simulate(role2, Request_("s3:GetObject", OBJ), [bucket]).decision == "allow"
    role3 = _principal("role", "app", ROLE)
    assert simulate(role3, Request_("s3:GetObject", OBJ), [bucket]).decision == "implicit-deny"


def Request_(action, resource, **kw):
    from iacguard.iam.model import Request

    return Request(action=action, resource=resource, **kw)
