"""Network ACL entries in all their forms (issue 13, slice infra_a), normalized like security
group rules (`iacguard.facts.network`): inline `ingress`/`egress` blocks of `aws_network_acl`
and `aws_default_network_acl`, `aws_network_acl_rule` and `AWS::EC2::NetworkAclEntry`."""
from __future__ import annotations

from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import managed, strings
from .network import SecurityGroupRule, Source, _ports, _source, normalize_protocol


@dataclass(frozen=True, slots=True)
class NetworkAclEntry:
    """One entry of a network ACL, whichever resource declares it: `direction` is "ingress",
    "egress" or Unknown; `action` "allow", "deny" or Unknown; protocol and ports as in
    `SecurityGroupRule` (protocol "all" or ports -1 cover every port)."""

    resource: Resource
    direction: Any
    action: Any
    protocol: Any
    from_port: Any
    to_port: Any
    sources: tuple  # tuple[network.Source]: the IPv4 or IPv6 range of the entry
    location: Location
    action_location: Location
    direction_location: Location

    # The same questions as a security group rule's, asked the same way.
    covers_port = SecurityGroupRule.covers_port
    covers_all_ports = SecurityGroupRule.covers_all_ports
    unknown_port = SecurityGroupRule.unknown_port
    maybe_world_sources = SecurityGroupRule.maybe_world_sources


def _action(raw: Any) -> Any:
    if is_unknown(raw):
        return raw
    if raw is None:
        return Unknown("rule action not set")
    text = str(raw).strip().lower()
    return text if text in ("allow", "deny") else Unknown("rule action %r" % (raw,))


def _direction(raw: Any, default: bool = False) -> Any:
    egress = default if raw is None else as_bool(raw)
    if is_unknown(egress):
        return egress
    return "egress" if egress else "ingress"


def _sources(res: Resource, path: tuple, item: dict, keys: tuple) -> tuple:
    out = []
    for key in keys:
        raw = item.get(key)
        if raw is None:
            continue
        loc = res.location_of(*path, key)
        out.extend(_source(c, loc) for c in strings(raw))
    return tuple(out)


def _tf_entry(res: Resource, path: tuple, direction: Any, item: dict, action_key: str, dir_loc: Location) -> NetworkAclEntry:
    protocol = normalize_protocol(item.get("protocol"))
    lo, hi = _ports(protocol, item.get("from_port"), item.get("to_port"))
    if protocol in ("icmp", "icmpv6") and (is_unknown(lo) or is_unknown(hi)):
        lo, hi = 0, 65535  # ICMP has no ports: the entry admits every ICMP message
    loc = res.location_of(*path) if path else res.location
    return NetworkAclEntry(res, direction, _action(item.get(action_key)), protocol, lo, hi,
                           _sources(res, path, item, ("cidr_block", "ipv6_cidr_block")),
                           loc, res.location_of(*path, action_key), dir_loc)


def network_acl_entries(graph: ResourceGraph) -> list:
    out: list = []
    for res in managed(graph, "aws_network_acl", "aws_default_network_acl"):
        for direction in ("ingress", "egress"):
            listed = res.properties.get(direction)
            if is_unknown(listed):  # the entries are not known: one entry saying so
                loc = res.location_of(direction)
                out.append(NetworkAclEntry(res, direction, listed, listed, listed, listed, (Source(listed, loc),), loc, loc, loc))
                continue
            for i, block in enumerate(res.blocks(direction)):
                out.append(_tf_entry(res, (direction, i), direction, block, "action", res.location_of(direction, i)))
    for res in managed(graph, "aws_network_acl_rule"):
        direction = _direction(res.properties.get("egress"))
        out.append(_tf_entry(res, (), direction, res.properties, "rule_action", res.location_of("egress")))
    for res in managed(graph, "AWS::EC2::NetworkAclEntry"):
        props = res.properties
        protocol = normalize_protocol(props.get("Protocol"))
        ports = props.get("PortRange")
        if protocol == "all" or protocol in ("icmp", "icmpv6"):
            lo, hi = 0, 65535  # all protocols, or ICMP (no ports): every port
        elif isinstance(ports, dict):
            lo, hi = _ports(protocol, ports.get("From"), ports.get("To"))
        elif is_unknown(ports):
            lo = hi = ports
        else:
            lo, hi = 0, 65535  # a TCP/UDP entry without a range covers every port
        out.append(NetworkAclEntry(
            res, _direction(props.get("Egress")), _action(props.get("RuleAction")), protocol, lo, hi,
            _sources(res, (), props, ("CidrBlock", "Ipv6CidrBlock")),
            res.location, res.location_of("RuleAction"), res.location_of("Egress"),
        ))
    return out
