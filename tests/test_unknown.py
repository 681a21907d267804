"""`unknown.first_unknown`: the one walk that finds the Unknown inside a nested value."""
from __future__ import annotations

import pytest

from iacguard.terraform.expressions import ErrorUnknown
from iacguard.core.unknown import Unknown, contains_unknown, first_unknown, first_unknown_item


def test_the_first_unknown_in_document_order():
    a, b, c = Unknown("a"), Unknown("b"), Unknown("c")
    value = {"x": [1, {"y": a}], "z": (b,), "w": c}
    assert first_unknown(value).reason == "a"
    assert first_unknown([[], [2, [3, b]], a]).reason == "b"
    assert first_unknown(c) is c
    assert first_unknown({"k": [1, "s", None, {"n": 2.5}]}) is None
    assert first_unknown("plain") is None


def test_a_kind_finds_only_its_own_unknowns():
    plain, error = Unknown("plain"), ErrorUnknown("error")
    assert first_unknown([plain, {"e": error}], kind=ErrorUnknown) is error
    assert first_unknown([plain], kind=ErrorUnknown) is None


def test_contains_unknown_and_first_item():
    assert contains_unknown({"a": [1, (2, Unknown())]}) and not contains_unknown({"a": [1, (2, 3)]})
    u = Unknown("top")
    assert first_unknown_item([1, [Unknown("inner")], u]) is u  # items are not looked inside
    assert first_unknown_item([1, 2]) is None


def test_every_container_walked_is_charged():
    """A list holding one list twice, nested 40 times, has 2^40 items: the budget stops the walk."""
    charged = []

    class Stop(Exception):
        pass

    def grow(n):
        charged.append(n)
        if sum(charged) > 1000:
            raise Stop

    shared = [1]
    for _ in range(40):
        shared = [shared, shared]
    with pytest.raises(Stop):
        first_unknown(shared, grow)
    charged.clear()
    first_unknown({"a": [1, 2, 3], "b": {"c": 4}}, grow)
    assert sorted(charged) == [1, 2, 3]
