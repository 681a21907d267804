"""Long-term credentials of IAM users: the facts kind "iam_credential".

An access key (`aws_iam_access_key`, `AWS::IAM::AccessKey`) or a console password
(`aws_iam_user_login_profile`, the `LoginProfile` of an `AWS::IAM::User`) is a credential whatever
user it belongs to, so the fact's subject is the resource that creates it: a key whose user is
not known (or not in the scan) is still a long-term credential. `user` names the user resource of
the scan when the reference is followed.
"""
from __future__ import annotations

from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from .common import managed
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown, is_unknown

ACCESS_KEY = "access_key"
LOGIN_PROFILE = "login_profile"
USERS = ("aws_iam_user", "AWS::IAM::User")


@dataclass(frozen=True)
class Credential:
    """A long-term credential (access key, login profile, certificate) and the user it belongs to."""

    resource: Resource  # the resource that creates the credential
    kind: str  # ACCESS_KEY | LOGIN_PROFILE
    user: Resource | None  # the IAM user of the scan it belongs to, when the reference says
    active: Any  # True | False | Unknown: an access key with status Inactive cannot sign requests
    location: Location  # where the credential (or its status) is written


def _status(raw: Any) -> Any:
    """Access key status as deployed: Active unless "Inactive" (both providers' default)."""
    if raw is None:
        return True
    if is_unknown(raw):
        return raw
    if isinstance(raw, str):
        return raw.strip().lower() != "inactive"
    return Unknown("status %r is not a string" % (raw,))


def _user_of(graph: ResourceGraph, res: Resource, path: tuple) -> Resource | None:
    users = graph.referenced_at(res, (path,), USERS)
    return users[0] if len(users) == 1 else None


def iam_credentials(graph: ResourceGraph) -> list:
    out = []
    for key in managed(graph, "aws_iam_access_key"):
        status = key.get("status")
        where = key.location_of("status") if status is not None else key.location
        out.append(Credential(key, ACCESS_KEY, _user_of(graph, key, ("user",)), _status(status), where))
    for key in managed(graph, "AWS::IAM::AccessKey"):
        status = key.get("Status")
        where = key.location_of("Status") if status is not None else key.location
        out.append(Credential(key, ACCESS_KEY, _user_of(graph, key, ("UserName",)), _status(status), where))
    for profile in managed(graph, "aws_iam_user_login_profile"):
        out.append(Credential(profile, LOGIN_PROFILE, _user_of(graph, profile, ("user",)), True, profile.location))
    for user in managed(graph, "AWS::IAM::User"):
        login = user.get("LoginProfile")
        if login is None:
            continue
        # An unknown LoginProfile may be AWS::NoValue (no password) or a password: undecided.
        active = login if is_unknown(login) else True
        out.append(Credential(user, LOGIN_PROFILE, user, active, user.location_of("LoginProfile")))
    return out
