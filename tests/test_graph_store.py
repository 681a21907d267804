"""The graph's storage (iacguard.graph.store.MultiDiGraph) answers as networkx's MultiDiGraph did,
orders included: the same random sequence of operations applied to both gives the same views."""
from __future__ import annotations

import random

import pytest

from iacguard.graph.store import MultiDiGraph


def _views(g) -> dict:
    nodes = list(g.nodes)
    return {
        "nodes": nodes,
        "nodes_data": [(n, dict(d)) for n, d in g.nodes(data=True)],
        "symbol": list(g.nodes(data="symbol")),
        "edges": list(g.edges(keys=True, data=True)),
        "out": {n: list(g.out_edges(n, data=True)) for n in nodes},
        "out_kind": {n: list(g.out_edges(n, data="kind")) for n in nodes},
        "in": {n: list(g.in_edges(n, data=True)) for n in nodes},
        "succ": {n: {v: dict(k) for v, k in g._succ[n].items()} for n in nodes},
        "len": len(g),
    }


def _replay(g, ops) -> None:
    for op in ops:
        if op[0] == "node":
            g.add_node(op[1], **op[2])
        elif op[0] == "edge":
            g.add_edge(op[1], op[2], **op[3])
        elif op[0] == "remove":
            g.remove_edge(op[1], op[2], op[3])


@pytest.mark.parametrize("seed", range(20))
def test_same_answers_as_networkx(seed):
    nx = pytest.importorskip("networkx")
    rnd = random.Random(seed)
    names = ["n%d" % i for i in range(12)]
    ops: list = []
    edges: list = []  # (u, v, key) present, as networkx would key them
    ref = nx.MultiDiGraph()
    for _ in range(200):
        roll = rnd.random()
        if roll < 0.25:
            op = ("node", rnd.choice(names), rnd.choice([{}, {"resource": rnd.randint(0, 9)}, {"symbol": rnd.randint(0, 9)}]))
        elif roll < 0.85 or not edges:
            op = ("edge", rnd.choice(names), rnd.choice(names), {"kind": rnd.choice(["reference", "module_input", "rel"]), "path": (rnd.randint(0, 3),)})
        else:
            u, v, k = edges.pop(rnd.randrange(len(edges)))
            op = ("remove", u, v, k)
        if op[0] == "edge":
            edges.append((op[1], op[2], ref.add_edge(op[1], op[2], **op[3])))
        else:
            _replay(ref, [op])
        ops.append(op)
    ours = MultiDiGraph()
    _replay(ours, ops)
    assert _views(ours) == _views(ref)
    assert all((n in ours) == (n in ref) for n in names + ["missing", None])
    assert ours.nodes.get("missing") is None and ours.nodes.get(names[0]) == ref.nodes.get(names[0])
    ours.clear()
    assert len(ours) == 0 and list(ours.edges()) == []


def test_keys_and_membership():
    g = MultiDiGraph()
    assert g.add_edge("a", "b", kind="x") == 0
    assert g.add_edge("a", "b", kind="y") == 1
    g.remove_edge("a", "b", 0)
    assert g.add_edge("a", "b", kind="z") == 2  # as networkx: from the count of keys, up to the first unused
    assert "a" in g and ["unhashable"] not in g
    assert list(g.out_edges("missing")) == [] and list(g.in_edges("missing")) == []


def test_to_networkx_gives_the_same_graph():
    import os

    from iacguard.engine import build_graph

    nx = pytest.importorskip("networkx")
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sample_iac")
    graph = build_graph([root]).graph
    graph.related(graph.resources[0], "attached_role")  # relations are drawn on the first question
    out = graph.to_networkx()
    assert isinstance(out, nx.MultiDiGraph)
    assert list(out.nodes(data=True)) == list(graph.g.nodes(data=True))
    assert list(out.edges(keys=True, data=True)) == list(graph.g.edges(keys=True, data=True))
    assert out.number_of_nodes() > len(graph.resources) > 50
    assert any(d.get("relation") for _, _, d in out.edges(data=True))
