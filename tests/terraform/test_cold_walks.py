"""Shortcuts of a cold Terraform scan (issue 17, i20), each held to the longer way it replaced.

- `ResourceGraph.symbols_of_kind` reads the store's node table directly: the same pairs in the
  same order as the walk through `nodes(data="symbol")`, after `build`, after `add_resource`,
  after symbols added to the store directly, and after `release`.
- `facts.roots._inside_module_roots` decides which roots lie inside a module they call from the
  module resources' folders first, and looks at symbols only for the roots still undecided (the
  node ids starting with their "tf:<key>:module."): the same roots as the walk over every node
  decided.
- The expression evaluator imports the functions module once, not at every function call.
"""
from __future__ import annotations

import os
from pathlib import Path

from iacguard.core.model import Location, Resource, ScanOptions, Symbol
from iacguard.discover import discover
from iacguard.engine import parse_source
from iacguard.facts import roots as roots_facts
from iacguard.graph import ResourceGraph
from iacguard.terraform import expressions as ex
from iacguard.terraform import functions
from iacguard.terraform.evaluate import evaluate_configuration
from tree_files import write

KINDS = ("variable", "local", "output", "module", "parameter", "condition")


def symbols_by_walk(graph: ResourceGraph, kind: str) -> list:
    """What `symbols_of_kind` gave before (i19): a walk over every node."""
    return [(n, sym) for n, sym in graph.g.nodes(data="symbol") if sym is not None and sym.kind == kind]


def module_folders_by_walk(graph: ResourceGraph, by_root: dict) -> dict:
    """`_module_folders` as it was (i19): one walk over every node."""
    key_of = {}
    out: dict = {}
    for root, members in by_root.items():
        if members[0].language != "terraform":
            continue
        out[root] = {os.path.dirname(r.location.path) for r in members if r.module}
        key = members[0].id.split(":", 2)[1] if members[0].id.count(":") >= 2 else None
        if key is not None:
            key_of[key] = root
    if not key_of:
        return out
    kinds = ("variable", "local", "output", "module")
    for node, sym in graph.g.nodes(data="symbol"):
        if sym is None or sym.kind not in kinds or sym.location is None or not node.startswith("tf:"):
            continue
        parts = node.split(":", 2)
        if len(parts) == 3 and parts[2].startswith("module.") and parts[1] in key_of and parts[2].count(".") >= 2:
            out[key_of[parts[1]]].add(os.path.dirname(sym.location.path))
    return out


TREE = {
    "live/main.tf": """
        variable "name" {}
        locals { tag = "x" }
        module "net" {
          source = "../modules/net"
          name   = var.name
        }
        module "app" {
          source   = "../modules/app"
          for_each = toset(["a", "b"])
          vpc      = module.net.id
        }
        resource "aws_s3_bucket" "b" { bucket = local.tag }
        output "id" { value = module.net.id }
    """,
    "modules/net/main.tf": """
        variable "name" {}
        locals { full = "${var.name}-net" }
        resource "aws_vpc" "v" { tags = { Name = local.full } }
        output "id" { value = aws_vpc.v.id }
    """,
    "modules/app/main.tf": """
        variable "vpc" {}
        module "inner" { source = "../net"
          name = var.vpc }
        output "x" { value = module.inner.id }
    """,
    "modules/app/examples/basic/main.tf": """
        module "app" { source = "../.."
          vpc = "v" }
    """,
}


def evaluated(tmp_path: Path) -> list:
    write(tmp_path, TREE)
    disc = discover([str(tmp_path)])
    out = []
    for root in sorted({f.root for f in disc.files if f.kind == "terraform"}):
        files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform" and f.root == root}
        out.append(evaluate_configuration(files, root, ScanOptions()))
    return out


def same_as_walk(graph: ResourceGraph) -> None:
    for kind in KINDS:
        assert graph.symbols_of_kind(kind) == symbols_by_walk(graph, kind)


def test_symbols_of_kind_equals_the_walk(tmp_path: Path):
    results = evaluated(tmp_path)
    graph = ResourceGraph.build(results)
    assert graph.symbols_of_kind("module") and graph.symbols_of_kind("variable")
    same_as_walk(graph)
    got = graph.symbols_of_kind("local")
    got.clear()  # a caller's list is its own
    same_as_walk(graph)
    # Symbols added to the store directly, and a resource, after the index was made.
    graph.g.add_node("tf:x:var.late", symbol=Symbol("tf:x:var.late", "variable", "late", None, "terraform"))
    graph.g.add_node("cfn:p", symbol=Symbol("cfn:p", "parameter", "P", None, "cloudformation"))
    same_as_walk(graph)
    graph.add_resource(Resource("tf:x:aws_s3_bucket.z", "aws_s3_bucket.z", "aws_s3_bucket", "terraform", {}, Location("z.tf", 1, 1)))
    same_as_walk(graph)
    graph.release()
    same_as_walk(graph)
    assert graph.symbols_of_kind("variable") == []


def test_inside_module_roots_as_the_walk_decides(tmp_path: Path, monkeypatch):
    graph = ResourceGraph.build(evaluated(tmp_path))
    by_root: dict = {}
    for res in graph.resources:
        by_root.setdefault(res.meta.get("root_module", ""), []).append(res)
    folders = module_folders_by_walk(graph, by_root)
    want = {root for root in by_root if roots_facts.inside_a_module(root, folders.get(root, ()))}
    assert roots_facts._inside_module_roots(graph, by_root) == want
    assert {os.path.basename(r) for r in want} == {"basic"}
    # The example is decided by the symbols of modules/app (a module without resources of its own).
    assert not roots_facts.inside_a_module(next(r for r in want), {os.path.dirname(r.location.path) for r in by_root[next(r for r in want)] if r.module})
    assert [os.path.basename(r.path) for r in roots_facts.roots(graph)] == ["live"]
    # Without symbols, nothing decides the example: it is a root.
    monkeypatch.setattr(graph.g, "_node", {n: d for n, d in graph.g._node.items() if "symbol" not in d})
    assert roots_facts._inside_module_roots(graph, by_root) == set()


def test_functions_module_imported_once():
    assert ex._functions_module() is functions
    assert ex._functions_module() is functions
    assert ex._FUNCTIONS == [functions]


# -- instance keys kept by the expansion ---------------------------------------------------

COUNTED = {
    "main.tf": """
        variable "n" {
          default = 2
        }
        variable "unknown" {}
        locals {
          names = { a = "x", b = "y" }
        }
        resource "aws_sqs_queue" "q" {
          count = var.n
          name  = "q${count.index}"
        }
        resource "aws_sns_topic" "t" {
          for_each = local.names
          name     = each.value
        }
        resource "aws_sns_topic" "u" {
          count = var.unknown ? 1 : 0
          name  = "u"
        }
        resource "aws_sqs_queue_policy" "p" {
          count      = var.n
          queue_url  = aws_sqs_queue.q[count.index].id
          policy     = jsonencode([for t in aws_sns_topic.t : t.arn])
          depends_on = [aws_sqs_queue.q, aws_sns_topic.t, aws_sns_topic.u]
        }
        data "aws_iam_policy_document" "d" {
          count = 2
          statement {
            resources = aws_sqs_queue.q[*].arn
          }
        }
        module "m" {
          source = "./m"
          count  = 2
          ids    = aws_sqs_queue.q[*].id
        }
        output "ids" { value = aws_sqs_queue.q[*].id }
        output "arns" { value = { for k, t in aws_sns_topic.t : k => t.arn } }
        output "u" { value = aws_sns_topic.u[*].name }
        output "d" { value = data.aws_iam_policy_document.d[*].json }
        output "later" { value = aws_s3_bucket.later[*].id }
        resource "aws_s3_bucket" "later" {
          count  = 3
          bucket = "b${count.index}"
        }
    """,
    "m/main.tf": """
        variable "ids" {}
        resource "aws_sqs_queue" "inner" {
          for_each = toset(["1", "2"])
          name     = "i${each.key}"
        }
        output "x" { value = [for q in aws_sqs_queue.inner : q.id] }
        output "ids" { value = var.ids }
    """,
}


def evaluated_counted(tmp_path: Path):
    write(tmp_path, COUNTED)
    disc = discover([str(tmp_path)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    return evaluate_configuration(files, disc.roots[0], ScanOptions())


def test_kept_instance_keys_change_nothing(tmp_path: Path, monkeypatch):
    import iacguard.terraform.evaluate as tfe

    calls: list = []
    instances = tfe.ModuleInstance._instances

    def counting(self, block, path, what):
        calls.append(what)
        return instances(self, block, path, what)

    monkeypatch.setattr(tfe.ModuleInstance, "_instances", counting)
    kept = evaluated_counted(tmp_path)
    kept_calls = len(calls)
    calls.clear()
    monkeypatch.setattr(tfe, "_KEYS_KEPT", -1)  # never kept: every reference evaluates the count again
    again = evaluated_counted(tmp_path)
    assert kept_calls < len(calls)
    fields = ("id", "address", "type", "properties", "location", "property_locations", "mode", "module", "conditions", "meta")
    assert [[getattr(r, f) for f in fields] for r in kept.resources] == [[getattr(r, f) for f in fields] for r in again.resources]
    assert len(kept.resources) == 16
    assert kept.references == again.references
    assert kept.symbols == again.symbols
    assert kept.unknowns == again.unknowns
    assert kept.notifications == again.notifications
    targets = {r.target.rsplit(":", 1)[-1] for r in kept.references if r.source.endswith("output.ids") and ":module." not in r.source}
    assert targets == {"aws_sqs_queue.q[0]", "aws_sqs_queue.q[1]"}


# -- object keys' locations, worked out once per expression -----------------------------------


def locations_by_walk(obj, path: str, prop_path: tuple, locs: dict, ends, depth: int = 0):
    """`_object_key_locations` as it was (i19): a walk per instance, every Location built anew."""
    from iacguard.core.model import span_location
    from iacguard.terraform.syntax import Literal, ObjectExpr, Template, TupleExpr

    if depth > 32:
        return
    for key_expr, value_expr in obj.items:
        key = None
        if isinstance(key_expr, Literal) and isinstance(key_expr.value, str):
            key = key_expr.value
        elif isinstance(key_expr, Template) and len(key_expr.parts) == 1 and isinstance(key_expr.parts[0], str):
            key = key_expr.parts[0]
        if key is None:
            continue
        locs.setdefault(prop_path + (key,), span_location(path, key_expr.line, value_expr.end_line, ends))
        if isinstance(value_expr, ObjectExpr):
            locations_by_walk(value_expr, path, prop_path + (key,), locs, ends, depth + 1)
        elif isinstance(value_expr, TupleExpr):
            for index, item in enumerate(value_expr.items):
                if isinstance(item, ObjectExpr):
                    locs.setdefault(prop_path + (key, index), span_location(path, item.line, item.end_line, ends))
                    locations_by_walk(item, path, prop_path + (key, index), locs, ends, depth + 1)


def deep_object(n: int) -> str:
    return "{ k = " * n + "1" + " }" * n


OBJECTS = {
    "main.tf": """
        module "one" {
          source = "./m"
        }
        module "many" {
          source = "./m"
          count  = 3
        }
        resource "aws_iam_policy" "root" {
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [
              { Effect = "Allow", Action = ["s3:*"], Resource = "*" },
              "not an object",
              { Effect = "Deny", "${"quoted"}" = 1, (local.k) = 2 },
            ]
          })
          tags = { Name = "x", "quoted key" = { inner = [{ a = 1 }, { b = { c = 2 } }] } }
        }
        locals { k = "computed" }
    """,
    "m/main.tf": """
        resource "aws_s3_bucket" "b" {
          count = 2
          tags  = { Name = "b", Team = { lead = "x", members = [{ n = 1 }] } }
          policy = jsonencode({ Statement = [{ Sid = "a" }, { Sid = "b", Condition = { StringEquals = { k = "v" } } }] })
          lifecycle_rule {
            tags = { inside = "a block" }
          }
          deep = """ + deep_object(40) + """
        }
        resource "aws_sqs_queue" "q" {
          tags = { Name = "q" }
        }
    """,
}


def test_key_locations_equal_the_walk(tmp_path: Path, monkeypatch):
    import iacguard.terraform.evaluate as tfe

    shortcut = tfe._object_key_locations
    checked: list = []

    def checking(ev, obj, path, prop_path, locs, ends):
        want = dict(locs)
        locations_by_walk(obj, path, prop_path, want, ends)
        shortcut(ev, obj, path, prop_path, locs, ends)
        assert list(locs.items()) == list(want.items())
        checked.append(ev.keep)

    monkeypatch.setattr(tfe, "_object_key_locations", checking)
    write(tmp_path, OBJECTS)
    disc = discover([str(tmp_path)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    result = evaluate_configuration(files, disc.roots[0], ScanOptions())
    assert len(result.resources) == 1 + 4 * 2 + 4
    assert True in checked and False in checked  # kept (module of several instances) and not
    root = next(r for r in result.resources if r.address == "aws_iam_policy.root")
    assert ("policy", "Statement", 2, "Effect") in root.property_locations
    assert ("tags", "quoted key", "inner", 1, "b", "c") in root.property_locations


# -- References made without the frozen dataclass's __init__ ----------------------------------


def test_references_made_as_the_dataclass_makes_them():
    import pickle
    from dataclasses import FrozenInstanceError, dataclass, field

    import iacguard.terraform.evaluate as tfe
    from iacguard.core.model import Reference

    assert tfe._reference is not Reference  # the shortcut is in use for the Reference of today
    for args in [("a", "b", (), "", "reference"), ("tf:x:aws_s3_bucket.b", "tf:x:var.n", ("tags", 0, "Name"), "arn", "depends_on"),
                 ("s", "t", ["list", "path"], "id", "module_input")]:
        got, want = tfe._reference(*args), Reference(*args)
        assert type(got) is Reference and got == want and repr(got) == repr(want)
        if type(args[2]) is tuple:
            assert hash(got) == hash(want)
        assert pickle.loads(pickle.dumps(got)) == want
        try:
            got.source = "changed"
        except FrozenInstanceError:
            pass
        else:
            raise AssertionError("a made Reference must stay frozen")

    # Any other shape: the class itself.
    @dataclass(frozen=True, slots=True)
    class Four:
        a: str
        b: str
        c: str
        d: str

    @dataclass(frozen=True, slots=True)
    class WithPost:
        a: str
        b: str
        c: str
        d: str
        e: str

        def __post_init__(self):
            pass

    @dataclass(frozen=True)
    class NoSlots:
        a: str
        b: str
        c: str
        d: str
        e: str = field(default="x")

    names = ("a", "b", "c", "d", "e")
    assert tfe._slot_constructor(Four, ("a", "b", "c", "d")) is Four
    assert tfe._slot_constructor(WithPost, names) is WithPost
    assert tfe._slot_constructor(NoSlots, names) is NoSlots
    assert tfe._slot_constructor(Reference, ("target", "source", "path", "attribute", "kind")) is Reference


def test_locations_made_as_span_location_makes_them():
    import pickle

    import iacguard.terraform.evaluate as tfe
    from iacguard.core.model import Location, span_location

    assert tfe._location is not Location
    ends = [5, 1, 30, 12]
    for start, end in [(1, 1), (2, 4), (4, 2), (0, 0), (-3, 1), (3, 9), (9, 9), (4, 4)]:
        for table in (ends, (), []):
            got, want = tfe._span_location("/x/main.tf", start, end, table), span_location("/x/main.tf", start, end, table)
            assert type(got) is Location and got == want and hash(got) == hash(want) and repr(got) == repr(want)
            assert pickle.loads(pickle.dumps(got)) == want
