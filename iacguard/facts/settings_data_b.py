"""Table kinds of the catalogue slice "data_b" (issue 13): `TableKind` rows as in
`iacguard.facts.settings`, which adds them to the table.

A setting nested in a block that is not known before deploy reads as Unknown (the table reader
sees the unknown block on its path), never as left out to its default.

Key management and RDS protection; the in-transit and protection rows of services that have a
kind already (ElastiCache, OpenSearch, MSK, ECR, DynamoDB) are settings of that kind
(settings_data_a).
"""
from __future__ import annotations

from .table import FLAG, PRESENT, TEXT, VALUE, Setting, TableKind

# KMS keys (not external-material keys, `aws_kms_external_key`, nor replicas, which follow their
# primary). Rotation is off unless enabled; the key spec defaults to SYMMETRIC_DEFAULT and the
# usage to ENCRYPT_DECRYPT; the waiting period before deletion to 30 days (7 to 30 allowed). In
# CloudFormation `Origin: EXTERNAL` makes a key of imported material (no automatic rotation);
# Terraform keys in a custom key store (`custom_key_store_id`) cannot rotate automatically either.
KMS_KEY_SETTINGS = TableKind(
    "kms_key_settings", "KmsKeySettings",
    terraform=("aws_kms_key",),
    cloudformation=("AWS::KMS::Key",),
    settings=(
        Setting("rotation", ("enable_key_rotation",), ("EnableKeyRotation",), FLAG, default=False),
        Setting("key_spec", ("customer_master_key_spec",), ("KeySpec",), TEXT, default="SYMMETRIC_DEFAULT"),
        Setting("key_usage", ("key_usage",), ("KeyUsage",), TEXT, default="ENCRYPT_DECRYPT"),
        Setting("origin", None, ("Origin",), TEXT, default="AWS_KMS"),
        Setting("custom_key_store", ("custom_key_store_id",), None, PRESENT),
        Setting("deletion_window", ("deletion_window_in_days",), ("PendingWindowInDays",), VALUE, default=30),
    ),
    doc="A KMS key: automatic rotation, key spec and usage, origin, and the waiting period before deletion.",
)

# RDS instances and clusters: deletion protection is off unless enabled; automated backups are
# kept 1 day when the retention is left out (the RDS API's default for CreateDBInstance and
# CreateDBCluster; the provider passes the API's default through). An instance that belongs to
# a cluster (CloudFormation `DBClusterIdentifier`) takes both from its cluster; a read replica
# (`replicate_source_db`, `SourceDBInstanceIdentifier`) keeps no backups by default and is not
# the copy that needs them.
RDS_PROTECTION = TableKind(
    "rds_protection", "RdsProtection",
    terraform=("aws_db_instance", "aws_rds_cluster"),
    cloudformation=("AWS::RDS::DBInstance", "AWS::RDS::DBCluster"),
    settings=(
        Setting("deletion_protection", ("deletion_protection",), ("DeletionProtection",), FLAG, default=False),
        Setting("backup_retention", ("backup_retention_period",), ("BackupRetentionPeriod",), VALUE, default=1),
        Setting("cluster_member", None, ("DBClusterIdentifier",), PRESENT, set_by=("AWS::RDS::DBCluster",)),
        Setting("replica_of", ("replicate_source_db",), ("SourceDBInstanceIdentifier",), PRESENT, set_by=("aws_db_instance", "AWS::RDS::DBInstance")),
    ),
    doc="An RDS DB instance or cluster: deletion protection, backup retention, membership of a cluster and replication source.",
)

KINDS: tuple = (
    KMS_KEY_SETTINGS,
    RDS_PROTECTION,
)
