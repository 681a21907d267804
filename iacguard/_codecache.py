"""The compiled methods of iacguard's dataclasses, kept between runs like Python keeps modules'.

`@dataclass` writes the source of each class's `__init__`, `__repr__`, `__eq__`, `__hash__`
and frozen `__setattr__`/`__delattr__` and compiles it when the module is imported. A scan
loads about 140 such classes and 700 such methods; compiling them took about 50 ms of every
run, a fifth of a scan of a small repository. Python keeps the bytecode of iacguard's modules
in `__pycache__`; this keeps the bytecode of those generated methods next to it.

- An entry is keyed by the exact source text dataclasses compiles, so it can only ever be the
  compilation of that text; the file carries the interpreter's bytecode magic number and is
  ignored under any other interpreter, when unreadable, or when it is not what it should be.
- Only classes of iacguard's own modules go through it (dataclasses passes the class module's
  globals); every other call of dataclasses' `exec` is the builtin's, untouched.
- Written (atomically: a temporary file, then a rename) when the run compiled something the
  file did not hold: the first run, or one that loaded modules earlier runs never did. Where
  the package folder cannot be written (a read-only install) methods are compiled as before.
  `PYTHONDONTWRITEBYTECODE` is not consulted: it is about writing modules' .pyc files when they
  are imported (pip writes those at install time, whatever it says), and a container that sets
  it would otherwise compile these methods on every run; like other tools' caches of compiled
  code (Jinja's bytecode cache, Numba's), this one is written anyway.
- Nothing in it comes from a scanned tree: the file lives in iacguard's installed package.

The `iacguard` executable keeps compiled regular expressions the same way (`install_patterns`,
`regex-code.<tag>.bin` beside it). `re` compiles in Python: the 90-150 patterns iacguard, PyYAML
and the standard library compile when their modules load took 9-24 ms of every scan (PyYAML's
NON_PRINTABLE alone 5 ms). The file holds, per (pattern, flags), what `re` hands its engine; it
is keyed by the interpreter's version and the engine's magic number, and holds only patterns
compiled by a module or class body (never by a function, which may compile a pattern a scanned
tree wrote: Terraform's regex functions).
"""

from __future__ import annotations

import atexit
import builtins
import marshal
import os
import sys
from _thread import RLock
from types import CodeType, ModuleType

try:  # what importlib.util.MAGIC_NUMBER is, without importing importlib.util (1 ms)
    from importlib._bootstrap_external import MAGIC_NUMBER
except ImportError:  # pragma: no cover - another implementation
    from importlib.util import MAGIC_NUMBER

# A file larger than this is not read (nor grown): about 15 times what every class of
# iacguard needs today.
MAX_BYTES = 16 * 1024 * 1024
# A file larger than this when saved keeps only the entries the run used (every class of
# iacguard takes about 0.7 MB).
TRIM_BYTES = 4 * 1024 * 1024
PATH = os.path.join(os.path.dirname(__file__), "__pycache__", "dataclass-methods.%s.bin" % sys.implementation.cache_tag)

_builtin_exec = builtins.exec


# After each file's header: the layout below (an index, then the values), so that a run maps the
# file and reads only the values it uses. Reading a whole 3 MB file of modules and copying each
# value out of it took 4-5 ms of every run (a scan the cache answers takes 45 ms).
_FORMAT = b"\0iacguard entries 2\0"


def mapped(path: str, max_bytes: int):
    """The bytes of the file at `path` (mapped into memory where the system can), or None when
    it cannot be read or is larger than `max_bytes`."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        if size > max_bytes or size <= 0:
            return None
        try:
            import mmap

            return mmap.mmap(fd, size, access=mmap.ACCESS_READ)
        except (ImportError, OSError, ValueError):
            chunks = []
            while size > 0:
                chunk = os.read(fd, size)
                if not chunk:
                    break
                chunks.append(chunk)
                size -= len(chunk)
            return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def write_file(path: str, data: bytes) -> bool:
    """Replace the file at `path` (its folder made if need be) by `data`, at once: a temporary
    file, then a rename, so a run reading it meanwhile sees the old file or the new one. False
    when it cannot be written (a read-only install): no error."""
    tmp = "%s.%d.tmp" % (path, os.getpid())
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


class _Entries:
    """Marshalled values by key, loaded from and saved to one file that starts with `header()`.
    A value is unmarshalled when a run first asks for it, and checked (`_value_ok`)."""

    # The module's bounds (a subclass may set its own).
    MAX_BYTES = property(lambda self: MAX_BYTES)
    TRIM_BYTES = property(lambda self: TRIM_BYTES)

    def __init__(self, path: str):
        self.path = path
        # key -> the marshalled value (a view of the file), or the value once made or read
        self.codes: dict = {}
        self.used: set = set()
        self.added = 0
        data = mapped(path, self.MAX_BYTES)
        if data is None:
            return
        view = memoryview(data)
        header = self.header() + _FORMAT
        at = len(header)
        if view[:at] != header:
            return
        try:
            size = int.from_bytes(view[at:at + 8], "little")
            index = marshal.loads(view[at + 8:at + 8 + size])
        except (EOFError, ValueError, TypeError):
            return
        base, end = at + 8 + size, len(view)
        if type(index) is not dict:
            return
        codes = {}
        for key, span in index.items():
            if not self._key_ok(key) or type(span) is not tuple or len(span) != 2 or type(span[0]) is not int or type(span[1]) is not int:
                return
            start, length = base + span[0], span[1]
            if start < base or length < 0 or start + length > end:
                return
            codes[key] = view[start:start + length]
        self.codes = codes

    def header(self) -> bytes:
        return MAGIC_NUMBER

    def _file(self, entries: dict) -> bytes:
        """The file holding `entries` (key -> marshalled value): the header, the index (key ->
        (offset, length) in what follows) and the values one after the other."""
        index = {}
        at = 0
        for key, value in entries.items():
            index[key] = (at, len(value))
            at += len(value)
        packed = marshal.dumps(index)
        return b"".join([self.header(), _FORMAT, len(packed).to_bytes(8, "little"), packed] + list(entries.values()))

    def _key_ok(self, key) -> bool:
        return type(key) is str

    def _value_ok(self, value) -> bool:
        return type(value) is CodeType

    def lookup(self, key):
        """The value kept for `key`, or None."""
        self.used.add(key)
        value = self.codes.get(key)
        if type(value) is memoryview:
            try:
                value = marshal.loads(value)
            except (EOFError, ValueError, TypeError):
                value = None
            if value is None or not self._value_ok(value):
                del self.codes[key]
                return None
            self.codes[key] = value
        return value

    def store(self, key, value) -> None:
        self.used.add(key)
        self.codes[key] = value
        self.added += 1

    def save(self) -> None:
        """Write the file if this run made something new (see the module's notes)."""
        if not self.added:
            return
        try:
            entries = {k: bytes(v) if type(v) is memoryview else marshal.dumps(v) for k, v in self.codes.items()}
            data = self._file(entries)
            if len(data) > self.TRIM_BYTES:
                # Grown past what one version of iacguard needs (entries of earlier versions, left
                # by upgrades in place): keep what this run used.
                entries = {k: v for k, v in entries.items() if k in self.used}
                data = self._file(entries)
        except (ValueError, TypeError):  # a value marshal cannot write: keep the file as it is
            return
        if len(data) <= self.MAX_BYTES and write_file(self.path, data):
            self.added = 0


class CodeCache(_Entries):
    """Compiled code by source text: a run unmarshals only the classes it creates (a scan the
    cache answers makes about 25 of 140)."""

    def compiled(self, source: str):
        code = self.lookup(source)
        if code is None:
            # As dataclasses' own `exec(source)` compiles it (its module has no __future__ import).
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self.store(source, code)
        return code


PATTERNS_PATH = os.path.join(os.path.dirname(__file__), "__pycache__", "regex-code.%s.bin" % sys.implementation.cache_tag)
_CO_OPTIMIZED = 0x1  # a function's code; a module or class body has not this flag


class PatternCache(_Entries):
    """Compiled regular expressions by (pattern, flags): what `re` makes of a pattern (its flags,
    code, groups and group names), handed back to the regular expression engine as `re` itself
    does. A `Pattern` is equal to another only when flags, pattern and code are (so the tests
    compare the two ways). Only patterns compiled by a module or class body of iacguard, its
    dependencies or the standard library are kept: a pattern a function compiles may come from
    a scanned tree (Terraform's regex functions), and never reaches the file."""

    # The modules whose import-time patterns are kept (with the standard library's).
    OWNERS = frozenset(("iacguard", "yaml", "networkx", "hcl2", "lark", "cfn_tools", "cfn_flip", "click", "jinja2", "markupsafe"))

    def header(self) -> bytes:
        import _sre

        return MAGIC_NUMBER + b"re" + ("%d %s" % (_sre.MAGIC, sys.version)).encode() + b"\0"

    def _key_ok(self, key) -> bool:
        return type(key) is tuple and len(key) == 2 and type(key[0]) in (str, bytes) and type(key[1]) is int

    def _value_ok(self, value) -> bool:
        return (type(value) is tuple and len(value) == 5 and type(value[0]) is int and type(value[1]) is list
                and all(type(c) is int for c in value[1]) and type(value[2]) is int and type(value[3]) is dict
                and all(type(k) is str and type(v) is int for k, v in value[3].items())
                and type(value[4]) is tuple and all(n is None or type(n) is str for n in value[4]))

    def recordable(self, frame) -> bool:
        """Whether the compile called from `frame` is a module's or class's own constant."""
        stdlib = getattr(sys, "stdlib_module_names", ())
        while frame is not None:
            name = frame.f_globals.get("__name__") or ""
            if name == "re" or name.startswith("re."):
                frame = frame.f_back
                continue
            if frame.f_code.co_flags & _CO_OPTIMIZED:
                return False
            top = name.partition(".")[0]
            return top in self.OWNERS or top in stdlib
        return False


_patterns: PatternCache | None = None
_real_compile = None


def _compile_pattern(p, flags=0):
    """`re._compiler.compile`, answered from the pattern cache when it holds `p`."""
    cache = _patterns
    if cache is None or type(p) not in (str, bytes) or type(flags) is not int or flags & 128:  # 128: re.DEBUG prints
        return _real_compile(p, flags)
    import _sre

    key = (p, flags)
    kept = cache.lookup(key)
    if kept is not None:
        try:
            return _sre.compile(p, *kept)
        except Exception:  # noqa: BLE001 - refused by the engine: compiled afresh below
            cache.codes.pop(key, None)
    if not cache.recordable(sys._getframe(1)):
        return _real_compile(p, flags)
    from re import _compiler, _parser

    parsed = _parser.parse(p, flags)
    state = parsed.state
    indexgroup = [None] * state.groups
    for name, index in state.groupdict.items():
        indexgroup[index] = name
    # (the code's opcodes are int subclasses, which marshal does not write: plain ints are the same to the engine)
    value = (int(flags | state.flags), [int(c) for c in _compiler._code(parsed, flags)], state.groups - 1, dict(state.groupdict), tuple(indexgroup))
    compiled = _sre.compile(p, *value)
    cache.store(key, value)
    return compiled


def install_patterns(path: str = PATTERNS_PATH) -> PatternCache | None:
    """Route `re`'s compiling through the pattern cache at `path` (the `iacguard` executable
    does, not `import iacguard`: a program using iacguard as a library keeps `re` as it is).
    Inactive where `re` is not built as CPython 3.11 and later build it."""
    global _patterns, _real_compile
    try:
        from re import _compiler, _parser  # noqa: F401 - the modules the hook reads
        import _sre

        if not (callable(getattr(_compiler, "_code", None)) and callable(getattr(_parser, "parse", None)) and hasattr(_sre, "MAGIC")):
            return None
    except ImportError:  # pragma: no cover - Python 3.10 (sre_compile) or another implementation
        return None
    if _patterns is None:
        _real_compile = _compiler.compile
        _patterns = PatternCache(path)
        _compiler.compile = _compile_pattern
    return _patterns


MODULES_PATH = os.path.join(os.path.dirname(__file__), "__pycache__", "modules.%s.bin" % sys.implementation.cache_tag)


class ModuleCache(_Entries):
    """The code of iacguard's own modules (not packages) by module name, with the size and
    modification time of the source it was compiled from: what Python's own `.pyc` files hold,
    in one file read once. Importing a module through `__pycache__` asks the file system for its
    folder, its source and its `.pyc` (opened, read, closed): about 40 us a module, some 280
    modules a scan, about 10 ms of a scan of one file (0.106 -> 0.095 s). A module is served from
    here only when its source has the size and modification time kept (as a timestamp `.pyc` is
    checked) and lies in the folder its package is imported from; anything else is imported as
    usual and kept when the run ends."""

    # (every module of iacguard takes about 3.5 MB: these bound the file, not what a run needs)
    MAX_BYTES = 32 * 1024 * 1024
    TRIM_BYTES = 16 * 1024 * 1024

    def header(self) -> bytes:
        return MAGIC_NUMBER + b"modules"

    def _value_ok(self, value) -> bool:
        return (type(value) is tuple and len(value) == 4 and type(value[0]) is str and type(value[1]) is int
                and type(value[2]) is int and type(value[3]) is CodeType)

    # -- the import system's finder (sys.meta_path) and loader -------------------------------
    def find_spec(self, name, path=None, target=None):
        if not name.startswith("iacguard.") or path is None:
            return None
        kept = self.lookup(name)
        if kept is None:
            return None
        origin, mtime, size, code = kept
        try:
            st = os.stat(origin)
        except OSError:
            return None
        if (st.st_mtime_ns != mtime or st.st_size != size or os.path.dirname(origin) not in path
                or os.path.isdir(origin[:-3] if origin.endswith(".py") else origin)):  # (a package of that name comes first)
            self.codes.pop(name, None)  # (imported as usual, and kept again when the run ends)
            return None
        from importlib.machinery import ModuleSpec

        spec = ModuleSpec(name, _ModuleLoader(code, origin), origin=origin)
        spec.has_location = True
        return spec

    def keep_imported(self) -> None:
        """Keep the code of every module of iacguard this run imported as usual (from its
        `.pyc`), with its source's size and modification time."""
        from importlib.machinery import SourceFileLoader

        for name, module in list(sys.modules.items()):
            if not name.startswith("iacguard.") or name in self.codes:
                continue  # (served from here; or one imported before the finder was installed, kept already)
            spec = getattr(module, "__spec__", None)
            loader = getattr(spec, "loader", None)
            if spec is None or spec.submodule_search_locations is not None or type(loader) is not SourceFileLoader or not spec.origin:
                continue
            try:
                st = os.stat(spec.origin)
                code = loader.get_code(name)
            except (OSError, ImportError, SyntaxError, ValueError):
                continue
            if code is not None:
                self.store(name, (spec.origin, st.st_mtime_ns, st.st_size, code))


class _ModuleLoader:
    """Runs a module's code kept by the ModuleCache."""

    def __init__(self, code: CodeType, origin: str) -> None:
        self.code, self.origin = code, origin

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        _builtin_exec(self.code, module.__dict__)

    def get_code(self, name):
        return self.code

    def get_filename(self, name=None) -> str:
        return self.origin

    def get_source(self, name=None):
        try:
            with open(self.origin, encoding="utf-8") as fh:
                return fh.read()
        except OSError:
            return None


_modules: ModuleCache | None = None


def install_modules(path: str = MODULES_PATH) -> ModuleCache:
    """Serve iacguard's own modules from the module cache at `path` (the `iacguard` executable
    does, not `import iacguard`), and keep those imported as usual when the run ends."""
    global _modules
    if _modules is None:
        _modules = ModuleCache(path)
        sys.meta_path.insert(0, _modules)
    return _modules


_cache: CodeCache | None = None


def _exec(source, globals=None, locals=None, /, **kwargs):
    """dataclasses' `exec`: iacguard's classes' methods from the cache, anything else as is."""
    if _cache is not None and type(source) is str and not kwargs and type(globals) is dict and str(globals.get("__name__", "")).startswith("iacguard."):
        source = _cache.compiled(source)
    return _builtin_exec(source, globals, locals, **kwargs)


def install(path: str = PATH) -> CodeCache:
    """Route dataclasses' compiling of iacguard's classes through the cache at `path`."""
    global _cache
    _defer_inspect()
    import dataclasses

    _cache = CodeCache(path)
    atexit.register(save)  # the `iacguard` command saves before its fast exit (cli.run)
    dataclasses.exec = _exec  # a module global shadows the builtin for dataclasses' own code only
    return _cache


class _Deferred(ModuleType):
    """A module that runs its code on the first use of one of its names (see `_defer_inspect`)."""

    def __getattr__(self, name: str):
        # Only names the module does not hold yet come here: run its code in this very object
        # (so `import inspect` anywhere, before or after, is the same module, and its functions'
        # globals are this module's), then answer as the module would. Another thread asking
        # meanwhile waits for the run; the running code itself sees a module being initialised.
        with _DEFERRED_LOCK:
            if type(self) is _Deferred and id(self) not in _RUNNING:
                _RUNNING.add(id(self))
                try:
                    self.__spec__.loader.exec_module(self)
                except BaseException:
                    sys.modules.pop(self.__name__, None)  # as a failed import leaves it
                    raise
                finally:
                    _RUNNING.discard(id(self))
                    self.__class__ = ModuleType
        if type(self) is _Deferred:
            raise AttributeError("partially initialized module %r has no attribute %r" % (self.__name__, name))
        return getattr(self, name)


_DEFERRED_LOCK = RLock()
_RUNNING: set = set()


def find_spec(name: str):
    """`importlib.util.find_spec(name)` without importing `importlib.util` (and `contextlib`
    with it: 1-2 ms of every run): the spec of the module imported under `name`, else the first
    one a finder of `sys.meta_path` gives. A submodule's package must be imported already (it is
    looked for in that package's path); otherwise importlib.util answers."""
    module = sys.modules.get(name)
    if module is not None:
        return getattr(module, "__spec__", None)
    parent = name.rpartition(".")[0]
    path = None
    if parent:
        package = sys.modules.get(parent)
        path = getattr(package, "__path__", None)
        if path is None:
            from importlib.util import find_spec as real

            return real(name)
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is not None:
            spec = find(name, path)
            if spec is not None:
                return spec
    return None


def _defer_inspect() -> None:
    """Import the standard library's `inspect` on its first use rather than with dataclasses.

    `dataclasses` imports `inspect` (which imports `ast`, `dis`, `tokenize`, `linecache`) only
    to write a signature into a class without a docstring, and iacguard's classes all have one:
    loading those modules took about 6 ms of every run, and no scan uses them (click, jinja2 or
    a test may: they get the whole module on first use). `importlib.util.LazyLoader` does the
    same but runs the module as soon as `import inspect` asks for its `__spec__`."""
    if "inspect" in sys.modules:
        return
    try:
        spec = find_spec("inspect")
    except (ImportError, ValueError):
        return
    if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
        return
    module = _Deferred("inspect")
    module.__spec__ = spec
    module.__loader__ = spec.loader
    module.__file__ = spec.origin
    if spec.cached:
        module.__cached__ = spec.cached
    sys.modules["inspect"] = module


# The check index (iacguard/catalogue.py: the built-in checks' metadata, where each one's code
# is, and the resource types it can report on), kept in the same folder; None until the
# `iacguard` executable asks for it.
CHECK_INDEX_PATH = os.path.join(os.path.dirname(__file__), "__pycache__", "check-index.%s.bin" % sys.implementation.cache_tag)
check_index: str | None = None


def install_check_index(path: str | None = None) -> None:
    global check_index
    check_index = path or CHECK_INDEX_PATH


def save() -> None:
    if _modules is not None:
        _modules.keep_imported()
    for entries in (_cache, _patterns, _modules):
        if entries is not None:
            entries.save()
