"""AWS-DYNAMODB-821: a DynamoDB table without point-in-time recovery."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for table in facts.of_kind("table_recovery"):
        pitr = table.point_in_time_recovery
        if pitr.is_false():
            how = "turns point-in-time recovery off" if pitr.explicit else "does not turn point-in-time recovery on (the default is off)"
            yield Finding(CHECK.id, table.resource, "DynamoDB table %s %s." % (table.resource.address, how), pitr.location)
        elif not pitr.known:
            yield undecided(CHECK.id, table.resource, "point-in-time recovery", pitr.value, pitr.location)


CHECK = Check(
    id="AWS-DYNAMODB-821",
    title="DynamoDB table has point-in-time recovery off",
    severity="low",
    pillar="incident",
    cwe=("CWE-693",),
    kinds=("table_recovery",),
    evaluate=evaluate,
    what="""Finds DynamoDB tables (`aws_dynamodb_table`, `AWS::DynamoDB::Table`) without
point-in-time recovery: `point_in_time_recovery { enabled = true }` /
`PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true`. Both the provider and the
service leave it off when it is not set. A block that is not known as a whole (a dynamic block
from a variable) is left undecided.""",
    why="""After an accidental or malicious bulk delete or overwrite, point-in-time recovery restores
the table to any second of the last 35 days; without it (and without a recent AWS Backup recovery
point) the data written since the last snapshot is lost, and the investigation loses the table's
state at the time of the incident.""",
    fix_terraform="""```hcl
resource "aws_dynamodb_table" "orders" {
  name         = "orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
}
```""",
    fix_cloudformation="""```yaml
Orders:
  Type: AWS::DynamoDB::Table
  Properties:
    BillingMode: PAY_PER_REQUEST
    AttributeDefinitions:
      - AttributeName: id
        AttributeType: S
    KeySchema:
      - AttributeName: id
        KeyType: HASH
    PointInTimeRecoverySpecification:
      PointInTimeRecoveryEnabled: true
```""",
    references=(
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html",
    ),
    equivalents=(("checkov", "CKV_AWS_28"), ("trivy", "AVD-AWS-0024")),
)
