"""AWS-DYNAMODB-611 / AWS-RDS-612: DynamoDB table and RDS database without deletion protection."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def _cluster_member(db) -> tuple:
    """(True/False, None), or (None, attr) when an unknown value decides: a CloudFormation DB
    instance of a cluster takes deletion protection from its cluster."""
    if db.resource.type != "AWS::RDS::DBInstance":
        return False, None
    member = db.cluster_member
    if not member.known:
        return None, member
    return member.is_true(), None


def dynamodb(facts):
    for table in facts.of_kind("dynamodb_table"):
        attr = table.deletion_protection
        if not attr.known:
            yield undecided(DYNAMODB.id, table.resource, "deletion protection", attr.value, attr.location)
        elif attr.is_false():
            yield Finding(DYNAMODB.id, table.resource, "DynamoDB table %s can be deleted without first turning deletion protection off%s." % (
                table.resource.address, "" if attr.explicit else " (off unless enabled)"), attr.location)


def rds(facts):
    for db in facts.of_kind("rds_protection"):
        member, unknown = _cluster_member(db)
        if member:
            continue
        attr = db.deletion_protection
        if unknown is None and not attr.known:
            unknown = attr
        if attr.is_true():
            continue
        if unknown is not None:
            yield undecided(RDS.id, db.resource, "deletion protection", unknown.value, unknown.location)
        else:
            what = "cluster" if db.resource.type in ("aws_rds_cluster", "AWS::RDS::DBCluster") else "instance"
            yield Finding(RDS.id, db.resource, "RDS DB %s %s can be deleted without first turning deletion protection off%s." % (
                what, db.resource.address, "" if attr.explicit else " (off unless enabled)"), attr.location)


DYNAMODB = Check(
    id="AWS-DYNAMODB-611",
    title="DynamoDB table has no deletion protection",
    severity="low",
    pillar="data",
    cwe=("CWE-404",),
    kinds=("dynamodb_table",),
    evaluate=dynamodb,
    what="""Finds DynamoDB tables (`aws_dynamodb_table`, `AWS::DynamoDB::Table`) whose deletion
protection (`deletion_protection_enabled` / `DeletionProtectionEnabled`) is false or left out
(off unless enabled).""",
    why="""A deleted table is gone with its data at once; only a backup or point-in-time recovery
brings it back, into a new table. Deletion protection makes a `DeleteTable` call (a mistaken
`terraform destroy`, a stack replacement, a compromised credential) fail until someone turns the
protection off on purpose.""",
    fix_terraform="""```hcl
resource "aws_dynamodb_table" "orders" {
  name                        = "orders"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = true
  attribute {
    name = "id"
    type = "S"
  }
}
```""",
    fix_cloudformation="""```yaml
Orders:
  Type: AWS::DynamoDB::Table
  Properties:
    BillingMode: PAY_PER_REQUEST
    DeletionProtectionEnabled: true
    AttributeDefinitions:
      - AttributeName: id
        AttributeType: S
    KeySchema:
      - AttributeName: id
        KeyType: HASH
```""",
    references=("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection",),
)

RDS = Check(
    id="AWS-RDS-612",
    title="RDS database has no deletion protection",
    severity="low",
    pillar="data",
    cwe=("CWE-404",),
    kinds=("rds_protection",),
    evaluate=rds,
    equivalents=(("checkov", "CKV_AWS_293"), ("checkov", "CKV_AWS_139")),
    what="""Finds RDS DB instances and clusters (`aws_db_instance`, `aws_rds_cluster`,
`AWS::RDS::DBInstance`, `AWS::RDS::DBCluster`) whose deletion protection (`deletion_protection`
/ `DeletionProtection`) is false or left out (off unless enabled). A CloudFormation DB instance
that belongs to a cluster (`DBClusterIdentifier`) is protected by its cluster's setting and is
not reported on its own.""",
    why="""Deleting a database removes its automated backups too unless told otherwise. Deletion
protection makes a delete (a mistaken `terraform destroy`, a replacement forced by a changed
attribute, a compromised credential) fail until someone turns the protection off on purpose.""",
    fix_terraform="""```hcl
resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  deletion_protection = true
}
```""",
    fix_cloudformation="""```yaml
Orders:
  Type: AWS::RDS::DBInstance
  Properties:
    Engine: postgres
    DBInstanceClass: db.t4g.micro
    AllocatedStorage: "20"
    DeletionProtection: true
```""",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection",),
)
