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
