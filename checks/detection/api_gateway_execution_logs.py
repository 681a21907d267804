"""AWS-APIGW-150: an API Gateway REST API stage whose methods write no execution logs."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for stage in facts.of_kind("rest_api_execution_logs"):
        level = stage.level
        if not level.known:
            yield undecided(CHECK.id, stage.resource, "logging level", level.value, level.location)
        elif level.value == "off":
            how = "sets logging level OFF" if level.explicit else "sets no logging level (OFF)"
            where = "" if stage.source is None or stage.source is stage.resource else " (%s)" % stage.source.address
            yield Finding(CHECK.id, stage.resource, "API Gateway REST API stage %s writes no execution logs: its method settings for */* %s%s." % (stage.resource.address, how, where), level.location)


CHECK = Check(
    id="AWS-APIGW-150",
    title="API Gateway REST API stage has execution logging turned off",
    severity="low",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("rest_api_execution_logs",),
    evaluate=evaluate,
    what="""Finds API Gateway REST API stages whose execution logging level for all methods (method
path `*/*`) is `OFF` or not set. Terraform: an `aws_api_gateway_method_settings` with
`method_path = "*/*"` naming the stage (a reference to the stage in `stage_name`, or the same REST
API and a literal stage name) and `settings { logging_level = "ERROR" | "INFO" }`; a stage with
no such companion logs nothing. CloudFormation: a `MethodSettings` entry of the stage with
`ResourcePath: /*`, `HttpMethod: "*"` and `LoggingLevel: ERROR | INFO` (SAM `AWS::Serverless::Api`
`MethodSettings` too). Stages created implicitly by a deployment's `stage_name` /
`StageDescription` are not read. Companion settings whose stage cannot be known leave the stages
of their module undecided.""",
    why="""Execution logs are API Gateway's own record of each request: authorizer decisions,
integration errors, throttling, mapping failures. Access logs say that a request was denied;
execution logs say why, which is what an investigation of abuse or a failing authorizer needs.
`ERROR` keeps the volume low; `INFO` adds every request (and data tracing should stay off: it logs
request bodies).""",
    fix_terraform="""```hcl
resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  stage_name  = aws_api_gateway_stage.prod.stage_name
  method_path = "*/*"

  settings {
    logging_level   = "ERROR"
    metrics_enabled = true
  }
}
```

The account needs a CloudWatch Logs role for API Gateway (`aws_api_gateway_account`).""",
    fix_cloudformation="""```yaml
ProdStage:
  Type: AWS::ApiGateway::Stage
  Properties:
    RestApiId: !Ref Api
    DeploymentId: !Ref Deployment
    StageName: prod
    MethodSettings:
      - ResourcePath: "/*"
        HttpMethod: "*"
        LoggingLevel: ERROR
        MetricsEnabled: true
```""",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
        "https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html",
    ),
    equivalents=(("checkov", "CKV2_AWS_4"),),
)
