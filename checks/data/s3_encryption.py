"""AWS-S3-001: S3 bucket without default encryption."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for bucket in facts.of_kind("bucket"):
        if bucket.encryption.is_false():
            yield Finding(
                CHECK.id,
                bucket.resource,
                "S3 bucket %s declares no default encryption configuration (S3 applies SSE-S3 to new objects; declare SSE-KMS to choose the key)." % bucket.resource.address,
                bucket.encryption.location,
            )
        elif not bucket.encryption.known:
            yield undecided(CHECK.id, bucket.resource, "encryption", bucket.encryption.value, bucket.encryption.location)


CHECK = Check(
    id="AWS-S3-001",
    title="S3 bucket has no default encryption configuration",
    severity="low",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("bucket",),
    evaluate=evaluate,
    what="""Finds S3 buckets with no server-side encryption configuration of their own. In
Terraform the configuration may sit inline (`server_side_encryption_configuration`, provider v3)
or in a separate `aws_s3_bucket_server_side_encryption_configuration` that refers to the bucket
(provider v4+): the separate resource is found through the resource graph, also across modules.
In CloudFormation it is the bucket's `BucketEncryption` property.

Since January 2023 S3 encrypts every new object with S3-managed keys (SSE-S3) whether or not the
bucket declares it, so a bucket reported here is still encrypted at rest: the finding is that the
encryption is not declared (and so not reviewed or pinned in code), hence the low severity. Asking
for a customer managed KMS key where the data warrants it is a separate question.""",
    why="""Since January 2023 AWS encrypts new objects with SSE-S3 when a bucket says nothing, but
that key is owned by AWS: you cannot restrict who may decrypt, audit its use in CloudTrail, or
revoke it. Declaring the encryption (preferably SSE-KMS with a customer managed key) makes the
protection explicit, reviewable and enforceable, and keeps older accounts and regions honest.""",
    fix_terraform="""```hcl
resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.s3.arn
    }
    bucket_key_enabled = true
  }
}
```""",
    fix_cloudformation="""```yaml
BucketEncryption:
  ServerSideEncryptionConfiguration:
    - ServerSideEncryptionByDefault:
        SSEAlgorithm: aws:kms
        KMSMasterKeyID: !GetAtt S3Key.Arn
      BucketKeyEnabled: true
```""",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
    ),
    equivalents=(("checkov", "CKV_AWS_19"), ("trivy", "AVD-AWS-0088")),
)
