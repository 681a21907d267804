"""Network facts: security group rules in all their forms, and load balancers with their WAF.

A rule's sources are CIDR ranges (`Source`): written inline, or the entries of a managed prefix
list it names (`prefix_list_ids` / `prefix_list_id` / `SourcePrefixListId` /
`DestinationPrefixListId`). A prefix list of the scan (`aws_ec2_managed_prefix_list` with its
`entry` blocks and the `aws_ec2_managed_prefix_list_entry` resources naming it,
`AWS::EC2::PrefixList` with its `Entries`) gives one source per entry, `prefix_list` naming it;
an entry whose CIDR is not known gives an Unknown source. An AWS-managed list looked up by name
(`data "aws_ec2_managed_prefix_list"` with a `com.amazonaws.` name: AWS service ranges, such as
CloudFront's origin-facing list) is never the world and gives no source. Any other list (an id
written as text, a data source of a customer list, a reference that is not known) gives one
Unknown source whose reason names the list: its entries are not known."""
from __future__ import annotations

import weakref
from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
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
    """Where a security group rule lets traffic in from: a CIDR or a prefix list."""

    cidr: Any  # str (as written, without surrounding blanks) or Unknown
    location: Location
    prefix_list: Any = None  # the address (or id) of the prefix list the range comes from, else None

    def is_world(self) -> Any:
        """True when the range is the whole internet (0.0.0.0/0 or ::/0, however written: `::0/0`,
        `0.0.0.0/0` with host bits...), False for any other range or text, Unknown when the range
        cannot be known."""
        if is_unknown(self.cidr):
            return self.cidr
        if not isinstance(self.cidr, str):
            return False
        try:
            import ipaddress  # (here: 1-2 ms to import, and most scans ask no range)

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


def _tf_rule(res: Resource, path: tuple, direction: str, item: dict, protocol_key: str = "protocol", lists: "_PrefixLists | None" = None) -> SecurityGroupRule:
    protocol = normalize_protocol(item.get(protocol_key))
    lo, hi = _ports(protocol, item.get("from_port"), item.get("to_port"))
    sources = []
    for key in ("cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"):
        raw = item.get(key)
        if raw is None:
            continue
        loc = res.location_of(*path, key)
        sources.extend(_source(c, loc) for c in strings(raw))
    if lists is not None:
        for key in ("prefix_list_ids", "prefix_list_id"):
            if item.get(key) is not None:
                sources.extend(lists.sources(item.get(key), res.location_of(*path, key)))
    loc = res.location_of(*path) if path else res.location
    return SecurityGroupRule(res, direction, protocol, lo, hi, tuple(sources), loc)


def _cfn_rule(res: Resource, path: tuple, direction: str, item: dict, lists: "_PrefixLists | None" = None) -> SecurityGroupRule:
    protocol = normalize_protocol(item.get("IpProtocol"))
    lo, hi = _ports(protocol, item.get("FromPort"), item.get("ToPort"))
    sources = []
    for key in ("CidrIp", "CidrIpv6", "CidrIp6"):
        raw = item.get(key)
        if raw is None:
            continue
        loc = res.location_of(*path, key)
        sources.extend(_source(c, loc) for c in strings(raw))
    if lists is not None:
        for key in ("SourcePrefixListId", "DestinationPrefixListId"):
            if item.get(key) is not None:
                sources.extend(lists.sources(item.get(key), res.location_of(*path, key)))
    loc = res.location_of(*path) if path else res.location
    return SecurityGroupRule(res, direction, protocol, lo, hi, tuple(sources), loc)


_PREFIX_LISTS = ("aws_ec2_managed_prefix_list", "AWS::EC2::PrefixList")


class _PrefixLists:
    """The managed prefix lists of the scan, read once per `security_group_rules` call: a rule's
    prefix list reference -> the sources it stands for (see the module docstring)."""

    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        self._memo: dict = {}
        self._entries: dict | None = None  # list id -> [aws_ec2_managed_prefix_list_entry]
        self._loose: dict = {}  # root -> entries whose list is not known

    def _entry_resources(self, pl: Resource) -> list:
        if self._entries is None:
            self._entries = {}
            for entry in self.graph.of_type("aws_ec2_managed_prefix_list_entry"):
                if entry.mode != "managed":
                    continue
                owner = _node_of(entry.get("prefix_list_id"))
                if owner is not None:
                    self._entries.setdefault(owner, []).append(entry)
                elif is_unknown(entry.get("prefix_list_id")):
                    self._loose.setdefault(self.graph.root_of(entry), []).append(entry)
        return self._entries.get(pl.id, [])

    def sources(self, raw: Any, loc: Location) -> list:
        out: list = []
        for item in strings(raw):
            node = _node_of(item)
            pl = self.graph.resource(node) if node is not None else None
            if pl is None or pl.type not in _PREFIX_LISTS:
                name = item if isinstance(item, str) else "(%s)" % (getattr(item, "reason", "") or "not known")
                out.append(Source(Unknown("prefix list %s is not a resource of the scan: its entries are not known" % name), loc, name))
                continue
            found = self._memo.get(pl.id)
            if found is None:
                found = self._memo[pl.id] = self._expand(pl)
            out.extend(Source(cidr, loc, pl.address) for cidr in found)
        return out

    def _expand(self, pl: Resource) -> tuple:
        """The CIDRs of a prefix list of the scan (strs, or Unknowns naming it), or ()."""
        if pl.mode != "managed":
            name = pl.get("name")
            if isinstance(name, str) and name.startswith("com.amazonaws."):
                return ()  # an AWS-managed list: AWS service ranges, never the world
            return (Unknown("prefix list %s is read from the account: its entries are not known" % pl.address),)
        if pl.type == "aws_ec2_managed_prefix_list":
            raw, key = pl.get("entry"), "cidr"
            if isinstance(raw, dict):
                raw = [raw]
        else:
            raw, key = pl.get("Entries"), "Cidr"
        cidrs: list = []
        if is_unknown(raw):
            return (Unknown("prefix list %s: its entries are not known (%s)" % (pl.address, raw.reason)),)
        items = [e.properties for e in self._entry_resources(pl)] + (raw if isinstance(raw, list) else [])
        for entry in items:
            cidr = entry.get(key, entry.get("cidr")) if isinstance(entry, dict) else Unknown("an entry that is not a block")
            if is_unknown(cidr):
                cidrs.append(Unknown("prefix list %s: an entry's CIDR is not known (%s)" % (pl.address, cidr.reason)))
            elif isinstance(cidr, str):
                cidrs.append(cidr.strip())
        for entry in self._loose.get(self.graph.root_of(pl), ()):
            cidrs.append(Unknown("prefix list entry %s names a prefix list that is not known" % entry.address))
        return tuple(cidrs)


def _node_of(value: Any) -> Any:
    """The resource node id an attribute value refers to (`AttributeUnknown.node`), else None."""
    return getattr(value, "node", None) if is_unknown(value) else None


_RULES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def security_group_rules(graph: ResourceGraph) -> list:
    """Every security group rule of the scan (inline blocks and rule resources), read once per
    graph: the facts kind, the exposure model and the layers share it (a new list each call)."""
    done = _RULES.get(graph)
    if done is None:
        done = _RULES[graph] = tuple(_security_group_rules(graph))
    return list(done)


def _security_group_rules(graph: ResourceGraph) -> list:
    rules: list = []
    lists = _PrefixLists(graph)
    for res in graph.of_type("aws_security_group", "aws_default_security_group"):
        for direction in ("ingress", "egress"):
            for i, block in enumerate(res.blocks(direction)):
                rules.append(_tf_rule(res, (direction, i), direction, block, lists=lists))
    for res in graph.of_type("aws_security_group_rule"):
        direction = res.properties.get("type")
        if direction in ("ingress", "egress"):
            rules.append(_tf_rule(res, (), direction, res.properties, lists=lists))
    for res in graph.of_type("aws_vpc_security_group_ingress_rule"):
        rules.append(_tf_rule(res, (), "ingress", res.properties, "ip_protocol", lists))
    for res in graph.of_type("aws_vpc_security_group_egress_rule"):
        rules.append(_tf_rule(res, (), "egress", res.properties, "ip_protocol", lists))
    for res in graph.of_type("AWS::EC2::SecurityGroup"):
        for direction, key in (("ingress", "SecurityGroupIngress"), ("egress", "SecurityGroupEgress")):
            items = res.properties.get(key)
            if isinstance(items, list):
                for i, item in enumerate(items):
                    if isinstance(item, dict):
                        rules.append(_cfn_rule(res, (key, i), direction, item, lists))
    for res in graph.of_type("AWS::EC2::SecurityGroupIngress"):
        rules.append(_cfn_rule(res, (), "ingress", res.properties, lists))
    for res in graph.of_type("AWS::EC2::SecurityGroupEgress"):
        rules.append(_cfn_rule(res, (), "egress", res.properties, lists))
    return [r for r in rules if r.resource.mode == "managed"]


@dataclass(frozen=True, slots=True)
class LoadBalancer:
    """A load balancer: its type, whether it faces the internet, and its web ACL associations."""

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
