"""AWS-RDS-616: RDS parameter group that lets clients connect without TLS."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for group in facts.of_kind("db_parameter_group_ssl"):
        attr = group.forced
        if not attr.known:
            yield undecided(CHECK.id, group.resource, group.parameter or "family", attr.value, attr.location)
        elif attr.is_false():
            how = "sets %s off" % group.parameter if attr.explicit else "leaves %s at its default (off for family %s)" % (group.parameter, group.family.value)
            yield Finding(CHECK.id, group.resource, "DB parameter group %s %s: databases using it accept connections without TLS." % (group.resource.address, how), attr.location)


CHECK = Check(
    id="AWS-RDS-616",
    title="RDS parameter group lets clients connect without TLS",
    severity="medium",
    pillar="data",
    cwe=("CWE-319",),
    kinds=("db_parameter_group_ssl",),
    evaluate=evaluate,
    what="""Finds DB parameter groups and DB cluster parameter groups declared in the code
(`aws_db_parameter_group`, `aws_rds_cluster_parameter_group`, `AWS::RDS::DBParameterGroup`,
`AWS::RDS::DBClusterParameterGroup`) that do not make the engine refuse connections without TLS:
`rds.force_ssl` (PostgreSQL, Aurora PostgreSQL, SQL Server) or `require_secure_transport` (MySQL,
MariaDB, Aurora MySQL) set to 0/OFF, or left out where its default is off. The default is on only
for RDS for PostgreSQL 15 and later (family `postgres15` and up). Aurora parameters are set at
the cluster level, so instance-level groups of Aurora families are not read; Oracle (an option
group setting) is not covered. Databases using the engine's default parameter group are not
reported: the check is about groups the code declares.""",
    why="""Unless the server insists on TLS, a client that does not ask for it (a default driver
setting, a misconfigured connection string) sends credentials, queries and results in clear text
across the network. Forcing TLS on the server side makes encryption in transit hold whatever the
clients do.""",
    fix_terraform="""```hcl
resource "aws_db_parameter_group" "postgres" {
  name   = "orders-postgres14"
  family = "postgres14"
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
}

resource "aws_rds_cluster_parameter_group" "aurora_mysql" {
  name   = "orders-aurora-mysql8"
  family = "aurora-mysql8.0"
  parameter {
    name  = "require_secure_transport"
    value = "ON"
  }
}
```""",
    fix_cloudformation="""```yaml
PostgresParameters:
  Type: AWS::RDS::DBParameterGroup
  Properties:
    Description: orders
    Family: postgres14
    Parameters:
      rds.force_ssl: "1"
```""",
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html",
    ),
)
