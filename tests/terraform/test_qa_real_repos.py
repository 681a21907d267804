"""Regressions found by scanning real Terraform repositories (terragoat, terraform-aws-modules,
cloudposse): each test is the smallest configuration that showed the problem."""
from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from iacguard.engine import scan
from iacguard.terraform import expressions as ex
from iacguard.terraform.parser import parse_expression
from checksets import CORE


def findings(root: Path, files: dict) -> list:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text).lstrip("\n"))
    result = scan([str(root)], checks=CORE)
    return sorted((f.check_id, f.resource.address, f.location.start_line) for f in result.findings)


# -- IAM policies that name one computed ARN --------------------------------------------------
# A heredoc or jsonencode() policy with `${aws_s3_bucket.b.arn}` in one statement was Unknown as
# a whole, so an `Action "*"` on `Resource "*"` in another statement was never reported.

POLICY_WITH_ONE_ARN = {"main.tf": '''
    resource "aws_iam_role_policy" "heredoc" {
      name   = "heredoc"
      role   = "app"
      policy = <<EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "${aws_kms_key.k.arn}/*"},
        {"Effect": "Allow", "Action": "*", "Resource": "*"}
      ]
    }
    EOF
    }

    resource "aws_iam_policy" "encoded" {
      name = "encoded"
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [
          { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.k.arn },
          { Effect = "Allow", Action = "*", Resource = "*" },
        ]
      })
    }

    resource "aws_iam_policy" "least" {
      name = "least"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "*", Resource = aws_kms_key.k.arn }]
      })
    }

    resource "aws_iam_user_policy" "outside_string" {
      name   = "outside"
      user   = "u"
      policy = <<EOF
    {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": ${jsonencode(aws_kms_key.k.arn)}}]}
    EOF
    }

    resource "aws_kms_key" "k" {
    }
    '''}


def test_qa_iam_admin_statement_beside_a_computed_arn_is_reported(tmp_path):
    got = [f for f in findings(tmp_path, POLICY_WITH_ONE_ARN) if f[0] == "AWS-IAM-001"]
    assert got == [
        ("AWS-IAM-001", "aws_iam_policy.encoded", 17),
        ("AWS-IAM-001", "aws_iam_role_policy.heredoc", 4),
    ]


def test_qa_partly_known_template_stays_an_input_unknown():
    scope = ex.Scope({"u": ex.Unknown("no value")})
    value = ex.evaluate(parse_expression('"a-${u}-b"'), scope)
    assert isinstance(value, ex.PartialUnknown) and value.partial_text[0] == "a-"
    # Any operation on it gives a plain Unknown: the shape would no longer be the value's.
    upper = ex.evaluate(parse_expression('upper("a-${u}")'), scope)
    assert type(upper) is ex.Unknown
    joined = ex.evaluate(parse_expression('"x" == "a-${u}"'), scope)
    assert type(joined) is ex.Unknown
    # A directive over an Unknown: the text is not known at all.
    value = ex.evaluate(parse_expression('"%{ if u }a%{ endif }"'), scope)
    assert type(value) is ex.Unknown


# -- references through each.value / for_each ---------------------------------------------------
# `for_each = aws_s3_bucket.b` with `bucket = each.value.id` (and a WAF association over a map of
# load balancer ARNs) was recorded as a reference from `for_each`, not from `bucket` /
# `resource_arn`, so the buckets were reported unencrypted and the ALB unprotected.


def test_qa_companions_over_for_each_of_buckets_cover_each_bucket(tmp_path):
    got = findings(tmp_path, {"main.tf": '''
        resource "aws_s3_bucket" "b" {
          for_each = toset(["logs", "data", "open"])
          bucket   = "acme-${each.key}"
        }
        resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
          for_each = aws_s3_bucket.b
          bucket   = each.value.id
          rule {
            apply_server_side_encryption_by_default {
              sse_algorithm = "aws:kms"
            }
          }
        }
        resource "aws_s3_bucket_public_access_block" "b" {
          for_each                = { for k, v in aws_s3_bucket.b : k => v if k != "open" }
          bucket                  = each.value.id
          block_public_acls       = true
          block_public_policy     = true
          ignore_public_acls      = true
          restrict_public_buckets = true
        }
        '''})
    # The filtered for_each is followed element by element (issue 10): "open" has no public
    # access block.
    assert got == [("AWS-S3-002", 'aws_s3_bucket.b["open"]', 1)]


def test_qa_for_each_over_the_resource_refers_to_the_same_key_only(tmp_path):
    (tmp_path / "main.tf").write_text(dedent('''
        resource "aws_s3_bucket" "b" {
          for_each = toset(["logs", "data"])
          bucket   = "acme-${each.key}"
        }
        resource "aws_s3_bucket_versioning" "b" {
          for_each = aws_s3_bucket.b
          bucket   = each.value.id
          versioning_configuration {
            status = "Enabled"
          }
        }
        '''))
    graphs = []
    scan([str(tmp_path)], postprocess=[lambda result, graph: graphs.append(graph)])
    graph = graphs[0]
    by_bucket = {}
    for bucket in graph.of_type("aws_s3_bucket"):
        by_bucket[bucket.address] = sorted(
            (other.address, path) for other, path in graph.referrers(bucket, ("aws_s3_bucket_versioning",)) if path == ("bucket",)
        )
    assert by_bucket == {
        'aws_s3_bucket.b["data"]': [('aws_s3_bucket_versioning.b["data"]', ("bucket",))],
        'aws_s3_bucket.b["logs"]': [('aws_s3_bucket_versioning.b["logs"]', ("bucket",))],
    }


def test_qa_waf_association_over_a_map_of_load_balancers(tmp_path):
    got = findings(tmp_path, {"main.tf": '''
        resource "aws_lb" "a" {
          name    = "a"
          subnets = ["subnet-1"]
        }
        resource "aws_lb" "b" {
          name    = "b"
          subnets = ["subnet-1"]
        }
        resource "aws_lb" "c" {
          name    = "c"
          subnets = ["subnet-1"]
        }
        resource "aws_wafv2_web_acl_association" "this" {
          for_each     = { a = aws_lb.a.arn, b = aws_lb.b.arn }
          resource_arn = each.value
          web_acl_arn  = "arn:aws:wafv2:us-east-1:111111111111:regional/webacl/x/1"
        }
        '''})
    assert got == [("AWS-ELB-001", "aws_lb.c", 9)]


# -- RDS -----------------------------------------------------------------------------------------


def test_qa_rds_point_in_time_restores_inherit_encryption(tmp_path):
    got = findings(tmp_path, {"main.tf": '''
        resource "aws_db_instance" "restored" {
          instance_class = "db.t3.micro"
          restore_to_point_in_time {
            source_db_instance_identifier = "prod-db"
            use_latest_restorable_time    = true
          }
        }
        resource "aws_rds_cluster" "restored" {
          cluster_identifier = "c"
          engine             = "aurora-mysql"
          restore_to_point_in_time {
            source_cluster_identifier  = "prod"
            restore_type               = "copy-on-write"
            use_latest_restorable_time = true
          }
        }
        resource "aws_db_instance" "fresh" {
          instance_class = "db.t3.micro"
        }
        '''})
    assert got == [("AWS-RDS-001", "aws_db_instance.fresh", 17)]


def test_qa_public_multi_az_db_cluster_is_reported(tmp_path):
    root = tmp_path
    got = findings(root, {"main.tf": '''
        resource "aws_rds_cluster" "maz" {
          cluster_identifier        = "maz"
          engine                    = "postgres"
          db_cluster_instance_class = "db.r6gd.xlarge"
          allocated_storage         = 100
          storage_encrypted         = true
          publicly_accessible       = true
        }
        resource "aws_rds_cluster" "aurora" {
          cluster_identifier = "aurora"
          engine             = "aurora-postgresql"
          storage_encrypted  = true
        }
        '''})
    assert got == [("AWS-RDS-002", "aws_rds_cluster.maz", 7)]
    result = scan([str(root)], checks=CORE)
    assert result.findings[0].message == "RDS cluster aws_rds_cluster.maz is publicly accessible."


# -- EBS -----------------------------------------------------------------------------------------


def test_qa_ebs_encryption_by_default_of_unknown_value_makes_volumes_unknown(tmp_path):
    got = findings(tmp_path, {"main.tf": '''
        variable "encrypt_by_default" {
          type = bool
        }
        resource "aws_ebs_encryption_by_default" "this" {
          enabled = var.encrypt_by_default
        }
        resource "aws_ebs_volume" "data" {
          availability_zone = "us-east-1a"
          size              = 10
        }
        '''})
    assert got == []


def test_qa_ebs_encryption_by_default_with_null_enabled_is_on(tmp_path):
    got = findings(tmp_path, {"main.tf": '''
        resource "aws_ebs_encryption_by_default" "this" {
          enabled = null
        }
        resource "aws_ebs_volume" "data" {
          availability_zone = "us-east-1a"
          size              = 10
        }
        '''})
    assert got == []


def test_qa_iam_admin_statement_in_templatefile_beside_a_computed_arn(tmp_path):
    got = findings(tmp_path, {
        "policy.json.tpl": '''
            {
              "Version": "2012-10-17",
              "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "${bucket_arn}/*"},
                {"Effect": "Allow", "Action": "*", "Resource": "*"}
              ]
            }
            ''',
        "main.tf": '''
            resource "aws_s3_bucket" "b" {
              bucket = "b"
            }
            resource "aws_iam_policy" "tpl" {
              name   = "tpl"
              policy = templatefile("${path.module}/policy.json.tpl", { bucket_arn = aws_s3_bucket.b.arn })
            }
            ''',
    })
    assert [f for f in got if f[0] == "AWS-IAM-001"] == [("AWS-IAM-001", "aws_iam_policy.tpl", 6)]
