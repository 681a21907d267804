"""Issue 10, point 2: companion resources are matched per expanded instance, not per block.

Each tree under `fixtures/instances/<case>/` has buckets (or load balancers) with count, for_each
or module instances, and companions (public access blocks, encryption configurations, WAF
associations) that cover some of the instances. An instance no companion covers is reported, by
its own address (`aws_s3_bucket.logs[2]`, `aws_s3_bucket.b["x"]`); the others are not.

An index that cannot be known (`aws_s3_bucket.logs[var.which]` with no value for `which`) may
name any instance: every instance counts as referred to, so each counts as covered (the same
answer as before instances were told apart; it keeps an unknown input from raising findings).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from iacguard.checks import REGISTRY
from iacguard.engine import scan
from iacguard.graph import ResourceGraph
from iacguard.core.model import ScanOptions
from iacguard.terraform.evaluate import evaluate_configuration
from iacguard.terraform import parse_file

FIXTURES = Path(__file__).parent / "fixtures" / "instances"

S3_PAB = "AWS-S3-002"
S3_ENC = "AWS-S3-001"
WAF = "AWS-ELB-001"

# case -> check id -> exact findings (address, file relative to the case folder, line)
CASES = {
    "count_subset": {
        S3_PAB: [("aws_s3_bucket.logs[2]", "main.tf", 1)],
        S3_ENC: [("aws_s3_bucket.logs[0]", "main.tf", 1)],
    },
    "for_each_subset": {
        S3_PAB: [('aws_s3_bucket.b["x"]', "main.tf", 1)],
        S3_ENC: [('aws_s3_bucket.b["x"]', "main.tf", 1)],
    },
    "literal_index": {
        S3_PAB: [
            ("aws_s3_bucket.logs[0]", "main.tf", 1),
            ("aws_s3_bucket.logs[2]", "main.tf", 1),
            ('aws_s3_bucket.b["x"]', "main.tf", 6),
        ],
    },
    "splat": {S3_PAB: [], S3_ENC: []},
    "unknown_index": {S3_PAB: []},
    "module_instances": {
        S3_PAB: [
            ("module.x[1].aws_s3_bucket.this", "modules/bucket/main.tf", 5),
            ("module.x[2].aws_s3_bucket.this", "modules/bucket/main.tf", 5),
        ],
        S3_ENC: [("module.x[2].aws_s3_bucket.this", "modules/bucket/main.tf", 5)],
    },
    "module_inputs": {S3_PAB: [("aws_s3_bucket.data[2]", "main.tf", 1)]},
    "module_for_each": {
        S3_PAB: [('module.x["b"].aws_s3_bucket.this', "modules/bucket/main.tf", 5)],
        S3_ENC: [('module.x["b"].aws_s3_bucket.this', "modules/bucket/main.tf", 5)],
    },
    "waf_per_instance": {WAF: [("aws_lb.web[1]", "main.tf", 1)]},
    "bucket_names": {S3_PAB: [("aws_s3_bucket.logs[2]", "main.tf", 1)]},
}


def _findings(tree: Path, check_id: str) -> list:
    check = next(c for c in REGISTRY if c.id == check_id)
    result = scan([str(tree)], ScanOptions(), checks=[check], cwd=str(tree))
    errors = [n for n in result.notifications if n.level == "error"]
    assert not errors, errors
    return sorted(
        (f.resource.address, os.path.relpath(f.location.path, tree).replace(os.sep, "/"), f.location.start_line)
        for f in result.findings
    )


@pytest.mark.parametrize("case,check_id", [(c, k) for c in sorted(CASES) for k in sorted(CASES[c])])
def test_instances_no_companion_covers_are_reported(case, check_id):
    assert _findings(FIXTURES / case, check_id) == sorted(CASES[case][check_id])


def test_every_fixture_has_a_case():
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir()} == set(CASES)


def _graph(tmp_path: Path, text: str) -> ResourceGraph:
    path = tmp_path / "main.tf"
    path.write_text(text)
    real = os.path.realpath(path)
    result = evaluate_configuration({real: parse_file(text, real)}, os.path.realpath(tmp_path), ScanOptions())
    return ResourceGraph.build([result])


def _edges(graph: ResourceGraph, source_address: str) -> set:
    """Resources the `bucket` argument of a resource refers to (the for_each expression itself
    refers to every bucket it filters)."""
    src = next(r for r in graph.resources if r.address == source_address)
    return {graph.resource(t).address for _, t, data in graph.g.out_edges(src.id, data=True) if data["path"] == ("bucket",) and graph.resource(t) is not None}


def test_reference_edges_are_drawn_per_instance(tmp_path):
    graph = _graph(
        tmp_path,
        """
resource "aws_s3_bucket" "logs" {
  count  = 3
  bucket = "l-${count.index}"
}
resource "aws_s3_bucket" "b" {
  for_each = toset(["a", "b", "x"])
  bucket   = each.key
}
resource "aws_s3_bucket_policy" "logs" {
  count  = 2
  bucket = aws_s3_bucket.logs[count.index].id
  policy = "{}"
}
resource "aws_s3_bucket_policy" "b" {
  for_each = { for k, v in aws_s3_bucket.b : k => v if k != "x" }
  bucket   = each.value.bucket
  policy   = "{}"
}
resource "aws_s3_bucket_policy" "ids" {
  for_each = { for k, v in aws_s3_bucket.b : k => v.id if k != "x" }
  bucket   = each.value
  policy   = "{}"
}
resource "aws_s3_bucket_policy" "keys" {
  for_each = toset(keys(aws_s3_bucket.b))
  bucket   = aws_s3_bucket.b[each.key].id
  policy   = "{}"
}
""",
    )
    assert _edges(graph, "aws_s3_bucket_policy.logs[0]") == {"aws_s3_bucket.logs[0]"}
    assert _edges(graph, "aws_s3_bucket_policy.logs[1]") == {"aws_s3_bucket.logs[1]"}
    assert _edges(graph, 'aws_s3_bucket_policy.b["a"]') == {'aws_s3_bucket.b["a"]'}
    assert _edges(graph, 'aws_s3_bucket_policy.b["b"]') == {'aws_s3_bucket.b["b"]'}
    # each.value is not a bucket object here (an id): the key of the for says which bucket.
    assert _edges(graph, 'aws_s3_bucket_policy.ids["a"]') == {'aws_s3_bucket.b["a"]'}
    # The for_each collection refers to every bucket; the attribute names one of them.
    assert _edges(graph, 'aws_s3_bucket_policy.keys["x"]') == {'aws_s3_bucket.b["x"]'}


def test_an_index_bound_by_a_for_expression_refers_to_every_instance(tmp_path):
    graph = _graph(
        tmp_path,
        """
resource "aws_s3_bucket" "logs" {
  count  = 2
  bucket = "l-${count.index}"
}
resource "aws_s3_bucket_policy" "all" {
  count  = 1
  bucket = join(",", [for count in [0, 1] : aws_s3_bucket.logs[count].id])
  policy = "{}"
}
""",
    )
    assert _edges(graph, "aws_s3_bucket_policy.all[0]") == {"aws_s3_bucket.logs[0]", "aws_s3_bucket.logs[1]"}


def test_indexed_references_carry_the_index_expression():
    from iacguard.terraform import expressions as ex
    from iacguard.terraform.parser import parse_expression

    refs = ex.indexed_references(parse_expression('aws_s3_bucket.logs[count.index + 1].id'))
    (trav, key, after), *rest = refs
    assert trav == ("aws_s3_bucket", "logs") and after == ("id",)
    assert ex.evaluate(key, ex.Scope({"count": {"index": 1}})) == 2
    assert [r[0] for r in rest] == [("count", "index")]
    # A name bound by a for-expression: no key (its value is per element, not per instance).
    (trav, key, after), *_ = ex.indexed_references(parse_expression("[for i in [0] : aws_s3_bucket.logs[i].id]"))
    assert (trav, key, after) == (("aws_s3_bucket", "logs"), None, ())
    # `references` is unchanged: traversals up to the first non-constant step.
    assert ex.references(parse_expression("module.x[each.key].out")) == [("module", "x"), ("each", "key")]
