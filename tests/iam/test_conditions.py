"""Condition operators (iacguard.iam.conditions): each family, IfExists, Null, set operators,
missing keys as AWS documents them, policy variables, unknown operators and values."""
from __future__ import annotations

import pytest

from iacguard.core.unknown import Unknown, is_unknown
from iacguard.iam.conditions import condition_matches
from iacguard.iam.model import Condition


def one(op, key, values, ctx):
    values = values if isinstance(values, tuple) else (values,)
    return condition_matches((Condition(op, key, values),), {k.lower(): v for k, v in ctx.items()})


@pytest.mark.parametrize(
    ("op", "key", "values", "ctx", "expected"),
    [
        ("StringEquals", "aws:username", "bob", {"aws:username": ("bob",)}, True),
        ("StringEquals", "aws:username", "bob", {"aws:username": ("Bob",)}, False),  # values case-sensitive
        ("StringEquals", "AWS:UserName", "bob", {"aws:username": ("bob",)}, True),  # keys are not
        ("StringEquals", "aws:username", ("a", "bob"), {"aws:username": ("bob",)}, True),  # values OR-ed
        ("StringEquals", "aws:username", "bob", {}, False),  # missing key
        ("StringNotEquals", "aws:username", "bob", {"aws:username": ("eve",)}, True),
        ("StringNotEquals", "aws:username", ("bob", "eve"), {"aws:username": ("eve",)}, False),
        ("StringNotEquals", "aws:username", "bob", {}, True),  # negated, missing key
        ("StringEqualsIgnoreCase", "aws:username", "BOB", {"aws:username": ("bob",)}, True),
        ("StringNotEqualsIgnoreCase", "aws:username", "BOB", {"aws:username": ("bob",)}, False),
        ("StringLike", "s3:prefix", "home/*", {"s3:prefix": ("home/bob/",)}, True),
        ("StringLike", "s3:prefix", "home/?", {"s3:prefix": ("home/ab",)}, False),
        ("StringNotLike", "s3:prefix", "home/*", {"s3:prefix": ("tmp/",)}, True),
        ("StringEquals", "s3:prefix", "a*", {"s3:prefix": ("abc",)}, False),  # no wildcards in Equals
        ("StringEqualsIfExists", "ec2:InstanceType", "t2.micro", {}, True),
        ("StringEqualsIfExists", "ec2:InstanceType", "t2.micro", {"ec2:instancetype": ("m5.large",)}, False),
        ("NumericLessThan", "s3:max-keys", "10", {"s3:max-keys": ("5",)}, True),
        ("NumericLessThan", "s3:max-keys", "10", {"s3:max-keys": ("10",)}, False),
        ("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": ("10",)}, True),
        ("NumericGreaterThan", "s3:max-keys", "10", {"s3:max-keys": ("11",)}, True),
        ("NumericGreaterThanEquals", "s3:max-keys", "10", {"s3:max-keys": ("9",)}, False),
        ("NumericEquals", "s3:max-keys", "10", {"s3:max-keys": (10,)}, True),
        ("NumericNotEquals", "s3:max-keys", "10", {"s3:max-keys": ("10",)}, False),
        ("NumericEquals", "s3:max-keys", "10", {"s3:max-keys": ("ten",)}, False),  # request value not a number
        ("DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", {"aws:currenttime": ("2019-06-01T00:00:00Z",)}, True),
        ("DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", {"aws:currenttime": ("2019-06-01T00:00:00Z",)}, False),
        ("DateEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", {"aws:currenttime": ("1577836800",)}, True),  # epoch
        ("DateNotEquals", "aws:CurrentTime", "2020-01-01", {"aws:currenttime": ("2020-01-02T00:00:00Z",)}, True),
        ("DateLessThanEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", {"aws:currenttime": ("2020-01-01T00:00:00Z",)}, True),
        ("DateGreaterThanEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", {"aws:currenttime": ("2019-12-31T23:59:59Z",)}, False),
        ("Bool", "aws:SecureTransport", "false", {"aws:securetransport": (False,)}, True),
        ("Bool", "aws:SecureTransport", "true", {"aws:securetransport": ("false",)}, False),
        ("BoolIfExists", "aws:MultiFactorAuthPresent", "false", {}, True),
        ("BinaryEquals", "key", "QmluYXJ5VmFsdWU=", {"key": ("QmluYXJ5VmFsdWU=",)}, True),
        ("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:sourceip": ("203.0.113.9",)}, True),
        ("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:sourceip": ("198.51.100.1",)}, False),
        ("IpAddress", "aws:SourceIp", "2001:DB8:1234:5678::/64", {"aws:sourceip": ("2001:db8:1234:5678::1",)}, True),
        ("IpAddress", "aws:SourceIp", "2001:DB8::/32", {"aws:sourceip": ("203.0.113.9",)}, False),  # v4 vs v6
        ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:sourceip": ("198.51.100.1",)}, True),
        ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {}, True),
        ("ArnLike", "aws:SourceArn", "arn:aws:sns:*:123456789012:t*", {"aws:sourcearn": ("arn:aws:sns:us-east-1:123456789012:topic",)}, True),
        ("ArnEquals", "aws:SourceArn", "arn:aws:sns:*:123456789012:topic", {"aws:sourcearn": ("arn:aws:sns:us-east-1:123456789012:topic",)}, True),
        ("ArnLike", "aws:SourceArn", "arn:aws:sns:*:123456789012:*", {"aws:sourcearn": ("arn:aws:sns:us-east-1:999999999999:topic",)}, False),
        ("ArnNotEquals", "aws:PrincipalArn", "arn:aws:iam::1:role/a", {"aws:principalarn": ("arn:aws:iam::1:role/b",)}, True),
        ("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::1:role/*", {"aws:principalarn": ("arn:aws:iam::1:role/b",)}, False),
        ("ArnLike", "aws:SourceArn", "arn:aws:s3:::b", {"aws:sourcearn": ("not-an-arn",)}, False),
        ("Null", "aws:TokenIssueTime", "true", {}, True),
        ("Null", "aws:TokenIssueTime", "true", {"aws:tokenissuetime": ("2024-01-01T00:00:00Z",)}, False),
        ("Null", "aws:TokenIssueTime", "false", {}, False),
        ("Null", "aws:TokenIssueTime", "false", {"aws:tokenissuetime": ("2024-01-01T00:00:00Z",)}, True),
        ("ForAllValues:StringEquals", "aws:TagKeys", ("a", "b"), {"aws:tagkeys": ("a",)}, True),
        ("ForAllValues:StringEquals", "aws:TagKeys", ("a", "b"), {"aws:tagkeys": ("a", "c")}, False),
        ("ForAllValues:StringEquals", "aws:TagKeys", ("a", "b"), {}, True),  # missing key: TRUE
        ("ForAllValues:StringEquals", "aws:TagKeys", ("a", "b"), {"aws:tagkeys": ()}, True),  # empty: TRUE
        ("ForAnyValue:StringEquals", "aws:TagKeys", ("a", "b"), {"aws:tagkeys": ("c", "b")}, True),
        ("ForAnyValue:StringEquals", "aws:TagKeys", ("a", "b"), {}, False),  # missing key: false
        ("ForAnyValue:StringNotEquals", "aws:TagKeys", "a", {"aws:tagkeys": ("a", "b")}, True),
        ("ForAllValues:StringNotEquals", "aws:TagKeys", "a", {"aws:tagkeys": ("b", "a")}, False),
        ("ForAllValues:StringLike", "aws:TagKeys", "env*", {"aws:tagkeys": ("env", "envx")}, True),
        ("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", "a", {}, True),
        ("StringEquals", "aws:TagKeys", "a", {"aws:tagkeys": ("b", "a")}, True),  # several values, no set operator
    ],
)
def test_operators(op, key, values, ctx, expected):
    assert one(op, key, values, ctx) is expected


def test_keys_and_operators_are_anded():
    ctx = {"aws:username": ("bob",), "aws:sourceip": ("10.0.0.1",)}
    both = (Condition("StringEquals", "aws:username", ("bob",)), Condition("IpAddress", "aws:SourceIp", ("10.0.0.0/8",)))
    assert condition_matches(both, ctx) is True
    one_fails = (both[0], Condition("IpAddress", "aws:SourceIp", ("192.168.0.0/16",)))
    assert condition_matches(one_fails, ctx) is False
    assert condition_matches((), ctx) is True


def test_policy_variables_in_condition_values():
    ctx = {"aws:username": ("bob",), "s3:prefix": ("home/bob/docs",)}
    assert one("StringLike", "s3:prefix", "home/${aws:username}/*", ctx) is True
    assert one("StringLike", "s3:prefix", "home/${aws:username}/*", {"s3:prefix": ("home/bob/docs",)}) is False
    assert one("StringEquals", "s3:prefix", "home/${aws:username}/docs", ctx) is True
    arn_ctx = {"aws:sourcearn": ("arn:aws:iam::1:user/bob",), "aws:username": ("bob",)}
    assert one("ArnLike", "aws:SourceArn", "arn:aws:iam::1:user/${aws:username}", arn_ctx) is True


def test_unknown_operator_and_unknown_values_are_unknown_never_a_pass():
    r = one("StringEqualz", "aws:username", "bob", {"aws:username": ("bob",)})
    assert is_unknown(r) and "StringEqualz" in r.reason
    assert is_unknown(one("NullIfExists", "k", "true", {}))
    assert is_unknown(one("ForSomeValues:StringEquals", "k", "v", {"k": ("v",)}))
    assert is_unknown(one("StringEquals", "aws:username", Unknown("var.user"), {"aws:username": ("bob",)}))
    assert is_unknown(one("StringEquals", "aws:username", "bob", {"aws:username": (Unknown("tag not known"),)}))
    assert is_unknown(one("NumericLessThan", "s3:max-keys", "ten", {"s3:max-keys": ("5",)}))
    assert is_unknown(one("IpAddress", "aws:SourceIp", "not-a-cidr", {"aws:sourceip": ("1.2.3.4",)}))
    assert is_unknown(condition_matches(Unknown("the block is a variable"), {}))
    # a False condition decides even beside an unknown one
    conds = (Condition("StringEquals", "k", (Unknown("x"),)), Condition("StringEquals", "j", ("v",)))
    assert condition_matches(conds, {"k": ("a",)}) is False
