"""Edge facts of the catalogue slice "infra_b" (issue 13): load balancer attributes and listeners,
CloudFront distributions, the WAF coverage of API Gateway stages and AppSync APIs, Network
Firewall policies.

Kinds:
  lb_attributes     an ALB/NLB/GWLB (`aws_lb`, `aws_alb`, `AWS::ElasticLoadBalancingV2::LoadBalancer`)
                    with its type and the attributes CloudFormation keeps as a key/value list
                    (`LoadBalancerAttributes`): dropping invalid header fields, deletion protection
  lb_listener       a listener with its protocol, TLS security policy and whether its default
                    action redirects to HTTPS
  cdn_distribution  a CloudFront distribution: viewer protocol policy of every cache behavior,
                    certificate, minimum TLS version, web ACL
  waf_target        a REST API stage or an AppSync GraphQL API with the WAF associations that
                    protect it (the graph's "protects" relation) and the associations of its root
                    whose target is not known (they may protect it)
  firewall_policy   a Network Firewall policy with the number of its stateful rule groups
  shield_entry_point  an entry point Shield Advanced can protect, the Shield protections naming
                    it and whether its root declares Shield Advanced at all
  emr_cluster_network  an EMR cluster and whether a subnet it is launched in routes to an
                    internet gateway
"""
from __future__ import annotations

from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import Attr, flag, managed, value

# --- load balancers -------------------------------------------------------------------------

DROP_INVALID_HEADERS = "routing.http.drop_invalid_header_fields.enabled"
DELETION_PROTECTION = "deletion_protection.enabled"


@dataclass(frozen=True, slots=True)
class LoadBalancerAttributes:
    """A load balancer's attributes: invalid header dropping and deletion protection."""

    resource: Resource
    lb_type: Attr  # "application" | "network" | "gateway" | Unknown (lower case)
    drop_invalid_headers: Attr  # True / False / Unknown; off unless set (AWS default false)
    deletion_protection: Attr  # True / False / Unknown; off unless set (AWS default false)


def _lower(attr: Attr) -> Attr:
    v = attr.value
    if isinstance(v, str):
        return Attr(v.strip().lower(), attr.location, attr.explicit)
    return attr


def _cfn_attribute(res: Resource, key: str, default: Any) -> Attr:
    """The value of `key` in a CloudFormation `LoadBalancerAttributes` list (a list of
    {Key, Value}); `default` when no item names it, Unknown when the list or a key deciding it
    is not known."""
    items = res.get("LoadBalancerAttributes")
    if items is None:
        return Attr(default, res.location, False)
    if is_unknown(items) or not isinstance(items, list):
        return Attr(items if is_unknown(items) else Unknown("LoadBalancerAttributes is not a list"), res.location_of("LoadBalancerAttributes"), True)
    unknown_key = None
    for i, item in enumerate(items):
        if is_unknown(item):
            unknown_key = unknown_key or Attr(item, res.location_of("LoadBalancerAttributes", i), True)
            continue
        if not isinstance(item, dict):
            continue
        k = item.get("Key")
        if is_unknown(k):
            unknown_key = unknown_key or Attr(k, res.location_of("LoadBalancerAttributes", i, "Key"), True)
            continue
        if k == key:
            raw = item.get("Value")
            loc = res.location_of("LoadBalancerAttributes", i, "Value")
            if raw is None:
                return Attr(Unknown("%s has no Value" % key), loc, True)
            return Attr(as_bool(raw), loc, True)
    if unknown_key is not None:
        return unknown_key
    return Attr(default, res.location, False)


def lb_attributes(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, "aws_lb", "aws_alb"):
        lb_type = _lower(value(res, ("load_balancer_type",), "application"))
        out.append(LoadBalancerAttributes(
            res, lb_type,
            flag(res, ("drop_invalid_header_fields",), False),
            flag(res, ("enable_deletion_protection",), False),
        ))
    for res in managed(graph, "AWS::ElasticLoadBalancingV2::LoadBalancer"):
        lb_type = _lower(value(res, ("Type",), "application"))
        out.append(LoadBalancerAttributes(
            res, lb_type,
            _cfn_attribute(res, DROP_INVALID_HEADERS, False),
            _cfn_attribute(res, DELETION_PROTECTION, False),
        ))
    return out


# The security policy an HTTPS or TLS listener gets when none is named: the Elastic Load
# Balancing API's default, ELBSecurityPolicy-2016-08 (TLS 1.0 and later; the console proposes a
# newer one, the API, CloudFormation and the AWS provider leave it to the service).
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08"


@dataclass(frozen=True, slots=True)
class Listener:
    """A load balancer listener: protocol, TLS policy and HTTPS redirect."""

    resource: Resource
    protocol: Attr  # upper case ("HTTP", "HTTPS", "TCP", "TLS", "UDP", ...) or Unknown
    ssl_policy: Attr  # the policy name, DEFAULT_SSL_POLICY when left out, or Unknown
    redirects_to_https: Attr  # the default action redirects to HTTPS: True / False / Unknown


def _upper(attr: Attr) -> Attr:
    v = attr.value
    if isinstance(v, str):
        return Attr(v.strip().upper(), attr.location, attr.explicit)
    return attr


def _redirect(res: Resource, actions: Any, path: tuple, type_key: str, redirect_key: str, protocol_key: str) -> Attr:
    """Whether the first default action (by list order) redirects to HTTPS."""
    if actions is None:
        return Attr(False, res.location, False)
    if is_unknown(actions):
        return Attr(actions, res.location_of(*path), True)
    if isinstance(actions, dict):
        actions = [actions]
    if not isinstance(actions, list):
        return Attr(False, res.location_of(*path), True)
    for i, action in enumerate(actions):
        loc = res.location_of(*path, i)
        if is_unknown(action):
            return Attr(action, loc, True)
        if not isinstance(action, dict):
            continue
        kind = action.get(type_key)
        if is_unknown(kind):
            return Attr(kind, res.location_of(*path, i, type_key), True)
        if str(kind).lower() != "redirect":
            continue
        config = action.get(redirect_key)
        if isinstance(config, list):
            config = config[0] if config else None
        if is_unknown(config):
            return Attr(config, loc, True)
        protocol = config.get(protocol_key) if isinstance(config, dict) else None
        if is_unknown(protocol):
            return Attr(protocol, res.location_of(*path, i, redirect_key, protocol_key), True)
        # An omitted protocol keeps the request's (#{protocol}): HTTP stays HTTP.
        return Attr(isinstance(protocol, str) and protocol.upper() == "HTTPS", loc, True)
    return Attr(False, res.location_of(*path), True)


def _default_protocol(graph: ResourceGraph, listener: Resource) -> Any:
    """The protocol of a listener that names none: GENEVE on a gateway load balancer of the scan
    (its listeners take no protocol), Unknown when that load balancer's type is not known, else
    HTTP."""
    for lb in graph.related(listener, "listener_of"):
        kind = lb.get("load_balancer_type") if lb.language == "terraform" else lb.get("Type")
        if is_unknown(kind):
            return kind
        if isinstance(kind, str) and kind.strip().lower() == "gateway":
            return "GENEVE"
    return "HTTP"


def lb_listeners(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, "aws_lb_listener", "aws_alb_listener"):
        # protocol: the AWS provider's default is HTTP (application load balancers; network
        # load balancer listeners name theirs; gateway load balancer listeners have none).
        protocol = _upper(value(res, ("protocol",), _default_protocol(graph, res)))
        policy = value(res, ("ssl_policy",), DEFAULT_SSL_POLICY)
        redirect = _redirect(res, res.get("default_action"), ("default_action",), "type", "redirect", "protocol")
        out.append(Listener(res, protocol, policy, redirect))
    for res in managed(graph, "AWS::ElasticLoadBalancingV2::Listener"):
        protocol = _upper(value(res, ("Protocol",), _default_protocol(graph, res)))
        policy = value(res, ("SslPolicy",), DEFAULT_SSL_POLICY)
        redirect = _redirect(res, res.get("DefaultActions"), ("DefaultActions",), "Type", "RedirectConfig", "Protocol")
        out.append(Listener(res, protocol, policy, redirect))
    return out


# --- CloudFront -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Distribution:
    """A CloudFront distribution: viewer protocol policies, certificate, TLS version and web ACL."""

    resource: Resource
    # (label, Attr) per cache behavior: "default" first, then each ordered behavior by its
    # path pattern; the Attr holds the viewer protocol policy in lower case, or Unknown.
    viewer_policies: tuple
    default_certificate: Attr  # the *.cloudfront.net certificate: True / False / Unknown
    minimum_protocol_version: Attr  # e.g. "TLSv1.2_2021"; "TLSv1" when left out; or Unknown
    web_acl: Attr  # a web ACL is named (a value, or a web ACL of the scan): True / False / Unknown


def _behaviors_tf(res: Resource) -> list:
    out = []
    default = res.get("default_cache_behavior")
    if is_unknown(default):
        out.append(("default", default, ("default_cache_behavior",)))
    for i, block in enumerate(res.blocks("default_cache_behavior")[:1]):
        out.append(("default", block, ("default_cache_behavior", i)))
    ordered = res.get("ordered_cache_behavior")
    if is_unknown(ordered):
        out.append(("ordered_cache_behavior", ordered, ("ordered_cache_behavior",)))
    for i, block in enumerate(res.blocks("ordered_cache_behavior")):
        out.append((_label(block.get("path_pattern"), i), block, ("ordered_cache_behavior", i)))
    return out


def _behaviors_cfn(res: Resource) -> list:
    out = []
    base = ("DistributionConfig",)
    default = res.get(*base, "DefaultCacheBehavior")
    if default is not None:
        out.append(("default", default, base + ("DefaultCacheBehavior",)))
    ordered = res.get(*base, "CacheBehaviors")
    if is_unknown(ordered):
        out.append(("CacheBehaviors", ordered, base + ("CacheBehaviors",)))
    elif isinstance(ordered, list):
        for i, item in enumerate(ordered):
            if isinstance(item, dict) or is_unknown(item):
                label = _label(item.get("PathPattern"), i) if isinstance(item, dict) else "behavior %d" % i
                out.append((label, item, base + ("CacheBehaviors", i)))
    return out


def _label(pattern: Any, i: int) -> str:
    return "path %s" % pattern if isinstance(pattern, str) else "behavior %d" % i


def _viewer_policy(res: Resource, behavior: Any, path: tuple, key: str) -> Attr:
    if is_unknown(behavior):
        return Attr(behavior, res.location_of(*path), True)
    raw = behavior.get(key) if isinstance(behavior, dict) else None
    if raw is None:
        return Attr(Unknown("%s not set" % key), res.location_of(*path), False)
    if is_unknown(raw):
        return Attr(raw, res.location_of(*path, key), True)
    return Attr(str(raw).strip().lower(), res.location_of(*path, key), True)


# CloudFront's minimum protocol version when none is named: TLSv1 (the CloudFront API and the
# AWS provider; with the default certificate it is TLSv1 whatever is named).
# https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html
DEFAULT_MINIMUM_PROTOCOL = "TLSv1"
_WEB_ACLS = ("aws_wafv2_web_acl", "aws_waf_web_acl", "AWS::WAFv2::WebACL", "AWS::WAF::WebACL")


def _certificate(res: Resource, cert: Any, path: tuple, keys: tuple) -> tuple:
    """(default certificate, minimum protocol version) from a viewer certificate block/object;
    keys = (default flag, acm, iam, minimum version)."""
    default_key, acm_key, iam_key, minimum_key = keys
    if cert is None:
        # No viewer certificate: the distribution serves the default *.cloudfront.net certificate.
        return Attr(True, res.location, False), Attr(DEFAULT_MINIMUM_PROTOCOL, res.location, False)
    if is_unknown(cert):
        loc = res.location_of(*path)
        return Attr(cert, loc, True), Attr(cert, loc, True)
    if not isinstance(cert, dict):
        cert = {}
    default_flag = cert.get(default_key)
    custom = [cert.get(k) for k in (acm_key, iam_key) if cert.get(k) not in (None, "")]
    if default_flag is not None and not is_unknown(as_bool(default_flag)):
        is_default = Attr(as_bool(default_flag), res.location_of(*path, default_key), True)
    elif custom:
        # A certificate of its own (an id that is an expression, such as an ACM certificate's
        # ARN, is never empty).
        key = acm_key if cert.get(acm_key) not in (None, "") else iam_key
        is_default = Attr(False, res.location_of(*path, key), True)
    elif default_flag is not None:
        is_default = Attr(as_bool(default_flag), res.location_of(*path, default_key), True)
    else:
        is_default = Attr(True, res.location_of(*path), False)
    raw_min = cert.get(minimum_key)
    if raw_min is None:
        minimum = Attr(DEFAULT_MINIMUM_PROTOCOL, res.location_of(*path), False)
    else:
        minimum = Attr(raw_min.strip() if isinstance(raw_min, str) else raw_min, res.location_of(*path, minimum_key), True)
    return is_default, minimum


def _web_acl(graph: ResourceGraph, res: Resource, raw: Any, path: tuple) -> Attr:
    if graph.related_from(res, "protects", _WEB_ACLS):
        return Attr(True, res.location_of(*path), True)
    if raw is None:
        return Attr(False, res.location, False)
    if is_unknown(raw):
        return Attr(raw, res.location_of(*path), True)
    return Attr(isinstance(raw, str) and raw.strip() != "", res.location_of(*path), True)


def distributions(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, "aws_cloudfront_distribution"):
        policies = tuple((label, _viewer_policy(res, b, path, "viewer_protocol_policy")) for label, b, path in _behaviors_tf(res))
        certs = res.blocks("viewer_certificate")
        raw_cert = res.get("viewer_certificate") if is_unknown(res.get("viewer_certificate")) else (certs[0] if certs else None)
        default, minimum = _certificate(res, raw_cert, ("viewer_certificate", 0) if certs else ("viewer_certificate",),
                                        ("cloudfront_default_certificate", "acm_certificate_arn", "iam_certificate_id", "minimum_protocol_version"))
        out.append(Distribution(res, policies, default, minimum, _web_acl(graph, res, res.get("web_acl_id"), ("web_acl_id",))))
    for res in managed(graph, "AWS::CloudFront::Distribution"):
        policies = tuple((label, _viewer_policy(res, b, path, "ViewerProtocolPolicy")) for label, b, path in _behaviors_cfn(res))
        base = ("DistributionConfig",)
        config = res.get(*base)
        if is_unknown(config):
            loc = res.location_of(*base)
            out.append(Distribution(res, (("default", Attr(config, loc, True)),), Attr(config, loc, True), Attr(config, loc, True), Attr(config, loc, True)))
            continue
        default, minimum = _certificate(res, res.get(*base, "ViewerCertificate"), base + ("ViewerCertificate",),
                                        ("CloudFrontDefaultCertificate", "AcmCertificateArn", "IamCertificateId", "MinimumProtocolVersion"))
        out.append(Distribution(res, policies, default, minimum, _web_acl(graph, res, res.get(*base, "WebACLId"), base + ("WebACLId",))))
    return out


# --- WAF coverage of API Gateway stages and AppSync APIs ------------------------------------

_ASSOCIATIONS = (
    "aws_wafv2_web_acl_association", "aws_wafregional_web_acl_association",
    "AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation",
)
_ASSOCIATION_TARGET = {"aws_wafv2_web_acl_association": "resource_arn", "aws_wafregional_web_acl_association": "resource_arn",
                       "AWS::WAFv2::WebACLAssociation": "ResourceArn", "AWS::WAFRegional::WebACLAssociation": "ResourceArn"}
STAGES = ("aws_api_gateway_stage", "AWS::ApiGateway::Stage")
GRAPHQL_APIS = ("aws_appsync_graphql_api", "AWS::AppSync::GraphQLApi")
_REST_APIS = ("aws_api_gateway_rest_api", "AWS::ApiGateway::RestApi")


@dataclass(frozen=True, slots=True)
class WafTarget:
    """An internet entry point a web ACL could protect, and the associations that do."""

    resource: Resource
    service: str  # "api_stage" | "appsync"
    associations: tuple  # WAF associations that protect it (the "protects" relation)
    # Associations in the same root whose target is not known before deploy: any of them may
    # protect this resource (Attr values of their Unknown target, with the location).
    pending: tuple
    # Reachable from VPC endpoints only: a REST API of endpoint type PRIVATE only, an AppSync API
    # of visibility PRIVATE (True / False / Unknown).
    private: Attr


def waf_targets(graph: ResourceGraph) -> list:
    pending_by_root: dict = {}
    for assoc in managed(graph, *_ASSOCIATIONS):
        if graph.related(assoc, "protects"):
            continue
        key = _ASSOCIATION_TARGET[assoc.type]
        raw = assoc.get(key)
        if is_unknown(raw):
            pending_by_root.setdefault(graph.root_of(assoc), []).append(Attr(raw, assoc.location_of(key), True))
    out = []
    for res in managed(graph, *STAGES, *GRAPHQL_APIS):
        service = "api_stage" if res.type in STAGES else "appsync"
        protecting = tuple(graph.related_from(res, "protects", _ASSOCIATIONS))
        pending = tuple(pending_by_root.get(graph.root_of(res), ()))
        private = _private_api(graph, res) if service == "api_stage" else _private_graphql(res)
        out.append(WafTarget(res, service, protecting, pending, private))
    return out


def _private_api(graph: ResourceGraph, stage: Resource) -> Attr:
    """Whether the stage's REST API (a resource of the scan it refers to) has only the PRIVATE
    endpoint type; False when the API is not in the scan or names no endpoint type (EDGE)."""
    apis = [r for r, _ in graph.referenced(stage, _REST_APIS)]
    if not apis:
        return Attr(False, stage.location, False)
    api = apis[0]
    if api.language == "terraform":
        blocks = api.blocks("endpoint_configuration")
        raw, path = (blocks[0].get("types"), ("endpoint_configuration", 0, "types")) if blocks else (None, ())
    else:
        path = ("EndpointConfiguration", "Types")
        raw = api.get(*path)
    if raw is None:
        return Attr(False, api.location, False)
    if is_unknown(raw):
        return Attr(raw, api.location_of(*path), True)
    types = raw if isinstance(raw, list) else [raw]
    if any(is_unknown(t) for t in types):
        return Attr(next(t for t in types if is_unknown(t)), api.location_of(*path), True)
    return Attr([str(t).upper() for t in types] == ["PRIVATE"], api.location_of(*path), True)


def _private_graphql(api: Resource) -> Attr:
    """Whether an AppSync API is PRIVATE (reachable from VPC endpoints only); GLOBAL by default."""
    key = "visibility" if api.language == "terraform" else "Visibility"
    raw = api.get(key)
    if raw is None:
        return Attr(False, api.location, False)
    if is_unknown(raw):
        return Attr(raw, api.location_of(key), True)
    return Attr(str(raw).strip().upper() == "PRIVATE", api.location_of(key), True)


# --- Network Firewall -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FirewallPolicy:
    """A Network Firewall policy and its stateful rule groups."""

    resource: Resource
    stateful_rule_groups: Attr  # the number of stateful rule group references, or Unknown


def firewall_policies(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, "aws_networkfirewall_firewall_policy"):
        blocks = res.blocks("firewall_policy")
        raw = res.get("firewall_policy")
        if is_unknown(raw):
            out.append(FirewallPolicy(res, Attr(raw, res.location_of("firewall_policy"), True)))
            continue
        if not blocks:
            out.append(FirewallPolicy(res, Attr(0, res.location, False)))
            continue
        out.append(FirewallPolicy(res, _count(res, blocks[0].get("stateful_rule_group_reference"), ("firewall_policy", 0, "stateful_rule_group_reference"), ("firewall_policy", 0))))
    for res in managed(graph, "AWS::NetworkFirewall::FirewallPolicy"):
        raw = res.get("FirewallPolicy")
        if is_unknown(raw):
            out.append(FirewallPolicy(res, Attr(raw, res.location_of("FirewallPolicy"), True)))
            continue
        out.append(FirewallPolicy(res, _count(res, res.get("FirewallPolicy", "StatefulRuleGroupReferences"), ("FirewallPolicy", "StatefulRuleGroupReferences"), ("FirewallPolicy",))))
    return out


def _count(res: Resource, raw: Any, path: tuple, parent: tuple) -> Attr:
    if raw is None:
        return Attr(0, res.location_of(*parent), False)
    if is_unknown(raw):
        return Attr(raw, res.location_of(*path), True)
    items = raw if isinstance(raw, list) else [raw]
    unknown = next((i for i in items if is_unknown(i)), None)
    known = [i for i in items if isinstance(i, dict)]
    if known:
        return Attr(len(known), res.location_of(*path), True)
    if unknown is not None:
        return Attr(unknown, res.location_of(*path), True)
    return Attr(0, res.location_of(*path), True)


# --- Shield Advanced ------------------------------------------------------------------------

SHIELD_PROTECTIONS = ("aws_shield_protection", "AWS::Shield::Protection")
# Resources that show a root uses Shield Advanced (a subscription is a precondition of each).
SHIELD_DECLARED = SHIELD_PROTECTIONS + (
    "aws_shield_subscription", "aws_shield_protection_group", "aws_shield_proactive_engagement",
    "aws_shield_drt_access_role_arn_association", "aws_shield_application_layer_automatic_response",
    "AWS::Shield::ProtectionGroup", "AWS::Shield::ProactiveEngagement", "AWS::Shield::DRTAccess",
)
_ENTRY_TYPES = {
    "aws_cloudfront_distribution": "CloudFront distribution", "AWS::CloudFront::Distribution": "CloudFront distribution",
    "aws_lb": "load balancer", "aws_alb": "load balancer", "AWS::ElasticLoadBalancingV2::LoadBalancer": "load balancer",
    "aws_elb": "classic load balancer", "AWS::ElasticLoadBalancing::LoadBalancer": "classic load balancer",
    "aws_route53_zone": "Route 53 hosted zone", "AWS::Route53::HostedZone": "Route 53 hosted zone",
    "aws_globalaccelerator_accelerator": "Global Accelerator", "AWS::GlobalAccelerator::Accelerator": "Global Accelerator",
}


@dataclass(frozen=True, slots=True)
class ShieldEntryPoint:
    """An entry point Shield Advanced can protect (CloudFront distribution, load balancer, public
    hosted zone, Global Accelerator), in a root that declares Shield Advanced or not."""

    resource: Resource
    entry: str  # what it is, for people: "CloudFront distribution", "load balancer", ...
    internet_facing: Attr  # True / False / Unknown (internal load balancers, private zones: False)
    protections: tuple  # Shield protections whose resource ARN refers to it
    declared: tuple  # the resources of its root that declare Shield Advanced (empty: none)
    pending: tuple  # Attr of the Unknown resource ARNs of its root's protections that name nothing of the scan


def shield_entry_points(graph: ResourceGraph) -> list:
    declared_by_root: dict = {}
    for res in managed(graph, *SHIELD_DECLARED):
        declared_by_root.setdefault(graph.root_of(res), []).append(res)
    pending_by_root: dict = {}
    for prot in managed(graph, *SHIELD_PROTECTIONS):
        key = "resource_arn" if prot.language == "terraform" else "ResourceArn"
        raw = prot.get(key)
        if is_unknown(raw) and not graph.referenced_at(prot, ((key,),), tuple(_ENTRY_TYPES)):
            pending_by_root.setdefault(graph.root_of(prot), []).append(Attr(raw, prot.location_of(key), True))
    out = []
    for res in managed(graph, *_ENTRY_TYPES):
        root = graph.root_of(res)
        declared = tuple(declared_by_root.get(root, ()))
        protections = tuple(p for p, path in graph.referrers(res, SHIELD_PROTECTIONS) if path[:1] in (("resource_arn",), ("ResourceArn",)))
        out.append(ShieldEntryPoint(res, _ENTRY_TYPES[res.type], _internet_facing(res), protections, declared, tuple(pending_by_root.get(root, ()))))
    return out


def _internet_facing(res: Resource) -> Attr:
    if res.type in ("aws_lb", "aws_alb", "aws_elb"):
        internal = value(res, ("internal",), False)
        b = as_bool(internal.value)
        return Attr(b if is_unknown(b) else not b, internal.location, internal.explicit)
    if res.type in ("AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer"):
        scheme = value(res, ("Scheme",), "internet-facing")
        v = scheme.value
        return Attr(v if is_unknown(v) else str(v).strip().lower() == "internet-facing", scheme.location, scheme.explicit)
    if res.type in ("aws_route53_zone", "AWS::Route53::HostedZone"):
        key = "vpc" if res.type == "aws_route53_zone" else "VPCs"
        raw = res.get(key)
        if is_unknown(raw):
            return Attr(raw, res.location_of(key), True)
        return Attr(raw in (None, [], {}), res.location_of(key) if raw is not None else res.location, raw is not None)
    return Attr(True, res.location, False)


# --- EMR clusters and public subnets --------------------------------------------------------

_SUBNETS = ("aws_subnet", "aws_default_subnet", "AWS::EC2::Subnet")
_INTERNET_GATEWAYS = ("aws_internet_gateway", "AWS::EC2::InternetGateway")


def routes_to_internet_gateway(graph: ResourceGraph, subnet: Resource) -> bool:
    """Whether a subnet of the scan is public: its route table (its explicit association, else in
    Terraform its VPC's main table) has a route to an internet gateway. A route to a NAT gateway
    or an egress-only gateway does not make it public. Shared with AWS-ELASTICACHE-450 (infra_c_network)."""
    tables = graph.related(subnet, "route_table_of")
    return any(graph.related(table, "routes_to", _INTERNET_GATEWAYS) for table in tables)


@dataclass(frozen=True, slots=True)
class EmrClusterNetwork:
    """An EMR cluster's subnets, and whether one is public."""

    resource: Resource
    # The subnet(s) of the scan the cluster is launched in that route to an internet gateway
    # (its route table, explicit or the VPC's main one, has a route to one): True with the
    # location of the subnet setting, False (no subnet of the scan, or none public), or Unknown
    # (the subnet setting as a whole is not known).
    public_subnet: Attr
    subnets: tuple  # the public subnets found, for messages


def emr_cluster_networks(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, "aws_emr_cluster", "AWS::EMR::Cluster"):
        if res.language == "terraform":
            container, keys = ("ec2_attributes",), (("ec2_attributes", "subnet_id"), ("ec2_attributes", "subnet_ids"))
        else:
            container, keys = ("Instances",), (("Instances", "Ec2SubnetId"), ("Instances", "Ec2SubnetIds"))
        raw = res.get(*container)
        if is_unknown(raw):
            out.append(EmrClusterNetwork(res, Attr(raw, res.location_of(*container), True), ()))
            continue
        public = [subnet for subnet in graph.referenced_at(res, keys, _SUBNETS) if routes_to_internet_gateway(graph, subnet)]
        if public:
            block = res.blocks(container[0]) if res.language == "terraform" else None
            loc = res.location_of(container[0], 0) if block else res.location_of(*container)
            out.append(EmrClusterNetwork(res, Attr(True, loc, True), tuple(public)))
        else:
            out.append(EmrClusterNetwork(res, Attr(False, res.location, False), ()))
    return out
