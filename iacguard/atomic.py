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
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile


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


def write_text(path: str, text: str) -> None:
    """Write `text` (UTF-8, "\\n" line ends) to `path` by temporary file and rename.

    A symlink at `path` is replaced by a regular file; its target is left untouched. Raises
    RefusedTarget for a directory or special file at `path`, OSError when writing fails (the
    temporary file is then removed and `path` is unchanged)."""
    target = os.path.abspath(path)
    check_target(target)
    folder, name = os.path.split(target)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".%s." % name[:64], suffix=".tmp")
    try:
        try:
            os.fchmod(fd, 0o666 & ~_umask())
        except (AttributeError, NotImplementedError):  # pragma: no cover - Windows
            pass
        # backslashreplace: a lone surrogate (an undecodable file name) must not lose the report.
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as fh:
            fd = -1  # the file object owns it now
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
