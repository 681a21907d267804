"""AWS-S3-817: a bucket receiving CloudTrail or S3 access logs whose objects can be deleted."""
from __future__ import annotations

import fnmatch

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import Unknown, is_unknown
from iacguard.iam.basics import DENY

_DELETE = "s3:deleteobject"


def _covers_delete(patterns) -> object:
    unknown = None
    for p in patterns or ():
        if is_unknown(p):
            unknown = unknown or p
        elif isinstance(p, str) and fnmatch.fnmatchcase(_DELETE, p.lower()):
            return True
    return unknown if unknown is not None else False


def _everyone(principals) -> object:
    if principals == "*":
        return True
    if is_unknown(principals):
        return principals
    if isinstance(principals, dict):
        aws = principals.get("AWS") or ()
        if "*" in aws:
            return True
        return next((p for p in aws if is_unknown(p)), False)
    return False


def _denies_delete(policy) -> tuple:
    """(True / False / Unknown, location) for a bucket policy: a Deny of s3:DeleteObject to everyone
    (conditions, such as an exception for a break-glass role, are allowed)."""
    if not policy.is_known():
        return policy.unknown, policy.location
    unknown = None
    for st in policy.statements:
        if st.unknown is not None:
            unknown = unknown or (st.unknown, st.location)
            continue
        if is_unknown(st.effect):
            answers = [st.effect]
        elif st.effect != DENY:
            continue
        else:
            if st.not_actions is not None:
                answers = [Unknown("a Deny with NotAction")]
            else:
                answers = [_covers_delete(st.actions), _everyone(st.principals)]
        if all(a is True for a in answers):
            return True, st.location
        if not any(a is False for a in answers):
            unknown = unknown or (next(a for a in answers if is_unknown(a)), st.location)
    if unknown is not None:
        return unknown
    return False, policy.location


def evaluate(facts):
    policies: dict = {}
    for rp in facts.of_kind("iam_resource_policy"):
        policies.setdefault(rp.resource.id, []).append(rp.policy)
    for lb in facts.of_kind("log_bucket"):
        if lb.object_lock.is_true() or lb.mfa_delete.is_true():
            continue
        answers = [_denies_delete(p) for p in policies.get(lb.resource.id, ())]
        if any(a is True for a, _ in answers):
            continue
        unknown = next(((a, loc) for a, loc in answers if is_unknown(a)), None)
        if unknown is None:
            for attr, what in ((lb.object_lock, "object lock"), (lb.mfa_delete, "MFA delete")):
                if not attr.known:
                    unknown = (attr.value, attr.location)
                    break
        if unknown is not None:
            yield undecided(CHECK.id, lb.resource, "deletion protection", unknown[0], unknown[1])
        elif lb.maybe is not None:
            yield undecided(CHECK.id, lb.resource, "whether it receives logs", lb.maybe, lb.resource.location)
        else:
            yield Finding(CHECK.id, lb.resource, "S3 bucket %s receives %s, but nothing stops its objects being deleted: no object lock with a default retention, no MFA delete, no bucket policy denying s3:DeleteObject." % (
                lb.resource.address, ", ".join(lb.receives[:2])), lb.resource.location)


CHECK = Check(
    id="AWS-S3-817",
    title="Log bucket's objects can be deleted (no object lock, MFA delete or deny-delete policy)",
    severity="medium",
    pillar="incident",
    cwe=("CWE-693",),
    kinds=("log_bucket", "iam_resource_policy"),
    evaluate=evaluate,
    what="""Finds S3 buckets that receive CloudTrail logs (`s3_bucket_name` / `S3BucketName` of a
trail) or S3 server access logs (`aws_s3_bucket_logging`, an inline `logging` block,
`LoggingConfiguration.DestinationBucketName`), matched by reference or by literal bucket name
within the same root, when nothing protects their objects from deletion: no object lock with a
default retention rule (`object_lock_enabled` with an `aws_s3_bucket_object_lock_configuration`
rule, `ObjectLockEnabled` with `ObjectLockConfiguration.Rule`), no MFA delete on versioning
(Terraform only; CloudFormation cannot set it), and no bucket policy with a `Deny` of
`s3:DeleteObject` (or a wildcard covering it) to every principal (`"*"`; conditions such as an
exception for a break-glass role are accepted). The bucket policy is read through the IAM
engine, so `jsonencode`, policy-document data sources and CloudFormation documents all count.""",
    why="""An intruder's first clean-up step is the audit trail. Whoever gains write access to the
log bucket (or the role that manages it) can delete the CloudTrail and access logs that would show
what they did, and the incident response starts blind. Object lock in compliance or governance
mode, MFA delete, or an explicit deny makes the logs outlive the credentials that wrote them.""",
    fix_terraform="""```hcl
resource "aws_s3_bucket" "trail_logs" {
  bucket              = "acme-cloudtrail-logs"
  object_lock_enabled = true
}

resource "aws_s3_bucket_object_lock_configuration" "trail_logs" {
  bucket = aws_s3_bucket.trail_logs.id
  rule {
    default_retention {
      mode = "GOVERNANCE"
      days = 365
    }
  }
}
```""",
    fix_cloudformation="""```yaml
TrailLogs:
  Type: AWS::S3::Bucket
  Properties:
    ObjectLockEnabled: true
    ObjectLockConfiguration:
      ObjectLockEnabled: Enabled
      Rule:
        DefaultRetention:
          Mode: GOVERNANCE
          Days: 365
```""",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiFactorAuthenticationDelete.html",
    ),
)
