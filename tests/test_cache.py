"""The parse and evaluation caches: a warm scan equals a cold one, and any change that could
change a value (a parsed file, a file read by templatefile(), an input) is seen."""
from __future__ import annotations

import json
import os

from iacguard import cache as parse_cache
from iacguard.engine import scan
from iacguard.core.model import ScanOptions
from iacguard.output import render
import pytest

pytestmark = pytest.mark.catalogue("core")

MAIN = """variable "cidr" {
  default = "10.0.0.0/8"
}

locals {
  policy = templatefile("${path.module}/policy.json.tpl", { action = "s3:GetObject" })
}

resource "aws_iam_policy" "p" {
  policy = local.policy
}

resource "aws_security_group_rule" "ssh" {
  type        = "ingress"
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = [var.cidr]
}
"""

SAFE_POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "${action}", "Resource": "*"}]}'
ADMIN_POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'


@pytest.fixture(autouse=True)
def every_file_cached(monkeypatch):
    """Entries for every parsed file, however small (the scan writes them from 16 KB on:
    test_small_files_are_parsed_again_not_cached), so that these tests exercise them."""
    monkeypatch.setattr(parse_cache, "PARSE_CACHE_MIN_BYTES", 0)
    # and at the first scan (test_cache_policy: from the second scan that parses the same bytes)
    monkeypatch.setattr(parse_cache.ParseCache, "parsed_before", lambda self, keys_by_root: {k for keys in keys_by_root.values() for k in keys})


def findings(root, cache, **options):
    result = scan([str(root)], ScanOptions(**options), cwd=str(root), cache_dir=str(cache))
    return sorted((f.check_id, f.resource.address) for f in result.findings), result


def test_warm_equals_cold_and_changes_are_seen(tmp_path):
    root, cache = tmp_path / "repo", tmp_path / "cache"
    root.mkdir()
    (root / "main.tf").write_text(MAIN)
    (root / "policy.json.tpl").write_text(SAFE_POLICY)
    cold, r1 = findings(root, cache)
    warm, r2 = findings(root, cache)
    assert cold == warm == []
    assert json.loads(render("json", r1)) == json.loads(render("json", r2))
    assert any(name.endswith(".data") for _, _, names in os.walk(cache) for name in names)

    # A file that is not parsed but read by templatefile() changes: evaluated again.
    (root / "policy.json.tpl").write_text(ADMIN_POLICY)
    assert findings(root, cache)[0] == [("AWS-IAM-001", "aws_iam_policy.p")]

    # An input changes: evaluated again; and back.
    assert findings(root, cache, tf_vars={"cidr": "0.0.0.0/0"})[0] == [("AWS-EC2-001", "aws_security_group_rule.ssh"), ("AWS-IAM-001", "aws_iam_policy.p")]
    assert findings(root, cache, env={"TF_VAR_cidr": "0.0.0.0/0"}, tf_vars_from_env=True)[0] == [("AWS-EC2-001", "aws_security_group_rule.ssh"), ("AWS-IAM-001", "aws_iam_policy.p")]
    assert findings(root, cache)[0] == [("AWS-IAM-001", "aws_iam_policy.p")]

    # A parsed file changes.
    (root / "main.tf").write_text(MAIN.replace("10.0.0.0/8", "0.0.0.0/0"))
    assert findings(root, cache)[0] == [("AWS-EC2-001", "aws_security_group_rule.ssh"), ("AWS-IAM-001", "aws_iam_policy.p")]


def test_vanished_cache_entries_are_parsed_again(tmp_path):
    root, cache = tmp_path / "repo", tmp_path / "cache"
    root.mkdir()
    (root / "main.tf").write_text(MAIN)
    (root / "policy.json.tpl").write_text(SAFE_POLICY)
    findings(root, cache)
    for dirpath, _, names in os.walk(cache):
        for name in names:
            if name.endswith(".data"):
                os.unlink(os.path.join(dirpath, name))
    (root / "policy.json.tpl").write_text(ADMIN_POLICY)  # forces evaluation, which needs the trees
    assert findings(root, cache)[0] == [("AWS-IAM-001", "aws_iam_policy.p")]


def test_whole_scan_cache_keeps_suppressions_and_check_selection(tmp_path):
    from iacguard.checks import REGISTRY
    from iacguard.post.suppressions import Suppressor

    root, cache = tmp_path / "repo", tmp_path / "cache"
    (root / "db").mkdir(parents=True)
    (root / "main.tf").write_text('# iacguard:ignore AWS-RDS-001 legacy database, migration in SEC-9\nmodule "db" {\n  source = "./db"\n}\n')
    (root / "db" / "main.tf").write_text('resource "aws_db_instance" "this" {\n  engine = "postgres"\n}\n')
    (root / "stack.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Logs:\n    Type: AWS::S3::Bucket\n"
        "    Metadata:\n      iacguard:\n        ignore:\n          - id: AWS-S3-001\n            reason: access logs only\n"
    )

    def run(checks=REGISTRY):
        suppressor = Suppressor([c.id for c in REGISTRY])
        result = scan([str(root)], ScanOptions(), checks=checks, cwd=str(root), cache_dir=str(cache), postprocess=[suppressor])
        return (
            sorted((f.check_id, f.resource.address) for f in result.findings),
            sorted((s.finding.check_id, s.finding.resource.address, s.suppression.reason) for s in result.suppressed),
        )

    cold = run()
    assert cold == run()  # answered from the cache
    assert ("AWS-RDS-001", "module.db.aws_db_instance.this", "legacy database, migration in SEC-9") in cold[1]
    assert ("AWS-S3-001", "Logs", "access logs only") in cold[1]
    only_s3 = [c for c in REGISTRY if c.id in ("AWS-S3-001", "AWS-S3-002")]
    assert run(only_s3)[0] == [("AWS-S3-002", "Logs")]


def test_cache_is_pruned_least_recently_used_first(tmp_path):
    import time

    from iacguard.cache import CACHE_SUBDIR, prune

    root = tmp_path / "cache" / CACHE_SUBDIR
    folder = root / "ab"
    folder.mkdir(parents=True)
    (root / "CACHEDIR.TAG").write_bytes(
        b"Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by iacguard.\n"
        b"# For information about cache directory tags see https://bford.info/cachedir/\n"
    )
    old, new = folder / ("ab" + "0" * 62 + ".pickle"), folder / ("ab" + "1" * 62 + ".pickle")
    old_tree = folder / (old.name + ".data")
    old.write_bytes(b"x" * 600)
    old_tree.write_bytes(b"x" * 600)
    new.write_bytes(b"y" * 600)
    stale = folder / ".tmp-0123456789abcdef"
    stale.write_bytes(b"z")
    past = time.time() - 7200
    for p in (old, old_tree, stale):
        os.utime(p, (past, past))
    prune(str(tmp_path / "cache"), limit=1500)
    assert sorted(p.name for p in folder.iterdir()) == [new.name]


def test_plan_read_from_the_cache_is_evaluated(tmp_path):
    """A plan's parse record comes back from the cache with its tree deferred; evaluating the plan
    loads it (it used to hand the Deferred itself to the plan evaluator: an internal error)."""
    import shutil
    from pathlib import Path

    from iacguard.checks import REGISTRY

    root, cache = tmp_path / "repo", tmp_path / "cache"
    shutil.copytree(Path(__file__).parent / "terraform" / "fixtures" / "eval" / "plan" / "insecure", root)
    scan([str(root)], ScanOptions(), cwd=str(root), cache_dir=str(cache))
    s3 = [c for c in REGISTRY if c.id == "AWS-S3-001"]
    result = scan([str(root / "plan.json")], ScanOptions(), checks=s3, cwd=str(root), cache_dir=str(cache))
    assert result.files == [str((root / "plan.json").resolve())]
    assert not [n for n in result.notifications if "internal error" in n.message]


def _kinds(cache) -> dict:
    from test_cache_safety import entry_files, header_of

    kinds: dict = {}
    for path in entry_files(cache):
        kind = header_of(path.read_bytes()).split(b"\0")[2].decode()
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def test_evaluations_are_kept_from_the_second_scan_of_a_tree_on(tmp_path, monkeypatch):
    """A first (cold) scan writes the parsed files and the scan, not the evaluations: they are
    reused only when the same files are scanned again with other checks, and writing them cost a
    cold scan of 100,000 resources 3 s of 20. A later scan keeps them."""
    import iacguard.engine as engine
    from iacguard.checks import REGISTRY

    root, cache = tmp_path / "repo", tmp_path / "cache"
    root.mkdir()
    (root / "main.tf").write_text(MAIN)
    (root / "policy.json.tpl").write_text(SAFE_POLICY)
    (root / "stack.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    scan([str(root)], ScanOptions(), cwd=str(root), cache_dir=str(cache))
    first = _kinds(cache)
    # Only the marks that the root's Terraform and CloudFormation were evaluated once.
    assert first.get("parsed") and first.get("scan") and first["evaluated"] == 2

    scan([str(root)], ScanOptions(), cwd=str(root), cache_dir=str(cache), checks=REGISTRY[:5])
    assert _kinds(cache)["evaluated"] == 4  # and now their evaluations

    calls = []
    real = engine._evaluate_terraform
    monkeypatch.setattr(engine, "_evaluate_terraform", lambda *a: calls.append(a) or real(*a))
    third = scan([str(root)], ScanOptions(), cwd=str(root), cache_dir=str(cache), checks=REGISTRY[5:20])
    assert calls == [] and third.resources >= 3


def test_small_files_are_parsed_again_not_cached(tmp_path, monkeypatch):
    """Files under PARSE_CACHE_MIN_BYTES get no parse entry (parsing them is cheaper than
    writing and reading one); larger ones do, and a later scan that misses the scan cache reads
    their trees instead of parsing them."""
    from iacguard.checks import REGISTRY

    monkeypatch.setattr(parse_cache, "PARSE_CACHE_MIN_BYTES", 16 * 1024)
    root, cache = tmp_path / "repo", tmp_path / "cache"
    root.mkdir()
    (root / "small.tf").write_text(MAIN)
    big = "".join('resource "aws_s3_bucket" "b%d" {\n  bucket = "bucket-%d"\n}\n' % (i, i) for i in range(400))
    assert len(big) > 16 * 1024
    (root / "big.tf").write_text(big)
    (root / "policy.json.tpl").write_text(SAFE_POLICY)
    cold = scan([str(root)], ScanOptions(), cwd=str(root), cache_dir=str(cache))
    assert _kinds(cache)["parsed"] == 1 and _kinds(cache)["tree"] == 1

    parsed_here = []
    real = parse_cache.parse_one
    monkeypatch.setattr(parse_cache, "parse_one", lambda src, *a: parsed_here.append(os.path.basename(src.path)) or real(src, *a))
    warm = scan([str(root)], ScanOptions(), cwd=str(root), cache_dir=str(cache))
    assert parsed_here == []  # answered by the scan cache: nothing parsed
    other = scan([str(root)], ScanOptions(), cwd=str(root), cache_dir=str(cache), checks=REGISTRY[:10])
    assert parsed_here == ["small.tf"]  # the big file's tree came from the parse cache
    assert cold.resources == warm.resources == other.resources == 402
    assert json.loads(render("json", cold)) == json.loads(render("json", warm))


def test_warm_reports_equal_cold_in_every_format(tmp_path):
    """The scan cache keeps findings' resources without their properties: no report may read
    them, so every format reads the same warm as cold."""
    from iacguard.output import FORMATS

    sample = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sample_iac")
    cache = tmp_path / "cache"
    cold = scan([sample], ScanOptions(), cwd=sample, cache_dir=str(cache))
    warm = scan([sample], ScanOptions(), cwd=sample, cache_dir=str(cache))
    assert cold.findings and any(f.resource.properties for f in cold.findings)
    assert all(not f.resource.properties for f in warm.findings)  # answered from the cache
    for result in (cold, warm):
        result.duration = 0.0
    for fmt in FORMATS:
        assert render(fmt, cold) == render(fmt, warm), fmt
