"""Scan speed and memory on generated repositories.

    python benchmarks/bench.py [--sizes 1000,10000,100000] [--jobs N] [--keep DIR] [--networks SHARE]
    python benchmarks/bench.py --repo PATH   # time a real repository, cold and warm

Generates synthetic repositories (Terraform root modules calling a local module, plus
CloudFormation templates) with the given numbers of resources, scans each cold (empty parse cache)
and warm (cache filled by the cold run), each in a fresh process, and prints files/s, resources/s,
MB/s, wall time and peak memory (max RSS of the scanning process). Nothing here runs in the test
suite.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

TF_MODULE = '''variable "name" {}
variable "cidr" {
  default = "10.0.0.0/16"
}

resource "aws_security_group" "this" {
  name = "sg-${var.name}"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}

resource "aws_s3_bucket" "this" {
  bucket = "bucket-${var.name}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

output "bucket_id" {
  value = aws_s3_bucket.this.id
}
'''

TF_ROOT_BLOCK = '''
module "m{i}" {{
  source = "../../modules/app"
  name   = "app{i}"
}}

resource "aws_ebs_volume" "v{i}" {{
  availability_zone = "eu-west-1a"
  size              = {size}
  encrypted         = {enc}
  tags = {{
    Name  = "vol-{i}"
    Owner = local.owner
  }}
}}
'''

CFN_RESOURCE = '''  Bucket{i}:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${{AWS::StackName}}-bucket-{i}"
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
  Sg{i}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Ref Description
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: !Ref AllowedCidr
'''


# --networks: web tiers (issue 14's benchmark). One tier, the same in both languages: a VPC with
# public and private subnets, route tables with IGW / NAT routes and their associations; security
# groups open to the world on 443 (load balancer, edge host) and SG-to-SG references to a DB
# group (inline and as a separate rule); an internet-facing ALB -> HTTPS listener -> target group
# -> two private instances sharing a role (instance profile, a policy granting a bucket and a
# table); an edge instance with a public IP in the routed subnet; a private RDS behind the DB
# group; a public RDS in the public subnets; a Lambda function with a function URL (auth NONE)
# and behind an API Gateway REST stage (method, integration, deployment, permission), its role
# granting the table; a CloudFront distribution with an S3 origin. Six entry points (ALB, API
# stage, CloudFront, instance, function URL, public database) and 12 (Terraform) or 13
# (CloudFormation) attack paths per tier.
WEB_TIER_RESOURCES = 50  # about: 50 resources in Terraform, 49 in CloudFormation

TF_WEB_MODULE = '''variable "name" {}
variable "cidr" {
  default = "10.0.0.0/16"
}

# one web tier: VPC, public and private subnets, IGW and NAT routes
resource "aws_vpc" "this" {
  cidr_block = var.cidr
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
}

resource "aws_eip" "nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "this" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public_a.id
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.this.id
  }
}

resource "aws_subnet" "public_a" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(var.cidr, 8, 1)
  availability_zone       = "eu-west-1a"
  map_public_ip_on_launch = true
}

resource "aws_subnet" "public_b" {
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 8, 2)
  availability_zone = "eu-west-1b"
}

resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 8, 11)
  availability_zone = "eu-west-1a"
}

resource "aws_subnet" "private_b" {
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 8, 12)
  availability_zone = "eu-west-1b"
}

resource "aws_route_table_association" "public_a" {
  subnet_id      = aws_subnet.public_a.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "public_b" {
  subnet_id      = aws_subnet.public_b.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "private_a" {
  subnet_id      = aws_subnet.private_a.id
  route_table_id = aws_route_table.private.id
}

resource "aws_route_table_association" "private_b" {
  subnet_id      = aws_subnet.private_b.id
  route_table_id = aws_route_table.private.id
}

# security groups: 443 from the world to the load balancer and the edge host, SG-to-SG behind
resource "aws_security_group" "lb" {
  name   = "lb-${var.name}"
  vpc_id = aws_vpc.this.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "app" {
  name   = "app-${var.name}"
  vpc_id = aws_vpc.this.id
  ingress {
    from_port       = 8080
    to_port         = 8080
    protocol        = "tcp"
    security_groups = [aws_security_group.lb.id]
  }
}

resource "aws_security_group" "edge" {
  name   = "edge-${var.name}"
  vpc_id = aws_vpc.this.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "db" {
  name   = "db-${var.name}"
  vpc_id = aws_vpc.this.id
  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }
}

resource "aws_security_group_rule" "db_from_edge" {
  type                     = "ingress"
  security_group_id        = aws_security_group.db.id
  from_port                = 5432
  to_port                  = 5432
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.edge.id
}

resource "aws_security_group" "public_db" {
  name   = "public-db-${var.name}"
  vpc_id = aws_vpc.this.id
  ingress {
    from_port   = 3306
    to_port     = 3306
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# internet-facing ALB -> listener -> target group -> two instances
resource "aws_lb" "web" {
  name               = "web-${var.name}"
  internal           = false
  load_balancer_type = "application"
  subnets            = [aws_subnet.public_a.id, aws_subnet.public_b.id]
  security_groups    = [aws_security_group.lb.id]
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_target_group" "app" {
  name     = "app-${var.name}"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = aws_vpc.this.id
}

resource "aws_lb_target_group_attachment" "a" {
  target_group_arn = aws_lb_target_group.app.arn
  target_id        = aws_instance.app_a.id
}

resource "aws_lb_target_group_attachment" "b" {
  target_group_arn = aws_lb_target_group.app.arn
  target_id        = aws_instance.app_b.id
}

resource "aws_instance" "app_a" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.private_a.id
  vpc_security_group_ids = [aws_security_group.app.id]
  iam_instance_profile   = aws_iam_instance_profile.app.name
}

resource "aws_instance" "app_b" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.private_b.id
  vpc_security_group_ids = [aws_security_group.app.id]
  iam_instance_profile   = aws_iam_instance_profile.app.name
}

# an instance with a public address in the routed subnet
resource "aws_instance" "edge" {
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.public_a.id
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.edge.id]
  iam_instance_profile        = aws_iam_instance_profile.app.name
}

resource "aws_iam_instance_profile" "app" {
  name = "app-${var.name}"
  role = aws_iam_role.app.name
}

resource "aws_iam_role" "app" {
  name = "app-${var.name}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "app" {
  name = "data"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
      { Effect = "Allow", Action = ["dynamodb:GetItem"], Resource = aws_dynamodb_table.orders.arn },
    ]
  })
}

resource "aws_s3_bucket" "data" {
  bucket = "data-${var.name}"
}

resource "aws_dynamodb_table" "orders" {
  name         = "orders-${var.name}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
}

# RDS behind the DB security group, and a public one
resource "aws_db_subnet_group" "private" {
  name       = "private-${var.name}"
  subnet_ids = [aws_subnet.private_a.id, aws_subnet.private_b.id]
}

resource "aws_db_instance" "orders" {
  identifier             = "orders-${var.name}"
  engine                 = "postgres"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  storage_encrypted      = true
  publicly_accessible    = false
  db_subnet_group_name   = aws_db_subnet_group.private.name
  vpc_security_group_ids = [aws_security_group.db.id]
}

resource "aws_db_subnet_group" "public" {
  name       = "public-${var.name}"
  subnet_ids = [aws_subnet.public_a.id, aws_subnet.public_b.id]
}

resource "aws_db_instance" "reporting" {
  identifier             = "reporting-${var.name}"
  engine                 = "mysql"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  publicly_accessible    = true
  db_subnet_group_name   = aws_db_subnet_group.public.name
  vpc_security_group_ids = [aws_security_group.public_db.id]
}

# Lambda with a function URL and behind an API Gateway stage
resource "aws_lambda_function" "api" {
  function_name = "api-${var.name}"
  role          = aws_iam_role.fn.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function_url" "api" {
  function_name      = aws_lambda_function.api.function_name
  authorization_type = "NONE"
}

resource "aws_iam_role" "fn" {
  name = "fn-${var.name}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "fn" {
  name = "orders"
  role = aws_iam_role.fn.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["dynamodb:GetItem", "dynamodb:PutItem"], Resource = aws_dynamodb_table.orders.arn }]
  })
}

resource "aws_api_gateway_rest_api" "api" {
  name = "api-${var.name}"
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "orders"
}

resource "aws_api_gateway_method" "post" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "post" {
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_resource.orders.id
  http_method             = aws_api_gateway_method.post.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.api.invoke_arn
}

resource "aws_api_gateway_deployment" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.api.id
  stage_name    = "prod"
}

resource "aws_lambda_permission" "api" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.api.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.api.execution_arn}/*"
}

# CloudFront with an S3 origin
resource "aws_s3_bucket" "site" {
  bucket = "site-${var.name}"
}

resource "aws_cloudfront_distribution" "cdn" {
  enabled = true
  origin {
    domain_name = aws_s3_bucket.site.bucket_regional_domain_name
    origin_id   = "site"
  }
  default_cache_behavior {
    target_origin_id       = "site"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    forwarded_values {
      query_string = false
      cookies {
        forward = "none"
      }
    }
  }
  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }
  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
'''

TF_WEB_CALL = '''
module "web{i}" {{
  source = "../../modules/web"
  name   = "web{i}"
  cidr   = "10.{a}.0.0/16"
}}
'''

CFN_WEB_TEMPLATE = '''AWSTemplateFormatVersion: '2010-09-09'
Description: one web tier (generated by benchmarks/bench.py --networks)
Parameters:
  Name:
    Type: String
    Default: cfnweb@N@
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Igw:
    Type: AWS::EC2::InternetGateway
  IgwAttachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref Vpc
      InternetGatewayId: !Ref Igw
  NatEip:
    Type: AWS::EC2::EIP
    Properties:
      Domain: vpc
  Nat:
    Type: AWS::EC2::NatGateway
    Properties:
      AllocationId: !GetAtt NatEip.AllocationId
      SubnetId: !Ref PublicA
  PublicTable:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  PublicRoute:
    Type: AWS::EC2::Route
    DependsOn: IgwAttachment
    Properties:
      RouteTableId: !Ref PublicTable
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref Igw
  PrivateTable:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  PrivateRoute:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref PrivateTable
      DestinationCidrBlock: 0.0.0.0/0
      NatGatewayId: !Ref Nat
  PublicA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
      AvailabilityZone: eu-west-1a
      MapPublicIpOnLaunch: true
  PublicB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.2.0/24
      AvailabilityZone: eu-west-1b
  PrivateA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.11.0/24
      AvailabilityZone: eu-west-1a
  PrivateB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.12.0/24
      AvailabilityZone: eu-west-1b
  PublicAAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PublicA
      RouteTableId: !Ref PublicTable
  PublicBAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PublicB
      RouteTableId: !Ref PublicTable
  PrivateAAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PrivateA
      RouteTableId: !Ref PrivateTable
  PrivateBAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PrivateB
      RouteTableId: !Ref PrivateTable
  LbGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: load balancer
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
  AppGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 8080
          ToPort: 8080
          SourceSecurityGroupId: !Ref LbGroup
  EdgeGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: edge
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
  DbGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: db
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 5432
          ToPort: 5432
          SourceSecurityGroupId: !Ref AppGroup
  DbFromEdge:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref DbGroup
      IpProtocol: tcp
      FromPort: 5432
      ToPort: 5432
      SourceSecurityGroupId: !Ref EdgeGroup
  PublicDbGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: public db
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 3306
          ToPort: 3306
          CidrIp: 0.0.0.0/0
  Web:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internet-facing
      Type: application
      Subnets: [!Ref PublicA, !Ref PublicB]
      SecurityGroups: [!Ref LbGroup]
  Https:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Web
      Port: 443
      Protocol: HTTPS
      Certificates:
        - CertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/abc
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref AppTargets
  AppTargets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 8080
      Protocol: HTTP
      VpcId: !Ref Vpc
      Targets:
        - Id: !Ref AppA
        - Id: !Ref AppB
  AppA:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      InstanceType: t3.micro
      SubnetId: !Ref PrivateA
      SecurityGroupIds: [!Ref AppGroup]
      IamInstanceProfile: !Ref AppProfile
  AppB:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      InstanceType: t3.micro
      SubnetId: !Ref PrivateB
      SecurityGroupIds: [!Ref AppGroup]
      IamInstanceProfile: !Ref AppProfile
  Edge:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      InstanceType: t3.micro
      IamInstanceProfile: !Ref AppProfile
      NetworkInterfaces:
        - DeviceIndex: "0"
          SubnetId: !Ref PublicA
          AssociatePublicIpAddress: true
          GroupSet: [!Ref EdgeGroup]
  AppProfile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref AppRole]
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
  AppData:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: data
      Roles: [!Ref AppRole]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [s3:GetObject, s3:PutObject]
            Resource: !Sub "${Data.Arn}/*"
          - Effect: Allow
            Action: dynamodb:GetItem
            Resource: !GetAtt Orders.Arn
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "data-${Name}"
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "orders-${Name}"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
  PrivateDbSubnets:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: private
      SubnetIds: [!Ref PrivateA, !Ref PrivateB]
  OrdersDb:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      StorageEncrypted: true
      PubliclyAccessible: false
      DBSubnetGroupName: !Ref PrivateDbSubnets
      VPCSecurityGroups: [!Ref DbGroup]
  PublicDbSubnets:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: public
      SubnetIds: [!Ref PublicA, !Ref PublicB]
  ReportingDb:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      PubliclyAccessible: true
      DBSubnetGroupName: !Ref PublicDbSubnets
      VPCSecurityGroups: [!Ref PublicDbGroup]
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub "api-${Name}"
      Handler: index.handler
      Runtime: python3.12
      Code:
        ZipFile: "def handler(e, c): return 1"
      Role: !GetAtt FnRole.Arn
  FnUrl:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !GetAtt Fn.Arn
      AuthType: NONE
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: orders
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [dynamodb:GetItem, dynamodb:PutItem]
                Resource: !GetAtt Orders.Arn
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: !Sub "api-${Name}"
  OrdersResource:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !GetAtt Api.RootResourceId
      PathPart: orders
  Post:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref OrdersResource
      HttpMethod: POST
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: Post
    Properties:
      RestApiId: !Ref Api
  Prod:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref Deployment
      StageName: prod
  InvokePermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"
  Site:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "site-${Name}"
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        Origins:
          - Id: site
            DomainName: !GetAtt Site.RegionalDomainName
            S3OriginConfig: {}
        DefaultCacheBehavior:
          TargetOriginId: site
          ViewerProtocolPolicy: redirect-to-https
          ForwardedValues:
            QueryString: false
        ViewerCertificate:
          CloudFrontDefaultCertificate: true
'''


def generate(folder: str, resources: int, networks: float = 0.0) -> None:
    """About half the resources in Terraform (3 per module call + 1 volume), half in CloudFormation.

    `networks` (0..1): the share of the resources spent on web tiers (`WEB_TIER_RESOURCES` each,
    half Terraform, module calls spread over the root modules, and half CloudFormation, one
    template each); the rest has the shapes above, so the total stays near `resources`."""
    tiers = int(resources * max(0.0, min(networks, 1.0))) // WEB_TIER_RESOURCES
    resources -= tiers * WEB_TIER_RESOURCES
    os.makedirs(os.path.join(folder, "modules", "app"), exist_ok=True)
    with open(os.path.join(folder, "modules", "app", "main.tf"), "w") as fh:
        fh.write(TF_MODULE)
    tf_units = resources // 2 // 4  # each unit: module (3 resources) + 1 volume
    per_file = 50
    stacks = 0
    for start in range(0, tf_units, per_file * 20):
        stack = os.path.join(folder, "live", "stack%03d" % stacks)
        os.makedirs(stack, exist_ok=True)
        with open(os.path.join(stack, "locals.tf"), "w") as fh:
            fh.write('locals {\n  owner = "platform"\n}\n')
        for f0 in range(start, min(start + per_file * 20, tf_units), per_file):
            with open(os.path.join(stack, "units_%05d.tf" % f0), "w") as fh:
                for i in range(f0, min(f0 + per_file, tf_units)):
                    fh.write(TF_ROOT_BLOCK.format(i=i, size=10 + i % 50, enc="true" if i % 7 else "false"))
        stacks += 1
    cfn_units = resources // 2 // 2
    os.makedirs(os.path.join(folder, "cloudformation"), exist_ok=True)
    per_template = 100
    for t0 in range(0, cfn_units, per_template):
        with open(os.path.join(folder, "cloudformation", "stack_%05d.yaml" % t0), "w") as fh:
            fh.write("AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  AllowedCidr:\n    Type: String\n    Default: 10.0.0.0/8\n  Description:\n    Type: String\n    Default: app\nResources:\n")
            for i in range(t0, min(t0 + per_template, cfn_units)):
                fh.write(CFN_RESOURCE.format(i=i))
    if tiers:
        _generate_networks(folder, tiers, max(stacks, 1))


def _generate_networks(folder: str, tiers: int, stacks: int) -> None:
    os.makedirs(os.path.join(folder, "modules", "web"), exist_ok=True)
    with open(os.path.join(folder, "modules", "web", "main.tf"), "w") as fh:
        fh.write(TF_WEB_MODULE)
    tf_tiers = tiers // 2
    calls: dict = {}
    for i in range(tf_tiers):
        calls.setdefault(i % stacks, []).append(i)
    for s, numbers in calls.items():
        stack = os.path.join(folder, "live", "stack%03d" % s)
        os.makedirs(stack, exist_ok=True)
        with open(os.path.join(stack, "web.tf"), "w") as fh:
            for i in numbers:
                fh.write(TF_WEB_CALL.format(i=i, a=i % 250))
    os.makedirs(os.path.join(folder, "cloudformation"), exist_ok=True)
    for i in range(tiers - tf_tiers):
        with open(os.path.join(folder, "cloudformation", "web_%05d.yaml" % i), "w") as fh:
            fh.write(CFN_WEB_TEMPLATE.replace("@N@", str(i)))


def tree_size(folder: str) -> tuple:
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for n in filenames:
            if n.endswith((".tf", ".yaml", ".yml", ".json", ".template", ".tfvars")):
                files += 1
                size += os.path.getsize(os.path.join(dirpath, n))
    return files, size


def timed_scan(path: str, cache_dir: str, jobs: int) -> dict:
    cmd = [sys.executable, "-m", "iacguard.cli", "scan", path, "--format", "json", "--fail-on", "none", "--cache-dir", cache_dir]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        raise SystemExit("scan failed (%d): %s" % (proc.returncode, proc.stderr[-2000:]))
    report = json.loads(proc.stdout)
    return {"wall": wall, "peak_mb": max(peak_kb, before) / 1024.0, "resources": report["summary"]["resources"], "findings": len(report["findings"])}


def line(label: str, files: int, size: int, r: dict) -> str:
    w = r["wall"] or 1e-9
    return "%-18s %7.2f s  %8.0f files/s  %9.0f resources/s  %6.2f MB/s  peak %6.0f MB  (%d resources, %d findings)" % (
        label, r["wall"], files / w, r["resources"] / w, size / 1e6 / w, r["peak_mb"], r["resources"], r["findings"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--keep", help="generate into this folder and keep it")
    ap.add_argument("--networks", type=float, default=0.0, metavar="SHARE",
                    help="spend this share of each size on web tiers (VPCs, load balancers, APIs, ...: attack paths)")
    ap.add_argument("--repo", help="benchmark an existing repository instead")
    args = ap.parse_args()
    print("machine: %s, %d CPUs, Python %s" % (os.uname().machine, os.cpu_count() or 0, sys.version.split()[0]))
    targets = []
    work = args.keep or tempfile.mkdtemp(prefix="iacguard-bench-")
    if args.repo:
        targets.append((args.repo, args.repo))
    else:
        for n in (int(x) for x in args.sizes.split(",") if x):
            folder = os.path.join(work, "synthetic-%d%s" % (n, "-networks%g" % args.networks if args.networks else ""))
            if not os.path.isdir(folder):
                generate(folder, n, args.networks)
            targets.append(("%d resources" % n, folder))
    try:
        for label, folder in targets:
            files, size = tree_size(folder)
            cache = tempfile.mkdtemp(prefix="iacguard-cache-")
            try:
                cold = timed_scan(folder, cache, args.jobs)
                warm = timed_scan(folder, cache, args.jobs)
            finally:
                shutil.rmtree(cache, ignore_errors=True)
            print("%s: %d files, %.1f MB" % (label, files, size / 1e6))
            print("  " + line("cold", files, size, cold))
            print("  " + line("warm", files, size, warm))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
