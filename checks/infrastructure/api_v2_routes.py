"""AWS-APIGW-900: API Gateway v2 (HTTP or WebSocket API) route with no authorization. Reads the
facts kind "api_route" (iacguard.facts.secrets_b_routes); next to AWS-APIGW-311 (REST API methods)."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown


def evaluate(facts):
    for route in facts.of_kind("api_route"):
        auth, key, protocol = route.authorization, route.route_key, route.protocol
        if auth.known and auth.value != "none":
            continue
        if not auth.known:
            yield undecided(CHECK.id, route.resource, "authorization type", auth.value, auth.location)
            continue
        if is_unknown(protocol):
            if key.known and isinstance(key.value, str) and key.value.strip().lower() == "$default":
                yield undecided(CHECK.id, route.resource, "API protocol", protocol, key.location)
            elif not key.known:
                yield undecided(CHECK.id, route.resource, "route key", key.value, key.location)
            continue
        if not key.known:
            yield undecided(CHECK.id, route.resource, "route key", key.value, key.location)
            continue
        text = key.value.strip() if isinstance(key.value, str) else ""
        if protocol == "websocket":
            if text.lower() != "$connect":
                continue  # only $connect carries authorization in a WebSocket API
            if route.api_key_required.is_true():
                continue
            if not route.api_key_required.known:
                yield undecided(CHECK.id, route.resource, "API key required", route.api_key_required.value, route.api_key_required.location)
                continue
            yield Finding(CHECK.id, route.resource, "WebSocket API route %s ($connect) has authorization type NONE and requires no API key: anyone can connect." % route.resource.address,
                          auth.location)
            continue
        if text.upper().startswith("OPTIONS "):
            continue  # CORS preflight: browsers send it without credentials
        yield Finding(CHECK.id, route.resource, "HTTP API route %s (%s) has authorization type NONE: anyone on the internet can call it." % (route.resource.address, text),
                      auth.location)


CHECK = Check(
    id="AWS-APIGW-900",
    title="API Gateway HTTP or WebSocket API route has no authorization",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-306",),
    kinds=("api_route",),
    evaluate=evaluate,
    what="""Finds API Gateway v2 routes (`aws_apigatewayv2_route`, `AWS::ApiGatewayV2::Route`) whose
authorization type (`authorization_type` / `AuthorizationType`, `NONE` when left out) is `NONE`:

- in an HTTP API, every route but `OPTIONS` ones (CORS preflight requests carry no credentials);
- in a WebSocket API, only the `$connect` route (the only one that carries authorization: the
  others are reached through an authorized connection), unless it requires an API key.

The API's protocol comes from the API the route's `api_id` / `ApiId` refers to (`protocol_type` /
`ProtocolType`), else from the route key (`$connect`, `GET /orders`); a `$default` route of an API
the scan cannot see is undecided. Not covered: routes of HTTP APIs imported from an OpenAPI
`Body` and SAM `AWS::Serverless::HttpApi` events (their authorizers are in the OpenAPI document or
the SAM `Auth` section, not in route resources).""",
    why="""A route without an authorizer (JWT, IAM or a Lambda authorizer) can be called by anyone on
the internet, reaching the Lambda function or backend behind it; a WebSocket `$connect` without
authorization lets anyone open a connection and send messages to every route. Public routes do
exist: mark them deliberately and require authorization everywhere else.""",
    fix_terraform="""```hcl
resource "aws_apigatewayv2_route" "orders" {
  api_id             = aws_apigatewayv2_api.http.id
  route_key          = "GET /orders"
  target             = "integrations/${aws_apigatewayv2_integration.orders.id}"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.users.id
}
```""",
    fix_cloudformation="""```yaml
OrdersRoute:
  Type: AWS::ApiGatewayV2::Route
  Properties:
    ApiId: !Ref HttpApi
    RouteKey: GET /orders
    Target: !Sub integrations/${OrdersIntegration}
    AuthorizationType: AWS_IAM
```""",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-control-access.html",
    ),
    equivalents=(("checkov", "CKV_AWS_309"),),
)
