"""Hostile and broken files beside a valid insecure one: the valid file's finding is still
reported, each bad file is named with a reason, nothing escapes as a traceback, nothing hangs."""
from __future__ import annotations

import json
import os
import time

import pytest

from iacguard.engine import scan
from iacguard.core.model import ScanOptions

VALID_TF = """resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""


def scan_dir(path, **kw):
    t0 = time.monotonic()
    result = scan([str(path)], ScanOptions(), cwd=str(path), **kw)
    return result, time.monotonic() - t0


def assert_valid_finding_kept(result, path):
    got = [(f.check_id, os.path.relpath(f.location.path, path), f.location.start_line) for f in result.findings]
    assert ("AWS-EC2-001", "valid.tf", 7) in got, got


def notes_for(result, name):
    return [n for n in result.notifications if os.path.basename(n.path) == name]


@pytest.fixture
def root(tmp_path):
    (tmp_path / "valid.tf").write_text(VALID_TF)
    return tmp_path


CASES = {
    "alias_bomb.yaml": (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: *h\n"
    ),
    "object_tag.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources: !!python/object/apply:os.system ['touch /tmp/iacguard-pwned']\n",
    "deep.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": ' + "[" * 100_000 + "]" * 100_000 + "}",
    # No template key in it, nor an escape that could spell one: passed over unread (below).
    "deep_other.json": "[" * 100_000 + "]" * 100_000,
    "deep.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep.tf": "locals {\n  x = " + "[" * 100_000 + "]" * 100_000 + "\n}\n",
    "deep_blocks.tf": 'resource "aws_s3_bucket" "b" {\n' + "a {\n" * 20_000 + "}\n" * 20_000 + "}\n",
    "unclosed_block.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n',
    "unclosed_heredoc.tf": 'resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{"Statement": []}\n',
    "empty.tf": "",
    "empty.yaml": "",
    "duplicate.yaml": (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n  B:\n    Type: AWS::S3::Bucket\n"
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_text_file(root, name):
    (root / name).write_text(CASES[name])
    result, elapsed = scan_dir(root)
    assert_valid_finding_kept(result, root)
    assert elapsed < 20, elapsed
    assert not os.path.exists("/tmp/iacguard-pwned")
    assert not [n for n in result.notifications if "internal error" in n.message], result.notifications
    if name.startswith(("alias", "object", "deep", "unclosed")) and name != "deep_other.json":
        assert [n for n in notes_for(result, name) if n.level == "error"], (name, result.notifications)
    if name == "deep_other.json":
        assert notes_for(result, name) == []
    if name == "duplicate.yaml":
        assert any("uplicate" in n.message for n in notes_for(result, name))


def test_binary_file_named_tf(root):
    (root / "binary.tf").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    result, _ = scan_dir(root)
    assert_valid_finding_kept(result, root)
    assert any("binary" in n.message for n in notes_for(result, "binary.tf"))


def test_bom_only_and_latin1(root):
    (root / "bom.tf").write_bytes(b"\xef\xbb\xbf")
    (root / "latin1.tf").write_bytes('# caf\xe9 r\xe9seau\nresource "aws_ebs_volume" "v" {\n  size = 1\n}\n'.encode("latin-1"))
    result, _ = scan_dir(root)
    assert_valid_finding_kept(result, root)
    assert any("Latin-1" in n.message for n in notes_for(result, "latin1.tf"))
    assert any(f.resource.address == "aws_ebs_volume.v" for f in result.findings)
    assert not [n for n in notes_for(result, "bom.tf") if n.level == "error"]


def test_8_mb_single_line_is_scanned(root):
    (root / "big.tf").write_text('locals {\n  x = "' + "a" * 8_000_000 + '"\n}\n' + VALID_TF.replace('"web"', '"big"'))
    result, elapsed = scan_dir(root)
    assert_valid_finding_kept(result, root)
    assert any(f.resource.address == "aws_security_group.big" for f in result.findings)
    assert not [n for n in notes_for(result, "big.tf") if n.level == "error"]


def test_big_single_line_is_skipped_by_size(root):
    (root / "big.tf").write_text('locals {\n  x = "' + "a" * (9 * 1024 * 1024) + '"\n}\n')
    result, elapsed = scan_dir(root)
    assert_valid_finding_kept(result, root)
    assert any("limit" in n.message for n in notes_for(result, "big.tf"))


def test_many_resources_in_one_file(root):
    blocks = "".join('resource "aws_ebs_volume" "v%d" {\n  size      = 1\n  encrypted = true\n}\n' % i for i in range(20_000))
    (root / "many.tf").write_text(blocks)
    result, elapsed = scan_dir(root)
    assert_valid_finding_kept(result, root)
    assert result.resources == 20_001


def test_fifo_named_tf_does_not_hang(root):
    os.mkfifo(root / "pipe.tf")
    result, elapsed = scan_dir(root)
    assert_valid_finding_kept(result, root)
    assert any("FIFO" in n.message for n in notes_for(result, "pipe.tf"))
    assert elapsed < 20


def test_link_loop_and_link_outside(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "valid.tf").write_text(VALID_TF)
    (tmp_path / "secret.tf").write_text(VALID_TF.replace("web", "outside"))
    os.symlink(tmp_path / "secret.tf", root / "outside.tf")
    os.symlink(root, root / "loop")
    os.symlink(root / "self_a.tf", root / "self_b.tf")
    os.symlink(root / "self_b.tf", root / "self_a.tf")
    result, elapsed = scan_dir(root)
    assert_valid_finding_kept(result, root)
    assert not any(f.resource.address == "aws_security_group.outside" for f in result.findings)
    assert any("outside the scanned root" in n.message for n in result.notifications)
    assert elapsed < 20


def test_module_sources_outside_root_and_remote(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.tf").write_text(VALID_TF.replace("web", "outside"))
    root = tmp_path / "root"
    root.mkdir()
    (root / "valid.tf").write_text(VALID_TF)
    (root / "mods.tf").write_text(
        'module "escape" {\n  source = "../outside"\n}\n\nmodule "remote" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.0.0"\n}\n'
    )
    result, _ = scan_dir(root)
    assert_valid_finding_kept(result, root)
    assert not any("outside" in f.resource.address for f in result.findings)
    msgs = " | ".join(n.message for n in result.notifications)
    assert "outside the scanned root" in msgs
    assert "remote source" in msgs


def test_internal_error_in_a_check_is_reported_and_others_run(root):
    from iacguard.check import Check
    from iacguard.checks import REGISTRY

    def boom(facts):
        raise ValueError("kaboom")
        yield  # pragma: no cover

    broken = Check("AWS-ZZZ-999", "broken", "low", "data", "w", "w", "f", "f", ("bucket",), boom)
    result = scan([str(root)], ScanOptions(), checks=list(REGISTRY) + [broken], cwd=str(root))
    assert_valid_finding_kept(result, root)
    assert any("AWS-ZZZ-999" in n.message and "kaboom" in n.message for n in result.notifications)


def test_parallel_and_cached_runs_give_identical_output(tmp_path, monkeypatch):
    from iacguard import cache as parse_cache
    from iacguard.output import render

    # Force the process pool even for this small tree.
    monkeypatch.setattr(parse_cache, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parse_cache, "_PARALLEL_MIN_FILES", 2)

    for i in range(40):
        (tmp_path / ("f%02d.tf" % i)).write_text(VALID_TF.replace('"web"', '"web%d"' % i))
    (tmp_path / "broken.tf").write_text("resource {\n")
    cache = tmp_path.parent / (tmp_path.name + "-cache")
    one = scan([str(tmp_path)], ScanOptions(), cwd=str(tmp_path), jobs=1)
    two = scan([str(tmp_path)], ScanOptions(), cwd=str(tmp_path), jobs=2, cache_dir=str(cache))
    warm = scan([str(tmp_path)], ScanOptions(), cwd=str(tmp_path), jobs=2, cache_dir=str(cache))
    a, b, c = (json.loads(render("json", r)) for r in (one, two, warm))
    assert a == b == c
    assert len(a["findings"]) == 40


def test_max_depth_applies_to_every_syntax(tmp_path):
    from iacguard.core.limits import Limits, apply

    (tmp_path / "nest.tf").write_text("locals {\n  x = " + "[" * 40 + "]" * 40 + "\n}\n")
    (tmp_path / "nest.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}, "X": ' + "[" * 40 + "]" * 40 + "}")
    (tmp_path / "nest.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\nX: " + "[" * 40 + "]" * 40 + "\n")
    try:
        result = scan([str(tmp_path)], ScanOptions(), cwd=str(tmp_path), limits=Limits(max_depth=32))
        errors = {os.path.basename(n.path) for n in result.notifications if n.level == "error" and "deeper than 32" in n.message}
        assert errors == {"nest.tf", "nest.json", "nest.yaml"}
        result = scan([str(tmp_path)], ScanOptions(), cwd=str(tmp_path), limits=Limits())
        assert not [n for n in result.notifications if n.level == "error"]
    finally:
        apply(Limits())
