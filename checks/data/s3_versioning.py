"""AWS-S3-614: S3 bucket without versioning."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for bucket in facts.of_kind("bucket_versioning"):
        attr = bucket.enabled
        if not attr.known:
            yield undecided(CHECK.id, bucket.resource, "versioning", attr.value, attr.location)
        elif attr.is_false():
            why = "turns versioning off (or suspends it)" if attr.explicit else "never enables versioning"
            yield Finding(CHECK.id, bucket.resource, "S3 bucket %s %s: an overwritten or deleted object cannot be recovered." % (bucket.resource.address, why), attr.location)


CHECK = Check(
    id="AWS-S3-614",
    title="S3 bucket does not keep object versions",
    severity="low",
    pillar="data",
    cwe=("CWE-693",),
    kinds=("bucket_versioning",),
    evaluate=evaluate,
    equivalents=(("checkov", "CKV_AWS_21"), ("trivy", "AVD-AWS-0090")),
    what="""Finds S3 buckets whose versioning is not enabled. In Terraform versioning may be set
inline (the provider v3 `versioning` block) or by a separate `aws_s3_bucket_versioning` that
refers to the bucket (provider v4+), found through the resource graph, also by literal bucket
name and across modules; in CloudFormation it is `VersioningConfiguration.Status`. A bucket that
never enables versioning, or sets it to `Suspended`, is reported.""",
    why="""Without versioning, an object that is overwritten or deleted (by mistake, by a faulty
deployment, or by ransomware with write access) is gone. Versioning keeps every earlier
version, so data can be restored; it is also what S3 replication, Object Lock and MFA delete
build on.""",
    fix_terraform="""```hcl
resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Enabled"
  }
}
```""",
    fix_cloudformation="""```yaml
DataBucket:
  Type: AWS::S3::Bucket
  Properties:
    VersioningConfiguration:
      Status: Enabled
```""",
    references=("https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",),
)
