"""Writing the files iacguard leaves for the user (reports, baselines) without trusting the target.

The scanned tree may be written by an attacker, and reports are often written inside it: a
committed `iacguard.sarif` can be a symlink to a file elsewhere (a CI token store, a shell
profile). Opening it for writing would follow the link and overwrite that file.

So every report and baseline is written to a temporary file in the target's folder and renamed
over the target (`os.replace`): a rename replaces a symlink at the target, it never follows it,
and readers never see half a report. The temporary file gets the permissions of a normal new
file (0666 less the umask; `mkstemp` would leave 0600) and is removed when anything fails. A
directory or a special file (FIFO, socket, device) at the target is refused: writing to a FIFO
would block the scan, and a device is never a report.

Two exceptions and one more guard:
- A path the user names under `/dev/` or `/proc/` (`-o /dev/stdout`, `-o /dev/null`, bash's
  `-o >(gzip > r.gz)`, which is `/dev/fd/63`) is opened and written as it is: no scanned tree can
  put a file there, and renaming over it is impossible.
- A symlink *on the way* to the target (`reports/` committed as a link to a folder elsewhere) would
  take the temporary file and the rename through it. Links in the folders above the target are
  refused when they lie inside a folder the caller calls untrusted (the working directory and the
  scanned folders: a checkout of the pull request); links above them (`/tmp` on macOS, a
  home-directory link) are the machine's own and are followed.
"""
from __future__ import annotations

import errno
import os
import stat


class RefusedTarget(OSError):
    """The target exists and is not something a report may replace (a directory, a FIFO...)."""


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return mask


def check_target(path: str) -> None:
    """Raise RefusedTarget when `path` exists and is neither a regular file nor a symlink."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    mode = st.st_mode
    if stat.S_ISLNK(mode) or stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise RefusedTarget(errno.EISDIR, "is a directory", path)
    raise RefusedTarget(errno.EINVAL, "is not a regular file (a FIFO, socket or device): refused", path)


_DEVICE_FOLDERS = ("/dev/", "/proc/")


def _inside(path: str, folder: str) -> bool:
    folder = folder.rstrip(os.sep)
    return path == folder or path.startswith(folder + os.sep)


def check_folder(target: str, untrusted: tuple) -> None:
    """Raise RefusedTarget when a folder on the way to `target` (absolute) is a symlink that
    lies inside one of the `untrusted` folders."""
    roots = [os.path.abspath(u) for u in untrusted if u]
    if not roots:
        return
    folder = os.path.dirname(target)
    parts = folder.split(os.sep)
    current = os.sep
    for part in parts[1:]:
        if not part:
            continue
        current = os.path.join(current, part)
        if any(_inside(current, r) and current != r for r in roots) and os.path.islink(current):
            raise RefusedTarget(errno.ELOOP, "its folder %s is a symbolic link inside the scanned workspace: refused, nothing is written through links" % current, target)


def write_text(path: str, text: str, untrusted: tuple = ()) -> None:
    """Write `text` (UTF-8, "\\n" line ends) to `path` by temporary file and rename.

    A symlink at `path` is replaced by a regular file; its target is left untouched. Raises
    RefusedTarget for a directory or special file at `path`, or a symlinked folder on the way
    inside `untrusted` folders; OSError when writing fails (the temporary file is then removed and
    `path` is unchanged). A path under /dev/ or /proc/ is written directly (see the module doc)."""
    write_chunks(path, (text,), untrusted)


_BATCH = 1 << 16  # characters gathered before a write: few system calls, little held


def write_chunks(path: str, chunks, untrusted: tuple = ()) -> None:
    """`write_text` of the text `chunks` (an iterable of str) yields, written as it comes: the
    whole text is never held. Anything raised while the chunks are made or written (an error, a
    KeyboardInterrupt) leaves `path` as it was and no temporary file behind."""
    target = os.path.abspath(path)
    if target.startswith(_DEVICE_FOLDERS):
        with open(target, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as fh:
            write_all(fh.write, chunks)
        return
    check_target(target)
    check_folder(target, tuple(untrusted))
    folder, name = os.path.split(target)
    fd, tmp = _temporary(folder, ".%s." % name[:64], ".tmp")
    try:
        try:
            os.fchmod(fd, 0o666 & ~_umask())
        except (AttributeError, NotImplementedError):  # pragma: no cover - Windows
            pass
        # backslashreplace: a lone surrogate (an undecodable file name) must not lose the report.
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as fh:
            fd = -1  # the file object owns it now
            write_all(fh.write, chunks)
        os.replace(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_TEMPORARY_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def _temporary(folder: str, prefix: str, suffix: str) -> tuple:
    """A new file in `folder` for this process alone, as `tempfile.mkstemp` makes one (created
    exclusively, never through a link, mode 0600, not inherited by child processes), without
    importing tempfile (shutil, random and the compression modules: 3-5 ms of every scan)."""
    for _ in range(100):
        path = os.path.join(folder, "%s%s%s" % (prefix, os.urandom(6).hex(), suffix))
        try:
            return os.open(path, _TEMPORARY_FLAGS, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name in %s" % folder)


def write_all(write, chunks) -> None:
    """Pass the text of `chunks` (an iterable of str) to `write` in pieces of about _BATCH
    characters (one piece longer than that passes whole)."""
    batch: list = []
    size = 0
    for chunk in chunks:
        batch.append(chunk)
        size += len(chunk)
        if size >= _BATCH:
            write("".join(batch))
            batch.clear()
            size = 0
    if batch:
        write("".join(batch))
