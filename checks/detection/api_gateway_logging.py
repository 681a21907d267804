"""AWS-APIGW-201/202/203: API Gateway stages without access logs or X-Ray tracing."""
from __future__ import annotations

from iacguard.check import Check
from .logging_common import require

_REFS_ACCESS = (
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html",
)


def _rest_access(facts):
    yield from require(REST_ACCESS_LOGS.id, facts.of_kind("rest_api_stage"), "access_log", "access log destination",
                       "API Gateway REST API stage %s writes no access logs (no access log destination).")


def _http_access(facts):
    yield from require(HTTP_ACCESS_LOGS.id, facts.of_kind("http_api_stage"), "access_log", "access log destination",
                       "API Gateway v2 stage %s writes no access logs (no access log destination).")


def _rest_xray(facts):
    yield from require(REST_XRAY.id, facts.of_kind("rest_api_stage"), "xray", "X-Ray tracing",
                       "API Gateway REST API stage %s does not trace requests with X-Ray.")


REST_ACCESS_LOGS = Check(
    id="AWS-APIGW-201",
    title="API Gateway REST API stage has no access logging",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("rest_api_stage",),
    evaluate=_rest_access,
    what="""Finds API Gateway REST API stages (`aws_api_gateway_stage`, `AWS::ApiGateway::Stage`)
without an access log destination (`access_log_settings.destination_arn` /
`AccessLogSetting.DestinationArn`). A stage writes no access log unless one is configured. A
destination that is not known before deploy leaves the check undecided.""",
    why="""Access logs record who called which method of the API, from which address, and with
which result. Without them an investigation cannot tell which clients used a leaked key, which
requests probed the API, or when an abuse started.""",
    fix_terraform="""Send the stage's access logs to a CloudWatch log group (or a Firehose stream):

```hcl
resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.api.id
  stage_name    = "prod"

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format          = jsonencode({ requestId = "$context.requestId", ip = "$context.identity.sourceIp", status = "$context.status" })
  }
}
```""",
    fix_cloudformation="""```yaml
ProdStage:
  Type: AWS::ApiGateway::Stage
  Properties:
    RestApiId: !Ref Api
    DeploymentId: !Ref Deployment
    StageName: prod
    AccessLogSetting:
      DestinationArn: !GetAtt ApiAccessLogs.Arn
      Format: '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","status":"$context.status"}'
```""",
    references=_REFS_ACCESS[:1],
    equivalents=(("checkov", "CKV_AWS_76"), ("trivy", "AVD-AWS-0001"), ("cfn_nag", "W69")),
)

HTTP_ACCESS_LOGS = Check(
    id="AWS-APIGW-202",
    title="API Gateway HTTP or WebSocket API stage has no access logging",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("http_api_stage",),
    evaluate=_http_access,
    what="""Finds API Gateway v2 stages (HTTP and WebSocket APIs: `aws_apigatewayv2_stage`,
`AWS::ApiGatewayV2::Stage`) without an access log destination
(`access_log_settings.destination_arn` / `AccessLogSettings.DestinationArn`). A destination that
is not known before deploy leaves the check undecided.""",
    why="""HTTP APIs have no execution logs: access logs are the only record of who called the API
and with what result. Without them abuse, credential stuffing and data exfiltration through the
API leave no trace.""",
    fix_terraform="""```hcl
resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "$default"
  auto_deploy = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.http_api_access.arn
    format          = jsonencode({ requestId = "$context.requestId", ip = "$context.identity.sourceIp", status = "$context.status" })
  }
}
```""",
    fix_cloudformation="""```yaml
DefaultStage:
  Type: AWS::ApiGatewayV2::Stage
  Properties:
    ApiId: !Ref HttpApi
    StageName: $default
    AutoDeploy: true
    AccessLogSettings:
      DestinationArn: !GetAtt HttpApiAccessLogs.Arn
      Format: '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","status":"$context.status"}'
```""",
    references=_REFS_ACCESS[1:],
    equivalents=(("checkov", "CKV_AWS_76"), ("trivy", "AVD-AWS-0001")),
)

REST_XRAY = Check(
    id="AWS-APIGW-203",
    title="API Gateway REST API stage does not trace requests with X-Ray",
    severity="low",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("rest_api_stage",),
    evaluate=_rest_xray,
    what="""Finds API Gateway REST API stages whose X-Ray tracing (`xray_tracing_enabled` /
`TracingEnabled`) is false or left out (the default is off).""",
    why="""X-Ray traces follow a request from the API through the functions and services behind
it. In an investigation they show which back ends a suspicious request reached and what it
called there, which access logs alone cannot.""",
    fix_terraform="""```hcl
resource "aws_api_gateway_stage" "prod" {
  rest_api_id          = aws_api_gateway_rest_api.api.id
  deployment_id        = aws_api_gateway_deployment.api.id
  stage_name           = "prod"
  xray_tracing_enabled = true
}
```""",
    fix_cloudformation="""```yaml
ProdStage:
  Type: AWS::ApiGateway::Stage
  Properties:
    RestApiId: !Ref Api
    DeploymentId: !Ref Deployment
    StageName: prod
    TracingEnabled: true
```""",
    references=("https://docs.aws.amazon.com/xray/latest/devguide/xray-services-apigateway.html",),
    equivalents=(("checkov", "CKV_AWS_73"), ("trivy", "AVD-AWS-0003")),
)
