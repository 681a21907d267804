"""Attack paths through an API Gateway stage whose API is defined by an OpenAPI body (Terraform
`body`, SAM's implicit ServerlessRestApi / ServerlessHttpApi): the stage leads to the functions
the body's integrations name. They were missed silently (an entry point with no path and no
undecided record), since no integration resource draws `integration_of`."""
from __future__ import annotations

import pytest

from iacguard.checks.infrastructure.attack_paths import CHECK
from iacguard.core.model import ScanOptions
from iacguard.engine import build_graph, scan
from iacguard.facts import Facts

pytestmark = pytest.mark.catalogue("all")

TF = '''
resource "aws_iam_role" "fn" {
  name               = "fn"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "read" {
  role   = aws_iam_role.fn.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" }] })
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = aws_iam_role.fn.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_api_gateway_rest_api" "body" {
  name = "body"
  body = jsonencode({
    openapi = "3.0.1"
    paths   = { "/x" = { get = { "x-amazon-apigateway-integration" = { type = "AWS_PROXY", httpMethod = "POST", uri = aws_lambda_function.fn.invoke_arn } } } }
  })
}

resource "aws_api_gateway_stage" "body" {
  rest_api_id   = aws_api_gateway_rest_api.body.id
  deployment_id = "d"
  stage_name    = "prod"
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}
'''

SAM = '''AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      InlineCode: "x"
      Policies:
        - Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: arn:aws:s3:::acme-data/*
      Events:
        Get:
          Type: Api
          Properties:
            Path: /items
            Method: get
        Http:
          Type: HttpApi
          Properties:
            Path: /h
            Method: get
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-data
'''


def _run(path):
    facts = Facts(build_graph([str(path)]).graph)
    result = scan([str(path)], ScanOptions(), cwd=str(path.parent), checks=[CHECK])
    return {p.addresses for p in facts.of_kind("attack_path")}, result


def test_terraform_body(tmp_path):
    (tmp_path / "main.tf").write_text(TF)
    paths, result = _run(tmp_path / "main.tf")
    assert ("aws_api_gateway_stage.body", "aws_lambda_function.fn", "aws_iam_role.fn", "aws_iam_role_policy.read", "aws_s3_bucket.data") in paths
    # no WAF: a finding; the body's methods are not resources: authentication is undecided
    [finding] = [f for f in result.findings if f.resource.address == "aws_api_gateway_stage.body"]
    assert "lacks a layer: waf" in finding.message and "undecided: authentication" in finding.message


def test_sam_implicit_apis(tmp_path):
    (tmp_path / "template.yaml").write_text(SAM)
    paths, result = _run(tmp_path / "template.yaml")
    assert {p[0] for p in paths if p[-1] == "Data"} == {"ServerlessRestApiProdStage", "ServerlessHttpApiApiGatewayDefaultStage"}
    # the HTTP API: no WAF applies, authentication is undecided: an undecided record, no finding
    assert not any(f.resource.address == "ServerlessHttpApiApiGatewayDefaultStage" for f in result.findings)
    assert any(u.resource.address == "ServerlessHttpApiApiGatewayDefaultStage" and u.what.startswith("layer authentication")
               for u in result.undecided)
    assert any(f.resource.address == "ServerlessRestApiProdStage" for f in result.findings)
