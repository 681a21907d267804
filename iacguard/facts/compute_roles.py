"""Functions and the role they run as: the facts kind "function_role".

A Lambda function (`aws_lambda_function`, `AWS::Lambda::Function`, `AWS::Serverless::Function`)
runs its code with its execution role's permissions, so whoever may change its code
(lambda:UpdateFunctionCode) acts with that role. The link is the graph's "attached_role" relation
(the `role` / `Role` reference); `arn` is the function's ARN as iacguard.facts.arns computes it
(a symbolic Unknown when its name is not known, which still matches a policy naming the same
function).
"""
from __future__ import annotations

from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from . import arns
from .common import managed
from iacguard.core.model import Resource

FUNCTIONS = ("aws_lambda_function", "AWS::Lambda::Function", "AWS::Serverless::Function")
ROLES = ("aws_iam_role", "AWS::IAM::Role")
MAX_FUNCTIONS = 4096


@dataclass(frozen=True)
class FunctionRole:
    """A Lambda function and the IAM role it runs as."""

    function: Resource
    arn: Any  # str | Unknown: the function's ARN
    role: Resource  # the IAM role of the scan it runs as

    @property
    def resource(self) -> Resource:
        return self.function


def function_roles(graph: ResourceGraph) -> list:
    out = []
    for type_ in FUNCTIONS:
        for fn in managed(graph, type_)[:MAX_FUNCTIONS]:
            roles = graph.related(fn, "attached_role", ROLES)
            if len(roles) == 1:
                out.append(FunctionRole(fn, arns.arn_of(graph, fn), roles[0]))
    return out
