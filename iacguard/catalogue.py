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

**The check index** (`_codecache.install_check_index`: the `iacguard` executable only) is the same metadata kept in
iacguard's own package folder, beside the compiled modules (`__pycache__/check-index.<tag>.bin`,
written like iacguard/_codecache.py's files when a run found none usable), with two more things
per check: where its code is (module and name), so that running it imports that module only; and
the resource types it can give a finding about (`asked_types`). A scan, cached or not, then
imports and runs only the checks whose types its graph holds: a template with one S3 bucket
loads about half of iacguard's modules (116 of 219) and skips 90 of 172 checks.

- The types are not declared by hand: they are what the check asked the graph for when it had
  nothing (`of_type`, `of_type_in_root`), through its facts' adapters, recorded on an empty graph.
  A check whose code runs the same way on any graph where those types are absent (it reads the
  graph only through the answers) then yields there what it yielded on the empty graph: nothing.
  A check that read anything else of the graph (every resource, its roots, a memo), yielded
  something, raised, or asked nothing has no types: it always runs.
- The index is keyed by the fingerprint of iacguard's code (`cachebase._package_fingerprint`: the
  wheel's RECORD, or the size and time of every source file), so changed code is a miss; a file of
  another shape, interpreter or size is ignored; a folder that cannot be written keeps the
  catalogue imported as before. Nothing in it comes from a scanned tree.
- tests/test_check_index.py runs every check on every check fixture's graph and requires each
  check the index skips there to yield nothing.
"""
from __future__ import annotations

import os
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


def _catalogue_loaded() -> bool:
    """Whether `iacguard.checks.REGISTRY` was made (importing one check's module does not make it)."""
    module = sys.modules.get("iacguard.checks")
    return module is not None and "REGISTRY" in vars(module)


def registry() -> tuple:
    """The built-in checks: `iacguard.checks.REGISTRY`, or, when the command line uses the check
    index or has a cache folder and the catalogue is not loaded yet, the same checks read from
    the index or the folder."""
    if _index_path() is not None and (_index_state() or not _catalogue_loaded()):
        found = _from_index()
        if found is not None:
            return found
    if _folder is None or (_folder not in _loaded and _catalogue_loaded()):
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
    """A check's `evaluate` read from the cache or the index: runs the real check of the same id
    (from its own module when the index says where it is). `sources`: the resource types the
    check can give a finding about (None: any graph), read from the index."""

    where: tuple | None = None  # (module, name, index in that tuple of checks or -1)
    sources: frozenset | None = None

    def __init__(self, check_id: str, module: str, token):
        self.check_id = check_id
        self.__module__ = module  # as the real function's: the scan key reads it, and the token
        if token is not None:
            self.cache_token = token

    def __call__(self, facts):
        return self._real().evaluate(facts)

    def _real(self):
        if self.where is not None:
            import importlib

            from .check import Check

            module, name, index = self.where
            try:
                found = getattr(importlib.import_module(module), name, None)
            except ImportError:  # (a module gone since: the catalogue finds the check by id)
                found = None
            if index >= 0:
                found = found[index] if isinstance(found, tuple) and index < len(found) else None
            if type(found) is Check and found.id == self.check_id:
                return found
        from .checks import REGISTRY

        for check in REGISTRY:
            if check.id == self.check_id:
                return check
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
    import json

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
        import json

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


# -- the check index (see the module's notes) ------------------------------------------------------

_INDEX_MAX_BYTES = 8 * 1024 * 1024  # about 20 times what 172 checks take
_INDEX_FORMAT = b"iacguard check index 1\n"

_index_read: tuple = (None, None)  # (path, None: not read yet / False: none usable, written when the run ends / the checks)


def _index_path() -> str | None:
    """The check index's file, once the `iacguard` executable asked for it
    (`_codecache.install_check_index`: set there, so that a scan the replay memo answers does
    not even import this module)."""
    codecache = sys.modules.get("iacguard._codecache")
    return getattr(codecache, "check_index", None)


def _index_state():
    path, state = _index_read
    return state if path == _index_path() else None


def _index_header() -> bytes:
    from ._codecache import MAGIC_NUMBER

    return MAGIC_NUMBER + _INDEX_FORMAT


def _from_index():
    global _index_read
    state = _index_state()
    if state is None:
        path = _index_path()
        state = _read_index(path) or False
        _index_read = (path, state)
    return state or None


def _read_index(path: str):
    """The checks the index at `path` holds for this code, or None."""
    import marshal

    from ._codecache import mapped

    data = mapped(path, _INDEX_MAX_BYTES)
    if data is None:
        return None
    view, header = memoryview(data), _index_header()
    if view[:len(header)] != header:
        return None
    try:
        value = marshal.loads(view[len(header):])
    except (EOFError, ValueError, TypeError):
        return None
    if type(value) is not tuple or len(value) != 4:
        return None
    fingerprint, rows, where, sources = value
    if type(fingerprint) is not str or type(rows) is not bytes or type(where) is not dict or type(sources) is not dict:
        return None
    from .cachebase import package_fingerprint

    if fingerprint != package_fingerprint():
        return None
    checks = decode(rows)
    if checks is None:
        return None
    for check in checks:
        place, types = where.get(check.id), sources.get(check.id, ())
        if (type(place) is not tuple or len(place) != 3 or type(place[0]) is not str or not place[0].startswith("iacguard.checks.")
                or type(place[1]) is not str or type(place[2]) is not int):
            return None
        if types is not None and (type(types) is not tuple or not types or any(type(t) is not str for t in types)):
            return None
        check.evaluate.where = place
        check.evaluate.sources = frozenset(types) if types is not None else None
    return checks


def save_index() -> None:
    """Write the check index when this run found none usable and made the catalogue (the
    `iacguard` command calls this as it ends). A folder that cannot be written is no error."""
    global _index_read
    path = _index_path()
    if path is None or _index_state() is not False or not _catalogue_loaded():
        return
    _index_read = (None, None)
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        if not os.access(folder, os.W_OK):
            return  # (not worth recording every check's types: it cannot be kept)
        data = _index_data()
    except Exception:  # noqa: BLE001 - no index: the next run imports the catalogue as this one did
        return
    if data is not None and len(data) <= _INDEX_MAX_BYTES:
        from ._codecache import write_file

        write_file(path, data)


def _index_data() -> bytes | None:
    import marshal

    from .cachebase import package_fingerprint
    from .checks import REGISTRY

    rows = encode(REGISTRY)
    if rows is None:
        return None
    where: dict = {}
    sources: dict = {}
    graphs: list = []  # every graph recorded on stays alive until the end (see asked_types)
    for check in REGISTRY:
        place = _where(check)
        if place is None:
            return None
        where[check.id] = place
        sources[check.id] = asked_types(check, graphs)
    return _index_header() + marshal.dumps((package_fingerprint(), rows, where, sources))


def _where(check):
    """(module, name, index or -1) of the module global that holds `check` (or a tuple of checks
    holding it), looked for in its evaluate's module first, then in every check module loaded."""
    first = sys.modules.get(getattr(check.evaluate, "__module__", "") or "")
    modules = ([first] if first is not None else []) + [m for n, m in sorted(sys.modules.items()) if n.startswith("iacguard.checks.") and m is not first]
    for module in modules:
        if not module.__name__.startswith("iacguard.checks."):
            continue
        for name, value in vars(module).items():
            if value is check:
                return (module.__name__, name, -1)
        for name, value in vars(module).items():
            if type(value) is tuple and not name.startswith("_"):
                for i, item in enumerate(value):
                    if item is check:
                        return (module.__name__, name, i)
    return None


def asked_types(check, graphs: list | None = None):
    """The resource types `check` asks the graph for when the graph holds nothing, as a sorted
    tuple; None when it reads anything else of the graph, yields something, raises or asks for
    nothing (see the module's notes). Each graph recorded on is appended to `graphs` (when
    given), so that no later one takes its id while a memo keyed by it may live."""
    from .facts import Facts

    graph = _recording_graph()
    if graphs is not None:
        graphs.append(graph)
    facts = Facts(graph)
    facts._empty = False  # (the adapters run, on nothing)
    graph._begin()
    try:
        yielded = next(iter(check.evaluate(facts)), None) is not None
    except Exception:  # noqa: BLE001 - a check that fails on nothing always runs
        return None
    asked, other = graph._record()
    if yielded or other or not asked:
        return None
    return tuple(sorted(asked))


def _recording_graph():
    from .graph import ResourceGraph

    class _Recording(ResourceGraph):
        """An empty graph that notes the types it is asked for, and whether anything else of it
        was read or written."""

        def _begin(self) -> None:
            object.__setattr__(self, "_asked", set())
            object.__setattr__(self, "_other", False)

        def _record(self) -> tuple:
            return object.__getattribute__(self, "_asked"), object.__getattribute__(self, "_other")

        def __getattribute__(self, name: str):
            if name not in ("of_type", "of_type_in_root", "_begin", "_record"):
                object.__setattr__(self, "_other", True)
            return object.__getattribute__(self, name)

        def __setattr__(self, name: str, value) -> None:
            object.__setattr__(self, "_other", True)
            object.__setattr__(self, name, value)

        def of_type(self, *types: str) -> list:
            object.__getattribute__(self, "_asked").update(types)
            return []

        def of_type_in_root(self, root: str, *types: str) -> list:
            object.__getattribute__(self, "_asked").update(types)
            return []

    return _Recording()
