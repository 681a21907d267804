"""Logging facts that a table cannot say (catalogue slice "detection_b", issue 13):

- `bucket_logging`: S3 server access logging of a bucket, inline (`logging` block,
  `LoggingConfiguration`) or through the split `aws_s3_bucket_logging` companion, and whether the
  bucket itself receives server access logs of buckets of the scan (a log target);
- `lb_access_logs`: access logs of Application and Network Load Balancers, read from the
  Terraform `access_logs` block or from CloudFormation's `LoadBalancerAttributes` key/value list;
- `waf_logging`: whether a WAFv2 web ACL has a logging configuration
  (`aws_wafv2_web_acl_logging_configuration`, `AWS::WAFv2::LoggingConfiguration`) naming it.

As in `iacguard.facts.storage`, nothing is matched across root modules: a companion or a logging
configuration whose target cannot be known counts as Unknown for the resources of its own root
and module only."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import Attr, managed
from .storage import S3Companions


@dataclass(frozen=True, slots=True)
class BucketLogging:
    """An S3 bucket's server access logging, the resource that sets it and the target bucket."""

    resource: Resource
    logging: Attr  # True: server access logging configured (inline or by a companion)
    source: Resource | None  # the resource that configures it
    log_target: bool  # the bucket receives server access logs of a bucket of the scan


def bucket_logging(graph: ResourceGraph) -> list:
    out = []
    companions = S3Companions(graph, "aws_s3_bucket_logging")
    targets = _log_targets(graph)
    for res in managed(graph, "aws_s3_bucket"):
        logging, source = companions.declared(res, "logging", "a logging configuration")
        out.append(BucketLogging(res, logging, source, res.id in targets))
    for res in graph.of_type("AWS::S3::Bucket"):
        conf = res.properties.get("LoggingConfiguration")
        if conf is None:
            logging = Attr(False, res.location, False)
        elif is_unknown(conf):
            logging = Attr(conf, res.location_of("LoggingConfiguration"), True)
        else:
            # Without DestinationBucketName the logs go to the bucket itself: still logging.
            logging = Attr(True, res.location_of("LoggingConfiguration"), True)
        out.append(BucketLogging(res, logging, res if logging.is_true() else None, res.id in targets))
    return out


def _log_targets(graph: ResourceGraph) -> set:
    """Ids of the buckets that server access logs of the scan are delivered to: referred to by a
    `target_bucket` / `DestinationBucketName`, or named by a literal name in the same root."""
    ids: set = set()
    named: set = set()  # (root, name)
    tf_sources = [(r, ("target_bucket",)) for r in managed(graph, "aws_s3_bucket_logging")]
    tf_sources += [(r, ("logging", "target_bucket")) for r in managed(graph, "aws_s3_bucket") if r.blocks("logging")]
    cfn_sources = [(r, ("LoggingConfiguration", "DestinationBucketName")) for r in graph.of_type("AWS::S3::Bucket")]
    for res, path in tf_sources + cfn_sources:
        for bucket in graph.referenced_at(res, (path,), ("aws_s3_bucket", "AWS::S3::Bucket")):
            ids.add(bucket.id)
        if path[0] == "logging":
            names = [b.get("target_bucket") for b in res.blocks("logging")]
        else:
            names = [res.get(*path)]
        for name in names:
            if isinstance(name, str) and name:
                named.add((graph.root_of(res), name))
    if named:
        for res in managed(graph, "aws_s3_bucket") + graph.of_type("AWS::S3::Bucket"):
            name = res.properties.get("bucket" if res.language == "terraform" else "BucketName")
            if isinstance(name, str) and (graph.root_of(res), name) in named:
                ids.add(res.id)
    return ids


@dataclass(frozen=True, slots=True)
class LbAccessLogs:
    """A load balancer's access logging."""

    resource: Resource
    lb_type: Attr  # "application" | "network" | "gateway" (lower case) or Unknown
    enabled: Attr  # True: access logs are delivered to S3


_LB_TYPES = ("application", "network", "gateway")


def _lb_type(res: Resource, key: str) -> Attr:
    raw = res.properties.get(key)
    if raw is None:
        return Attr("application", res.location, False)
    if is_unknown(raw):
        return Attr(raw, res.location_of(key), True)
    text = str(raw).strip().lower()
    return Attr(text if text in _LB_TYPES else Unknown("load balancer type %r" % (raw,)), res.location_of(key), True)


def lb_access_logs(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, "aws_lb", "aws_alb"):
        block = res.properties.get("access_logs")
        if is_unknown(block):
            enabled = Attr(block, res.location_of("access_logs"), True)
        elif not res.blocks("access_logs"):
            enabled = Attr(False, res.location, False)
        else:
            first = res.blocks("access_logs")[0]
            raw = first.get("enabled")
            if raw is None:  # the provider's default: false, even with a bucket
                enabled = Attr(False, res.location_of("access_logs", 0), False)
            else:
                enabled = Attr(as_bool(raw), res.location_of("access_logs", 0, "enabled"), True)
            if enabled.is_true():
                bucket = first.get("bucket")
                if bucket is None or bucket == "":
                    enabled = Attr(False, res.location_of("access_logs", 0), True)
        out.append(LbAccessLogs(res, _lb_type(res, "load_balancer_type"), enabled))
    for res in graph.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        out.append(LbAccessLogs(res, _lb_type(res, "Type"), _cfn_access_logs(res)))
    return out


def _cfn_access_logs(res: Resource) -> Attr:
    """`access_logs.s3.enabled` in LoadBalancerAttributes (absent: false, the service default)."""
    attrs = res.properties.get("LoadBalancerAttributes")
    if attrs is None:
        return Attr(False, res.location, False)
    if is_unknown(attrs):
        return Attr(attrs, res.location_of("LoadBalancerAttributes"), True)
    unknown = None
    for i, item in enumerate(attrs if isinstance(attrs, list) else []):
        if is_unknown(item):
            unknown = unknown or Attr(item, res.location_of("LoadBalancerAttributes", i), True)
            continue
        if not isinstance(item, dict):
            continue
        key = item.get("Key")
        if is_unknown(key):
            unknown = unknown or Attr(key, res.location_of("LoadBalancerAttributes", i, "Key"), True)
        elif key == "access_logs.s3.enabled":
            return Attr(as_bool(item.get("Value")), res.location_of("LoadBalancerAttributes", i, "Value"), True)
    return unknown or Attr(False, res.location_of("LoadBalancerAttributes"), False)


@dataclass(frozen=True, slots=True)
class WafLogging:
    """A web ACL's logging configuration, and whether it is conditional."""

    resource: Resource
    logging: Attr  # True: a logging configuration of the scan names this web ACL
    source: Resource | None  # that logging configuration
    # A logging configuration naming it that exists only under CloudFormation conditions the ACL
    # does not share (logging False then: the other variants of the stack log nothing), else None.
    conditional: Resource | None = None


_WAF_LOG_TF = "aws_wafv2_web_acl_logging_configuration"
_WAF_LOG_CFN = "AWS::WAFv2::LoggingConfiguration"
_ACL_NAME_IN_ARN = re.compile(r":wafv2:[^:]*:[^:]*:(?:regional|global)/webacl/([^/]+)/")


def waf_logging(graph: ResourceGraph) -> list:
    covered: dict = {}  # web ACL id -> [logging configurations]
    named: dict = {}  # (root, ACL name) -> logging configuration (a literal ARN)
    maybe: dict = {}  # (root, module) -> the Unknown ARN of a configuration naming an ACL that cannot be known
    acl_types = ("aws_wafv2_web_acl", "AWS::WAFv2::WebACL")
    for conf in managed(graph, _WAF_LOG_TF) + graph.of_type(_WAF_LOG_CFN):
        key = "resource_arn" if conf.language == "terraform" else "ResourceArn"
        acls = graph.referenced_at(conf, ((key,),), acl_types)
        for acl in acls:
            covered.setdefault(acl.id, []).append(conf)
        if acls:
            continue
        arn = conf.properties.get(key)
        if isinstance(arn, str):
            m = _ACL_NAME_IN_ARN.search(arn)
            if m:
                named.setdefault((graph.root_of(conf), m.group(1)), conf)
        elif is_unknown(arn):
            maybe.setdefault((graph.root_of(conf), conf.module), (arn, conf.location_of(key)))
    out = []
    for res in managed(graph, "aws_wafv2_web_acl") + graph.of_type("AWS::WAFv2::WebACL"):
        confs = covered.get(res.id, [])
        mine = set(res.conditions)
        conf = next((c for c in confs if set(c.conditions) <= mine), None)
        conditional = confs[0] if confs and conf is None else None
        if conf is None and conditional is None:
            name = res.properties.get("name" if res.language == "terraform" else "Name")
            if isinstance(name, str):
                conf = named.get((graph.root_of(res), name))
        if conf is not None:
            logging = Attr(True, conf.location, True)
        elif conditional is not None:
            logging = Attr(False, res.location, False)
        elif (graph.root_of(res), res.module) in maybe:
            arn, where = maybe[(graph.root_of(res), res.module)]  # which web ACL it names is not known
            logging = Attr(arn, where, True)
        else:
            logging = Attr(False, res.location, False)
        out.append(WafLogging(res, logging, conf, conditional))
    return out
