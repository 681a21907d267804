"""Unknown: the value of anything a scan cannot know before deploy.

An `Unknown` propagates through evaluation (an operation on an Unknown is Unknown) and carries
a short reason ("variable vpc_cidr has no value", "computed attribute aws_kms_key.k.arn").
It has no truth value on purpose: code that asks `if value:` of an Unknown is a bug, and the
TypeError makes it visible. Use `is_unknown()` and the three-valued helpers below.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable


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


class PartialUnknown(Unknown):
    """An input Unknown whose shape is partly known: a template with an unknown interpolation
    (`partial_text`: the rendered pieces, each a str or an Unknown), or jsonencode() of a value
    with an Unknown inside (`partial_value`: that value). The string is not known, but its
    structure is: an IAM policy heredoc or jsonencode() that names one computed ARN still shows
    its other statements. Any operation on it gives a plain Unknown (see
    `iacguard.terraform.expressions.plain_unknown`)."""

    __slots__ = ("partial_text", "partial_value")

    def __init__(self, reason: str = "", partial_text: tuple | None = None, partial_value=None) -> None:
        super().__init__(reason)
        self.partial_text = partial_text
        self.partial_value = partial_value

    def __reduce__(self):
        return (PartialUnknown, (self.reason, self.partial_text, self.partial_value))


class AttributeUnknown(Unknown):
    """The value of one attribute of one resource of the scan, known only after deploy: which
    resource (`node`, its graph node id, `Resource.id`) and which attribute (`attribute`, as
    written: "arn", "id", "Arn", or "Ref" for a CloudFormation Ref). A policy that names
    `aws_s3_bucket.data.arn` then still says which bucket it grants, even when the bucket's name
    is not known (see iacguard.facts.arns). It is the value itself, not a value derived from it:
    an operation on it (upper(), an index, a comparison) gives a plain Unknown."""

    __slots__ = ("node", "attribute")

    def __init__(self, reason: str = "", node: str = "", attribute: str = "") -> None:
        super().__init__(reason)
        self.node = node
        self.attribute = attribute

    def __reduce__(self):
        return (AttributeUnknown, (self.reason, self.node, self.attribute))


def deployment_account(reason: str, root: str, account: str) -> AttributeUnknown:
    """The account id of a deployment (one root, one provider account), not known before deploy:
    one symbol for every resource and every `AWS::AccountId` / `aws_caller_identity` of that
    deployment, so that two of its values are known to be equal."""
    return AttributeUnknown(reason, "account:%s:%s" % (root, account), "account_id")


def deployment_region(reason: str, config: str) -> AttributeUnknown:
    """The region of one provider configuration (Terraform) or one stack (CloudFormation), not
    known before deploy: one symbol, as for `deployment_account`."""
    return AttributeUnknown(reason, "region:%s" % config, "region")


UNKNOWN = Unknown()


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def first_unknown(value: Any, grow: Callable[[int], None] | None = None, kind: type = Unknown) -> Any:
    """The first Unknown (an instance of `kind`) inside a nested value, in document order (depth
    first, dict values and list items in their order), or None when there is none.

    The one walk every stage uses to find an Unknown's reason. Evaluators pass their budget's
    `grow` (iacguard.core.limits), charged per container walked: a list holding one list twice, nested
    40 times, is small in memory but has 2^40 items to walk."""
    if isinstance(value, kind):
        return value
    if not isinstance(value, (dict, list, tuple)):
        return None
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, kind):
            return v
        if isinstance(v, dict):
            if grow is not None:
                grow(len(v))
            stack.extend(reversed(v.values()))
        elif isinstance(v, (list, tuple)):
            if grow is not None:
                grow(len(v))
            stack.extend(reversed(v))
    return None


def contains_unknown(value: Any, grow: Callable[[int], None] | None = None) -> bool:
    """True when the value is Unknown or holds an Unknown anywhere inside."""
    return first_unknown(value, grow) is not None


def first_unknown_item(items: Iterable) -> Any:
    """The first item that is itself Unknown (items are not looked inside), or None."""
    return next((i for i in items if isinstance(i, Unknown)), None)


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
