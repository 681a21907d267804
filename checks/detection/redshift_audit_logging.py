"""AWS-RS-150: a Redshift cluster without audit logging."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for cluster in facts.of_kind("redshift_audit_logging"):
        attr = cluster.logging
        if attr.is_false():
            how = "turns audit logging off" if attr.explicit else "has no audit logging (no logging block, aws_redshift_logging or LoggingProperties)"
            yield Finding(CHECK.id, cluster.resource, "Redshift cluster %s %s." % (cluster.resource.address, how), attr.location)
        elif not attr.known:
            yield undecided(CHECK.id, cluster.resource, "audit logging", attr.value, attr.location)


CHECK = Check(
    id="AWS-RS-150",
    title="Redshift cluster has no audit logging",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("redshift_audit_logging",),
    evaluate=evaluate,
    what="""Finds Redshift clusters that keep no audit log (connection, user and user activity
logs). Terraform: `aws_redshift_cluster` with no `logging { enable = true }` block (provider v5
and earlier) and no `aws_redshift_logging` naming it by `cluster_identifier` (a reference, or the
same literal name in the same root module). CloudFormation: `AWS::Redshift::Cluster` without
`LoggingProperties`. Redshift audit logging is off unless configured. A logging resource whose
cluster cannot be known leaves the clusters of its module undecided.""",
    why="""The audit log is the only record of who connected to the warehouse, from where, with
which user, and which queries they ran (with `enable_user_activity_logging` in the parameter
group). Without it a leaked database password or an over-broad grant leaves no trace of what was
read.""",
    fix_terraform="""```hcl
resource "aws_redshift_logging" "main" {
  cluster_identifier   = aws_redshift_cluster.main.id
  log_destination_type = "cloudwatch"
  log_exports          = ["connectionlog", "userlog", "useractivitylog"]
}
```""",
    fix_cloudformation="""```yaml
Cluster:
  Type: AWS::Redshift::Cluster
  Properties:
    # ...
    LoggingProperties:
      LogDestinationType: cloudwatch
      LogExports: [connectionlog, userlog, useractivitylog]
```""",
    references=(
        "https://docs.aws.amazon.com/redshift/latest/mgmt/db-auditing.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-redshift-cluster-loggingproperties.html",
    ),
    equivalents=(("checkov", "CKV_AWS_71"),),
)
