"""The built-in checks' metadata without importing the checks, for a command answered from the cache.

Importing `iacguard.checks` runs some 110 check modules and the fact adapters, graph and IAM code
they import: about as much as the rest of a scan answered from the scan cache. That scan needs
only each check's metadata (its id, severity and pillar for the scan key, its texts for the
reports, its `equivalents` for other tools' skip comments), so the command line keeps a copy of
the catalogue's metadata in the cache folder, written by the first scan the cache answers (one entry, keyed like every entry by iacguard's
version and the fingerprint of its code, so a changed check is a miss) and reads that instead.
Each check read from it runs, if it is ever asked to, the real check of the same id (a scan the
cache did not answer imports the catalogue then, as before).

Only the command line asks for this (`use_cache`), and only while `iacguard.checks` is not loaded:
once it is (a test replacing the catalogue, an API user), that catalogue is the one used.
The entry is JSON inside a cache entry: it names no code (a check's module name read from it
goes only into the scan key; the code run is always found by id in the real catalogue), and an
entry of the wrong shape is a miss.
"""
from __future__ import annotations

import json
import sys

# Check's fields by the type their values have (tests/test_catalogue_entry.py holds this to the
# dataclass: a new field of Check must be added here).
_STRINGS = ("id", "title", "severity", "pillar", "what", "why", "fix_terraform", "fix_cloudformation", "scope")
_STRING_TUPLES = ("kinds", "references", "cwe", "languages")
_PAIRS = ("equivalents",)
_BOOLS = ("graded",)
FIELDS = _STRINGS + _STRING_TUPLES + _PAIRS + _BOOLS + ("evaluate",)
_ROW = FIELDS + ("token",)  # evaluate: its module's name; token: its `cache_token` (a configurable check's)
_ROW_KEYS = frozenset(_ROW)

_folder: str | None = None
_loaded: dict = {}
_missing: set = set()  # folders whose entry `registry` did not find (see `keep`)


def use_cache(folder: str | None) -> None:
    """The command line's cache folder (None: no cache), where the metadata is kept."""
    global _folder
    _folder = folder


def registry() -> tuple:
    """The built-in checks: `iacguard.checks.REGISTRY`, or, when the command line has a cache
    folder and the catalogue is not loaded yet, the same checks read from the folder."""
    if _folder is None or (_folder not in _loaded and "iacguard.checks" in sys.modules):
        from .checks import REGISTRY

        return REGISTRY
    found = _loaded.get(_folder)
    if found is None:
        found = _read(_folder)
        if found is None:
            from .checks import REGISTRY

            found = REGISTRY
            _missing.add(_folder)
        _loaded[_folder] = found
    return found


def keep() -> None:
    """Write the metadata entry the last `registry()` could not read. The command line calls
    this after a scan the cache answered, so a cold scan (which imports the checks anyway, to
    run them) never pays for the entry: the first warm scan writes it, the next ones read it."""
    if _folder in _missing:
        _missing.discard(_folder)
        _write(_folder, _loaded.get(_folder) or ())


class _Lazy:
    """A check's `evaluate` read from the cache: runs the real check of the same id."""

    def __init__(self, check_id: str, module: str, token):
        self.check_id = check_id
        self.__module__ = module  # as the real function's: the scan key reads it, and the token
        if token is not None:
            self.cache_token = token

    def __call__(self, facts):
        from .checks import REGISTRY

        for check in REGISTRY:
            if check.id == self.check_id:
                return check.evaluate(facts)
        raise LookupError("no check %s in the catalogue" % self.check_id)

    def __repr__(self) -> str:
        return "<check %s, loaded when run>" % self.check_id


def encode(checks) -> bytes | None:
    """The metadata of `checks` as JSON, or None when one of them cannot be kept this way (a
    configured check, another class, a value of another type)."""
    from .check import Check

    rows = []
    for c in checks:
        token = getattr(c.evaluate, "cache_token", None)
        if type(c) is not Check or not isinstance(getattr(c.evaluate, "__module__", None), str) or not (token is None or type(token) is tuple):
            return None
        row = {name: getattr(c, name) for name in FIELDS[:-1]}
        row["evaluate"] = c.evaluate.__module__
        row["token"] = token
        rows.append(row)
    data = json.dumps(rows, separators=(",", ":")).encode()
    decoded = decode(data)
    if decoded is None or list(decoded) != list(checks) or _key_parts(decoded) != _key_parts(checks):
        return None
    return data


def _key_parts(checks) -> list:
    """What the scan key reads of each check's evaluate (iacguard.cache.ScanCache.key)."""
    return [(getattr(c.evaluate, "__module__", ""), repr(getattr(c.evaluate, "cache_token", None))) for c in checks]


def decode(data) -> tuple | None:
    """The checks `encode` wrote, or None for anything else."""
    from .check import Check

    # (Plain loops rather than `all(...)` over generators: this runs on every scan the cache
    # answers, for every field of some 170 checks.)
    try:
        rows = json.loads(data)
        if type(rows) is not list:
            return None
        out = []
        for row in rows:
            if type(row) is not dict or row.keys() != _ROW_KEYS:
                return None
            values = {}
            for name in _STRINGS:
                value = row[name]
                if type(value) is not str:
                    return None
                values[name] = value
            for name in _STRING_TUPLES:
                value = row[name]
                if type(value) is not list:
                    return None
                for x in value:
                    if type(x) is not str:
                        return None
                values[name] = tuple(value)
            for name in _PAIRS:
                value = row[name]
                if type(value) is not list:
                    return None
                for pair in value:
                    if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str or type(pair[1]) is not str:
                        return None
                values[name] = tuple([tuple(pair) for pair in value])
            for name in _BOOLS:
                if type(row[name]) is not bool:
                    return None
                values[name] = row[name]
            token = row["token"]
            if token is not None:
                if type(token) is not list:
                    return None
                for x in token:
                    if type(x) is not str:
                        return None
                token = tuple(token)
            if type(row["evaluate"]) is not str:
                return None
            out.append(Check(evaluate=_Lazy(row["id"], row["evaluate"], token), **values))  # validates severity, pillar, scope
        if len({c.id for c in out}) != len(out):
            return None
        return tuple(out)
    except (ValueError, TypeError, RecursionError):
        return None


def _cache(folder: str):
    from .cache import entries_of

    return entries_of(folder, "catalogue", (bytes,))


def _key(cache) -> str:
    from iacguard.core.digests import key_hash

    return key_hash(("%s\0catalogue\0" % cache.versions).encode("utf-8", "surrogateescape")).hexdigest()


def _read(folder: str):
    try:
        cache = _cache(folder)
        data = cache.get(_key(cache))
    except Exception:  # noqa: BLE001 - an unusable cache folder: the catalogue is imported instead
        return None
    return decode(data) if data is not None else None


def _write(folder: str, checks) -> None:
    try:
        data = encode(checks)
        if data is not None:
            cache = _cache(folder)
            cache.put(_key(cache), data)
    except Exception:  # noqa: BLE001 - not kept: the next command imports the catalogue again
        pass
