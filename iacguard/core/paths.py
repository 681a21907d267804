"""How iacguard names files to people: paths relative to the scan's working directory.

A file under `ScanResult.cwd` is shown by its relative path with POSIX separators, so reports
read the same on every machine and every checkout; a file elsewhere keeps its absolute path.
Neutral ground (it imports nothing of iacguard): the engine names root modules with it, the
baseline and the configuration name files with it, and every report format does. It also reads
the data files shipped in the package (`package_text`).
"""
from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=65536)  # reports name the same few files thousands of times
def relative_path(path: str, cwd: str) -> str | None:
    """`path` relative to `cwd` with "/" separators, or None when it is not inside `cwd`."""
    if not path or not cwd:
        return None
    if not os.path.isabs(path):
        from pathlib import PurePath  # here: a scan answered from the cache needs no pathlib (nor urllib behind it)

        return PurePath(path).as_posix()
    for base in _bases(cwd):
        try:
            rel = os.path.relpath(path, base)
        except ValueError:  # another drive (Windows)
            continue
        if rel == "." or rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
            continue
        # (relpath's answer is normalized: PurePath(rel).as_posix() only changed separators.)
        return rel if os.sep == "/" else rel.replace(os.sep, "/")
    return None


@lru_cache(maxsize=64)
def _bases(cwd: str) -> tuple:
    """The folder `cwd` as given (normalized) and, when it differs, as resolved: resource paths
    are resolved, and a cwd given through a symlink must still match them. Once per folder (a
    scan names hundreds of files, each with a few lstat calls of the same folder)."""
    given = os.path.normpath(cwd)
    real = os.path.realpath(cwd)
    return (given,) if real == given else (given, real)


@lru_cache(maxsize=65536)
def display_path(path: str, cwd: str) -> str:
    """What a report shows for a file: relative to `cwd` when under it, else the absolute path.
    The working directory itself (a folder named by a notification) is shown as "."."""
    rel = relative_path(path, cwd)
    if rel is None and path and cwd and os.path.isabs(path) and path.rstrip(os.sep) in _bases(cwd):
        return "."
    return rel if rel is not None else path


def package_text(anchor: str, *parts: str) -> str:
    """A data file shipped in iacguard's package, by its path from the folder of the module file
    `anchor` (a module's `__file__`). Read straight from the installed folder: importlib.resources
    costs 4.5 ms to import (tempfile, zipfile), and iacguard is never run from a zip."""
    with open(os.path.join(os.path.dirname(anchor), *parts), encoding="utf-8") as fh:
        return fh.read()

