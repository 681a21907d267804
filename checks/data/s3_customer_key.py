"""AWS-S3-900: S3 bucket that the configuration names as holding logs or sensitive data is not
encrypted with a customer managed KMS key. Off unless configured: the configuration key
`customer-key-buckets` lists glob patterns of bucket names or addresses (README
"Configuration"); `configured(check, patterns)` gives the check that reports on them."""
from __future__ import annotations

import dataclasses
from fnmatch import fnmatchcase

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown


def _named(fact, patterns: tuple):
    """True when a pattern matches the bucket's address or name, Unknown when only its unknown
    name could match, else False."""
    address = fact.resource.address
    if any(fnmatchcase(address, p) for p in patterns):
        return True
    if isinstance(fact.name, str):
        return any(fnmatchcase(fact.name, p) for p in patterns)
    return fact.name if is_unknown(fact.name) else False


def _evaluator(patterns: tuple):
    def evaluate(facts):
        if not patterns:
            return  # off: not even the facts are built
        for fact in facts.of_kind("bucket_key"):
            named = _named(fact, patterns)
            if named is False or fact.customer_key is True:
                continue
            if named is not True:
                if fact.customer_key is False:
                    yield undecided(CHECK.id, fact.resource, "bucket name", named, fact.resource.location_of("bucket" if fact.resource.language == "terraform" else "BucketName"))
                continue
            if fact.customer_key is False:
                yield Finding(CHECK.id, fact.resource, "S3 bucket %s is named in customer-key-buckets but is encrypted with %s, not a customer managed KMS key." % (
                    fact.resource.address, fact.how), fact.location)
            else:
                yield undecided(CHECK.id, fact.resource, "default encryption key", fact.customer_key, fact.location)
    # The scan cache keys checks on this (iacguard.cache.ScanCache.key): other patterns, other findings.
    evaluate.cache_token = patterns
    return evaluate


CHECK = Check(
    id="AWS-S3-900",
    title="S3 bucket holding logs or sensitive data is not encrypted with a customer managed KMS key",
    severity="medium",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("bucket_key",),
    evaluate=_evaluator(()),
    what="""Off by default: reports only the S3 buckets that the configuration names in
`customer-key-buckets`, a list of glob patterns matched against each bucket's address
(`aws_s3_bucket.audit_logs`, `module.data.aws_s3_bucket.this`, `AuditLogsBucket`) and its name
(`bucket` / `BucketName`: `*-logs`, `acme-payments-*`):

```toml
# .iacguard.toml
customer-key-buckets = ["*-logs", "*cloudtrail*", "aws_s3_bucket.customer_data"]
```

Such a bucket passes when its default encryption rule (inline, in the split
`aws_s3_bucket_server_side_encryption_configuration`, or `BucketEncryption`) is SSE-KMS with a
customer managed key: a key of the configuration (`aws_kms_key.logs.arn`, `!GetAtt LogsKey.Arn`)
or a key ARN or alias that is not `alias/aws/...`. No rule (S3 applies SSE-S3 to every new bucket
since January 2023), `AES256`, or `aws:kms` with the AWS managed key `aws/s3` is reported. A
bucket whose name is not known and that only its name could match, or whose key is not known,
is undecided. Every other bucket is not looked at (AWS-S3-001 asks for declared encryption).
Do not name buckets that receive ALB or Classic Load Balancer access logs: those support SSE-S3
only.""",
    why="""SSE-S3 and the AWS managed key protect against lost disks, not against people: anyone
allowed `s3:GetObject` reads the objects. With a customer managed key, reading also needs
`kms:Decrypt` on a key whose policy you write, every use is logged in CloudTrail, and disabling
the key cuts access at once; for audit logs and regulated data this separation of duties is
usually required (PCI DSS, HIPAA, CIS CloudTrail guidance).""",
    fix_terraform="""```hcl
resource "aws_s3_bucket_server_side_encryption_configuration" "audit_logs" {
  bucket = aws_s3_bucket.audit_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.logs.arn
    }
    bucket_key_enabled = true
  }
}
```""",
    fix_cloudformation="""```yaml
AuditLogsBucket:
  Type: AWS::S3::Bucket
  Properties:
    BucketEncryption:
      ServerSideEncryptionConfiguration:
        - ServerSideEncryptionByDefault:
            SSEAlgorithm: aws:kms
            KMSMasterKeyID: !GetAtt LogsKey.Arn
          BucketKeyEnabled: true
```""",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#customer-cmk",
    ),
    equivalents=(("checkov", "CKV_AWS_145"), ("trivy", "AVD-AWS-0132")),
)


def configured(check: Check, patterns) -> Check:
    """The check reporting on the buckets `patterns` name (the configuration key
    `customer-key-buckets`); `check` itself when there are none."""
    patterns = tuple(p for p in patterns or () if isinstance(p, str) and p)
    return dataclasses.replace(check, evaluate=_evaluator(patterns)) if patterns and check.id == CHECK.id else check
