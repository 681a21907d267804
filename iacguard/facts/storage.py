"""Storage facts: S3 buckets (with their split companion resources), databases, EBS volumes.

Nothing is matched across root modules (see `iacguard.graph`): companions named by a literal
bucket name, a companion whose bucket cannot be known, the account-level public access block and
EBS encryption by default all count only within the root of the resource they may cover; the
account-wide settings also only for the same account (and, for EBS, the same region)."""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import Attr, flag

PAB_SETTINGS_TF = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
PAB_SETTINGS_CFN = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


@dataclass(frozen=True, slots=True)
class PublicAccessBlock:
    """An S3 public access block, of a bucket or of the account."""

    resource: Resource  # the resource declaring the block (bucket itself in CloudFormation)
    settings: dict  # setting name -> Attr (each defaults to False when omitted)
    account_level: bool = False

    def weakest(self) -> Attr | None:
        """The first setting that is not known to be on (False first, then Unknown), or None."""
        for attr in self.settings.values():
            if attr.is_false():
                return attr
        for attr in self.settings.values():
            if not attr.known:
                return attr
        return None


@dataclass(frozen=True, slots=True)
class Bucket:
    """An S3 bucket: its encryption, and the public access blocks of the bucket and the account."""

    resource: Resource
    encryption: Attr  # True when default encryption is configured (inline or separate resource)
    encryption_source: Resource | None  # the resource that configures it
    public_access_block: PublicAccessBlock | None  # the bucket's own, else None
    account_public_access_block: PublicAccessBlock | None  # an account-level block of its root and account
    account_note: str = ""  # why an account-level block of its root does not cover it, "" when none


class S3Companions:
    """Split S3 configuration resources (provider v4+) of one type: those that configure a
    bucket come from the graph's "configures" relation (by reference or literal name, see
    `iacguard.graph.relations.storage`); those whose bucket cannot be known are indexed once per
    scan. Every facts module reading a split S3 resource asks here."""

    def __init__(self, graph: ResourceGraph, companion_type: str):
        self.graph = graph
        self.type = companion_type
        self.unresolved_modules: set = set()  # (root, module)
        for other in graph.of_type(companion_type):
            if other.mode != "managed":
                continue
            name = other.properties.get("bucket")
            if is_unknown(name) and not graph.referenced(other, ("aws_s3_bucket",)):
                # Its bucket cannot be known: it might be any bucket of its module (in its root).
                self.unresolved_modules.add((graph.root_of(other), other.module))

    def of(self, bucket: Resource) -> list:
        """Companions naming this bucket: by reference first, then by literal name."""
        return self.graph.related_from(bucket, "configures", (self.type,))

    def maybe(self, bucket: Resource) -> bool:
        return (self.graph.root_of(bucket), bucket.module) in self.unresolved_modules

    def declared(self, bucket: Resource, inline: str, what: str) -> tuple:
        """(Attr, the resource that declares it): whether the setting is declared, by the bucket's
        own `inline` block or by a companion; Unknown when the block is not known, or when a
        companion of its module names a bucket that cannot be known (`what` names it)."""
        block = bucket.properties.get(inline)
        if is_unknown(block):
            return Attr(block, bucket.location_of(inline), True), None
        if bucket.blocks(inline):
            return Attr(True, bucket.location_of(inline), True), bucket
        found = self.of(bucket)
        if found:
            return Attr(True, found[0].location, True), found[0]
        if self.maybe(bucket):
            return Attr(Unknown("%s names a bucket that cannot be known" % what), bucket.location, False), None
        return Attr(False, bucket.location, False), None


def buckets(graph: ResourceGraph) -> list:
    out = []
    account_blocks: dict = {}  # root -> [PublicAccessBlock]
    for r in graph.of_type("aws_s3_account_public_access_block"):
        if r.mode == "managed":
            block = PublicAccessBlock(r, {k: flag(r, (k,), False) for k in PAB_SETTINGS_TF}, account_level=True)
            account_blocks.setdefault(graph.root_of(r), []).append(block)
    encryption_configs = S3Companions(graph, "aws_s3_bucket_server_side_encryption_configuration")
    access_blocks = S3Companions(graph, "aws_s3_bucket_public_access_block")
    for res in graph.of_type("aws_s3_bucket"):
        if res.mode != "managed":
            continue
        encryption, enc_source = encryption_configs.declared(res, "server_side_encryption_configuration", "an encryption configuration")
        pab = None
        blocks = access_blocks.of(res)
        if blocks:
            b = blocks[0]
            pab = PublicAccessBlock(b, {k: flag(b, (k,), False) for k in PAB_SETTINGS_TF})
        elif access_blocks.maybe(res):
            unknown = Attr(Unknown("a public access block names a bucket that cannot be known"), res.location, False)
            pab = PublicAccessBlock(res, {k: unknown for k in PAB_SETTINGS_TF})
        account_block, note = _account_block(graph, res, account_blocks.get(graph.root_of(res), ()))
        out.append(Bucket(res, encryption, enc_source, pab, account_block, note))
    for res in graph.of_type("AWS::S3::Bucket"):
        enc = res.properties.get("BucketEncryption")
        if enc is None:
            encryption = Attr(False, res.location, False)
        elif is_unknown(enc):
            encryption = Attr(enc, res.location_of("BucketEncryption"), True)
        else:
            encryption = Attr(True, res.location_of("BucketEncryption"), True)
        pab = None
        conf = res.properties.get("PublicAccessBlockConfiguration")
        if isinstance(conf, dict):
            pab = PublicAccessBlock(res, {k: flag(res, ("PublicAccessBlockConfiguration", k), False) for k in PAB_SETTINGS_CFN})
        elif is_unknown(conf):
            unknown = Attr(conf, res.location_of("PublicAccessBlockConfiguration"), True)
            pab = PublicAccessBlock(res, {k: unknown for k in PAB_SETTINGS_CFN})
        out.append(Bucket(res, encryption, res if encryption.is_true() else None, pab, None))
    return out


def _account_block(graph: ResourceGraph, bucket: Resource, blocks) -> tuple:
    """The account-level block covering a bucket (a complete one first), and when a block of its
    root covers another account only, why it does not count."""
    mine = [b for b in blocks if graph.same_account(b.resource, bucket)]
    if mine:
        return next((b for b in mine if b.weakest() is None), mine[0]), ""
    if blocks:
        other = blocks[0].resource
        return None, "the account-level public access block %s is for another account than this bucket's provider %s" % (other.address, graph.provider_of(bucket).get("name") or "?")
    return None, ""


@dataclass(frozen=True, slots=True)
class Database:
    """A database: whether its storage is encrypted and whether it is publicly accessible."""

    resource: Resource
    kind: str  # "instance" | "cluster" | "cluster_instance"
    storage_encrypted: Attr | None  # None: not decided by this resource (e.g. Aurora member)
    publicly_accessible: Attr | None


def _inherited(res: Resource, keys: tuple) -> str | None:
    for k in keys:
        v = res.properties.get(k)
        if v is not None and v != "" and v != []:
            return k
    return None


# Terraform blocks that create a database from another one, whose encryption it inherits.
_TF_INSTANCE_SOURCES = ("replicate_source_db", "snapshot_identifier", "restore_to_point_in_time")
_TF_CLUSTER_SOURCES = ("snapshot_identifier", "replication_source_identifier", "global_cluster_identifier", "restore_to_point_in_time")


def databases(graph: ResourceGraph) -> list:
    out = []
    for res in graph.of_type("aws_db_instance"):
        if res.mode != "managed":
            continue
        enc = flag(res, ("storage_encrypted",), False)
        src = _inherited(res, _TF_INSTANCE_SOURCES)
        if src and not enc.is_true():
            enc = Attr(Unknown("encryption inherited from %s" % src), enc.location, enc.explicit)
        out.append(Database(res, "instance", enc, flag(res, ("publicly_accessible",), False)))
    for res in graph.of_type("aws_rds_cluster"):
        if res.mode != "managed":
            continue
        enc = flag(res, ("storage_encrypted",), False)
        if not enc.explicit and res.properties.get("engine_mode") == "serverless":
            enc = Attr(True, res.location, False)  # Aurora Serverless v1 is always encrypted
        src = _inherited(res, _TF_CLUSTER_SOURCES)
        if src and not enc.is_true():
            enc = Attr(Unknown("encryption inherited from %s" % src), enc.location, enc.explicit)
        # publicly_accessible exists for Multi-AZ DB clusters (non-Aurora engines); left out,
        # it depends on the subnet group, as in CloudFormation.
        public = flag(res, ("publicly_accessible",), False) if res.properties.get("publicly_accessible") is not None else None
        out.append(Database(res, "cluster", enc, public))
    for res in graph.of_type("aws_rds_cluster_instance"):
        if res.mode == "managed":
            out.append(Database(res, "cluster_instance", None, flag(res, ("publicly_accessible",), False)))
    for res in graph.of_type("AWS::RDS::DBInstance"):
        if _inherited(res, ("DBClusterIdentifier",)):
            enc = None  # an Aurora member: the cluster decides
        else:
            enc = flag(res, ("StorageEncrypted",), False)
            src = _inherited(res, ("SourceDBInstanceIdentifier", "DBSnapshotIdentifier", "SourceDBClusterIdentifier"))
            if src and not enc.is_true():
                enc = Attr(Unknown("encryption inherited from %s" % src), enc.location, enc.explicit)
        # Omitted, PubliclyAccessible depends on the VPC and subnet group: not knowable here.
        out.append(Database(res, "instance", enc, flag(res, ("PubliclyAccessible",), None)))
    for res in graph.of_type("AWS::RDS::DBCluster"):
        enc = flag(res, ("StorageEncrypted",), False)
        if not enc.explicit and res.properties.get("EngineMode") == "serverless":
            enc = Attr(True, res.location, False)
        src = _inherited(res, ("SnapshotIdentifier", "SourceDBClusterIdentifier", "GlobalClusterIdentifier"))
        if src and not enc.is_true():
            enc = Attr(Unknown("encryption inherited from %s" % src), enc.location, enc.explicit)
        out.append(Database(res, "cluster", enc, flag(res, ("PubliclyAccessible",), None) if "PubliclyAccessible" in res.properties else None))
    return out


@dataclass(frozen=True, slots=True)
class Volume:
    """An EBS volume: whether it is encrypted, by itself or by the account's default."""

    resource: Resource
    encrypted: Attr
    encrypted_by_default: Resource | None  # the account/region setting of its root that encrypts it
    default_note: str = ""  # why a setting of its root does not count for it, "" when none


def _ebs_default(graph: ResourceGraph, volume: Resource, settings: list) -> tuple:
    """(setting enabled for the volume's account and region, setting whose `enabled` is unknown,
    note): settings of the volume's root only; one in a region that cannot be compared does not
    count, and the note says why."""
    on = maybe = None
    notes = []
    for setting, enabled in settings:
        if not graph.same_account(setting, volume):
            notes.append("encryption by default is set by %s for another account than this volume's provider %s" % (setting.address, graph.provider_of(volume).get("name") or "?"))
            continue
        same, why = graph.same_region(setting, volume)
        if same is True:
            if enabled is True and on is None:
                on = setting
            elif is_unknown(enabled) and maybe is None:
                maybe = setting
        elif same is False:
            notes.append("encryption by default is set in %s by %s, not in this volume's region %s" % (
                graph.provider_of(setting)["region"], setting.address, graph.provider_of(volume)["region"]))
        else:
            region = graph.provider_of(setting)["region"]
            if region is not None:
                own = graph.provider_of(volume).get("why")
                notes.append("encryption by default is set in %s by %s, but this volume's region is not known%s" % (region, setting.address, " (%s)" % own if own else ""))
            else:
                notes.append("encryption by default is set by %s, but its region and this volume's cannot be compared (%s)" % (setting.address, why))
    return on, maybe, "; ".join(notes[:2])


def volumes(graph: ResourceGraph) -> list:
    out = []
    # `enabled` left out or null means true.
    settings: dict = {}  # root -> [(resource, enabled)]
    for r in graph.of_type("aws_ebs_encryption_by_default"):
        if r.mode == "managed":
            enabled = True if r.properties.get("enabled") is None else as_bool(r.properties["enabled"])
            if enabled is not False:
                settings.setdefault(graph.root_of(r), []).append((r, enabled))
    for res in graph.of_type("aws_ebs_volume"):
        if res.mode != "managed":
            continue
        enc = flag(res, ("encrypted",), False)
        account_default, maybe_default, note = _ebs_default(graph, res, settings.get(graph.root_of(res), []))
        if not enc.is_true() and account_default is not None:
            enc = Attr(True, account_default.location, False)
        elif not enc.is_true() and maybe_default is not None:
            enc = Attr(Unknown("encryption by default is enabled or not by a value not known"), enc.location, enc.explicit)
        elif res.properties.get("snapshot_id") and not enc.explicit:
            enc = Attr(Unknown("encryption inherited from the snapshot"), enc.location, False)
        out.append(Volume(res, enc, account_default, "" if account_default is not None else note))
    for res in graph.of_type("AWS::EC2::Volume"):
        enc = flag(res, ("Encrypted",), False)
        if res.properties.get("SnapshotId") and not enc.explicit:
            enc = Attr(Unknown("encryption inherited from the snapshot"), enc.location, False)
        out.append(Volume(res, enc, None))
    return out
