"""Terraform plan JSON (`terraform show -json PLAN`): the same resources and graph as a
configuration, with the values Terraform planned.

`planned_values` gives every resource instance with its known values (computed ones are absent,
so they read as Unknown); `configuration` gives the references between them. The plan names no
source lines, so a resource's block is looked up in the `.tf` files of its module folder when
they are present next to the plan; otherwise findings point at the plan file.
"""
from __future__ import annotations

import json
import os
import re

from ..model import LanguageResult, Location, Reference, Resource, TERRAFORM


class PlanError(ValueError):
    pass


def parse_plan(text: str, path: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PlanError("not valid JSON: %s" % exc) from None
    except RecursionError:
        raise PlanError("nesting too deep") from None
    if not isinstance(data, dict) or "planned_values" not in data:
        raise PlanError("not a Terraform plan (no planned_values)")
    return {"path": path, "plan": data}


def _plan_lines(text: str) -> dict:
    """Line of each `"address": "..."` in the plan text, to point at the plan when no .tf is found."""
    lines = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = re.search(r'"address"\s*:\s*"([^"]+)"', line)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = n
    return lines


class _SourceIndex:
    """Finds `resource "t" "n" {` blocks and attribute lines in a module folder's .tf files."""

    def __init__(self, root: str):
        self.root = root
        self._cache: dict = {}

    def _files(self, folder: str) -> list:
        if folder not in self._cache:
            out = []
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                names = []
            for name in names:
                path = os.path.realpath(os.path.join(folder, name))
                if name.endswith(".tf") and os.path.isfile(path) and (path + os.sep).startswith(self.root.rstrip(os.sep) + os.sep):
                    try:
                        with open(path, encoding="utf-8", errors="replace") as fh:
                            out.append((path, fh.read().splitlines()))
                    except OSError:
                        continue
            self._cache[folder] = out
        return self._cache[folder]

    def locate(self, folder: str, mode: str, rtype: str, name: str):
        keyword = "data" if mode == "data" else "resource"
        pattern = re.compile(r'^\s*%s\s+"%s"\s+"%s"\s*\{' % (keyword, re.escape(rtype), re.escape(name)))
        for path, lines in self._files(folder):
            for i, line in enumerate(lines):
                if pattern.match(line):
                    end = i
                    depth = 0
                    for j in range(i, len(lines)):
                        depth += lines[j].count("{") - lines[j].count("}")
                        if depth <= 0 and j > i or (depth <= 0 and "}" in lines[j]):
                            end = j
                            break
                    else:
                        end = len(lines) - 1
                    locs = {}
                    for j in range(i + 1, end + 1):
                        m = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=", lines[j])
                        if m and (m.group(1),) not in locs:
                            locs[(m.group(1),)] = Location(path, j + 1, j + 1)
                    return Location(path, i + 1, end + 1), locs
        return None, {}


def evaluate_plan(parsed: dict, root: str) -> LanguageResult:
    path = parsed["path"]
    plan = parsed["plan"]
    result = LanguageResult(files=[path])
    with open(path, encoding="utf-8", errors="replace") as fh:
        plan_lines = _plan_lines(fh.read())
    index = _SourceIndex(root)
    plan_dir = os.path.dirname(path)
    config = plan.get("configuration", {}).get("root_module", {}) or {}
    rel = os.path.relpath(path, root).replace(os.sep, "/")

    def node_id(address: str) -> str:
        return "tfplan:%s:%s" % (rel, address)

    def walk_module(module: dict, folder: str, conf: dict, depth: int = 0):
        if depth > 64 or not isinstance(module, dict):
            return
        for r in module.get("resources", []) or []:
            address = r.get("address", "")
            mode = r.get("mode", "managed")
            rtype, name = r.get("type", ""), r.get("name", "")
            loc, locs = index.locate(folder, mode, rtype, name) if folder else (None, {})
            if loc is None:
                line = plan_lines.get(address, 1)
                loc, locs = Location(path, line, line), {}
            module_address = address.rsplit(".", 2)[0] if address.startswith("module.") else ""
            if mode == "data":
                module_address = address.split(".data.")[0] if ".data." in address else ""
            res = Resource(
                id=node_id(address),
                address=address,
                type=rtype,
                language=TERRAFORM,
                properties=r.get("values") or {},
                location=loc,
                property_locations=locs,
                mode=mode,
                module=module_address if module_address.startswith("module.") else "",
                meta={"plan": True, "base_id": node_id(address)},
            )
            result.resources.append(res)
        calls = (conf or {}).get("module_calls", {}) or {}
        for child in module.get("child_modules", []) or []:
            caddr = child.get("address", "")
            name = re.sub(r"\[.*?\]$", "", caddr.rsplit("module.", 1)[-1])
            call = calls.get(name, {})
            source = call.get("source", "")
            child_folder = None
            if folder and isinstance(source, str) and source.startswith(("./", "../")):
                child_folder = os.path.realpath(os.path.join(folder, source))
            walk_module(child, child_folder, call.get("module", {}), depth + 1)

    walk_module(plan.get("planned_values", {}).get("root_module", {}), plan_dir, config)
    _references(config, "", result, node_id, {r.address for r in result.resources})
    return result


def _references(conf: dict, prefix: str, result: LanguageResult, node_id, addresses: set, depth: int = 0):
    if depth > 64 or not isinstance(conf, dict):
        return
    by_config = {}
    for addr in addresses:
        base = re.sub(r"\[[^\]]*\]", "", addr)
        by_config.setdefault(base, []).append(addr)
    for r in conf.get("resources", []) or []:
        caddr = prefix + r.get("address", "")
        sources = by_config.get(caddr, [])
        for attr_path, ref in _expression_refs(r.get("expressions", {}), ()):
            target_base = prefix + _strip_attr(ref)
            for target in by_config.get(target_base, []):
                for src in sources:
                    result.references.append(Reference(node_id(src), node_id(target), attr_path, "", "reference"))
    for name, call in (conf.get("module_calls", {}) or {}).items():
        _references(call.get("module", {}), prefix + "module.%s." % name, result, node_id, addresses, depth + 1)


def _strip_attr(ref: str) -> str:
    parts = re.sub(r"\[[^\]]*\]", "", ref).split(".")
    if parts[0] == "data":
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def _expression_refs(expr, path: tuple, depth: int = 0):
    if depth > 64:
        return
    if isinstance(expr, dict):
        refs = expr.get("references")
        if isinstance(refs, list):
            for ref in refs:
                if isinstance(ref, str) and not ref.startswith(("var.", "local.", "each.", "count.", "path.", "module.")):
                    yield path, ref
        for k, v in expr.items():
            if k not in ("references", "constant_value"):
                yield from _expression_refs(v, path + (k,), depth + 1)
    elif isinstance(expr, list):
        for i, v in enumerate(expr):
            yield from _expression_refs(v, path + (i,), depth + 1)
