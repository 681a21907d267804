"""Shortcuts of a cold Terraform scan (issue 17, i20), each held to the longer way it replaced.

- `ResourceGraph.symbols_of_kind` answers from an index of the symbols by kind, made in one pass
  over the nodes and made again when nodes were added: it gives what the walk over every node
  gave (same pairs, same order), after `build`, after `add_resource`, after symbols added to the
  store directly, and after `release`.
- `facts.roots._module_folders` takes the symbols kind by kind from that index: the same folders
  per root as the walk over every node.
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


def test_symbols_index_equals_the_walk(tmp_path: Path):
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


def test_module_folders_equal_the_walk(tmp_path: Path):
    graph = ResourceGraph.build(evaluated(tmp_path))
    by_root: dict = {}
    for res in graph.resources:
        by_root.setdefault(res.meta.get("root_module", ""), []).append(res)
    got = roots_facts._module_folders(graph, by_root)
    assert got == module_folders_by_walk(graph, by_root)
    assert any(len(folders) >= 2 for folders in got.values())
    # The example calling its own module ("../..") is not a root; the live one is.
    assert [os.path.basename(r.path) for r in roots_facts.roots(graph)] == ["live"]


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
