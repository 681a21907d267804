"""Incident response facts: S3 buckets that receive logs (CloudTrail, S3 server access logs) and
what protects their objects from deletion.

Kind `log_bucket`: one `LogBucket` per bucket of the scan that a trail (`s3_bucket_name` /
`S3BucketName`) or S3 server access logging (`aws_s3_bucket_logging.target_bucket`, an inline
`logging { target_bucket }`, `LoggingConfiguration.DestinationBucketName`) writes to, by
reference or by literal bucket name within the same root. When a log destination's name is not
known and refers to no bucket of the scan, every bucket of its root may be the one: those buckets
are facts too, with `receives` empty and `maybe` saying why.

Protection read here (a bucket policy denying deletion is read by the check through the IAM
engine's `iam_resource_policy` facts):
  object_lock  object lock enabled with a default retention rule (`object_lock_enabled` with an
               `aws_s3_bucket_object_lock_configuration` `rule`, the provider v3 inline
               `object_lock_configuration { rule }`, `ObjectLockEnabled` with
               `ObjectLockConfiguration.Rule`). Object lock without a default retention protects
               only objects written with a retention of their own, which log writers never set.
  mfa_delete   versioning with MFA delete (`aws_s3_bucket_versioning` / inline `versioning`);
               CloudFormation cannot set it.
"""
from __future__ import annotations

from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import Attr, managed

BUCKET_TYPES = ("aws_s3_bucket", "AWS::S3::Bucket")


@dataclass(frozen=True, slots=True)
class LogBucket:
    """A bucket that receives logs, with its object lock and MFA delete."""

    resource: Resource
    receives: tuple  # what writes logs to it, as phrases ("CloudTrail logs of aws_cloudtrail.main")
    maybe: Any  # an Unknown when a log destination of its root cannot be known, else None
    object_lock: Attr
    mfa_delete: Attr


def _name(res: Resource) -> Any:
    return res.properties.get("bucket" if res.language == "terraform" else "BucketName")


def _writers(graph: ResourceGraph) -> list:
    """(writer resource, path to the destination bucket, phrase) for every log destination."""
    out = []
    for trail in managed(graph, "aws_cloudtrail"):
        out.append((trail, ("s3_bucket_name",), "CloudTrail logs of %s" % trail.address))
    for trail in managed(graph, "AWS::CloudTrail::Trail"):
        out.append((trail, ("S3BucketName",), "CloudTrail logs of %s" % trail.address))
    for logging in managed(graph, "aws_s3_bucket_logging"):
        out.append((logging, ("target_bucket",), "S3 access logs of %s" % logging.address))
    for bucket in managed(graph, "aws_s3_bucket"):
        if is_unknown(bucket.properties.get("logging")):
            out.append((bucket, ("logging",), "S3 access logs of %s" % bucket.address))
        for i, block in enumerate(bucket.blocks("logging")):
            if isinstance(block, dict):
                out.append((bucket, ("logging", i, "target_bucket"), "S3 access logs of %s" % bucket.address))
    for bucket in managed(graph, "AWS::S3::Bucket"):
        conf = bucket.properties.get("LoggingConfiguration")
        if isinstance(conf, dict):
            out.append((bucket, ("LoggingConfiguration", "DestinationBucketName"), "S3 access logs of %s" % bucket.address))
        elif is_unknown(conf):
            out.append((bucket, ("LoggingConfiguration",), "S3 access logs of %s" % bucket.address))
    return out


def _object_lock(graph: ResourceGraph, b: Resource) -> Attr:
    if b.language == "cloudformation":
        enabled = b.properties.get("ObjectLockEnabled")
        if enabled is None:
            return Attr(False, b.location, False)
        on = as_bool(enabled)
        if on is not True:
            return Attr(on, b.location_of("ObjectLockEnabled"), True)
        rule = b.get("ObjectLockConfiguration", "Rule", default=None)
        if rule is None:
            return Attr(False, b.location_of("ObjectLockEnabled"), True)
        if is_unknown(rule):
            return Attr(rule, b.location_of("ObjectLockConfiguration", "Rule"), True)
        return Attr(True, b.location_of("ObjectLockConfiguration", "Rule"), True)
    inline = b.blocks("object_lock_configuration")
    for block in inline:
        if isinstance(block, dict) and block.get("rule"):
            state = block.get("object_lock_enabled")
            if is_unknown(state):
                return Attr(state, b.location_of("object_lock_configuration"), True)
            if state is None or str(state) == "Enabled":
                return Attr(True, b.location_of("object_lock_configuration"), True)
    enabled = b.properties.get("object_lock_enabled")
    if is_unknown(enabled):
        return Attr(enabled, b.location_of("object_lock_enabled"), True)
    for conf in graph.related_from(b, "configures", ("aws_s3_bucket_object_lock_configuration",)):
        rule = conf.properties.get("rule")
        if is_unknown(rule):
            return Attr(rule, conf.location_of("rule"), True)
        if rule:
            # The configuration can only be applied to a bucket created with object lock.
            if enabled is not None and as_bool(enabled) is True:
                return Attr(True, conf.location_of("rule"), True)
            return Attr(False, b.location, False)
    if enabled is not None:
        return Attr(False, b.location_of("object_lock_enabled"), True)
    return Attr(False, b.location, False)


def _mfa_delete(graph: ResourceGraph, b: Resource) -> Attr:
    if b.language == "cloudformation":
        return Attr(False, b.location, False)
    for block in b.blocks("versioning"):
        if isinstance(block, dict) and block.get("mfa_delete") is not None:
            return Attr(as_bool(block["mfa_delete"]), b.location_of("versioning"), True)
    for v in graph.related_from(b, "configures", ("aws_s3_bucket_versioning",)):
        conf = v.properties.get("versioning_configuration")
        first = conf[0] if isinstance(conf, list) and conf else conf
        if is_unknown(first):
            return Attr(first, v.location_of("versioning_configuration"), True)
        if isinstance(first, dict) and first.get("mfa_delete") is not None:
            mfa = first["mfa_delete"]
            return Attr(mfa if is_unknown(mfa) else str(mfa) == "Enabled", v.location_of("versioning_configuration"), True)
    return Attr(False, b.location, False)


def log_buckets(graph: ResourceGraph) -> list:
    buckets = managed(graph, *BUCKET_TYPES)
    by_name: dict = {}
    for b in buckets:
        name = _name(b)
        if isinstance(name, str):
            by_name[(graph.root_of(b), name)] = b
    receives: dict = {}  # bucket id -> [phrase]
    maybe_roots: dict = {}  # root -> Unknown
    unnamed: dict = {}  # root -> Unknown, for its buckets whose name is not known
    for writer, path, phrase in _writers(graph):
        found = graph.referenced_at(writer, (path,), BUCKET_TYPES, exact=True)
        if not found:
            value = writer.get(*path, default=None)
            if isinstance(value, str):
                b = by_name.get((graph.root_of(writer), value))
                found = [b] if b is not None else []
                if b is None:  # it may be a bucket of its root whose name is not known
                    unnamed.setdefault(graph.root_of(writer), Unknown("%s go to a bucket named %r, and this bucket's name is not known" % (phrase, value)))
            elif is_unknown(value):
                maybe_roots.setdefault(graph.root_of(writer), value)  # the bucket it writes to is not known
        for b in found:
            receives.setdefault(b.id, []).append(phrase)
    out = []
    for b in buckets:
        phrases = tuple(receives.get(b.id, ()))
        maybe = maybe_roots.get(graph.root_of(b))
        if maybe is None and is_unknown(_name(b)):
            maybe = unnamed.get(graph.root_of(b))
        if phrases or maybe is not None:
            out.append(LogBucket(b, phrases, None if phrases else maybe, _object_lock(graph, b), _mfa_delete(graph, b)))
    return out
