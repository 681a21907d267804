"""The parse pool: `jobs - 1` worker processes and this one share the files, results come back in
input order and equal a serial parse; the default number of processes leaves out CPUs the
machine is already busy with."""
from __future__ import annotations

import os

import pytest

from iacguard import cache as parse_cache
from iacguard.discover import discover
from iacguard.core.model import Notification

TF = 'resource "aws_s3_bucket" "b%d" {\n  bucket = "b%d"\n}\n'
CFN = "Resources:\n  Q%d:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: q%d\n"


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.setattr(parse_cache, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parse_cache, "_PARALLEL_MIN_FILES", 2)
    for i in range(40):
        (tmp_path / ("f%02d.tf" % i)).write_text(TF % (i, i))
        (tmp_path / ("t%02d.yaml" % i)).write_text(CFN % (i, i))
    (tmp_path / "broken.tf").write_text("resource {\n")
    return str(tmp_path)


def _with_pid(monkeypatch):
    """parse_one, marking each result with the process that parsed it (workers are forked, so
    they run the patched function too)."""
    real = parse_cache.parse_one

    def marked(*args, **kwargs):
        parsed = real(*args, **kwargs)
        parsed.notifications = list(parsed.notifications) + [Notification("note", "pid %d" % os.getpid())]
        return parsed

    monkeypatch.setattr(parse_cache, "parse_one", marked)


def _strip(parsed: list) -> list:
    return [(p.path, p.kind, p.data, [n for n in p.notifications if not n.message.startswith("pid ")]) for p in parsed]


def test_pool_and_this_process_share_the_files_and_agree_with_serial(tree, monkeypatch):
    files = discover([tree], []).files
    serial = parse_cache.parse_all(files, 1 << 20, jobs=1)
    _with_pid(monkeypatch)
    pooled = parse_cache.parse_all(files, 1 << 20, jobs=3)
    assert _strip(pooled) == _strip(serial)
    assert [p.path for p in pooled] == [f.path for f in files]
    pids = {n.message for p in pooled for n in p.notifications if n.message.startswith("pid ")}
    # This process took every chunk no worker had started: it always parses some itself.
    assert "pid %d" % os.getpid() in pids
    assert any(p.kind == "failed" for p in pooled)


def test_one_job_never_starts_a_pool(tree, monkeypatch):
    files = discover([tree], []).files

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started")

    monkeypatch.setattr(parse_cache, "_parse_in_pool", no_pool)
    assert len(parse_cache.parse_all(files, 1 << 20, jobs=1)) == len(files)


def test_a_broken_pool_falls_back_to_parsing_here(tree, monkeypatch):
    import concurrent.futures

    files = discover([tree], []).files

    class Broken:
        def __init__(self, *a, **k):
            raise OSError("no processes here")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Broken)
    parsed = parse_cache.parse_all(files, 1 << 20, jobs=2)
    assert _strip(parsed) == _strip(parse_cache.parse_all(files, 1 << 20, jobs=1))


@pytest.mark.parametrize("cpus, load, expected", [
    (2, 0.0, 2),    # an idle machine: one process per CPU
    (2, 0.4, 2),
    (2, 1.2, 2),    # the scan itself counts in the load once it runs
    (2, 2.0, 1),    # another process already keeps a core busy
    (2, 3.6, 1),
    (8, 3.0, 6),
    (8, 40.0, 1),
    (1, 0.0, 1),
])
def test_default_jobs_leave_out_busy_cpus(monkeypatch, cpus, load, expected):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(parse_cache, "_running_now", lambda: None)  # (where the system does not say)
    assert parse_cache.default_jobs() == expected
    # Running right now: as many as the load average says, or more: the average decides.
    monkeypatch.setattr(parse_cache, "_running_now", lambda: 40)
    assert parse_cache.default_jobs() == expected


@pytest.mark.parametrize("cpus, load, running, expected", [
    (2, 2.4, 1, 2),   # the load of a minute ago (pip install), and only this scan running now
    (2, 2.4, 2, 1),   # another process is running now too
    (8, 8.0, 3, 6),
    (2, 0.2, 1, 2),
])
def test_default_jobs_count_what_runs_now_when_the_average_lags(monkeypatch, cpus, load, running, expected):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(parse_cache, "_running_now", lambda: running)
    assert parse_cache.default_jobs() == expected


def test_running_now_reads_the_runnable_tasks():
    now = parse_cache._running_now(samples=2)
    if not os.path.exists("/proc/loadavg"):
        assert now is None
    else:
        assert isinstance(now, int) and now >= 1  # this process, at least


def test_default_jobs_without_load_average(monkeypatch):
    def unavailable():
        raise OSError("no load average")

    monkeypatch.setattr(os, "getloadavg", unavailable)
    assert parse_cache.default_jobs() >= 1
