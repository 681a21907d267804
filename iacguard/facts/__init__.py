"""Normalized facts: language-neutral views of resources, built from the graph.

Adapters (one module per domain) map each language's resource types, their split companion
resources and the provider defaults onto one view per concept, with three-valued answers
(True / False / Unknown) and the location that justifies each answer. Checks read these views
only; they never see a parser, the graph library or an output format.

Kinds (the names checks declare in `Check.kinds`):
  security_group_rule, bucket, database, volume, policy_statement, trail, load_balancer
"""
from __future__ import annotations

from functools import cached_property

from ..graph import ResourceGraph
from . import iam, logging_, network, storage

KINDS = {
    "security_group_rule": network.security_group_rules,
    "load_balancer": network.load_balancers,
    "bucket": storage.buckets,
    "database": storage.databases,
    "volume": storage.volumes,
    "policy_statement": iam.policy_statements,
    "trail": logging_.trails,
}


class Facts:
    """The questions checks may ask. Each kind is computed once per scan, on first use."""

    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        self._cache: dict = {}

    def of_kind(self, kind: str) -> list:
        if kind not in self._cache:
            self._cache[kind] = KINDS[kind](self.graph)
        return self._cache[kind]

    @cached_property
    def resource_count(self) -> int:
        return len(self.graph.resources)


__all__ = ["Facts", "KINDS"]
