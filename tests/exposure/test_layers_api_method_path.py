"""authentication on a path through an API Gateway stage is judged on the methods / routes that
may invoke the path's function: a REST API whose GET /items (function "items") has no authorizer
and whose POST /orders (function "orders") has a Cognito one lacks authentication on the path to
"items" only (it was reported missing on both: the stage's every method was judged)."""
from __future__ import annotations

import pytest

from iacguard.engine import build_graph
from iacguard.facts import Facts
from iacguard.facts.layers import Hops, authentication, missing_layers

pytestmark = pytest.mark.catalogue("all")

TF = '''
resource "aws_api_gateway_rest_api" "shop" {
  name = "shop"
}

resource "aws_api_gateway_method" "items" {
  rest_api_id   = aws_api_gateway_rest_api.shop.id
  resource_id   = "items"
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "items" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  resource_id = "items"
  http_method = aws_api_gateway_method.items.http_method
  type        = "AWS_PROXY"
  uri         = aws_lambda_function.items.invoke_arn
}

resource "aws_api_gateway_method" "orders" {
  rest_api_id   = aws_api_gateway_rest_api.shop.id
  resource_id   = "orders"
  http_method   = "POST"
  authorization = "COGNITO_USER_POOLS"
  authorizer_id = "abc123"
}

resource "aws_api_gateway_integration" "orders" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  resource_id = "orders"
  http_method = aws_api_gateway_method.orders.http_method
  type        = "AWS_PROXY"
  uri         = aws_lambda_function.orders.invoke_arn
}

resource "aws_api_gateway_method" "mock" {
  rest_api_id   = aws_api_gateway_rest_api.shop.id
  resource_id   = "mock"
  http_method   = "GET"
  authorization = "COGNITO_USER_POOLS"
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.shop.id
  deployment_id = "abc123"
  stage_name    = "prod"
}

resource "aws_lambda_function" "items" {
  function_name = "items"
  role          = "arn:aws:iam::123456789012:role/items"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function" "orders" {
  function_name = "orders"
  role          = "arn:aws:iam::123456789012:role/orders"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_s3_bucket" "b" {
  bucket = "acme-b"
}
'''


def test_authentication_follows_the_path_through_the_api(tmp_path):
    (tmp_path / "main.tf").write_text(TF)
    graph = build_graph([str(tmp_path)]).graph
    facts = Facts(graph)
    by = {r.address: r for t in ("aws_api_gateway_stage", "aws_lambda_function", "aws_s3_bucket") for r in graph.of_type(t)}
    stage, items, orders = by["aws_api_gateway_stage.prod"], by["aws_lambda_function.items"], by["aws_lambda_function.orders"]
    assert authentication(facts, stage).value is False  # the stage as a whole: GET /items is open
    assert authentication(facts, stage, (items,)).value is False
    assert authentication(facts, stage, (orders,)).value is True  # POST /orders (and the mock, no function)
    bucket = by["aws_s3_bucket.b"]
    names = lambda fn: [m[0] for m in missing_layers(facts, Hops(stage, (fn,), None, None, bucket))[0]]
    assert "authentication" in names(items) and "authentication" not in names(orders)


HTTP_API = '''
resource "aws_iam_role" "a" {
  name               = "a"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}
resource "aws_iam_role_policy" "a" {
  role   = aws_iam_role.a.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.a.arn}/*" }] })
}
resource "aws_iam_role" "b" {
  name               = "b"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}
resource "aws_iam_role_policy" "b" {
  role   = aws_iam_role.b.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.b.arn}/*" }] })
}
resource "aws_lambda_function" "a" {
  function_name = "a"
  role          = aws_iam_role.a.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}
resource "aws_lambda_function" "b" {
  function_name = "b"
  role          = aws_iam_role.b.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}
resource "aws_apigatewayv2_api" "api" {
  name          = "api"
  protocol_type = "HTTP"
}
resource "aws_apigatewayv2_integration" "a" {
  api_id           = aws_apigatewayv2_api.api.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.a.invoke_arn
}
resource "aws_apigatewayv2_integration" "b" {
  api_id           = aws_apigatewayv2_api.api.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.b.invoke_arn
}
resource "aws_apigatewayv2_route" "a" {
  api_id    = aws_apigatewayv2_api.api.id
  route_key = "GET /a"
  target    = "integrations/${aws_apigatewayv2_integration.a.id}"
}
resource "aws_apigatewayv2_route" "b" {
  api_id             = aws_apigatewayv2_api.api.id
  route_key          = "GET /b"
  authorization_type = "AWS_IAM"
  target             = "integrations/${aws_apigatewayv2_integration.b.id}"
}
resource "aws_apigatewayv2_stage" "s" {
  api_id = aws_apigatewayv2_api.api.id
  name   = "$default"
}
resource "aws_s3_bucket" "a" {
  bucket = "acme-a"
}
resource "aws_s3_bucket" "b" {
  bucket = "acme-b"
}
'''


def test_http_api_routes_follow_the_path(tmp_path):
    """GET /a (no authorizer) invokes function a, GET /b (AWS_IAM) function b: only the path
    through a lacks authentication (the route's target names its integration)."""
    from iacguard.facts.attack_paths import attack_paths

    (tmp_path / "main.tf").write_text(HTTP_API)
    graph = build_graph([str(tmp_path)]).graph
    facts = Facts(graph)
    got = {}
    for path in attack_paths(graph):
        missing, _ = missing_layers(facts, Hops.of([h.resource for h in path.hops], path.grant))
        got[path.asset.address] = [m[0] for m in missing]
    assert got == {"aws_s3_bucket.a": ["authentication"], "aws_s3_bucket.b": []}
