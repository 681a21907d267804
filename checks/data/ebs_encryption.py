"""AWS-EBS-001: EBS volume not encrypted."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for vol in facts.of_kind("volume"):
        if vol.encrypted.is_false():
            how = "sets encrypted to false" if vol.encrypted.explicit else "is not encrypted (the default is off)"
            note = "; %s" % vol.default_note if vol.default_note else ""
            yield Finding(CHECK.id, vol.resource, "EBS volume %s %s%s." % (vol.resource.address, how, note), vol.encrypted.location)
        elif not vol.encrypted.known:
            yield undecided(CHECK.id, vol.resource, "encrypted", vol.encrypted.value, vol.encrypted.location)


CHECK = Check(
    id="AWS-EBS-001",
    title="EBS volume is not encrypted",
    severity="medium",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("volume",),
    evaluate=evaluate,
    what="""Finds EBS volumes (`aws_ebs_volume`, `AWS::EC2::Volume`) whose `encrypted` /
`Encrypted` is false or left out. An `aws_ebs_encryption_by_default` resource enabled in the same
root module, account and region encrypts every new volume and satisfies the check (when whether it
is enabled cannot be known, neither can the volumes' encryption); a volume whose region cannot be
told to be the setting's is reported, and the message says why. Volumes created from a snapshot
inherit its encryption, which cannot be known here: they are left undecided (`--verbose` lists
them), not reported.""",
    why="""Unencrypted volumes and their snapshots expose data to anyone who obtains a snapshot
copy or the underlying storage; snapshots are easily shared across accounts by mistake.""",
    fix_terraform="""```hcl
resource "aws_ebs_volume" "data" {
  # ...
  encrypted  = true
  kms_key_id = aws_kms_key.ebs.arn
}
# or, once per account and region:
resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}
```""",
    fix_cloudformation="""```yaml
DataVolume:
  Type: AWS::EC2::Volume
  Properties:
    Encrypted: true
    KmsKeyId: !Ref EbsKey
```""",
    references=("https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",),
    equivalents=(("checkov", "CKV_AWS_3"), ("trivy", "AVD-AWS-0026")),
)
