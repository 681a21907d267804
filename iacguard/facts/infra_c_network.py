"""Network facts of the catalogue slice "infra_c" (issue 13): where in-memory data stores run.

Kinds:
  cache_cluster_network  an ElastiCache cluster or replication group, or a MemoryDB cluster, and
                    whether a subnet of its subnet group routes to an internet gateway (the test
                    of AWS-EMR-402: `infra_b_edge.routes_to_internet_gateway`)

The subnet group is found through the reference the cluster's name setting holds (a resource
attribute, a `Ref`, through variables, module inputs and outputs, stack parameters), else by its
literal name among the subnet groups of the same root. A cluster that names no subnet group uses
the service's `default` subnet group (in the default VPC), which is not in the scan: not judged.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import is_unknown
from .common import Attr, managed
from .infra_b_edge import _SUBNETS, routes_to_internet_gateway

# cluster type -> (property naming its subnet group, subnet group types)
_ELASTICACHE_GROUPS = ("aws_elasticache_subnet_group", "AWS::ElastiCache::SubnetGroup")
_MEMORYDB_GROUPS = ("aws_memorydb_subnet_group", "AWS::MemoryDB::SubnetGroup")
CLUSTERS = {
    "aws_elasticache_cluster": ("subnet_group_name", _ELASTICACHE_GROUPS),
    "aws_elasticache_replication_group": ("subnet_group_name", _ELASTICACHE_GROUPS),
    "aws_memorydb_cluster": ("subnet_group_name", _MEMORYDB_GROUPS),
    "AWS::ElastiCache::CacheCluster": ("CacheSubnetGroupName", _ELASTICACHE_GROUPS),
    "AWS::ElastiCache::ReplicationGroup": ("CacheSubnetGroupName", _ELASTICACHE_GROUPS),
    "AWS::MemoryDB::Cluster": ("SubnetGroupName", _MEMORYDB_GROUPS),
}
# subnet group type -> (property holding its name, property holding its subnets)
GROUPS = {
    "aws_elasticache_subnet_group": ("name", "subnet_ids"),
    "aws_memorydb_subnet_group": ("name", "subnet_ids"),
    "AWS::ElastiCache::SubnetGroup": ("CacheSubnetGroupName", "SubnetIds"),
    "AWS::MemoryDB::SubnetGroup": ("SubnetGroupName", "SubnetIds"),
}


@dataclass(frozen=True, slots=True)
class CacheClusterNetwork:
    """A cache or search cluster's subnets, and whether one is public."""

    resource: Resource
    service: str  # "ElastiCache cluster", "ElastiCache replication group" or "MemoryDB cluster", for messages
    # True (a subnet of its subnet group routes to an internet gateway; at the subnet group
    # setting), False (no subnet group named, one outside the scan, no public subnet), or Unknown
    # (the subnet group, or its subnet list as a whole, is not known; at the setting).
    public_subnet: Attr
    what: str  # the setting an Unknown is at ("subnet_group_name", "SubnetIds", ...)
    group: Resource | None  # the subnet group with the public subnets
    subnets: tuple  # the public subnets found, for messages


def _names_by_root(graph: ResourceGraph) -> dict:
    """(root, group types, literal name) -> subnet groups, and (root, group types, None) ->
    subnet groups with a public subnet whose name is not known (a literal name may be theirs):
    one pass over the subnet groups."""
    index: dict = {}
    for group in managed(graph, *GROUPS):
        name = group.get(GROUPS[group.type][0])
        family = _MEMORYDB_GROUPS if group.type in _MEMORYDB_GROUPS else _ELASTICACHE_GROUPS
        if isinstance(name, str):
            # ElastiCache stores subnet group names in lowercase; MemoryDB names are lowercase only.
            index.setdefault((graph.root_of(group), family, name.lower()), []).append(group)
        elif is_unknown(name) and _public_subnets(graph, group)[0]:  # only those that would matter
            index.setdefault((graph.root_of(group), family, None), []).append(group)
    return index


def _public_subnets(graph: ResourceGraph, group: Resource) -> tuple:
    """(public subnets of the scan the group lists, subnets of the scan it lists)."""
    subnets = graph.referenced_at(group, ((GROUPS[group.type][1],),), _SUBNETS)
    return tuple(s for s in subnets if routes_to_internet_gateway(graph, s)), subnets


def cache_cluster_networks(graph: ResourceGraph) -> list:
    out = []
    by_name = None
    for res in managed(graph, *CLUSTERS):
        key, group_types = CLUSTERS[res.type]
        service = "MemoryDB cluster" if group_types is _MEMORYDB_GROUPS else "ElastiCache replication group" if "eplication" in res.type else "ElastiCache cluster"
        raw = res.get(key)
        groups = graph.referenced_at(res, ((key,),), group_types)
        if not groups and isinstance(raw, str):
            if by_name is None:
                by_name = _names_by_root(graph)
            groups = by_name.get((graph.root_of(res), group_types, raw.lower()), [])
            # A literal name no group of the root has: it may be a public one whose name is not known.
            maybe = None if groups else by_name.get((graph.root_of(res), group_types, None))
            if maybe:
                name_key = GROUPS[maybe[0].type][0]
                out.append(CacheClusterNetwork(res, service, Attr(maybe[0].get(name_key), maybe[0].location_of(name_key), True), "%s of %s" % (name_key, maybe[0].address), maybe[0], ()))
                continue
        if not groups:
            if is_unknown(raw):
                out.append(CacheClusterNetwork(res, service, Attr(raw, res.location_of(key), True), key, None, ()))
            else:  # none named (the default subnet group), or one outside the scan: not judged
                out.append(CacheClusterNetwork(res, service, Attr(False, res.location, False), key, None, ()))
            continue
        found = None
        unknown = None
        for group in groups:
            subnets_key = GROUPS[group.type][1]
            public, subnets = _public_subnets(graph, group)
            if public:
                found = (group, public)
                break
            listed = group.get(subnets_key)
            if not subnets and is_unknown(listed) and unknown is None:
                unknown = (group, subnets_key, listed)
        if found:
            out.append(CacheClusterNetwork(res, service, Attr(True, res.location_of(key), True), key, found[0], found[1]))
        elif unknown:
            group, subnets_key, listed = unknown
            out.append(CacheClusterNetwork(res, service, Attr(listed, group.location_of(subnets_key), True), "%s of %s" % (subnets_key, group.address), group, ()))
        else:
            out.append(CacheClusterNetwork(res, service, Attr(False, res.location_of(key), True), key, None, ()))
    return out
