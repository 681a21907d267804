"""Terraform plan JSON (`terraform show -json PLAN`): the same resources and graph as a
configuration, with the values Terraform planned.

`planned_values` gives every resource instance with its known values. Values known only after
apply are absent there and flagged in `resource_changes[].change.after_unknown`; they become
`Unknown` here (and are counted), so a check never mistakes them for an omitted setting.
`configuration` gives the references: between resources, through module inputs (a module's
variable stands for the caller's expression) and module outputs, and `depends_on`.

The plan names no source lines, so a resource's block is looked up in the `.tf` files of its
module folder (the plan's folder for the root module, local module sources below it) when they are
present next to the plan; otherwise findings point at the resource's line in the plan file.
"""
from __future__ import annotations

import json
import os
import re

from .. import parse as _parse
from iacguard.core.model import LanguageResult, Reference, Resource, Symbol, TERRAFORM, UnknownValue, line_end_columns, span_location, walk
from iacguard.core.unknown import Unknown
from .evaluate import json_block_body
from .plan_parse import PlanError, parse_plan  # noqa: F401 - the parse half, named here too

MAX_DEPTH = 64


def _plan_lines(text: str) -> dict:
    """Line of each `"address": "..."` in the plan text, to point at the plan when no .tf is found."""
    lines = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = re.search(r'"address"\s*:\s*"((?:[^"\\]|\\.)+)"', line)
        if m:
            try:
                address = json.loads('"%s"' % m.group(1))
            except ValueError:
                continue
            lines.setdefault(address, n)
    return lines


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class _SourceIndex:
    """The `resource`/`data` blocks of a module folder's `.tf` / `.tf.json` files, parsed, with
    the location of every attribute and nested block."""

    def __init__(self, root: str, result: LanguageResult):
        self.root = root
        self.result = result
        self._cache: dict = {}
        self._ends: dict = {}  # path -> ConfigFile.line_ends

    def _blocks(self, folder: str) -> dict:
        if folder in self._cache:
            return self._cache[folder]
        blocks: dict = {}
        # Through the parse stage, under the scan's bounds (file size, time per file). A file that
        # cannot be read or parsed is passed over without a note: the plan still gives the values,
        # findings point at the plan instead, and the file's own scan reports it.
        for parsed in _parse.parse_folder(folder, self.root):
            if parsed.kind != "terraform":
                continue
            path, cf = parsed.path, parsed.data
            self._ends[path] = cf.line_ends
            for block in cf.body.blocks:
                if block.type in ("resource", "data") and len(block.labels) >= 2:
                    body = json_block_body(block.body) if path.endswith(".json") else block.body
                    mode = "data" if block.type == "data" else "managed"
                    blocks.setdefault((mode, block.labels[0], block.labels[1]), (path, block, body))
        self._cache[folder] = blocks
        return blocks

    def locate(self, folder: str, mode: str, rtype: str, name: str):
        found = self._blocks(folder).get((mode, rtype, name))
        if found is None:
            return None, {}
        path, block, body = found
        locs: dict = {}
        ends = self._ends.get(path, ())
        _body_locations(body, path, (), locs, 0, ends)
        return span_location(path, block.line, block.end_line, ends), locs


def _body_locations(body, path: str, prefix: tuple, locs: dict, depth: int, ends) -> None:
    if depth > MAX_DEPTH:
        return
    for name, attr in body.attributes.items():
        locs[prefix + (name,)] = span_location(path, attr.line, attr.end_line, ends)
    counters: dict = {}
    for block in body.blocks:
        if block.type == "dynamic":
            continue  # its instances cannot be matched to the plan's list items by position
        i = counters.get(block.type, 0)
        counters[block.type] = i + 1
        locs[prefix + (block.type, i)] = span_location(path, block.line, block.end_line, ends)
        _body_locations(block.body, path, prefix + (block.type, i), locs, depth + 1, ends)


def _with_unknowns(values, after_unknown, depth: int = 0):
    """Planned values with every value flagged in `after_unknown` replaced by Unknown."""
    if depth > MAX_DEPTH:
        return values
    if after_unknown is True:
        return Unknown("known only after apply")
    if isinstance(after_unknown, dict) and isinstance(values, dict):
        out = dict(values)
        for key, flag in after_unknown.items():
            if flag is True or key in out:
                out[key] = _with_unknowns(out.get(key), flag, depth + 1)
        return out
    if isinstance(after_unknown, list) and isinstance(values, list):
        out = list(values)
        for i, flag in enumerate(after_unknown):
            if i < len(out):
                out[i] = _with_unknowns(out[i], flag, depth + 1)
            elif flag is True:
                out.append(Unknown("known only after apply"))
        return out
    return values


def _config_address(address: str) -> str:
    """`module.a["x"].aws_s3_bucket.b[0]` -> `module.a.aws_s3_bucket.b`."""
    out, depth, quoted, escaped = [], 0, False, False
    for ch in address:
        if quoted:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == '"' and depth:
            quoted = True
        elif not depth:
            out.append(ch)
    return "".join(out)


def _module_of(address: str, mode: str, rtype: str) -> str:
    marker = (".data.%s." % rtype) if mode == "data" else (".%s." % rtype)
    if not address.startswith("module."):
        return ""
    cut = address.rfind(marker)
    return address[:cut] if cut > 0 else ""


def evaluate_plan(parsed: dict, root: str) -> LanguageResult:
    path = parsed["path"]
    plan = parsed["plan"]
    result = LanguageResult(files=[path])
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        raw = fh.read()
    plan_ends = line_end_columns(raw)  # "\n" lines, as Locations count them
    plan_lines = _plan_lines(raw)  # splitlines(): the same lines as universal newlines
    index = _SourceIndex(root, result)
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    config = (plan.get("configuration") or {}).get("root_module") or {}
    after_unknown = {}
    for change in plan.get("resource_changes") or []:
        if isinstance(change, dict) and isinstance(change.get("change"), dict):
            after_unknown[change.get("address")] = change["change"].get("after_unknown")

    def node_id(address: str) -> str:
        return "tfplan:%s:%s" % (rel, address)

    def walk_module(module: dict, folder: str | None, conf: dict, depth: int = 0):
        if depth > MAX_DEPTH or not isinstance(module, dict):
            return
        for r in module.get("resources") or []:
            if not isinstance(r, dict):
                continue
            address = str(r.get("address", ""))
            mode = r.get("mode", "managed")
            rtype, name = str(r.get("type", "")), str(r.get("name", ""))
            loc, locs = index.locate(folder, mode, rtype, name) if folder else (None, {})
            if loc is None:
                line = plan_lines.get(address, 1)
                loc, locs = span_location(path, line, line, plan_ends), {}
            values = r.get("values") if isinstance(r.get("values"), dict) else {}
            values = _with_unknowns(values, after_unknown.get(address))
            res = Resource(
                id=node_id(address),
                address=address,
                type=rtype,
                language=TERRAFORM,
                properties=values,
                location=loc,
                property_locations=locs,
                mode=mode,
                module=_module_of(address, mode, rtype),
                meta={"plan": True, "base_id": node_id(address), "config_address": _config_address(address), "root_module": path},
            )
            result.resources.append(res)
            for p, v in walk(values):
                if isinstance(v, Unknown):
                    at = res.location_of(*p)
                    result.unknowns.append(UnknownValue(at.path, at.start_line, "%s.%s" % (address, ".".join(map(str, p))), v.reason))
        calls = (conf or {}).get("module_calls") or {}
        for child in module.get("child_modules") or []:
            if not isinstance(child, dict):
                continue
            caddr = str(child.get("address", ""))
            name = _config_address(caddr).rsplit("module.", 1)[-1]
            call = calls.get(name) or {}
            source = call.get("source", "")
            child_folder = None
            if folder and isinstance(source, str) and source.startswith(("./", "../")):
                candidate = os.path.realpath(os.path.join(folder, source))
                if _inside(candidate, root):
                    child_folder = candidate
            walk_module(child, child_folder, call.get("module") or {}, depth + 1)

    walk_module((plan.get("planned_values") or {}).get("root_module") or {}, os.path.dirname(path), config)
    by_config: dict = {}
    for res in result.resources:
        by_config.setdefault(res.meta["config_address"], []).append(res.id)
    _References(result, node_id, by_config).module(config, "", None)
    return result


class _References:
    """Graph edges from `configuration`: a reference names a resource (every planned instance of
    it), a variable of the module (a symbol that stands for the caller's argument), or a module
    output (a symbol that stands for the output's expression)."""

    def __init__(self, result: LanguageResult, node_id, by_config: dict):
        self.result = result
        self.node_id = node_id
        self.by_config = by_config

    def module(self, conf: dict, prefix: str, location, depth: int = 0):
        if depth > MAX_DEPTH or not isinstance(conf, dict):
            return
        result = self.result
        for name in (conf.get("variables") or {}):
            result.symbols.append(Symbol(self.node_id(prefix + "var." + name), "variable", name, location, TERRAFORM))
        for r in conf.get("resources") or []:
            if not isinstance(r, dict):
                continue
            caddr = prefix + str(r.get("address", ""))
            for source in self.by_config.get(caddr, []):
                for attr_path, ref in _expression_refs(r.get("expressions") or {}, ()):
                    for target in self.targets(ref, prefix, conf):
                        result.references.append(Reference(source, target, attr_path, "", "reference"))
                for ref in r.get("depends_on") or []:
                    if isinstance(ref, str):
                        for target in self.targets(ref, prefix, conf):
                            result.references.append(Reference(source, target, ("depends_on",), "", "depends_on"))
        for name, out in (conf.get("outputs") or {}).items():
            sid = self.node_id(prefix + "output." + name)
            result.symbols.append(Symbol(sid, "output", name, location, TERRAFORM))
            for _, ref in _expression_refs((out or {}).get("expression") or {}, ()):
                for target in self.targets(ref, prefix, conf):
                    result.references.append(Reference(sid, target, (), "", "reference"))
        for name, call in (conf.get("module_calls") or {}).items():
            if not isinstance(call, dict):
                continue
            child_prefix = prefix + "module.%s." % name
            result.symbols.append(Symbol(self.node_id(prefix + "module." + name), "module", name, location, TERRAFORM))
            for arg, expr in (call.get("expressions") or {}).items():
                sid = self.node_id(child_prefix + "var." + arg)
                for _, ref in _expression_refs(expr, ()):
                    for target in self.targets(ref, prefix, conf):
                        result.references.append(Reference(sid, target, (), "", "module_input"))
            self.module(call.get("module") or {}, child_prefix, location, depth + 1)

    def targets(self, ref: str, prefix: str, conf: dict) -> list:
        parts = _config_address(ref).split(".")
        if parts[0] == "var" and len(parts) >= 2:
            return [self.node_id(prefix + "var." + parts[1])]
        if parts[0] == "module" and len(parts) >= 3:
            return [self.node_id(prefix + "module.%s.output.%s" % (parts[1], parts[2]))]
        if parts[0] in ("local", "each", "count", "path", "self", "terraform", "module"):
            return []
        base = ".".join(parts[:3]) if parts[0] == "data" else ".".join(parts[:2])
        return list(self.by_config.get(prefix + base, []))


def _expression_refs(expr, path: tuple, depth: int = 0):
    """(property path, reference) for every reference in a plan's expression tree. Nested
    blocks are lists of expression objects; attributes are objects with `references`."""
    if depth > MAX_DEPTH:
        return
    if isinstance(expr, dict):
        refs = expr.get("references")
        if isinstance(refs, list):
            for ref in refs:
                if isinstance(ref, str):
                    yield path, ref
        for k, v in expr.items():
            if k not in ("references", "constant_value"):
                yield from _expression_refs(v, path + (k,), depth + 1)
    elif isinstance(expr, list):
        for i, v in enumerate(expr):
            yield from _expression_refs(v, path + (i,), depth + 1)
