"""What the relation builders share: a table row for "a property of this resource refers to
that resource", and a join for "this association resource ties these two together".

Builders index by type once (`graph.of_type`) and follow only the references held at the
properties named, so building stays linear in the number of resources and references."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Link:
    """Resources of `sources` whose properties at `paths` refer to resources of `targets`
    stand in relation `kind` to them (to them from them, when `reverse`)."""

    kind: str
    sources: tuple
    paths: tuple  # property paths (keys only, list indexes skipped), each a tuple
    targets: tuple
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class Join:
    """A resource of `via` referring to resources of `left` (at `left_paths`) and of `right`
    (at `right_paths`) puts each left one in relation `kind` to each right one."""

    kind: str
    via: tuple
    left_paths: tuple
    left: tuple
    right_paths: tuple
    right: tuple


def draw(graph, rows) -> None:
    for row in rows:
        if isinstance(row, Link):
            for src in graph.of_type(*row.sources):
                for tgt in graph.referenced_at(src, row.paths, row.targets):
                    if row.reverse:
                        graph.add_relation(tgt, src, row.kind)
                    else:
                        graph.add_relation(src, tgt, row.kind)
        else:
            for via in graph.of_type(*row.via):
                lefts = graph.referenced_at(via, row.left_paths, row.left)
                if not lefts:
                    continue
                for right in graph.referenced_at(via, row.right_paths, row.right):
                    for left in lefts:
                        graph.add_relation(left, right, row.kind)


def paths(*names: str) -> tuple:
    """("a.b", "c") -> (("a", "b"), ("c",))"""
    return tuple(tuple(n.split(".")) for n in names)
