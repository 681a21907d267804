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
