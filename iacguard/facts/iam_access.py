"""Every IAM policy of the scan, linked to the principal or resource it governs, in both
languages: the facts kinds "iam_policy", "iam_principal" and "iam_resource_policy".

Each language's adapter (`iam_terraform`, `iam_cloudformation`) fills one `Collected`; this
module joins them and keeps the result on the graph, so the three kinds are built once per scan.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..graph import ResourceGraph


@dataclass
class Collected:
    policies: list = field(default_factory=list)  # iacguard.iam.model.Policy: every document found
    principals: list = field(default_factory=list)  # iacguard.iam.model.Principal
    resource_policies: list = field(default_factory=list)  # iacguard.iam.model.ResourcePolicy

    def extend(self, other: "Collected") -> None:
        self.policies.extend(other.policies)
        self.principals.extend(other.principals)
        self.resource_policies.extend(other.resource_policies)


def collect(graph: ResourceGraph) -> Collected:
    done = getattr(graph, "_iam_collected", None)
    if done is not None:
        return done
    from . import iam_cloudformation, iam_terraform

    out = Collected()
    out.extend(iam_terraform.collect(graph))
    out.extend(iam_cloudformation.collect(graph))
    graph._iam_collected = out
    return out


def iam_policies(graph: ResourceGraph) -> list:
    return collect(graph).policies


def iam_principals(graph: ResourceGraph) -> list:
    return collect(graph).principals


def iam_resource_policies(graph: ResourceGraph) -> list:
    return collect(graph).resource_policies
