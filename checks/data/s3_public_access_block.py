"""AWS-S3-002: S3 bucket without a (complete) public access block."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for bucket in facts.of_kind("bucket"):
        account = bucket.account_public_access_block
        if account is not None and account.weakest() is None:
            continue  # every bucket of the account is covered
        pab = bucket.public_access_block
        addr = bucket.resource.address
        if pab is None:
            note = "; %s" % bucket.account_note if bucket.account_note else ""
            yield Finding(CHECK.id, bucket.resource, "S3 bucket %s has no public access block%s." % (addr, note), bucket.resource.location)
            continue
        weak = pab.weakest()
        if weak is not None and weak.is_false():
            name = next(k for k, v in pab.settings.items() if v is weak)
            how = "is false" if weak.explicit else "is not set (defaults to false)"
            yield Finding(
                CHECK.id,
                bucket.resource,
                "S3 bucket %s has a public access block whose %s %s." % (addr, name, how),
                weak.location if weak.explicit else pab.resource.location,
            )
        elif weak is not None:  # a setting not known, none known to be off
            name = next(k for k, v in pab.settings.items() if v is weak)
            yield undecided(CHECK.id, bucket.resource, name, weak.value, weak.location)


CHECK = Check(
    id="AWS-S3-002",
    title="S3 bucket is not covered by a complete public access block",
    severity="high",
    pillar="data",
    cwe=("CWE-284",),
    kinds=("bucket",),
    evaluate=evaluate,
    what="""Finds S3 buckets that no public access block covers with all four settings on
(`BlockPublicAcls`, `BlockPublicPolicy`, `IgnorePublicAcls`, `RestrictPublicBuckets`). A separate
`aws_s3_bucket_public_access_block` that refers to the bucket counts (found through the graph), and
so does an account-level `aws_s3_account_public_access_block` in the same root module and account. Settings left out
default to false.""",
    why="""A single permissive ACL or bucket policy, added later by anyone with write access,
makes the data public. Public access blocks are the guard rail that overrides such mistakes; data
leaks from public buckets remain among the most common cloud breaches. Buckets created since April
2023 start with the block on, but the setting can be switched off later by anyone with
`s3:PutBucketPublicAccessBlock`, and older buckets never had it: declaring it in code makes it
reviewed, restored on every apply, and visible to this check.""",
    fix_terraform="""```hcl
resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
```""",
    fix_cloudformation="""```yaml
PublicAccessBlockConfiguration:
  BlockPublicAcls: true
  BlockPublicPolicy: true
  IgnorePublicAcls: true
  RestrictPublicBuckets: true
```""",
    references=("https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",),
    equivalents=(("checkov", "CKV2_AWS_6"),),
)
