"""Branches of the data_a checks (issue 13) that their fixtures do not reach: what a restored
cluster, an unknown cache engine and an unknown Firehose source leave undecided, and what an
unexpected enum value means."""
from __future__ import annotations

from iacguard.checks import REGISTRY
from iacguard.engine import scan


def _run(tmp_path, check_id: str, name: str, text: str):
    (tmp_path / name).write_text(text)
    check = next(c for c in REGISTRY if c.id == check_id)
    result = scan([str(tmp_path)], checks=[check], cwd=str(tmp_path))
    findings = sorted(f.resource.address for f in result.findings)
    undecided = sorted((u.resource.address, u.what) for u in result.undecided)
    return findings, undecided


def test_a_cluster_restored_from_a_snapshot_takes_its_encryption(tmp_path):
    findings, undecided = _run(tmp_path, "AWS-DOCDB-501", "main.tf", """
resource "aws_docdb_cluster" "restored" {
  cluster_identifier  = "restored"
  snapshot_identifier = "arn:aws:rds:eu-west-1:111122223333:cluster-snapshot:catalog"
}

resource "aws_docdb_cluster" "fresh" {
  cluster_identifier = "fresh"
}
""")
    assert findings == ["aws_docdb_cluster.fresh"]
    assert undecided == [("aws_docdb_cluster.restored", "storage encryption")]


def test_a_neptune_snapshot_parameter_without_value_is_undecided(tmp_path):
    findings, undecided = _run(tmp_path, "AWS-NEP-501", "template.yaml", """
Parameters:
  Snapshot:
    Type: String
Resources:
  Graph:
    Type: AWS::Neptune::DBCluster
    Properties:
      SnapshotIdentifier: !Ref Snapshot
""")
    assert findings == [] and undecided == [("Graph", "storage encryption")]


def test_elasticache_engine_decides_what_left_out_means(tmp_path):
    findings, undecided = _run(tmp_path, "AWS-EC-501", "main.tf", """
variable "engine" {
  type = string
}

resource "aws_elasticache_replication_group" "unknown_engine" {
  replication_group_id = "a"
  description          = "a"
  engine               = var.engine
}

resource "aws_elasticache_replication_group" "valkey_off" {
  replication_group_id       = "b"
  description                = "b"
  engine                     = "valkey"
  at_rest_encryption_enabled = false
}
""")
    assert findings == ["aws_elasticache_replication_group.valkey_off"]
    assert undecided == [("aws_elasticache_replication_group.unknown_engine", "at-rest encryption")]


def test_firehose_with_an_unknown_source_is_undecided(tmp_path):
    findings, undecided = _run(tmp_path, "AWS-FH-501", "main.tf", """
variable "source_config" {
  type = any
}

resource "aws_kinesis_firehose_delivery_stream" "maybe_fed" {
  name                         = "maybe-fed"
  destination                  = "extended_s3"
  kinesis_source_configuration = var.source_config
}
""")
    assert findings == [] and undecided == [("aws_kinesis_firehose_delivery_stream.maybe_fed", "Kinesis source")]


def test_an_unexpected_enum_value_is_undecided_not_a_finding(tmp_path):
    findings, undecided = _run(tmp_path, "AWS-KIN-501", "main.tf", """
resource "aws_kinesis_stream" "odd" {
  name            = "odd"
  shard_count     = 1
  encryption_type = "SOMETHING_NEW"
}
""")
    assert findings == [] and undecided == [("aws_kinesis_stream.odd", "encryption type")]

