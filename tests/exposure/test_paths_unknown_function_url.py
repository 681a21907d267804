"""A function URL whose function is a variable / parameter without a value may invoke any
function of its root: its paths are undecided (records, never findings). It gave no path and no
undecided record at all (a public URL with auth NONE passed silently)."""
from __future__ import annotations

import pytest

from iacguard.checks.infrastructure.attack_paths import CHECK
from iacguard.core.model import ScanOptions
from iacguard.engine import build_graph, scan
from iacguard.facts import Facts

pytestmark = pytest.mark.catalogue("all")

TF = '''
variable "fn" {
  type = string
}

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

resource "aws_lambda_function_url" "open" {
  function_name      = var.fn
  authorization_type = "NONE"
}

resource "aws_lambda_function_url" "elsewhere" {
  function_name      = "a-function-of-another-stack"
  authorization_type = "NONE"
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}
'''

CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  FunctionArn:
    Type: String
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal:
              Service: lambda.amazonaws.com
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::acme-data/*
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: "x"
  Url:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !Ref FunctionArn
      AuthType: NONE
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-data
'''


@pytest.mark.parametrize("name, text, url, asset", [
    ("main.tf", TF, "aws_lambda_function_url.open", "aws_s3_bucket.data"),
    ("template.yaml", CFN, "Url", "Data"),
])
def test_unknown_function_gives_undecided_paths(tmp_path, name, text, url, asset):
    (tmp_path / name).write_text(text)
    paths = Facts(build_graph([str(tmp_path)]).graph).of_kind("attack_path")
    assert [(p.addresses[0], p.asset.address, p.decided is True) for p in paths] == [(url, asset, False)]
    assert "it may invoke" in paths[0].hops[0].message
    result = scan([str(tmp_path)], ScanOptions(), cwd=str(tmp_path), checks=[CHECK])
    assert result.findings == []
    assert [(u.resource.address, u.what) for u in result.undecided if u.check_id == CHECK.id] == [
        (url, "the path to S3 bucket %s" % asset)]
    assert "has no value" in result.undecided[0].reason
