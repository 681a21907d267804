"""AWS-LAMBDA-201: Lambda function without active X-Ray tracing."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for fn in facts.of_kind("lambda_tracing"):
        mode = fn.mode
        if not mode.known:
            yield undecided(CHECK.id, fn.resource, "tracing mode", mode.value, mode.location)
        elif mode.value != "active":
            yield Finding(CHECK.id, fn.resource, "Lambda function %s does not trace invocations with X-Ray (tracing mode PassThrough)." % fn.resource.address, mode.location)


CHECK = Check(
    id="AWS-LAMBDA-201",
    title="Lambda function does not trace invocations with X-Ray",
    severity="low",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("lambda_tracing",),
    evaluate=evaluate,
    what="""Finds Lambda functions (`aws_lambda_function`, `AWS::Lambda::Function`) whose tracing
mode (`tracing_config.mode` / `TracingConfig.Mode`) is `PassThrough` or left out (the default is
`PassThrough`: the function traces only requests an upstream service already sampled).""",
    why="""With active tracing every invocation is sampled and its calls to other services are
recorded. In an investigation the traces show what a function did with a malicious event
(which tables it read, which APIs it called) where its own logs are silent.""",
    fix_terraform="""```hcl
resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.worker.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "worker.zip"

  tracing_config {
    mode = "Active"
  }
}
```""",
    fix_cloudformation="""```yaml
Worker:
  Type: AWS::Lambda::Function
  Properties:
    Runtime: python3.12
    Handler: app.handler
    Role: !GetAtt WorkerRole.Arn
    Code:
      S3Bucket: !Ref ArtifactBucket
      S3Key: worker.zip
    TracingConfig:
      Mode: Active
```""",
    references=("https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html",),
    equivalents=(("checkov", "CKV_AWS_50"), ("trivy", "AVD-AWS-0066")),
)
