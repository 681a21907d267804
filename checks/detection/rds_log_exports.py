"""AWS-RDS-201: RDS instance or Aurora/Multi-AZ cluster that publishes no logs to CloudWatch Logs."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for db in facts.of_kind("db_log_exports"):
        if not db.cluster_member.is_false():
            continue  # an instance of a CloudFormation DB cluster: the cluster decides
        attr = db.exports
        if attr.is_true():
            continue
        if not attr.known:
            yield undecided(CHECK.id, db.resource, "log exports", attr.value, attr.location)
        else:
            what = "cluster" if db.resource.type in ("aws_rds_cluster", "AWS::RDS::DBCluster") else "instance"
            yield Finding(CHECK.id, db.resource, "RDS DB %s %s publishes no database logs to CloudWatch Logs." % (what, db.resource.address), attr.location)


CHECK = Check(
    id="AWS-RDS-201",
    title="RDS database publishes no logs to CloudWatch Logs",
    severity="low",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("db_log_exports",),
    evaluate=evaluate,
    what="""Finds RDS DB instances and DB clusters (`aws_db_instance`, `aws_rds_cluster`,
`AWS::RDS::DBInstance`, `AWS::RDS::DBCluster`) that export no log to CloudWatch Logs
(`enabled_cloudwatch_logs_exports` / `EnableCloudwatchLogsExports` empty or left out, the
default). A CloudFormation instance that belongs to a cluster (`DBClusterIdentifier`) is left to
its cluster. A list that is not known before deploy leaves the check undecided.""",
    why="""Database logs (audit, error, general, slow query, PostgreSQL logs) show failed logins,
privilege changes and unusual queries. Kept only on the instance they rotate away within days and
are lost with it; published to CloudWatch Logs they can be retained, searched and alarmed on.""",
    fix_terraform="""List the logs of the engine (MySQL: audit, error, general, slowquery; PostgreSQL:
postgresql, upgrade):

```hcl
resource "aws_db_instance" "orders" {
  identifier                      = "orders"
  engine                          = "postgres"
  instance_class                  = "db.t4g.medium"
  allocated_storage               = 50
  storage_encrypted               = true
  manage_master_user_password     = true
  username                        = "orders_admin"
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
}
```""",
    fix_cloudformation="""```yaml
OrdersDb:
  Type: AWS::RDS::DBInstance
  Properties:
    Engine: postgres
    DBInstanceClass: db.t4g.medium
    AllocatedStorage: "50"
    StorageEncrypted: true
    ManageMasterUserPassword: true
    MasterUsername: orders_admin
    EnableCloudwatchLogsExports:
      - postgresql
      - upgrade
```""",
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/publishing_cloudwatchlogs.html",
    ),
    equivalents=(("checkov", "CKV_AWS_129"),),
)
