"""Finding the files to scan, and reading them safely.

Walks the paths given on the command line without ever leaving them: links that lead outside a
scanned root, link loops, FIFOs, sockets and devices are skipped with a note, as are hidden
folders (`.git`, `.terraform`, ...), hidden files (Terraform ignores them too), well-known
credential files (`CREDENTIAL_FILES`) and `node_modules`. Files are classified by name here;
CloudFormation templates and Terraform plans are recognised later, by content.

`refusal` is the same rule for a single path: Terraform's file functions (`file()`,
`fileset()`, `templatefile()`, ...) read only what this walk would scan, so a configuration
written by a pull request cannot copy `.git/config` (it holds the checkout token) or a cloud
credential file into a report.
"""
from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field

from iacguard.core.notification import Notification

TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
DATA_SUFFIXES = (".yaml", ".yml", ".json", ".template")  # CloudFormation or plan JSON, by content
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})

DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024

# Credential files CI steps write into the workspace under names that are not hidden (hidden ones,
# such as `.env`, `.netrc`, `.git-credentials`, `.aws/credentials` or `.docker/config.json`, are
# refused as hidden already). Matched against the file name, case-insensitively:
#   gha-creds-*.json: google-github-actions/auth writes its credentials into $GITHUB_WORKSPACE;
#   application_default_credentials.json: gcloud's default credentials when CLOUDSDK_CONFIG is
#   pointed into the workspace.
CREDENTIAL_FILES = ("gha-creds-*.json", "application_default_credentials.json")


@dataclass(slots=True)
class SourceFile:
    """A file to parse: its real path, the root it was found under, and its kind."""

    path: str  # absolute, resolved
    root: str  # the scanned root it was found under (absolute, resolved)
    kind: str  # "terraform" | "data"


@dataclass(slots=True)
class Discovery:
    """What discovery found: the source files, notifications, the roots scanned and the files named
    explicitly."""

    files: list = field(default_factory=list)  # list[SourceFile], sorted by path
    notifications: list = field(default_factory=list)
    roots: list = field(default_factory=list)
    # Terraform files named on their own: their folder's other files are read for context (a
    # module is a folder), but findings located in those other files are not reported.
    focus: set = field(default_factory=set)


def classify(name: str) -> str | None:
    low = name.lower()
    if low.endswith(TERRAFORM_SUFFIXES):
        return "terraform"
    if low.endswith(DATA_SUFFIXES):
        return "data"
    return None


def _excluded(rel: str, patterns: list) -> bool:
    """A pattern with a slash matches the path relative to the root; one without matches any
    single path component (so `--exclude examples` skips every `examples` folder)."""
    if not patterns:
        return False
    parts = rel.split("/")
    for pat in patterns:
        pat = pat.rstrip("/")
        if "/" in pat:
            if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(rel, pat + "/*"):
                return True
        elif any(fnmatch.fnmatchcase(p, pat) for p in parts):
            return True
    return False


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def is_hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def is_credential_file(name: str) -> bool:
    low = name.lower()
    return any(fnmatch.fnmatchcase(low, pat) for pat in CREDENTIAL_FILES)


def refused_name(rel: str, excludes: list | tuple = ()) -> str | None:
    """Why the walk would not scan the file at `rel` ('/'-separated, relative to the scanned root)
    by its name alone, or None: "hidden path" (any component starting with "."), "skipped
    folder" (`SKIPPED_DIRS`, e.g. node_modules), "credential file" (`CREDENTIAL_FILES`),
    "excluded" (--exclude)."""
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if any(is_hidden(p) for p in parts):
        return "hidden path"
    if any(p in SKIPPED_DIRS for p in parts[:-1]):
        return "skipped folder (%s)" % next(p for p in parts[:-1] if p in SKIPPED_DIRS)
    if parts and is_credential_file(parts[-1]):
        return "credential file"
    if excludes and _excluded("/".join(parts), list(excludes)):
        return "excluded"
    return None


def special_kind(mode: int) -> str | None:
    """None for a regular file, else what it is ("a FIFO", "a device", ...)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def refusal(path: str, root: str, excludes: list | tuple = (), hidden_base: str = "") -> str | None:
    """Why a file the scanned configuration names (`path`: absolute, as written, not resolved)
    must not be read, or None when the walk would scan it: outside the scanned `root` (the path
    or, through a link, the file it leads to), hidden, a credential file, excluded, or not a
    regular file. A path that does not exist is not refused here (the caller reports it).

    `hidden_base`: a folder inside a hidden one whose own files may be read, e.g. a module
    `terraform init` copied into `.terraform/modules/NAME`; below it the name rule still holds
    (and --exclude, which names scanned paths, does not apply)."""
    root = os.path.realpath(root)
    lexical = os.path.normpath(path)
    real = os.path.realpath(path)
    if not _inside(lexical, root):
        return "outside the scanned root"
    if not _inside(real, root):
        return "link leads outside the scanned root"
    for p in (lexical, real):
        if hidden_base and _inside(p, hidden_base):
            why = refused_name(os.path.relpath(p, hidden_base).replace(os.sep, "/"))
        else:
            why = refused_name(os.path.relpath(p, root).replace(os.sep, "/"), excludes)
        if why:
            return why
    try:
        st = os.stat(real)
    except OSError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return None
    return special_kind(st.st_mode)


def discover(paths: list, excludes: list | None = None) -> Discovery:
    excludes = list(excludes or [])
    out = Discovery()
    seen: set = set()
    for given in paths:
        real = os.path.realpath(given)
        if not os.path.exists(real):
            out.notifications.append(Notification("error", "path does not exist", os.path.abspath(given)))
            continue
        if os.path.isdir(real):
            root = real
            out.roots.append(root)
            _walk(root, excludes, out, seen)
        else:
            root = os.path.dirname(real)
            out.roots.append(real)
            kind = classify(os.path.basename(real))
            if kind is None:
                # A file named explicitly is read as data (CloudFormation or plan JSON by content).
                kind = "data"
            if _regular(real, os.path.abspath(given), out) and real not in seen:
                seen.add(real)
                out.files.append(SourceFile(real, root, kind))
                if kind == "terraform":
                    out.focus.add(real)
                    _module_context(real, root, out, seen)
    out.files.sort(key=lambda f: f.path)
    return out


def _module_context(real: str, folder: str, out: Discovery, seen: set) -> None:
    """The other Terraform files of a named file's folder, read so that its references,
    variables and tfvars resolve as Terraform would resolve them."""
    added = 0
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = os.path.realpath(entry.path)
        if path in seen or classify(entry.name) != "terraform" or os.path.dirname(path) != folder:
            continue
        try:
            if not entry.is_file():
                continue
        except OSError:
            continue
        if _regular(path, entry.path, out):
            seen.add(path)
            out.files.append(SourceFile(path, folder, "terraform"))
            added += 1
    if added:
        out.notifications.append(Notification(
            "note", "evaluated with the %d other Terraform file(s) of its folder, as Terraform reads a module; "
            "findings located in those files are not reported" % added, real))


def _regular(real: str, shown: str, out: Discovery) -> bool:
    try:
        st = os.stat(real)
    except OSError as exc:
        out.notifications.append(Notification("warning", "skipped: cannot read (%s)" % exc.strerror, shown))
        return False
    what = special_kind(st.st_mode)
    if what is None:
        return True
    out.notifications.append(Notification("note", "skipped: %s" % what, shown))
    return False


# Every folder _walk lists is a real path (the root is resolved, and so is every folder it goes
# into), so on POSIX an entry that is not a link is its own real path: `realpath` (an lstat per
# component) is asked only of links. (Windows is left to realpath: a junction is not a link there.)
_POSIX = os.name == "posix"


def _walk(root: str, excludes: list, out: Discovery, seen: set) -> None:
    visited_dirs = {root}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            out.notifications.append(Notification("warning", "skipped folder: %s" % exc.strerror, folder))
            continue
        subdirs = []
        for entry in entries:
            name = entry.name
            path = os.path.join(folder, name)
            if excludes and _excluded(os.path.relpath(path, root).replace(os.sep, "/"), excludes):
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_link, is_dir = True, False
            if is_dir:
                if is_hidden(name) or name in SKIPPED_DIRS:
                    continue
                real = os.path.realpath(path) if is_link or not _POSIX else path
                if is_link and not _inside(real, root):
                    out.notifications.append(Notification("note", "skipped: link leads outside the scanned root", path))
                    continue
                if real in visited_dirs:
                    if is_link:
                        out.notifications.append(Notification("note", "skipped: link loop", path))
                    continue
                visited_dirs.add(real)
                subdirs.append(real)
                continue
            kind = classify(name)
            if kind is None or is_hidden(name) or is_credential_file(name):
                continue
            real = os.path.realpath(path) if is_link or not _POSIX else path
            if is_link:
                if not os.path.exists(real):
                    out.notifications.append(Notification("note", "skipped: broken or looping link", path))
                    continue
                if not _inside(real, root):
                    out.notifications.append(Notification("note", "skipped: link leads outside the scanned root", path))
                    continue
            if real in seen:
                continue
            if _regular(real, path, out):
                seen.add(real)
                out.files.append(SourceFile(real, root, kind))
        stack.extend(reversed(subdirs))


@dataclass(slots=True)
class ReadResult:
    """A source file's text (None when it was not read) and the notifications reading it made."""

    text: str | None
    notifications: list


def read_bytes(path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> tuple:
    """(the file's bytes, or None, and notifications): regular files only, size-bounded.
    Never raises, never blocks on a FIFO."""
    try:
        # O_NONBLOCK so that a FIFO swapped in after discovery cannot block the scan.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None, [Notification("note", "skipped: not a regular file", path)]
            if st.st_size > max_bytes:
                return None, [Notification("note", "skipped: file is %d bytes, over the limit of %d (--max-file-size)" % (st.st_size, max_bytes), path)]
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = fh.read(max_bytes + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        return None, [Notification("warning", "skipped: cannot read (%s)" % (exc.strerror or exc), path)]
    if len(data) > max_bytes:
        return None, [Notification("note", "skipped: file over the size limit of %d bytes" % max_bytes, path)]
    return data, []


def read_text(path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES, data: bytes | None = None) -> ReadResult:
    """Read a source file as text (or decode `data` already read from it): size-bounded, binary
    files refused, non-UTF-8 decoded as Latin-1 with a note, a byte-order mark dropped. Never
    raises."""
    notes: list = []
    if data is None:
        data, notes = read_bytes(path, max_bytes)
        if data is None:
            return ReadResult(None, notes)
    if b"\x00" in data:
        return ReadResult(None, [Notification("note", "skipped: binary file", path)])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        notes.append(Notification("note", "not valid UTF-8 (first bad byte on line %d); read as Latin-1" % line, path, line))
        text = data.decode("latin-1")
    return ReadResult(text, notes)
