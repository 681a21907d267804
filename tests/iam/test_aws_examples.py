"""The examples of the AWS IAM User Guide, with their documented outcomes. Each test cites the page
and section; the policies are the documented ones, in the model's shape."""
from __future__ import annotations

import pytest
from iam_helpers import pol, req, sids, st

from iacguard.iam.conditions import condition_matches
from iacguard.iam.evaluate import evaluate
from iacguard.iam.model import Condition

ACCT = "123456789012"
CARLOS = "arn:aws:iam::%s:user/carlossalazar" % ACCT

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
# section "Example identity-based and resource-based policy evaluation": carlossalazar's identity
# policy (AllowS3ListRead, AllowS3Self, DenyS3Logs) and the carlossalazar-logs bucket policy that
# grants him everything on it.
carlos_policy = pol(
    "carlos-identity",
    st(action=["s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket"], resource="arn:aws:s3:::*", sid="AllowS3ListRead"),
    st(action="s3:*", resource=["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"], sid="AllowS3Self"),
    st("Deny", action="s3:*", resource="arn:aws:s3:::*log*", sid="DenyS3Logs"),
)
logs_bucket = pol("carlossalazar-logs-policy",
                  st(action="s3:*", resource="arn:aws:s3:::carlossalazar-logs/*", principal={"AWS": CARLOS}, sid="AllowCarlos"),
                  kind="resource")


@pytest.mark.parametrize(
    ("action", "resource", "decision", "deciding"),
    [
        ("s3:PutObject", "arn:aws:s3:::carlossalazar/photo.jpg", "allow", ["AllowS3Self"]),
        # the explicit deny in his identity policy beats the bucket policy's allow
        ("s3:GetObject", "arn:aws:s3:::carlossalazar-logs/log.txt", "explicit-deny", ["DenyS3Logs"]),
        ("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/file.txt", "allow", ["AllowS3ListRead"]),
        ("s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket/file.txt", "implicit-deny", []),
    ],
)
def test_evaluation_logic_example(action, resource, decision, deciding):
    d = evaluate(req(action, resource, principal=CARLOS, account=ACCT), identity=[carlos_policy],
                 resource_policy=logs_bucket if "logs" in resource else None, principal_kind="user")
    assert (d.decision, sids(d)) == (decision, deciding)


def one(op, key, values, ctx):
    return condition_matches((Condition(op, key, tuple(values)),), ctx)


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
@pytest.mark.parametrize(
    ("section", "op", "key", "values", "ctx", "expected"),
    [
        # "String condition operators": aws:PrincipalTag/job-category = iamuser-admin
        ("String", "StringEquals", "aws:PrincipalTag/job-category", ["iamuser-admin"],
         {"aws:principaltag/job-category": ("iamuser-admin",)}, True),
        ("String", "StringEquals", "aws:PrincipalTag/job-category", ["iamuser-admin"], {}, False),
        # "String condition operators", StringLike with s3:prefix and a policy variable
        ("String", "StringLike", "s3:prefix", ["", "home/", "home/${aws:username}/"],
         {"s3:prefix": ("home/carlos/",), "aws:username": ("carlos",)}, True),
        # "Numeric condition operators": s3:max-keys at most 10
        ("Numeric", "NumericLessThanEquals", "s3:max-keys", ["10"], {"s3:max-keys": ("10",)}, True),
        ("Numeric", "NumericLessThanEquals", "s3:max-keys", ["10"], {"s3:max-keys": ("11",)}, False),
        # "Date condition operators": before 2020-06-30
        ("Date", "DateLessThan", "aws:CurrentTime", ["2020-06-30T00:00:00Z"], {"aws:currenttime": ("2020-06-29T23:00:00Z",)}, True),
        ("Date", "DateLessThan", "aws:CurrentTime", ["2020-06-30T00:00:00Z"], {"aws:currenttime": ("2020-07-01T00:00:00Z",)}, False),
        # "Boolean condition operators": aws:SecureTransport
        ("Bool", "Bool", "aws:SecureTransport", ["true"], {"aws:securetransport": ("true",)}, True),
        # "IP address condition operators": 203.0.113.0/24 and 2001:DB8:1234:5678::/64
        ("IP", "IpAddress", "aws:SourceIp", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], {"aws:sourceip": ("2001:db8:1234:5678::9",)}, True),
        ("IP", "IpAddress", "aws:SourceIp", ["203.0.113.0/24"], {"aws:sourceip": ("203.0.114.1",)}, False),
        # "Amazon Resource Name (ARN) condition operators": an SNS topic as aws:SourceArn
        ("ARN", "ArnEquals", "aws:SourceArn", ["arn:aws:sns:REGION:123456789012:TOPIC-ID"],
         {"aws:sourcearn": ("arn:aws:sns:REGION:123456789012:TOPIC-ID",)}, True),
        # "...IfExists condition operators": StringLikeIfExists ec2:InstanceType t1.*/t2.*/m3.*
        ("IfExists", "StringLikeIfExists", "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"], {}, True),
        ("IfExists", "StringLikeIfExists", "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"], {"ec2:instancetype": ("t2.micro",)}, True),
        ("IfExists", "StringLikeIfExists", "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"], {"ec2:instancetype": ("m5.large",)}, False),
        # "Condition operator to check existence of condition keys": Null aws:TokenIssueTime true
        # means temporary credentials are not used
        ("Null", "Null", "aws:TokenIssueTime", ["true"], {}, True),
        ("Null", "Null", "aws:TokenIssueTime", ["true"], {"aws:tokenissuetime": ("2024-05-01T00:00:00Z",)}, False),
    ],
)
def test_condition_operator_examples(section, op, key, values, ctx, expected):
    assert one(op, key, values, ctx) is expected


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
# sections "ForAllValues" and "ForAnyValue" (aws:TagKeys with environment, cost-center)
@pytest.mark.parametrize(
    ("op", "tag_keys", "expected"),
    [
        ("ForAllValues:StringEquals", ("environment", "cost-center"), True),
        ("ForAllValues:StringEquals", ("environment", "dept"), False),
        ("ForAllValues:StringEquals", None, True),  # no key in the request: matches (documented pitfall)
        ("ForAnyValue:StringEquals", ("environment", "dept"), True),
        ("ForAnyValue:StringEquals", ("dept",), False),
        ("ForAnyValue:StringEquals", None, False),
    ],
)
def test_multivalued_examples(op, tag_keys, expected):
    ctx = {} if tag_keys is None else {"aws:tagkeys": tag_keys}
    assert one(op, "aws:TagKeys", ["environment", "cost-center"], ctx) is expected


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
# section "Using variables in policies": each user's home folder in amzn-s3-demo-bucket
home = pol("home", st(action=["s3:GetObject", "s3:PutObject"], resource="arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*", sid="Home"))


@pytest.mark.parametrize(
    ("username", "key", "decision"),
    [("marco", "home/marco/a.txt", "allow"), ("marco", "home/carlos/a.txt", "implicit-deny"), (None, "home/marco/a.txt", "implicit-deny")],
)
def test_policy_variable_example(username, key, decision):
    ctx = {"aws:username": username} if username else {}
    r = req("s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket/" + key, **{k.replace(":", "__"): v for k, v in ctx.items()})
    assert evaluate(r, identity=[home]).decision == decision


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
# section "Specifying NotPrincipal with Deny": deny everyone but Bob of 444455556666 (the account
# ARN must be listed too, else the account, and with it Bob, is denied)
BOB = "arn:aws:iam::444455556666:user/Bob"


@pytest.mark.parametrize(
    ("listed", "principal", "decision"),
    [
        ((BOB, "arn:aws:iam::444455556666:root"), BOB, "allow"),
        ((BOB, "arn:aws:iam::444455556666:root"), "arn:aws:iam::444455556666:user/Eve", "explicit-deny"),
        ((BOB,), BOB, "explicit-deny"),
    ],
)
def test_not_principal_deny_example(listed, principal, decision):
    bucket = pol("bucket", st(action="s3:*", resource="arn:aws:s3:::b/*", principal="*", sid="Open"),
                 st("Deny", action="s3:*", resource="arn:aws:s3:::b/*", not_principal={"AWS": list(listed)}, sid="OnlyBob"), kind="resource")
    d = evaluate(req("s3:GetObject", "arn:aws:s3:::b/k", principal=principal, account="444455556666"), resource_policy=bucket,
                 principal_kind="user")
    assert d.decision == decision


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
# sections "Using NotAction with Allow" (everything but IAM) and "Using NotAction with Deny"
# (deny all but IAM when the user did not sign in with MFA, BoolIfExists)
def test_not_action_allow_example():
    p = pol("p", st(not_action="iam:*", resource="*", sid="AllButIAM"))
    assert evaluate(req("s3:ListBucket", "arn:aws:s3:::b"), identity=[p]).decision == "allow"
    assert evaluate(req("iam:CreateUser", "*"), identity=[p]).decision == "implicit-deny"


@pytest.mark.parametrize(("mfa", "action", "decision"),
                         [(None, "s3:ListBucket", "explicit-deny"), ("true", "s3:ListBucket", "allow"), (None, "iam:ListUsers", "allow")])
def test_not_action_deny_example(mfa, action, decision):
    allow = pol("admin", st(action="*", resource="*", sid="All"))
    deny = pol("mfa", st("Deny", not_action="iam:*", resource="*", sid="DenyAllUsersNotUsingMFA",
                         condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
    kw = {"aws__MultiFactorAuthPresent": mfa} if mfa else {}
    assert evaluate(req(action, "*", **kw), identity=[allow, deny]).decision == decision
