"""The roots of the scan as facts: one per Terraform root module, top-level CloudFormation
template and plan, for project-level checks ("no CloudTrail in this project", "GuardDuty
findings are not routed anywhere").

A project-level finding is about something missing from a whole deployment, so it has no
resource of its own: it sits on a `Root`, whose `resource` is a stand-in (type
"terraform_root_module", "cloudformation_stack" or "terraform_plan", address "(root module)" /
"(stack)" / "(plan)") located at line 1 of the root's first file: the first file, in path order,
that declares one of the root's own resources (not a module's), else its first file of any
resource. Reusable modules are never roots (see README "What is scanned"), so such checks never
report on them. Checks reason within a root: `resources_of(root, *types)` gives the managed
resources of the root's types, modules and nested stacks included.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import ResourceGraph
from iacguard.core.model import CLOUDFORMATION, TERRAFORM, Location, Resource

_KIND = {TERRAFORM: ("terraform_root_module", "(root module)"), CLOUDFORMATION: ("cloudformation_stack", "(stack)")}


@dataclass(frozen=True)
class Root:
    resource: Resource  # the stand-in a finding names (see the module docstring)
    path: str  # the root's identity: a root module folder, a template, a plan file (absolute)
    language: str
    graph: ResourceGraph

    def resources_of(self, *types: str) -> list:
        """The managed resources of these types in this root (its modules and nested stacks too)."""
        return [r for r in self.graph.of_type_in_root(self.path, *types) if r.mode == "managed"]


def roots(graph: ResourceGraph) -> list:
    by_root: dict = {}
    for res in graph.resources:
        root = res.meta.get("root_module", "")
        if root:
            by_root.setdefault(root, []).append(res)
    out = []
    for root, members in sorted(by_root.items()):
        own = [r for r in members if not r.module] or members
        first = min(r.location.path for r in own)
        language = members[0].language
        plan = root.endswith(".json") and language == TERRAFORM and not root.endswith(".tf.json")
        rtype, address = ("terraform_plan", "(plan)") if plan else _KIND.get(language, ("root", "(root)"))
        stand_in = Resource(
            id="root:%s" % root, address=address, type=rtype, language=language, properties={},
            location=Location(first, 1, 1), meta={"root_module": root},
        )
        out.append(Root(stand_in, root, language, graph))
    return out
