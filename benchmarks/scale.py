"""Growth of scan time and memory with the number of resources, per shape of repository.

    python benchmarks/scale.py [--sizes 1000,3000,10000,30000,100000] [--shapes a,b,c,d,e,f]
                               [--iacguard CMD] [--modes cold,warm,no-cache] [--keep DIR] [--jobs N]

Shapes (Terraform unless said):
  a  one local module of N resources in ONE file, called once (S3 buckets with separate
     versioning / encryption / public-access-block resources, security groups with rules, IAM
     roles with jsonencode policies)
  b  about N/50 files: many root modules (variables, tfvars, locals) calling five local modules
     with count and for_each, for_each resources, split S3 resources, security groups, IAM JSON
     policies (heredoc and jsonencode)
  c  deep module chains: depth 8, every level with resources, inputs passed down, outputs up
  d  large for_each / count: a few resources, each over a map (or count) of N/5 entries, one
     of them chained (`for_each = aws_s3_bucket.this`); evaluated whole up to 100,000 instances
     of one resource (terraform/evaluate.py MAX_INSTANCES)
  e  CloudFormation: N resources in about N/50 templates (YAML with short-form tags, and JSON;
     Parameters, Conditions, !Ref / !GetAtt / !Sub / !If, IAM policies, S3 and bucket
     policies, security groups)
  f  CloudFormation: one template of N resources

Every tree is scanned in a fresh process: cold (an empty cache folder), warm (the cache the cold
run filled) and with --no-cache. The table shows wall and CPU seconds (user + system of the
scanning process and its children), peak memory (max RSS, through /usr/bin/time), and the resources the scan reports
(it must equal the number generated, within RESOURCE_TOLERANCE). Per shape: the growth exponent,
the least-squares slope of log(CPU) against log(resources) over all sizes, and the slope from
10k to 100k. The scans lift the input limits (file size, time per file, instances, value size,
YAML nodes) so that the one-file shapes are read whole. Nothing here runs in the test suite
(tests/test_benchmarks_scale.py runs the generators at a tiny size).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

RESOURCE_TOLERANCE = 0  # the generators know their exact count: any difference is a failure
LIMITS = ["--max-file-size", str(1 << 30), "--time-per-file", "0", "--max-instances", str(10 ** 8),
          "--max-value-size", str(10 ** 9), "--max-yaml-nodes", str(10 ** 8)]


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)


# ---------------------------------------------------------------------------------------------
# Terraform pieces. Each returns (text, resources it declares).

def tf_bucket_unit(i) -> tuple:
    """A bucket and its split resources (versioning, encryption, public-access block): 4."""
    return ('''
resource "aws_s3_bucket" "b{i}" {{
  bucket = "${{var.name}}-b{i}"
  tags   = local.tags
}}

resource "aws_s3_bucket_versioning" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id
  versioning_configuration {{
    status = "{ver}"
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.bucket
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "{sse}"
    }}
  }}
}}

resource "aws_s3_bucket_public_access_block" "b{i}" {{
  bucket                  = aws_s3_bucket.b{i}.id
  block_public_acls       = {block}
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = {block}
}}
'''.format(i=i, ver="Enabled" if i % 3 else "Suspended", sse="aws:kms" if i % 4 else "AES256",
           block="true" if i % 5 else "false"), 4)


def tf_sg_unit(i) -> tuple:
    """A security group with an inline rule and two separate rules: 3."""
    return ('''
resource "aws_security_group" "sg{i}" {{
  name   = "${{var.name}}-sg{i}"
  vpc_id = var.vpc_id
  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }}
}}

resource "aws_security_group_rule" "sg{i}_ssh" {{
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["{cidr}"]
  security_group_id = aws_security_group.sg{i}.id
}}

resource "aws_security_group_rule" "sg{i}_out" {{
  type              = "egress"
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.sg{i}.id
}}
'''.format(i=i, cidr="0.0.0.0/0" if i % 6 == 0 else "10.%d.0.0/16" % (i % 250)), 3)


def tf_iam_unit(i, heredoc: bool = False) -> tuple:
    """A role (jsonencode trust policy) and an inline policy (jsonencode, or a heredoc): 2."""
    if heredoc:
        policy = '''<<EOF
{{
  "Version": "2012-10-17",
  "Statement": [{{
    "Effect": "Allow",
    "Action": "{action}",
    "Resource": "arn:aws:s3:::${{var.name}}-b{i}/*"
  }}]
}}
EOF'''.format(i=i, action="s3:*" if i % 7 == 0 else "s3:GetObject")
    else:
        policy = '''jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["{action}"]
      Resource = ["arn:aws:s3:::${{var.name}}-b{i}/*"]
    }}]
  }})'''.format(i=i, action="*" if i % 7 == 0 else "s3:GetObject")
    return ('''
resource "aws_iam_role" "r{i}" {{
  name = "${{var.name}}-r{i}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "ec2.amazonaws.com" }}
    }}]
  }})
}}

resource "aws_iam_role_policy" "r{i}" {{
  name   = "p{i}"
  role   = aws_iam_role.r{i}.id
  policy = {policy}
}}
'''.format(i=i, policy=policy), 2)


TF_MODULE_HEAD = '''variable "name" {}
variable "vpc_id" {
  default = "vpc-0123456789"
}
variable "cidr" {
  default = "10.0.0.0/16"
}

locals {
  tags = { Module = var.name }
}
'''


def tf_resources(n: int, start: int = 0, heredoc_every: int = 0) -> str:
    """Exactly `n` resources: bucket, security group and IAM units in turn, single buckets to
    make up the rest."""
    parts, made, i = [], 0, start
    kinds = (tf_bucket_unit, tf_sg_unit, tf_iam_unit)
    while True:
        kind = kinds[i % 3]
        if kind is tf_iam_unit:
            text, k = tf_iam_unit(i, heredoc=bool(heredoc_every) and i % heredoc_every == 0)
        else:
            text, k = kind(i)
        if made + k > n:
            break
        parts.append(text)
        made += k
        i += 1
    for j in range(n - made):
        parts.append('\nresource "aws_s3_bucket" "x%d_%d" {\n  bucket = "${var.name}-x%d"\n}\n' % (start, j, j))
    return "".join(parts)


def gen_one_module(folder: str, n: int) -> int:
    """(a) One local module of n resources in one file, called once."""
    _write(os.path.join(folder, "modules", "big", "main.tf"), TF_MODULE_HEAD + tf_resources(n))
    _write(os.path.join(folder, "live", "main.tf"),
           'module "big" {\n  source = "../modules/big"\n  name   = "big"\n  cidr   = "10.1.0.0/16"\n}\n')
    return n


SVC_MODULE = TF_MODULE_HEAD + tf_resources(6, heredoc_every=2) + '''
output "bucket_id" {
  value = aws_s3_bucket.b0.id
}
'''  # 6 resources: a bucket unit (4) and ... see SVC_RESOURCES
SVC_RESOURCES = 6
SVC_MODULES = 5

ROOT_FILE = '''
module "svc_{i}" {{
  count  = 2
  source = "../../modules/svc{m}"
  name   = "${{var.env}}-{i}-${{count.index}}"
  cidr   = var.cidr
}}

module "svcm_{i}" {{
  for_each = toset(["a", "b"])
  source   = "../../modules/svc{m2}"
  name     = "${{var.env}}-{i}-${{each.key}}"
  vpc_id   = var.vpc_id
}}

resource "aws_s3_bucket" "fe_{i}" {{
  for_each = local.buckets
  bucket   = "${{var.env}}-{i}-${{each.key}}"
  tags     = merge(local.tags, {{ Purpose = each.value }})
}}

resource "aws_s3_bucket_versioning" "fe_{i}" {{
  for_each = aws_s3_bucket.fe_{i}
  bucket   = each.value.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}

resource "aws_s3_bucket_public_access_block" "fe_{i}" {{
  for_each                = aws_s3_bucket.fe_{i}
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = var.block
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_ebs_volume" "v_{i}" {{
  count             = var.volumes
  availability_zone = "eu-west-1a"
  size              = 10 + count.index
  encrypted         = {enc}
}}
'''
# 2 * 6 + 2 * 6 + 3 + 3 + 3 + 10 (var.volumes) = 43; tf_resources(7) adds the other 7
ROOT_FILE_RESOURCES = 43
ROOT_FILE_EXTRA = 7
FILES_PER_ROOT = 40

ROOT_COMMON = '''variable "env" {}
variable "cidr" {
  default = "10.0.0.0/8"
}
variable "vpc_id" {}
variable "block" {
  type = bool
}
variable "volumes" {
  type = number
}
variable "name" {
  default = "root"
}

locals {
  buckets = { logs = "logging", data = "storage", web = "website" }
  tags    = { Env = var.env, Team = "platform" }
}
'''


def gen_many_files(folder: str, n: int) -> int:
    """(b) About n/50 files: root modules of FILES_PER_ROOT files (50 resources each) plus
    variables and tfvars, calling SVC_MODULES local modules with count and for_each. The last
    file makes up the rest with plain resources."""
    per_file = ROOT_FILE_RESOURCES + ROOT_FILE_EXTRA
    files = n // per_file
    for m in range(min(SVC_MODULES, files + 1 if files else 0)):  # only modules some file calls
        _write(os.path.join(folder, "modules", "svc%d" % m, "main.tf"), SVC_MODULE)
    made = 0
    for f in range(files):
        root = os.path.join(folder, "live", "root%04d" % (f // FILES_PER_ROOT))
        if f % FILES_PER_ROOT == 0:
            r = f // FILES_PER_ROOT
            _write(os.path.join(root, "variables.tf"), ROOT_COMMON)
            _write(os.path.join(root, "terraform.tfvars"),
                   'env     = "env%d"\nvpc_id  = "vpc-%08d"\nblock   = %s\nvolumes = 10\n' % (r, r, "true" if r % 4 else "false"))
        _write(os.path.join(root, "units_%05d.tf" % f),
               ROOT_FILE.format(i=f, m=f % SVC_MODULES, m2=(f + 1) % SVC_MODULES, enc="true" if f % 9 else "false")
               + tf_resources(ROOT_FILE_EXTRA, start=f * 100, heredoc_every=2))
        made += per_file
    rest = n - made
    if rest:
        root = os.path.join(folder, "live", "rest")
        _write(os.path.join(root, "main.tf"), 'variable "name" {\n  default = "rest"\n}\nvariable "vpc_id" {\n  default = "vpc-1"\n}\n'
               'variable "cidr" {\n  default = "10.0.0.0/16"\n}\nlocals {\n  tags = {}\n}\n' + tf_resources(rest, heredoc_every=2))
    return n


CHAIN_DEPTH = 8
CHAIN_LEVEL_RESOURCES = 5  # a bucket unit (4) and a bucket


def _chain_level(level: int) -> str:
    text = TF_MODULE_HEAD.replace('variable "name" {}', 'variable "name" {}\nvariable "parent_bucket" {\n  default = "none"\n}').replace(
        "tags = { Module = var.name }", "tags = { Module = var.name, Parent = var.parent_bucket }") + tf_resources(CHAIN_LEVEL_RESOURCES)
    if level < CHAIN_DEPTH:
        text += '''
module "next" {
  source        = "../level%d"
  name          = "${var.name}-%d"
  cidr          = var.cidr
  parent_bucket = aws_s3_bucket.b0.id
}

output "buckets" {
  value = concat([aws_s3_bucket.b0.id], module.next.buckets)
}
''' % (level + 1, level + 1)
    else:
        text += '\noutput "buckets" {\n  value = [aws_s3_bucket.b0.id]\n}\n'
    return text


def gen_deep_chains(folder: str, n: int) -> int:
    """(c) Module chains of depth CHAIN_DEPTH (each level CHAIN_LEVEL_RESOURCES resources, its
    input from the level above, its output concatenated upwards), called from root files of 25
    chains each; plain buckets make up the rest."""
    for level in range(1, CHAIN_DEPTH + 1):
        _write(os.path.join(folder, "modules", "level%d" % level, "main.tf"), _chain_level(level))
    chain = CHAIN_DEPTH * CHAIN_LEVEL_RESOURCES
    chains = n // chain
    per_file = 25
    for f0 in range(0, chains, per_file):
        out = []
        for c in range(f0, min(f0 + per_file, chains)):
            out.append('module "chain%d" {\n  source = "../modules/level1"\n  name   = "c%d"\n}\n\n'
                       'output "chain%d" {\n  value = module.chain%d.buckets\n}\n' % (c, c, c, c))
        _write(os.path.join(folder, "live", "chains_%05d.tf" % f0), "\n".join(out))
    rest = n - chains * chain
    if rest:
        _write(os.path.join(folder, "live", "rest.tf"),
               "".join('resource "aws_s3_bucket" "rest%d" {\n  bucket = "rest-%d"\n}\n' % (j, j) for j in range(rest)))
    return n


FOREACH_FILE = '''
variable "cidr" {
  default = "10.0.0.0/8"
}

resource "aws_s3_bucket" "this" {
  for_each = local.items
  bucket   = "bucket-${each.key}"
  tags     = { Owner = each.value.owner }
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  versioning_configuration {
    status = local.items[each.key].versioned ? "Enabled" : "Suspended"
  }
}

resource "aws_security_group" "this" {
  for_each = local.items
  name     = "sg-${each.key}"
  ingress {
    from_port   = each.value.port
    to_port     = each.value.port
    protocol    = "tcp"
    cidr_blocks = [each.value.cidr]
  }
}

resource "aws_iam_role" "this" {
  for_each = local.items
  name     = "role-${each.key}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_ebs_volume" "this" {
  count             = length(local.items)
  availability_zone = "eu-west-1a"
  size              = 10 + count.index % 50
  encrypted         = count.index % 7 != 0
}
'''
FOREACH_RESOURCES = 5  # per entry of local.items


def gen_large_foreach(folder: str, n: int) -> int:
    """(d) Five resources, each over a map of n/5 entries (four with for_each, one with count),
    the map written out in a locals file; plain buckets make up the rest."""
    entries = n // FOREACH_RESOURCES
    lines = ["locals {", "  items = {"]
    for k in range(entries):
        lines.append('    "k%06d" = { owner = "team%d", port = %d, cidr = "%s", versioned = %s }' % (
            k, k % 17, 443 if k % 3 else 22, "0.0.0.0/0" if k % 11 == 0 else "10.%d.0.0/16" % (k % 250), "true" if k % 2 else "false"))
    lines += ["  }", "}", ""]
    _write(os.path.join(folder, "live", "items.tf"), "\n".join(lines))
    rest = n - entries * FOREACH_RESOURCES
    _write(os.path.join(folder, "live", "main.tf"), FOREACH_FILE + "".join(
        'resource "aws_s3_bucket" "rest%d" {\n  bucket = "rest-%d"\n}\n' % (j, j) for j in range(rest)))
    return n


# ---------------------------------------------------------------------------------------------
# CloudFormation

CFN_HEAD = '''AWSTemplateFormatVersion: '2010-09-09'
Description: generated by benchmarks/scale.py
Parameters:
  Env:
    Type: String
    Default: prod
    AllowedValues: [prod, dev]
  AllowedCidr:
    Type: String
    Default: 10.0.0.0/8
  VpcId:
    Type: String
    Default: vpc-0123456789
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
Resources:
'''

CFN_UNIT = '''  Bucket{i}:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${{AWS::StackName}}-${{Env}}-bucket-{i}"
      VersioningConfiguration:
        Status: !If [IsProd, Enabled, Suspended]
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: {sse}
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: {block}
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
  BucketPolicy{i}:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket{i}
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {principal}
            Action: s3:GetObject
            Resource: !Sub "${{Bucket{i}.Arn}}/*"
  Sg{i}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub "group {i} in ${{Env}}"
      VpcId: !Ref VpcId
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: !If [IsDev, 0.0.0.0/0, !Ref AllowedCidr]
  SgIngress{i}:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Sg{i}.GroupId
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      CidrIp: {ssh}
  Role{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: access
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: {action}
                Resource: !GetAtt Bucket{i}.Arn
'''
CFN_UNIT_RESOURCES = 5


def _cfn_unit_values(i: int) -> dict:
    return {"i": i, "sse": "aws:kms" if i % 4 else "AES256", "block": "true" if i % 5 else "false",
            "principal": "'*'" if i % 9 == 0 else "{AWS: !Sub 'arn:aws:iam::${AWS::AccountId}:root'}",
            "ssh": "0.0.0.0/0" if i % 6 == 0 else "10.0.0.0/8", "action": "'*'" if i % 7 == 0 else "['s3:GetObject', 's3:PutObject']"}


def _cfn_unit_json(i: int) -> dict:
    v = _cfn_unit_values(i)
    return {
        "Bucket%d" % i: {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": {"Fn::Sub": "${AWS::StackName}-${Env}-bucket-%d" % i},
            "VersioningConfiguration": {"Status": {"Fn::If": ["IsProd", "Enabled", "Suspended"]}},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": v["sse"]}}]}}},
        "BucketPolicy%d" % i: {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": "Bucket%d" % i},
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": "*" if i % 9 == 0 else {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}},
                "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${Bucket%d.Arn}/*" % i}}]}}},
        "Sg%d" % i: {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": {"Fn::Sub": "group %d in ${Env}" % i}, "VpcId": {"Ref": "VpcId"},
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                      "CidrIp": {"Fn::If": ["IsDev", "0.0.0.0/0", {"Ref": "AllowedCidr"}]}}]}},
        "SgIngress%d" % i: {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": {"Fn::GetAtt": ["Sg%d" % i, "GroupId"]}, "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": v["ssh"]}},
        "Role%d" % i: {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "access", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "*" if i % 7 == 0 else ["s3:GetObject", "s3:PutObject"],
                "Resource": {"Fn::GetAtt": ["Bucket%d" % i, "Arn"]}}]}}]}},
    }


def _cfn_yaml(units: range, extra: int) -> str:
    parts = [CFN_HEAD] + [CFN_UNIT.format(**_cfn_unit_values(i)) for i in units]
    parts += ["  Extra%d:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${Env}-t%d'\n" % (j, j) for j in range(extra)]
    return "".join(parts)


def _cfn_json(units: range, extra: int) -> str:
    resources: dict = {}
    for i in units:
        resources.update(_cfn_unit_json(i))
    for j in range(extra):
        resources["Extra%d" % j] = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${Env}-t%d" % j}}}
    return json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Env": {"Type": "String", "Default": "prod", "AllowedValues": ["prod", "dev"]},
                       "AllowedCidr": {"Type": "String", "Default": "10.0.0.0/8"},
                       "VpcId": {"Type": "String", "Default": "vpc-0123456789"}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}, "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]}},
        "Resources": resources}, indent=2)


def gen_cfn_many(folder: str, n: int) -> int:
    """(e) n resources in templates of 50 (10 units of 5), one in four in JSON; the last
    template makes up the rest with SNS topics."""
    units = n // CFN_UNIT_RESOURCES
    per = 10
    t = 0
    for u0 in range(0, units, per):
        span = range(u0, min(u0 + per, units))
        extra = n - units * CFN_UNIT_RESOURCES if u0 + per >= units else 0
        if t % 4 == 3:
            _write(os.path.join(folder, "stacks%03d" % (t // 200), "stack_%05d.json" % t), _cfn_json(span, extra))
        else:
            _write(os.path.join(folder, "stacks%03d" % (t // 200), "stack_%05d.yaml" % t), _cfn_yaml(span, extra))
        t += 1
    if units == 0:
        _write(os.path.join(folder, "stack_rest.yaml"), _cfn_yaml(range(0), n))
    return n


def gen_cfn_one(folder: str, n: int) -> int:
    """(f) One YAML template of n resources."""
    units = n // CFN_UNIT_RESOURCES
    _write(os.path.join(folder, "template.yaml"), _cfn_yaml(range(units), n - units * CFN_UNIT_RESOURCES))
    return n


SHAPES = {
    "a": ("tf one module, one file", gen_one_module),
    "b": ("tf ~N/50 files, mixed", gen_many_files),
    "c": ("tf module chains, depth 8", gen_deep_chains),
    "d": ("tf large for_each/count", gen_large_foreach),
    "e": ("cfn ~N/50 templates", gen_cfn_many),
    "f": ("cfn one template", gen_cfn_one),
}


# ---------------------------------------------------------------------------------------------
# Running

def count_files(folder: str) -> int:
    return sum(1 for _, _, names in os.walk(folder) for name in names
               if name.endswith((".tf", ".tfvars", ".yaml", ".yml", ".json", ".template")))


TIME = "/usr/bin/time"


def timed(args: list) -> dict:
    """Run `args` in a fresh process: wall seconds, CPU seconds (user + system of the process and
    the children it waited for), peak RSS in MB, exit code and the tail of stderr. The peak is
    measured through /usr/bin/time when there is one: a process forked from this (large) one
    would report this one's memory as its own peak, which exec keeps."""
    with tempfile.TemporaryDirectory(prefix="iacguard-timed-") as tmp:
        out = os.path.join(tmp, "time")
        use_time = os.access(TIME, os.X_OK)
        wrapped = ([TIME, "-q", "-f", "%U %S %M", "-o", out] if use_time else []) + list(args)
        t0 = time.perf_counter()
        with open(os.devnull, "w") as null, open(os.path.join(tmp, "err"), "w+b") as err:
            proc = subprocess.Popen(wrapped, stdout=null, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            err.seek(0)
            tail = err.read()[-2000:].decode("utf-8", "replace")
        r = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024.0,
             "code": os.waitstatus_to_exitcode(status), "stderr": tail}
        if use_time and os.path.exists(out):
            with open(out) as fh:
                fields = fh.read().split()
            try:
                user, system, peak_kb = float(fields[-3]), float(fields[-2]), float(fields[-1])
                r["cpu"], r["peak_mb"] = user + system, peak_kb / 1024.0
            except (ValueError, IndexError):
                pass
    return r


def _tree_pids(pid: int) -> list:
    out = [pid]
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as fh:
            for child in fh.read().split():
                out += _tree_pids(int(child))
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open("/proc/%d/smaps_rollup" % pid) as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def all_processes_peak(args: list, every: float = 0.1) -> float | None:
    """The peak of the memory `args` and the processes it starts hold together (MB): their
    proportional set sizes summed (a page two processes share counts once), sampled every
    `every` s (reading them costs the machine time: run this apart from timed runs). A forked
    child's RSS counts every page it shares with its parent, and /usr/bin/time reports the
    largest process only. None where the system does not say (not Linux)."""
    if not os.path.exists("/proc/self/smaps_rollup"):
        return None
    peak = 0
    with open(os.devnull, "w") as null:
        proc = subprocess.Popen(args, stdout=null, stderr=null)
        while proc.poll() is None:
            peak = max(peak, sum(_pss_kb(p) for p in _tree_pids(proc.pid)))
            time.sleep(every)
    return peak / 1024.0


def run_scan(cmd: list, folder: str, cache_dir, report_path: str, jobs=None) -> dict:
    """One scan in a fresh process (`timed`), with the resources and errors its report counts."""
    args = list(cmd) + ["scan", folder, "--format", "json", "--fail-on", "none", "--quiet", "--no-config",
                        "-o", report_path] + LIMITS
    args += ["--cache-dir", cache_dir] if cache_dir else ["--no-cache"]
    if jobs is not None:
        args += ["--jobs", str(jobs)]
    r = timed(args)
    if r["code"] not in (0, 1):
        raise RuntimeError("scan of %s failed (%d): %s" % (folder, r["code"], r["stderr"]))
    with open(report_path) as fh:
        report = json.load(fh)
    r.update(resources=report["summary"]["resources"], files=report["summary"]["files"], errors=len(report.get("errors", [])))
    return r


def slope(points: list) -> float:
    """Least-squares slope of log(y) against log(x)."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return float("nan")
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else float("nan")


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for ln in fh:
                if ln.startswith("model name"):
                    model = ln.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            mem = ", %.0f GiB memory" % (int(fh.readline().split()[1]) / 1024 ** 2)
    except (OSError, ValueError, IndexError):
        pass
    return "%s, %d cores%s, Python %s, %s" % (model, os.cpu_count() or 0, mem, sys.version.split()[0], time.strftime("%Y-%m-%d"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,3000,10000,30000,100000")
    ap.add_argument("--shapes", default="a,b,c,d,e,f")
    ap.add_argument("--modes", default="cold,warm,no-cache")
    ap.add_argument("--iacguard", default="iacguard", help="the command that runs iacguard (default: iacguard)")
    ap.add_argument("--jobs", type=int, default=None, help="pass --jobs N to every scan (default: iacguard's default)")
    ap.add_argument("--keep", help="generate into this folder and keep it (reused when it exists)")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x]
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for s in shapes:
        if s not in SHAPES:
            ap.error("unknown shape %r (choose from %s)" % (s, ",".join(SHAPES)))
    cmd = shlex.split(args.iacguard)
    print("machine: " + machine())
    print("iacguard: %s; resource tolerance: %d" % (args.iacguard, RESOURCE_TOLERANCE))
    work = args.keep or tempfile.mkdtemp(prefix="iacguard-scale-")
    os.makedirs(work, exist_ok=True)
    head = "%-5s %-27s %7s %5s" % ("shape", "", "size", "files")
    for m in modes:
        head += " | %-8s wall    cpu   MB" % m
    print(head + " | resources")
    growth: dict = {}
    failed = False
    try:
        for s in shapes:
            label, gen = SHAPES[s]
            for n in sizes:
                folder = os.path.join(work, "%s-%d" % (s, n))
                marker = os.path.join(folder, ".expected")
                if os.path.exists(marker):
                    with open(marker) as fh:
                        expected = int(fh.read())
                else:
                    shutil.rmtree(folder, ignore_errors=True)
                    expected = gen(folder, n)
                    with open(marker, "w") as fh:
                        fh.write(str(expected))
                files = count_files(folder)
                cache = tempfile.mkdtemp(prefix="iacguard-scale-cache-")
                report = os.path.join(cache, "report.json")
                row = "%-5s %-27s %7d %5d" % (s, label, n, files)
                found = None
                try:
                    for m in modes:
                        r = run_scan(cmd, folder, None if m == "no-cache" else os.path.join(cache, "c"), report, args.jobs)
                        row += " | %-8s %5.2f %6.2f %4.0f" % ("", r["wall"], r["cpu"], r["peak_mb"])
                        growth.setdefault((s, m), []).append((n, r["cpu"]))
                        found = r
                except RuntimeError as e:
                    print(row + " | FAILED: %s" % e, flush=True)
                    failed = True
                    continue
                finally:
                    shutil.rmtree(cache, ignore_errors=True)
                ok = abs(found["resources"] - expected) <= RESOURCE_TOLERANCE and not found["errors"]
                failed |= not ok
                print(row + " | %d%s" % (found["resources"], "" if ok else " (expected %d, %d errors) MISMATCH" % (expected, found["errors"])), flush=True)
        print()
        print("growth exponent (least-squares slope of log CPU against log resources; 10k->100k)")
        for s in shapes:
            cells = []
            for m in modes:
                pts = growth.get((s, m), [])
                d = dict(pts)
                tail = slope([(n, d[n]) for n in (10000, 100000) if n in d]) if 10000 in d and 100000 in d else float("nan")
                cells.append("%s %.2f (%s)" % (m, slope(pts), "n/a" if math.isnan(tail) else "%.2f" % tail))
            print("  %s %-27s %s" % (s, SHAPES[s][0], "   ".join(cells)))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
