"""Logic of the data_b checks that the fixtures do not pin down on their own: engine versions that
change a default, policy forms the IAM engine reads for the TLS deny, keys that cannot rotate."""
from __future__ import annotations

from iacguard.checks import REGISTRY
from iacguard.core.model import Undecided
from iacguard.engine import scan

BY_ID = {c.id: c for c in REGISTRY}


def _run(tmp_path, check_id, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = scan([str(tmp_path)], checks=[BY_ID[check_id]], cwd=str(tmp_path))
    return sorted(f.resource.address for f in result.findings), sorted(u.resource.address for u in result.undecided)


def test_force_ssl_defaults_follow_the_postgres_major_version(tmp_path):
    groups = "".join('resource "aws_db_parameter_group" "pg%s" {\n  name   = "pg%s"\n  family = "postgres%s"\n}\n' % (v, v, v) for v in (11, 14, 15, 17))
    found, undecided = _run(tmp_path, "AWS-RDS-616", {"main.tf": groups})
    assert found == ["aws_db_parameter_group.pg11", "aws_db_parameter_group.pg14"]
    assert undecided == []


def test_force_ssl_a_parameter_whose_name_is_not_known_leaves_it_undecided(tmp_path):
    tf = '''variable "name" {}
resource "aws_db_parameter_group" "pg17" {
  name   = "pg17"
  family = "postgres17"
  parameter {
    name  = var.name
    value = "0"
  }
}
'''
    assert _run(tmp_path, "AWS-RDS-616", {"main.tf": tf}) == ([], ["aws_db_parameter_group.pg17"])


def test_force_ssl_engines_without_the_parameter_are_not_read(tmp_path):
    tf = 'resource "aws_db_parameter_group" "ora" {\n  name   = "ora"\n  family = "oracle-ee-19"\n}\n'
    assert _run(tmp_path, "AWS-RDS-616", {"main.tf": tf}) == ([], [])


_POLICY = '''resource "aws_s3_bucket" "b" {
  bucket = "acme-b"
}

resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [%s]
  })
}
'''


def test_tls_deny_through_not_action_and_bool_if_exists_counts(tmp_path):
    st = '''{
      Effect    = "Deny"
      Principal = { AWS = "*" }
      NotAction = "s3:ListBucket"
      Resource  = "*"
      Condition = { BoolIfExists = { "aws:SecureTransport" = "false" } }
    }'''
    assert _run(tmp_path, "AWS-S3-615", {"main.tf": _POLICY % st}) == ([], [])


def test_a_deny_of_everything_is_not_a_tls_rule(tmp_path):
    st = '''{
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = "*"
    }'''
    assert _run(tmp_path, "AWS-S3-615", {"main.tf": _POLICY % st}) == (["aws_s3_bucket.b"], [])


def test_a_tls_deny_on_the_bucket_arn_only_does_not_cover_objects(tmp_path):
    st = '''{
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = aws_s3_bucket.b.arn
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }'''
    assert _run(tmp_path, "AWS-S3-615", {"main.tf": _POLICY % st}) == (["aws_s3_bucket.b"], [])


def test_a_tls_deny_whose_condition_value_is_not_known_is_undecided(tmp_path):
    st = '''{
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = "${aws_s3_bucket.b.arn}/*"
      Condition = { Bool = { "aws:SecureTransport" = var.flag } }
    }'''
    assert _run(tmp_path, "AWS-S3-615", {"main.tf": 'variable "flag" {}\n' + _POLICY % st}) == ([], ["aws_s3_bucket.b"])


def test_kms_keys_that_cannot_rotate_are_not_asked_to(tmp_path):
    tf = '''resource "aws_kms_key" "store" {
  description         = "in a custom key store"
  custom_key_store_id = "cks-1234567890abcdef0"
}
'''
    assert _run(tmp_path, "AWS-KMS-607", {"main.tf": tf}) == ([], [])


def test_undecided_records_are_undecided(tmp_path):
    tf = 'variable "keep" {}\nresource "aws_db_instance" "d" {\n  engine = "postgres"\n  backup_retention_period = var.keep\n}\n'
    (tmp_path / "main.tf").write_text(tf)
    result = scan([str(tmp_path)], checks=[BY_ID["AWS-RDS-613"]], cwd=str(tmp_path))
    assert result.findings == [] and [type(u) for u in result.undecided] == [Undecided]
