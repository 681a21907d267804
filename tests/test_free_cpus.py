"""How many processes a scan takes when the user names none (iacguard/core/forked.py): the CPUs
the machine is not already busy with. A task runnable for an instant must not take the second
process from a large scan; a process busy on another CPU must."""
from __future__ import annotations

import os

import pytest

from iacguard.core import forked


def _reader(values):
    it = iter(values)
    return lambda: next(it)


@pytest.mark.parametrize("readings, want", [
    ([1, 1, 1, 1, 1], 1),
    ([1, 2, 1, 1, 1], 1),  # a kernel thread or a shell, runnable for one reading
    ([1, 3, 1, 2, 1], 1),
    ([2, 2, 1, 2, 2], 2),  # a process busy on the other CPU, between two of its time slices once
    ([2, 2, 2, 2, 2], 2),
    ([3, 3, 2, 3, 3], 3),
])
def test_the_tasks_running_now_are_what_most_readings_say(readings, want, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    assert forked.running_tasks(read=_reader(readings)) == want


def test_no_reading_is_no_answer(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    assert forked.running_tasks(read=_reader([1, None, 1, 1, 1])) is None


def test_the_reading_of_this_machine_counts_this_process():
    if not os.path.exists("/proc/loadavg"):
        pytest.skip("no /proc/loadavg")
    assert forked.running_tasks() >= 1


@pytest.mark.parametrize("load, now, want", [
    (0.1, 1, 2),  # an idle machine
    (2.0, 1, 2),  # a load left by this scan's own two processes (or a pip install just before): no one else runs now
    (2.0, 2, 1),  # another process runs now
    (3.0, 3, 1),
    (0.2, 3, 2),  # a burst of tasks now, on a machine idle for the last minute
    (2.0, None, 1),  # no reading: the load average decides
])
def test_free_cpus_takes_the_lesser_of_the_load_and_the_tasks_running_now(load, now, want, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert forked.free_cpus(lambda: now) == want
