"""`ResourceGraph.referenced_at` with its per-node memo of what a symbol leads to (issue 17):
the same answers as a walk from each resource, through chains of symbols, cycles between them,
a chain leading back to the asking resource, and type filters; and `build` gives the edges
`add_reference` one by one gives."""
from __future__ import annotations

from collections import deque

from iacguard.core.model import TERRAFORM, LanguageResult, Location, Reference, Resource, Symbol
from iacguard.graph import ResourceGraph, _PASS_THROUGH


def _res(rid: str, rtype: str) -> Resource:
    return Resource(id=rid, address=rid, type=rtype, language=TERRAFORM, properties={}, location=Location("main.tf", 1, 1))


def _result() -> LanguageResult:
    r = LanguageResult()
    r.resources = [_res("a", "aws_instance"), _res("b", "aws_security_group"), _res("c", "aws_security_group"), _res("d", "aws_iam_role")]
    r.symbols = [Symbol(s, "local", s) for s in ("l1", "l2", "l3", "loop1", "loop2")]
    refs = [
        ("a", "l1", ("vpc_security_group_ids", 0)), ("l1", "l2", ()), ("l2", "b", ()), ("l2", "l3", ()), ("l3", "c", ()),
        ("a", "loop1", ("iam_instance_profile",)), ("loop1", "loop2", ()), ("loop2", "loop1", ()), ("loop2", "a", ()), ("loop2", "d", ()),
        ("b", "l3", ("ingress", 0, "security_groups")), ("c", "l2", ("egress", 1, "security_groups")), ("c", "d", ("name",)),
        ("d", "a", ("assume_role_policy",)), ("missing", "a", ()), ("a", "nowhere", ()),
    ]
    r.references = [Reference(s, t, p, "", "reference") for s, t, p in refs]
    return r


def _naive(graph: ResourceGraph, res: Resource, patterns: tuple, types: tuple = (), exact: bool = False) -> list:
    """The walk `referenced_at` made before its memo: a search per group of first nodes."""
    starts: dict = {}
    for _, dst, data in graph.g.out_edges(res.id, data=True):
        if data.get("kind") not in _PASS_THROUGH:
            continue
        path = data.get("path", ())
        keys = tuple(step for step in path if not isinstance(step, int))
        for p in patterns:
            if (path if exact else keys)[: len(p)] == p:
                starts.setdefault(path, []).append(dst)
                break
    found: dict = {}
    for first in starts.values():
        seen = {res.id}
        queue = deque(first)
        while queue:
            node = queue.popleft()
            if node in seen:
                continue
            seen.add(node)
            other = graph.g.nodes[node].get("resource")
            if other is not None:
                if not types or other.type in types:
                    found.setdefault(other.id, other)
                continue
            queue.extend(dst for _, dst, data in graph.g.out_edges(node, data=True) if data.get("kind") in _PASS_THROUGH)
    return [found[k] for k in sorted(found)]


PATTERNS = [
    (("vpc_security_group_ids",),), (("iam_instance_profile",),), (("vpc_security_group_ids",), ("iam_instance_profile",)),
    (("ingress", "security_groups"),), (("egress",),), (("name",), ("egress",)), (("assume_role_policy",),), (("tags",),),
]


def test_referenced_at_matches_a_walk_per_resource():
    graph = ResourceGraph.build([_result()])
    for res in graph.resources:
        for patterns in PATTERNS:
            for types in ((), ("aws_security_group",), ("aws_iam_role", "aws_instance")):
                assert graph.referenced_at(res, patterns, types) == _naive(graph, res, patterns, types), (res.id, patterns, types)
        assert graph.referenced_at(res, (("egress", 1),), exact=True) == _naive(graph, res, (("egress", 1),), exact=True)


def test_a_chain_back_to_the_resource_leaves_it_out():
    graph = ResourceGraph.build([_result()])
    a = graph.resource("a")
    assert [r.id for r in graph.referenced_at(a, (("iam_instance_profile",),))] == ["d"]  # loop2 -> a is left out
    assert [r.id for r in graph.referenced_at(a, (("vpc_security_group_ids",),))] == ["b", "c"]
    # Asked twice (the memo answers the second): the same.
    assert [r.id for r in graph.referenced_at(a, (("vpc_security_group_ids",),), ("aws_security_group",))] == ["b", "c"]


def test_memo_goes_when_a_reference_is_added():
    graph = ResourceGraph.build([_result()])
    a = graph.resource("a")
    assert [r.id for r in graph.referenced_at(a, (("vpc_security_group_ids",),))] == ["b", "c"]
    graph.add_reference(Reference("l3", "d", (), "", "reference"))
    assert [r.id for r in graph.referenced_at(a, (("vpc_security_group_ids",),))] == ["b", "c", "d"]


def test_build_gives_the_edges_add_reference_gives():
    result = _result()
    built = ResourceGraph.build([result])
    one_by_one = ResourceGraph()
    for res in result.resources:
        one_by_one.add_resource(res)
    for sym in result.symbols:
        one_by_one.g.add_node(sym.id, symbol=sym)
    for ref in result.references:
        one_by_one.add_reference(ref)
    assert list(built.g.edges(keys=True, data=True)) == list(one_by_one.g.edges(keys=True, data=True))
    assert list(built.g.nodes(data=True)) == list(one_by_one.g.nodes(data=True))
