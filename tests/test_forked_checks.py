"""The checks of the IAM kinds run in a forked process on a large graph (issue 17): the scan's
result is the one running every check in one process gives, findings naming this process's
resources, whatever the child does (fails, dies, sends garbage)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from iacguard import engine
from iacguard.core import forked
from forking import count_children

pytestmark = [pytest.mark.skipif(not forked.supported(), reason="fork-based sharing is Linux only"), pytest.mark.catalogue("all")]

SAMPLE = Path(__file__).resolve().parent.parent / "sample_iac"
# Attack paths (AWS-PATH-001, of the IAM kinds): the entry points are computed in the child.
PATHS = Path(__file__).resolve().parent / "exposure" / "fixtures" / "paths"


@pytest.fixture(params=[SAMPLE, PATHS], ids=["sample", "paths"])
def tree(tmp_path, request):
    dest = tmp_path / "tree"
    shutil.copytree(request.param, dest)
    return str(dest)


@pytest.fixture
def children(monkeypatch):
    """Every child forked, counted; checks shared from one resource on."""
    made = count_children(monkeypatch)
    monkeypatch.setattr(engine, "_FORK_CHECKS_MIN_RESOURCES", 1)
    return made


def _said(result) -> tuple:
    """What a scan reports, comparable."""
    return (
        [(f.check_id, f.resource.id, f.message, f.location, f.conditions, f.related, f.root, f.severity,
          [(s.resource.id, s.message, s.location, s.missing) for s in f.path]) for f in result.findings],
        [(u.check_id, u.resource.id, u.what, u.reason, u.location, u.related) for u in result.undecided],
        [(s.resource.id, s.message, s.location) for s in result.entry_points],
        result.notifications, result.unknowns, result.files, result.resources,
    )


def _scan(tree, jobs):
    return engine.scan([tree], jobs=jobs, cwd=os.path.dirname(tree))


def test_forked_checks_give_what_one_process_gives(tree, children):
    alone = _scan(tree, 1)
    assert children == []
    shared = _scan(tree, 2)
    assert len(children) == 1  # the IAM checks ran in a child
    assert _said(shared) == _said(alone)
    # Findings of both groups; in the paths tree, attack paths and entry points computed there.
    ids = {f.check_id for f in shared.findings}
    assert any(c.startswith(("AWS-IAM-", "AWS-PATH-")) for c in ids) and any(not c.startswith(("AWS-IAM-", "AWS-PATH-")) for c in ids)
    if tree.endswith("tree") and "AWS-PATH-001" in ids:
        assert shared.entry_points and any(f.path for f in shared.findings)


def test_findings_of_the_child_name_this_process_resources(tree, children, monkeypatch):
    seen = {}
    real = engine._analyse

    def spy(*args, **kwargs):
        analysis = real(*args, **kwargs)
        seen["graph"] = analysis.graph
        seen["findings"] = list(analysis.findings)
        return analysis

    monkeypatch.setattr(engine, "_analyse", spy)
    _scan(tree, 2)
    graph = seen["graph"]
    # (a project-level finding names a resource of its own, not in the graph: AWS-IAM-100's root)
    iam = [f for f in seen["findings"] if f.check_id.startswith(("AWS-IAM-", "AWS-PATH-")) and graph.resource(f.resource.id) is not None]
    assert iam
    assert all(graph.resource(f.resource.id) is f.resource for f in iam)
    assert all(graph.resource(s.resource.id) is s.resource for f in iam for s in f.path)


@pytest.mark.parametrize("how", ["raises", "dies", "garbage", "misshapen"])
def test_a_failing_child_leaves_its_checks_here(tree, children, monkeypatch, how):
    alone = _scan(tree, 1)
    real = engine._checks_sent
    if how == "misshapen":  # the outcomes as they are, not digested
        monkeypatch.setattr(engine, "_checks_sent", lambda checks, facts, graph, digest: real(checks, facts, graph, lambda outcomes: outcomes))
    elif how == "raises":
        monkeypatch.setattr(engine, "_checks_sent", lambda *a: 1 / 0)
    elif how == "dies":
        monkeypatch.setattr(engine, "_checks_sent", lambda *a: os._exit(0))
    else:
        monkeypatch.setattr(engine, "_checks_sent", lambda *a: b"not a pickle")
    shared = _scan(tree, 2)
    assert len(children) == 1
    assert _said(shared) == _said(alone)


def test_a_resource_the_child_names_must_exist_here(tree):
    graph = engine.build_graph([tree]).graph
    from iacguard.core.model import Location, Resource

    stranger = Resource("not-in-graph", "x", "aws_s3_bucket", "terraform", {}, Location("/x", 1, 1))
    member = graph.resources[0]

    class Facts:
        _cache: dict = {}

    class Check:
        def __init__(self, items):
            self.items = items

        def evaluate(self, facts):
            return self.items

    data = engine._checks_sent([Check([member, stranger])], Facts(), graph, lambda outcomes: outcomes)
    (outcome,), steps = engine._checks_received(data, graph)
    assert outcome[0][0] is member  # by id: this process's own object
    assert outcome[0][1] is not stranger and outcome[0][1].id == "not-in-graph"  # by value
    other = engine.build_graph([tree]).graph
    other.resource = lambda node_id: None  # a graph without that resource: nothing is read back
    assert engine._checks_received(data, other) is None


def test_small_graphs_and_one_job_fork_nothing(tree, monkeypatch):
    made = []
    monkeypatch.setattr(forked, "Child", lambda fn: made.append(fn))
    _scan(tree, 4)  # under the default threshold
    monkeypatch.setattr(engine, "_FORK_CHECKS_MIN_RESOURCES", 1)
    _scan(tree, 1)
    assert made == []
