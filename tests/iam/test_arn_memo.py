"""The arn_matches memo (iacguard.iam.matching._arn_memo): its answers equal the unmemoized
matcher's, asked once or many times, policy variables still read the request context, and the
table stays within MAX_ARN_MEMO entries."""
from __future__ import annotations

import pytest
from iam_helpers import AttrUnknown, Partial

from iacguard.core.unknown import Unknown, is_unknown
from iacguard.facts.arns import NameUnknown
from iacguard.iam import matching
from iacguard.iam.matching import arn_matches

S3 = "arn:{partition}:s3:::{name}#name"


def _name(node):
    return NameUnknown("name of %s is generated at deploy" % node, node, "bucket", S3, "/:", frozenset())


A, B = _name("A"), _name("B")
STACK = Unknown("pseudo parameter AWS::StackName")
ARN_A = AttrUnknown("A")

PAIRS = [
    (Partial("arn:aws:s3:::", STACK, "-prod-bucket-0"), Partial("arn:aws:s3:::", STACK, "-prod-bucket-0")),
    (Partial("arn:aws:s3:::", A, "/*"), Partial("arn:aws:s3:::", A, "/*")),
    (Partial("arn:aws:s3:::", A, "/*"), Partial("arn:aws:s3:::", B, "/*")),
    (Partial("arn:aws:s3:::", A, "*"), Partial("arn:aws:s3:::", B)),
    (Partial("arn:aws:s3:::", STACK, "/*"), "arn:aws:s3:::media/k"),
    ("arn:aws:s3:::media/*", Partial("arn:aws:s3:::", STACK, "/k")),
    (ARN_A, ARN_A),
    (ARN_A, AttrUnknown("B")),
    (Unknown("var.x"), "arn:aws:s3:::x"),
    ("arn:aws:s3:::a*", "arn:aws:s3:::ab"),
]


def _same(a, b):
    if is_unknown(a) or is_unknown(b):
        return is_unknown(a) and is_unknown(b) and a.reason == b.reason
    return a is b


@pytest.mark.parametrize(("pattern", "value"), PAIRS)
def test_memo_answers_equal_unmemoized(pattern, value):
    matching._arn_memo.clear()
    plain = matching._arn_matches(pattern, value, {})
    for _ in range(3):  # the first call fills the memo, the next ones read it
        assert _same(arn_matches(pattern, value, {}), plain)
        assert _same(arn_matches(pattern, value, None), plain)


def test_policy_variables_are_not_memoized_across_contexts():
    matching._arn_memo.clear()
    pattern = Partial("arn:aws:s3:::home/${aws:username}/", STACK)
    value = Partial("arn:aws:s3:::home/alice/", STACK)
    alice = arn_matches(pattern, value, {"aws:username": "alice"})
    bob = arn_matches(pattern, value, {"aws:username": "bob"})
    assert bob is False and is_unknown(alice)
    assert arn_matches(pattern, value, {}) is False  # a variable without a value: no match


def test_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(matching, "MAX_ARN_MEMO", 4)
    matching._arn_memo.clear()
    values = [Partial("arn:aws:s3:::", STACK, "-%d" % i) for i in range(10)]
    for v in values:
        assert is_unknown(arn_matches(v, v, {}))
        assert len(matching._arn_memo) <= 4
    # an id reused by another object is never taken for the first one
    pattern = Partial("arn:aws:s3:::", A, "/*")
    assert arn_matches(pattern, Partial("arn:aws:s3:::", A, "/*"), {}) is True
    assert arn_matches(pattern, Partial("arn:aws:s3:::", B, "/*"), {}) is False


@pytest.mark.parametrize(("glob", "fmt"), [
    ("arn:aws:s3:::b/*", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"),
    ("arn:aws:s3:::b/*", "arn:${Partition}:s3:::${BucketName}/${ObjectName}"),
    ("arn:aws:s3:::b", "arn:${Partition}:s3:::${BucketName}/${ObjectName}"),
    ("*", "arn:${Partition}:s3:::${BucketName}"),
    ("arn:*:s3:::*-prod-bucket-0", "arn:${Partition}:s3:::${BucketName}"),
    ("arn:aws:s3", "arn:${Partition}:s3:::${BucketName}"),
    ("x" * 3000, "arn:${Partition}:s3:::${BucketName}"),  # too long to keep: asked directly
])
def test_arn_can_match_cache_equals_direct(glob, fmt):
    from iacguard.iam import catalogue

    direct = catalogue._arn_can_match(glob, fmt)
    assert catalogue.arn_can_match(glob, fmt) is direct
    assert catalogue.arn_can_match(glob, fmt) is direct  # from the cache
