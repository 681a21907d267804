"""Parsing many files fast: a content-addressed parse cache and a process pool.

Each file is parsed in isolation (`engine.parse_source`), so files can be parsed in any order,
in other processes, or not at all when an earlier scan parsed the same bytes. Results come back
in the order of the input list, so a parallel run gives the same output as a single-process one.

The cache lives in the user's cache folder (`$XDG_CACHE_HOME/iacguard`, else `~/.cache/iacguard`)
or `--cache-dir`. An entry is keyed by the file's content hash, its path, its kind and the
versions of iacguard and of the parsers, so an upgrade never reads stale entries. Entries are
written to a temporary file and renamed into place, so concurrent scans never see half an entry.
The cache holds pickles written by iacguard itself; it is never filled from the scanned tree.
"""
from __future__ import annotations

import copy
import hashlib
import importlib
import os
import pickle
import signal
import tempfile
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata

from . import __version__
from .discovery import SourceFile, read_bytes
from .model import Notification

DEFAULT_TIME_PER_FILE = 60  # seconds
_PARALLEL_MIN_FILES = 16  # below these, starting processes costs more than it saves
_PARALLEL_MIN_BYTES = 4 * 1024 * 1024


def _package_fingerprint() -> str:
    """Size and modification time of iacguard's own files, so that an editable install whose
    code changed never reads entries the old code wrote (releases change __version__ too)."""
    h = hashlib.sha256()
    base = os.path.dirname(os.path.abspath(__file__))
    checks = os.path.dirname(os.path.abspath(importlib.import_module("iacguard.checks").__file__))
    for folder in sorted({base, checks}):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith(".py"):
                    st = os.stat(os.path.join(dirpath, name))
                    h.update(("%s\0%d\0%d\0" % (os.path.join(dirpath, name), st.st_size, st.st_mtime_ns)).encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:16]


def _versions() -> str:
    parts = ["iacguard=" + __version__, "code=" + _package_fingerprint(), "cache=4"]
    for dist in ("python-hcl2", "lark", "cfn-flip", "PyYAML"):
        try:
            parts.append("%s=%s" % (dist, metadata.version(dist)))
        except metadata.PackageNotFoundError:
            parts.append(dist + "=none")
    return ";".join(parts)


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "iacguard")


class ParseCache:
    def __init__(self, folder: str, limits=None):
        self.folder = folder
        # Bounds change what a parse yields (an error or a tree), so they are part of the key.
        self.versions = _versions() + ";" + repr(limits)
        self.hits = 0
        self.misses = 0

    def key(self, source: SourceFile, data: bytes, max_bytes: int) -> str:
        h = hashlib.sha256()
        for part in (self.versions, source.path, source.root, source.kind, str(max_bytes)):
            h.update(part.encode("utf-8", "surrogateescape"))
            h.update(b"\0")
        h.update(data)
        return h.hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], key + ".pickle")

    def get(self, key: str):
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                value = pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        try:
            os.utime(path)  # recently used: pruning removes the least recently used entries first
        except OSError:
            pass
        return value

    def put(self, key: str, value) -> None:
        self._write(self._path(key), value)

    def put_parsed(self, key: str, parsed) -> None:
        """A parse result in two entries: the small record (kind, notifications) and the tree,
        which a later scan loads only if it has to evaluate again."""
        if parsed.data is not None:
            self._write(self._path(key) + ".data", parsed.data)
            record = copy.copy(parsed)
            record.data = _DEFERRED
            self._write(self._path(key), record)
        else:
            self._write(self._path(key), parsed)

    def get_parsed(self, key: str):
        parsed = self.get(key)
        if parsed is not None and parsed.data is _DEFERRED:
            parsed.data = Deferred(self._path(key) + ".data")
        return parsed

    def _write(self, path: str, value) -> None:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            try:
                os.unlink(tmp)  # type: ignore[possibly-undefined]
            except (OSError, UnboundLocalError):
                pass


class EvaluationCache(ParseCache):
    """Evaluated results (`LanguageResult`) of one language under one scan root.

    The key covers the parse keys of the root's files, the inputs (variables, parameters and
    their files, TF_VAR_* variables) and a fingerprint (path, size, modification time) of every
    other file under the root, since evaluation may read files that are not parsed (`file()`,
    `templatefile()`, `.terraform/modules`)."""

    def key(self, kind: str, root: str, digests: list, options) -> str:
        h = hashlib.sha256()
        for part in (self.versions, "evaluate", kind, root):
            h.update(part.encode("utf-8", "surrogateescape") + b"\0")
        for d in sorted(digests):
            h.update(d.encode() + b"\0")
        env = sorted((k, v) for k, v in (options.env or {}).items() if k.startswith("TF_VAR_")) if getattr(options, "tf_vars_from_env", False) else []
        h.update(repr((sorted(options.tf_vars.items()), sorted(options.cfn_params.items()), env, sorted(getattr(options, "excludes", None) or ()))).encode("utf-8", "surrogateescape"))
        for path in list(options.tf_var_files) + list(options.cfn_param_files):
            data = read_bytes(path, 64 * 1024 * 1024)[0]
            h.update(hashlib.sha256(data or b"").digest())
        h.update(tree_fingerprint(root).encode())
        return h.hexdigest()


class ScanCache(EvaluationCache):
    """A whole scan's analysis (findings before suppressions and baselines), so that a scan of
    an unchanged tree with unchanged inputs and checks skips evaluation, the graph and the checks."""

    def key(self, parsed: list, options, checks: list, roots: list) -> str | None:
        if not all(p.digest for p in parsed):
            return None
        h = hashlib.sha256()
        h.update(("%s\0scan\0" % self.versions).encode("utf-8", "surrogateescape"))
        for p in sorted(parsed, key=lambda p: p.path):
            h.update(("%s\0%s\0" % (p.path, p.digest)).encode("utf-8", "surrogateescape"))
        h.update(repr([(c.id, c.severity, c.pillar, getattr(c.evaluate, "__module__", "")) for c in checks]).encode())
        for root in sorted(roots):
            h.update(EvaluationCache.key(self, "roots", root, [], options).encode())
        return h.hexdigest()


def tree_fingerprint(root: str) -> str:
    """Path, size and modification time of every regular file under `root` (not `.git` or
    `node_modules`), hashed."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in (".git", "node_modules"))
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            h.update(("%s\0%d\0%d\0" % (os.path.relpath(path, root), st.st_size, st.st_mtime_ns)).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


CACHE_LIMIT_BYTES = 2 * 1024**3  # pruned back to three quarters of this when it grows past it
_STALE_TEMP_SECONDS = 3600


def prune(folder: str, limit: int = CACHE_LIMIT_BYTES) -> int:
    """Keep the cache under `limit` bytes by removing the least recently used entries (an entry
    and its `.data` tree go together); also remove temporary files a killed scan left behind.
    Returns the number of bytes removed. Safe under concurrent scans: a removed entry is a miss."""
    import time

    entries: dict = {}
    total = removed = 0
    now = time.time()
    for dirpath, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            if name.startswith(".tmp-"):
                if now - st.st_mtime > _STALE_TEMP_SECONDS:
                    removed += _unlink(path, st.st_size)
                continue
            total += st.st_size
            base = path[: -len(".data")] if name.endswith(".data") else path
            size, mtime, paths = entries.get(base, (0, 0.0, []))
            entries[base] = (size + st.st_size, max(mtime, st.st_mtime), paths + [path])
    if total <= limit:
        return removed
    target = limit * 3 // 4
    for base, (size, _, paths) in sorted(entries.items(), key=lambda kv: kv[1][1]):
        if total <= target:
            break
        for path in paths:
            removed += _unlink(path, 0)
        total -= size
        removed += size
    return removed


def _unlink(path: str, size: int) -> int:
    try:
        os.unlink(path)
    except OSError:
        return 0
    return size


class _DeferredMarker:
    """Stands for a parse tree stored beside its record (pickles as the module-level singleton)."""

    def __reduce__(self):
        return "_DEFERRED"


_DEFERRED = _DeferredMarker()


class Deferred:
    """A parse tree still in the cache; `load()` gives it, or None if the entry is gone."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path

    def load(self):
        try:
            with open(self.path, "rb") as fh:
                return pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
            return None


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def parse_one(source: SourceFile, max_bytes: int, time_limit: int, data: bytes | None = None):
    """Parse one file (from `data` when its bytes were already read) within a time limit
    (enforced with SIGALRM where available)."""
    from .engine import ParsedSource, parse_source

    use_alarm = time_limit > 0 and hasattr(signal, "SIGALRM")
    if use_alarm:
        try:
            old = signal.signal(signal.SIGALRM, _alarm)
        except ValueError:  # not the main thread
            use_alarm = False
    if use_alarm:
        signal.alarm(time_limit)
    try:
        return parse_source(source, max_bytes, data)
    except _Timeout:
        return ParsedSource(source.path, source.root, "failed", None, [Notification("error", "skipped: parsing took longer than %d s (--time-per-file)" % time_limit, source.path)])
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)


def _parse_chunk(args):
    sources, max_bytes, time_limit, limits = args
    if limits is not None:
        from .limits import apply

        apply(limits)  # a worker process starts with the defaults
    return [parse_one(s, max_bytes, time_limit) for s in sources]


def parse_all(sources: list, max_bytes: int, jobs: int = 0, cache_dir: str | None = None, time_limit: int = DEFAULT_TIME_PER_FILE, limits=None) -> list:
    """Parse every source; results in input order. `jobs` 0 means the CPU count; `cache_dir`
    None disables the cache; `limits` (iacguard.limits.Limits) are applied here and in workers."""
    if limits is not None:
        from .limits import apply

        apply(limits)
    cache = ParseCache(cache_dir, limits) if cache_dir else None
    results: list = [None] * len(sources)
    todo: list = []
    keys: dict = {}
    read: dict = {}  # bytes already read for the key, so a file parsed here is read once
    for i, src in enumerate(sources):
        if cache is not None:
            data = read_bytes(src.path, max_bytes)[0]
            if data is not None:
                key = cache.key(src, data, max_bytes)
                hit = cache.get_parsed(key)
                if hit is not None:
                    hit.digest = key
                    results[i] = hit
                    continue
                keys[i] = key
                read[i] = data
        todo.append(i)
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(todo) >= _PARALLEL_MIN_FILES and _total_size(sources, todo) >= _PARALLEL_MIN_BYTES:
        # Strided chunks, a few per worker, balance the load; results go back by index.
        n_chunks = min(len(todo), jobs * 4)
        chunks = [todo[k::n_chunks] for k in range(n_chunks)]
        try:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                outs = pool.map(_parse_chunk, [([sources[i] for i in chunk], max_bytes, time_limit, limits) for chunk in chunks])
                for chunk, out in zip(chunks, outs):
                    for i, parsed in zip(chunk, out):
                        results[i] = parsed
        except Exception:  # noqa: BLE001 - a broken pool must not stop the scan
            pass  # fall back to parsing here whatever the pool did not finish
    for i in todo:
        if results[i] is None:
            results[i] = parse_one(sources[i], max_bytes, time_limit, read.get(i))
    if cache is not None:
        for i, key in keys.items():
            results[i].digest = key
            if results[i] is not None and results[i].kind != "failed" or _cacheable_failure(results[i]):
                cache.put_parsed(key, results[i])
    return results


def _total_size(sources: list, indexes: list) -> int:
    total = 0
    for i in indexes:
        try:
            total += os.stat(sources[i].path).st_size
        except OSError:
            pass
    return total


def _cacheable_failure(parsed) -> bool:
    # Syntax errors are a property of the content and can be cached; timeouts and I/O problems not.
    return parsed is not None and parsed.kind == "failed" and all("took longer" not in n.message and "cannot read" not in n.message for n in parsed.notifications)
