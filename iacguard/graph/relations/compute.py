"""Compute relations: API Gateway stage / method / integration -> the function it invokes
("integration_of"). A stage reaches every function integrated into its API."""
from __future__ import annotations

from .common import Join, draw, paths

FUNCTION = ("aws_lambda_function", "AWS::Lambda::Function", "AWS::Serverless::Function")
API = ("aws_api_gateway_rest_api", "aws_apigatewayv2_api", "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api", "AWS::Serverless::Api", "AWS::Serverless::HttpApi")
# (types, the path naming the API) of integrations and of stages
INTEGRATIONS = (
    ("aws_api_gateway_integration", paths("uri"), paths("rest_api_id")),
    ("aws_apigatewayv2_integration", paths("integration_uri"), paths("api_id")),
    ("AWS::ApiGateway::Method", paths("Integration.Uri"), paths("RestApiId")),
    ("AWS::ApiGatewayV2::Integration", paths("IntegrationUri"), paths("ApiId")),
)
STAGES = (
    ("aws_api_gateway_stage", paths("rest_api_id")),
    ("aws_apigatewayv2_stage", paths("api_id")),
    ("AWS::ApiGateway::Stage", paths("RestApiId")),
    ("AWS::ApiGatewayV2::Stage", paths("ApiId")),
)

ROWS = (
    # Terraform: the integration names its method through `http_method`.
    Join("integration_of", ("aws_api_gateway_integration",), paths("http_method"), ("aws_api_gateway_method",), paths("uri"), FUNCTION),
)


def build(graph) -> None:
    draw(graph, ROWS)
    by_api: dict = {}  # API id -> [functions]
    for type_, uri, api_at in INTEGRATIONS:
        for integration in graph.of_type(type_):
            functions = graph.referenced_at(integration, uri, FUNCTION)
            for function in functions:
                graph.add_relation(integration, function, "integration_of")
            for api in graph.referenced_at(integration, api_at, API):
                by_api.setdefault(api.id, []).extend(functions)
    if not by_api:
        return
    for type_, api_at in STAGES:
        for stage in graph.of_type(type_):
            for api in graph.referenced_at(stage, api_at, API):
                for function in by_api.get(api.id, ()):
                    graph.add_relation(stage, function, "integration_of")
