"""Messages and streams without encryption at rest: AWS-SNS-501 (SNS topics), AWS-KIN-501
(Kinesis data streams), AWS-FH-501 (Firehose delivery streams)."""
from __future__ import annotations

from iacguard.check import Check

from .at_rest import verdict


def evaluate_sns(facts):
    for topic in facts.of_kind("sns_topic"):
        found = verdict(SNS.id, topic.resource, topic.kms_key.is_true(), (("KMS key", topic.kms_key),),
                        "SNS topic %s sets no KMS key: its messages are stored unencrypted." % topic.resource.address,
                        topic.kms_key.location)
        if found is not None:
            yield found


def evaluate_kinesis(facts):
    for stream in facts.of_kind("kinesis_stream"):
        kind = stream.encryption_type
        found = verdict(KINESIS.id, stream.resource, kind.known and kind.value == "kms", (("encryption type", kind),),
                        "Kinesis stream %s %s: its records are stored unencrypted." % (
                            stream.resource.address, "sets the encryption type to NONE" if kind.explicit else "sets no server-side encryption"),
                        kind.location)
        if found is not None:
            yield found


def evaluate_firehose(facts):
    for stream in facts.of_kind("firehose_stream"):
        if stream.kinesis_source.is_true():
            continue  # fed by a Kinesis stream: that stream's encryption applies (AWS-KIN-501)
        good = stream.sse_enabled.is_true() or stream.sse_input.is_true()
        involved = (("Kinesis source", stream.kinesis_source), ("server-side encryption", stream.sse_enabled),
                    ("server-side encryption", stream.sse_input))
        location = stream.sse_enabled.location if stream.resource.language == "terraform" else stream.sse_input.location
        found = verdict(FIREHOSE.id, stream.resource, good, involved,
                        "Firehose delivery stream %s does not enable server-side encryption: records it buffers are stored unencrypted." % stream.resource.address,
                        location)
        if found is not None:
            yield found


SNS = Check(
    id="AWS-SNS-501",
    title="SNS topic is not encrypted at rest",
    severity="medium",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("sns_topic",),
    evaluate=evaluate_sns,
    what="""Finds SNS topics (`aws_sns_topic`, `AWS::SNS::Topic`) that set no KMS key
(`kms_master_key_id` / `KmsMasterKeyId`). SNS has no default encryption: without a key, messages
are stored unencrypted until delivered. A key of the configuration (key, alias) or any key ARN or
alias name passes, including the AWS managed `alias/aws/sns`.""",
    why="""Notifications carry alerts, order events and sometimes personal data, and SNS keeps them
until every subscriber has them, across retries. Server-side encryption protects them at rest;
compliance frameworks require it for topics carrying sensitive data.""",
    fix_terraform="""```hcl
resource "aws_sns_topic" "orders" {
  name              = "orders"
  kms_master_key_id = aws_kms_key.sns.arn
}
```""",
    fix_cloudformation="""```yaml
OrdersTopic:
  Type: AWS::SNS::Topic
  Properties:
    TopicName: orders
    KmsMasterKeyId: !Ref SnsKey
```""",
    references=("https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",),
    equivalents=(("checkov", "CKV_AWS_26"), ("trivy", "AVD-AWS-0095")),
)

KINESIS = Check(
    id="AWS-KIN-501",
    title="Kinesis data stream is not encrypted at rest",
    severity="medium",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("kinesis_stream",),
    evaluate=evaluate_kinesis,
    what="""Finds Kinesis data streams (`aws_kinesis_stream`, `AWS::Kinesis::Stream`) without
server-side encryption: `encryption_type` NONE or left out (the default), or no `StreamEncryption`
in CloudFormation.""",
    why="""A stream keeps every record for its retention period (24 hours up to a year). Without
server-side encryption the records are stored in clear; turning it on costs a KMS key (the AWS
managed `alias/aws/kinesis` will do) and no code change.""",
    fix_terraform="""```hcl
resource "aws_kinesis_stream" "clicks" {
  name            = "clicks"
  shard_count     = 1
  encryption_type = "KMS"
  kms_key_id      = aws_kms_key.kinesis.arn
}
```""",
    fix_cloudformation="""```yaml
ClicksStream:
  Type: AWS::Kinesis::Stream
  Properties:
    ShardCount: 1
    StreamEncryption:
      EncryptionType: KMS
      KeyId: !Ref KinesisKey
```""",
    references=("https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html",),
    equivalents=(("checkov", "CKV_AWS_43"), ("trivy", "AVD-AWS-0064")),
)

FIREHOSE = Check(
    id="AWS-FH-501",
    title="Firehose delivery stream is not encrypted at rest",
    severity="medium",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("firehose_stream",),
    evaluate=evaluate_firehose,
    what="""Finds Firehose delivery streams (`aws_kinesis_firehose_delivery_stream`,
`AWS::KinesisFirehose::DeliveryStream`) without server-side encryption: no
`server_side_encryption { enabled = true }` in Terraform, no
`DeliveryStreamEncryptionConfigurationInput` in CloudFormation. A stream whose source is a Kinesis
data stream cannot set it (the source's encryption applies, see AWS-KIN-501) and is not
reported.""",
    why="""Firehose buffers records before delivering them; server-side encryption protects them
while they wait. The destination's own encryption does not cover the buffer.""",
    fix_terraform="""```hcl
resource "aws_kinesis_firehose_delivery_stream" "events" {
  name        = "events"
  destination = "extended_s3"
  server_side_encryption {
    enabled  = true
    key_type = "CUSTOMER_MANAGED_CMK"
    key_arn  = aws_kms_key.firehose.arn
  }
  extended_s3_configuration {
    role_arn   = aws_iam_role.firehose.arn
    bucket_arn = aws_s3_bucket.events.arn
  }
}
```""",
    fix_cloudformation="""```yaml
EventsDeliveryStream:
  Type: AWS::KinesisFirehose::DeliveryStream
  Properties:
    DeliveryStreamType: DirectPut
    DeliveryStreamEncryptionConfigurationInput:
      KeyType: CUSTOMER_MANAGED_CMK
      KeyARN: !GetAtt FirehoseKey.Arn
    ExtendedS3DestinationConfiguration:
      BucketARN: !GetAtt EventsBucket.Arn
      RoleARN: !GetAtt FirehoseRole.Arn
```""",
    references=("https://docs.aws.amazon.com/firehose/latest/dev/encryption.html",),
    equivalents=(("checkov", "CKV_AWS_240"),),
)
