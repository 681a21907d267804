"""Large for_each / count stay linear (issue 17): a chained for_each (`for_each = aws_x.y`) and a
count over 5,000 entries. An instance's for_each (or `count = length(x)`) refers to the element
of the same key, not to every instance of the collection (that was 25 million references here);
each.value narrows the same way. No timing here: benchmarks/scale.py shape d prints the figures."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from iacguard.checks import REGISTRY
from iacguard.core.model import ScanOptions
from iacguard.discover import discover
from iacguard.engine import parse_source, scan
from iacguard.graph import ResourceGraph
from iacguard.terraform.evaluate import evaluate_configuration

N = 5000

MAIN_TF = '''
variable "on" {
  default = true
}

resource "aws_s3_bucket" "this" {
  for_each = local.items
  bucket   = "b-${each.key}"
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  versioning_configuration {
    status = local.items[each.key].versioned ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = { for k, v in aws_s3_bucket.this : k => v.id if var.on }
  bucket                  = each.value
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_ebs_volume" "v" {
  count             = length(local.items)
  availability_zone = "eu-west-1a"
  size              = 1
  encrypted         = count.index % 1000 != 0
}

resource "aws_volume_attachment" "a" {
  count       = length(aws_ebs_volume.v)
  device_name = "/dev/sdh"
  instance_id = "i-0123456789"
  volume_id   = aws_ebs_volume.v[count.index].id
}
'''


def _items() -> str:
    lines = ["locals {", "  items = {"]
    lines += ['    "k%05d" = { versioned = %s }' % (k, "true" if k % 2 == 0 else "false") for k in range(N)]
    return "\n".join(lines + ["  }", "}", ""])


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("large_for_each")
    (root / "main.tf").write_text(MAIN_TF)
    (root / "items.tf").write_text(_items())
    return root


@pytest.fixture(scope="module")
def evaluated(tree):
    disc = discover([str(tree)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    result = evaluate_configuration(files, disc.roots[0], ScanOptions())
    return result, ResourceGraph.build([result])


def _out(graph, address) -> list:
    return sorted((dst.split(":", 2)[2], data["path"], data["attribute"]) for _, dst, data in graph.g.out_edges("tf:.:" + address, data=True))


def test_every_instance_is_evaluated_without_a_cut(evaluated):
    result, _ = evaluated
    assert Counter(r.type for r in result.resources) == {
        "aws_s3_bucket": N, "aws_s3_bucket_versioning": N, "aws_s3_bucket_public_access_block": N,
        "aws_ebs_volume": N, "aws_volume_attachment": N}
    assert result.notifications == []


def test_chained_for_each_refers_to_the_instance_of_the_same_key(evaluated):
    _, graph = evaluated
    assert _out(graph, 'aws_s3_bucket_versioning.this["k00042"]') == [
        ('aws_s3_bucket.this["k00042"]', ("bucket",), ""),
        ('aws_s3_bucket.this["k00042"]', ("for_each",), ""),
        ("local.items", ("versioning_configuration", 0, "status"), ""),
    ]
    # `{ for k, v in aws_s3_bucket.this : k => v.id if var.on }`: the same key, and var.on.
    assert _out(graph, 'aws_s3_bucket_public_access_block.this["k04999"]') == [
        ('aws_s3_bucket.this["k04999"]', ("bucket",), ""),
        ('aws_s3_bucket.this["k04999"]', ("for_each",), ""),
        ("var.on", ("bucket",), ""),
        ("var.on", ("for_each",), ""),
    ]
    # `count = length(aws_ebs_volume.v)`: attachment 7 counts from volume 7.
    assert _out(graph, "aws_volume_attachment.a[7]") == [
        ("aws_ebs_volume.v[7]", ("count",), ""),
        ("aws_ebs_volume.v[7]", ("volume_id",), "id"),
    ]
    assert [r.address for r, _ in graph.referrers(graph.resource('tf:.:aws_s3_bucket.this["k00042"]'))] == [
        'aws_s3_bucket_public_access_block.this["k00042"]', 'aws_s3_bucket_versioning.this["k00042"]']


def test_references_grow_linearly(evaluated):
    result, graph = evaluated
    # A handful per instance (it was N per instance of the chained resources: 25 million).
    assert len(result.references) < 10 * len(result.resources)
    assert sum(1 for _ in graph.g.edges()) < 10 * len(result.resources)


def test_findings_name_the_instances(tree):
    checks = [c for c in REGISTRY if c.id in ("AWS-S3-614", "AWS-EBS-001")]
    result = scan([str(tree)], ScanOptions(), checks=checks)
    by_check = Counter(f.check_id for f in result.findings)
    assert by_check == {"AWS-S3-614": N // 2, "AWS-EBS-001": N // 1000}
    s3 = sorted(f.resource.address for f in result.findings if f.check_id == "AWS-S3-614")
    assert s3[:2] == ['aws_s3_bucket.this["k00001"]', 'aws_s3_bucket.this["k00003"]']
    assert sorted((f.resource.address for f in result.findings if f.check_id == "AWS-EBS-001"), key=lambda a: int(a.split("[")[1][:-1])) == [
        "aws_ebs_volume.v[%d]" % i for i in range(0, N, 1000)]


def test_for_each_over_a_module_or_a_written_object_refers_to_its_own_element(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text('variable "n" {}\noutput "id" {\n  value = var.n\n}\noutput "arn" {\n  value = var.n\n}\n')
    (tmp_path / "main.tf").write_text(
        'variable "x" {\n  default = "x"\n}\n'
        'module "m" {\n  source   = "./m"\n  for_each = toset(["a", "b", "c"])\n  n        = each.key\n}\n'
        'resource "aws_sns_topic" "t" {\n  for_each = module.m\n  name     = each.value.id\n}\n'
        'resource "aws_sqs_queue" "q" {\n  count = 2\n}\n'
        'resource "aws_sns_topic" "o" {\n  for_each = { one = aws_sqs_queue.q[0].arn, two = var.x }\n  name = each.key\n}\n')
    disc = discover([str(tmp_path)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    result = evaluate_configuration(files, disc.roots[0], ScanOptions())
    graph = ResourceGraph.build([result])
    assert [e for e in _out(graph, 'aws_sns_topic.t["b"]') if e[1] == ("for_each",)] == [
        ('module.m["b"].output.arn', ("for_each",), ""), ('module.m["b"].output.id', ("for_each",), "")]
    assert [e for e in _out(graph, 'aws_sns_topic.o["one"]') if e[1] == ("for_each",)] == [("aws_sqs_queue.q[0]", ("for_each",), "arn")]
    assert [e for e in _out(graph, 'aws_sns_topic.o["two"]') if e[1] == ("for_each",)] == [("var.x", ("for_each",), "")]


def test_a_module_instance_named_by_key_from_each_instance(tmp_path):
    """`module.m[each.key].id` from 300 instances: each names its own module instance only."""
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text('variable "n" {}\noutput "id" {\n  value = "id-${var.n}"\n}\n')
    keys = ", ".join('"k%03d"' % i for i in range(300))
    (tmp_path / "main.tf").write_text(
        'locals {\n  keys = toset([%s])\n}\n' % keys +
        'module "m" {\n  source   = "./m"\n  for_each = local.keys\n  n        = each.key\n}\n'
        'resource "aws_sns_topic" "t" {\n  for_each = local.keys\n  name     = module.m[each.key].id\n}\n')
    disc = discover([str(tmp_path)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    result = evaluate_configuration(files, disc.roots[0], ScanOptions())
    graph = ResourceGraph.build([result])
    assert _out(graph, 'aws_sns_topic.t["k123"]') == [
        ("local.keys", ("for_each",), ""), ("local.keys", ("name",), ""), ('module.m["k123"].output.id', ("name",), "")]
    assert {r.address: r for r in result.resources}['aws_sns_topic.t["k123"]'].properties["name"] == "id-k123"
