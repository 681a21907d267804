"""Defense layers of an attack path (issue 14, part C): one small function per layer, each
deciding that layer for one node of a path, reusing the facts of the single-resource checks.

Nothing here is a facts kind: part B walks the paths (kind "attack_path"), the path check
AWS-PATH-001 (checks/infrastructure/attack_paths.py) calls `missing_layers` on each.

Every layer function takes the scan's `Facts` and a resource (the node; `least_privilege`: the
role and the statement that grants it the asset) and returns a `Verdict`,
or None when the layer does not apply to that node (a WAF in front of a database, authentication
on a load balancer). A `Verdict`'s `value` is:

- True: the layer is present;
- False: the layer is missing; `reason` says why in a few words and `location` points at the
  deciding setting (or the resource, when a default decides);
- an `Unknown`: undecided; that Unknown (with its reason) and where it is set. An Unknown never
  makes a layer missing by itself.

The layers (`LAYERS`: name -> (function, the node roles it applies to)):

- `waf` (entry points): an application load balancer with a WAFv2 web ACL association (the
  "protects" relation, `network.load_balancers`, AWS-ELB-001); an API Gateway REST stage or
  AppSync API with one (`infra_b_edge.waf_targets`, AWS-APIGW-402 / AWS-APPSYNC-401; an
  association of its root whose target is not known leaves it undecided); a CloudFront
  distribution naming a web ACL (`infra_b_edge.distributions`, AWS-CLOUDFRONT-404). Network,
  gateway and classic load balancers, function URLs, HTTP APIs, instances and databases: WAFv2
  cannot front them, not applicable.
- `tls` (entry points): no listener of a load balancer serves plain HTTP without redirecting to
  HTTPS (`infra_b_edge.lb_listeners`, AWS-ELB-404; a classic load balancer: an inline HTTP
  listener, it cannot redirect); no cache behavior of a CloudFront distribution has viewer
  protocol policy `allow-all` (AWS-CLOUDFRONT-401); API Gateway and function URLs serve HTTPS
  only: present.
- `authentication` (entry points): a function URL's auth type is not NONE (the "function_url"
  kind, AWS-LAMBDA-310); every method of a REST stage's API has an authorizer or asks for an API
  key (the "api_method" kind, AWS-APIGW-311; OPTIONS is CORS preflight, not counted), every
  route of an HTTP API has an authorizer, a WebSocket API's `$connect` route has one or an API
  key (the "api_route" kind, AWS-APIGW-900); on a path, only the methods / routes that may invoke
  the path's compute count (one whose integration is known to invoke another function does not).
  A stage whose API is not known, or has no method of the scan, is undecided. Load balancers, CloudFront, instances, databases: not applicable.
- `sg-restriction` (any node with security groups): no security group the node uses (the
  `uses_security_group` relation; rules inline or as rule resources through `rule_of`,
  `network.security_group_rules`) admits the world (`0.0.0.0/0`, `::/0`) on an admin port
  (SSH 22, RDP 3389) or a database port, or on all ports (AWS-EC2-001 / AWS-EC2-301); a rule
  whose source is a managed prefix list counts through the list's entries (`network.Source`: a
  list from outside the scan is undecided). A node without a security group of the scan: not
  applicable.
- `encryption-at-rest` (assets): S3 buckets: present (S3 encrypts every new object with SSE-S3
  at least since January 2023, so a bucket without a configuration of its own is still
  encrypted; AWS-S3-001 asks for a declared configuration, which is hygiene, not this layer);
  RDS instances and clusters (`storage.databases`' `storage_encrypted`, AWS-RDS-001; an Aurora
  member: its cluster's); DynamoDB tables: present (always encrypted); EFS file systems (the
  "efs_file_system" kind's `encrypted`, AWS-EFS-501), and the table kinds of ElastiCache
  replication groups, OpenSearch / Elasticsearch domains, DocumentDB and Neptune clusters,
  Kinesis streams (`kms`) and SNS topics (a KMS key) (`_ENCRYPTION_KINDS`). Other assets (Redshift,
  whose default changed in 2025, SQS...): not applicable (not judged yet).
- `nacl` (entry points, compute, assets): a custom network ACL on a subnet of the node admits
  an admin or database port from the world, its ingress entries read in rule-number order
  (`infra_a_network.network_acl_entries`, AWS-VPC-305/306). See `nacl`.
- `network-segmentation` (entry points, compute, assets): an instance with a public address in a
  subnet routed to an internet gateway (the parts of the exposure model, part A: Elastic IP,
  `associate_public_ip_address`, the subnet's mapping; routes; no subnet = the default VPC), an
  ECS service whose tasks get a public IP in such a subnet (`exposure.ecs_public_ip`), a
  database / Redshift cluster / OpenSearch domain / Neptune instance / DMS replication instance
  that is a database entry point: missing. See `network_segmentation`.
- `least-privilege` (a role and the statement that grants it the asset): see `least_privilege`.

`missing_layers(facts, hops)` walks a path's hops (`Hops`: entry point, compute..., role, the
statement granting it the asset, asset; `Hops.of(resources, grant)` builds one from the resource
sequence part B walks),
asks each layer of each node in the node's role, and returns (missing, undecided): missing as
(layer, reason, location), undecided as (layer, Unknown, location). A path with a missing layer
is a finding (part D); undecided layers are listed, never reported as missing.

Each layer indexes the facts it reads once per scan (kept per `Facts` object), so deciding the
layers of every node of every path is linear in the nodes.

Not yet: the ports a path actually carries (every layer about ports asks about the admin and
database ports, `SENSITIVE_PORTS`); `encryption-at-rest` for the other services with table
kinds (Redshift, SQS, Firehose, MSK, backups, ECR, logs...); a NACL association whose ACL is not known (read as no custom ACL); security
group rule resources whose group is not known (the exposure model leaves those undecided; here
they belong to no group).
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any, Callable

from iacguard.core.model import Location, Resource
from iacguard.facts.ports import ADMIN_PORTS, DATABASE_PORTS
from iacguard.core.unknown import Unknown, is_unknown

LAYER_NAMES = ("waf", "tls", "authentication", "sg-restriction", "nacl", "network-segmentation", "least-privilege", "encryption-at-rest")


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a defence layer holds (True, False or Unknown), why, and where."""

    value: Any  # True: present; False: missing; an Unknown: undecided
    reason: str  # in words: why it is present, missing, or what is not known
    location: Location  # the deciding setting (or the resource when a default decides)

    @property
    def missing(self) -> bool:
        return self.value is False

    @property
    def undecided(self) -> bool:
        return is_unknown(self.value)


# --- per-scan indexes -----------------------------------------------------------------------

_INDEXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _index(facts, name: str, build: Callable) -> dict:
    """`build(facts)` once per scan (per `Facts`)."""
    per = _INDEXES.setdefault(facts, {})
    if name not in per:
        per[name] = build(facts)
    return per[name]


def _by_resource(kind: str) -> Callable:
    def build(facts) -> dict:
        return {f.resource.id: f for f in facts.of_kind(kind)}
    return build


def _fact(facts, kind: str, res: Resource):
    return _index(facts, kind, _by_resource(kind)).get(res.id)


# --- waf ------------------------------------------------------------------------------------

_LBS = ("aws_lb", "aws_alb", "AWS::ElasticLoadBalancingV2::LoadBalancer")
_CLASSIC = ("aws_elb", "AWS::ElasticLoadBalancing::LoadBalancer")
_CDN = ("aws_cloudfront_distribution", "AWS::CloudFront::Distribution")
_REST_STAGES = ("aws_api_gateway_stage", "AWS::ApiGateway::Stage")
_V2_STAGES = ("aws_apigatewayv2_stage", "AWS::ApiGatewayV2::Stage")
_APPSYNC = ("aws_appsync_graphql_api", "AWS::AppSync::GraphQLApi")
_URLS = ("aws_lambda_function_url", "AWS::Lambda::Url")


def waf(facts, entry: Resource) -> Verdict | None:
    if entry.type in _LBS:
        lb = _fact(facts, "load_balancer", entry)
        if lb is None:
            return None
        kind = lb.lb_type.value
        if is_unknown(kind):
            return Verdict(kind, "the type of load balancer %s" % entry.address, lb.lb_type.location)
        if not (isinstance(kind, str) and kind.strip().lower() == "application"):
            return None  # WAFv2 fronts application load balancers only
        if lb.web_acl_associations:
            return Verdict(True, "%s protects %s" % (lb.web_acl_associations[0].address, entry.address), lb.web_acl_associations[0].location)
        return Verdict(False, "no WAFv2 web ACL is associated with %s" % entry.address, entry.location)
    if entry.type in _REST_STAGES or entry.type in _APPSYNC:
        target = _fact(facts, "waf_target", entry)
        if target is None:
            return None
        if target.associations:
            return Verdict(True, "%s protects %s" % (target.associations[0].address, entry.address), target.associations[0].location)
        if target.pending:
            first = target.pending[0]
            return Verdict(first.value, "the target of a WAF association of its root", first.location)
        return Verdict(False, "no WAFv2 web ACL is associated with %s" % entry.address, entry.location)
    if entry.type in _CDN:
        dist = _fact(facts, "cdn_distribution", entry)
        if dist is None:
            return None
        acl = dist.web_acl
        if is_unknown(acl.value):
            return Verdict(acl.value, "the web ACL of %s" % entry.address, acl.location)
        if acl.value is True:
            return Verdict(True, "%s names a web ACL" % entry.address, acl.location)
        return Verdict(False, "%s names no web ACL" % entry.address, acl.location)
    return None


# --- tls ------------------------------------------------------------------------------------

_LISTENERS = ("aws_lb_listener", "aws_alb_listener", "AWS::ElasticLoadBalancingV2::Listener")


def _classic_listeners(entry: Resource) -> Verdict:
    if entry.language == "terraform":
        items = [(b, ("listener", i)) for i, b in enumerate(entry.blocks("listener"))]
        key = "lb_protocol"
    else:
        raw = entry.get("Listeners")
        if is_unknown(raw):
            return Verdict(raw, "the listeners of %s" % entry.address, entry.location_of("Listeners"))
        items = [(b, ("Listeners", i)) for i, b in enumerate(raw)] if isinstance(raw, list) else []
        key = "Protocol"
    unknown = None
    for item, path in items:
        if not isinstance(item, dict):
            continue
        protocol = item.get(key)
        if is_unknown(protocol):
            unknown = unknown or Verdict(protocol, "the protocol of a listener of %s" % entry.address, entry.location_of(*path, key))
        elif isinstance(protocol, str) and protocol.strip().upper() == "HTTP":
            return Verdict(False, "%s listens on plain HTTP (a classic load balancer cannot redirect to HTTPS)" % entry.address, entry.location_of(*path, key))
    return unknown or Verdict(True, "%s has no plain HTTP listener" % entry.address, entry.location)


def tls(facts, entry: Resource) -> Verdict | None:
    if entry.type in _LBS:
        listeners = [f for f in (_fact(facts, "lb_listener", lst) for lst in facts.graph.related_from(entry, "listener_of", _LISTENERS)) if f is not None]
        unknown = None
        for listener in listeners:
            protocol, redirect = listener.protocol, listener.redirects_to_https
            if redirect.value is True or (not is_unknown(protocol.value) and protocol.value != "HTTP"):
                continue
            if is_unknown(protocol.value):
                unknown = unknown or Verdict(protocol.value, "the protocol of listener %s" % listener.resource.address, protocol.location)
            elif is_unknown(redirect.value):
                unknown = unknown or Verdict(redirect.value, "the default action of listener %s" % listener.resource.address, redirect.location)
            else:
                return Verdict(False, "listener %s serves plain HTTP without redirecting to HTTPS" % listener.resource.address, protocol.location)
        if unknown is not None:
            return unknown
        if not listeners:
            return None  # no listener of the scan: nothing is served (part A makes it no entry point)
        return Verdict(True, "every listener of %s uses TLS or redirects to HTTPS" % entry.address, listeners[0].resource.location)
    if entry.type in _CLASSIC:
        return _classic_listeners(entry)
    if entry.type in _CDN:
        dist = _fact(facts, "cdn_distribution", entry)
        if dist is None:
            return None
        unknown = None
        for label, policy in dist.viewer_policies:
            if is_unknown(policy.value):
                unknown = unknown or Verdict(policy.value, "the viewer protocol policy of cache behavior %s" % label, policy.location)
            elif policy.value == "allow-all":
                return Verdict(False, "cache behavior %s of %s allows plain HTTP (viewer protocol policy allow-all)" % (label, entry.address), policy.location)
        return unknown or Verdict(True, "every cache behavior of %s requires or redirects to HTTPS" % entry.address, entry.location)
    if entry.type in _REST_STAGES or entry.type in _V2_STAGES or entry.type in _URLS:
        return Verdict(True, "%s serves HTTPS only" % entry.address, entry.location)
    return None


# --- authentication -------------------------------------------------------------------------

_REST_APIS = ("aws_api_gateway_rest_api", "AWS::ApiGateway::RestApi")
_V2_APIS = ("aws_apigatewayv2_api", "AWS::ApiGatewayV2::Api", "AWS::Serverless::HttpApi")
_API_AT = (("rest_api_id",), ("RestApiId",), ("api_id",), ("ApiId",))


def _children_by_api(kind: str, apis: tuple) -> Callable:
    """API id -> the facts of `kind` (methods or routes) that name it, in one pass."""
    def build(facts) -> dict:
        out: dict = {}
        for f in facts.of_kind(kind):
            for api in facts.graph.referenced_at(f.resource, _API_AT, apis):
                out.setdefault(api.id, []).append(f)
        return out
    return build


def _method_open(method) -> Any:
    """True when a REST method admits anyone (no authorization, no API key, not OPTIONS), False
    when not, else the Unknown that decides; with the location."""
    auth, key, verb = method.authorization, method.api_key_required, method.http_method
    if auth.known and auth.value != "none":
        return False, auth.location
    if key.value is True:
        return False, key.location
    if isinstance(verb.value, str) and verb.value.strip().upper() == "OPTIONS":
        return False, verb.location
    for attr in (auth, key, verb):
        if not attr.known:
            return attr.value, attr.location
    return True, auth.location


def _route_open(route) -> Any:
    auth, key, protocol = route.authorization, route.route_key, route.protocol
    if auth.known and auth.value != "none":
        return False, auth.location
    if not auth.known:
        return auth.value, auth.location
    if not key.known:
        return key.value, key.location
    text = key.value.strip() if isinstance(key.value, str) else ""
    if is_unknown(protocol):
        return (protocol if text.lower() == "$default" else True), key.location if text.lower() == "$default" else auth.location
    if protocol == "websocket":
        if text.lower() != "$connect":
            return False, key.location  # only $connect carries authorization
        if route.api_key_required.value is True:
            return False, route.api_key_required.location
        if not route.api_key_required.known:
            return route.api_key_required.value, route.api_key_required.location
        return True, auth.location
    if text.upper().startswith("OPTIONS "):
        return False, key.location
    return True, auth.location


_V2_INTEGRATIONS = ("aws_apigatewayv2_integration", "AWS::ApiGatewayV2::Integration")


def _invoked(graph, child: Resource) -> list:
    """The functions a REST method or an HTTP API route is known to invoke (its integration's
    `integration_of`); empty when not known."""
    found = list(graph.related(child, "integration_of"))
    for integration in graph.referenced_at(child, (("target",), ("Target",)), _V2_INTEGRATIONS):
        found.extend(graph.related(integration, "integration_of"))
    return found


def _api_authentication(facts, entry: Resource, apis: tuple, kind: str, judge: Callable, what: str, compute: tuple = ()) -> Verdict:
    found = facts.graph.referenced_at(entry, _API_AT, apis)
    if not found:
        key = next((p[0] for p in _API_AT if entry.get(*p) is not None), None)
        raw = entry.get(key) if key else None
        why = raw if is_unknown(raw) else Unknown("the API of %s is not a resource of the scan" % entry.address)
        return Verdict(why, "the API of %s" % entry.address, entry.location_of(key) if key else entry.location)
    children = _index(facts, "layers:%s-by-api" % kind, _children_by_api(kind, apis)).get(found[0].id, [])
    if not children:
        return Verdict(Unknown("API %s has no %s of the scan" % (found[0].address, what)), "the %ss of API %s" % (what, found[0].address), found[0].location)
    if compute:  # a path through the API: only the methods / routes that may invoke its compute
        ids = {c.id for c in compute}
        mine = [c for c in children if not (invoked := _invoked(facts.graph, c.resource)) or any(f.id in ids for f in invoked)]
        children = mine or children
    unknown = None
    for child in children:
        open_, location = judge(child)
        if open_ is True:
            return Verdict(False, "%s %s of API %s has no authorization" % (what, child.resource.address, found[0].address), location)
        if is_unknown(open_) and unknown is None:
            unknown = Verdict(open_, "the authorization of %s %s" % (what, child.resource.address), location)
    return unknown or Verdict(True, "every %s of API %s requires authorization" % (what, found[0].address), found[0].location)


def authentication(facts, entry: Resource, compute: tuple = ()) -> Verdict | None:
    """`compute`: the path's compute behind the entry point; an API stage is then judged on the
    methods / routes that may invoke it (one known to invoke another function is not on the path)."""
    if entry.type in _URLS:
        url = _fact(facts, "function_url", entry)
        if url is None:
            return None
        auth = url.auth_type
        if not auth.known:
            return Verdict(auth.value, "the auth type of %s" % entry.address, auth.location)
        if auth.value == "none":
            return Verdict(False, "function URL %s has auth type NONE" % entry.address, auth.location)
        return Verdict(True, "function URL %s requires IAM authentication" % entry.address, auth.location)
    if entry.type in _REST_STAGES:
        return _api_authentication(facts, entry, _REST_APIS, "api_method", _method_open, "method", compute)
    if entry.type in _V2_STAGES:
        return _api_authentication(facts, entry, _V2_APIS, "api_route", _route_open, "route", compute)
    return None


# --- sg-restriction -------------------------------------------------------------------------

_SG = ("aws_security_group", "aws_default_security_group", "AWS::EC2::SecurityGroup")
# Admin (AWS-EC2-001) and database (AWS-EC2-301) ports: port -> (name, transports).
SENSITIVE_PORTS = {**ADMIN_PORTS, **DATABASE_PORTS}


def _ingress_by_group(facts) -> dict:
    """Security group id -> its ingress rules (inline, or rule resources through `rule_of`): the
    exposure model's index, built once per graph."""
    from .exposure import ingress_by_group

    return ingress_by_group(facts.graph)[0]


def _sensitive(rule) -> Any:
    """The sensitive port the rule opens ("SSH (tcp/22)", "all ports"), None when none, or the
    Unknown that leaves it open."""
    if rule.protocol == "all":
        return "all ports"
    if is_unknown(rule.protocol):
        return rule.protocol
    unknown = None
    for port, (name, transports) in SENSITIVE_PORTS.items():
        if rule.protocol not in transports:
            continue
        covers = rule.covers_port(port)
        if covers is True:
            return "%s (%s/%d)" % (name, rule.protocol, port)
        if is_unknown(covers) and unknown is None:
            unknown = covers
    return unknown


def _cluster_of(graph, node: Resource) -> Resource | None:
    """The Aurora cluster of a cluster member (`aws_rds_cluster_instance`, an `AWS::RDS::DBInstance`
    naming `DBClusterIdentifier`): its security groups and subnet group are the cluster's."""
    if node.type == "aws_rds_cluster_instance":
        at = ("cluster_identifier",)
    elif node.type == "AWS::RDS::DBInstance" and node.get("DBClusterIdentifier") is not None:
        at = ("DBClusterIdentifier",)
    else:
        return None
    return next(iter(graph.referenced_at(node, (at,), _CLUSTERS)), None)


# data store type -> (where it names its subnet group, the group's types, where the group names
# its subnets) or, with no group type, where the store names its subnets: the stores that no
# `in_subnet` / `in_subnet_group` relation covers.
_STORE_SUBNETS = {
    "aws_redshift_cluster": ((("cluster_subnet_group_name",),), ("aws_redshift_subnet_group",), (("subnet_ids",),)),
    "AWS::Redshift::Cluster": ((("ClusterSubnetGroupName",),), ("AWS::Redshift::ClusterSubnetGroup",), (("SubnetIds",),)),
    "aws_opensearch_domain": ((("vpc_options", "subnet_ids"),), (), ()),
    "aws_elasticsearch_domain": ((("vpc_options", "subnet_ids"),), (), ()),
    "AWS::OpenSearchService::Domain": ((("VPCOptions", "SubnetIds"),), (), ()),
    "AWS::Elasticsearch::Domain": ((("VPCOptions", "SubnetIds"),), (), ()),
}


def _store_subnets(graph, node: Resource) -> list:
    spec = _STORE_SUBNETS.get(node.type)
    if spec is None:
        return []
    at, group_types, group_at = spec
    if not group_types:
        return graph.referenced_at(node, at, _SUBNETS)
    return [s for g in graph.referenced_at(node, at, group_types) for s in graph.referenced_at(g, group_at, _SUBNETS)]


def sg_restriction(facts, node: Resource) -> Verdict | None:
    groups = facts.graph.related(node, "uses_security_group", _SG)
    if not groups:
        cluster = _cluster_of(facts.graph, node)
        groups = facts.graph.related(cluster, "uses_security_group", _SG) if cluster is not None else []
    if not groups:  # a Redshift cluster or an OpenSearch domain: no relation, the setting names them
        from .attack_paths import NETWORK_STORES

        if node.type in NETWORK_STORES:
            groups = facts.graph.referenced_at(node, NETWORK_STORES[node.type][1], _SG)
    if not groups:
        return None
    rules = _index(facts, "layers:ingress", _ingress_by_group)
    unknown = None
    for group in groups:
        for rule in rules.get(group.id, ()):
            world = rule.is_world_open()
            if world is False:
                continue
            what = _sensitive(rule)
            if what is None:
                continue
            if world is True and isinstance(what, str):
                source = rule.world_sources()[0]
                via = " in prefix list %s" % source.prefix_list if source.prefix_list else ""
                return Verdict(False, "security group %s admits the internet (%s%s) on %s" % (group.address, source.cidr, via, what), rule.location)
            if unknown is None:
                why = world if is_unknown(world) else what
                unknown = Verdict(why, "whether a rule of security group %s opens an admin or database port to the internet" % group.address, rule.location)
    return unknown or Verdict(True, "no security group of %s admits the internet on an admin or database port" % node.address, groups[0].location)


# --- encryption-at-rest ---------------------------------------------------------------------

_BUCKETS = ("aws_s3_bucket", "AWS::S3::Bucket")
_TABLES = ("aws_dynamodb_table", "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
_DATABASES = ("aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster")
_CLUSTERS = ("aws_rds_cluster", "AWS::RDS::DBCluster")


# table kind -> (its setting that says the asset is encrypted at rest, the value that does): the
# facts of AWS-EFS-501 and the data-protection checks of the same kinds.
_ENCRYPTION_KINDS = {
    "efs_file_system": ("encrypted", True),
    "elasticache_replication_group": ("at_rest_encryption", True),
    "search_domain": ("encrypt_at_rest", True),
    "docdb_cluster": ("storage_encrypted", True),
    "neptune_cluster": ("storage_encrypted", True),
    "kinesis_stream": ("encryption_type", "kms"),
    "sns_topic": ("kms_key", True),
}
_ENCRYPTION_TYPES: dict = {}


def _encryption_types() -> dict:
    """Resource type -> (table kind, setting, value), from the table kinds' own type lists."""
    if not _ENCRYPTION_TYPES:
        from .settings import TABLE

        for kind, (name, yes) in _ENCRYPTION_KINDS.items():
            for type_ in TABLE[kind].terraform + TABLE[kind].cloudformation:
                _ENCRYPTION_TYPES[type_] = (kind, name, yes)
    return _ENCRYPTION_TYPES


def encryption_at_rest(facts, asset: Resource) -> Verdict | None:
    if asset.type in _BUCKETS:
        bucket = _fact(facts, "bucket", asset)
        if bucket is not None and bucket.encryption.value is True:
            return Verdict(True, "%s declares default encryption" % asset.address, bucket.encryption.location)
        # Declared or not: S3 encrypts every new object (SSE-S3 at least) since January 2023.
        return Verdict(True, "S3 encrypts the objects of %s with SSE-S3 at least" % asset.address, asset.location)
    if asset.type in _TABLES:
        return Verdict(True, "DynamoDB encrypts table %s at rest (an AWS owned key at least)" % asset.address, asset.location)
    if asset.type in _DATABASES:
        db = _fact(facts, "database", asset)
        if db is None:
            return None
        attr = db.storage_encrypted
        if attr is None:  # an Aurora member: its cluster decides
            at = ("cluster_identifier",) if asset.language == "terraform" else ("DBClusterIdentifier",)
            cluster = next(iter(facts.graph.referenced_at(asset, (at,), _CLUSTERS)), None)
            if cluster is None:
                return Verdict(Unknown("the cluster of %s is not a resource of the scan" % asset.address), "the cluster of %s" % asset.address, asset.location)
            return encryption_at_rest(facts, cluster)
    else:
        spec = _encryption_types().get(asset.type)
        if spec is None:
            return None
        kind, name, yes = spec
        fact = _fact(facts, kind, asset)
        if fact is None:
            return None
        attr = getattr(fact, name)
        if not is_unknown(attr.value):
            from .common import Attr

            attr = Attr(attr.value == yes, attr.location, attr.explicit)
    if is_unknown(attr.value):
        return Verdict(attr.value, "whether %s is encrypted at rest" % asset.address, attr.location)
    if attr.value is True:
        return Verdict(True, "%s is encrypted at rest" % asset.address, attr.location)
    return Verdict(False, "%s is not encrypted at rest%s" % (asset.address, "" if attr.explicit else " (the default)"), attr.location)


# --- nacl -----------------------------------------------------------------------------------

_ACLS = ("aws_network_acl", "aws_default_network_acl", "AWS::EC2::NetworkAcl")
_SUBNETS = ("aws_subnet", "aws_default_subnet", "AWS::EC2::Subnet")
# association type -> (where it names the subnet, where it names the network ACL)
_ACL_ASSOCIATIONS = {
    "aws_network_acl_association": ("subnet_id", "network_acl_id"),
    "AWS::EC2::SubnetNetworkAclAssociation": ("SubnetId", "NetworkAclId"),
}
# entry resource type -> where it names its network ACL, and its rule number
_ACL_ENTRIES = {"aws_network_acl_rule": ("network_acl_id", "rule_number"), "AWS::EC2::NetworkAclEntry": ("NetworkAclId", "RuleNumber")}


class _Acls:
    """Subnet id -> the custom network ACLs of the scan associated with it (`subnet_ids` of
    `aws_network_acl` / `aws_default_network_acl`, `aws_network_acl_association`,
    `AWS::EC2::SubnetNetworkAclAssociation`), and network ACL id -> its ingress entries
    (`infra_a_network.network_acl_entries`, AWS-VPC-305/306) with their rule numbers; once per
    scan."""

    def __init__(self, facts) -> None:
        from iacguard.core.unknown import as_int

        graph = facts.graph
        self.of_subnet: dict = {}
        for acl in (a for a in graph.of_type("aws_network_acl", "aws_default_network_acl") if a.mode == "managed"):
            for subnet in graph.referenced_at(acl, (("subnet_ids",),), _SUBNETS):
                self.of_subnet.setdefault(subnet.id, []).append(acl)
        for type_, (subnet_key, acl_key) in _ACL_ASSOCIATIONS.items():
            for assoc in (a for a in graph.of_type(type_) if a.mode == "managed"):
                acls = graph.referenced_at(assoc, ((acl_key,),), _ACLS)
                for subnet in graph.referenced_at(assoc, ((subnet_key,),), _SUBNETS):
                    listed = self.of_subnet.setdefault(subnet.id, [])
                    for acl in acls:
                        if acl not in listed:
                            listed.append(acl)
        numbers: dict = {}  # (inline ACL id, entry location) -> rule number
        for acl in graph.of_type("aws_network_acl", "aws_default_network_acl"):
            for i, block in enumerate(acl.blocks("ingress")):
                numbers[(acl.id, acl.location_of("ingress", i))] = as_int(block.get("rule_no")) if block.get("rule_no") is not None else Unknown("rule_no not set")
        self.entries: dict = {}
        for entry in facts.of_kind("network_acl_entry"):
            if entry.direction == "egress":
                continue
            res = entry.resource
            if res.type in _ACL_ENTRIES:
                acl_key, number_key = _ACL_ENTRIES[res.type]
                raw = res.get(number_key)
                number = as_int(raw) if raw is not None else Unknown("%s names no rule number" % res.address)
                acls = graph.referenced_at(res, ((acl_key,),), _ACLS)
            else:
                number, acls = numbers.get((res.id, entry.location), Unknown("rule number")), [res]
            for acl in acls:
                self.entries.setdefault(acl.id, []).append((number, entry))
        for listed in self.entries.values():
            listed.sort(key=lambda pair: (1, 0) if is_unknown(pair[0]) else (0, pair[0]))


def _acl_verdict(acl: Resource, entries: list) -> Verdict:
    """For each admin or database port, the first ingress entry by rule number that may match
    traffic from the whole internet decides: allow -> missing; deny -> that port is closed; an
    entry whose number, direction, action, protocol, ports or source is not known -> undecided."""
    unknown = None
    for port, (name, transports) in SENSITIVE_PORTS.items():
        for number, entry in entries:
            if is_unknown(entry.direction):
                unknown = unknown or Verdict(entry.direction, "the direction of an entry of network ACL %s" % acl.address, entry.direction_location)
                break
            if is_unknown(entry.protocol):
                unknown = unknown or Verdict(entry.protocol, "the protocol of an entry of network ACL %s" % acl.address, entry.location)
                break
            if entry.protocol != "all" and entry.protocol not in transports:
                continue
            covers = entry.covers_port(port)
            worlds = [(src.is_world(), src.location) for src in entry.sources]
            world, world_at = next(((w, at) for w, at in worlds if w is True), None) or next(((w, at) for w, at in worlds if is_unknown(w)), (False, entry.location))
            if covers is False or world is False:
                continue
            for value, where in ((number, entry.location), (covers, entry.location), (world, world_at), (entry.action, entry.action_location)):
                if is_unknown(value):
                    unknown = unknown or Verdict(value, "an entry of network ACL %s" % acl.address, where)
                    break
            else:
                if entry.action == "allow":
                    return Verdict(False, "network ACL %s allows the internet on %s (%s/%d, rule %s)" % (acl.address, name, entry.protocol if entry.protocol != "all" else "all", port, number), entry.location)
            break  # this entry decides the port (deny, or not known)
    return unknown or Verdict(True, "network ACL %s admits no admin or database port from the internet" % acl.address, acl.location)


def nacl(facts, node: Resource) -> Verdict | None:
    """A custom network ACL on a subnet of the node (its `in_subnet` subnets, or those of its
    subnet group) allowing an admin or database port (`SENSITIVE_PORTS`) from the world, read in
    rule-number order. A node without a subnet of the scan, or whose subnets have no custom
    network ACL of the scan (the VPC's default ACL): not applicable."""
    graph = facts.graph
    subnets = graph.related(node, "in_subnet", _SUBNETS)
    cluster = _cluster_of(graph, node)
    for group in graph.related(node, "in_subnet_group") or (graph.related(cluster, "in_subnet_group") if cluster is not None else []):
        subnets += [s for s in graph.related(group, "in_subnet", _SUBNETS) if s not in subnets]
    subnets += [s for s in _store_subnets(graph, node) if s not in subnets]
    acls = _index(facts, "layers:acls", _Acls)
    seen = []
    unknown = None
    for subnet in subnets:
        for acl in acls.of_subnet.get(subnet.id, ()):
            if acl in seen:
                continue
            seen.append(acl)
            verdict = _acl_verdict(acl, acls.entries.get(acl.id, []))
            if verdict.value is False:
                return verdict
            if is_unknown(verdict.value) and unknown is None:
                unknown = verdict
    if not seen:
        return None
    return unknown or Verdict(True, "no network ACL of the subnets of %s admits an admin or database port from the internet" % node.address, seen[0].location)


# --- network-segmentation -------------------------------------------------------------------

_INSTANCES = ("aws_instance", "AWS::EC2::Instance")
_ASGS = ("aws_autoscaling_group", "AWS::AutoScaling::AutoScalingGroup")
_ECS_SERVICES = ("aws_ecs_service", "AWS::ECS::Service")
_STORES = _DATABASES + ("aws_redshift_cluster", "AWS::Redshift::Cluster", "aws_opensearch_domain", "aws_elasticsearch_domain",
                        "AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain", "aws_neptune_cluster_instance",
                        "AWS::Neptune::DBInstance", "aws_dms_replication_instance", "AWS::DMS::ReplicationInstance")


class _Hosts:
    """What the exposure model knows of hosts (part A), once per scan: its `Hosts` (launch
    facts, subnet mappings, unknown routes), the Elastic IPs by instance and the database entry
    points by resource."""

    def __init__(self, facts) -> None:
        from . import exposure

        self.exposure = exposure
        self.hosts = exposure.Hosts(facts.graph, True)
        self.eips = exposure.elastic_ips(facts.graph)
        self.entries = {e.resource.id: e for e in facts.of_kind("entry_point") if e.entry == "database"}


def _instance_segmentation(facts, node: Resource, known: _Hosts) -> Verdict:
    x, graph, hosts = known.exposure, facts.graph, known.hosts
    subnets = [s for s in graph.related(node, "in_subnet", x.SUBNETS) if s.mode == "managed"]
    subnet = x.subnet_of_host(graph, node, subnets, (("subnet_id",), ("SubnetId",), ("network_interface",), ("NetworkInterfaces",)), hosts.routes)
    launch = hosts.launches.get(node.id)
    eips = known.eips.get(node.id, ())
    if eips:
        ip = x.Part(True, "Elastic IP %s is associated with it" % eips[0].address, eips[0].location)
    elif launch is None:
        ip = x.Part(Unknown("no launch facts for %s" % node.address), "its public IP", node.location)
    else:
        ip = x.ip_of_host(launch, subnets, subnet, hosts.mapping)
    for part in (ip, subnet):
        if part.value is False:
            return Verdict(True, part.words, part.location)
    for part in (ip, subnet):
        if is_unknown(part.value):
            return Verdict(part.value, "%s (%s)" % (part.words, node.address), part.location)
    return Verdict(False, "%s has a public IP (%s) and %s" % (node.address, ip.words, subnet.words), ip.location)


def _asg_segmentation(facts, node: Resource, known: _Hosts) -> Verdict:
    """An auto scaling group: the instances it launches from its launch templates or
    configurations, in its own subnets (as the exposure model reads them)."""
    x, graph, hosts = known.exposure, facts.graph, known.hosts
    subnets = [s for s in graph.related(node, "in_subnet", x.SUBNETS) if s.mode == "managed"]
    subnet = x.subnet_of_host(graph, node, subnets, (("vpc_zone_identifier",), ("VPCZoneIdentifier",)), hosts.routes)
    templates = [t for t in graph.referenced_at(node, x.ASG_LAUNCH, x.LAUNCH_TEMPLATES) if t.mode == "managed"]
    launches = [hosts.launches.get(t.id) for t in templates]
    ips = [x.ip_of_host(launch, subnets, subnet, hosts.mapping) for launch in launches if launch is not None]
    if not ips:
        ips = [x.Part(Unknown("no launch template of the scan for %s" % node.address), "its public IP", node.location)]
    ip = next((p for p in ips if p.value is True), None) or next((p for p in ips if is_unknown(p.value)), ips[0])
    for part in (ip, subnet):
        if part.value is False:
            return Verdict(True, part.words, part.location)
    for part in (ip, subnet):
        if is_unknown(part.value):
            return Verdict(part.value, "%s (%s)" % (part.words, node.address), part.location)
    return Verdict(False, "%s launches instances with a public IP (%s) and %s" % (node.address, ip.words, subnet.words), ip.location)


def _ecs_segmentation(facts, node: Resource, known: _Hosts) -> Verdict:
    """An ECS service whose tasks get a public IP (awsvpc `assign_public_ip` / `AssignPublicIp`,
    not on the EC2 launch type) in a subnet routed to an internet gateway (part A's parts)."""
    x, graph = known.exposure, facts.graph
    ip = x.ecs_public_ip(node)
    if ip.value is False:
        return Verdict(True, ip.words, ip.location)
    subnets = [s for s in graph.related(node, "in_subnet", x.SUBNETS) if s.mode == "managed"]
    if not subnets:
        return Verdict(Unknown("the subnets of %s are not resources of the scan" % node.address), "its subnets (%s)" % node.address, node.location)
    subnet = x.subnet_of_host(graph, node, subnets, (), known.hosts.routes)
    if subnet.value is False:
        return Verdict(True, subnet.words, subnet.location)
    for part in (ip, subnet):
        if is_unknown(part.value):
            return Verdict(part.value, "%s (%s)" % (part.words, node.address), part.location)
    return Verdict(False, "%s and %s" % (ip.words, subnet.words), ip.location)


def network_segmentation(facts, node: Resource) -> Verdict | None:
    """Compute or a data store itself in a subnet routed to the internet with a public address:
    an instance with a public IP (Elastic IP, `associate_public_ip_address`, its subnet's mapping)
    in a subnet that routes to an internet gateway, whatever its security groups (part A's parts,
    `exposure.Hosts`); an ECS service whose tasks get a public IP in such a subnet; a database,
    Redshift cluster, OpenSearch domain, Neptune or DMS replication instance that is a database
    entry point of the exposure model (publicly accessible in a routed subnet, or no VPC). Other nodes
    (Lambda functions never get a public address): not applicable."""
    if node.type in _INSTANCES:
        return _instance_segmentation(facts, node, _index(facts, "layers:hosts", _Hosts))
    if node.type in _ASGS:
        return _asg_segmentation(facts, node, _index(facts, "layers:hosts", _Hosts))
    if node.type in _ECS_SERVICES:
        return _ecs_segmentation(facts, node, _index(facts, "layers:hosts", _Hosts))
    if node.type in _STORES:
        entry = _index(facts, "layers:hosts", _Hosts).entries.get(node.id)
        if entry is None:
            return Verdict(True, "%s is not publicly accessible from a routed subnet" % node.address, node.location)
        if entry.decided is True:
            return Verdict(False, entry.reason, entry.location)
        return Verdict(entry.decided, entry.reason, entry.location)
    return None


# --- least-privilege ------------------------------------------------------------------------

def _one_named(item: Any) -> bool:
    """A partly known ARN whose unknown pieces come before its last known piece, and that piece
    names one resource ("...:table/orders", "...:::acme-${...}-media/*" is not: the name itself
    has an unknown piece): an account or region not known, the resource named. A last piece that
    is a generated part of one resource's ARN (a secret's random suffix, `AttributeUnknown` with
    its node) after its known name ("...:secret:orders-db-" + suffix) still names that resource."""
    pieces = getattr(item, "partial_text", None)
    if pieces and len(pieces) > 2 and pieces[-1] in ("/*", "/index/*", "/stream/*") and getattr(pieces[-2], "node", None):
        pieces = pieces[:-1]  # "...:::${Bucket}/*": the objects of one bucket (a table's indexes)
    if pieces and len(pieces) > 1 and getattr(pieces[-1], "node", None) and isinstance(pieces[-2], str) \
            and pieces[-2].endswith(("/", ":")) and "*" not in pieces[-2] and "?" not in pieces[-2]:
        return True  # "...:table/${Table}": the name of one resource of the scan, nothing else
    if pieces and len(pieces) > 1 and getattr(pieces[-1], "node", None) and isinstance(pieces[-2], str):
        pieces = pieces[:-1]
    if not pieces or not isinstance(pieces[-1], str):
        return False
    tail = pieces[-1]
    tail = tail[:-2] if tail.endswith("/*") else tail
    name = tail.replace(":", "/").rsplit("/", 1)
    return len(name) == 2 and bool(name[1]) and "*" not in tail and "?" not in tail


def _wide(items: tuple, what: str) -> Any:
    """(the first wildcard item, or None), or an Unknown item."""
    for item in items:
        if is_unknown(item):
            if what == "resource" and _one_named(item):
                continue
            return item
        if not isinstance(item, str):
            continue
        text = item.strip()
        if what == "action" and (text == "*" or text.endswith(":*")):
            return text
        if what == "resource" and (text == "*" or text.rstrip("/*") in ("arn:aws:s3::", "arn:aws:s3:::")):
            return text
    return None


# What belongs to one resource: a bucket's objects, a DynamoDB table's indexes and streams (the
# way SAM's DynamoDBCrudPolicy names a table).
_PARTS_OF_ONE = ("/index/*", "/stream/*", "/*")


def _one(text: str) -> str:
    for suffix in _PARTS_OF_ONE:
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def _named(items: tuple) -> set:
    """The resources a statement names, with S3 object ARNs ("<bucket>/*") folded into their
    bucket and a DynamoDB table's indexes and streams into the table."""
    out = set()
    for item in items:
        if isinstance(item, str):
            out.add(_one(item.strip()))
        elif getattr(item, "partial_text", None):
            out.add(_one("".join(p if isinstance(p, str) else "\ue000" for p in item.partial_text).strip()))
        else:
            out.add(getattr(item, "node", None) or id(item))
    return out


@dataclass(frozen=True, slots=True)
class _Located:
    """A statement without lines of its own, read at its role's."""
    statement: Any
    location: Location

    def __getattr__(self, name: str) -> Any:
        return getattr(self.statement, name)


def least_privilege(role: Resource, grant) -> Verdict:
    """Whether the statement that grants `role` the asset (a `facts.iam.PolicyStatement`) is as
    narrow as one resource: missing when it uses NotAction / NotResource, a service-wide action
    wildcard ("s3:*", "*"), the resource "*", or names several resources (an S3 bucket and its
    objects count as one); a reference to a resource of the scan whose ARN is known only after
    deploy (`AttributeUnknown`) names that one resource, and so does an ARN whose account or
    region only is not known; another Unknown item: undecided. `grant` may also be the IAM
    engine's statement (`iam.model.Statement`, absent elements None), as attack paths carry it."""
    actions, resources = tuple(grant.actions or ()), tuple(grant.resources or ())
    if grant.location is None:
        grant = _Located(grant, role.location)
    if grant.not_actions or grant.not_resources:
        return Verdict(False, "the statement granting %s uses %s" % (role.address, "NotAction" if grant.not_actions else "NotResource"), grant.location)
    action = _wide(actions, "action")
    if is_unknown(action):
        return Verdict(action, "an action of the statement granting %s" % role.address, grant.location)
    if action is not None:
        return Verdict(False, "the statement granting %s allows %s" % (role.address, action), grant.location)
    named_refs = tuple(r for r in resources if not (is_unknown(r) and getattr(r, "node", None)))
    resource = _wide(named_refs, "resource")
    if is_unknown(resource):
        return Verdict(resource, "a resource of the statement granting %s" % role.address, grant.location)
    if resource is not None:
        return Verdict(False, "the statement granting %s applies to %s" % (role.address, resource), grant.location)
    named = _named(resources)
    if len(named) > 1:
        return Verdict(False, "the statement granting %s names %d resources" % (role.address, len(named)), grant.location)
    return Verdict(True, "the statement granting %s names one resource" % role.address, grant.location)


# --- the table and paths --------------------------------------------------------------------

# layer -> (function(facts, node), the node roles it applies to). Roles: "entry", "compute",
# "asset" (`least-privilege` takes the role and its grant; `missing_layers` calls it apart).
LAYERS: dict = {
    "waf": (waf, ("entry",)),
    "tls": (tls, ("entry",)),
    "authentication": (authentication, ("entry",)),
    "sg-restriction": (sg_restriction, ("entry", "compute", "asset")),
    "nacl": (nacl, ("entry", "compute", "asset")),
    "network-segmentation": (network_segmentation, ("entry", "compute", "asset")),
    "least-privilege": (least_privilege, ("role",)),
    "encryption-at-rest": (encryption_at_rest, ("asset",)),
}


_ROLES = ("aws_iam_role", "AWS::IAM::Role")
_POLICIES = ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_policy_attachment",
             "aws_iam_instance_profile", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::InstanceProfile",
             "aws_s3_bucket_policy", "AWS::S3::BucketPolicy", "aws_lambda_permission", "AWS::Lambda::Permission")


@dataclass(frozen=True, slots=True)
class Hops:
    """A path as `missing_layers` reads it: the entry point, the compute between (maybe none),
    the role and the statement that grants it the asset (None for a network hop or an entry point
    that is itself the asset), the asset."""
    entry: Resource
    compute: tuple
    role: Resource | None
    grant: Any  # facts.iam.PolicyStatement or None
    asset: Resource

    @classmethod
    def of(cls, resources, grant: Any = None) -> "Hops":
        """From a resource sequence as part B walks it (entry, compute..., role, policy, asset):
        the first is the entry point, the last the asset, the first IAM role between them the
        role, IAM policies between them are plumbing (their deciding statement is `grant`), the
        rest compute. One resource: an entry point that is itself the asset."""
        resources = list(resources)
        if not resources:
            raise ValueError("a path has at least one resource")
        middle = resources[1:-1]
        role = next((r for r in middle if r.type in _ROLES), None)
        compute = tuple(r for r in middle if r is not role and r.type not in _POLICIES)
        return cls(resources[0], compute, role, grant if role is not None else None, resources[-1])




def hop_of_layer(layer: str, location: Location | None, resources) -> int:
    """The index, in a path's resources (entry point first, asset last), of the hop a missing or
    undecided layer belongs to: the resource whose block holds the deciding setting; else by the
    layer's role: the entry point's layers at the entry point, encryption at the asset, least
    privilege at the role (else the asset), the network layers at the entry point."""
    resources = list(resources)
    if location is not None and getattr(location, "path", None):
        for i, res in enumerate(resources):
            rl = res.location
            if rl is not None and rl.path == location.path and rl.start_line <= location.start_line <= max(rl.end_line, rl.start_line):
                return i
    if layer == "encryption-at-rest":
        return len(resources) - 1
    if layer == "least-privilege":
        return next((i for i, r in enumerate(resources) if 0 < i < len(resources) - 1 and r.type in _ROLES), len(resources) - 1)
    return 0


def missing_layers(facts, hops: Hops) -> tuple:
    """(missing, undecided) for a path: missing as [(layer, reason, location)], undecided as
    [(layer, Unknown, location)], in path order (a node may appear once per layer: an entry point
    that is the asset is asked once)."""
    entry_roles = ("entry", "asset") if hops.asset is hops.entry else ("entry",)
    nodes: list = [(entry_roles, hops.entry)] + [(("compute",), c) for c in hops.compute]
    if hops.asset is not hops.entry:
        nodes.append((("asset",), hops.asset))
    missing: list = []
    undecided: list = []

    def take(layer: str, verdict: Verdict | None) -> None:
        if verdict is None:
            return
        if verdict.value is False:
            missing.append((layer, verdict.reason, verdict.location))
        elif is_unknown(verdict.value):
            undecided.append((layer, verdict.value, verdict.location))

    for layer, (function, roles) in LAYERS.items():
        if layer == "least-privilege":
            if hops.role is not None and hops.grant is not None:
                take(layer, least_privilege(hops.role, hops.grant))
            continue
        seen: set = set()
        for node_roles, node in nodes:
            if node.id in seen or not any(r in roles for r in node_roles):
                continue
            seen.add(node.id)
            take(layer, authentication(facts, node, hops.compute) if layer == "authentication" else function(facts, node))
    return missing, undecided


__all__ = ["LAYERS", "LAYER_NAMES", "hop_of_layer", "SENSITIVE_PORTS", "Hops", "Verdict", "authentication", "encryption_at_rest",
           "least_privilege", "missing_layers", "nacl", "network_segmentation", "sg_restriction", "tls", "waf"]
