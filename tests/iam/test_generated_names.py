"""Names known only at deploy (issue 14, generated names): `NameUnknown` pieces of
iacguard.facts.arns and the matcher (iacguard.iam.matching) telling two resources of one scan
apart. A policy naming resource a (its ARN, its name) never matches another resource b of the
same namespace when the rest of the ARN is the same, even when neither name is known; it
matches a itself; a pattern with unknown parts that is not such a reference, a name followed by
`*`, or a name after a wildcard stays undecided."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from iam_helpers import Partial

from iacguard.core.unknown import Unknown, is_unknown
from iacguard.engine import build_graph
from iacguard.facts.arns import NameUnknown
from iacguard.facts.iam_access import Authorization
from iacguard.iam.matching import arn_matches, equals
from iacguard.iam.model import ALLOWED, IMPLICIT_DENY, UNKNOWN

S3 = "arn:{partition}:s3:::{name}#name"
TABLE = "arn:{partition}:dynamodb:{region}:{account}:table/{name}#name"
GENERATED = Path(__file__).resolve().parent.parent / "exposure" / "fixtures" / "paths" / "generated"


def name(node, space=S3, stops="/:", taken=frozenset()):
    return NameUnknown("name of %s is generated at deploy" % node, node, "bucket", space, stops, taken)


A, B = name("A"), name("B")


def bucket(piece, *rest):
    return Partial("arn:aws:s3:::", piece, *rest)


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (bucket(A, "/*"), bucket(A, "/*"), True),  # the same resource: decided, name unknown
        (bucket(A), bucket(A), True),
        (bucket(A, "/*"), bucket(B, "/*"), False),  # another resource of the scan
        (bucket(A, "/*"), bucket(B, "/reports/x.csv"), False),
        (bucket(A), bucket(B), False),
        (bucket(A), bucket(B, "/*"), False),  # a bucket name never holds "/"
        (bucket(A, "/*"), Partial("arn:aws:s3:::logs-", B, "/*"), False),  # bucket_prefix
        (Partial("arn:aws:s3:::logs-", A, "/*"), bucket(B, "/*"), False),
        (bucket(A, "/*"), "arn:aws:s3:::media/x", "U"),  # a named bucket the scan does not hold
        (bucket(A, "*"), bucket(B), "U"),  # a may be a prefix of b's name
        (Partial("arn:aws:s3:::*", A, "/*"), bucket(B, "/*"), "U"),  # a wildcard before the name
        (bucket(A, "-logs/*"), bucket(B, "/*"), "U"),  # b may be named a's name + "-logs"
        (bucket(Unknown("var.x has no value"), "/*"), bucket(B, "/*"), "U"),  # not a reference
        (bucket(Unknown("var.x has no value"), "/*"), "arn:aws:s3:::media/k", "U"),
        (bucket(name("T", TABLE), "/*"), bucket(B, "/*"), "U"),  # a table's name may be a bucket's
    ],
)
def test_names_of_two_resources_differ(pattern, value, expected):
    got = arn_matches(pattern, value, {})
    if expected == "U":
        assert is_unknown(got), got
    else:
        assert got is expected


def test_regional_names_differ_only_where_the_rest_of_the_arn_is_pinned():
    ta, tb = name("TA", TABLE), name("TB", TABLE)
    pinned = "arn:aws:dynamodb:us-east-1:111122223333:table/"
    assert arn_matches(Partial(pinned, ta), Partial(pinned, tb), {}) is False
    assert arn_matches(Partial(pinned, ta), Partial(pinned, ta), {}) is True
    # Two tables of one name may live in two regions: a pattern for any region stays undecided.
    assert is_unknown(arn_matches(Partial("arn:aws:dynamodb:*:111122223333:table/", ta), Partial(pinned, tb), {}))


def test_a_known_arn_of_another_resource_of_the_scan_is_not_a_generated_name():
    taken = {"arn:aws:s3:::acme-archive"}
    a = name("A", taken=taken)
    b = name("B", taken=taken)
    assert arn_matches(bucket(a, "/*"), "arn:aws:s3:::acme-archive/k", {}) is False
    assert arn_matches(bucket(a), "arn:aws:s3:::acme-archive", {}) is False
    assert is_unknown(arn_matches(bucket(a, "/*"), "arn:aws:s3:::acme-other/k", {}))  # not in the scan
    # the other way round: a literal grant on the named bucket, asked of a generated one
    assert arn_matches("arn:aws:s3:::acme-archive/*", bucket(b, "/k"), {}) is False
    assert is_unknown(arn_matches("arn:aws:s3:::acme-*", bucket(b, "/k"), {}))
    assert equals(bucket(a), "arn:aws:s3:::acme-archive") is False


def test_name_unknown_pickles_without_the_index():
    a = name("A", taken={"arn:aws:s3:::x"})
    back = pickle.loads(pickle.dumps(a))
    assert (type(back), back.node, back.attribute, back.namespace, back.stops, back.taken) == (
        NameUnknown, "A", "bucket", S3, "/:", frozenset())


def _ask(path: Path):
    graph = build_graph([str(path)]).graph
    return Authorization(graph)


@pytest.mark.parametrize(
    ("language", "role", "target", "expected"),
    [
        ("terraform", "aws_iam_role.app", "aws_s3_bucket.a/k", ALLOWED),
        ("terraform", "aws_iam_role.app", "aws_s3_bucket.b/k", IMPLICIT_DENY),
        ("terraform", "aws_iam_role.app", "aws_s3_bucket.c/k", IMPLICIT_DENY),
        ("terraform", "aws_iam_role.app", "aws_s3_bucket.archive/k", IMPLICIT_DENY),
        ("terraform", "aws_iam_role.app", "arn:aws:s3:::acme-archive/k", IMPLICIT_DENY),
        ("cloudformation", "AppRole", "A/k", ALLOWED),
        ("cloudformation", "AppRole", "B/k", IMPLICIT_DENY),
        ("cloudformation", "AppRole", "Named/k", IMPLICIT_DENY),
    ],
)
def test_simulate_a_grant_by_reference(language, role, target, expected):
    auth = _ask(GENERATED / language)
    decision = auth.simulate(auth.principal(role), "s3:GetObject", auth.target(target))
    assert decision.decision == expected, decision.reason


def test_simulate_cloudformation_getatt_and_ref_forms():
    auth = _ask(GENERATED / "cloudformation")
    role = auth.principal("AppRole")
    assert auth.simulate(role, "s3:ListBucket", auth.target("A")).decision == ALLOWED  # !GetAtt A.Arn
    assert auth.simulate(role, "s3:ListBucket", auth.target("B")).decision == IMPLICIT_DENY
    assert auth.simulate(role, "s3:PutObject", auth.target("A/x")).decision == ALLOWED  # !Sub ${A}
    assert auth.simulate(role, "s3:PutObject", auth.target("B/x")).decision == IMPLICIT_DENY


def test_who_can_read_a_generated_bucket(tmp_path):
    """Who may read b: not the role granted a; a role granted by a variable: undecided."""
    text = (GENERATED / "terraform" / "main.tf").read_text()
    (tmp_path / "main.tf").write_text(text + '''
variable "bucket" {}

resource "aws_iam_role" "other" {
  name               = "other"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "by_variable" {
  role   = aws_iam_role.other.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::${var.bucket}/*" }] })
}
''')
    auth = _ask(tmp_path)
    for target, app in (("aws_s3_bucket.a/k", ALLOWED), ("aws_s3_bucket.b/k", IMPLICIT_DENY)):
        got = {p.address: d.decision for p, d in auth.who_can("s3:GetObject", auth.target(target))}
        assert got == {"aws_iam_role.app": app, "aws_iam_role.other": UNKNOWN}


def test_the_index_of_known_arns_is_built_once_and_only_when_asked():
    graph = build_graph([str(GENERATED / "terraform")]).graph
    auth = Authorization(graph)
    role = auth.principal("aws_iam_role.app")
    assert auth.simulate(role, "s3:GetObject", auth.target("aws_s3_bucket.b/k")).decision == IMPLICIT_DENY
    assert not hasattr(graph, "_arn_names_taken")  # two generated names: told apart without it
    assert auth.simulate(role, "s3:GetObject", auth.target("aws_s3_bucket.archive/k")).decision == IMPLICIT_DENY
    index = graph._arn_names_taken
    assert index == {"arn:{partition}:s3:::{name}#name": {"arn:aws:s3:::acme-archive"}}
    auth.simulate(role, "s3:GetObject", auth.target("arn:aws:s3:::acme-archive/x"))
    assert graph._arn_names_taken is index
