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


def _record(properties, locations):
    from iacguard.cloudformation.evaluate import Stack
    from iacguard.core.model import Location, Resource

    recorded = []

    class Sink:
        def unknown(self, u):
            recorded.append((u.line, u.what, u.reason))

    class Fake:
        sink = Sink()
        file = "t.yaml"
        _walk_unknowns = Stack._walk_unknowns
        _record_unknown = Stack._record_unknown

    res = Resource(id="cfn:t.yaml:Bucket", address="Bucket", type="AWS::S3::Bucket", language="cloudformation",
                   properties=properties, location=Location("t.yaml", 7, 20), property_locations=locations)
    Stack._record_unknowns(Fake(), res)
    return recorded, res


def test_record_unknowns_in_document_order_at_their_lines():
    from iacguard.core.model import Location, SpanLocations

    properties = {"A": Unknown("a"), "B": {"C": [1, Unknown("c"), {"D": Unknown("d")}]}, "E": "x",
                  "F": [Unknown("f")]}
    spans = {("A",): (8, 8, 5), ("B",): (9, 14, 3), ("B", "C", 1): (11, 11, 9), ("B", "C"): (10, 14, 4)}
    recorded, res = _record(properties, SpanLocations("t.yaml", spans))
    assert recorded == [(8, "Bucket.A", "a"), (11, "Bucket.B.C[1]", "c"), (10, "Bucket.B.C[2].D", "d"),
                        (7, "Bucket.F[0]", "f")]
    # The same lines as Resource.location_of gives, and with Locations instead of spans.
    assert [r[0] for r in recorded] == [res.location_of(*p).start_line for p in
                                        (("A",), ("B", "C", 1), ("B", "C", 2, "D"), ("F", 0))]
    plain = {k: Location("t.yaml", v[0], v[1]) for k, v in spans.items()}
    assert _record(properties, plain)[0] == recorded


def test_resolved_returns_a_plain_statement_itself():
    st = Statement("Allow", actions=("s3:GetObject",), resources=("*", Unknown("not known")),
                   principals={"AWS": ("arn:aws:iam::123456789012:root",)},
                   conditions=(Condition("StringEquals", "aws:username", ("a",)),))
    assert iam_access.resolved(None, st) is st


def test_resolved_through_the_copy_when_something_may_resolve():
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
        assert out == st or out.actions == tuple(st.actions)  # equal, lists as tuples
        assert out.actions is None or isinstance(out.actions, tuple)


def test_resolved_keeps_what_nothing_was_replaced_in():
    class Graph:
        def resource(self, node):
            return None  # an AttributeUnknown of no resource of the scan: nothing to resolve

    unresolvable = AttributeUnknown("arn", node="n", attribute="Arn")
    st = Statement("Allow", actions=("s3:*",), resources=(unresolvable,),
                   principals={"AWS": (unresolvable,)}, conditions=(Condition("StringEquals", "k", (unresolvable,)),))
    assert iam_access.resolved(Graph(), st) is st


def test_resolved_replaces_only_what_resolved():
    import dataclasses

    from iacguard.core.model import Location, Resource

    bucket = Resource(id="cfn:t.yaml:Logs", address="Logs", type="AWS::S3::Bucket", language="cloudformation",
                      properties={"BucketName": "logs"}, location=Location("t.yaml", 1, 2))

    class Graph:
        resources = [bucket]

        def resource(self, node):
            return bucket if node == bucket.id else None

    arn = AttributeUnknown("arn of Logs", node=bucket.id, attribute="Arn")
    st = Statement("Allow", actions=("s3:GetObject",), resources=(arn, "*"))
    out = iam_access.resolved(Graph(), st)
    assert out.actions is st.actions
    assert out.resources[1] == "*"
    assert out.resources[0] != arn and out == dataclasses.replace(st, resources=out.resources)


def test_yaml_constants_shared_but_long_numbers_each_their_own():
    from iacguard.cloudformation.yaml_reader import read_yaml

    decoded, _ = read_yaml("A: true\nB: true\nC: 443\nD: [443, null, 1.5, yes]\nE: %s\nF: %s\n" % ("9" * 5000, "9" * 5000))
    data = decoded.data
    assert data["A"] is True and data["B"] is True and data["C"] == 443 and data["D"] == [443, None, 1.5, True]
    assert isinstance(data["E"], Unknown) and isinstance(data["F"], Unknown) and data["E"] is not data["F"]
    assert [line for line, _ in decoded.warnings] == [5, 6]
