"""AWS-SQS-001: SQS queue with server-side encryption turned off."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for queue in facts.of_kind("queue"):
        if queue.kms_key.is_true() or queue.sse_sqs.is_true():
            continue  # SSE-KMS, or SSE-SQS (on unless turned off)
        unknown = next((a for a in (queue.sse_sqs, queue.kms_key) if not a.known), None)
        if unknown is not None:
            what = "SQS-managed encryption" if unknown is queue.sse_sqs else "KMS key"
            yield undecided(CHECK.id, queue.resource, what, unknown.value, unknown.location)
        else:
            yield Finding(CHECK.id, queue.resource, "SQS queue %s turns SQS-managed encryption off and sets no KMS key." % queue.resource.address, queue.sse_sqs.location)


CHECK = Check(
    id="AWS-SQS-001",
    title="SQS queue has server-side encryption turned off",
    severity="medium",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("queue",),
    evaluate=evaluate,
    what="""Finds SQS queues (`aws_sqs_queue`, `AWS::SQS::Queue`) that set
`sqs_managed_sse_enabled` / `SqsManagedSseEnabled` to false and set no KMS key
(`kms_master_key_id` / `KmsMasterKeyId`). Since October 2022 SQS encrypts new queues with
SQS-owned keys (SSE-SQS) unless told not to, so a queue that leaves both out is encrypted and is not
reported; a queue with a KMS key uses SSE-KMS and is not reported either.""",
    why="""Messages often carry personal data, tokens and internal payloads and may wait in a queue
for up to 14 days. Without server-side encryption they are stored unencrypted at rest, which
compliance frameworks reject and which leaves them exposed to anyone who reaches the storage
behind the service.""",
    fix_terraform="""Leave SQS-managed encryption on (the default), or use a KMS key:

```hcl
resource "aws_sqs_queue" "orders" {
  name                    = "orders"
  sqs_managed_sse_enabled = true
  # or: kms_master_key_id = aws_kms_key.queues.arn
}
```""",
    fix_cloudformation="""Remove `SqsManagedSseEnabled: false`, or set a KMS key:

```yaml
OrdersQueue:
  Type: AWS::SQS::Queue
  Properties:
    SqsManagedSseEnabled: true
    # or: KmsMasterKeyId: !Ref QueueKey
```""",
    references=(
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
        "https://aws.amazon.com/blogs/compute/announcing-server-side-encryption-with-amazon-simple-queue-service-managed-encryption-keys-sse-sqs-by-default/",
    ),
    equivalents=(("checkov", "CKV_AWS_27"), ("trivy", "AVD-AWS-0096")),
)
