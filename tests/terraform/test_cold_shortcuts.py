"""Shortcuts of a cold Terraform scan (issue 17, i19): each gives what the longer way gave.

- fastparse: an interpolation that is a name and attributes (`var.x`, `aws_x.y.id`) is built
  without lexing and a parser; the tree equals the parser's.
- evaluation: a literal attribute's value taken without an evaluator call; expressions that refer
  to nothing left out of a block's reference plan (they gave no reference in any instance).
- expressions: attribute and key reads of mappings through one `get` (lazily computed mappings,
  PartialObject, plain dicts, None values, absent keys).
- graph: `ResourceGraph.build` writes edges into the store directly; the graph equals the one
  `add_resource`/`add_reference` build, parallel edge keys included.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.core.model import Reference, ScanOptions
from iacguard.core.unknown import Unknown
from iacguard.discover import discover
from iacguard.engine import parse_source
from iacguard.graph import ResourceGraph
from iacguard.terraform import expressions as ex
from iacguard.terraform import fastparse as fp
from iacguard.terraform.evaluate import _Lazy, evaluate_configuration
from iacguard.terraform.syntax import GetAttr, Variable
from tree_files import write


def parsed_by_parser(text: str, line: int):
    """What the lexer and parser build for an interpolation's text (no shortcut)."""
    K, V, LN, NB = fp._lex(text.strip() + "\n", line, None)
    _, parse_expr, dispose = fp._make_parser(K, V, LN, NB, 0)
    try:
        return parse_expr()
    finally:
        dispose()


@pytest.mark.parametrize(
    "text",
    ["var.name", "x", "true", "null", "false.x", "true.false.null", "aws_s3_bucket.b.id", "a-b.c-d",
     "each.key", "count.index", "_x._y", "data.aws_caller_identity.me.account_id", "  local.x  ", "for", "in.if"],
)
def test_simple_interpolation_equals_parser(text):
    for line in (1, 7):
        got = fp._expression(text, line, 0)
        assert got == parsed_by_parser(text, line)
        assert (got.line, got.end_line) == (line, line)


@pytest.mark.parametrize("text", ["var.x[0]", "var.x.0", "a.b + 1", "f(x)", "a . b", "é.x", "a::b::c(1)", "a.*.b", "1", "x.1a"])
def test_other_interpolations_still_parsed(text):
    try:
        want = parsed_by_parser(text, 3)
    except fp.HclSyntaxError as exc:
        with pytest.raises(fp.HclSyntaxError) as got:
            fp._expression(text, 3, 0)
        assert got.value.line == exc.line
        return
    assert fp._expression(text, 3, 0) == want


def test_templates_with_traversals():
    tree = fp.parse_hcl_fast('a = "x-${var.y.z}-${true}"\nb = <<EOT\n  ${local.k}\nEOT\n', "f.tf")
    parts = tree.body.attributes["a"].expr.parts
    assert parts[1] == GetAttr(1, 1, GetAttr(1, 1, Variable(1, 1, "var"), "y"), "z")
    assert tree.body.attributes["b"].expr.parts[1] == GetAttr(3, 3, Variable(3, 3, "local"), "k")


def test_mapping_reads():
    scope = ex.Scope({
        "d": {"a": None, "b": 1},
        "lazy": _Lazy(["p", "q"], lambda k: None if k == "p" else k * 2),
        "partial": ex.PartialObject({"x": None}),
    })
    ev = lambda text: ex.evaluate(fp.parse_expression_fast(text), scope)  # noqa: E731
    assert ev("d.a") is None and ev("d.b") == 1 and ev('d["b"]') == 1
    assert ev("lazy.p") is None and ev("lazy.q") == "qq" and ev('lazy["q"]') == "qq"
    assert ev("partial.x") is None
    assert isinstance(ev("partial.y"), Unknown) and isinstance(ev('partial["y"]'), Unknown)
    assert "no attribute c" in ev("d.c").reason
    assert "no attribute r" in ev("lazy.r").reason
    assert "no key" in ev('d["c"]').reason


MAIN = """
variable "name" {
  default = "n"
}
locals {
  tag = "t"
}
resource "aws_s3_bucket" "a" {
  bucket        = "literal"
  force_destroy = true
  acl           = null
  tags          = { Name = upper("x") }
  policy        = jsonencode({ Statement = [] })
}
resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.a.id
  policy = "x-${var.name}-${local.tag}"
  count  = 2
  lit    = 3
}
"""


def _evaluate(tmp_path: Path):
    """MAIN written to `tmp_path` and evaluated as one root."""
    write(tmp_path, {"main.tf": MAIN})
    disc = discover([str(tmp_path)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    return evaluate_configuration(files, disc.roots[0], ScanOptions())


def test_literal_and_reference_free_attributes(tmp_path: Path):
    result = _evaluate(tmp_path)
    a = next(r for r in result.resources if r.address == "aws_s3_bucket.a")
    assert a.properties == {"bucket": "literal", "force_destroy": True, "acl": None, "tags": {"Name": "X"}, "policy": '{"Statement":[]}'}
    assert ("acl",) in a.property_locations and ("bucket",) in a.property_locations
    assert not [r for r in result.references if r.source == a.id]
    p0 = next(r for r in result.resources if r.address == "aws_s3_bucket_policy.p[0]")
    got = sorted((r.path, r.target.rsplit(":", 1)[-1], r.attribute) for r in result.references if r.source == p0.id)
    assert got == [(("bucket",), "aws_s3_bucket.a", "id"), (("policy",), "local.tag", ""), (("policy",), "var.name", "")]


def graph_by_calls(results) -> ResourceGraph:
    graph = ResourceGraph()
    for result in results:
        for res in result.resources:
            graph.add_resource(res)
        for sym in result.symbols:
            graph.g.add_node(sym.id, symbol=sym)
    for result in results:
        for ref in result.references:
            graph.add_reference(ref)
    return graph


def test_graph_build_equals_reference_calls(tmp_path: Path):
    write(tmp_path, {"main.tf": MAIN + 'resource "aws_s3_bucket" "c" {\n  count = 2\n  bucket = aws_s3_bucket.c[0].id\n}\n'})
    disc = discover([str(tmp_path)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    result = evaluate_configuration(files, disc.roots[0], ScanOptions())
    # Parallel edges (the same reference twice), a list path, a missing target, a source that is
    # a resource's base id (its variants), a reference of a node to itself.
    p0 = next(r for r in result.resources if r.address == "aws_s3_bucket_policy.p[0]")
    a = next(r for r in result.resources if r.address == "aws_s3_bucket.a")
    base = p0.meta["base_id"].rsplit("[", 1)[0]
    result.references += [
        Reference(p0.id, a.id, ("bucket",), "id"),
        Reference(p0.id, a.id, ["x", 0], "arn"),
        Reference(p0.id, "tf:.:nowhere", ("y",)),
        Reference(base, a.id, ("z",), "", "depends_on"),
        Reference(a.id, a.id, ("self",)),
    ]
    built, called = ResourceGraph.build([result]), graph_by_calls([result])
    assert list(built.g.edges(keys=True, data=True)) == list(called.g.edges(keys=True, data=True))
    assert [list(built.g.in_edges(n, keys=True)) for n in built.g.nodes] == [list(called.g.in_edges(n, keys=True)) for n in called.g.nodes]
    assert list(built.g.nodes) == list(called.g.nodes)


def test_out_refs_keys_skip_list_indexes(tmp_path: Path):
    result = _evaluate(tmp_path)
    a = next(r for r in result.resources if r.address == "aws_s3_bucket.a")
    p0 = next(r for r in result.resources if r.address == "aws_s3_bucket_policy.p[0]")
    result.references.append(Reference(p0.id, a.id, ("statement", 0, "resource", 1), "arn"))
    graph = ResourceGraph.build([result])
    out = {(keys, path) for keys, path, dst in graph._out_refs(p0.id) if dst == a.id}
    assert out == {(("bucket",), ("bucket",)), (("statement", "resource"), ("statement", 0, "resource", 1))}
    assert graph.referenced_at(p0, (("statement", "resource"),)) == [a]
    assert graph.referenced_at(p0, (("statement", 0),), exact=True) == [a]


def _nested(inner, levels: int):
    from iacguard.terraform.syntax import TupleExpr

    for _ in range(levels):
        inner = TupleExpr(1, 1, [inner])
    return inner


def _innermost(value):
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def test_literals_names_and_objects_at_the_depth_limit():
    """Around MAX_EVAL_DEPTH a literal item, a name's attribute and an object's literal key and
    value give what `_ev` gives at their depth: a value at or below the limit, an error past it
    (counted from the innermost tuple or object: a literal item one level deeper, a name's
    lookup or a template's part two, an object's key one)."""
    import sys

    scope = ex.Scope({"var": {"x": "v"}})
    limit = ex.MAX_EVAL_DEPTH
    was = sys.getrecursionlimit()
    sys.setrecursionlimit(max(was, 20 * limit))  # four frames a level: the limit, not Python's
    try:
        for levels in range(limit - 4, limit + 4):
            _check_depth_at(levels, scope, limit)
    finally:
        sys.setrecursionlimit(was)


def _check_depth_at(levels: int, scope, limit: int) -> None:
    from iacguard.terraform.syntax import Literal, ObjectExpr, Template, TupleExpr

    cases = {
        "template": (TupleExpr(1, 1, [Template(1, 1, ["a", Literal(1, 1, "b")])]), 2),
        "literal": (TupleExpr(1, 1, [Literal(1, 1, "ab")]), 1),
        "name": (TupleExpr(1, 1, [GetAttr(1, 1, Variable(1, 1, "var"), "x")]), 2),
        "object": (ObjectExpr(1, 1, [(Literal(1, 1, "k"), Literal(1, 1, "ab"))]), 1),
        "empty": (ObjectExpr(1, 1, []), 0),
    }
    for name, (inner, deeper) in cases.items():
        value = _innermost(ex.evaluate(_nested(inner, levels), scope))
        failed = isinstance(value, ex.ErrorUnknown)
        assert failed == (levels + deeper > limit), (name, levels, value)
        if failed:
            assert "nested deeper than %d" % limit in value.reason


def test_real_folders_once_per_evaluation(tmp_path: Path):
    """File functions ask the real path of the module's and root's folders once per evaluation
    (the hook keeps them); without a hook, os.path.realpath as before."""
    import os

    from iacguard.terraform import functions as fn

    real = tmp_path / "real"
    (real / "mod").mkdir(parents=True)
    (real / "mod" / "x.txt").write_text("hello")
    (real / "mod" / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = file("${path.module}/x.txt")\n}\n')
    os.symlink(real / "mod", tmp_path / "link")
    write(tmp_path, {"main.tf": 'module "a" {\n  source = "./link"\n}\nmodule "b" {\n  source = "./real/mod"\n}\n'})
    disc = discover([str(tmp_path)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    from iacguard.terraform.evaluate import Evaluation

    ev = Evaluation(files, disc.roots[0], ScanOptions())
    hook = ev.file_access
    result = ev.run()
    assert not [n for n in result.notifications if "not read" in n.message]
    assert [r.properties["bucket"] for r in result.resources] == ["hello", "hello"]
    assert hook.real_folders and all(v == os.path.realpath(k) for k, v in hook.real_folders.items())

    class Ctx:
        base_dir = str(tmp_path / "link")
        root_dir = str(tmp_path)
        parent = None

    assert fn._real_folder(Ctx(), Ctx.base_dir) == os.path.realpath(Ctx.base_dir)
    ctx = Ctx()
    ctx.file_access = type("Hook", (), {"real_folders": {Ctx.base_dir: "/somewhere"}})()
    assert fn._real_folder(ctx, Ctx.base_dir) == "/somewhere"  # asked once, then kept


@pytest.mark.parametrize(
    "text",
    ["1", '"s"', "x", "var.x", "aws_s3_bucket.b.id", "data.a.b.c.d", "var.x[0]", "f(var.x).y", "[for v in var.x : v.y]",
     "each.value.name", "var.x.y[count.index].z", "a.b.c.d.e"],
)
def test_traversals_of_names_equal_the_walk(text):
    """The shortcut for a literal and a name with attributes gives what the walk gives."""
    expr = fp.parse_expression_fast(text)

    def walked(keyed):
        # the same expression inside a one-item tuple takes the walk
        from iacguard.terraform.syntax import TupleExpr

        return ex._traversals(TupleExpr(1, 1, [expr]), keyed)

    assert ex.references(expr) == walked(False)
    assert ex.indexed_references(expr) == walked(True)
