"""Internet exposure (issue 14, part A): the entry points of every root, the resources the
internet reaches directly, each with the ports and protocols it accepts from the internet, why,
and whether that is decided.

Kind "entry_point", one `EntryPoint` per resource that is exposed (`decided` True) or may be
(`decided` the Unknown that leaves it open); a resource known not to be exposed is not listed.
Sorted by root, then address. `INTERNET` names the virtual internet node that paths (part B) start
from: every entry point is one step from it.

Only a real route makes an entry point. Each entry kind is a conjunction of parts, three-valued:
a part known to be False (no route to an internet gateway, an internal load balancer, a private
REST API, no security group open to the world) means "not exposed"; otherwise the first part
that is not known makes the entry point undecided, with that Unknown and where it is set; an
Unknown never makes an entry point exposed by itself. The parts, per `entry`:

- "load_balancer": an ALB/NLB (`aws_lb`, `aws_alb`, `AWS::ElasticLoadBalancingV2::LoadBalancer`)
  that is internet-facing (`network.load_balancers`, the facts of AWS-ELB-001) and has a listener
  of the scan (the `listener_of` relation); ports from its listeners (`infra_b_edge.lb_listeners`
  for the protocol, the listener's `port` / `Port`); with no listener of its own, a listener
  of its root whose load balancer is not known leaves it undecided. Gateway load balancers are not entry points
  (they take traffic from gateway endpoints, not from the internet). Its subnets of the scan,
  when each has a route table of the scan, must include one routed to an internet gateway (a
  known False: not exposed; a route whose gateway is not known: undecided). A classic load balancer
  (`aws_elb`, `AWS::ElasticLoadBalancing::LoadBalancer`) when internet-facing (the answer of
  `infra_b_edge.shield_entry_points`) with its inline listeners. A load balancer's own security
  group is a layer (`sg-restriction`, part C), not a condition of exposure.
- "api_gateway": a REST API stage whose API is not PRIVATE only (`infra_b_edge.waf_targets`'
  `private`), and every HTTP / WebSocket API stage (API Gateway v2 has no private endpoint);
  tcp 443. `fronts`: the functions integrated into the stage's API (`integration_of`).
- "cloudfront": every distribution that is enabled (`enabled` / `DistributionConfig.Enabled`);
  tcp 80 and 443. `fronts`: its origins of the scan (`origin_of`).
- "instance": an EC2 instance (`aws_instance`, `AWS::EC2::Instance`) with a public IPv4 address,
  in a subnet that routes to an internet gateway, behind a security group it uses that admits
  the world on a port. The parts:
  * public IP: an Elastic IP of the scan associated with it, else `associate_public_ip_address`
    (`infra_a_compute.instance_launches`, AWS-EC2-307), else left to the subnet: its
    `map_public_ip_on_launch` (the "subnet" table kind; `aws_default_subnet`: true unless set).
  * subnet: the `in_subnet` relation (directly, or through a network interface it attaches),
    routed when `infra_b_edge.routes_to_internet_gateway` says so; a NAT-only or egress-only
    route is not one; a route of its table whose gateway is not known makes the part Unknown. An `aws_default_subnet` with no route table of the scan uses the default
    VPC's main table, which routes to its internet gateway. **No subnet given**: the instance is
    launched in a default subnet of the default VPC, which routes to an internet gateway and
    gives public IPs (AWS's behaviour for an account with a default VPC); a subnet setting that
    is not known, or names a subnet that is not a managed resource of the scan, is Unknown.
  * security group: the groups of the `uses_security_group` relation (directly or through its
    network interfaces) and their ingress rules (`network.security_group_rules`, with rule
    resources matched to their group by `rule_of`); a rule admitting `0.0.0.0/0` or `::/0` gives
    its ports (a source that is another group is not the internet; a managed prefix list is read
    through its entries, `network.Source`: one of the scan holding `0.0.0.0/0` or `::/0` admits
    the world, an AWS-managed list never does, a list from outside the scan is Unknown), a rule
    whose source is not known makes the part Unknown (when no rule is known to be open). **No group given**: the VPC's default group, which admits only its own members
    (an `aws_default_security_group` the scan adopts is not matched to instances: not judged).
    A rule resource whose group is not known (`security_group_id` / `GroupId`) and that may admit
    the world may belong to any group of its root: an instance that only it could open is undecided.
  An auto scaling group (`aws_autoscaling_group`, `AWS::AutoScaling::AutoScalingGroup`) is an
  "instance" entry point in the same way, for the instances it launches: the public IP and the
  security groups of its launch template or launch configuration (`fronts` names it), its own
  subnets; a group whose template is not known (or not in the scan) is undecided.
  An ECS service (`aws_ecs_service`, `AWS::ECS::Service`) is an "instance" entry point too, for
  its tasks (the service is its own compute; its role is its task definition's task role):
  * public IP: the awsvpc network configuration's `assign_public_ip` (false when left out) /
    `AwsvpcConfiguration.AssignPublicIp` ("DISABLED" when left out); no network configuration
    (bridge or host networking on EC2 hosts): no address of its own, not an entry point; the EC2
    and EXTERNAL launch types cannot give a task a public IP (`ecs_public_ip`);
  * subnet: its `subnets` / `Subnets` (`in_subnet`), routed as for instances (awsvpc requires
    subnets: none of the scan and none named is not exposure, a subnet not of the scan Unknown);
  * security group: its `security_groups` / `SecurityGroups` as for instances (none: the VPC's
    default group, not open).
- "function_url": every Lambda function URL (`aws_lambda_function_url`, `AWS::Lambda::Url`, the
  "function_url" table kind): auth is a layer (part C), not exposure; tcp 443. `fronts`: its
  function.
- "database": an RDS instance or Multi-AZ cluster (`storage.databases`, AWS-RDS-002) that is
  publicly accessible and whose subnet group (`in_subnet_group`, else for an Aurora instance its
  cluster's) holds a subnet that routes to an internet gateway; **no subnet group given**: the
  default VPC's default group, routed. The port is its `port` / `Port`, else its engine's
  default, else Unknown. Caches (ElastiCache, MemoryDB) are never entry points: they get no
  public address whatever their subnets (`infra_c_network` says where they run, a layer).
  A Redshift cluster likewise ("redshift_cluster" table kind, AWS-REDSHIFT-401; its cluster
  subnet group found through the reference; port 5439 unless set), and an OpenSearch /
  Elasticsearch domain without VPC options ("search_domain", AWS-OPENSEARCH-401: a public
  endpoint, tcp 443; its access policy is a layer).
  A Neptune instance with a public endpoint (`_graph_databases`: Neptune sets it per instance,
  engine 1.4.6 and later, and requires IAM database authentication on the cluster; Terraform's
  `aws_neptune_cluster_instance` `publicly_accessible`, false when left out, the facts of
  AWS-NEPTUNE-401; CloudFormation's `AWS::Neptune::DBInstance` documents no such property: its
  `PubliclyAccessible` is read when set, else private) whose subnet group (the instance's, else
  its cluster's; none: the default VPC's) holds a routed subnet; tcp 8182 unless set. A DMS
  replication instance ("dms_exposure", AWS-DMS-401: publicly accessible unless told not to)
  whose replication subnet group (none: the default VPC's) holds a routed subnet; no port (it
  listens on none of its own: a public address, nothing served).
- "eks_endpoint": an EKS cluster whose public endpoint is on and admits the world (the
  "eks_cluster" table kind, AWS-EKS-309's facts; `network.Source.is_world`); tcp 443.

Ports are `Port(protocol, from_port, to_port, application)`: the transport ("tcp", "udp", "all",
"icmp", ... as `network.normalize_protocol` names them) and the range, each possibly Unknown, and
the application protocol where the entry point says ("HTTP", "HTTPS", "TLS", ...), else None.

`fronts` of an instance entry point is empty (the instance is the compute); of an auto scaling
group, the launch template or configuration that decided.

Not yet: SAM APIs beyond the stages the SAM transform makes, an `aws_default_security_group`
the scan adopts, REST stages made by `aws_api_gateway_deployment`'s `stage_name`, ECS services
on EC2 hosts (bridge / host networking: the host instance is the entry point, the service is not
linked to it), the default capacity provider strategy of a cluster (a service without a launch
type is judged by its `assign_public_ip` alone: ECS refuses a public IP on EC2 capacity).
"""
from __future__ import annotations

import weakref

from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Location, Resource, walk
from iacguard.core.unknown import Unknown, as_bool, as_int, is_unknown
from .common import Attr, flag, managed
from .infra_a_compute import instance_launches
from .infra_b_edge import lb_listeners, routes_to_internet_gateway, shield_entry_points, waf_targets
from .network import Source, load_balancers, security_group_rules
from .storage import databases

INTERNET = "(internet)"  # the virtual node every entry point is one step from

ENTRY_KINDS = ("load_balancer", "api_gateway", "cloudfront", "instance", "function_url", "database", "eks_endpoint")


@dataclass(frozen=True, slots=True)
class Port:
    """A port range open to the internet, with its protocol."""

    protocol: Any  # "tcp", "udp", "all", ... or Unknown
    from_port: Any  # int or Unknown
    to_port: Any  # int or Unknown
    application: Any = None  # "HTTP", "HTTPS", "TLS", ... where known, or Unknown, or None

    def __str__(self) -> str:
        proto = "?" if is_unknown(self.protocol) else self.protocol
        if is_unknown(self.from_port) or is_unknown(self.to_port):
            return "%s ?" % proto
        if self.from_port == 0 and self.to_port == 65535:
            return "%s all ports" % proto
        if self.from_port == self.to_port:
            return "%s %d" % (proto, self.from_port)
        return "%s %d-%d" % (proto, self.from_port, self.to_port)


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """A resource reachable from the internet: the ports open to it, why, and what it fronts."""

    resource: Resource
    root: str
    entry: str  # one of ENTRY_KINDS
    ports: tuple  # tuple[Port] accepted from the internet
    reason: str  # why, in words
    decided: Any  # True: exposed; an Unknown: undecided, this Unknown decides
    location: Location  # the setting that makes it exposed, or the one that is not known
    fronts: tuple = ()  # resources of the scan it hands requests to directly, where the model knows

    @property
    def exposed(self) -> bool:
        return self.decided is True


@dataclass(frozen=True, slots=True)
class Part:
    """One condition of an entry point (or of a layer that reuses these pieces): `value` is True,
    False or an Unknown, `words` say what it is (or what is not known) and `location` where."""

    value: Any  # True / False / Unknown
    words: str
    location: Location


def _decide(graph: ResourceGraph, res: Resource, entry: str, parts: list, ports: tuple, fronts: tuple = ()) -> EntryPoint | None:
    """The entry point, or None when a part is known to be False."""
    if any(p.value is False for p in parts):
        return None
    unknown = next((p for p in parts if is_unknown(p.value)), None)
    known = "; ".join(p.words for p in parts if p.value is True)
    if unknown is not None:
        why = getattr(unknown.value, "reason", "") or "not known before deploy"
        reason = "undecided: %s (%s)%s" % (unknown.words, why, "; " + known if known else "")
        return EntryPoint(res, graph.root_of(res), entry, ports, reason, unknown.value, unknown.location, fronts)
    location = next((p.location for p in parts if p.value is True), res.location)
    return EntryPoint(res, graph.root_of(res), entry, ports, known, True, location, fronts)


def _attr_part(attr: Attr, yes: str, no: str, question: str) -> Part:
    """A True / False / Unknown setting as a part: `question` names it when it is not known."""
    value = attr.value
    if is_unknown(value):
        return Part(value, question, attr.location)
    return Part(value is True, yes if value is True else no, attr.location)


def _port(res: Resource, *paths: tuple) -> Any:
    for path in paths:
        raw = res.get(*path)
        if raw is not None:
            return as_int(raw)
    return Unknown("%s names no port" % res.address)


# --- load balancers -------------------------------------------------------------------------

_LISTENERS = ("aws_lb_listener", "aws_alb_listener", "AWS::ElasticLoadBalancingV2::Listener")
# application protocol -> transports
_TRANSPORT = {"HTTP": ("tcp",), "HTTPS": ("tcp",), "TCP": ("tcp",), "TLS": ("tcp",), "UDP": ("udp",), "TCP_UDP": ("tcp", "udp"), "SSL": ("tcp",)}


def _listener_ports(protocol: Any, port: Any) -> list:
    if is_unknown(protocol):
        return [Port(protocol, port, port, protocol)]
    text = str(protocol).strip().upper()
    transports = _TRANSPORT.get(text)
    if transports is None:
        return [Port(Unknown("listener protocol %s" % text), port, port, text)]
    return [Port(t, port, port, text) for t in transports]


def _load_balancers(graph: ResourceGraph) -> list:
    out = []
    listeners = {f.resource.id: f for f in lb_listeners(graph)} if graph.of_type(*_LISTENERS) else {}
    pending: dict = {}  # root -> [(listener, key)] whose load balancer is not known: it may be any of the root's
    for fact in listeners.values():
        key = "load_balancer_arn" if fact.resource.language == "terraform" else "LoadBalancerArn"
        if is_unknown(fact.resource.get(key)) and not graph.related(fact.resource, "listener_of"):
            pending.setdefault(graph.root_of(fact.resource), []).append((fact.resource, key))
    routes = _unknown_routes(graph)
    rules = None  # security group ingress, indexed when a load balancer names a group
    for lb in load_balancers(graph):
        res = lb.resource
        kind = lb.lb_type.value
        if isinstance(kind, str) and kind.strip().lower() == "gateway":
            continue
        facing = _attr_part(lb.internet_facing, "%s is internet-facing" % res.address, "%s is internal" % res.address, "whether it is internet-facing")
        ports: list = []
        mine = [listeners[lst.id] for lst in graph.related_from(res, "listener_of", _LISTENERS) if lst.id in listeners]
        for fact in mine:
            port = _port(fact.resource, ("port",), ("Port",))
            ports.extend(_listener_ports(fact.protocol.value, port))
        if mine:
            has = Part(True, "its listeners %s accept %s" % (", ".join(f.resource.address for f in mine), ", ".join(map(str, ports))), mine[0].resource.location)
        elif pending.get(graph.root_of(res)):
            listener, key = pending[graph.root_of(res)][0]
            ports = _listener_ports(listeners[listener.id].protocol.value, _port(listener, ("port",), ("Port",)))
            has = Part(listener.get(key), "the load balancer of listener %s" % listener.address, listener.location_of(key))
        else:
            has = Part(False, "%s has no listener" % res.address, res.location)
        parts = [facing, has] + _lb_subnets(graph, res, routes)
        groups = [g for g in graph.related(res, "uses_security_group", _SG) if g.mode == "managed"]
        if groups:
            if rules is None:
                rules = ingress_by_group(graph)
            parts += _lb_groups(graph, res, groups, rules, ports)
        out.append(_decide(graph, res, "load_balancer", parts, tuple(ports)))
    classic = graph.of_type("aws_elb", "AWS::ElasticLoadBalancing::LoadBalancer")
    for shield in shield_entry_points(graph) if classic else ():
        res = shield.resource
        if res.type not in ("aws_elb", "AWS::ElasticLoadBalancing::LoadBalancer"):
            continue
        facing = _attr_part(shield.internet_facing, "%s is internet-facing" % res.address, "%s is internal" % res.address, "whether it is internet-facing")
        ports = []
        if res.type == "aws_elb":
            items, port_key, proto_key = res.blocks("listener"), "lb_port", "lb_protocol"
        else:
            raw = res.get("Listeners")
            items, port_key, proto_key = [i for i in raw if isinstance(i, dict)] if isinstance(raw, list) else [], "LoadBalancerPort", "Protocol"
            if is_unknown(raw):
                ports.append(Port(raw, raw, raw))
        for item in items:
            port = as_int(item.get(port_key)) if item.get(port_key) is not None else Unknown("listener names no port")
            ports.extend(_listener_ports(item.get(proto_key, Unknown("listener names no protocol")), port))
        has = Part(bool(ports), "it listens on %s" % ", ".join(map(str, ports)) if ports else "%s has no listener" % res.address, res.location)
        out.append(_decide(graph, res, "load_balancer", [facing, has] + _lb_subnets(graph, res, routes), tuple(ports)))
    return out


def covers_port(rule_port: Port, port: Port) -> Any:
    """Whether a rule's ports (protocol, from, to) cover a port (a listener's, a store's): True /
    False / Unknown."""
    proto = rule_port.protocol
    if is_unknown(proto) or is_unknown(port.protocol):
        return proto if is_unknown(proto) else port.protocol
    if proto in ("all", "-1"):
        return True
    if proto != port.protocol:
        return False
    for v in (rule_port.from_port, rule_port.to_port, port.from_port, port.to_port):
        if is_unknown(v):
            return v
        if not isinstance(v, int):
            return Unknown("a port is not a number")
    return rule_port.from_port <= port.from_port and port.to_port <= rule_port.to_port


def _lb_groups(graph: ResourceGraph, res: Resource, groups: list, rules: tuple, ports: list) -> list:
    """A load balancer with security groups of the scan is reached from the internet only where
    one of them admits the world on a listener port: not when none does (a load balancer open
    only to CloudFront's prefix list, a corporate range or the VPC is not itself an entry point:
    it is reached through what its groups admit). Undecided when a rule's source or port is not
    known. No part when its listener ports are not known (the listeners decide then)."""
    part, open_ports = _group_part(graph, groups, rules, res, ())
    if part.value is not True:
        if part.value is False:
            return [Part(False, "no security group of %s admits the internet on its listener ports" % res.address, part.location)]
        return [part]
    if not ports:
        return []
    unknown = None
    for listener in ports:
        for rule_port in open_ports:
            covered = covers_port(rule_port, listener)
            if covered is True:
                return []
            if is_unknown(covered) and unknown is None:
                unknown = covered
    if unknown is not None:
        return [Part(unknown, "whether %s admits the internet on its listener ports" % res.address, part.location)]
    return [Part(False, "the security groups of %s admit the internet on %s only, not on its listener ports %s" % (
        res.address, ", ".join(map(str, open_ports)), ", ".join(map(str, ports))), part.location)]


def _lb_subnets(graph: ResourceGraph, res: Resource, routes: dict) -> list:
    """An internet-facing load balancer is reached only through subnets routed to an internet
    gateway: its subnets of the scan (`in_subnet`) when none is known to route there (False, or
    the Unknown of a route's gateway). Not judged (no part) when it has no subnet of the scan or
    one of them has no route table of the scan (its routes are not seen)."""
    subnets = [s for s in graph.related(res, "in_subnet", SUBNETS) if s.mode == "managed"]
    if not subnets or not all(graph.related(s, "route_table_of") for s in subnets):
        return []
    part = _subnets_part(graph, subnets, "its subnets", routes)
    return [part] if part.value is not True else []


# --- API Gateway ----------------------------------------------------------------------------

_V2_STAGES = ("aws_apigatewayv2_stage", "AWS::ApiGatewayV2::Stage")
_HTTPS = (Port("tcp", 443, 443, "HTTPS"),)


def _api_stages(graph: ResourceGraph) -> list:
    out = []
    for target in waf_targets(graph):
        if target.service != "api_stage":
            continue
        res = target.resource
        private = target.private
        if is_unknown(private.value):
            part = Part(private.value, "the endpoint type of its REST API", private.location)
        elif private.value is True:
            part = Part(False, "its REST API is PRIVATE", private.location)
        else:
            part = Part(True, "REST API stage %s has a public (edge or regional) endpoint" % res.address, private.location)
        out.append(_decide(graph, res, "api_gateway", [part], _HTTPS, tuple(graph.related(res, "integration_of"))))
    for res in managed(graph, *_V2_STAGES):
        part = Part(True, "HTTP/WebSocket API stage %s is public (API Gateway v2 has no private endpoint)" % res.address, res.location)
        out.append(_decide(graph, res, "api_gateway", [part], _HTTPS, tuple(graph.related(res, "integration_of"))))
    return out


# --- CloudFront, function URLs, EKS ---------------------------------------------------------

_CDN = ("aws_cloudfront_distribution", "AWS::CloudFront::Distribution")
_FUNCTIONS = ("aws_lambda_function", "AWS::Lambda::Function", "AWS::Serverless::Function")


def _distributions(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, *_CDN):
        path = ("enabled",) if res.language == "terraform" else ("DistributionConfig", "Enabled")
        enabled = flag(res, path, True)
        part = _attr_part(enabled, "CloudFront distribution %s serves the internet" % res.address, "%s is not enabled" % res.address, "whether the distribution is enabled")
        ports = (Port("tcp", 80, 80, "HTTP"), Port("tcp", 443, 443, "HTTPS"))
        out.append(_decide(graph, res, "cloudfront", [part], ports, tuple(graph.related(res, "origin_of"))))
    return out


def _function_urls(graph: ResourceGraph) -> list:
    from . import KINDS

    out = []
    for url in KINDS["function_url"](graph):
        res = url.resource
        functions = graph.referenced_at(res, (("function_name",), ("TargetFunctionArn",)), _FUNCTIONS)
        part = Part(True, "Lambda function URL %s is a public HTTPS endpoint (its auth type is a layer)" % res.address, res.location)
        out.append(_decide(graph, res, "function_url", [part], _HTTPS, tuple(functions)))
    return out


def _eks(graph: ResourceGraph) -> list:
    from . import KINDS

    out = []
    for cluster in KINDS["eks_cluster"](graph):
        res = cluster.resource
        public = _attr_part(cluster.public_endpoint, "the API endpoint of %s is public" % res.address, "the API endpoint of %s is not public" % res.address, "whether the API endpoint is public")
        cidrs = cluster.public_cidrs
        if is_unknown(cidrs.value):
            world = Part(cidrs.value, "the public access CIDRs", cidrs.location)
        else:
            values = cidrs.value if isinstance(cidrs.value, (list, tuple)) else [cidrs.value]
            sources = [Source(c.strip() if isinstance(c, str) else c, cidrs.location) for c in values]
            open_ = [s for s in sources if s.is_world() is True]
            maybe = next((s for s in sources if is_unknown(s.is_world())), None)
            if open_:
                world = Part(True, "it admits %s%s" % (open_[0].cidr, "" if cidrs.explicit else " (the default)"), cidrs.location)
            elif maybe is not None:
                world = Part(maybe.cidr, "a public access CIDR", cidrs.location)
            else:
                world = Part(False, "its public access CIDRs do not include the world", cidrs.location)
        out.append(_decide(graph, res, "eks_endpoint", [public, world], _HTTPS))
    return out


# --- subnets, shared by instances and databases ---------------------------------------------

_NAT = ("aws_nat_gateway", "AWS::EC2::NatGateway", "aws_egress_only_internet_gateway", "AWS::EC2::EgressOnlyInternetGateway")


def _routed(graph: ResourceGraph, subnet: Resource) -> bool:
    if subnet.type == "aws_default_subnet" and not graph.related(subnet, "route_table_of"):
        return True  # the default VPC's main table routes to its internet gateway
    return routes_to_internet_gateway(graph, subnet)


_ROUTE_TABLES = ("aws_route_table", "aws_default_route_table", "AWS::EC2::RouteTable")
# route resource type -> (the property naming its table, the properties naming its gateway)
_ROUTES = {
    "aws_route": ("route_table_id", ("gateway_id",)),
    "AWS::EC2::Route": ("RouteTableId", ("GatewayId",)),
}


def _unknown_routes(graph: ResourceGraph) -> dict:
    """Route table id -> (Unknown, location) of a route of it whose gateway is not known (it may
    be an internet gateway; an unknown NAT gateway never is), in one pass over route tables and
    route resources."""
    out: dict = {}
    for table in managed(graph, "aws_route_table", "aws_default_route_table"):
        raw = table.get("route")
        hit = next(((at, v) for at, v in walk(raw, ("route",)) if is_unknown(v) and (len(at) < 3 or at[-1] == "gateway_id")), None)
        if hit is not None:
            out[table.id] = (hit[1], table.location_of(*hit[0]))
    for type_, (table_key, gateway_keys) in _ROUTES.items():
        for route in managed(graph, type_):
            unknown = next(((k, route.get(k)) for k in gateway_keys if is_unknown(route.get(k))), None)
            if unknown is None or graph.related(route, "routes_to"):
                continue
            for table in graph.referenced_at(route, ((table_key,),), _ROUTE_TABLES):
                out.setdefault(table.id, (unknown[1], route.location_of(unknown[0])))
    return out


def _subnets_part(graph: ResourceGraph, subnets: list, what: str, routes: dict) -> Part:
    routed = [s for s in subnets if _routed(graph, s)]
    if routed:
        return Part(True, "%s %s routes to an internet gateway" % (what, routed[0].address), routed[0].location)
    for subnet in subnets:
        for table in graph.related(subnet, "route_table_of"):
            if table.id in routes:
                unknown, location = routes[table.id]
                return Part(unknown, "the gateway of a route of %s (the route table of %s)" % (table.address, subnet.address), location)
    nat = [s for s in subnets for t in graph.related(s, "route_table_of") if graph.related(t, "routes_to", _NAT)]
    how = "routes only through a NAT or egress-only gateway" if nat else "has no route to an internet gateway"
    return Part(False, "%s %s %s" % (what, ", ".join(s.address for s in subnets), how), subnets[0].location)


def _setting_part(res: Resource, paths: tuple, what: str, default_words: str | None) -> Part:
    """When the relation found nothing: the setting is not known (Unknown), names something that
    is not a managed resource of the scan (Unknown), or is left out (`default_words`: True with
    those words; None: False)."""
    for path in paths:
        raw = res.get(*path)
        if raw is None or raw == "" or raw == []:
            continue
        loc = res.location_of(*path)
        hit = next(((at, v) for at, v in walk(raw, path) if is_unknown(v)), None)
        if hit is not None:  # the setting, or a part of it, is not known: where exactly
            return Part(hit[1], what, res.location_of(*hit[0]))
        items = raw if isinstance(raw, list) else [raw]
        return Part(Unknown("%s %r is not a resource of the scan" % (what, items[0])), what, loc)
    if default_words is None:
        return Part(False, "%s: none given" % what, res.location)
    return Part(True, default_words, res.location)


# --- instances ------------------------------------------------------------------------------

_SG = ("aws_security_group", "aws_default_security_group", "AWS::EC2::SecurityGroup")
# the subnet types (the `in_subnet` relation's targets)
SUBNETS = ("aws_subnet", "aws_default_subnet", "AWS::EC2::Subnet")
_ENIS = ("aws_network_interface", "AWS::EC2::NetworkInterface")
_EIPS = ("aws_eip", "aws_eip_association", "AWS::EC2::EIP", "AWS::EC2::EIPAssociation")
_INSTANCES = ("aws_instance", "AWS::EC2::Instance")


_RULE_GROUP = {"aws_security_group_rule": "security_group_id", "aws_vpc_security_group_ingress_rule": "security_group_id",
               "AWS::EC2::SecurityGroupIngress": "GroupId"}


_INGRESS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def ingress_by_group(graph: ResourceGraph) -> tuple:
    """(security group id -> its ingress rules (inline, or rule resources through `rule_of`),
    root -> ingress rule resources whose group is not known: any group of that root may hold
    them). A rule resource naming a group that is not in the scan belongs to none of it.
    Indexed once per graph: the hosts, the load balancers and the layers all read it."""
    done = _INGRESS.get(graph)
    if done is None:
        done = _INGRESS[graph] = _index_ingress(graph)
    return done


def _index_ingress(graph: ResourceGraph) -> tuple:
    out: dict = {}
    pending: dict = {}
    for rule in security_group_rules(graph):
        if rule.direction != "ingress":
            continue
        groups = [rule.resource] if rule.resource.type in _SG else graph.related(rule.resource, "rule_of", _SG)
        for group in groups:
            out.setdefault(group.id, []).append(rule)
        key = _RULE_GROUP.get(rule.resource.type)
        if not groups and key is not None and is_unknown(rule.resource.get(key)):
            pending.setdefault(graph.root_of(rule.resource), []).append(rule)
    return out, pending


def _group_part(graph: ResourceGraph, groups: list, rules: tuple, res: Resource, paths: tuple) -> tuple:
    """(Part, ports) for the security groups an instance (or launch template) uses; `paths`:
    where `res` names them, read when no group of the scan is found."""
    if not groups:
        part = _setting_part(res, paths, "security group", None)
        if part.value is False:
            part = Part(False, "%s names no security group: its VPC's default group admits only its own members" % res.address, res.location)
        return part, ()
    open_ports: list = []
    maybe_ports: list = []
    first_open = first_maybe = None
    for group in groups:
        for rule in rules[0].get(group.id, ()):
            world = rule.is_world_open()
            port = Port(rule.protocol, rule.from_port, rule.to_port)
            if world is True:
                open_ports.append(port)
                first_open = first_open or (group, rule)
            elif is_unknown(world):
                maybe_ports.append(port)
                first_maybe = first_maybe or (group, rule, world)
    if open_ports:
        group, rule = first_open
        source = rule.world_sources()[0]
        via = " in prefix list %s" % source.prefix_list if source.prefix_list else ""
        return Part(True, "%s admits the internet (%s%s) on %s" % (group.address, source.cidr, via, ", ".join(map(str, open_ports))), rule.location), tuple(open_ports)
    if first_maybe is not None:
        group, rule, world = first_maybe
        # a prefix list that is not known: where the rule names it; else the rule
        at = next((s.location for s in rule.sources if is_unknown(s.is_world()) and s.prefix_list), rule.location)
        return Part(world, "the source of a rule of %s" % group.address, at), tuple(maybe_ports)
    for rule in rules[1].get(graph.root_of(res), ()):
        if rule.is_world_open() is not False:
            key = _RULE_GROUP[rule.resource.type]
            return Part(rule.resource.get(key), "the security group of %s, which admits the internet on %s" % (
                rule.resource.address, Port(rule.protocol, rule.from_port, rule.to_port)), rule.resource.location_of(key)), (Port(rule.protocol, rule.from_port, rule.to_port),)
    return Part(False, "no security group of %s admits the internet" % res.address, groups[0].location), ()


def _subnet_facts(graph: ResourceGraph) -> dict:
    from . import KINDS

    return {f.resource.id: f.map_public_ip for f in KINDS["subnet"](graph)}


class Hosts:
    """What instances, auto scaling groups and databases share, computed once per scan: the
    unknown routes by route table and, when `compute`, the launch facts by resource, the ingress
    rules by security group and the subnets' public IP mappings."""

    def __init__(self, graph: ResourceGraph, compute: bool) -> None:
        self.routes = _unknown_routes(graph)
        if compute:
            self.launches = {f.resource.id: f for f in instance_launches(graph)}
            self.rules = ingress_by_group(graph)
            self.mapping = _subnet_facts(graph)


def subnet_of_host(graph: ResourceGraph, res: Resource, subnets: list, paths: tuple, routes: dict) -> Part:
    """Whether the host `res` is in a subnet that routes to an internet gateway: from its
    `subnets` of the scan, else from its subnet setting at `paths` (none given: a default
    subnet, which routes). `routes`: `Hosts.routes`."""
    if subnets:
        return _subnets_part(graph, subnets, "its subnet", routes)
    return _setting_part(res, paths, "subnet",
                         "%s names no subnet: a default subnet of the default VPC, which routes to its internet gateway" % res.address)


def ip_of_host(launch, subnets: list, subnet: Part, mapping: dict) -> Part:
    """Whether instances launched by `launch` (an instance_launch fact) get a public IP."""
    res = launch.resource
    if launch.public_ip.value is True:
        return Part(True, "%s asks for a public IP" % res.address, launch.public_ip.location)
    if is_unknown(launch.public_ip.value):
        return Part(launch.public_ip.value, "whether %s asks for a public IP" % res.address, launch.public_ip.location)
    if launch.public_ip.explicit:
        return Part(False, "%s declines a public IP" % res.address, launch.public_ip.location)
    if subnets:
        return _subnet_ip(subnets, mapping)
    if subnet.value is True:
        return Part(True, "default subnets give public IPs", res.location)
    return Part(subnet.value, "whether its subnet gives public IPs", subnet.location)


def _instances(graph: ResourceGraph, hosts: Hosts) -> list:
    eip_of = elastic_ips(graph)
    out = []
    for res in managed(graph, *_INSTANCES):
        subnets = graph.related(res, "in_subnet", SUBNETS)
        groups = graph.related(res, "uses_security_group", _SG)
        at = (("network_interface", "network_interface_id"),) if res.language == "terraform" else (("NetworkInterfaces", "NetworkInterfaceId"),)
        for eni in graph.referenced_at(res, at, _ENIS):
            subnets += [s for s in graph.related(eni, "in_subnet", SUBNETS) if s not in subnets]
            groups += [g for g in graph.related(eni, "uses_security_group", _SG) if g not in groups]
        subnets = [s for s in subnets if s.mode == "managed"]
        subnet = subnet_of_host(graph, res, subnets, (("subnet_id",), ("SubnetId",), ("network_interface",), ("NetworkInterfaces",)), hosts.routes)
        eips = eip_of.get(res.id, ())
        launch = hosts.launches.get(res.id)
        if eips:
            ip = Part(True, "Elastic IP %s is associated with it" % eips[0].address, eips[0].location)
        elif launch is None:
            ip = Part(Unknown("no launch facts"), "public IP", res.location)
        else:
            ip = ip_of_host(launch, subnets, subnet, hosts.mapping)
        group, ports = _group_part(graph, groups, hosts.rules, res, (("vpc_security_group_ids",), ("security_groups",), ("SecurityGroupIds",), ("SecurityGroups",)))
        out.append(_decide(graph, res, "instance", [ip, subnet, group], ports))
    return out


_ECS_SERVICES = ("aws_ecs_service", "AWS::ECS::Service")
# where an ECS service names its network: (network configuration path, public IP key, subnets, groups, launch type)
_ECS_NETWORK = {
    "terraform": (("network_configuration",), "assign_public_ip", "subnets", "security_groups", ("launch_type",)),
    "cloudformation": (("NetworkConfiguration", "AwsvpcConfiguration"), "AssignPublicIp", "Subnets", "SecurityGroups", ("LaunchType",)),
}


def ecs_public_ip(res: Resource) -> Part:
    """Whether the tasks of an ECS service get a public IP: `network_configuration`'s
    `assign_public_ip` (false when left out) / `AwsvpcConfiguration.AssignPublicIp` ("DISABLED"
    when left out); no network configuration: not awsvpc, the tasks share their host's network
    (the host is the instance entry point, if any). The EC2 and EXTERNAL launch types cannot give
    a task a public IP (ECS refuses the service), so only Fargate (or a capacity provider) can."""
    conf, key, _, _, launch_key = _ECS_NETWORK[res.language]
    block = res.get(*conf)
    if isinstance(block, list):
        block = block[0] if block and isinstance(block[0], dict) else None
        conf = conf + (0,)
    if is_unknown(block):
        return Part(block, "the network configuration of %s" % res.address, res.location_of(*conf))
    if not isinstance(block, dict):
        return Part(False, "%s has no awsvpc network configuration: its tasks get no address of their own" % res.address, res.location)
    raw = block.get(key)
    loc = res.location_of(*conf, key) if raw is not None else res.location_of(*conf)
    if is_unknown(raw):
        return Part(raw, "whether %s assigns public IPs" % res.address, loc)
    if res.language == "terraform":
        public = as_bool(raw) if raw is not None else False
        if is_unknown(public):
            return Part(public, "whether %s assigns public IPs" % res.address, loc)
    else:
        public = isinstance(raw, str) and raw.strip().upper() == "ENABLED"
    if public is not True:
        return Part(False, "%s assigns no public IP to its tasks%s" % (res.address, "" if raw is not None else " (the default)"), loc)
    launch = res.get(*launch_key)
    if is_unknown(launch):
        return Part(launch, "the launch type of %s" % res.address, res.location_of(*launch_key))
    if isinstance(launch, str) and launch.strip().upper() in ("EC2", "EXTERNAL"):
        return Part(False, "%s runs on the %s launch type, where tasks get no public IP" % (res.address, launch.strip().upper()), res.location_of(*launch_key))
    return Part(True, "%s assigns public IPs to its tasks" % res.address, loc)


def _ecs_services(graph: ResourceGraph, hosts: Hosts) -> list:
    """ECS services as "instance" entry points (the service is its own compute, its tasks'
    role comes from the task definition): tasks with a public IP (`ecs_public_ip`) in a subnet
    routed to an internet gateway (`in_subnet`; awsvpc requires subnets: none given is not
    exposure), behind a security group that admits the world (`uses_security_group`; none given:
    the VPC's default group, not judged open)."""
    out = []
    for res in managed(graph, *_ECS_SERVICES):
        ip = ecs_public_ip(res)
        if ip.value is False:
            continue
        conf, _, subnets_key, groups_key, _ = _ECS_NETWORK[res.language]
        subnets = [s for s in graph.related(res, "in_subnet", SUBNETS) if s.mode == "managed"]
        if subnets:
            subnet = _subnets_part(graph, subnets, "its subnet", hosts.routes)
        else:
            subnet = _setting_part(res, ((*conf, subnets_key), (*conf, 0, subnets_key)), "subnet", None)
        groups = graph.related(res, "uses_security_group", _SG)
        group, ports = _group_part(graph, groups, hosts.rules, res, ((*conf, groups_key), (*conf, 0, groups_key)))
        out.append(_decide(graph, res, "instance", [ip, subnet, group], ports))
    return out


_ASGS = ("aws_autoscaling_group", "AWS::AutoScaling::AutoScalingGroup")
# What an auto scaling group launches from (public: the layers read it too), and where it names it.
LAUNCH_TEMPLATES = ("aws_launch_template", "AWS::EC2::LaunchTemplate", "aws_launch_configuration", "AWS::AutoScaling::LaunchConfiguration")
ASG_LAUNCH = (("launch_template",), ("launch_configuration",), ("mixed_instances_policy",),
               ("LaunchTemplate",), ("LaunchConfigurationName",), ("MixedInstancesPolicy",))
# launch template / configuration type -> where it names its security groups
_TEMPLATE_GROUPS = {
    "aws_launch_template": (("vpc_security_group_ids",), ("security_group_names",), ("network_interfaces",)),
    "aws_launch_configuration": (("security_groups",),),
    "AWS::EC2::LaunchTemplate": (("LaunchTemplateData", "SecurityGroupIds"), ("LaunchTemplateData", "SecurityGroups"), ("LaunchTemplateData", "NetworkInterfaces")),
    "AWS::AutoScaling::LaunchConfiguration": (("SecurityGroups",),),
}


def _auto_scaling_groups(graph: ResourceGraph, hosts: Hosts) -> list:
    """Auto scaling groups as "instance" entry points: the instances they launch from their
    launch template or configuration (public IP, security groups) in their subnets
    (`vpc_zone_identifier` / `VPCZoneIdentifier`). With several templates (a mixed instances
    policy), the first exposed one, else the first undecided one."""
    out = []
    for asg in managed(graph, *_ASGS):
        subnets = [s for s in graph.related(asg, "in_subnet", SUBNETS) if s.mode == "managed"]
        subnet = subnet_of_host(graph, asg, subnets, (("vpc_zone_identifier",), ("VPCZoneIdentifier",)), hosts.routes)
        templates = [t for t in graph.referenced_at(asg, ASG_LAUNCH, LAUNCH_TEMPLATES) if t.mode == "managed"]
        if not templates:
            part = _setting_part(asg, ASG_LAUNCH, "launch template", None)
            if part.value is not False:  # names a template that is not known, or not in the scan
                out.append(_decide(graph, asg, "instance", [part, subnet], ()))
            continue
        found = []
        for template in templates:
            launch = hosts.launches.get(template.id)
            if launch is None:
                continue
            ip = ip_of_host(launch, subnets, subnet, hosts.mapping)
            groups = graph.related(template, "uses_security_group", _SG) or graph.referenced_at(template, _TEMPLATE_GROUPS[template.type], _SG)
            group, ports = _group_part(graph, groups, hosts.rules, template, _TEMPLATE_GROUPS[template.type])
            entry = _decide(graph, asg, "instance", [ip, subnet, group], ports, (template,))
            if entry is not None:
                found.append(entry)
        exposed = [e for e in found if e.exposed]
        if exposed or found:
            out.append((exposed or found)[0])
    return out


def elastic_ips(graph: ResourceGraph) -> dict:
    """Instance id -> the Elastic IPs (or associations) of the scan that name it, in one pass."""
    out: dict = {}
    for eip in managed(graph, *_EIPS):
        for inst in graph.referenced_at(eip, (("instance",), ("InstanceId",)), _INSTANCES):
            out.setdefault(inst.id, []).append(eip)
    return out


def _subnet_ip(subnets: list, mapping: dict) -> Part:
    unknown = None
    for s in subnets:
        if s.type == "aws_default_subnet":
            attr = flag(s, ("map_public_ip_on_launch",), True)
        else:
            attr = mapping.get(s.id)
        if attr is None:
            continue
        if attr.value is True:
            return Part(True, "its subnet %s gives public IPs (map_public_ip_on_launch)" % s.address, attr.location)
        if is_unknown(attr.value) and unknown is None:
            unknown = Part(attr.value, "whether subnet %s gives public IPs" % s.address, attr.location)
    return unknown or Part(False, "it has no public IP (its subnet does not map one)", subnets[0].location)


# --- databases ------------------------------------------------------------------------------

_CLUSTERS = ("aws_rds_cluster", "AWS::RDS::DBCluster")
_DATABASES = ("aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster")
# engine prefix -> its default port
_ENGINE_PORTS = (("aurora-postgresql", 5432), ("aurora", 3306), ("mysql", 3306), ("mariadb", 3306), ("postgres", 5432),
                 ("oracle", 1521), ("sqlserver", 1433), ("db2", 50000))


def db_port(res: Resource, cluster: Resource | None) -> Any:
    """The port of a database (or its cluster): the one set, else its engine's default, else
    Unknown."""
    for source in (res, cluster):
        if source is None:
            continue
        raw = source.get("port") if source.language == "terraform" else source.get("Port")
        if raw is not None:
            return as_int(raw)
    for source in (res, cluster):
        if source is None:
            continue
        engine = source.get("engine") if source.language == "terraform" else source.get("Engine")
        if is_unknown(engine):
            return engine
        if isinstance(engine, str):
            text = engine.strip().lower()
            for prefix, port in _ENGINE_PORTS:
                if text.startswith(prefix):
                    return port
    return Unknown("the database's port and engine are not known")


def _databases(graph: ResourceGraph, hosts: Hosts) -> list:
    out = []
    for db in databases(graph):
        res = db.resource
        if db.publicly_accessible is None:
            continue  # an Aurora cluster: its instances decide
        public = db.publicly_accessible
        if is_unknown(public.value):
            pub = Part(public.value, "whether it is publicly accessible", public.location)
        else:
            pub = Part(public.value is True, "%s is publicly accessible" % res.address if public.value is True else "%s is not publicly accessible" % res.address, public.location)
        cluster = None
        if db.kind == "cluster_instance" or res.get("DBClusterIdentifier") is not None:
            at = ("cluster_identifier",) if res.language == "terraform" else ("DBClusterIdentifier",)
            cluster = next(iter(graph.referenced_at(res, (at,), _CLUSTERS)), None)
        groups = graph.related(res, "in_subnet_group") or (graph.related(cluster, "in_subnet_group") if cluster is not None else [])
        subnets = [s for g in groups for s in graph.related(g, "in_subnet", SUBNETS) if s.mode == "managed"]
        if subnets:
            routed = _subnets_part(graph, subnets, "its subnet group's subnet", hosts.routes)
        elif groups:
            routed = Part(Unknown("subnet group %s names no subnet of the scan" % groups[0].address), "its subnets", groups[0].location)
        else:
            holder = cluster if cluster is not None and res.get("db_subnet_group_name") is None and res.get("DBSubnetGroupName") is None else res
            routed = _setting_part(holder, (("db_subnet_group_name",), ("DBSubnetGroupName",)), "subnet group",
                                   "%s names no subnet group: the default VPC's default group, whose subnets route to its internet gateway" % holder.address)
        port = db_port(res, cluster)
        out.append(_decide(graph, res, "database", [pub, routed], (Port("tcp", port, port),)))
    return out


_REDSHIFT_GROUPS = ("aws_redshift_subnet_group", "AWS::Redshift::ClusterSubnetGroup")


def _warehouses(graph: ResourceGraph, hosts: Hosts) -> list:
    """Redshift clusters ("redshift_cluster" table kind, AWS-REDSHIFT-401's facts): publicly
    accessible, in a cluster subnet group with a routed subnet (none named: the default VPC's)."""
    from . import KINDS

    out = []
    for cluster in KINDS["redshift_cluster"](graph):
        res = cluster.resource
        pub = _attr_part(cluster.publicly_accessible, "%s is publicly accessible" % res.address, "%s is not publicly accessible" % res.address, "whether it is publicly accessible")
        at = ("cluster_subnet_group_name",) if res.language == "terraform" else ("ClusterSubnetGroupName",)
        groups = [g for g in graph.referenced_at(res, (at,), _REDSHIFT_GROUPS) if g.mode == "managed"]
        subnets = [s for g in groups for s in graph.referenced_at(g, (("subnet_ids",), ("SubnetIds",)), SUBNETS) if s.mode == "managed"]
        if subnets:
            routed = _subnets_part(graph, subnets, "its subnet group's subnet", hosts.routes)
        elif groups:
            routed = Part(Unknown("subnet group %s names no subnet of the scan" % groups[0].address), "its subnets", groups[0].location)
        else:
            routed = _setting_part(res, (at,), "subnet group", "%s names no subnet group: the default VPC's, routed to its internet gateway" % res.address)
        port = _port(res, ("port",), ("Port",)) if res.get("port") is not None or res.get("Port") is not None else 5439
        out.append(_decide(graph, res, "database", [pub, routed], (Port("tcp", port, port),)))
    return out


def _group_subnets_part(graph: ResourceGraph, holder: Resource, at: tuple, group_types: tuple, hosts: Hosts, default_words: str) -> Part:
    """Whether the subnet group `holder` names at `at` (one of `group_types`) holds a subnet
    routed to an internet gateway; none named: `default_words` (the default VPC's, routed)."""
    groups = [g for g in graph.referenced_at(holder, (at,), group_types) if g.mode == "managed"]
    subnets = [s for g in groups for s in graph.referenced_at(g, (("subnet_ids",), ("SubnetIds",)), SUBNETS) if s.mode == "managed"]
    if subnets:
        return _subnets_part(graph, subnets, "its subnet group's subnet", hosts.routes)
    if groups:
        return Part(Unknown("subnet group %s names no subnet of the scan" % groups[0].address), "its subnets", groups[0].location)
    return _setting_part(holder, (at,), "subnet group", default_words % holder.address)


_NEPTUNE_INSTANCES = ("aws_neptune_cluster_instance", "AWS::Neptune::DBInstance")
_NEPTUNE_CLUSTERS = ("aws_neptune_cluster", "AWS::Neptune::DBCluster")
_NEPTUNE_GROUPS = ("aws_neptune_subnet_group", "AWS::Neptune::DBSubnetGroup")
_DMS_GROUPS = ("aws_dms_replication_subnet_group", "AWS::DMS::ReplicationSubnetGroup")
_DMS = ("aws_dms_replication_instance", "AWS::DMS::ReplicationInstance")


def _graph_databases(graph: ResourceGraph, hosts: Hosts) -> list:
    """Neptune instances with a public endpoint: Neptune sets public access per instance (engine
    1.4.6 and later; the cluster must use IAM database authentication, which AWS enforces, so
    IAM decides who may query, a layer). Terraform's `aws_neptune_cluster_instance`
    `publicly_accessible` (the "neptune_exposure" kind of AWS-NEPTUNE-401, false when left
    out); CloudFormation's `AWS::Neptune::DBInstance` documents no such property: its
    `PubliclyAccessible` is read when a template sets it, else private. The subnet group is the
    instance's (`neptune_subnet_group_name` / `DBSubnetGroupName`), else its cluster's; none:
    the default VPC's, routed. Port: the instance's, else the cluster's, else 8182."""
    from . import KINDS

    if not graph.of_type(*_NEPTUNE_INSTANCES, *_DMS):
        return []
    public = {f.resource.id: f.publicly_accessible for f in KINDS["neptune_exposure"](graph)}
    out = []
    for res in managed(graph, *_NEPTUNE_INSTANCES):
        attr = public.get(res.id)
        if attr is not None:
            pub = _attr_part(attr, "%s is publicly accessible" % res.address, "%s is not publicly accessible" % res.address, "whether it is publicly accessible")
        else:
            raw = res.get("PubliclyAccessible")
            value = as_bool(raw) if raw is not None else False
            pub = Part(value, "%s is publicly accessible" % res.address if value is True else ("whether it is publicly accessible" if is_unknown(value) else "%s is private" % res.address),
                       res.location_of("PubliclyAccessible") if raw is not None else res.location)
        if pub.value is False:
            continue
        tf = res.language == "terraform"
        group_at = ("neptune_subnet_group_name",) if tf else ("DBSubnetGroupName",)
        cluster = next(iter(graph.referenced_at(res, ((("cluster_identifier",) if tf else ("DBClusterIdentifier",)),), _NEPTUNE_CLUSTERS)), None)
        holder = res if res.get(*group_at) is not None or cluster is None else cluster
        routed = _group_subnets_part(graph, holder, group_at, _NEPTUNE_GROUPS, hosts, "%s names no subnet group: the default VPC's, routed to its internet gateway")
        port = 8182
        for source in (res, cluster):
            if source is not None and source.get("port" if tf else "Port") is not None:
                port = as_int(source.get("port" if tf else "Port"))
                break
        out.append(_decide(graph, res, "database", [pub, routed], (Port("tcp", port, port),)))
    for fact in KINDS["dms_exposure"](graph):
        res = fact.resource
        pub = _attr_part(fact.publicly_accessible, "%s is publicly accessible%s" % (res.address, "" if fact.publicly_accessible.explicit else " (the default)"),
                         "%s is not publicly accessible" % res.address, "whether it is publicly accessible")
        at = ("replication_subnet_group_id",) if res.language == "terraform" else ("ReplicationSubnetGroupIdentifier",)
        routed = _group_subnets_part(graph, res, at, _DMS_GROUPS, hosts, "%s names no replication subnet group: the default VPC's, routed to its internet gateway")
        # a replication instance listens on no port of its own: a public address, no service
        out.append(_decide(graph, res, "database", [pub, routed], ()))
    return out


def _search_domains(graph: ResourceGraph) -> list:
    """OpenSearch / Elasticsearch domains without VPC options ("search_domain" table kind,
    AWS-OPENSEARCH-401's facts): a public HTTPS endpoint; its access policy is a layer."""
    from . import KINDS

    out = []
    for domain in KINDS["search_domain"](graph):
        res = domain.resource
        vpc = domain.vpc_options
        if is_unknown(vpc.value):
            part = Part(vpc.value, "whether it is placed in a VPC", vpc.location)
        else:
            part = Part(vpc.value is not True, "%s has no VPC options: its endpoint is public" % res.address if vpc.value is not True else "%s is in a VPC" % res.address, vpc.location)
        out.append(_decide(graph, res, "database", [part], _HTTPS))
    return out


# --- the kind -------------------------------------------------------------------------------

_COMPUTED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def entry_points(graph: ResourceGraph) -> list:
    """The entry points of the scan, computed once per graph (the facts kind and the attack
    paths both ask; a new list each time, the entry points themselves are immutable)."""
    done = _COMPUTED.get(graph)
    if done is None:
        done = _COMPUTED[graph] = tuple(_entry_points(graph))
    return list(done)


def _entry_points(graph: ResourceGraph) -> list:
    out: list = []
    for build in (_load_balancers, _api_stages, _distributions, _function_urls, _eks, _search_domains):
        out.extend(e for e in build(graph) if e is not None)
    compute = bool(graph.of_type(*_INSTANCES, *_ASGS, *_ECS_SERVICES))
    if compute or graph.of_type(*_DATABASES, "aws_redshift_cluster", "AWS::Redshift::Cluster", *_NEPTUNE_INSTANCES, *_DMS):
        hosts = Hosts(graph, compute)
        builds = (_instances, _auto_scaling_groups, _ecs_services, _databases, _warehouses, _graph_databases) if compute else (_databases, _warehouses, _graph_databases)
        for build in builds:
            out.extend(e for e in build(graph, hosts) if e is not None)
    return sorted(out, key=lambda e: (e.root, e.resource.address, e.resource.id))


__all__ = ["ASG_LAUNCH", "covers_port", "ENTRY_KINDS", "INTERNET", "LAUNCH_TEMPLATES", "ingress_by_group", "SUBNETS", "EntryPoint", "Hosts", "Part", "Port", "db_port", "ecs_public_ip", "elastic_ips", "entry_points",
           "ip_of_host", "subnet_of_host"]
