"""AWS-BACKUP-818: a data store that no AWS Backup selection of its project covers."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for target in facts.of_kind("backup_target"):
        if target.covered.is_true():
            continue
        if not target.covered.known:
            yield undecided(CHECK.id, target.resource, "backup selection", target.covered.value, target.covered.location)
        else:
            plans = ", ".join(p.address for p in target.plans[:2])
            yield Finding(CHECK.id, target.resource, "%s %s is not selected by any AWS Backup selection of its project, which declares the backup plan %s." % (
                target.resource.type, target.resource.address, plans), target.resource.location)


CHECK = Check(
    id="AWS-BACKUP-818",
    title="Data store is not covered by the project's AWS Backup plans",
    severity="low",
    pillar="incident",
    cwe=("CWE-693",),
    kinds=("backup_target",),
    evaluate=evaluate,
    what="""In a root module or top-level stack that declares an AWS Backup plan (`aws_backup_plan`,
`AWS::Backup::BackupPlan`), finds data stores that no selection of a plan with a rule covers:
RDS instances (not Aurora members) and clusters, DynamoDB tables, EFS file systems and EBS
volumes. A selection (`aws_backup_selection`, `AWS::Backup::BackupSelection`) covers a store
that its `resources` / `Resources` name by reference or literal ARN (`*` and ARN wildcards of the
store's service count) and `not_resources` does not exclude, or whose own tags match a
`selection_tag` / `ListOfTags` (STRINGEQUALS). A store that does not set a selection's tag key at
all may get it from the provider's `default_tags` or the stack's tags, which the scan cannot see:
it is left undecided, not reported. Roots without any backup plan are not reported (backups may
come from an organization backup policy or the services' own automated backups).""",
    why="""A project that adopted AWS Backup expects its data to be in the backup plan; a table or
file system added later and left out of the selection has no independent, restorable copy, and
the gap shows up only when a restore is needed after deletion, corruption or ransomware.""",
    fix_terraform="""```hcl
resource "aws_backup_selection" "data" {
  name         = "data-stores"
  plan_id      = aws_backup_plan.daily.id
  iam_role_arn = aws_iam_role.backup.arn
  resources = [
    aws_dynamodb_table.orders.arn,
    aws_efs_file_system.shared.arn,
  ]
}
```""",
    fix_cloudformation="""```yaml
DataSelection:
  Type: AWS::Backup::BackupSelection
  Properties:
    BackupPlanId: !Ref DailyPlan
    BackupSelection:
      SelectionName: data-stores
      IamRoleArn: !GetAtt BackupRole.Arn
      Resources:
        - !GetAtt OrdersTable.Arn
```""",
    references=(
        "https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-backup-backupselection-backupselectionresourcetype.html",
    ),
    equivalents=(("checkov", "CKV2_AWS_8"), ("checkov", "CKV2_AWS_9"), ("checkov", "CKV2_AWS_18")),
)
