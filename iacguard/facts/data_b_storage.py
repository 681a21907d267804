"""Facts of the catalogue slice "data_b" that a table cannot say: S3 bucket versioning, set
inline (provider v3 `versioning` block), by a split `aws_s3_bucket_versioning` (provider v4+,
found through the graph's "configures" relation, by reference or literal bucket name), or by
CloudFormation's `VersioningConfiguration`.

Versioning is off on a new bucket until enabled; "Suspended" (or "Disabled") keeps the versions
already written but makes no new ones. A split configuration whose bucket cannot be known may
configure any bucket of its module (in its root): those buckets' versioning is Unknown.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import Attr
from .storage import S3Companions

VERSIONING_TF = "aws_s3_bucket_versioning"


@dataclass(frozen=True, slots=True)
class BucketVersioning:
    """An S3 bucket's versioning, and the resource that sets it."""

    resource: Resource  # the bucket
    enabled: Attr  # True: new versions are kept ("Enabled"); False: never enabled, or suspended
    source: Resource | None  # the resource that sets it (the bucket itself, or its aws_s3_bucket_versioning)


def _status(res: Resource, path: tuple) -> Attr:
    raw = res.get(*path, default=None)
    if raw is None:
        return Attr(False, res.location, False)
    if is_unknown(raw):
        return Attr(raw, res.location_of(*path), True)
    text = str(raw).strip().lower()
    if text == "enabled":
        return Attr(True, res.location_of(*path), True)
    if text in ("suspended", "disabled"):
        return Attr(False, res.location_of(*path), True)
    return Attr(Unknown("versioning status: unexpected value %r" % raw), res.location_of(*path), True)


def bucket_versioning(graph: ResourceGraph) -> list:
    out = []
    companions = S3Companions(graph, VERSIONING_TF)
    for res in graph.of_type("aws_s3_bucket"):
        if res.mode != "managed":
            continue
        configs = [c for c in companions.of(res) if c.mode == "managed"]
        if configs:
            conf = configs[0]
            block = conf.get("versioning_configuration")
            if is_unknown(block):
                enabled = Attr(block, conf.location_of("versioning_configuration"), True)
            else:
                enabled = _status(conf, ("versioning_configuration", 0, "status"))
                if not enabled.explicit:
                    enabled = Attr(Unknown("versioning_configuration.status not set"), conf.location, False)
            out.append(BucketVersioning(res, enabled, conf))
            continue
        inline = res.properties.get("versioning")
        if is_unknown(inline):
            out.append(BucketVersioning(res, Attr(inline, res.location_of("versioning"), True), res))
            continue
        blocks = res.blocks("versioning")
        if blocks:
            raw = blocks[0].get("enabled")
            if raw is None:
                enabled = Attr(False, res.location_of("versioning", 0), True)  # `enabled` defaults to false
            else:
                enabled = Attr(as_bool(raw), res.location_of("versioning", 0, "enabled"), True)
            out.append(BucketVersioning(res, enabled, res))
        elif companions.maybe(res):
            out.append(BucketVersioning(res, Attr(Unknown("an aws_s3_bucket_versioning names a bucket that cannot be known"), res.location, False), None))
        else:
            out.append(BucketVersioning(res, Attr(False, res.location, False), None))
    for res in graph.of_type("AWS::S3::Bucket"):
        conf = res.properties.get("VersioningConfiguration")
        if is_unknown(conf):
            enabled = Attr(conf, res.location_of("VersioningConfiguration"), True)
        else:
            enabled = _status(res, ("VersioningConfiguration", "Status"))
        out.append(BucketVersioning(res, enabled, res if enabled.explicit else None))
    return out


# --- RDS parameter groups forcing TLS --------------------------------------------------------

# The parameter that makes an engine refuse connections without TLS, by family prefix, and its
# default (what a parameter group that leaves it out gets): rds.force_ssl is 0 on RDS for
# PostgreSQL before 15 and 1 from 15 on (RDS for PostgreSQL User Guide, "Requiring an SSL
# connection"); 0 on Aurora PostgreSQL and RDS for SQL Server; require_secure_transport is OFF on
# RDS for MySQL and MariaDB and on Aurora MySQL. Oracle uses an option group (the SSL option):
# not a parameter, not read here.
_SSL_PARAMETER = (
    ("aurora-postgresql", "rds.force_ssl"),
    ("aurora-mysql", "require_secure_transport"),
    ("postgres", "rds.force_ssl"),
    ("mysql", "require_secure_transport"),
    ("mariadb", "require_secure_transport"),
    ("sqlserver", "rds.force_ssl"),
)
# Instance-level groups of Aurora families cannot set these (they are cluster parameters).
_CLUSTER_ONLY = ("aurora-postgresql", "aurora-mysql")
_ON = ("1", "on", "true")
_OFF = ("0", "off", "false")


@dataclass(frozen=True, slots=True)
class DbParameterGroupSsl:
    """A database parameter group's setting that forces SSL connections."""

    resource: Resource  # the parameter group
    family: Attr  # the family as written (str), or Unknown
    parameter: str  # "rds.force_ssl" | "require_secure_transport" | "" (family not known / no such parameter)
    forced: Attr  # True: connections without TLS are refused; False: allowed; Unknown


def _ssl_default(family: str, parameter: str):
    if parameter == "rds.force_ssl" and family.startswith("postgres"):
        try:
            major = int(family[len("postgres"):].split(".")[0])
        except ValueError:
            return Unknown("rds.force_ssl default of family %s not known" % family)
        return major >= 15
    return False


def _entries(res: Resource):
    """(name, value, path) of each parameter the group sets; an Unknown for the list when it is
    not known. Terraform `parameter` blocks, CloudFormation `Parameters` map."""
    if res.language == "terraform":
        raw = res.properties.get("parameter")
        if is_unknown(raw):
            return raw
        return [(b.get("name"), b.get("value"), ("parameter", i, "value")) for i, b in enumerate(res.blocks("parameter"))]
    raw = res.properties.get("Parameters")
    if is_unknown(raw):
        return raw
    if not isinstance(raw, dict):
        return []
    return [(k, v, ("Parameters", k)) for k, v in raw.items()]


def db_parameter_group_ssl(graph: ResourceGraph) -> list:
    out = []
    kinds = (("aws_db_parameter_group", False), ("aws_rds_cluster_parameter_group", True),
             ("AWS::RDS::DBParameterGroup", False), ("AWS::RDS::DBClusterParameterGroup", True))
    for rtype, cluster_level in kinds:
        for res in graph.of_type(rtype):
            if res.mode != "managed":
                continue
            path = ("family",) if res.language == "terraform" else ("Family",)
            raw_family = res.get(*path)
            if raw_family is None:
                continue  # not a valid group: nothing to say
            family_attr = Attr(raw_family, res.location_of(*path), True)
            if is_unknown(raw_family):
                out.append(DbParameterGroupSsl(res, family_attr, "", Attr(raw_family, family_attr.location, True)))
                continue
            family = str(raw_family).strip().lower()
            parameter = next((p for prefix, p in _SSL_PARAMETER if family.startswith(prefix)), "")
            if not parameter or (not cluster_level and family.startswith(_CLUSTER_ONLY)):
                continue  # no such parameter for this engine, or not at this level
            entries = _entries(res)
            if is_unknown(entries):
                where = res.location_of("parameter" if res.language == "terraform" else "Parameters")
                out.append(DbParameterGroupSsl(res, family_attr, parameter, Attr(entries, where, True)))
                continue
            forced = None
            maybe = None
            for name, value, vpath in entries:
                if is_unknown(name):
                    maybe = maybe or Attr(name, res.location_of(*vpath[:-1]), True)
                    continue
                if not isinstance(name, str) or name.strip().lower() != parameter:
                    continue
                loc = res.location_of(*vpath)
                if is_unknown(value):
                    forced = Attr(value, loc, True)
                else:
                    text = str(value).strip().lower() if not isinstance(value, bool) else ("true" if value else "false")
                    forced = Attr(True if text in _ON else False if text in _OFF else Unknown("%s: unexpected value %r" % (parameter, value)), loc, True)
            if forced is None:
                # an entry whose name is not known may be the parameter: then it decides
                forced = maybe if maybe is not None else Attr(_ssl_default(family, parameter), res.location, False)
            out.append(DbParameterGroupSsl(res, family_attr, parameter, forced))
    return out


# --- snapshots and machine images shared with everyone ----------------------------------------

@dataclass(frozen=True, slots=True)
class PublicShare:
    """A snapshot, image or other copy shared with every AWS account, or not."""

    resource: Resource  # the resource that grants the permission
    what: str  # "AMI launch permission", "DB snapshot"...
    public: Attr  # True: shared with all AWS accounts ("all"); False; Unknown


def _has_all(res: Resource, path: tuple, default_loc) -> Attr:
    """Whether the list (or string) at `path` holds the group "all"."""
    raw = res.get(*path, default=None)
    if raw is None:
        return Attr(False, default_loc, False)
    loc = res.location_of(*path)
    if is_unknown(raw):
        return Attr(raw, loc, True)
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    unknown = None
    for item in items:
        if is_unknown(item):
            unknown = unknown or item
        elif isinstance(item, str) and item.strip().lower() == "all":
            return Attr(True, loc, True)
    return Attr(unknown if unknown is not None else False, loc, True)


def public_shares(graph: ResourceGraph) -> list:
    out = []
    for res in graph.of_type("aws_ami_launch_permission"):
        if res.mode == "managed":
            out.append(PublicShare(res, "AMI launch permission", _has_all(res, ("group",), res.location)))
    for rtype, what in (("aws_db_snapshot", "DB snapshot"), ("aws_db_cluster_snapshot", "DB cluster snapshot")):
        for res in graph.of_type(rtype):
            if res.mode == "managed":
                out.append(PublicShare(res, what, _has_all(res, ("shared_accounts",), res.location)))
    # Image Builder distributions: each AMI distribution's launch permission user groups.
    for res in graph.of_type("aws_imagebuilder_distribution_configuration", "AWS::ImageBuilder::DistributionConfiguration"):
        if res.mode != "managed":
            continue
        tf = res.language == "terraform"
        dists = res.properties.get("distribution" if tf else "Distributions")
        if is_unknown(dists):
            out.append(PublicShare(res, "Image Builder AMI distribution", Attr(dists, res.location_of("distribution" if tf else "Distributions"), True)))
            continue
        found = Attr(False, res.location, False)
        for i, dist in enumerate(dists if isinstance(dists, list) else []):
            if tf:
                path = ("distribution", i, "ami_distribution_configuration", 0, "launch_permission", 0, "user_groups")
            else:
                path = ("Distributions", i, "AmiDistributionConfiguration", "LaunchPermissionConfiguration", "UserGroups")
            attr = _has_all(res, path, res.location)
            if attr.is_true():
                found = attr
                break
            if not attr.known and found.known:
                found = attr
        out.append(PublicShare(res, "Image Builder AMI distribution", found))
    return out
