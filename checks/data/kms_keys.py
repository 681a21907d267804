"""AWS-KMS-607/608: symmetric KMS key without automatic rotation; KMS key with a short waiting
period before deletion."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import as_int

KIND = ("kms_key_settings",)
MIN_WINDOW = 30  # the default and the maximum: AWS recommends the longest waiting period


def _rotatable(key):
    """(True/False, None) when the key can rotate automatically or not, (None, attr) when an
    unknown value decides."""
    for attr in (key.key_spec, key.key_usage, key.origin, key.custom_key_store):
        if not attr.known:
            return None, attr
    if key.custom_key_store.is_true():
        return False, None
    if str(key.origin.value).upper() != "AWS_KMS":
        return False, None
    return str(key.key_spec.value).upper() == "SYMMETRIC_DEFAULT" and str(key.key_usage.value).upper() == "ENCRYPT_DECRYPT", None


def rotation(facts):
    for key in facts.of_kind("kms_key_settings"):
        if key.rotation.is_true():
            continue
        can, unknown = _rotatable(key)
        if can is False:
            continue  # asymmetric, HMAC, imported material or a custom key store: no automatic rotation
        if unknown is None and not key.rotation.known:
            unknown = key.rotation
        if unknown is not None:
            yield undecided(ROTATION.id, key.resource, "key rotation", unknown.value, unknown.location)
        else:
            yield Finding(ROTATION.id, key.resource, "KMS key %s is a symmetric encryption key without automatic rotation%s." % (
                key.resource.address, "" if key.rotation.explicit else " (rotation is off unless enabled)"), key.rotation.location)


def deletion_window(facts):
    for key in facts.of_kind("kms_key_settings"):
        attr = key.deletion_window
        days = as_int(attr.value) if attr.known else attr.value
        if not attr.known or not isinstance(days, int):
            yield undecided(DELETION_WINDOW.id, key.resource, "deletion window", days, attr.location)
        elif days < MIN_WINDOW:
            yield Finding(DELETION_WINDOW.id, key.resource, "KMS key %s can be deleted %d days after deletion is scheduled (30 is the default and the longest)." % (
                key.resource.address, days), attr.location)


ROTATION = Check(
    id="AWS-KMS-607",
    title="Symmetric KMS key does not rotate its key material",
    severity="medium",
    pillar="data",
    cwe=("CWE-320",),
    kinds=KIND,
    evaluate=rotation,
    equivalents=(("checkov", "CKV_AWS_7"), ("trivy", "AVD-AWS-0065"), ("cfn_nag", "F19")),
    what="""Finds customer managed KMS keys (`aws_kms_key`, `AWS::KMS::Key`) that can rotate
automatically but do not: `enable_key_rotation` / `EnableKeyRotation` false or left out (off
unless enabled). Only symmetric encryption keys (key spec `SYMMETRIC_DEFAULT`, usage
`ENCRYPT_DECRYPT`, both the defaults) of AWS KMS origin support automatic rotation, so asymmetric
and HMAC keys, keys of imported material (`Origin: EXTERNAL`, `aws_kms_external_key`) and keys in a
custom key store are not reported.""",
    why="""Automatic rotation replaces a key's cryptographic material every year (or the period
set) while keeping the old material for decryption. Without it, one key material protects all
data for the key's whole life: more data is exposed if that material is ever compromised, and
frameworks such as CIS AWS Foundations (3.6/3.8) and PCI DSS ask for rotation.""",
    fix_terraform="""```hcl
resource "aws_kms_key" "data" {
  description         = "data"
  enable_key_rotation = true
}
```""",
    fix_cloudformation="""```yaml
DataKey:
  Type: AWS::KMS::Key
  Properties:
    EnableKeyRotation: true
    KeyPolicy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal:
            AWS: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root
          Action: kms:*
          Resource: "*"
```""",
    references=("https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",),
)

DELETION_WINDOW = Check(
    id="AWS-KMS-608",
    title="KMS key can be deleted after a waiting period shorter than 30 days",
    severity="low",
    pillar="data",
    cwe=("CWE-404",),
    kinds=KIND,
    evaluate=deletion_window,
    what="""Finds KMS keys (`aws_kms_key`, `AWS::KMS::Key`) whose waiting period before deletion
(`deletion_window_in_days` / `PendingWindowInDays`) is set below 30 days. Left out it is 30 (the
default and the longest allowed), which passes.""",
    why="""Deleting a KMS key destroys its key material: every object, volume, snapshot and
secret encrypted under it becomes unreadable for good. The waiting period is the only time in
which a mistaken or malicious deletion can be noticed (a CloudTrail alarm on ScheduleKeyDeletion)
and cancelled; a short one leaves little time to do so.""",
    fix_terraform="""```hcl
resource "aws_kms_key" "data" {
  description             = "data"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}
```""",
    fix_cloudformation="""```yaml
DataKey:
  Type: AWS::KMS::Key
  Properties:
    EnableKeyRotation: true
    PendingWindowInDays: 30
```""",
    references=("https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html",),
)
