"""A scan of an unchanged tree, by the same command, answered with what the last one wrote.

A scan the scan cache answers still puts the checks' metadata together, loads the findings,
applies suppressions and the baseline, and writes its reports again: most of a warm scan (eks:
about 30 ms of 55). Yet when nothing it reads has changed, it writes exactly what the scan before
it wrote. So the `iacguard` executable keeps, beside the scan cache's entries, a *replay memo*
of each scan it ran: what it wrote where (reports, messages) and its exit code, with the proof of
what it read. The next run of the same command checks that proof and, when it holds, writes the
same again without loading the findings, the checks or any report code.

The memo's key is everything that chooses what a scan does before it reads the tree:
- iacguard's version and code, the parsers' versions and the Python version (`cache._versions`);
- the command: the paths and every option as given, and the working directory;
- the environment a scan or a report reads: TF_VAR_* variables, NO_COLOR, GITHUB_WORKSPACE,
  CI_PROJECT_DIR, and whether standard output and error are terminals;
- the configuration: the file named with --config, else every `.iacguard.toml` and
  `pyproject.toml` where the configuration search looks (their bytes; none with --no-config).
The memo holds the proof, checked before anything is replayed, the way the scan cache checks
its own key:
- the same files are found, with the same roots and discovery notes (`discover`);
- every file has the same parse key: its bytes, path, root and kind (`cache.parse_key`);
- every scanned root has the same tree fingerprint: path, size and modification time of every
  file under it, so a file read by `file()` or a module folder changes it too;
- every other file the scan read is the same: variable and parameter files, the baseline.

Only scans whose output does not depend on the moment are kept: every report in one of
REPLAYABLE (the text report shows the scan's duration, GitLab's its start time), reports written
only to files named on the command line (a report file named only by the configuration is not
kept), no --diff-base (git's state), no standard input, no --no-cache, and a total output of at
most MAX_OUTPUT_CHARS. Anything else runs the scan as before. A memo is an ordinary cache entry
(iacguard/cache.py) of plain values (read back by a pickle reader that builds no class:
`cachebase.read_plain`): size-bounded, pruned with the others, written atomically, never followed
through a link; one that cannot be read, is of another shape, or whose proof fails is a miss.
Whoever can write the cache folder could already make a scan report what they like (a forged
scan entry); a memo gives them nothing more: it writes only to the files this command names,
and text to a terminal only when it holds no control character.
"""
from __future__ import annotations

import os
import sys

FORMAT = 1
KIND = "replay"
# Formats whose text depends only on the scan's findings and inputs.
REPLAYABLE = frozenset(("json", "sarif", "junit", "markdown", "html", "github"))
# A scan that writes more (a large tree's reports) is not kept: its memo would cost more to
# write on every scan than it saves.
MAX_OUTPUT_CHARS = 16 * 1024 * 1024
# The environment variables a scan or its reports read (besides TF_VAR_*).
ENVIRONMENT = ("NO_COLOR", "GITHUB_WORKSPACE", "CI_PROJECT_DIR")


def _formats(p: dict) -> list | None:
    """The formats this command line writes, or None when one of its --output-file values is not
    FORMAT=PATH (the scan itself then says what is wrong)."""
    out = [p["fmt"]]
    for item in p.get("output_files") or ():
        fmt, sep, path = item.partition("=")
        if not sep or not path:
            return None
        out.append(fmt)
    return out


def allowed_writes(p: dict) -> set:
    """The files this command line names for reports (as `scan_command` writes them)."""
    out = {p["output"]} if p.get("output") else set()
    for item in p.get("output_files") or ():
        out.add(os.path.abspath(item.partition("=")[2]))
    return out


def eligible(paths: tuple, p: dict) -> bool:
    formats = _formats(p)
    return (bool(paths) and "-" not in paths and not p.get("no_cache") and not p.get("diff_base") and not p.get("verbose")
            and formats is not None and all(f in REPLAYABLE for f in formats))


def _file_digest(path: str) -> str:
    """The content key of a file the scan reads whole (a configuration, a variable file; a link
    is followed, as the scan follows it), "" when it is missing or not a regular file."""
    from .cachebase import content_key

    return content_key(path, follow=True)


def _configuration(paths: tuple, p: dict, cwd: str) -> list:
    if p.get("no_config"):
        return ["none"]
    if p.get("config_file"):
        return [("named", os.path.abspath(p["config_file"]), _file_digest(p["config_file"]))]
    from . import config

    out = []
    for folder in config._candidates(paths[0], cwd):
        for name in (config.CONFIG_NAME, config.PYPROJECT):
            path = os.path.join(folder, name)
            if os.path.lexists(path):
                out.append((path, _file_digest(path)))
    return out


def _tty(stream) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (OSError, ValueError):
        return False


def memo_key(paths: tuple, p: dict, environ=None) -> str | None:
    """The memo key of `iacguard scan PATHS` with flags `p` here and now, or None when such a scan
    is never kept (see the module's notes)."""
    if not eligible(paths, p):
        return None
    from .cachebase import _versions
    from .core.digests import key_hash

    environ = os.environ if environ is None else environ
    try:
        cwd = os.getcwd()
        env = sorted((k, v) for k, v in environ.items() if k.startswith("TF_VAR_") or k in ENVIRONMENT)
        parts = (FORMAT, _versions(), sys.version, tuple(paths), sorted(p.items()), cwd, env,
                 _tty(sys.stdout), _tty(sys.stderr), _configuration(paths, p, cwd))
        return key_hash(repr(parts).encode("utf-8", "surrogateescape")).hexdigest()
    except Exception:  # noqa: BLE001 - (a working directory removed, ...): the scan runs in full, unrecorded
        return None


def _cache(folder: str):
    from .cache import entries_of

    return entries_of(folder, KIND, (tuple,))


def cache_folder(p: dict) -> str:
    from .cachebase import default_cache_dir

    return os.path.abspath(p.get("cache_dir") or default_cache_dir())


class Recorder:
    """What a scan writes (`scan_command.echo` and `write_file` hand it everything), kept as the
    memo `key` when the scan ends normally and everything about it can be kept."""

    def __init__(self, key: str, folder: str, allowed: set):
        self.key = key
        self.folder = folder
        self.allowed = allowed
        self.ops: list = []  # ("echo", err, nl, color, text) | ("write", path, text)
        self.size = 0
        self.inputs: list = []
        self.ok = True

    def _count(self, text: str) -> bool:
        self.size += len(text)
        if self.size > MAX_OUTPUT_CHARS:
            self.drop()
        return self.ok

    def drop(self) -> None:
        self.ok = False
        self.ops = []

    def echo(self, message: str, err: bool, nl: bool, color) -> None:
        if self.ok and self._count(message):
            self.ops.append(("echo", bool(err), bool(nl), color, message))

    def tee(self, path: str, text):
        """`text` (a str or an iterable of str) as `write_file` writes it, kept as it goes."""
        if not self.ok or path not in self.allowed:
            self.drop()  # (a file named by the configuration: not ours to write again)
            return text
        pieces: list = []
        self.ops.append(("write", path, pieces))

        def kept():
            for piece in ((text,) if isinstance(text, str) else text):
                if self.ok and self._count(piece):
                    pieces.append(piece)
                yield piece

        return kept()

    def read_inputs(self, settings) -> None:
        """The files the scan reads besides the tree (taken before the scan reads them)."""
        if settings.outputs and any(fmt not in REPLAYABLE for fmt, _ in settings.outputs):
            self.drop()
        files = list(settings.options.tf_var_files) + list(settings.options.cfn_param_files)
        if settings.baseline:
            files.append(settings.baseline)
        self.inputs = [(f, _file_digest(f)) for f in files]

    def finish(self, result, code: int) -> None:
        """Keep the memo (never raises: a memo not written is a scan not replayed)."""
        state = getattr(result, "source_state", None)
        if not self.ok or state is None or code not in (0, 1):
            return
        try:
            ops = tuple((op[0], op[1], "".join(op[2])) if op[0] == "write" else op for op in self.ops)
            _cache(self.folder).put(self.key, (KIND, FORMAT, state, tuple(self.inputs), ops, code))
        except Exception:  # noqa: BLE001 - an unwritable cache folder: the next scan runs in full
            pass


def _shaped(value) -> bool:
    if not (type(value) is tuple and len(value) == 6 and value[0] == KIND and value[1] == FORMAT and type(value[5]) is int):
        return False
    state, inputs, ops = value[2], value[3], value[4]
    if not (type(state) is tuple and len(state) == 8 and type(state[0]) is str and type(state[1]) is int and type(state[2]) is list
            and all(type(x) is str for x in state[2]) and type(state[3]) is list and type(state[4]) is list and type(state[5]) is list
            and type(state[6]) is str and type(state[7]) is list):
        return False
    if not all(type(f) is tuple and len(f) == 4 and all(type(x) is str for x in f) for f in state[3]):
        return False
    if not all(type(fp) is tuple and len(fp) == 2 and type(fp[0]) is str and type(fp[1]) is str for fp in state[7]):
        return False
    if not (type(inputs) is tuple and all(type(i) is tuple and len(i) == 2 and type(i[0]) is str and type(i[1]) is str for i in inputs)):
        return False
    for op in ops if type(ops) is tuple else (None,):
        if type(op) is not tuple:
            return False
        if op[:1] == ("echo",):
            if not (len(op) == 5 and type(op[1]) is bool and type(op[2]) is bool and op[3] in (None, True, False) and type(op[4]) is str):
                return False
        elif not (op[:1] == ("write",) and len(op) == 3 and type(op[1]) is str and type(op[2]) is str):
            return False
    return True


def _holds(state: tuple, paths: tuple, p: dict) -> bool:
    """Whether the tree is as it was when the memo was written (see the module's notes)."""
    from .cachebase import parse_key, tree_fingerprint
    from .discover import discover, read_bytes

    versions, max_bytes, excludes, files, roots, focus, notes, prints = state
    disc = discover(list(paths), list(excludes))
    if (len(disc.files) != len(files) or list(disc.roots) != roots or sorted(disc.focus) != focus
            or repr(disc.notifications) != notes):
        return False
    for src, (path, root, kind, digest) in zip(disc.files, files):
        if (src.path, src.root, src.kind) != (path, root, kind):
            return False
        data = read_bytes(path, max_bytes)[0]
        if data is None or parse_key(versions, path, root, kind, max_bytes, data) != digest:
            return False
    exact = frozenset(os.path.realpath(f) for f in allowed_writes(p))  # as scan_command.report_files names them to the scan
    return [(r, tree_fingerprint(r, exact)) for r in sorted(disc.roots)] == prints


_CONTROL = frozenset(chr(c) for c in range(32) if chr(c) not in "\n\t") | frozenset(chr(c) for c in range(0x7F, 0xA0))


def _safe_for(stream, text: str) -> bool:
    """Text replayed to a terminal may not drive it (the memo comes from the cache folder)."""
    return not _tty(stream) or _CONTROL.isdisjoint(text)


def answer(paths: tuple, p: dict, key: str) -> int | None:
    """Replay the memo `key` when its proof holds: the scan's exit code; None (nothing written)
    when there is no usable memo."""
    from .cachebase import entry_path, read_plain

    try:
        value = read_plain(entry_path(cache_folder(p), key), KIND)
        if value is None or not _shaped(value):
            return None
        _, _, state, inputs, ops, code = value
        allowed = allowed_writes(p)
        for op in ops:
            if op[0] == "write" and op[1] not in allowed:
                return None
            if op[0] == "echo" and not _safe_for(sys.stderr if op[1] else sys.stdout, op[4]):
                return None
        if any(_file_digest(path) != digest for path, digest in inputs) or not _holds(state, paths, p):
            return None
    except Exception:  # noqa: BLE001 - an unreadable memo or tree: the scan runs in full
        return None
    from . import scan_command

    untrusted = (os.getcwd(), *state[4])
    for op in ops:
        if op[0] == "echo":
            scan_command.echo(op[4], err=op[1], nl=op[2], color=op[3])
        else:
            scan_command.write_file(op[1], op[2], untrusted)
    return code
