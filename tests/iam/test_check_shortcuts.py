"""Shortcuts of the IAM checks give the answers of the long way round:

- AWS-IAM-002 `_function_methods` skips the evaluator for a principal no identity statement of
  which may grant lambda:UpdateFunctionCode (and with no part that is not known): the same
  (found, open) as asking the evaluator about every function;
- AWS-IAM-010..012 validate one statement with `validate_statement`, not through a copy of its
  policy holding that statement only (`validate`), and read a statement's known-only form once.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from iacguard.checks.identity import iam_escalation, iam_validation
from iacguard.engine import build_graph
from iacguard.facts import Facts
from iacguard.iam import validate as v

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures" / "checks"
FOLDERS = [HERE / "data_shortcuts"] + [FIXTURES / c / lang for c in (
    "AWS-IAM-002", "AWS-IAM-010", "AWS-IAM-011", "AWS-IAM-012", "AWS-LAMBDA-701", "AWS-IAM-751", "AWS-PATH-001")
    for lang in ("cloudformation", "terraform") if (FIXTURES / c / lang).is_dir()]


def _facts(folder: Path) -> Facts:
    return Facts(build_graph([str(folder)]).graph)


def test_function_methods_shortcut_answers_as_the_evaluator(monkeypatch):
    skipped = asked = 0
    for folder in FOLDERS:
        facts = _facts(folder)
        principals = facts.of_kind("iam_principal")
        roles = {p.resource.id: p for p in principals if p.kind == "role"}
        functions = facts.of_kind("function_role")
        for principal in principals:
            memo: dict = {}
            fast = iam_escalation._function_methods(principal, functions, roles, {}, memo)
            shortcut = functions and not iam_escalation._allowing(principal, iam_escalation.UPDATE_CODE, {})
            with monkeypatch.context() as m:
                # The long way: every function asked of the evaluator.
                m.setattr(iam_escalation, "_allowing", lambda *a, **k: [(None, None)])
                slow = iam_escalation._function_methods(principal, functions, roles, {}, {})
            assert repr(fast) == repr(slow), principal.address
            skipped += bool(shortcut)
            asked += bool(functions) and not shortcut
    assert skipped >= 3 and asked >= 3  # both ways are exercised


def test_methods_shortcut_answers_as_each_method_asked(monkeypatch):
    """`_methods` returns at once for a principal none of whose statements may grant the first
    action of any method: the same (found, open) as asking every method."""
    skipped = asked = 0
    for folder in FOLDERS:
        for principal in _facts(folder).of_kind("iam_principal"):
            iam_escalation._FIRSTS.clear()
            fast = iam_escalation._methods(principal, {})
            skipped += iam_escalation._no_first_action(principal, {})
            with monkeypatch.context() as m:
                m.setattr(iam_escalation, "_no_first_action", lambda *a: False)
                slow = iam_escalation._methods(principal, {})
            assert repr(fast) == repr(slow), principal.address
            asked += not iam_escalation._no_first_action(principal, {})
    assert skipped >= 3 and asked >= 3


def test_function_methods_shortcut_in_the_check():
    found = [f.message for f in iam_escalation.evaluate(_facts(HERE / "data_shortcuts"))]
    assert any("Deployer can escalate" in m for m in found)
    assert any("Wild can escalate" in m for m in found)
    assert not any("Reader" in m or "Denied" in m for m in found)


def _statements(folder: Path):
    for policy in _facts(folder).of_kind("iam_policy"):
        if policy.is_known():
            for st in policy.statements:
                yield policy, st


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: "%s-%s" % (p.parent.name, p.name))
def test_validate_statement_is_validate_of_a_one_statement_policy(folder):
    for policy, st in _statements(folder):
        for reading in (st, iam_validation._known_only(st)[0]):
            whole = v.validate(dataclasses.replace(policy, statements=(reading,)))
            assert repr(v.validate_statement(reading, policy.location)) == repr(whole)


def test_validate_statement_skips_what_validate_skips():
    from iacguard.core.unknown import Unknown
    from iacguard.iam.model import Statement

    assert v.validate_statement("not a statement") == []
    typo = Statement("Allow", actions=("s3:GetObjekt",), resources=("*",))
    assert [p.code for p in v.validate_statement(typo)] == ["unknown-action"]
    assert v.validate_statement(dataclasses.replace(typo, unknown=Unknown("an unknown list item"))) == []


def test_closest_suggestions_are_remembered():
    from iacguard.iam.catalogue import CATALOGUE

    first = CATALOGUE.closest_action("s3:GetObjekt")
    assert first == "s3:GetObject"
    assert CATALOGUE.closest_action("s3:GetObjekt") is first
    assert CATALOGUE.closest_service("s3x") == CATALOGUE._closest_service("s3x")
    assert CATALOGUE.closest_action("nosuchservice:Get") is None


def test_resolved_copy_keeps_every_field():
    """facts.iam_access.resolved builds its copy field by field: the same as dataclasses.replace,
    for a statement with every field set (and the fields are the ones it knows)."""
    from iacguard.core.model import Location, Resource
    from iacguard.core.unknown import AttributeUnknown
    from iacguard.facts import iam_access
    from iacguard.iam.model import Condition, Statement

    assert [f.name for f in dataclasses.fields(Statement)] == [
        "effect", "actions", "not_actions", "resources", "not_resources", "principals", "not_principals",
        "conditions", "sid", "location", "unknown"]
    bucket = Resource(id="cfn:t.yaml:Logs", address="Logs", type="AWS::S3::Bucket", language="cloudformation",
                      properties={"BucketName": "logs"}, location=Location("t.yaml", 1, 2))

    class Graph:
        resources = [bucket]

        def resource(self, node):
            return bucket if node == bucket.id else None

    arn = AttributeUnknown("arn of Logs", node=bucket.id, attribute="Arn")
    st = Statement("Allow", actions=("s3:GetObject",), not_actions=("s3:Put*",), resources=(arn,),
                   not_resources=("arn:aws:s3:::x",), principals={"AWS": (arn,)}, not_principals={"AWS": ("*",)},
                   conditions=(Condition("ArnEquals", "aws:SourceArn", (arn,)),), sid="S1",
                   location=Location("t.yaml", 3, 9))
    out = iam_access.resolved(Graph(), st)
    assert out.resources == ("arn:aws:s3:::logs",)
    assert out == dataclasses.replace(st, resources=out.resources, principals=out.principals, conditions=out.conditions)
    assert (out.sid, out.location, out.not_actions, out.not_resources) == (st.sid, st.location, st.not_actions, st.not_resources)


def test_closest_suggestions_stay_bounded(monkeypatch):
    from iacguard.iam import catalogue as c

    cat = c.Catalogue()
    monkeypatch.setattr(c, "MAX_CLOSEST", 3)
    for name in ("s3:GetObjekt", "s3:PutObjekt", "s3:ListBuckt", "s3:DeleteObjekt"):
        cat.closest_action(name)
    assert len(cat._closest) <= 3
    assert cat.closest_action("s3:DeleteObjekt") == "s3:DeleteObject"


def test_statement_reads_each_element_into_its_field():
    """iam.documents.statement builds the Statement by position: each element in its field."""
    from iacguard.core.unknown import Unknown
    from iacguard.iam.documents import statement
    from iacguard.iam.model import Condition

    where = object()
    st = statement({"Sid": "S", "Effect": "Deny", "Action": "s3:*", "NotAction": ["iam:*"], "Resource": ["a", "b"],
                    "NotResource": "c", "Principal": {"AWS": "x"}, "NotPrincipal": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": False}}}, where)
    assert (st.effect, st.actions, st.not_actions, st.resources, st.not_resources) == (
        "Deny", ("s3:*",), ("iam:*",), ("a", "b"), ("c",))
    assert (st.principals, st.not_principals, st.sid, st.location, st.unknown) == ({"AWS": ("x",)}, "*", "S", where, None)
    assert st.conditions == (Condition("Bool", "aws:SecureTransport", (False,)),)
    odd = statement({"Effect": "Maybe", "Action": [1], "Sid": Unknown("x")}, None)
    assert odd.sid is None and isinstance(odd.effect, Unknown) and isinstance(odd.actions[0], Unknown)
    assert odd.resources is None and odd.conditions == ()
