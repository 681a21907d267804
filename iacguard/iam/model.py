"""The IAM model: what the evaluator, the IAM checks and `iacguard iam` read.

Strings that come from a scanned configuration may be unknown before deploy. A value here is a
`str`, or an `Unknown` (iacguard.core.unknown). Two kinds of Unknown keep what is known of it:

- a `PartialUnknown` with `partial_text`: a string built from known text and unknown pieces,
  e.g. "${aws_s3_bucket.data.arn}/*" is ("<unknown arn of aws_s3_bucket.data>", "/*");
- an `AttributeUnknown`: the value of one attribute of one resource of the scan, known only
  after deploy (`node`: the graph node id of that resource; `attribute`: "arn", "Arn", "Ref"...).

`pieces(value)` gives any value as a tuple of str and Unknown pieces. The facts layer replaces
the pieces it can compute (the ARN of a bucket whose name is known) before the evaluator sees
them; the rest stay symbolic, so that "the ARN of aws_s3_bucket.data" in a policy matches a
request for that same bucket even when its name is not known.
"""
from __future__ import annotations

from dataclasses import dataclass, field
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown, is_unknown

from .basics import (  # noqa: F401 - the names and `pieces` are the model's, defined there to import cheaply
    ALLOW, ALLOWED, BOUNDARY, DECISIONS, DENY, EXPLICIT_DENY, IDENTITY, IMPLICIT_DENY, POLICY_KINDS, RESOURCE, SCP, SESSION,
    TRUST, UNKNOWN, pieces,
)


@dataclass(frozen=True)
class Condition:
    """One key of one operator of a statement's Condition block:
    {"StringEquals": {"aws:username": ["a", "b"]}} gives Condition("StringEquals", "aws:username", ("a", "b"))."""

    operator: str  # as written: "StringEquals", "ForAnyValue:StringLike", "ArnLikeIfExists", "Null"...
    key: str  # as written: "aws:SourceIp", "aws:PrincipalTag/team" (condition keys are case-insensitive)
    values: tuple  # str | bool | int | float | Unknown items, as written (a single value becomes a 1-tuple)


@dataclass(frozen=True)
class Statement:
    """One policy statement. Element values are tuples of str | Unknown items; None when the
    element is absent. A whole element that is not known is a 1-tuple holding the Unknown."""

    effect: Any  # ALLOW | DENY | Unknown
    actions: tuple | None = None  # Action patterns ("s3:Get*", "*")
    not_actions: tuple | None = None
    resources: tuple | None = None  # Resource ARN patterns
    not_resources: tuple | None = None
    # Principal / NotPrincipal: None when absent; "*" for `"Principal": "*"`; otherwise a dict
    # {"AWS" | "Service" | "Federated" | "CanonicalUser": (str | Unknown, ...)}; or an Unknown.
    principals: Any = None
    not_principals: Any = None
    conditions: Any = ()  # tuple of Condition; an Unknown when the block (or a key) is not known
    sid: str | None = None
    location: Location | None = None  # the statement's lines (the policy's when it is a JSON string)
    unknown: Unknown | None = None  # set when the statement itself is not known (unknown list item)


@dataclass(frozen=True)
class Policy:
    """An IAM policy as the engine reads it: kind, name, statements and where it comes from."""

    kind: str  # one of POLICY_KINDS
    name: str  # how reports name it: the address of the resource holding it, plus where in it
    statements: tuple = ()  # Statement
    resource: Resource | None = None  # the resource of the scan that holds the document (None: shipped data)
    location: Location | None = None  # the document's lines
    unknown: Unknown | None = None  # the document is not known (its statements cannot be read)
    arn: str | None = None  # the managed policy's ARN, when it is one (AWS managed or known customer managed)
    # SCPs only: the level of the organization it is attached at ("root", an OU, an account), and,
    # for an SCP in `Principal.unresolved_guardrails`, why it may or may not apply to the principal.
    level: str = ""
    applies: Unknown | None = None
    # Who wrote the text when the scan's author did not: "SAM policy template SQSPollerPolicy"
    # for a policy SAM expands from its own template data. Its grants count like any other;
    # only the policy validation (AWS-IAM-010..012) leaves it out: its author cannot change it.
    generated_by: str = ""

    def is_known(self) -> bool:
        return self.unknown is None


@dataclass(frozen=True)
class Principal:
    """An IAM user, group or role of the scan with every policy that applies to it."""

    resource: Resource
    kind: str  # "role" | "user" | "group"
    name: Any  # str | Unknown
    arn: Any  # str | Unknown (pieces: see `pieces`)
    account: Any  # the account id, str | Unknown
    identity_policies: tuple = ()  # Policy: inline, attached (customer and AWS managed), a user's groups'
    boundary: Policy | None = None  # None: no permissions boundary
    trust: Policy | None = None  # a role's trust policy
    groups: tuple = ()  # the Principal of each group a user is in
    guardrails: tuple = ()  # SCP Policies that apply to the principal's account
    # Policies attached whose document cannot be known (an AWS managed policy not shipped, an ARN
    # that is not known): one Unknown each, the reason naming it. Each makes answers that depend
    # on it "unknown".
    unresolved: tuple = ()
    # SCPs that may apply: the Policy (its `applies` an Unknown saying why it may), or an Unknown
    # when even the document is not known. One matters only where it would deny or lack an allow.
    unresolved_guardrails: tuple = ()

    @property
    def address(self) -> str:
        return self.resource.address


@dataclass(frozen=True)
class ResourcePolicy:
    """A resource-based policy and the resource it governs."""

    resource: Resource  # the governed resource (the bucket, not the aws_s3_bucket_policy)
    arn: Any  # the governed resource's ARN: str | Unknown (pieces)
    account: Any  # the governed resource's account id: str | Unknown
    policy: Policy


@dataclass(frozen=True)
class Request:
    """What is asked: may `principal` do `action` on `resource`, in this context?"""

    action: str  # "s3:GetObject" (service prefix and action name; matched case-insensitively)
    resource: Any  # the resource ARN: str | Unknown (pieces)
    principal_arn: Any = None  # str | Unknown
    principal_account: Any = None  # str | Unknown
    resource_account: Any = None  # str | Unknown; None when the resource has no account (S3 bucket ARNs)
    # Request context: condition key (lower-case) -> tuple of values (str | bool | number). A key
    # absent here is absent from the request, as AWS evaluates it.
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Decided:
    """A statement that took part in a decision, with the policy it belongs to."""

    policy: Policy
    statement: Statement | None  # None when the policy as a whole decided (an unknown document)


@dataclass(frozen=True)
class Decision:
    """The answer of the IAM engine to one request, the statements that decided it, and why."""

    decision: str  # one of DECISIONS
    statements: tuple = ()  # Decided: the allowing statements (allow), the denying ones
    # (explicit-deny), the guardrail that lacked an allow (implicit-deny, when one did), or the
    # statements whose unknown parts left the answer open (unknown)
    reason: str = ""  # one sentence a person reads: why this decision


