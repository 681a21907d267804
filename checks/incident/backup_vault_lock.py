"""AWS-BACKUP-819: an AWS Backup vault without a vault lock."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for vault in facts.of_kind("backup_vault"):
        if vault.lock.is_true():
            continue
        if not vault.lock.known:
            yield undecided(CHECK.id, vault.resource, "vault lock", vault.lock.value, vault.lock.location)
        else:
            yield Finding(CHECK.id, vault.resource, "Backup vault %s has no vault lock: anyone allowed to delete recovery points (or the vault's access policy) can destroy its backups." % vault.resource.address, vault.lock.location)


CHECK = Check(
    id="AWS-BACKUP-819",
    title="AWS Backup vault has no vault lock",
    severity="low",
    pillar="incident",
    cwe=("CWE-693",),
    kinds=("backup_vault",),
    evaluate=evaluate,
    what="""Finds AWS Backup vaults (`aws_backup_vault`, `AWS::Backup::BackupVault`) without a vault
lock: in Terraform no `aws_backup_vault_lock_configuration` names the vault (by reference or by
literal name in the same root; one with `count = 0` does not exist), in CloudFormation the vault
has no `LockConfiguration`. A lock configuration whose vault name is not known may be any vault
of its root, which is then left undecided.""",
    why="""Ransomware and intruders delete backups before they encrypt or destroy data: recovery
points in an unlocked vault can be deleted by any principal allowed to, including a compromised
administrator. A vault lock (governance mode, or compliance mode after its grace period) enforces
a minimum retention that no one can shorten, so the backups outlive the compromise.""",
    fix_terraform="""```hcl
resource "aws_backup_vault_lock_configuration" "main" {
  backup_vault_name   = aws_backup_vault.main.name
  min_retention_days  = 7
  max_retention_days  = 365
  changeable_for_days = 3
}
```""",
    fix_cloudformation="""```yaml
Vault:
  Type: AWS::Backup::BackupVault
  Properties:
    BackupVaultName: main
    LockConfiguration:
      MinRetentionDays: 7
      MaxRetentionDays: 365
      ChangeableForDays: 3
```""",
    references=(
        "https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html",
    ),
)
