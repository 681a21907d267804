"""The roots of the scan as facts: one per Terraform root module, top-level CloudFormation
template and plan, for project-level checks ("no CloudTrail in this project", "GuardDuty
findings are not routed anywhere").

A project-level finding is about something missing from a whole deployment, so it has no
resource of its own: it sits on a `Root`, whose `resource` is a stand-in (type
"terraform_root_module", "cloudformation_stack" or "terraform_plan", address "(root module)" /
"(stack)" / "(plan)") located at line 1 of the root's first file: the first file, in path order,
that declares one of the root's own resources (not a module's), else its first file of any
resource. Reusable modules are never roots (see README "What is scanned"), so such checks never
report on them; nor on the examples and tests of a module (`inside_a_module`). Checks reason within a root: `resources_of(root, *types)` gives the managed
resources of the root's types, modules and nested stacks included.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..graph import ResourceGraph
from iacguard.core.model import CLOUDFORMATION, TERRAFORM, Location, Resource

_KIND = {TERRAFORM: ("terraform_root_module", "(root module)"), CLOUDFORMATION: ("cloudformation_stack", "(stack)")}


@dataclass(frozen=True)
class Root:
    """A root module or top-level template, and the resources in it."""

    resource: Resource  # the stand-in a finding names (see the module docstring)
    path: str  # the root's identity: a root module folder, a template, a plan file (absolute)
    language: str
    graph: ResourceGraph

    def resources_of(self, *types: str) -> list:
        """The managed resources of these types in this root (its modules and nested stacks too)."""
        return [r for r in self.graph.of_type_in_root(self.path, *types) if r.mode == "managed"]


def _module_folders(graph: ResourceGraph, by_root: dict) -> dict:
    """Root path -> the folders of the Terraform modules that root calls, at any depth: the
    folders of its module instances' resources, variables, locals, outputs and module calls
    (symbol ids are "tf:<root key>:<module prefix><name>", a module instance's prefix being
    "module.NAME." and more)."""
    key_of = {}
    out: dict = {}
    folder_of: dict = {}  # file path -> folder (module files hold many resources and symbols)
    for root, members in by_root.items():
        if members[0].language != TERRAFORM:
            continue
        folders = out[root] = set()
        for r in members:
            if r.module:
                path = r.location.path
                folder = folder_of.get(path)
                if folder is None:
                    folder = folder_of[path] = os.path.dirname(path)
                folders.add(folder)
        key = members[0].id.split(":", 2)[1] if members[0].id.count(":") >= 2 else None
        if key is not None:
            key_of[key] = root
    if not key_of:
        return out
    # (The folders form sets: the kinds are taken one after the other, through the graph's
    # index of symbols by kind, rather than in one walk over every node.)
    for kind in ("variable", "local", "output", "module"):
        for node, sym in graph.symbols_of_kind(kind):
            if sym.location is None or not node.startswith("tf:"):
                continue
            parts = node.split(":", 2)
            if len(parts) == 3 and parts[2].startswith("module.") and parts[1] in key_of and parts[2].count(".") >= 2:
                path = sym.location.path
                folder = folder_of.get(path)
                if folder is None:
                    folder = folder_of[path] = os.path.dirname(path)
                out[key_of[parts[1]]].add(folder)
    return out


def inside_a_module(root: str, module_folders: set) -> bool:
    """Whether the Terraform root module `root` (a folder) lies inside the folder of a module it
    calls: `examples/complete` or `tests/basic` of a module repository calling `source = "../.."`.
    Such a root demonstrates or tests the module; it is not a deployment, and project-level
    checks ("no CloudTrail in this project") do not report on it. Decided from the root and
    the modules it calls, not from the other roots of the scan."""
    folder = os.path.dirname(root.rstrip(os.sep))
    while folder and folder != os.path.dirname(folder):
        if folder in module_folders:
            return True
        folder = os.path.dirname(folder)
    return False


def roots(graph: ResourceGraph) -> list:
    by_root: dict = {}
    for res in graph.resources:
        root = res.meta.get("root_module", "")
        if root:
            by_root.setdefault(root, []).append(res)
    module_folders = _module_folders(graph, by_root)
    out = []
    for root, members in sorted(by_root.items()):
        own = [r for r in members if not r.module] or members
        first = min(r.location.path for r in own)
        language = members[0].language
        plan = root.endswith(".json") and language == TERRAFORM and not root.endswith(".tf.json")
        if language == TERRAFORM and not plan and inside_a_module(root, module_folders.get(root, ())):
            continue
        rtype, address = ("terraform_plan", "(plan)") if plan else _KIND.get(language, ("root", "(root)"))
        stand_in = Resource(
            id="root:%s" % root, address=address, type=rtype, language=language, properties={},
            location=Location(first, 1, 1), meta={"root_module": root},
        )
        out.append(Root(stand_in, root, language, graph))
    return out
