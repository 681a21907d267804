"""Network facts: security group rules in all their forms, and load balancers with their WAF."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown, as_bool, as_int, is_unknown
from .common import Attr, strings, value

_PROTOCOLS = {"-1": "all", "all": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def normalize_protocol(raw: Any) -> Any:
    if is_unknown(raw):
        return raw
    if raw is None:
        return Unknown("protocol not set")
    text = str(raw).strip().lower()
    return _PROTOCOLS.get(text, text)


ALL_PORTS = (0, 65535)


@dataclass(frozen=True, slots=True)
class Source:
    cidr: Any  # str (as written, without surrounding blanks) or Unknown
    location: Location

    def is_world(self) -> Any:
        """True when the range is the whole internet (0.0.0.0/0 or ::/0, however written: `::0/0`,
        `0.0.0.0/0` with host bits...), False for any other range or text, Unknown when the range
        cannot be known."""
        if is_unknown(self.cidr):
            return self.cidr
        if not isinstance(self.cidr, str):
            return False
        try:
            return ipaddress.ip_network(self.cidr, strict=False).prefixlen == 0
        except ValueError:
            return False


@dataclass(frozen=True, slots=True)
class SecurityGroupRule:
    """One rule of a security group, whichever resource declares it, normalized: `protocol` is a
    name ("all", "tcp", "udp", "icmp", "icmpv6") or another protocol number as text; the port
    range is two ints, 0-65535 when the rule covers every port (protocol all, or CloudFormation's
    -1/-1), or Unknown bounds."""

    resource: Resource  # the resource that holds the rule (group or separate rule resource)
    direction: str  # "ingress" | "egress"
    protocol: Any  # "all", "tcp", "udp", "icmp", "icmpv6", another number as text, or Unknown
    from_port: Any  # int or Unknown
    to_port: Any  # int or Unknown
    sources: tuple  # tuple[Source]: CIDR ranges (IPv4 and IPv6) the rule admits
    location: Location  # the rule itself (inline block/item, or the rule resource)

    def covers_port(self, port: int) -> Any:
        """True/False, or Unknown when the ports cannot be known."""
        if self.protocol == "all":
            return True
        unknown = self.unknown_port()
        if unknown is not None:
            return unknown
        lo, hi = self.from_port, self.to_port
        return lo <= port <= hi

    def covers_all_ports(self) -> Any:
        """True when the range spans every port (0-65535, or wider), Unknown when not known."""
        if self.protocol == "all":
            return True
        unknown = self.unknown_port()
        if unknown is not None:
            return unknown
        return self.from_port <= ALL_PORTS[0] and self.to_port >= ALL_PORTS[1]

    def unknown_port(self) -> Any:
        """The Unknown bound of the port range (the lower first), or None when both are known."""
        for bound in (self.from_port, self.to_port):
            if is_unknown(bound):
                return bound
        return None

    def world_sources(self) -> list:
        """The sources that are the whole internet."""
        return [s for s in self.sources if s.is_world() is True]

    def maybe_world_sources(self) -> list:
        """The sources that are, or may be (not known), the whole internet, in rule order."""
        return [s for s in self.sources if s.is_world() is not False]

    def is_world_open(self) -> Any:
        """True when a source is the whole internet, else Unknown when a source is not known,
        else False."""
        unknown = None
        for s in self.sources:
            world = s.is_world()
            if world is True:
                return True
            if unknown is None and is_unknown(world):
                unknown = world
        return unknown if unknown is not None else False


def _ports(protocol: Any, lo: Any, hi: Any) -> tuple:
    """(from, to) as ints: every port for protocol "all" and for -1/-1 (CloudFormation's way of
    saying all ports, also ICMP's all types); an unset upper bound is the lower one."""
    if not is_unknown(protocol) and protocol == "all":
        return ALL_PORTS
    lo = as_int(lo) if lo is not None else Unknown("from port not set")
    hi = as_int(hi) if hi is not None else lo
    if lo == -1 and hi == -1:
        return ALL_PORTS
    return lo, hi


def _source(cidr: Any, loc: Location) -> Source:
    return Source(cidr.strip() if isinstance(cidr, str) else cidr, loc)


def _tf_rule(res: Resource, path: tuple, direction: str, item: dict, protocol_key: str = "protocol") -> SecurityGroupRule:
    protocol = normalize_protocol(item.get(protocol_key))
    lo, hi = _ports(protocol, item.get("from_port"), item.get("to_port"))
    sources = []
    for key in ("cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"):
        raw = item.get(key)
        if raw is None:
            continue
        loc = res.location_of(*path, key)
        sources.extend(_source(c, loc) for c in strings(raw))
    loc = res.location_of(*path) if path else res.location
    return SecurityGroupRule(res, direction, protocol, lo, hi, tuple(sources), loc)


def _cfn_rule(res: Resource, path: tuple, direction: str, item: dict) -> SecurityGroupRule:
    protocol = normalize_protocol(item.get("IpProtocol"))
    lo, hi = _ports(protocol, item.get("FromPort"), item.get("ToPort"))
    sources = []
    for key in ("CidrIp", "CidrIpv6", "CidrIp6"):
        raw = item.get(key)
        if raw is None:
            continue
        loc = res.location_of(*path, key)
        sources.extend(_source(c, loc) for c in strings(raw))
    loc = res.location_of(*path) if path else res.location
    return SecurityGroupRule(res, direction, protocol, lo, hi, tuple(sources), loc)


def security_group_rules(graph: ResourceGraph) -> list:
    rules: list = []
    for res in graph.of_type("aws_security_group", "aws_default_security_group"):
        for direction in ("ingress", "egress"):
            for i, block in enumerate(res.blocks(direction)):
                rules.append(_tf_rule(res, (direction, i), direction, block))
    for res in graph.of_type("aws_security_group_rule"):
        direction = res.properties.get("type")
        if direction in ("ingress", "egress"):
            rules.append(_tf_rule(res, (), direction, res.properties))
    for res in graph.of_type("aws_vpc_security_group_ingress_rule"):
        rules.append(_tf_rule(res, (), "ingress", res.properties, "ip_protocol"))
    for res in graph.of_type("aws_vpc_security_group_egress_rule"):
        rules.append(_tf_rule(res, (), "egress", res.properties, "ip_protocol"))
    for res in graph.of_type("AWS::EC2::SecurityGroup"):
        for direction, key in (("ingress", "SecurityGroupIngress"), ("egress", "SecurityGroupEgress")):
            items = res.properties.get(key)
            if isinstance(items, list):
                for i, item in enumerate(items):
                    if isinstance(item, dict):
                        rules.append(_cfn_rule(res, (key, i), direction, item))
    for res in graph.of_type("AWS::EC2::SecurityGroupIngress"):
        rules.append(_cfn_rule(res, (), "ingress", res.properties))
    for res in graph.of_type("AWS::EC2::SecurityGroupEgress"):
        rules.append(_cfn_rule(res, (), "egress", res.properties))
    return [r for r in rules if r.resource.mode == "managed"]


@dataclass(frozen=True, slots=True)
class LoadBalancer:
    resource: Resource
    lb_type: Attr  # "application" | "network" | "gateway" | Unknown
    internet_facing: Attr  # True / False / Unknown
    web_acl_associations: tuple  # resources associating a WAFv2 web ACL with this load balancer


_WAF_ASSOCIATIONS = ("aws_wafv2_web_acl_association", "AWS::WAFv2::WebACLAssociation")


def load_balancers(graph: ResourceGraph) -> list:
    out = []
    for res in graph.of_type("aws_lb", "aws_alb"):
        if res.mode != "managed":
            continue
        lb_type = value(res, ("load_balancer_type",), "application")
        internal = value(res, ("internal",), False)
        facing = Attr(_negate(internal.value), internal.location, internal.explicit)
        out.append(LoadBalancer(res, lb_type, facing, _associations(graph, res, ("resource_arn", "ResourceArn"))))
    for res in graph.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        lb_type = value(res, ("Type",), "application")
        scheme = value(res, ("Scheme",), "internet-facing")
        facing_value = scheme.value if is_unknown(scheme.value) else scheme.value == "internet-facing"
        out.append(LoadBalancer(res, lb_type, Attr(facing_value, scheme.location, scheme.explicit), _associations(graph, res, ("resource_arn", "ResourceArn"))))
    return out


def _negate(v: Any) -> Any:
    b = as_bool(v)
    return b if is_unknown(b) else not b


def _associations(graph: ResourceGraph, res: Resource, keys: tuple) -> tuple:
    """WAFv2 web ACL associations protecting `res` (the "protects" relation, drawn from their
    `resource_arn` / `ResourceArn`, the `keys`)."""
    return tuple(graph.related_from(res, "protects", _WAF_ASSOCIATIONS))
