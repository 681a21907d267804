"""AWS-RDS-001: RDS instance or cluster with unencrypted storage."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for db in facts.of_kind("database"):
        enc = db.storage_encrypted
        if enc is not None and enc.is_false():
            how = "sets storage encryption to false" if enc.explicit else "does not enable storage encryption (the default is off)"
            yield Finding(CHECK.id, db.resource, "RDS %s %s %s." % (db.kind.replace("_", " "), db.resource.address, how), enc.location)
        elif enc is not None and not enc.known:
            yield undecided(CHECK.id, db.resource, "storage encryption", enc.value, enc.location)


CHECK = Check(
    id="AWS-RDS-001",
    title="RDS storage is not encrypted",
    severity="high",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("database",),
    evaluate=evaluate,
    what="""Finds RDS DB instances and Aurora/RDS clusters whose storage encryption is off:
`storage_encrypted` / `StorageEncrypted` false or left out (the default is off). Aurora members
take their encryption from the cluster and are judged there; restores from snapshots or to a point
in time, and read replicas, inherit their source's encryption, which cannot be known here: they
are left undecided (`--verbose` lists them), not reported.""",
    why="""Database storage, automated backups, snapshots and replicas hold the most sensitive data
of an application. Encryption cannot be switched on for an existing instance: it takes a snapshot
copy and a restore, so it must be right at creation.""",
    fix_terraform="""```hcl
resource "aws_db_instance" "app" {
  # ...
  storage_encrypted = true
  kms_key_id        = aws_kms_key.rds.arn
}
```""",
    fix_cloudformation="""```yaml
Database:
  Type: AWS::RDS::DBInstance
  Properties:
    StorageEncrypted: true
    KmsKeyId: !Ref RdsKey
```""",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",),
    equivalents=(("checkov", "CKV_AWS_16"), ("trivy", "AVD-AWS-0080")),
)
