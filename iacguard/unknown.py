"""Unknown: the value of anything a scan cannot know before deploy.

An `Unknown` propagates through evaluation (an operation on an Unknown is Unknown) and carries
a short reason ("variable vpc_cidr has no value", "computed attribute aws_kms_key.k.arn").
It has no truth value on purpose: code that asks `if value:` of an Unknown is a bug, and the
TypeError makes it visible. Use `is_unknown()` and the three-valued helpers below.
"""
from __future__ import annotations

from typing import Any


class Unknown:
    __slots__ = ("reason",)

    def __init__(self, reason: str = "") -> None:
        self.reason = reason

    def __bool__(self) -> bool:
        raise TypeError("Unknown has no truth value (reason: %s)" % (self.reason or "unknown"))

    def __repr__(self) -> str:
        return "Unknown(%r)" % self.reason if self.reason else "Unknown()"

    # Unknowns compare equal to each other so that identical expressions evaluated twice give
    # equal results (deterministic output); they never equal a known value.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown)

    def __hash__(self) -> int:
        return hash(Unknown)


UNKNOWN = Unknown()


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def contains_unknown(value: Any) -> bool:
    """True when the value is Unknown or holds an Unknown anywhere inside."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, Unknown):
            return True
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
    return False


def as_bool(value: Any) -> bool | Unknown:
    """Terraform/CloudFormation truthiness of a scalar: true/false, "true"/"false", 1/0."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low == "true":
            return True
        if low == "false":
            return False
        return Unknown("not a boolean: %r" % value)
    if isinstance(value, (int, float)):
        return value != 0
    if value is None:
        return Unknown("null")
    return Unknown("not a boolean")


def as_int(value: Any) -> int | Unknown:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return Unknown("boolean where a number was expected")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                f = float(value.strip())
            except ValueError:
                return Unknown("not a number: %r" % value)
            return int(f) if f.is_integer() else Unknown("not an integer: %r" % value)
    return Unknown("not a number")
