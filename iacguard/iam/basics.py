"""The IAM model's names and `pieces`, in a module that imports next to nothing: the IAM checks
read them when the catalogue is imported, and a scan answered from the cache never loads the rest
of the engine. `iacguard.iam.model` re-exports all of them."""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from iacguard.core.unknown import Unknown, is_unknown

ALLOW = "Allow"
DENY = "Deny"

# Policy kinds
IDENTITY = "identity"  # attached to a user, group or role (inline or managed)
RESOURCE = "resource"  # on a resource: bucket policy, key policy, queue policy, Lambda permission...
TRUST = "trust"  # a role's assume-role policy (a resource policy on the role, for sts:AssumeRole*)
BOUNDARY = "boundary"  # a permissions boundary
SCP = "scp"  # an AWS Organizations service control policy
SESSION = "session"  # a session policy
POLICY_KINDS = (IDENTITY, RESOURCE, TRUST, BOUNDARY, SCP, SESSION)

# Decisions
ALLOWED = "allow"
EXPLICIT_DENY = "explicit-deny"
IMPLICIT_DENY = "implicit-deny"
UNKNOWN = "unknown"
DECISIONS = (ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, UNKNOWN)

# Problem codes of policy validation (iacguard.iam.validate)
UNKNOWN_SERVICE = "unknown-service"
UNKNOWN_ACTION = "unknown-action"
RESOURCE_MISMATCH = "resource-mismatch"
UNKNOWN_CONDITION_KEY = "unknown-condition-key"


def pieces(value: Any) -> tuple:
    """A string value as a tuple of pieces, each a str or an Unknown: ("arn:aws:s3:::b",) for a
    known string, the rendered pieces of a partly known template, (value,) for another Unknown."""
    if isinstance(value, str):
        return (value,)
    if is_unknown(value):
        parts = getattr(value, "partial_text", None)
        if parts:
            return tuple(parts)
        return (value,)
    return (Unknown("not a string"),)
