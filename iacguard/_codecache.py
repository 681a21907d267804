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
"""

from __future__ import annotations

import atexit
import builtins
import marshal
import os
import sys
from types import CodeType

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


class CodeCache:
    """Compiled code by source text, loaded from and saved to one file. The file maps each
    source text to its marshalled code: a run unmarshals only the classes it creates (a scan the
    cache answers makes about 25 of 140)."""

    def __init__(self, path: str):
        self.path = path
        self.codes: dict = {}  # source -> marshalled code (bytes), or the code once compiled or read
        self.used: set = set()
        self.added = 0
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError:
            return
        if len(data) > MAX_BYTES or not data.startswith(MAGIC_NUMBER):
            return
        try:
            codes = marshal.loads(memoryview(data)[len(MAGIC_NUMBER):])
        except (EOFError, ValueError, TypeError):
            return
        if type(codes) is dict and all(type(k) is str and type(v) is bytes for k, v in codes.items()):
            self.codes = codes

    def compiled(self, source: str):
        self.used.add(source)
        code = self.codes.get(source)
        if type(code) is bytes:
            try:
                code = marshal.loads(code)
            except (EOFError, ValueError, TypeError):
                code = None
            if type(code) is CodeType:
                self.codes[source] = code
            else:
                code = None
        if code is None:
            # As dataclasses' own `exec(source)` compiles it (its module has no __future__ import).
            code = self.codes[source] = compile(source, "<string>", "exec", dont_inherit=True)
            self.added += 1
        return code

    def save(self) -> None:
        """Write the file if this run compiled something new (see the module's notes)."""
        if not self.added:
            return
        entries = {k: v if type(v) is bytes else marshal.dumps(v) for k, v in self.codes.items()}
        data = MAGIC_NUMBER + marshal.dumps(entries)
        if len(data) > TRIM_BYTES:
            # Grown past what one version of iacguard needs (entries of earlier versions, left
            # by upgrades in place): keep what this run used.
            entries = {k: v for k, v in entries.items() if k in self.used}
            data = MAGIC_NUMBER + marshal.dumps(entries)
        if len(data) > MAX_BYTES:
            return
        tmp = "%s.%d.tmp" % (self.path, os.getpid())
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self.path)
            self.added = 0
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass


_cache: CodeCache | None = None


def _exec(source, globals=None, locals=None, /, **kwargs):
    """dataclasses' `exec`: iacguard's classes' methods from the cache, anything else as is."""
    if _cache is not None and type(source) is str and not kwargs and type(globals) is dict and str(globals.get("__name__", "")).startswith("iacguard."):
        source = _cache.compiled(source)
    return _builtin_exec(source, globals, locals, **kwargs)


def install(path: str = PATH) -> CodeCache:
    """Route dataclasses' compiling of iacguard's classes through the cache at `path`."""
    global _cache
    import dataclasses

    _cache = CodeCache(path)
    atexit.register(save)  # the `iacguard` command saves before its fast exit (cli.run)
    dataclasses.exec = _exec  # a module global shadows the builtin for dataclasses' own code only
    return _cache


def save() -> None:
    if _cache is not None:
        _cache.save()
