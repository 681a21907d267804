"""Which key encrypts an S3 bucket by default: the kind "bucket_key" (AWS-S3-900).

One fact per bucket (`aws_s3_bucket`, `AWS::S3::Bucket`), built on the kind "bucket"
(iacguard.facts.storage: inline `server_side_encryption_configuration`, the split
`aws_s3_bucket_server_side_encryption_configuration`, CloudFormation `BucketEncryption`):

- `customer_key`: True when the default rule is SSE-KMS (`aws:kms`, `aws:kms:dsse`) with a key
  that is not AWS managed: a key of the configuration (`aws_kms_key.x.arn`, `!GetAtt Key.Arn`, an
  alias of one) or a literal key id / ARN that is not `alias/aws/...`; False for no rule (S3 then
  applies SSE-S3, its default since January 2023), `AES256`, or `aws:kms` without a key or with
  `alias/aws/s3` (the AWS managed key); Unknown when the algorithm or the key is not known;
- `name`: the bucket's name when known (`bucket` / `BucketName`), None when left to the provider
  or CloudFormation, else Unknown.
"""
from __future__ import annotations

from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from .settings import KMS_KEYS
from .storage import buckets
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown, is_unknown


@dataclass(frozen=True)
class BucketKey:
    resource: Resource
    name: Any  # str | None | Unknown
    customer_key: Any  # True | False | Unknown
    location: Location
    how: str  # what the bucket is encrypted with, for messages ("SSE-S3 (no default encryption rule)")


def _default_rule(source: Resource) -> tuple:
    """(algorithm, key, path of the rule's default) of the first rule of an encryption source."""
    if source.language == "terraform":
        base = ("server_side_encryption_configuration", 0, "rule") if source.type == "aws_s3_bucket" else ("rule",)
        path = base + (0, "apply_server_side_encryption_by_default", 0)
        names = ("sse_algorithm", "kms_master_key_id")
    else:
        path = ("BucketEncryption", "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault")
        names = ("SSEAlgorithm", "KMSMasterKeyID")
    for i in range(1, len(path) + 1):
        part = source.get(*path[:i])
        if is_unknown(part):
            return part, None, path[:i]
        if part is None:
            return None, None, path
    return source.get(*path, names[0]), source.get(*path, names[1]), path + (names[1],)


def bucket_keys(graph: ResourceGraph) -> list:
    out = []
    for bucket in buckets(graph):
        res = bucket.resource
        tf = res.language == "terraform"
        name = res.get("bucket" if tf else "BucketName")
        enc = bucket.encryption
        if not enc.known:
            out.append(BucketKey(res, name, enc.value, enc.location, ""))
            continue
        if not enc.is_true() or bucket.encryption_source is None:
            out.append(BucketKey(res, name, False, enc.location, "SSE-S3 (no default encryption rule: the S3 default)"))
            continue
        source = bucket.encryption_source
        algorithm, key, path = _default_rule(source)
        where = source.location_of(*path)
        if is_unknown(algorithm):
            out.append(BucketKey(res, name, algorithm, where, ""))
        elif not isinstance(algorithm, str) or not algorithm.lower().startswith("aws:kms"):
            out.append(BucketKey(res, name, False, where, "SSE-S3 (%s)" % (algorithm if isinstance(algorithm, str) else "AES256")))
        elif key is None or key == "":
            out.append(BucketKey(res, name, False, where, "the AWS managed key aws/s3 (%s without a key)" % algorithm))
        elif isinstance(key, str):
            managed = "alias/aws/" in key
            out.append(BucketKey(res, name, not managed, where, "the AWS managed key %s" % key if managed else "a customer managed key"))
        elif getattr(key, "node", None) or graph.referenced_at(source, (tuple(p for p in path if not isinstance(p, int)),), KMS_KEYS):
            out.append(BucketKey(res, name, True, where, "a customer managed key"))
        else:
            out.append(BucketKey(res, name, key if is_unknown(key) else Unknown("KMS key is not a string"), where, ""))
    return out


__all__ = ["BucketKey", "bucket_keys"]
