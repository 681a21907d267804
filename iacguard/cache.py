"""Parsing many files fast: content-addressed caches and a process pool.

Each file is parsed in isolation (`parse.parse_source`), so files can be parsed in any order,
in other processes, or not at all when an earlier scan parsed the same bytes. Results come back
in the order of the input list, so a parallel run gives the same output as a single-process one.

What is kept, and when (a cold scan should cost little more than one without the cache):
- the scan (ScanCache): every scan keeps its analysis, keyed by the files' content keys, the
  checks and the inputs; the engine asks it before parsing anything (`Keyed`), so an unchanged
  tree is answered without parsing. Findings keep their resources without evaluated properties;
- parsed files (ParseCache): only files of PARSE_CACHE_MIN_BYTES or more (a smaller one parses
  faster than its entry is written and read back), as a small record and the tree apart, from
  the second scan that parses the same bytes on (`parsed_before`: the first leaves a small mark);
- evaluations (EvaluationCache): a root's from its second scan on (`seen_before`), as they are
  reused only when the same files are scanned again with other checks.

The cache lives in the user's cache folder (`$XDG_CACHE_HOME/iacguard`, else `~/.cache/iacguard`)
or `--cache-dir`, in a subfolder of its own (`iacguard-cache-vN/`, N the cache format, marked with a CACHEDIR.TAG).
An entry is keyed by the file's content hash, its path, its kind and the versions of iacguard
and of the parsers, so an upgrade never reads stale entries. Entries are written to a temporary
file and renamed into place, so concurrent scans never see half an entry.

Whoever can write the cache folder (a shared runner, a CI cache restored from another run) must
not be able to run code in the next scan, nor make it write or delete anything else:
- an entry is a header (magic, format version, kind) and a pickle that may only name
  iacguard's own data classes (`_ALLOWED`); anything else -- another kind, another format, a
  foreign or truncated file, a global outside the list, a value of the wrong type -- is a miss;
- an entry is at most MAX_ENTRY_BYTES, when written and when read (its size is checked first);
- the folder is measured before a scan's first write and every write is counted, so a scan never takes it
  past CACHE_LIMIT_BYTES (it prunes once when the bound is near, then stops writing);
- pruning walks only the cache's own subfolder and deletes only files named like entries or our
  temporary files; links are never followed: folders are opened with O_NOFOLLOW and entries
  created with O_EXCL relative to them.
"""
from __future__ import annotations

import copy
import gc
import importlib
import operator
import os
import pickle
import sys

from iacguard.core import limits as _limits
from iacguard.core.digests import key_hash
from iacguard.core.forked import free_cpus, running_tasks
from iacguard.discover import SourceFile, read_bytes
from .graph import GraphView
from iacguard.core.model import Analysis, Finding, LanguageResult, Location, Notification, PathStep, Reference, Resource, SpanLocations, Symbol, Undecided, UnknownValue
from .parse import ParsedSource, parse_one
from .cachebase import (  # noqa: F401 - the cache folder and entries' basics, also read by iacguard/replay.py
    _package_fingerprint, _wheel_record, CACHE_FORMAT, _versions, _dist_version, default_cache_dir, CACHE_SUBDIR, CACHE_LIMIT_BYTES, MAX_ENTRY_BYTES, _STALE_TEMP_SECONDS, _TAG_NAME, _TAG, _SHARD_NAME, _ENTRY_NAME, _TEMP_NAME, _NOFOLLOW, _CLOEXEC, _DIR_FLAGS, _DIR_FD, _subdir, _root, _is_tag, _open, _unlink, _close, _MAGIC, _header, load_entry, read_plain, entry_path, parse_key, tree_fingerprint,
)

DEFAULT_TIME_PER_FILE = 60  # seconds
_PARALLEL_MIN_FILES = 16  # below these, starting processes costs more than it saves
_PARALLEL_MIN_BYTES = 4 * 1024 * 1024
# Files smaller than this are parsed again rather than read from the parse cache: the parser
# reads about 8 KB a millisecond, and writing an entry (two files, the tree pickled) costs a
# fixed half millisecond or more on top, every cold scan, for a saving only when a later scan
# misses the scan cache. A warm scan of an unchanged tree needs no parse entry at all (the scan
# cache is asked first, by the files' content keys).
PARSE_CACHE_MIN_BYTES = 16 * 1024


# --- The store: where entries live, how big they may get, what may be deleted -------------------

def _walk(root, now: float, remove_stale: bool):
    """The entries under a cache subfolder handle: {(shard, base name): [size, mtime, names]}
    and their total size (with the folder's tag, which counts towards the bound too). Only shard
    folders and entry names are looked at; links are skipped."""
    entries: dict = {}
    total = len(_TAG)
    with os.scandir(root) as it:
        shards = [e.name for e in it if _SHARD_NAME.match(e.name) and e.is_dir(follow_symlinks=False)]
    for shard in sorted(shards):
        try:
            folder = _subdir(root, shard)
        except OSError:
            continue
        try:
            with os.scandir(folder) as it:
                files = [(e.name, e.stat(follow_symlinks=False)) for e in it if e.is_file(follow_symlinks=False)]
            for name, st in files:
                if _ENTRY_NAME.match(name):
                    total += st.st_size
                    base = name[: -len(".data")] if name.endswith(".data") else name
                    entry = entries.setdefault((shard, base), [0, 0.0, []])
                    entry[0] += st.st_size
                    entry[1] = max(entry[1], st.st_mtime)
                    entry[2].append(name)
                elif _TEMP_NAME.match(name):
                    if remove_stale and now - st.st_mtime > _STALE_TEMP_SECONDS:
                        _unlink(folder, name)
                    else:
                        total += st.st_size  # a concurrent scan's entry in the making
        except OSError:
            pass
        finally:
            _close(folder)
    return entries, total


def prune(folder: str, limit: int | None = None) -> int:
    """Keep the cache under `limit` bytes (default CACHE_LIMIT_BYTES) by removing the least
    recently used entries (an entry and its `.data` tree go together) back to three quarters of
    it; also remove temporary files a killed scan left behind. Returns the bytes left.

    Only the cache's own subfolder of `folder` (marked with a CACHEDIR.TAG) is walked, and only
    files named like entries or our temporary files are removed, so a --cache-dir pointed at a
    folder of other files never loses one. Links are neither followed nor removed. Safe under
    concurrent scans: a removed entry is a miss."""
    import time

    limit = CACHE_LIMIT_BYTES if limit is None else limit
    root = _root(folder)
    if root is None:
        return 0
    try:
        entries, total = _walk(root, time.time(), remove_stale=True)
        if total <= limit:
            return total
        target = limit * 3 // 4
        for (shard, _), (size, _, names) in sorted(entries.items(), key=lambda kv: kv[1][1]):
            if total <= target:
                break
            try:
                sub = _subdir(root, shard)
            except OSError:
                continue
            try:
                for name in names:
                    _unlink(sub, name)
            finally:
                _close(sub)
            total -= size
        return total
    except OSError:
        return 0
    finally:
        _close(root)


class CacheStore:
    """One scan's view of a cache folder: the bytes it holds, measured (one walk of the folder)
    before the scan's first write and counted up as entries are written, so that no write takes
    it past the limit. A scan that writes nothing (one answered from the scan cache) never walks
    the folder: that walk grew with the cache and was most of a warm scan's cache work."""

    def __init__(self, folder: str):
        self.folder = folder
        self.root = os.path.join(folder, CACHE_SUBDIR)
        self.limit = CACHE_LIMIT_BYTES
        self._used = None  # None: not measured yet
        self.pruned = False
        # The subfolder's handle, opened (and its tag checked) on the first write, held until
        # the scan ends; shard folders this scan made or found, so each is made at most once
        # (opening and checking the folders for every entry cost a cold scan of a small tree
        # more than parsing it).
        self._handle = None  # None: not opened yet; False: not usable
        self._shards: set = set()
        self._fingerprints: dict = {}
        self.exact: frozenset = frozenset()  # files fingerprinted by content (see tree_fingerprint)

    @property
    def used(self) -> int:
        """The bytes the cache holds, measured on first use (removing stale temporary files)."""
        if self._used is None:
            self._used = prune(self.folder, self.limit)
        return self._used

    @used.setter
    def used(self, value: int) -> None:
        self._used = value

    def handle(self):
        """The cache subfolder's handle for writing, or None when it cannot be used."""
        if self._handle is None:
            self._handle = _root(self.folder, create=True) or False
        return self._handle or None

    def shard(self, root, name: str):
        """The handle of shard folder `name` (made if missing); the caller closes it."""
        folder = _subdir(root, name, create=name not in self._shards)
        self._shards.add(name)
        return folder

    def fingerprint(self, root: str) -> str:
        """`tree_fingerprint(root)`, once per scan (the scan key and each language's
        evaluation key ask for it)."""
        found = self._fingerprints.get(root)
        if found is None:
            found = self._fingerprints[root] = tree_fingerprint(root, self.exact)
        return found

    def close(self) -> None:
        if self._handle:
            _close(self._handle)
        self._handle = False

    def room(self) -> int:
        """Bytes the next entry may take (pruning once per scan when the limit is near)."""
        if self.limit - self.used < MAX_ENTRY_BYTES and not self.pruned:
            self.pruned = True
            self.used = prune(self.folder, max(self.limit - MAX_ENTRY_BYTES, self.limit // 2))
        return min(MAX_ENTRY_BYTES, self.limit - self.used)


_STORES: dict = {}


def begin_scan(folder: str) -> CacheStore:
    """Start a scan's use of a cache folder (measured when the scan first writes to it)."""
    old = _STORES.pop(folder, None)
    if old is not None:
        old.close()
    _STORES[folder] = store = CacheStore(folder)
    return store


# Folder -> the bytes the last scan of it in this process counted, when it measured the folder:
# what an entry written after the scan (the replay memo, the checks' metadata) starts from,
# rather than walking the folder again.
_MEASURED: dict = {}


def end_scan(folder: str) -> None:
    store = _STORES.pop(folder, None)
    if store is not None:
        store.close()
        used = store._used
        if used is not None and used > store.limit:
            used = prune(folder, store.limit)
        if used is not None:
            _MEASURED[folder] = used


def _store(folder: str) -> CacheStore:
    store = _STORES.get(folder)
    if store is None:
        store = begin_scan(folder)  # an entry written outside a scan
        store._used = _MEASURED.pop(folder, None)
    return store


# --- Entries: a header, then a pickle that may only build iacguard's own data classes ----------

# The only globals an entry may name: iacguard's data classes whose constructors and state only
# set fields (no I/O, no callables taken from the entry). Everything else -- os.system,
# builtins.eval, subprocess.Popen, copyreg helpers -- makes the entry a miss.
_ALLOWED = {
    "iacguard.parse": ("ParsedSource",),
    "iacguard.graph": ("GraphView",),
    "iacguard.core.model": ("Analysis", "Location", "Resource", "Reference", "Notification", "Finding", "Symbol", "UnknownValue", "LanguageResult", "Undecided", "PathStep", "SpanLocations"),
    "iacguard.core.notification": ("Notification",),  # (its module; entries written before it left core.model name that one)
    "iacguard.core.unknown": ("Unknown", "PartialUnknown", "AttributeUnknown"),
    "iacguard.terraform.expressions": ("ErrorUnknown",),
    "iacguard.terraform.syntax": (
        "Literal", "TemplateIf", "TemplateFor", "Template", "TupleExpr", "ObjectExpr", "Variable", "GetAttr", "Index", "Splat",
        "FunctionCall", "Conditional", "BinaryOp", "UnaryOp", "ForExpr", "Attribute", "Body", "Block", "ConfigFile",
    ),
    "iacguard.cloudformation.loader": ("Template",),
    "iacguard.cache": ("_DEFERRED",),
}
_ALLOWED_NAMES = frozenset((m, n) for m, names in _ALLOWED.items() for n in names)
_resolved: dict = {}


# Found on a class object (where it is not callable, so a BUILD opcode applied to a class fails),
# absent on instances (the attribute it reads does not exist, so a BUILD applied to an instance
# takes the unpickler's own C path, as fast as before).
_NO_CLASS_STATE = property(operator.attrgetter("_iacguard_no_state_"))


def _harden(cls: type) -> None:
    """Stop an entry from changing an allowed class itself.

    Pickle's BUILD opcode sets attributes on whatever object is on the stack; applied to a class
    (which an entry can name) it would set class attributes for the rest of the process. A
    class that has a `__setstate__` (frozen dataclasses: it sets fields only, and reached through
    the class it is called with one argument too few) is safe; the others get `_NO_CLASS_STATE`.
    BUILD on an instance can set only its slots, or entries of its `__dict__`: plain data."""
    if getattr(cls, "__setstate__", None) is None:
        cls.__setstate__ = _NO_CLASS_STATE


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        obj = _resolved.get((module, name))
        if obj is None:
            if (module, name) not in _ALLOWED_NAMES:
                raise pickle.UnpicklingError("not allowed in a cache entry: %s.%s" % (module, name))
            obj = super().find_class(module, name)
            if isinstance(obj, type):
                _harden(obj)
            _resolved[(module, name)] = obj
        return obj


def _int_list(value) -> bool:
    """A list of ints only (a parse tree's `line_ends`), checked at C speed."""
    return type(value) is list and (not value or set(map(type, value)) == {int})


def _shaped(value) -> bool:
    """Whether a loaded value has the shape the engine and the reports rely on: the fields they
    read have the declared types (an entry that holds an int where a path goes is a miss, not a
    traceback later). Values inside resources stay free: they are data of any shape anyway."""
    k = globals()
    t = type(value)
    Notification = k["Notification"]
    if t is k["ParsedSource"]:  # the most frequent, so the quickest
        return (
            type(value.path) is str and type(value.root) is str and type(value.digest) is str and type(value.unread) is bool
            and value.kind in ("terraform", "cloudformation", "plan", "other", "failed")
            and (value.data is None or value.data is _DEFERRED) and type(value.notifications) is list
            and all(type(x) is Notification and type(x.level) is str and type(x.message) is str and type(x.path) is str and type(x.line) is int for x in value.notifications)
        )
    Location, UnknownValue, Resource, Symbol = k["Location"], k["UnknownValue"], k["Resource"], k["Symbol"]
    Reference, Finding, LanguageResult, Analysis, GraphView = k["Reference"], k["Finding"], k["LanguageResult"], k["Analysis"], k["GraphView"]
    # Parse tree classes, from their modules if loaded (a value of theirs cannot exist otherwise).
    syntax, loader = sys.modules.get("iacguard.terraform.syntax"), sys.modules.get("iacguard.cloudformation.loader")
    ConfigFile, Body, Template = getattr(syntax, "ConfigFile", None), getattr(syntax, "Body", None), getattr(loader, "Template", None)

    def loc(x) -> bool:
        return type(x) is Location and type(x.path) is str and type(x.start_line) is int and type(x.end_line) is int and type(x.start_col) is int and type(x.end_col) is int

    def note(x) -> bool:
        return type(x) is Notification and type(x.level) is str and type(x.message) is str and type(x.path) is str and type(x.line) is int

    def unknown(x) -> bool:
        return type(x) is UnknownValue and type(x.path) is str and type(x.line) is int and type(x.what) is str and type(x.reason) is str

    def locations(x) -> bool:
        if type(x) is dict:
            return True
        return type(x) is SpanLocations and type(x.path) is str and all(
            type(v) is tuple and len(v) == 3 and type(v[0]) is int and type(v[1]) is int and type(v[2]) is int for v in dict.values(x))

    seen: set = set()

    def resource(x) -> bool:
        if id(x) in seen:
            return True
        seen.add(id(x))
        return (
            type(x) is Resource and type(x.id) is str and type(x.address) is str and type(x.type) is str and type(x.language) is str
            and type(x.properties) is dict and loc(x.location) and locations(x.property_locations) and type(x.mode) is str
            and type(x.module) is str and type(x.conditions) is tuple and type(x.meta) is dict
        )

    def symbol(x) -> bool:
        return (
            type(x) is Symbol and type(x.id) is str and type(x.kind) is str and type(x.name) is str and type(x.language) is str
            and type(x.meta) is dict and (x.location is None or loc(x.location))
        )

    def node_symbol(x) -> bool:  # (node id, Symbol), as ResourceGraph.symbols_of_kind gives them
        return type(x) is tuple and len(x) == 2 and type(x[0]) is str and symbol(x[1])

    def reference(x) -> bool:
        return type(x) is Reference and type(x.source) is str and type(x.target) is str and type(x.path) is tuple and type(x.attribute) is str and type(x.kind) is str

    def related(r) -> bool:
        return type(r) is tuple and len(r) == 2 and loc(r[0]) and type(r[1]) is str

    PathStep = k["PathStep"]

    def step(x) -> bool:  # a node of a finding's attack path
        return (type(x) is PathStep and resource(x.resource) and type(x.message) is str and loc(x.location)
                and type(getattr(x, "missing", None)) is tuple and all(type(m) is str for m in x.missing))

    def finding(x) -> bool:
        return (
            type(x) is Finding and type(x.check_id) is str and type(x.message) is str and type(x.conditions) is tuple
            and type(x.related) is tuple and resource(x.resource) and loc(x.location) and all(map(related, x.related))
            and type(getattr(x, "root", None)) is str and type(getattr(x, "path", None)) is tuple and all(map(step, x.path))
            and type(getattr(x, "severity", None)) is str
        )

    Undecided = k["Undecided"]

    def undecided(x) -> bool:
        return (
            type(x) is Undecided and type(x.check_id) is str and type(x.what) is str and type(x.reason) is str
            and type(x.conditions) is tuple and type(x.related) is tuple and resource(x.resource) and loc(x.location)
            and all(map(related, x.related))
        )

    def each(items, ok) -> bool:
        return type(items) is list and all(map(ok, items))

    def strings(x) -> bool:
        return type(x) is str

    if t is LanguageResult:
        return (
            each(value.resources, resource) and each(value.references, reference) and each(value.symbols, symbol)
            and each(value.notifications, note) and each(value.unknowns, unknown) and each(value.files, strings)
            and each(getattr(value, "secrets", []), strings)
        )
    if t is Analysis:
        g = value.graph
        return (
            each(value.findings, finding) and each(value.notifications, note) and each(value.files, strings)
            and each(value.unknowns, unknown) and type(value.resources) is int
            and each(value.secrets, strings) and each(value.undecided, undecided) and each(getattr(value, "entry_points", []), step)
            and each(value.parse_notifications, note) and type(value.parse_failed) is bool
            and type(g) is GraphView and each(g.resources, resource)
            and type(g._symbols) is dict and all(type(k) is str and each(v, node_symbol) for k, v in g._symbols.items())
        )
    # Parse trees: their top level here; evaluation reads the rest under its own guard.
    if t is ConfigFile:
        return type(value.path) is str and type(value.body) is Body and type(value.body.attributes) is dict and type(value.body.blocks) is list and type(value.comments) is list and _int_list(value.line_ends)
    if t is Template:
        return type(value.path) is str and type(value.data) is dict and type(value.lines) is dict and type(value.warnings) is list and type(value.comments) is list and type(value.syntax) is str and _int_list(value.line_ends)
    if t is dict:  # a Terraform plan
        return type(value.get("path")) is str and type(value.get("plan")) is dict
    return True


class _TooBig(Exception):
    pass


class _Capped:
    """A file that refuses to grow past `cap` bytes."""

    __slots__ = ("fh", "cap", "written")

    def __init__(self, fh, cap: int):
        self.fh, self.cap, self.written = fh, cap, 0

    def write(self, b) -> int:
        self.written += len(b)
        if self.written > self.cap:
            raise _TooBig()
        return self.fh.write(b)


def read_entry(path: str, kind: str, types: tuple):
    """The value in the entry at `path` if it is a cache entry of `kind` (and this format), no
    larger than MAX_ENTRY_BYTES, that builds an instance of `types` of the right shape; else
    None. Never raises."""
    def load(fh):
        value = _Unpickler(fh).load()
        return value if isinstance(value, types) and _shaped(value) else None

    return load_entry(path, kind, load)


def entries_of(folder: str, kind: str, types: tuple) -> "ParseCache":
    """A cache of entries of one more `kind` whose values are instances of `types`, in `folder`
    (the checks' metadata, replay memos): get and put by key, with every entry's checks."""

    class Entries(ParseCache):
        def types(self) -> tuple:
            return types

    entries = Entries(folder)
    entries.kind = kind
    return entries


_PARSED_KIND = "parsed-keys"  # the entries `ParseCache.parsed_before` reads and writes


class ParseCache:
    kind = "parsed"

    def __init__(self, folder: str, limits=None):
        self.folder = folder
        self.store = _store(folder)
        # Bounds change what a parse yields (an error or a tree), so they are part of the key.
        self.versions = _versions() + ";" + repr(limits)
        self.hits = 0
        self.misses = 0

    def types(self) -> tuple:
        return (ParsedSource,)

    def key(self, source: SourceFile, data: bytes, max_bytes: int) -> str:
        return parse_key(self.versions, source.path, source.root, source.kind, max_bytes, data)

    def _path(self, key: str) -> str:
        return os.path.join(self.store.root, key[:2], key + ".pickle")

    def get(self, key: str):
        value = read_entry(self._path(key), self.kind, self.types())
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: str, value) -> None:
        self._write(key, key + ".pickle", self.kind, value)

    def _marked(self, what: str, leave: bool = True) -> bool:
        """Whether an earlier scan (with this version of iacguard) left the mark named `what`; the
        first call leaves it (a small entry, of which only the presence is read) if `leave`."""
        mark = key_hash(("%s\0seen\0%s" % (self.versions, what)).encode("utf-8", "surrogateescape")).hexdigest()
        if os.path.exists(self._path(mark)):
            return True
        if leave:
            self.put(mark, True)
        return False

    def parsed_before(self, keys_by_root: dict) -> set:
        """The parse keys of `keys_by_root` ({root: [key]}: files this scan parsed and did not
        find kept) that the last scan of the same root parsed too (these bytes at this path; see
        `parse_all`). One small entry per root lists the keys its last scan parsed, replaced by
        this scan's: one entry read and one written per root, where a mark per file cost 2,000
        entries written by the first scan of 2,000 templates (0.4 s)."""
        seen: set = set()
        for root, keys in keys_by_root.items():
            name = key_hash(("%s\0parsed\0%s" % (self.versions, root)).encode("utf-8", "surrogateescape")).hexdigest()
            before = read_plain(self._path(name), _PARSED_KIND)
            if type(before) is tuple:
                seen.update(set(before).intersection(keys))
            self._write(name, name + ".pickle", _PARSED_KIND, tuple(keys))
        return seen

    def put_parsed(self, key: str, parsed) -> None:
        """A parse result in two entries: the small record (kind, notifications) and the tree,
        which a later scan loads only if it has to evaluate again."""
        if parsed.data is not None:
            if not self._write(key, key + ".pickle.data", "tree", parsed.data):
                return
            record = copy.copy(parsed)
            record.data = _DEFERRED
            self._write(key, key + ".pickle", self.kind, record)
        else:
            self._write(key, key + ".pickle", self.kind, parsed)

    def get_parsed(self, key: str):
        parsed = self.get(key)
        if parsed is not None and parsed.data is _DEFERRED:
            parsed.data = Deferred(self._path(key) + ".data")
        return parsed

    def _write(self, key: str, name: str, kind: str, value) -> bool:
        """Write an entry atomically (a temporary file renamed into place) into real folders of
        the cache's own subfolder, within MAX_ENTRY_BYTES and the room the store has left."""
        store = self.store
        cap = store.room()
        if cap <= 0:
            return False
        root = store.handle()
        if root is None:
            return False
        folder = tmp = None
        try:
            folder = store.shard(root, key[:2])
            tmp = ".tmp-" + os.urandom(8).hex()  # as secrets.token_hex(8), without importing secrets (random, hmac, base64)
            out = _Capped(os.fdopen(_open(folder, tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL), "wb"), cap)
            try:
                out.write(_header(kind))
                pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
            finally:
                out.fh.close()
            if _DIR_FD:
                os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
            else:
                os.replace(os.path.join(folder, tmp), os.path.join(folder, name))
            tmp = None
            store.used += out.written
            return True
        except (OSError, _TooBig, pickle.PicklingError, RecursionError, TypeError, AttributeError, ValueError):
            return False
        finally:
            if folder is not None:
                if tmp is not None:
                    _unlink(folder, tmp)
                _close(folder)


class EvaluationCache(ParseCache):
    """Evaluated results (`LanguageResult`) of one language under one scan root.

    The key covers the parse keys of the root's files, the inputs (variables, parameters and
    their files, TF_VAR_* variables) and a fingerprint (path, size, modification time) of every
    other file under the root, since evaluation may read files that are not parsed (`file()`,
    `templatefile()`, `.terraform/modules`)."""

    kind = "evaluated"

    def types(self) -> tuple:
        return (LanguageResult,)

    def key(self, kind: str, root: str, digests: list, options) -> str:
        h = key_hash()
        for part in (self.versions, "evaluate", kind, root):
            h.update(part.encode("utf-8", "surrogateescape") + b"\0")
        for d in sorted(digests):
            h.update(d.encode() + b"\0")
        env = sorted((k, v) for k, v in (options.env or {}).items() if k.startswith("TF_VAR_")) if getattr(options, "tf_vars_from_env", False) else []
        h.update(repr((sorted(options.tf_vars.items()), sorted(options.cfn_params.items()), env, sorted(getattr(options, "excludes", None) or ()))).encode("utf-8", "surrogateescape"))
        for path in list(options.tf_var_files) + list(options.cfn_param_files):
            data = read_bytes(path, 64 * 1024 * 1024)[0]
            h.update(key_hash(data or b"").digest())
        h.update(self.store.fingerprint(root).encode())
        return h.hexdigest()

    def seen_before(self, kind: str, root: str, mark: bool = True) -> bool:
        """Whether an earlier scan evaluated `kind` under `root` (with this version of iacguard);
        the first call for a root leaves the mark the next scan finds (unless `mark` is False)."""
        return self._marked("%s\0%s" % (kind, root), mark)


class ScanCache(EvaluationCache):
    """A whole scan's analysis (findings before suppressions and baselines), so that a scan of
    an unchanged tree with unchanged inputs and checks skips evaluation, the graph and the checks."""

    kind = "scan"

    def types(self) -> tuple:
        return (Analysis,)

    def key(self, parsed: list, options, checks: list, roots: list) -> str | None:
        if not all(p.digest for p in parsed):
            return None
        h = key_hash()
        h.update(("%s\0scan\0" % self.versions).encode("utf-8", "surrogateescape"))
        for p in sorted(parsed, key=lambda p: p.path):
            h.update(("%s\0%s\0" % (p.path, p.digest)).encode("utf-8", "surrogateescape"))
        h.update(repr([(c.id, c.severity, c.pillar, getattr(c.evaluate, "__module__", "")) for c in checks]).encode())
        h.update(repr([getattr(c.evaluate, "cache_token", None) for c in checks]).encode())  # configured checks (AWS-S3-900)
        for root in sorted(roots):
            h.update(EvaluationCache.key(self, "roots", root, [], options).encode())
        return h.hexdigest()


class _DeferredMarker:
    """Stands for a parse tree stored beside its record (pickles as the module-level singleton)."""

    __slots__ = ()

    def __reduce__(self):
        return "_DEFERRED"

    def __setstate__(self, state):
        raise pickle.UnpicklingError("the deferred marker has no state")


_DEFERRED = _DeferredMarker()


class Deferred:
    """A parse tree still in the cache; `load()` gives it, or None if the entry is gone (or is
    not a parse tree)."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path

    def load(self):
        # Here, not at the top: a warm scan answered from the cache never loads the parsers.
        from .cloudformation.loader import Template
        from .terraform.syntax import ConfigFile

        return read_entry(self.path, "tree", (ConfigFile, Template, dict))


def _parse_chunk(args):
    sources, max_bytes, time_limit, limits = args
    gc.disable()  # as in the scan itself (core/gcpause.py): parsing makes no cyclic garbage
    if limits is not None:
        _limits.apply(limits)  # a worker process starts with the defaults
    return [parse_one(s, max_bytes, time_limit) for s in sources]


class Keyed:
    """The files of a scan with their parse cache keys (`digest`, "" for a file that cannot be
    read) and the bytes read to compute them, so that the scan cache is asked before anything is
    parsed and a file parsed afterwards is not read twice."""

    def __init__(self, sources: list, max_bytes: int, cache: "ParseCache"):
        self.cache = cache
        self.keys: dict = {}  # index -> key
        self.read: dict = {}  # index -> bytes
        self.files: list = []  # (path, digest) per source, as the scan key reads them
        for i, src in enumerate(sources):
            data = read_bytes(src.path, max_bytes)[0]
            key = ""
            if data is not None:
                key = self.keys[i] = cache.key(src, data, max_bytes)
                self.read[i] = data
            self.files.append(_File(src.path, key))


class _File:
    __slots__ = ("path", "digest")

    def __init__(self, path: str, digest: str):
        self.path, self.digest = path, digest


def keyed(sources: list, max_bytes: int, cache_dir: str, limits=None) -> Keyed:
    return Keyed(sources, max_bytes, ParseCache(cache_dir, limits))


def parse_all(sources: list, max_bytes: int, jobs: int = 0, cache_dir: str | None = None, time_limit: int = DEFAULT_TIME_PER_FILE, limits=None, keys: Keyed | None = None,
              skip=()) -> list:
    """Parse every source; results in input order. `jobs` 0 means the CPU count; `cache_dir`
    None disables the cache; `limits` (iacguard.core.limits.Limits) are applied here and in
    workers; `keys`: the files' cache keys and bytes, when the caller has them (`keyed`);
    `skip`: indexes of sources parsed elsewhere (their results stay None)."""
    if limits is not None:
        _limits.apply(limits)
    if keys is None and cache_dir:
        keys = keyed(sources, max_bytes, cache_dir, limits)
    cache = keys.cache if keys is not None else None
    results: list = [None] * len(sources)
    todo: list = []
    read: dict = keys.read if keys is not None else {}
    for i, src in enumerate(sources):
        if i in skip:
            continue
        key = keys.keys.get(i) if keys is not None else None
        if key is not None and len(read[i]) >= PARSE_CACHE_MIN_BYTES:
            hit = cache.get_parsed(key)
            if hit is not None and hit.path == src.path and hit.root == src.root:
                hit.digest = key
                results[i] = hit
                continue
        todo.append(i)
    if jobs != 1 and len(todo) >= _PARALLEL_MIN_FILES and _total_size(sources, todo) >= _PARALLEL_MIN_BYTES:
        jobs = jobs or default_jobs()  # (asked only of a tree a pool may pay for: it reads the system's load)
        if jobs > 1:
            _parse_in_pool(sources, todo, results, jobs, max_bytes, time_limit, limits, read)
    for i in todo:
        if results[i] is None:
            results[i] = parse_one(sources[i], max_bytes, time_limit, read.get(i))
    if keys is not None:
        keep: dict = {}  # root -> parse keys of the files whose trees may be kept
        for i in todo:
            key = keys.keys.get(i)
            if key is None:
                continue
            results[i].digest = key
            # A small file parses faster than its entry is written (and read back). A larger one
            # is kept from the second scan that parses the same bytes on: the first scan of a
            # tree does not pay for entries it may never read (a Terraform tree pickles in 60-90%
            # of its parse time; 2,000 templates wrote 100 MB), and files that change every scan
            # never do.
            if len(read[i]) >= PARSE_CACHE_MIN_BYTES and (results[i].kind != "failed" or _cacheable_failure(results[i])):
                keep.setdefault(sources[i].root, []).append(key)
        if keep:
            seen = cache.parsed_before(keep)
            for i in todo:
                key = keys.keys.get(i)
                if key is not None and key in seen:
                    cache.put_parsed(key, results[i])
    return results


def default_jobs() -> int:
    """Processes to parse in when the user names none (iacguard.core.forked.free_cpus: the CPUs
    the machine is not already busy with, at least one)."""
    return free_cpus(_running_now)


def _running_now(samples: int = 5) -> int | None:
    return running_tasks(samples)


def _parse_in_pool(sources: list, todo: list, results: list, jobs: int, max_bytes: int, time_limit: int, limits, read: dict) -> None:
    """Parse `todo` in `jobs` processes: `jobs - 1` workers and this one. Strided chunks, a few
    per process, balance the load; this process takes, from the end of the list, every chunk no
    worker has started, so it never waits idle while work is queued, and a pool that is slow to
    start (or a busy machine) costs little more than parsing here. What a worker sends back is
    unpickled here, the one cost serial parsing does not have (about a sixth of the parse)."""
    n_chunks = min(len(todo), jobs * 16)
    chunks = [todo[k::n_chunks] for k in range(n_chunks)]
    try:
        from concurrent.futures import ProcessPoolExecutor  # only when a pool pays

        with ProcessPoolExecutor(max_workers=jobs - 1) as pool:
            futures = [pool.submit(_parse_chunk, ([sources[i] for i in chunk], max_bytes, time_limit, limits)) for chunk in chunks]
            for chunk, future in zip(reversed(chunks), reversed(futures)):
                if future.cancel():  # not started by a worker: parse it here
                    for i in chunk:
                        results[i] = parse_one(sources[i], max_bytes, time_limit, read.get(i))
            for chunk, future in zip(chunks, futures):
                if not future.cancelled():
                    for i, parsed in zip(chunk, future.result()):
                        results[i] = parsed
    except Exception:  # noqa: BLE001 - a broken pool must not stop the scan
        pass  # the caller parses here whatever the pool did not finish


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
