"""AWS-DDB-501: DynamoDB table not encrypted with a customer managed KMS key.
AWS-DDB-502: DynamoDB table without point-in-time recovery."""
from __future__ import annotations

from iacguard.check import Check

from .at_rest import how, verdict


def evaluate_cmk(facts):
    for table in facts.of_kind("dynamodb_table"):
        addr = table.resource.address
        if table.kms_sse.is_false():
            found = verdict(CMK.id, table.resource, False, (("server-side encryption", table.kms_sse),),
                            "DynamoDB table %s %s: it is encrypted with an AWS owned key, not a customer managed KMS key." % (
                                addr, how(table.kms_sse, "turns KMS server-side encryption off", "does not turn KMS server-side encryption on")),
                            table.kms_sse.location)
        else:
            found = verdict(CMK.id, table.resource, table.kms_sse.is_true() and table.kms_key.is_true(),
                            (("server-side encryption", table.kms_sse), ("KMS key", table.kms_key)),
                            "DynamoDB table %s enables KMS encryption without a key of its own: it uses the AWS managed key aws/dynamodb." % addr,
                            table.kms_sse.location)
        if found is not None:
            yield found


def evaluate_pitr(facts):
    for table in facts.of_kind("dynamodb_table"):
        pitr = table.point_in_time_recovery
        found = verdict(PITR.id, table.resource, pitr.is_true(), (("point-in-time recovery", pitr),),
                        "DynamoDB table %s %s." % (table.resource.address, how(pitr, "turns point-in-time recovery off", "does not enable point-in-time recovery (off by default)")),
                        pitr.location)
        if found is not None:
            yield found


CMK = Check(
    id="AWS-DDB-501",
    title="DynamoDB table is not encrypted with a customer managed KMS key",
    severity="low",
    pillar="data",
    cwe=("CWE-320",),
    kinds=("dynamodb_table",),
    evaluate=evaluate_cmk,
    what="""Finds DynamoDB tables (`aws_dynamodb_table`, `AWS::DynamoDB::Table`) whose data is not
encrypted with a customer managed KMS key. DynamoDB always encrypts at rest: with an AWS owned key
when `server_side_encryption.enabled` / `SSESpecification.SSEEnabled` is false or left out, with
the AWS managed key `aws/dynamodb` when it is true without `kms_key_arn` / `KMSMasterKeyId`. Both
are reported; a table naming a key (a KMS key or alias of the configuration, or any ARN) is not.""",
    why="""With an AWS owned or AWS managed key you cannot decide who may decrypt the table through
the key policy, cannot revoke access by disabling the key, and (for AWS owned keys) cannot see the
key's use in CloudTrail. Tables with personal or regulated data usually need a key you control.""",
    fix_terraform="""```hcl
resource "aws_dynamodb_table" "orders" {
  name         = "orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.dynamodb.arn
  }
}
```""",
    fix_cloudformation="""```yaml
OrdersTable:
  Type: AWS::DynamoDB::Table
  Properties:
    BillingMode: PAY_PER_REQUEST
    AttributeDefinitions:
      - AttributeName: id
        AttributeType: S
    KeySchema:
      - AttributeName: id
        KeyType: HASH
    SSESpecification:
      SSEEnabled: true
      SSEType: KMS
      KMSMasterKeyId: !Ref TableKey
```""",
    references=(
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html",
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html",
    ),
    equivalents=(("checkov", "CKV_AWS_119"), ("trivy", "AVD-AWS-0025")),
)

PITR = Check(
    id="AWS-DDB-502",
    title="DynamoDB table has point-in-time recovery turned off",
    severity="medium",
    pillar="data",
    kinds=("dynamodb_table",),
    evaluate=evaluate_pitr,
    what="""Finds DynamoDB tables without point-in-time recovery:
`point_in_time_recovery.enabled` / `PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled`
false or left out (it is off unless turned on).""",
    why="""Point-in-time recovery keeps continuous backups for up to 35 days, so a table can be
restored to the second before an accidental or malicious write or delete. Without it the only
recovery is from on-demand backups, if anyone took one.""",
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
OrdersTable:
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
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Point-in-time-recovery.html",
    ),
    equivalents=(("checkov", "CKV_AWS_28"), ("trivy", "AVD-AWS-0024")),
)
