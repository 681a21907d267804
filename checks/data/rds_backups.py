"""AWS-RDS-613: RDS database keeping automated backups for less than 7 days."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import as_int

MIN_DAYS = 7  # AWS Security Hub's RDS.11 default minimum


def evaluate(facts):
    for db in facts.of_kind("rds_protection"):
        skip = []
        if db.resource.type == "AWS::RDS::DBInstance":
            skip.append(db.cluster_member)  # the cluster keeps the backups
        if db.resource.type in ("aws_db_instance", "AWS::RDS::DBInstance"):
            skip.append(db.replica_of)  # a read replica: the source keeps the backups
        if any(a.is_true() for a in skip):
            continue
        unknown = next((a for a in skip if not a.known), None)
        attr = db.backup_retention
        days = as_int(attr.value)
        if unknown is None and not isinstance(days, int):
            yield undecided(CHECK.id, db.resource, "backup retention period", days, attr.location)
        elif isinstance(days, int) and days >= MIN_DAYS:
            continue
        elif unknown is not None:
            yield undecided(CHECK.id, db.resource, "cluster membership or replication source", unknown.value, unknown.location)
        else:
            if days == 0:
                text = "has automated backups turned off (retention 0 days)"
            else:
                text = "keeps automated backups for %d day%s%s" % (days, "" if days == 1 else "s", "" if attr.explicit else " (the default)")
            yield Finding(CHECK.id, db.resource, "RDS database %s %s; at least %d days are recommended." % (db.resource.address, text, MIN_DAYS), attr.location)


CHECK = Check(
    id="AWS-RDS-613",
    title="RDS database keeps automated backups for less than 7 days",
    severity="low",
    pillar="data",
    cwe=("CWE-404",),
    kinds=("rds_protection",),
    evaluate=evaluate,
    equivalents=(("checkov", "CKV_AWS_133"), ("trivy", "AVD-AWS-0077")),
    what="""Finds RDS DB instances and clusters (`aws_db_instance`, `aws_rds_cluster`,
`AWS::RDS::DBInstance`, `AWS::RDS::DBCluster`) whose backup retention period
(`backup_retention_period` / `BackupRetentionPeriod`) is below 7 days: 0 turns automated backups
off, and left out it is 1 day (the RDS API's default). Read replicas (`replicate_source_db`,
`SourceDBInstanceIdentifier`) and CloudFormation DB instances of a cluster
(`DBClusterIdentifier`) are not reported: their source or cluster keeps the backups. 7 days is the
minimum AWS Security Hub's control RDS.11 asks for by default.""",
    why="""Automated backups and point-in-time recovery are how a database comes back after
corruption, a bad migration, ransomware or an accidental delete. With one day, a problem noticed
after a weekend can no longer be undone; with none, nothing can.""",
    fix_terraform="""```hcl
resource "aws_db_instance" "orders" {
  identifier              = "orders"
  engine                  = "postgres"
  instance_class          = "db.t4g.micro"
  allocated_storage       = 20
  backup_retention_period = 14
}
```""",
    fix_cloudformation="""```yaml
Orders:
  Type: AWS::RDS::DBInstance
  Properties:
    Engine: postgres
    DBInstanceClass: db.t4g.micro
    AllocatedStorage: "20"
    BackupRetentionPeriod: 14
```""",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html",
                "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html"),
)
