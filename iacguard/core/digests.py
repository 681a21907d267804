"""Hash functions without OpenSSL on the hot path.

`import hashlib` loads OpenSSL's libcrypto through `_hashlib` (about 4 ms of every process here,
as much as a whole warm scan's report), although every digest a scan needs is built into CPython:
- `key_hash()`: BLAKE2b with a 32-byte digest (`_blake2`, the module hashlib itself serves
  `blake2b` from), for the cache's keys: it hashes every scanned file's bytes, and runs at about
  0.9 GB/s here against 0.3 GB/s for the built-in SHA-256;
- `sha256`: the built-in SHA-256 (`_sha256` on 3.11, `_sha2` from 3.12), for the fingerprints
  of findings, whose values must not change (baselines and GitHub's alerts are keyed by them):
  they hash a few hundred bytes each.
Each falls back to hashlib where the built-in module is missing (a build without it).
"""
from __future__ import annotations

try:
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - CPython builds ship _blake2
    from hashlib import blake2b as _blake2b

try:
    from _sha256 import sha256  # Python 3.11
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha2 import sha256  # Python 3.12 and later
    except ImportError:
        from hashlib import sha256

KEY_DIGEST_BYTES = 32


def key_hash(data: bytes = b""):
    """A new hash object for cache keys (BLAKE2b, 64 hex digits), fed `data`."""
    return _blake2b(data, digest_size=KEY_DIGEST_BYTES)


__all__ = ["KEY_DIGEST_BYTES", "key_hash", "sha256"]
