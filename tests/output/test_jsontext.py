"""The report writer's JSON text is exactly the standard library's `json.dumps(obj, indent=2)`."""
from __future__ import annotations

import enum
import json

import pytest

from iacguard.output import jsontext


class Colour(str, enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


CASES = [
    {},
    [],
    "plain",
    {"a": [1, 2.5, -0.0, 1e-300, 10 ** 30, True, False, None, "é\n\t\"\\\u2028\x00", (1, 2), [], {}]},
    {1: "int key", 2.5: "float key", True: "bool key", None: "null key", "nested": {"x": {"y": [{"z": []}]}}},
    {"enum": Colour.RED, "int enum": Level.HIGH, "tuple of dicts": ({"a": 1}, {"b": [None]})},
    [float("nan"), float("inf"), -float("inf")],
]


@pytest.mark.parametrize("obj", CASES)
def test_same_text_as_the_standard_library(obj):
    assert jsontext.dumps(obj) == json.dumps(obj, indent=2)


def test_refuses_what_the_standard_library_refuses():
    with pytest.raises(TypeError):
        jsontext.dumps({"x": object()})
    with pytest.raises(TypeError):
        jsontext.dumps({(1, 2): "tuple key"})



def _random_value(rnd, depth: int):
    kind = rnd.randrange(9 if depth < 4 else 5)
    if kind == 0:
        return rnd.choice(["", "a", "é\n\"", "\u2028x", "\x00"])
    if kind == 1:
        return rnd.choice([0, -1, 10 ** 20, 7])
    if kind == 2:
        return rnd.choice([True, False, None])
    if kind == 3:
        return rnd.choice([0.5, -0.0, 1e300, float("inf")])
    if kind == 4:
        return rnd.choice([[], {}, ()])
    if kind in (5, 6):
        return {rnd.choice(["k", "é", "x y", 1, 2.5, True, None]) if rnd.random() < 0.2 else "k%d" % i: _random_value(rnd, depth + 1) for i in range(rnd.randrange(1, 5))}
    if kind == 7:
        return [_random_value(rnd, depth + 1) for _ in range(rnd.randrange(1, 5))]
    return tuple(_random_value(rnd, depth + 1) for _ in range(rnd.randrange(1, 4)))


@pytest.mark.parametrize("seed", range(200))
def test_same_text_on_random_structures(seed):
    """Flat containers (scalars and empty containers only) take the C encoder; the rest the
    Python path: both give the standard library's text at every depth."""
    import random

    obj = _random_value(random.Random(seed), 0)
    assert jsontext.dumps(obj) == json.dumps(obj, indent=2)
