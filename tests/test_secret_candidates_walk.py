"""facts.secrets_b_text._candidates passes numbers, booleans and nulls by on their class: the same
candidates, in the same order, as the walk that asked every value what it is."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iacguard.core.unknown import PartialUnknown, Unknown, is_unknown
from iacguard.facts import secrets_b_text as sbt


def _reference(container, path, names, out):
    deeper = len(path) < 63
    items = container.items() if isinstance(container, dict) else enumerate(container)
    for k, value in items:
        if isinstance(value, str):
            if ("AKIA" in value or "ASIA" in value or "PRIVATE KEY" in value) or (
                    16 <= len(value) <= 4096 and isinstance(k, str) and sbt._named_secret(names, k)):
                out.append((path + (k,), value))
        elif isinstance(value, (dict, list)):
            if deeper:
                _reference(value, path + (k,), names, out)
        elif is_unknown(value):
            out.append((path + (k,), value))


class _Text(str):
    pass


_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.sampled_from(["AKIAABCDEFGHIJKLMNOP", "short", "x" * 20, "-----BEGIN RSA PRIVATE KEY-----", _Text("ASIA" + "y" * 16)]),
    st.builds(Unknown, st.just("not known")),
    st.builds(lambda: PartialUnknown("p", partial_text=("a", Unknown("b")))),
)
_KEYS = st.sampled_from(["Password", "DbSecret", "Name", "Tags", "Value", "ApiKey"])
_TREES = st.recursive(_LEAVES, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                     st.dictionaries(_KEYS, kids, max_size=4)), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _TREES, max_size=5))
def test_candidates_as_the_reference_walk(properties):
    want: list = []
    _reference(properties, (), {}, want)
    got = sbt._candidates(properties, {})
    assert [(p, id(v)) for p, v in got] == [(p, id(v)) for p, v in want]


def test_deep_nesting_stops_at_64_keys():
    deep: dict = {"Password": "AKIAABCDEFGHIJKLMNOP"}
    for _ in range(80):
        deep = {"Value": deep}
    want: list = []
    _reference(deep, (), {}, want)
    assert sbt._candidates(deep, {}) == want == []
