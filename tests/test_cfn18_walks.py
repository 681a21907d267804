"""The faster walks of issue 17 (CloudFormation at 100,000 resources) against the code they
replaced, on random nested values: the same results in the same order."""
from __future__ import annotations

import random

from iacguard.core.unknown import AttributeUnknown, PartialUnknown, Unknown, is_unknown
from iacguard.facts import iam_access
from iacguard.facts.secrets_b_text import _candidates, _named_secret
from iacguard.iam.model import Condition, Statement

_KEYS = ["Password", "Name", "SecretToken", "Tags", "Value", "ApiKey", "x"]
_STRINGS = ["short", "AKIAABCDEFGHIJKLMNOP", "a" * 20, "-----BEGIN PRIVATE KEY-----", "", "ASIA", "b" * 5000]


def _random_value(rng: random.Random, depth: int):
    roll = rng.random()
    if depth > 0 and roll < 0.25:
        return {rng.choice(_KEYS) + str(i): _random_value(rng, depth - 1) for i in range(rng.randint(0, 4))}
    if depth > 0 and roll < 0.4:
        return [_random_value(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    if roll < 0.5:
        return Unknown("u%d" % rng.randint(0, 9))
    return rng.choice(_STRINGS + [1, 2.5, True, None])


def _candidates_before(properties: dict, names: dict) -> list:
    # The implementation before: a stack of (path, value) for every value.
    out: list = []
    stack: list = [((k,), v) for k, v in properties.items()]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if ("AKIA" in value or "ASIA" in value or "PRIVATE KEY" in value) or (
                    16 <= len(value) <= 4096 and isinstance(path[-1], str) and _named_secret(names, path[-1])):
                out.append((path, value))
        elif isinstance(value, dict):
            if len(path) < 64:
                stack.extend((path + (k,), v) for k, v in value.items())
        elif isinstance(value, list):
            if len(path) < 64:
                stack.extend((path + (i,), v) for i, v in enumerate(value))
        elif is_unknown(value):
            out.append((path, value))
    out.reverse()
    return out


def test_candidates_as_before_on_random_values():
    rng = random.Random(17)
    for _ in range(400):
        properties = {k: _random_value(rng, 5) for k in rng.sample(_KEYS, rng.randint(0, 5))}
        assert _candidates(properties, {}) == _candidates_before(properties, {})


def test_candidates_stop_at_64_keys_deep():
    deep: object = "AKIAABCDEFGHIJKLMNOP"
    for _ in range(80):
        deep = {"k": [deep]}
    properties = {"Top": deep, "Key": "AKIAABCDEFGHIJKLMNOP"}
    assert _candidates(properties, {}) == _candidates_before(properties, {}) == [(("Key",), "AKIAABCDEFGHIJKLMNOP")]


def test_record_unknowns_in_document_order():
    from iacguard.cloudformation.evaluate import Stack

    recorded = []

    class Sink:
        def unknown(self, u):
            recorded.append((u.line, u.what, u.reason))

    class Res:
        address = "Bucket"
        properties = {"A": Unknown("a"), "B": {"C": [1, Unknown("c"), {"D": Unknown("d")}]}, "E": "x"}

        def location_of(self, *path):
            class L:
                start_line = len(path)
            return L()

    class Fake:
        sink = Sink()
        file = "t.yaml"
        _walk_unknowns = Stack._walk_unknowns
        _record_unknown = Stack._record_unknown

    Stack._record_unknowns(Fake(), Res())
    assert recorded == [(1, "Bucket.A", "a"), (3, "Bucket.B.C[1]", "c"), (4, "Bucket.B.C[2].D", "d")]


def test_resolved_returns_a_plain_statement_itself():
    st = Statement("Allow", actions=("s3:GetObject",), resources=("*", Unknown("not known")),
                   principals={"AWS": ("arn:aws:iam::123456789012:root",)},
                   conditions=(Condition("StringEquals", "aws:username", ("a",)),))
    assert iam_access.resolved(None, st) is st


def test_resolved_copies_when_something_may_resolve():
    class Graph:
        def resource(self, node):
            return None  # nothing to resolve to: values stay, but a copy with tuples is made

    for st in (
        Statement("Allow", actions=["s3:GetObject"]),  # a list becomes a tuple
        Statement("Allow", resources=(AttributeUnknown("arn", node="n", attribute="Arn"),)),
        Statement("Allow", resources=(PartialUnknown("x", partial_text=("arn:", Unknown("x"))),)),
        Statement("Allow", principals={"AWS": (AttributeUnknown("arn", node="n", attribute="Arn"),)}),
        Statement("Allow", conditions=(Condition("StringEquals", "k", (("nested",),)),)),
    ):
        out = iam_access.resolved(Graph(), st)
        assert out is not st
        assert out.actions is None or isinstance(out.actions, tuple)
