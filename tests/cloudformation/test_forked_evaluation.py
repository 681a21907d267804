"""A large CloudFormation root is evaluated in forked processes (issue 17): the result is the one
evaluating in one process gives, whatever the number of processes and whatever a child does
(fails, dies, sends garbage); iacguard.core.forked's pieces on their own."""
from __future__ import annotations

import os

import pytest

from iacguard.cloudformation import evaluate as cfn_evaluate
from iacguard.core import forked
from iacguard.core.model import ScanOptions
from cfn_helpers import load
from forking import count_children

pytestmark = pytest.mark.skipif(not forked.supported(), reason="fork-based sharing is Linux only")

PARENT = """AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Secret:
    Type: String
    NoEcho: true
    Default: hunter2-%(i)d
Conditions:
  IsProd: !Equals [!Ref AWS::Region, us-east-1]
Resources:
  Bucket%(i)d:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-%(i)d"
      VersioningConfiguration:
        Status: !If [IsProd, Enabled, Suspended]
  Policy%(i)d:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket%(i)d
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: '*'
            Action: s3:GetObject
            Resource: !Sub "${Bucket%(i)d.Arn}/*"
  Db%(i)d:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUserPassword: !Ref Secret
      Engine: postgres
"""

NESTING = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Inner:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: child.yaml
      Parameters:
        Public: "true"
"""

CHILD = """AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Public:
    Type: String
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      PubliclyAccessible: !Ref Public
"""

# Two templates nesting each other and nested by no other: evaluated on their own, once each.
CYCLE_A = """Resources:
  ToB:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: cycle_b.yaml
  Topic:
    Type: AWS::SNS::Topic
"""
CYCLE_B = """Resources:
  ToA:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: cycle_a.yaml
  Queue:
    Type: AWS::SQS::Queue
"""


def _tree(tmp_path, n: int = 12) -> tuple:
    files = {"t%02d.yaml" % i: PARENT % {"i": i} for i in range(n)}
    files.update({"m_nesting.yaml": NESTING, "child.yaml": CHILD, "cycle_a.yaml": CYCLE_A, "cycle_b.yaml": CYCLE_B,
                  "broken.yaml": "Resources: [unclosed\n"})
    templates = {}
    for name, text in sorted(files.items()):
        path = tmp_path / name
        path.write_text(text)
        try:
            templates[os.path.realpath(path)] = load(path)
        except cfn_evaluate.TemplateError as exc:
            templates[os.path.realpath(path)] = exc
    return templates, str(tmp_path)


def _evaluated(tmp_path, jobs: int):
    templates, root = _tree(tmp_path)
    return cfn_evaluate.evaluate_templates(templates, root, ScanOptions(), jobs=jobs)


def _plain(result) -> tuple:
    """Everything a LanguageResult says, comparable: each field's repr (every object in it shows
    its fields: resources their properties, locations and meta)."""
    return tuple(repr(getattr(result, f)) for f in ("resources", "references", "symbols", "notifications", "unknowns", "files", "secrets"))


@pytest.fixture
def counted_children(monkeypatch):
    """Every child forked, counted; sharing allowed from 2 declared resources on."""
    made = count_children(monkeypatch)
    monkeypatch.setattr(cfn_evaluate, "_FORK_MIN_RESOURCES", 2)
    return made


@pytest.mark.parametrize("jobs", [2, 3, 5])
def test_shared_evaluation_gives_the_serial_result(tmp_path, counted_children, jobs):
    serial = _evaluated(tmp_path, 1)
    assert counted_children == []
    shared = _evaluated(tmp_path, jobs)  # the same files, read again
    assert len(counted_children) == jobs - 1  # the work was shared
    # 12 x (two variants of the bucket, its policy, the database), the nesting stack and its
    # child's database, the cycle's two stacks and two resources.
    assert len(shared.resources) == len(serial.resources) == 12 * 4 + 2 + 4
    assert _plain(shared) == _plain(serial)  # the same result, in the same order
    # The nested template is evaluated only through its parent; the cycle's two once each.
    addresses = [r.address for r in shared.resources]
    assert len([a for a in addresses if a.endswith("Db") or a == "Db"]) == 1
    assert sum(1 for a in addresses if a.endswith("Topic")) == 1 and sum(1 for a in addresses if a.endswith("Queue")) == 1
    assert any("broken.yaml" in n.path for n in shared.notifications)
    assert "hunter2-11" in shared.secrets  # NoEcho values from the children's parts too


def test_a_failing_child_leaves_its_part_here(tmp_path, counted_children, monkeypatch):
    serial = _evaluated(tmp_path, 1)

    def broken(*args):
        raise RuntimeError("boom")  # (in the child: only children call it)

    monkeypatch.setattr(cfn_evaluate, "_evaluate_sent", broken)
    shared = _evaluated(tmp_path, 2)
    assert len(counted_children) == 1
    assert _plain(shared) == _plain(serial)


def test_a_child_that_dies_leaves_its_part_here(tmp_path, counted_children, monkeypatch):
    serial = _evaluated(tmp_path, 1)
    monkeypatch.setattr(cfn_evaluate, "_evaluate_sent", lambda *args: os._exit(3))
    shared = _evaluated(tmp_path, 2)
    assert len(counted_children) == 1
    assert _plain(shared) == _plain(serial)


def test_one_job_or_a_small_root_forks_nothing(tmp_path, monkeypatch):
    made = []
    monkeypatch.setattr(forked, "Child", lambda fn: made.append(fn))
    (tmp_path / "a").mkdir()
    _evaluated(tmp_path / "a", 1)
    (tmp_path / "b").mkdir()
    _evaluated(tmp_path / "b", 4)  # 39 resources: under the default threshold
    assert made == []


def test_child_gives_its_value_or_why_not():
    assert forked.Child(lambda: {"a": [1, 2]}).result() == (True, {"a": [1, 2]})
    ok, why = forked.Child(lambda: 1 / 0).result()
    assert not ok and "ZeroDivisionError" in why
    ok, why = forked.Child(lambda: os._exit(0)).result()
    assert not ok and "no result" in why
    big = "x" * (3 << 20)  # larger than a pipe holds: the child waits for the parent to read
    assert forked.Child(lambda: big).result() == (True, big)
    ok, why = forked.Child(lambda: (lambda: 0)).result()  # not picklable
    assert not ok


def test_a_streaming_child_sends_its_parts_in_order():
    import time

    def work(send):
        for i in range(40):
            send(b"%d:" % i + b"x" * (100 << 10))  # 4 MB in all: more than the pipe holds
        return "done"

    child = forked.Child(work, stream=True)
    got = []
    deadline = time.time() + 30
    while len(got) < 5 and time.time() < deadline:  # parts arrive while the child works
        got.extend(child.parts())
    assert got, "no part arrived before the result"
    assert child.result() == (True, "done")
    got.extend(child.parts())
    assert [g.split(b":")[0] for g in got] == [b"%d" % i for i in range(40)]
    assert all(len(g) == len(b"%d:" % i) + (100 << 10) for i, g in enumerate(got))
    assert child.parts() == []


def test_a_streaming_child_that_dies_gives_what_it_sent():
    def work(send):
        send(b"first")
        os._exit(0)

    child = forked.Child(work, stream=True)
    ok, why = child.result()
    assert not ok and "no result" in why
    assert child.parts() == [b"first"]
    ok, why = forked.Child(lambda send: 1 / 0, stream=True).result()
    assert not ok and "ZeroDivisionError" in why


def test_an_abandoned_child_is_stopped_and_reaped():
    import time

    child = forked.Child(lambda: time.sleep(60))
    pid = child.pid
    child.abandon()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.parametrize("weights, parts, first, expected", [
    ([1] * 10, 2, 0.0, [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]),
    ([1] * 10, 2, 0.6, [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9]]),
    ([1] * 9, 3, 0.0, [[0, 1, 2], [3, 4, 5], [6, 7, 8]]),
    ([5, 1, 1, 1], 2, 0.0, [[0], [1, 2, 3]]),
    ([1, 1], 5, 0.0, [[0], [1]]),
    ([3], 2, 0.0, [[0]]),
    ([], 2, 0.0, [[]]),
])
def test_shares(weights, parts, first, expected):
    assert forked.shares(weights, parts, first) == expected


def test_no_fork_without_memory_for_a_copy(tmp_path, counted_children, monkeypatch):
    serial = _evaluated(tmp_path, 1)
    monkeypatch.setattr(forked, "_rss", lambda: 800 << 20)
    monkeypatch.setattr(forked, "_available", lambda: 900 << 20)  # not 800 MB and the margin
    assert not forked.room_for_copy()
    shared = _evaluated(tmp_path, 2)
    assert counted_children == []
    assert _plain(shared) == _plain(serial)
    monkeypatch.setattr(forked, "_available", lambda: 2000 << 20)
    assert forked.room_for_copy()
    monkeypatch.setattr(forked, "_available", lambda: None)  # where the system does not say
    assert forked.room_for_copy()


def test_memory_left_counts_a_control_group_limit(monkeypatch):
    import builtins

    real_open = builtins.open
    files = {"/proc/meminfo": b"MemTotal: 100 kB\nMemAvailable:   4000000 kB\n",
             "/sys/fs/cgroup/memory.max": b"1073741824\n", "/sys/fs/cgroup/memory.current": b"536870912\n"}

    def fake_open(path, mode="r", *args, **kwargs):
        if path in files:
            import io

            return io.BytesIO(files[path])
        if str(path).startswith("/sys/fs/cgroup"):
            raise FileNotFoundError(path)
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    assert forked._available() == 512 << 20  # the group's 1 GiB limit less its 512 MiB in use
    files["/sys/fs/cgroup/memory.max"] = b"max\n"
    assert forked._available() == 4000000 * 1024  # no limit: the system's


def test_a_child_ends_with_its_parent(tmp_path):
    """A scan killed (a cancelled CI job) leaves no child working behind it."""
    import signal
    import subprocess
    import sys
    import time

    pid_file = tmp_path / "child.pid"
    code = (
        "import os, sys, time\n"
        "from iacguard.core import forked\n"
        "child = forked.Child(lambda: (open(sys.argv[1], 'w').write(str(os.getpid())), time.sleep(60)))\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code, str(pid_file)])
    try:
        for _ in range(200):
            if pid_file.exists() and pid_file.read_text():
                break
            time.sleep(0.05)
        child = int(pid_file.read_text())
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        for _ in range(200):
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                break
            with open("/proc/%d/stat" % child) as fh:
                if fh.read().split(") ")[1].startswith("Z"):  # (a zombie, to be reaped by init)
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the child outlived its parent")
    finally:
        parent.kill()


def test_no_fork_while_another_thread_runs(monkeypatch):
    import threading

    monkeypatch.setattr(forked, "room_for_copy", lambda: True)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not forked.available()  # a fork copies one thread: a lock the other holds stays held
    finally:
        stop.set()
        other.join()
    assert forked.available() == (threading.active_count() == 1)


def test_nested_candidates_name_the_files_a_location_may_name():
    from iacguard.cloudformation.loader import Template

    def nesting(*urls, kind="AWS::CloudFormation::Stack", prop="TemplateURL"):
        return Template("/r/p.yaml", {"Resources": {"S%d" % i: {"Type": kind, "Properties": {prop: u}} for i, u in enumerate(urls)}})

    paths = ["/r/p.yaml", "/r/a/child.yaml", "/r/b/child.yaml", "/r/c/other.json", "/r/d/net.template"]
    candidates = cfn_evaluate.nested_candidates
    assert candidates({"/r/p.yaml": nesting("a/child.yaml")}, paths) == {"/r/a/child.yaml", "/r/b/child.yaml"}
    assert candidates({"/r/p.yaml": nesting("https://bucket.s3.amazonaws.com/x/other.json?versionId=2")}, paths) == {"/r/c/other.json"}
    assert candidates({"/r/p.yaml": nesting({"Fn::Sub": "https://${Bucket}.s3.amazonaws.com/${Prefix}net.template"})}, paths) == {"/r/d/net.template"}
    assert candidates({"/r/p.yaml": nesting({"Ref": "Url"})}, paths) is None  # any file may be named
    assert candidates({"/r/p.yaml": nesting({"ApplicationId": "arn:aws:serverlessrepo:...", "SemanticVersion": "1.0.0"},
                                            kind="AWS::Serverless::Application", prop="Location")}, paths) == set()
    assert candidates({"/r/p.yaml": Template("/r/p.yaml", {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})}, paths) == set()
