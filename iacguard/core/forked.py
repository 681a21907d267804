"""Work shared with forked copies of this process, their results sent back pickled.

A stage whose input is already in memory (parse trees before evaluation) gives a part of it to a
child made by fork(): the child starts with everything the parent holds, at no cost but the
pages either of them writes afterwards, does its part, and sends only its result back through a
pipe. The parent does its own part meanwhile, then reads the child's. What a pool of fresh
workers would need instead, the input pickled to them, is what made evaluating in workers not
pay (the parse trees of 200 templates pickle to 7 MB); an evaluated result unpickles in a
seventh of the time parsing and evaluating it again takes.

The child runs only the function it was given: it writes nothing but its result, runs no exit
handler and flushes no buffer of the parent's (it leaves through os._exit), and any failure of
its part comes back as a failure for the caller to handle (as a rule: do the part here). Linux
only, and only in a process running no other thread (a fork copies one thread: a lock another
thread held would stay locked in the child). Nothing from the scanned tree runs here any more
than in the parent: the child evaluates the same data with the same code and bounds.
"""
from __future__ import annotations

import os
import pickle
import sys


def supported() -> bool:
    """Whether this system forks as the sharing needs (Linux)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def available() -> bool:
    """Whether work may be shared with a forked child here and now: Linux, one thread (a library
    caller running others, e.g. a server, keeps its scans in one process), and memory for the
    child to copy all this process holds (`room_for_copy`)."""
    return supported() and _one_thread() and room_for_copy()


def processes(jobs: int) -> int:
    """How many processes a part of the scan may be shared among, this one included: 1 for
    `--jobs 1` or where a fork is not available here and now, else `jobs` (0: `free_cpus()`).
    Callers ask after their own cheaper tests: `free_cpus` reads the load for a few milliseconds."""
    if jobs == 1 or not available():
        return 1
    return jobs or free_cpus()


def _one_thread() -> bool:
    import threading

    return threading.active_count() == 1


# What a child may copy of its parent: every page either of them writes after the fork is copied,
# and reading an object writes its reference count. Measured on 100,000 CloudFormation resources:
# the child computing the IAM facts copied 570 MB of the parent's 758 MB.
_MARGIN = 256 << 20


def room_for_copy() -> bool:
    """Whether the memory left to this process (the system's available memory, and its control
    group's limit when it has one) holds another copy of it and a margin: a fork must not make
    a runner of little memory swap or kill the scan."""
    rss = _rss()
    left = _available()
    return rss is None or left is None or left >= rss + _MARGIN


def _rss() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _available() -> int | None:
    left = None
    try:
        with open("/proc/meminfo", "rb") as fh:
            for line in fh:
                if line.startswith(b"MemAvailable:"):
                    left = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    for limit_file, usage_file in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),  # cgroup v2
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes")):  # v1
        try:
            with open(limit_file, "rb") as fh:
                limit = fh.read().strip()
            with open(usage_file, "rb") as fh:
                usage = int(fh.read().strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < (1 << 60):  # ("max", or v1's huge number: no limit)
            room = max(0, int(limit) - usage)
            left = room if left is None else min(left, room)
        break
    return left


def free_cpus(running_now=None) -> int:
    """Processes to work in when the user names none: one per CPU this process may run on that
    the machine is not already busy with, at least one. On a shared or loaded machine a second
    process only takes turns with the first on the same core, and pays for sending its results
    back (measured on 2 cores under a load of 3: parsing 100,000 resources took 4.5-6.6 s in two
    processes against 3.5-5.3 s in one).

    Busy is the one-minute load average, unless the processes running right now say the machine
    is less busy than that (`running_now()`, default `running_tasks`): the average still counts,
    for a minute, work that has ended (in CI, the `pip install` just before the scan), and left
    a large tree to one process on an idle machine."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    try:
        busy = int(os.getloadavg()[0] + 0.5)
    except (AttributeError, OSError):
        busy = 0
    now = (running_now or running_tasks)()
    if now is not None:
        busy = min(busy, now)  # the load average counts this scan once it runs; `now` counts it too
    return max(1, min(cpus, cpus - busy + 1))


def running_tasks(samples: int = 5, read=None) -> int | None:
    """Tasks runnable at this moment, this one included: the median of a few readings of
    /proc/loadavg a millisecond apart (`read()` gives one: default `_runnable`), so that a
    process busy on another CPU, runnable in every reading, counts, and a task runnable for an
    instant (a kernel thread, a shell waking up) does not. Taking the most of the readings let
    such instants refuse a second process to a large scan in about one decision of 25 on this
    machine: a 100,000-resource scan then took 25 s instead of 20. None where the system does
    not say (not Linux)."""
    import time

    read = read or _runnable
    readings = []
    for i in range(samples):
        running = read()
        if running is None:
            return None
        readings.append(running)
        if i + 1 < samples:
            time.sleep(0.001)
    readings.sort()
    return readings[len(readings) // 2]


def _runnable() -> int | None:
    """The tasks runnable now, from /proc/loadavg (None where it cannot be read)."""
    try:
        with open("/proc/loadavg", "rb") as fh:
            return int(fh.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return None


class Child:
    """`fn()` run in a forked copy of this process; `result()` waits for it and gives
    (True, its value) or (False, why it gave none). The caller must call `result()` (or
    `abandon()`) once, whatever happens: it reaps the child.

    With `stream`, the child calls `fn(send)` and may send parts of its work as it goes
    (`send(data)`, bytes); `parts()` gives those that have arrived, without waiting, in the
    order sent (after `result()`, the rest of them): the parent takes them in between its own
    work instead of all at the end."""

    # The child's pipe, when it streams: parts the parent has not read yet wait there (a writer
    # waits while it is full). Linux lets a process make its pipes up to 1 MiB by default.
    _PIPE_BYTES = 1 << 20

    def __init__(self, fn, stream: bool = False) -> None:
        read_end, write_end = os.pipe()
        if stream:
            _grow(write_end, self._PIPE_BYTES)
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                _die_with_parent()
                os.close(read_end)

                def write(data) -> None:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(write_end, view):]

                def send(data: bytes) -> None:
                    write(b"p" + len(data).to_bytes(8, "little"))
                    write(data)

                try:
                    payload = pickle.dumps((True, fn(send) if stream else fn()), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException as exc:  # noqa: BLE001 - reported to the parent, which does the part itself
                    payload = pickle.dumps((False, "%s: %s" % (type(exc).__name__, exc)))
                if stream:
                    write(b"r" + len(payload).to_bytes(8, "little"))
                write(payload)
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        self.pid, self._fd, self._stream = pid, read_end, stream
        self._buffer = bytearray()
        self._parts: list = []
        self._final = None
        if stream:
            os.set_blocking(read_end, False)

    def parts(self) -> list:
        """The parts the child has sent that arrived since the last call (streaming only)."""
        if self._fd is not None:
            try:
                while True:
                    chunk = os.read(self._fd, 1 << 20)
                    if not chunk:
                        break
                    self._buffer += chunk
            except BlockingIOError:
                pass
            except OSError:
                pass  # (result() says so)
            self._frames()
        out, self._parts = self._parts, []
        return out

    def _frames(self) -> None:
        """Move the complete frames of the buffer to the parts (or the final value)."""
        buf = self._buffer
        at = 0
        while len(buf) - at >= 9:
            size = int.from_bytes(buf[at + 1:at + 9], "little")
            if len(buf) - at - 9 < size:
                break
            data = bytes(buf[at + 9:at + 9 + size])
            if buf[at] == ord("p"):
                self._parts.append(data)
            else:
                self._final = data
            at += 9 + size
        del buf[:at]

    def result(self) -> tuple:
        chunks = []
        try:
            if self._stream:
                os.set_blocking(self._fd, True)
                chunks.append(bytes(self._buffer))
                self._buffer.clear()
            while True:
                chunk = os.read(self._fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError as exc:
            return False, "its result could not be read: %s" % exc
        finally:
            self._reap()
        data = b"".join(chunks)
        if self._stream:
            self._buffer = bytearray(data)
            self._frames()
            data, self._final = self._final, None
        try:
            ok, value = pickle.loads(data)
        except Exception as exc:  # noqa: BLE001 - the child died before writing all of it
            return False, "it sent no result (%s)" % type(exc).__name__
        return ok, value

    def abandon(self) -> None:
        """Stop the child (the parent is leaving on an error of its own) and reap it; nothing
        once it is reaped."""
        if not self.pid:
            return
        try:
            import signal

            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        self._reap()

    def _reap(self) -> None:
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)
            self._fd = None
        if self.pid:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = 0


class Tasks:
    """The indexes 0..n-1, each handed out once to whichever process asks first, this one or a
    child forked after it was made: work shared by asking rather than split beforehand, so that
    neither process waits on the other when what each item costs is not known in advance.

    The indexes are written at once into a pipe both processes read, two bytes each: a read of a
    pipe holding them all takes whole records (Linux reads a pipe under its lock). None is made
    when they do not fit in the pipe (`make`)."""

    _RECORD = 2

    def __init__(self, fd: int) -> None:
        self._fd = fd

    @classmethod
    def make(cls, n: int):
        """Tasks of `n` indexes, or None when the pipe could not hold them."""
        if n >= 1 << (8 * cls._RECORD):
            return None
        read_end, write_end = os.pipe()
        data = b"".join(i.to_bytes(cls._RECORD, "little") for i in range(n))
        try:
            os.set_blocking(write_end, False)
            written = os.write(write_end, data) if data else 0
        except OSError:
            written = -1
        finally:
            os.close(write_end)
        if written != len(data):
            os.close(read_end)
            return None
        return cls(read_end)

    def take(self):
        """The next index no process took yet, or None when none is left."""
        if self._fd is None:
            return None
        data = os.read(self._fd, self._RECORD)
        if len(data) != self._RECORD:
            return None
        return int.from_bytes(data, "little")

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _grow(fd: int, size: int) -> None:
    """Make a pipe hold up to `size` bytes where the system allows it (Linux)."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), size)
    except (OSError, ImportError, ValueError):
        pass


def _die_with_parent() -> None:
    """Have the kernel stop this child when its parent ends (a scan killed by a cancelled CI job
    leaves no work running behind it). Linux's prctl(PR_SET_PDEATHSIG, SIGKILL); nothing where
    it cannot be asked."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent ended before the request took effect
            os._exit(1)
    except Exception:  # noqa: BLE001 - no ctypes, no libc: the child ends when its work does
        pass


def shares(weights: list, parts: int, first: float = 0.0) -> list:
    """Split the indexes of `weights` into at most `parts` contiguous runs, in order, each
    non-empty: the first of about `first` of the total weight (0: an equal part), the others of
    equal parts of the rest."""
    total = sum(weights)
    if parts <= 1 or len(weights) <= 1 or total <= 0:
        return [list(range(len(weights)))]
    first = first or 1.0 / parts
    bounds = [total * (first + (1 - first) * k / (parts - 1)) for k in range(parts - 1)]
    out: list = []
    run: list = []
    acc = 0
    for i, w in enumerate(weights):
        run.append(i)
        acc += w
        if len(out) + 1 < parts and acc >= bounds[len(out)] - 1e-9 * total:
            out.append(run)
            run = []
    if run:
        out.append(run)
    return out
