"""The cache folder, its entries' format and the keys' parts, without the data model.

What the replay memo (iacguard/replay.py) needs to find and check a memo before anything else
is loaded: iacguard/cache.py builds the caches on it (see its notes for what is kept and why)."""
from __future__ import annotations

import functools
import os
import re
import stat

from . import __version__
from iacguard.core.digests import key_hash
from iacguard._codecache import find_spec  # (importlib.util's, without importing it)

def _package_fingerprint() -> str:
    """Size and modification time of iacguard's own files, so that an editable install whose
    code changed never reads entries the old code wrote (releases change __version__ too).

    An installed wheel (iacguard/ beside its iacguard-*.dist-info, the checks inside it) is
    fingerprinted by its RECORD instead, which holds the hash of every installed file: installing
    other code rewrites it. One read instead of a stat of each of some 300 files every process."""
    base = os.path.dirname(os.path.abspath(__file__))
    record = _wheel_record(base)
    if record is not None:
        return "record-" + key_hash(record).hexdigest()[:16]
    h = key_hash()
    spec = find_spec("iacguard.checks")  # found, not imported (an editable install maps it elsewhere)
    checks = os.path.dirname(os.path.abspath(spec.origin)) if spec is not None and spec.origin else base
    for folder in sorted({base, checks}):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith(".py"):
                    st = os.stat(os.path.join(dirpath, name))
                    h.update(("%s\0%d\0%d\0" % (os.path.join(dirpath, name), st.st_size, st.st_mtime_ns)).encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:16]


def _wheel_record(base: str) -> bytes | None:
    """The RECORD of the wheel install whose package folder is `base`, or None (an editable or
    unusual install: no dist-info beside the package, or one whose RECORD does not list the
    package's own files and the checks inside it)."""
    site, package = os.path.split(base)
    try:
        names = [n for n in os.listdir(site) if n.startswith(package + "-") and n.endswith(".dist-info")]
        if len(names) != 1 or not os.path.isfile(os.path.join(base, "checks", "__init__.py")):
            return None
        with open(os.path.join(site, names[0], "RECORD"), "rb") as fh:
            record = fh.read()
    except OSError:
        return None
    mine = ("%s/cache.py," % package).encode()
    checks = ("%s/checks/__init__.py," % package).encode()
    return record if mine in record and checks in record else None


@functools.lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """`_package_fingerprint()`, once per process (the caches' keys and the check index ask)."""
    return _package_fingerprint()


CACHE_FORMAT = 9


@functools.lru_cache(maxsize=1)
def _versions() -> str:
    """Once per process: each cache of a scan asks (walking iacguard's files each time cost a
    small scan more than parsing it)."""
    parts = ["iacguard=" + __version__, "code=" + package_fingerprint(), "cache=%d" % CACHE_FORMAT]
    for module, dist in (("cfn_flip", "cfn_flip"), ("yaml", "PyYAML")):
        parts.append("%s=%s" % (dist, _dist_version(module, dist)))
    return ";".join(parts)


def _dist_version(module: str, dist: str) -> str:
    """The installed version of the distribution providing `module`, read from the name of its
    `.dist-info` folder beside the package, without importing the module or importlib.metadata
    (which alone cost a warm scan about 25 ms). "none" when not installed, "unknown" when the
    folder is not found (an unusual install: entries then stay valid across its upgrades only if
    the iacguard version changes too)."""
    try:
        spec = find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return "none"
    site = os.path.dirname(os.path.dirname(spec.origin)) if os.path.basename(spec.origin) == "__init__.py" else os.path.dirname(spec.origin)
    want = dist.lower().replace("-", "_").replace(".", "_")
    try:
        names = os.listdir(site)
    except OSError:
        return "unknown"
    for name in sorted(names):
        if name.endswith(".dist-info") and "-" in name:
            found, version = name[: -len(".dist-info")].split("-", 1)
            if found.lower().replace("-", "_").replace(".", "_") == want:
                return version
    return "unknown"


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "iacguard")


# --- The store: where entries live, how big they may get, what may be deleted -------------------

CACHE_SUBDIR = "iacguard-cache-v%d" % CACHE_FORMAT  # entries live here, below --cache-dir
CACHE_LIMIT_BYTES = 2 * 1024**3  # a scan never grows the cache past this; pruned to 3/4 of it
MAX_ENTRY_BYTES = 64 * 1024**2  # a larger entry is neither written nor read
_STALE_TEMP_SECONDS = 3600
_TAG_NAME = "CACHEDIR.TAG"
_TAG = b"Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by iacguard.\n# For information about cache directory tags see https://bford.info/cachedir/\n"
_SHARD_NAME = re.compile(r"[0-9a-f]{2}\Z")
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.pickle(\.data)?\Z")
_TEMP_NAME = re.compile(r"\.tmp-[0-9a-f]{16}\Z")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC
# Where the OS can, folders are held open and entries named relative to them (no path is
# resolved twice, so a folder swapped for a link between a check and a write cannot redirect it).
_DIR_FD = all(f in os.supports_dir_fd for f in (os.open, os.unlink, os.rename, os.stat)) and os.scandir in os.supports_fd


def _subdir(parent, name: str, create: bool = False):
    """A real folder `name` in `parent` (a folder handle), never a link: its handle, or OSError."""
    if create:
        try:
            os.mkdir(name, dir_fd=parent) if _DIR_FD else os.mkdir(os.path.join(parent, name))
        except FileExistsError:
            pass
    if _DIR_FD:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    path = os.path.join(parent, name)
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise NotADirectoryError(path)
    return path


def _root(folder: str, create: bool = False):
    """The handle of the cache's own subfolder of `folder` (the user's --cache-dir, which may
    itself be a link), or None when it does not exist, is a link or is not marked as ours."""
    try:
        if create:
            os.makedirs(folder, exist_ok=True)
        top = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC) if _DIR_FD else folder
        try:
            root = _subdir(top, CACHE_SUBDIR, create)
        finally:
            _close(top)
    except OSError:
        return None
    try:
        fd = _open(root, _TAG_NAME, os.O_RDONLY | os.O_NONBLOCK)
        try:
            ours = stat.S_ISREG(os.fstat(fd).st_mode) and _is_tag(os.read(fd, 4096))
        finally:
            os.close(fd)
    except FileNotFoundError:
        ours = False
        if create:
            try:
                fd = _open(root, _TAG_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(_TAG)
                ours = True
            except OSError:
                pass
    except OSError:
        ours = False
    if not ours:
        _close(root)
        return None
    return root


def _is_tag(data: bytes) -> bool:
    return data.startswith(_TAG.split(b"\n", 1)[0]) and b"iacguard" in data


def _open(folder, name: str, flags: int, mode: int = 0o600) -> int:
    flags |= _NOFOLLOW | _CLOEXEC
    return os.open(name, flags, mode, dir_fd=folder) if _DIR_FD else os.open(os.path.join(folder, name), flags, mode)


def _unlink(folder, name: str) -> bool:
    try:
        os.unlink(name, dir_fd=folder) if _DIR_FD else os.unlink(os.path.join(folder, name))
    except OSError:
        return False
    return True


def _close(folder) -> None:
    if _DIR_FD and isinstance(folder, int):
        os.close(folder)


# --- Entries: a header, then a pickle ---------------------------------------------------------

_MAGIC = b"iacguard-cache\0"


def _header(kind: str) -> bytes:
    return _MAGIC + ("%d\0%s\0" % (CACHE_FORMAT, kind)).encode()


def load_entry(path: str, kind: str, load):
    """`load(file)` of the entry at `path`, the file read past its header, if it is a cache entry
    of `kind` (and this format) no larger than MAX_ENTRY_BYTES; None when it is not, or when
    `load` raises or gives None. A value found marks the entry recently used. Never raises."""
    header = _header(kind)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW | _CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not len(header) < st.st_size <= MAX_ENTRY_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            if fh.read(len(header)) != header:
                return None
            value = load(fh)
        if value is None:
            return None
        if os.utime in os.supports_fd:
            os.utime(fd)  # recently used: pruning removes the least recently used entries first
        return value
    except Exception:  # noqa: BLE001 - a foreign, truncated or hostile entry is a miss
        return None
    finally:
        os.close(fd)


try:  # the C reader `pickle` itself uses, without loading pickle.py (2-3 ms of a scan the replay memo answers)
    from _pickle import Unpickler as _Unpickler, UnpicklingError as _UnpicklingError
except ImportError:  # pragma: no cover - another implementation
    from pickle import Unpickler as _Unpickler, UnpicklingError as _UnpicklingError


class _PlainUnpickler(_Unpickler):
    """Builds only what pickle builds without naming a global: str, bytes, numbers, True, False,
    None, tuples, lists, dicts and sets."""

    def find_class(self, module, name):
        raise _UnpicklingError("an entry of plain values names no global (%s.%s)" % (module, name))


def read_plain(path: str, kind: str):
    """The value of the plain entry at `path` (see `_PlainUnpickler`), or None (see `load_entry`)."""
    return load_entry(path, kind, lambda fh: _PlainUnpickler(fh).load())


def entry_path(folder: str, key: str) -> str:
    """Where the entry named by `key` (64 hex digits) lives under the cache folder `folder`."""
    return os.path.join(folder, CACHE_SUBDIR, key[:2], key + ".pickle")


def parse_key(versions: str, path: str, root: str, kind: str, max_bytes: int, data: bytes) -> str:
    """A file's parse cache key: its bytes, path, root and kind, the size limit and `versions`
    (iacguard's and the parsers', with the scan's bounds: `ParseCache.versions`)."""
    h = key_hash()
    for part in (versions, path, root, kind, str(max_bytes)):
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    h.update(data)
    return h.hexdigest()


def tree_fingerprint(root: str, exact=frozenset()) -> str:
    """Path, size and modification time of every regular file under `root` (not `.git` or
    `node_modules`), hashed. A file of `exact` (its path joined to `root`'s folders) counts by its
    content instead: the reports the scanning command writes, which it rewrites every time (a
    report written inside the scanned tree would otherwise make every scan of it a miss).

    A root that is a file (`iacguard scan main.tf`) is its folder's tree: the files beside it are
    what its evaluation reads (its module's other files, `file()`, nested templates)."""
    if not os.path.isdir(root):
        root = os.path.dirname(root) or os.curdir
    h = key_hash()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in (".git", "node_modules"))
        # relpath once per folder, not per file (it was most of a warm scan's time here): a
        # file's is its folder's joined with its name.
        folder = os.path.relpath(dirpath, root)
        prefix = "" if folder == os.curdir else folder + os.sep
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if path in exact:
                h.update(("%s\0=%s\0" % (prefix + name, content_key(path))).encode("utf-8", "surrogateescape"))
                continue
            try:
                st = os.lstat(path)
            except OSError:
                continue
            h.update(("%s\0%d\0%d\0" % (prefix + name, st.st_size, st.st_mtime_ns)).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def content_key(path: str, follow: bool = False) -> str:
    """The content key of the regular file at `path` (a link followed only with `follow`), ""
    when there is none."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | (0 if follow else _NOFOLLOW) | _CLOEXEC)
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        h = key_hash()
        while True:
            block = os.read(fd, 1 << 20)
            if not block:
                return h.hexdigest()
            h.update(block)
    except OSError:
        return ""
    finally:
        os.close(fd)
