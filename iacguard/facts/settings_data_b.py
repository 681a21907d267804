"""Table kinds of the catalogue slice "data_b" (issue 13): `TableKind` rows as in
`iacguard.facts.settings`, which adds them to the table.

A setting nested in a block that is not known before deploy reads as Unknown (the table reader
sees the unknown block on its path), never as left out to its default.

Encryption in transit, key management and protection from deletion. Kind names carry the
concern they serve ("..._transit", "..._protection") so they never collide with the rows of the
at-rest slice on the same resource types.
"""
from __future__ import annotations

from .table import ENUM, FLAG, PRESENT, TEXT, VALUE, Setting, TableKind

# ElastiCache (Redis OSS / Valkey) replication groups: in-transit encryption is off unless
# turned on (AWS provider and CloudFormation: `transit_encryption_enabled` /
# `TransitEncryptionEnabled` default false). With it on, the mode is "required" unless set to
# "preferred" (which also accepts unencrypted connections, meant for migrations); the API
# documents "required" as what an enabled group without a mode gets.
ELASTICACHE_TRANSIT = TableKind(
    "elasticache_transit", "ElastiCacheTransit",
    terraform=("aws_elasticache_replication_group",),
    cloudformation=("AWS::ElastiCache::ReplicationGroup",),
    settings=(
        Setting("transit_encryption", ("transit_encryption_enabled",), ("TransitEncryptionEnabled",), FLAG, default=False),
        Setting("transit_mode", ("transit_encryption_mode",), ("TransitEncryptionMode",), ENUM, default="required", choices=("required", "preferred")),
    ),
    doc="An ElastiCache replication group: in-transit encryption and its mode.",
)

# OpenSearch / Elasticsearch domains. Node-to-node encryption is off unless enabled (provider and
# CloudFormation). `enforce_https` defaults to true inside a Terraform `domain_endpoint_options`
# block (AWS provider schema); without the block, and in CloudFormation without `EnforceHTTPS`,
# the service's default applies, which is false (the API's DomainEndpointOptions). The TLS policy
# left out is the service's default, Policy-Min-TLS-1-0-2019-07 (TLS 1.0 and up).
SEARCH_DOMAIN_TRANSIT = TableKind(
    "search_domain_transit", "SearchDomainTransit",
    terraform=("aws_opensearch_domain", "aws_elasticsearch_domain"),
    cloudformation=("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"),
    settings=(
        Setting("node_to_node", ("node_to_node_encryption", 0, "enabled"), ("NodeToNodeEncryptionOptions", "Enabled"), FLAG, default=False),
        Setting("endpoint_options", ("domain_endpoint_options",), ("DomainEndpointOptions",), VALUE, default=None),
        Setting("enforce_https", ("domain_endpoint_options", 0, "enforce_https"), ("DomainEndpointOptions", "EnforceHTTPS"), FLAG, default=True, cfn_default=False),
        Setting("tls_policy", ("domain_endpoint_options", 0, "tls_security_policy"), ("DomainEndpointOptions", "TLSSecurityPolicy"), TEXT, default="Policy-Min-TLS-1-0-2019-07"),
    ),
    doc="An OpenSearch or Elasticsearch domain: node-to-node encryption, HTTPS enforcement and its TLS policy.",
)

# MSK clusters: client-broker encryption defaults to TLS and in-cluster encryption to true
# (provider and CloudFormation, as the MSK API documents).
MSK_TRANSIT = TableKind(
    "msk_transit", "MskTransit",
    terraform=("aws_msk_cluster",),
    cloudformation=("AWS::MSK::Cluster",),
    settings=(
        Setting("client_broker", ("encryption_info", 0, "encryption_in_transit", 0, "client_broker"),
                ("EncryptionInfo", "EncryptionInTransit", "ClientBroker"), ENUM, default="tls", choices=("tls", "tls_plaintext", "plaintext")),
        Setting("in_cluster", ("encryption_info", 0, "encryption_in_transit", 0, "in_cluster"),
                ("EncryptionInfo", "EncryptionInTransit", "InCluster"), FLAG, default=True),
    ),
    doc="An MSK cluster: client-broker encryption (TLS, TLS_PLAINTEXT, PLAINTEXT) and in-cluster encryption.",
)

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

# ECR repositories: tags are MUTABLE and scan on push off unless set (provider and CloudFormation).
ECR_REPOSITORY_SETTINGS = TableKind(
    "ecr_repository_settings", "EcrRepositorySettings",
    terraform=("aws_ecr_repository",),
    cloudformation=("AWS::ECR::Repository",),
    settings=(
        Setting("tag_mutability", ("image_tag_mutability",), ("ImageTagMutability",), ENUM, default="mutable",
                choices=("mutable", "immutable", "immutable_with_exclusion", "mutable_with_exclusion")),
        Setting("scan_on_push", ("image_scanning_configuration", 0, "scan_on_push"), ("ImageScanningConfiguration", "ScanOnPush"), FLAG, default=False),
    ),
    doc="An ECR repository: tag mutability and scan on push.",
)

# DynamoDB tables: deletion protection is off unless enabled (provider and CloudFormation).
DYNAMODB_PROTECTION = TableKind(
    "dynamodb_protection", "DynamoDbProtection",
    terraform=("aws_dynamodb_table",),
    cloudformation=("AWS::DynamoDB::Table",),
    settings=(
        Setting("deletion_protection", ("deletion_protection_enabled",), ("DeletionProtectionEnabled",), FLAG, default=False),
    ),
    doc="A DynamoDB table: deletion protection.",
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
    ELASTICACHE_TRANSIT,
    SEARCH_DOMAIN_TRANSIT,
    MSK_TRANSIT,
    KMS_KEY_SETTINGS,
    ECR_REPOSITORY_SETTINGS,
    DYNAMODB_PROTECTION,
    RDS_PROTECTION,
)
