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
from operator import methodcaller

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


def _inside_module_roots(graph: ResourceGraph, by_root: dict) -> set:
    """The Terraform roots that lie inside the folder of a module they call, at any depth
    (`inside_a_module`). The folders of a root's modules are those of its module instances'
    resources, variables, locals, outputs and module calls (symbol ids are "tf:<root key>:<module
    prefix><name>", a module instance's prefix being "module.NAME." and more). The resources'
    folders decide most roots (an example calling `source = "../.."` reaches the module's
    resources); symbols are looked at only for the roots they left undecided, and only those
    whose ids start with such a root's "tf:<key>:module." (a C loop over the node ids)."""
    inside: set = set()
    folders_of: dict = {}
    key_of: dict = {}  # root key -> root (the last root of a key, were two to share one)
    folder_of: dict = {}  # file path -> folder (module files hold many resources and symbols)
    for root, members in by_root.items():
        if members[0].language != TERRAFORM:
            continue
        folders = folders_of[root] = set()
        for r in members:
            if r.module:
                path = r.location.path
                folder = folder_of.get(path)
                if folder is None:
                    folder = folder_of[path] = os.path.dirname(path)
                folders.add(folder)
        if inside_a_module(root, folders):
            inside.add(root)
        key = members[0].id.split(":", 2)[1] if members[0].id.count(":") >= 2 else None
        if key is not None:
            key_of[key] = root
    # "tf:<root key>:module." -> root, for the roots the resources left undecided (a key holds
    # no ":", as it is read from an id with split(":")).
    undecided = {"tf:%s:module." % key: root for key, root in key_of.items() if root not in inside}
    if not undecided:
        return inside
    prefixes = tuple(undecided)
    kinds = ("variable", "local", "output", "module")
    store = getattr(graph, "g", None)
    if store is not None:  # the node ids filtered by a C loop, then the symbols among them
        table = store._node
        pairs = [(n, table[n].get("symbol")) for n in filter(methodcaller("startswith", prefixes), table)]
    else:
        pairs = [pair for kind in kinds for pair in graph.symbols_of_kind(kind)]
    added: set = set()
    for node, sym in pairs:
        if sym is None or sym.kind not in kinds or sym.location is None or not node.startswith(prefixes):
            continue
        parts = node.split(":", 2)
        if parts[2].count(".") >= 2:
            root = undecided["tf:%s:module." % parts[1]]
            path = sym.location.path
            folder = folder_of.get(path)
            if folder is None:
                folder = folder_of[path] = os.path.dirname(path)
            folders_of[root].add(folder)
            added.add(root)
    for root in added:
        if inside_a_module(root, folders_of[root]):
            inside.add(root)
    return inside


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
    inside = _inside_module_roots(graph, by_root)
    out = []
    for root, members in sorted(by_root.items()):
        own = [r for r in members if not r.module] or members
        first = min(r.location.path for r in own)
        language = members[0].language
        plan = root.endswith(".json") and language == TERRAFORM and not root.endswith(".tf.json")
        if language == TERRAFORM and not plan and root in inside:
            continue
        rtype, address = ("terraform_plan", "(plan)") if plan else _KIND.get(language, ("root", "(root)"))
        stand_in = Resource(
            id="root:%s" % root, address=address, type=rtype, language=language, properties={},
            location=Location(first, 1, 1), meta={"root_module": root},
        )
        out.append(Root(stand_in, root, language, graph))
    return out
