"""The hash functions of iacguard/core/digests.py give what hashlib's give: the fingerprints of
findings must not change with the module that computes them (baselines and code-scanning alerts
are keyed by them)."""
from __future__ import annotations

import hashlib

from iacguard.core import digests
from iacguard.core.fingerprint import fingerprints


def test_sha256_is_hashlib_sha256():
    for data in (b"", b"abc", b"\0" * 1000, "bucket\0AWS-S3-001\0\u00e9".encode("utf-8")):
        assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    h = digests.sha256()
    h.update(b"ab")
    h.update(b"c")
    assert h.hexdigest() == hashlib.sha256(b"abc").hexdigest()


def test_key_hash_is_blake2b_of_32_bytes():
    assert digests.key_hash(b"abc").hexdigest() == hashlib.blake2b(b"abc", digest_size=32).hexdigest()
    h = digests.key_hash()
    h.update(b"a")
    h.update(b"bc")
    assert h.hexdigest() == hashlib.blake2b(b"abc", digest_size=32).hexdigest()
    assert len(h.hexdigest()) == 64  # the length cache entry names are checked against


def test_a_finding_keeps_the_fingerprint_hashlib_gave_it(tmp_path):
    from iacguard.engine import scan

    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    result = scan([str(tmp_path)], cwd=str(tmp_path))
    f = next(f for f in result.findings if f.check_id.startswith("AWS-S3"))
    key = "\0".join((f.check_id, "main.tf", f.resource.address))
    assert fingerprints(result, [f])[0] == hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
