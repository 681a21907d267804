"""A scan root's Terraform root modules are evaluated by this process and a forked child, each
taking the next root module neither took yet (issue 17): the result is the one evaluating them all
in one process gives, in the same order, whatever the child does (fails, dies); and
iacguard.core.forked.Tasks hands each index out once."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from iacguard.core import forked
from iacguard.core.model import ScanOptions
from iacguard.discover import discover
from iacguard.engine import parse_source, scan
from iacguard.output import json_report
from iacguard.terraform import evaluate as tf_evaluate
from forking import count_children
from tree_files import write

pytestmark = pytest.mark.skipif(not forked.supported(), reason="fork-based sharing is Linux only")

MODULE = """
variable "name" {}
variable "public" { default = false }
variable "copies" { default = 1 }
resource "aws_s3_bucket" "b" {
  count  = var.copies
  bucket = "${var.name}-${count.index}"
}
resource "aws_s3_bucket_public_access_block" "b" {
  count                   = var.copies
  bucket                  = aws_s3_bucket.b[count.index].id
  block_public_acls       = !var.public
  restrict_public_buckets = !var.public
}
resource "aws_security_group" "sg" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.public ? ["0.0.0.0/0"] : ["10.0.0.0/8"]
  }
}
output "arn" { value = aws_s3_bucket.b[0].arn }
"""


def _root(i: int) -> str:
    return """
variable "db_password" {
  type      = string
  sensitive = true
  default   = "s3cret-%(i)d"
}
variable "region" {}
module "store" {
  source = "../../modules/store"
  name   = "root%(i)d"
  public = %(public)s
  copies = %(copies)d
}
module "gone" {
  source = "../../modules/missing"
}
locals {
  a = local.b
  b = local.a
  doc = file("${path.module}/../../../outside.json")
}
resource "aws_db_instance" "db" {
  password            = var.db_password
  publicly_accessible = %(public)s
  engine              = var.region
}
""" % {"i": i, "public": "true" if i % 2 else "false", "copies": 1 + i % 4}


def _tree(tmp_path: Path, n: int = 9) -> Path:
    files = {"modules/store/main.tf": MODULE}
    files.update({"envs/e%02d/main.tf" % i: _root(i) for i in range(n)})
    files["envs/e03/broken.tf"] = 'resource "aws_s3_bucket" "x" {\n  bucket = \n'
    files["envs/e05/terraform.tfvars"] = 'region = "eu-west-1"\n'
    return write(tmp_path / "repo", files)


def _evaluated(root: Path, jobs: int):
    disc = discover([str(root)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    return tf_evaluate.evaluate_configuration(files, disc.roots[0], ScanOptions(), jobs=jobs)


def _plain(result) -> tuple:
    """Everything a LanguageResult says, comparable (each object's repr shows its fields)."""
    return tuple(repr(getattr(result, f)) for f in ("resources", "references", "symbols", "notifications", "unknowns", "files", "secrets"))


@pytest.fixture
def shared(monkeypatch, tmp_path):
    """Sharing allowed from one declared block on; every child counted; each root module's
    evaluating process written to a file (the child's writes too)."""
    made = count_children(monkeypatch)
    monkeypatch.setattr(tf_evaluate.Evaluation, "_FORK_MIN_BLOCKS", 1)
    log = tmp_path / "who"
    real = tf_evaluate.Evaluation._root_part

    def logged(self, folder):
        with open(log, "a") as fh:
            fh.write("%d %s\n" % (os.getpid(), folder))
        return real(self, folder)

    monkeypatch.setattr(tf_evaluate.Evaluation, "_root_part", logged)
    return made, log


def _who(log: Path) -> list:
    return [line.split(" ", 1) for line in log.read_text().splitlines()] if log.exists() else []


def test_shared_roots_give_the_serial_result(tmp_path, shared):
    made, log = shared
    root = _tree(tmp_path)
    serial = _evaluated(root, 1)
    assert made == [] and len({pid for pid, _ in _who(log)}) == 1
    log.unlink()
    both = _evaluated(root, 2)
    assert len(made) == 1
    who = _who(log)
    # Each root module evaluated once, some here and some in the child.
    assert sorted(folder for _, folder in who) == sorted(str(root / "envs" / ("e%02d" % i)) for i in range(9))
    assert {pid for pid, _ in who} == {str(os.getpid()), str(made[0])}
    assert _plain(both) == _plain(serial)  # the same result, in root order
    # What the roots hold made it through: sensitive values, notes of each root, instances.
    assert {"s3cret-%d" % i for i in range(9)} <= set(both.secrets)
    messages = [n.message for n in both.notifications]
    assert any("cycle" in m for m in messages) and any("missing" in m for m in messages)
    assert sum(1 for r in both.resources if r.type == "aws_s3_bucket") == sum(1 + i % 4 for i in range(9))


def test_a_failing_child_leaves_its_roots_here(tmp_path, shared, monkeypatch):
    made, log = shared
    root = _tree(tmp_path)
    serial = _evaluated(root, 1)

    def broken(self, order, tasks):
        tasks.take()  # it took a root module, then failed
        raise RuntimeError("boom")

    monkeypatch.setattr(tf_evaluate.Evaluation, "_sent", broken)
    assert _plain(_evaluated(root, 2)) == _plain(serial)
    assert len(made) == 1


def test_a_child_that_dies_leaves_its_roots_here(tmp_path, shared, monkeypatch):
    made, log = shared
    root = _tree(tmp_path)
    serial = _evaluated(root, 1)
    real = tf_evaluate.Evaluation._sent

    def dies(self, order, tasks):
        real(self, order, tasks)
        os._exit(3)

    monkeypatch.setattr(tf_evaluate.Evaluation, "_sent", dies)
    assert _plain(_evaluated(root, 2)) == _plain(serial)
    assert len(made) == 1


def test_the_scan_reports_the_same(tmp_path, shared):
    """Through the engine (with default jobs) the JSON report is the one of `-j 1`."""
    made, log = shared
    root = _tree(tmp_path)
    one = json_report.render(scan([str(root)], jobs=1, cwd=str(tmp_path)))
    assert made == []
    two = json_report.render(scan([str(root)], jobs=2, cwd=str(tmp_path)))
    assert len(made) == 1 and two == one
    assert "s3cret" not in two


def test_one_job_one_root_or_a_small_tree_forks_nothing(tmp_path, monkeypatch):
    made = count_children(monkeypatch)
    root = _tree(tmp_path)
    _evaluated(root, 1)
    _evaluated(_tree(tmp_path / "small", n=2), 2)  # 2 roots of 4 blocks each: under the threshold
    single = write(tmp_path / "single", {"main.tf": MODULE})
    monkeypatch.setattr(tf_evaluate.Evaluation, "_FORK_MIN_BLOCKS", 1)
    _evaluated(single, 2)  # one root module
    assert made == []


def test_heavier_roots_are_taken_first(tmp_path):
    root = write(tmp_path / "r", {
        "modules/m/main.tf": 'resource "aws_sqs_queue" "a" {}\nresource "aws_sqs_queue" "b" {}\nmodule "n" {\n  source = "../n"\n}\n',
        "modules/n/main.tf": 'resource "aws_sqs_queue" "c" {}\ndata "aws_caller_identity" "d" {}\n',
        "light/main.tf": 'resource "aws_sqs_queue" "q" {}\n',
        "heavy/main.tf": 'module "m" {\n  source = "../modules/m"\n}\nmodule "again" {\n  source = "../modules/m"\n}\n',
        "middle/main.tf": 'module "n" {\n  source = "../modules/n"\n}\n',
    })
    disc = discover([str(root)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    ev = tf_evaluate.Evaluation(files, disc.roots[0], ScanOptions())
    roots = ev.root_modules()
    weights = ev._root_weights(roots)
    assert {os.path.basename(r): w for r, w in weights.items()} == {"heavy": 8, "light": 1, "middle": 2}


def test_tasks_hand_each_index_out_once(tmp_path):
    tasks = forked.Tasks.make(500)
    child = forked.Child(lambda: [i for i in iter(tasks.take, None)])
    mine = [i for i in iter(tasks.take, None)]
    ok, theirs = child.result()
    tasks.close()
    assert ok and sorted(mine + theirs) == list(range(500))
    assert tasks.take() is None  # closed
    assert forked.Tasks.make(1 << 16) is None  # an index would not fit in its record
    empty = forked.Tasks.make(0)
    assert empty.take() is None
    empty.close()
