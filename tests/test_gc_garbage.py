"""No stage of a scan leaves cyclic garbage: the cyclic collector is paused for the whole scan
(iacguard/core/gcpause.py), so a stage that made reference cycles would keep everything they
reach in memory until the scan ends. The parser breaks its closures' cycles, the evaluator its
module trees' (module instances, their lazy mappings, scopes and input thunks)."""
from __future__ import annotations

import collections
import gc
import os
import textwrap

from iacguard.engine import scan

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _tree(tmp_path) -> str:
    """Modules called with count and for_each, nested, with outputs passed up, locals, flatten,
    for-expressions, templatefile, plus a CloudFormation template."""
    files = {
        "main.tf": """
            variable "names" { default = ["a", "b", "c"] }
            locals {
              flat = flatten([[1, [2, 3]], [4]])
              tags = { for n in var.names : n => upper(n) }
            }
            module "app" {
              source   = "./modules/app"
              for_each = toset(var.names)
              name     = each.key
              tags     = local.tags
            }
            module "counted" {
              source = "./modules/app"
              count  = 2
              name   = "c${count.index}"
              tags   = {}
            }
            resource "aws_s3_bucket" "root" {
              bucket = "root-${length(local.flat)}"
              tags   = { body = templatefile("${path.module}/t.tpl", { n = module.app["a"].bucket }) }
            }
        """,
        "t.tpl": "name=${n}\n",
        "modules/app/main.tf": """
            variable "name" {}
            variable "tags" {}
            module "inner" {
              source = "../inner"
              name   = var.name
            }
            resource "aws_s3_bucket" "b" {
              bucket = "${var.name}-${module.inner.id}"
              tags   = var.tags
            }
            resource "aws_s3_bucket_versioning" "v" {
              bucket = aws_s3_bucket.b.id
              versioning_configuration { status = "Enabled" }
            }
            output "bucket" { value = aws_s3_bucket.b.bucket }
        """,
        "modules/inner/main.tf": """
            variable "name" {}
            resource "aws_security_group" "sg" {
              name = var.name
              ingress {
                from_port   = 22
                to_port     = 22
                protocol    = "tcp"
                cidr_blocks = ["0.0.0.0/0"]
              }
            }
            output "id" { value = aws_security_group.sg.id }
        """,
        "cfn/stack.yaml": """
            Parameters:
              Env: {Type: String, Default: dev}
            Conditions:
              Prod: !Equals [!Ref Env, prod]
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Sub "${Env}-data"
                  VersioningConfiguration: !If [Prod, {Status: Enabled}, !Ref AWS::NoValue]
        """,
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return str(tmp_path)


def _garbage_of(paths: list, cwd: str) -> collections.Counter:
    """The cyclic garbage the scan's stages leave, counted at its last step (postprocess: the
    result and the graph are still alive then; what they hold once dropped is the caller's)."""
    seen: collections.Counter = collections.Counter()

    def count(result, graph):
        gc.collect()
        seen.update(type(o).__name__ for o in gc.garbage)

    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds unreachable is kept, to be counted
    try:
        scan(paths, cwd=cwd, postprocess=[count])
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return seen


def test_a_scan_leaves_no_cyclic_garbage(tmp_path):
    tree = _tree(tmp_path)
    first = scan([tree], cwd=tree)  # imports (and the garbage they make) happen here
    assert first.resources >= 10 and first.findings
    assert _garbage_of([tree], tree) == collections.Counter()


def test_sample_leaves_no_cyclic_garbage():
    sample = os.path.join(ROOT, "sample_iac")
    scan([sample], cwd=ROOT)
    assert _garbage_of([sample], ROOT) == collections.Counter()


def test_the_collector_is_back_after_a_scan(tmp_path):
    tree = _tree(tmp_path)
    assert gc.isenabled()
    scan([tree], cwd=tree)
    assert gc.isenabled()


def test_what_a_scan_made_is_not_left_for_the_next_young_collection():
    # The pause leaves everything allocated in it in the youngest generation; the first
    # allocation after it would walk all of it. It is moved to the oldest instead.
    from iacguard.core.gcpause import gc_paused

    collections_run = []

    def heard(phase, info):
        if phase == "start":
            collections_run.append(info["generation"])

    gc.collect()
    with gc_paused():
        kept = [[i] for i in range(200_000)]
        gc.callbacks.append(heard)
    try:
        more = [[i] for i in range(100)]
    finally:
        gc.callbacks.remove(heard)
    assert gc.isenabled() and collections_run == []
    assert any(o is kept[0] for o in gc.get_objects(generation=2))
    assert len(kept) == 200_000 and more


def test_objects_the_caller_froze_stay_frozen():
    from iacguard.core.gcpause import gc_paused

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with gc_paused():
            made = [[i] for i in range(1000)]
        assert gc.get_freeze_count() == frozen and gc.isenabled() and made
    finally:
        gc.unfreeze()
