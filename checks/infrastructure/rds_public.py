"""AWS-RDS-002: RDS instance publicly accessible."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for db in facts.of_kind("database"):
        pub = db.publicly_accessible
        if pub is not None and pub.is_true():
            yield Finding(CHECK.id, db.resource, "RDS %s %s is publicly accessible." % (db.kind.replace("_", " "), db.resource.address), pub.location)
        elif pub is not None and not pub.known:
            yield undecided(CHECK.id, db.resource, "publicly accessible", pub.value, pub.location)


CHECK = Check(
    id="AWS-RDS-002",
    title="RDS database instance is publicly accessible",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-668",),
    kinds=("database",),
    evaluate=evaluate,
    what="""Finds RDS DB instances, Aurora cluster instances and Multi-AZ DB clusters with
`publicly_accessible` / `PubliclyAccessible` set to true, which gives them a public DNS name and
address.""",
    why="""A database reachable from the internet is one leaked or weak password away from a
breach, and exposes the engine itself to scanning and exploits. Applications reach databases
from inside the VPC; administrators through a bastion, VPN or Session Manager.""",
    fix_terraform="""```hcl
resource "aws_db_instance" "app" {
  # ...
  publicly_accessible  = false
  db_subnet_group_name = aws_db_subnet_group.private.name
}
```""",
    fix_cloudformation="""```yaml
PubliclyAccessible: false
DBSubnetGroupName: !Ref PrivateSubnetGroup
```""",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",),
    equivalents=(("checkov", "CKV_AWS_17"),),
)
