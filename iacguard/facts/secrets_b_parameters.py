"""CloudFormation template parameters as facts: the kind "cfn_parameter" (AWS-CFN-900, AWS-CFN-901).

A parameter is not a resource: each fact's `resource` is a stand-in of type
"cloudformation_parameter" whose address is `Parameters.<name>` (with the nested stack's prefix
for a nested template's parameter), located at the parameter's declaration, so that a finding
points at the line of the `Parameters` entry. The stand-in belongs to the root (the top-level
template) of the stack that declares the parameter.

What the declaration says comes from the evaluator (iacguard.cloudformation.evaluate records it
on the parameter's symbol): `NoEcho` (true, or the string "true", as the service accepts),
whether a non-empty `Default` is written (its value is never kept here; a default that is an
ARN or a `{{resolve:...}}` dynamic reference names where a secret is and does not count), and the declared `Type`.
Parameter declarations are literal text (no intrinsic function is allowed in `Parameters`), so
nothing here is ever Unknown.

`secret` says whether the parameter holds a secret by its name (the same name rule as the other
secrets checks: `DBPassword`, `ApiKey`, `GitHubToken`; not `KeyName`, `SecretArn`), and only for
plain `String` parameters: an `AWS::SSM::Parameter::Value<...>` parameter holds the name of an
SSM parameter, and AWS-specific types (`AWS::EC2::KeyPair::KeyName`) and `Number` hold no secret.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import ResourceGraph
from iacguard.core.model import CLOUDFORMATION, Location, Resource
from .identity_secrets_literals import secret_name

STAND_IN_TYPE = "cloudformation_parameter"
# Names the shared rule reads as secrets but that hold none: a custom resource's ServiceToken is
# the ARN of the Lambda function or SNS topic that serves it.
_NOT_SECRET = ("servicetoken",)


@dataclass(frozen=True)
class CfnParameter:
    """A CloudFormation parameter that may hold a secret: its type, NoEcho and default."""

    resource: Resource  # the stand-in (see the module docstring)
    name: str
    type: str
    secret: bool  # named like a secret, and a plain String
    no_echo: bool
    has_default: bool  # a non-empty Default is written in the template
    location: Location  # the declaration


def cfn_parameters(graph: ResourceGraph) -> list:
    out = []
    for node_id, sym in graph.symbols_of_kind("parameter"):
        if sym.language != CLOUDFORMATION or sym.location is None:
            continue
        meta = sym.meta or {}
        ptype = meta.get("type") if isinstance(meta.get("type"), str) else "String"
        stand_in = Resource(
            id=node_id, address="%sParameters.%s" % (meta.get("address_prefix") or "", sym.name), type=STAND_IN_TYPE,
            language=CLOUDFORMATION, properties={}, location=sym.location,
            meta={"root_module": meta.get("root_module") or sym.location.path},
        )
        secret = ptype == "String" and secret_name(sym.name) and not sym.name.lower().endswith(_NOT_SECRET)
        out.append(CfnParameter(stand_in, sym.name, ptype, secret, bool(meta.get("no_echo")),
                                bool(meta.get("has_default")) and not meta.get("default_reference"), sym.location))
    out.sort(key=lambda p: (p.location.path, p.location.start_line, p.name))
    return out


__all__ = ["CfnParameter", "cfn_parameters", "STAND_IN_TYPE"]
