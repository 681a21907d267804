"""The storage behind `ResourceGraph.g`: a directed multigraph with attribute dictionaries.

The graph only ever stored nodes and keyed parallel edges and walked them by node; importing
networkx for that cost every scan 50-70 ms (it pulls in importlib.metadata, email, zipfile and
hundreds of algorithm modules) for nothing it used. This is the part of networkx's MultiDiGraph
interface the scanner asks, with the same semantics, so that orders (and so reports) are
unchanged:

- nodes in insertion order; `add_node` on a known node updates its attributes;
- `add_edge(u, v, **attr)` adds missing nodes, keys parallel edges with the lowest unused
  integer and returns the key; `_succ[u][v]` and `_pred[v][u]` are one dictionary
  {key: attributes}, so both directions see one edge;
- `out_edges` / `in_edges` / `edges` iterate neighbours in insertion order and keys in order,
  giving (u, v[, key][, data]) tuples, `data` being True (the attribute dictionary) or an
  attribute name (its value, or `default`);
- `remove_edge(u, v, key)` drops the neighbour once its last key goes (so an edge drawn again
  comes last, as in networkx).

No reference cycles: a dropped graph is freed by reference counting.
"""
from __future__ import annotations

__all__ = ["MultiDiGraph"]


class NodeView:
    """`g.nodes`: a mapping node -> attributes, and callable as `g.nodes(data=...)`."""

    __slots__ = ("_node",)

    def __init__(self, node: dict) -> None:
        self._node = node

    def __call__(self, data=False, default=None):
        if data is False:
            return iter(self._node)
        if data is True:
            return iter(self._node.items())
        return ((n, d.get(data, default)) for n, d in self._node.items())

    def __getitem__(self, n):
        return self._node[n]

    def get(self, n, default=None):
        return self._node.get(n, default)

    def __contains__(self, n) -> bool:
        return n in self._node

    def __iter__(self):
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)


def _edge(u, v, k, d, keys, data, default):
    if data is False:
        return (u, v, k) if keys else (u, v)
    value = d if data is True else d.get(data, default)
    return (u, v, k, value) if keys else (u, v, value)


class MultiDiGraph:
    __slots__ = ("_node", "_succ", "_pred", "nodes")

    def __init__(self) -> None:
        self._node: dict = {}
        self._succ: dict = {}
        self._pred: dict = {}
        self.nodes = NodeView(self._node)

    def __contains__(self, n) -> bool:
        try:
            return n in self._node
        except TypeError:
            return False

    def __len__(self) -> int:
        return len(self._node)

    def add_node(self, n, **attr) -> None:
        known = self._node.get(n)
        if known is None:
            self._succ[n] = {}
            self._pred[n] = {}
            self._node[n] = attr
        else:
            known.update(attr)

    def add_edge(self, u, v, **attr) -> int:
        if u not in self._node:
            self.add_node(u)
        if v not in self._node:
            self.add_node(v)
        keydict = self._succ[u].get(v)
        if keydict is None:
            keydict = self._succ[u][v] = self._pred[v][u] = {}
        key = len(keydict)
        while key in keydict:
            key += 1
        keydict[key] = attr
        return key

    def remove_edge(self, u, v, key) -> None:
        keydict = self._succ[u][v]
        del keydict[key]
        if not keydict:
            del self._succ[u][v]
            del self._pred[v][u]

    def out_edges(self, n, data=False, keys: bool = False, default=None):
        for v, keydict in self._succ.get(n, {}).items():
            for k, d in keydict.items():
                yield _edge(n, v, k, d, keys, data, default)

    def in_edges(self, n, data=False, keys: bool = False, default=None):
        for u, keydict in self._pred.get(n, {}).items():
            for k, d in keydict.items():
                yield _edge(u, n, k, d, keys, data, default)

    def edges(self, data=False, keys: bool = False, default=None):
        for u, nbrs in self._succ.items():
            for v, keydict in nbrs.items():
                for k, d in keydict.items():
                    yield _edge(u, v, k, d, keys, data, default)

    def clear(self) -> None:
        self._node.clear()
        self._succ.clear()
        self._pred.clear()
