"""When parse entries are written: from the second scan that parses the same bytes on (writing a
tree costs a tenth (templates) to most (HCL) of what parsing it does, so a cold scan does not pay
for it, and a file changed every scan never does)."""
from __future__ import annotations

import os

from iacguard import cache as parse_cache
from iacguard.core.model import ScanOptions
from iacguard.engine import scan

TF = 'resource "aws_s3_bucket" "b%d" {\n  bucket = "b%d"\n}\n'
CFN = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"


def _trees(cache) -> int:
    return sum(1 for _, _, names in os.walk(cache) for n in names if n.endswith(".data"))


def _scan(root, cache):
    return scan([str(root)], ScanOptions(), cwd=str(root), cache_dir=str(cache))


def test_trees_are_kept_from_their_second_parse(tmp_path, monkeypatch):
    monkeypatch.setattr(parse_cache, "PARSE_CACHE_MIN_BYTES", 0)
    root, cache = tmp_path / "repo", tmp_path / "cache"
    root.mkdir()
    (root / "main.tf").write_text(TF % (1, 1))
    (root / "other.tf").write_text(TF % (2, 2))
    (root / "stack.yaml").write_text(CFN)
    first = _scan(root, cache)
    assert first.resources == 3
    assert _trees(cache) == 0  # the first scan left marks only
    # one entry for the root listing what it parsed, not one per file
    kinds = [f.read_bytes()[:40].split(b"\0")[2] for f in cache.rglob("*.pickle")]
    assert kinds.count(b"parsed-keys") == 1 and b"parsed" not in kinds
    (root / "other.tf").write_text(TF % (3, 3))  # a change elsewhere: the others are parsed again
    assert _scan(root, cache).resources == 3
    assert _trees(cache) == 2  # main.tf and the template, seen before with the same bytes, are kept now
    (root / "other.tf").write_text(TF % (4, 4))
    hits = []
    get = parse_cache.ParseCache.get_parsed
    monkeypatch.setattr(parse_cache.ParseCache, "get_parsed", lambda self, key: hits.append(get(self, key)) or hits[-1])
    assert _scan(root, cache).resources == 3
    assert sorted(os.path.basename(h.path) for h in hits if h is not None) == ["main.tf", "stack.yaml"]
