"""Table kinds of the catalogue slice "data_a" (issue 13): `TableKind` rows as in
`iacguard.facts.settings`, which adds them to the table.

One kind per resource concept: a service's rows for encryption at rest, in transit, exposure,
deletion protection and logging sit in one kind (the slices that wrote them for issue 13 added
their settings here rather than a second kind over the same resource types).

Encryption at rest and backups of data services. Terraform nested blocks are lists (`(block, 0,
attribute)`); a block left out reads as the attribute left out. Defaults are the provider's and
the service API's (what CreateX does when the parameter is not sent); where they are not obvious
the row says where from.
"""
from __future__ import annotations

from .table import ENUM, FLAG, PRESENT, REQUIRED, TEXT, VALUE, Setting, TableKind

# Referring to any of these (an ARN, an id, an alias name) sets a key: such attributes are never
# empty. The same list as `settings.KMS_KEYS` (not imported: settings imports this module).
KMS_KEYS = ("aws_kms_key", "aws_kms_alias", "aws_kms_replica_key", "AWS::KMS::Key", "AWS::KMS::Alias", "AWS::KMS::ReplicaKey")

# DynamoDB always encrypts at rest. `server_side_encryption.enabled` false (the default, also
# CloudFormation's `SSESpecification.SSEEnabled`) means an AWS owned key; true without a key means
# the AWS managed key aws/dynamodb; true with a key ARN means a customer managed key.
# Point-in-time recovery is off unless turned on (provider and CloudFormation).
DYNAMODB_TABLE = TableKind(
    "dynamodb_table", "DynamoDbTable",
    terraform=("aws_dynamodb_table",),
    cloudformation=("AWS::DynamoDB::Table",),
    settings=(
        Setting("kms_sse", ("server_side_encryption", 0, "enabled"), ("SSESpecification", "SSEEnabled"), FLAG, default=False),
        Setting("kms_key", ("server_side_encryption", 0, "kms_key_arn"), ("SSESpecification", "KMSMasterKeyId"), PRESENT, set_by=KMS_KEYS),
        Setting("point_in_time_recovery", ("point_in_time_recovery", 0, "enabled"),
                ("PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"), FLAG, default=False),
        # DynamoDB tables: deletion protection is off unless enabled (provider and CloudFormation).
        Setting("deletion_protection", ("deletion_protection_enabled",), ("DeletionProtectionEnabled",), FLAG, default=False),
    ),
    doc="A DynamoDB table: KMS encryption on (`kms_sse`), a key of its own (`kms_key`), point-in-time recovery, deletion protection.",
)

# CreateFileSystem: Encrypted defaults to false (the console, not the API, ticks it).
EFS_FILE_SYSTEM = TableKind(
    "efs_file_system", "EfsFileSystem",
    terraform=("aws_efs_file_system",),
    cloudformation=("AWS::EFS::FileSystem",),
    settings=(
        Setting("encrypted", ("encrypted",), ("Encrypted",), FLAG, default=False),
    ),
    doc="An EFS file system: whether it is encrypted at rest.",
)

# SNS has no default encryption: a topic is encrypted only with a KMS key.
SNS_TOPIC = TableKind(
    "sns_topic", "SnsTopic",
    terraform=("aws_sns_topic",),
    cloudformation=("AWS::SNS::Topic",),
    settings=(
        Setting("kms_key", ("kms_master_key_id",), ("KmsMasterKeyId",), PRESENT, set_by=KMS_KEYS),
    ),
    doc="An SNS topic: whether a KMS key encrypts it.",
)

# Kinesis Data Streams: `encryption_type` defaults to NONE; in CloudFormation no `StreamEncryption`
# means no encryption.
KINESIS_STREAM = TableKind(
    "kinesis_stream", "KinesisStream",
    terraform=("aws_kinesis_stream",),
    cloudformation=("AWS::Kinesis::Stream",),
    settings=(
        Setting("encryption_type", ("encryption_type",), ("StreamEncryption", "EncryptionType"), ENUM, default="none", choices=("none", "kms")),
    ),
    doc="A Kinesis data stream: its server-side encryption type (none or kms).",
)

# Firehose: server-side encryption is off unless `server_side_encryption.enabled` (Terraform) or
# `DeliveryStreamEncryptionConfigurationInput` (CloudFormation) is given. A stream reading from a
# Kinesis data stream cannot set it: the source stream's encryption applies.
FIREHOSE_STREAM = TableKind(
    "firehose_stream", "FirehoseStream",
    terraform=("aws_kinesis_firehose_delivery_stream",),
    cloudformation=("AWS::KinesisFirehose::DeliveryStream",),
    settings=(
        Setting("sse_enabled", ("server_side_encryption", 0, "enabled"), None, FLAG, default=False),
        Setting("sse_input", None, ("DeliveryStreamEncryptionConfigurationInput",), PRESENT),
        Setting("kinesis_source", ("kinesis_source_configuration",), ("KinesisStreamSourceConfiguration",), PRESENT),
    ),
    doc="A Firehose delivery stream: server-side encryption (`sse_enabled` in Terraform, `sse_input` in CloudFormation) and whether a Kinesis stream feeds it.",
)

# Redshift: `kms_key_id` / `KmsKeyId` names the key; without one an encrypted cluster uses the AWS
# managed key.
REDSHIFT_CLUSTER = TableKind(
    "redshift_cluster", "RedshiftCluster",
    terraform=("aws_redshift_cluster",),
    cloudformation=("AWS::Redshift::Cluster",),
    settings=(
        Setting("kms_key", ("kms_key_id",), ("KmsKeyId",), PRESENT, set_by=KMS_KEYS),
        # Redshift `publicly_accessible`: the AWS provider defaulted to true before version 6.0 and to
        # false since, and a scan does not know the provider version, so a Terraform cluster that leaves
        # it out is undecided. CloudFormation leaves it to the service, whose default is false
        # (CreateCluster's PubliclyAccessible).
        # https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html
        Setting("publicly_accessible", ("publicly_accessible",), ("PubliclyAccessible",), FLAG, default=REQUIRED, cfn_default=False),
    ),
    doc="A Redshift cluster: whether a customer managed KMS key encrypts it, whether it is publicly accessible.",
)

# CreateReplicationGroup: AtRestEncryptionEnabled defaults to false (for Redis OSS; see the check
# for Valkey, whose default the source cannot tell).
ELASTICACHE_REPLICATION_GROUP = TableKind(
    "elasticache_replication_group", "ElastiCacheReplicationGroup",
    terraform=("aws_elasticache_replication_group",),
    cloudformation=("AWS::ElastiCache::ReplicationGroup",),
    settings=(
        Setting("at_rest_encryption", ("at_rest_encryption_enabled",), ("AtRestEncryptionEnabled",), FLAG, default=False),
        Setting("engine", ("engine",), ("Engine",), TEXT, default="redis"),
        # ElastiCache (Redis OSS / Valkey) replication groups: in-transit encryption is off unless
        # turned on (AWS provider and CloudFormation: `transit_encryption_enabled` /
        # `TransitEncryptionEnabled` default false). With it on, the mode is "required" unless set to
        # "preferred" (which also accepts unencrypted connections, meant for migrations); the API
        # documents "required" as what an enabled group without a mode gets.
        Setting("transit_encryption", ("transit_encryption_enabled",), ("TransitEncryptionEnabled",), FLAG, default=False),
        Setting("transit_mode", ("transit_encryption_mode",), ("TransitEncryptionMode",), ENUM, default="required", choices=("required", "preferred")),
    ),
    doc="An ElastiCache replication group: at-rest encryption, the engine, in-transit encryption and its mode.",
)

# OpenSearch / Elasticsearch: EncryptionAtRestOptions.Enabled is off unless set.
SEARCH_DOMAIN = TableKind(
    "search_domain", "SearchDomain",
    terraform=("aws_opensearch_domain", "aws_elasticsearch_domain"),
    cloudformation=("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"),
    settings=(
        Setting("encrypt_at_rest", ("encrypt_at_rest", 0, "enabled"), ("EncryptionAtRestOptions", "Enabled"), FLAG, default=False),
        # OpenSearch / Elasticsearch domains. Node-to-node encryption is off unless enabled (provider and
        # CloudFormation). `enforce_https` defaults to true inside a Terraform `domain_endpoint_options`
        # block (AWS provider schema); without the block, and in CloudFormation without `EnforceHTTPS`,
        # the service's default applies, which is false (the API's DomainEndpointOptions). The TLS policy
        # left out is the service's default, Policy-Min-TLS-1-0-2019-07 (TLS 1.0 and up).
        Setting("node_to_node", ("node_to_node_encryption", 0, "enabled"), ("NodeToNodeEncryptionOptions", "Enabled"), FLAG, default=False),
        Setting("endpoint_options", ("domain_endpoint_options",), ("DomainEndpointOptions",), VALUE, default=None),
        Setting("enforce_https", ("domain_endpoint_options", 0, "enforce_https"), ("DomainEndpointOptions", "EnforceHTTPS"), FLAG, default=True, cfn_default=False),
        Setting("tls_policy", ("domain_endpoint_options", 0, "tls_security_policy"), ("DomainEndpointOptions", "TLSSecurityPolicy"), TEXT, default="Policy-Min-TLS-1-0-2019-07"),
        # OpenSearch / Elasticsearch domains: a domain with no VPC options gets a public endpoint (VPC
        # access cannot be added to an existing public domain); the subnets are required inside them.
        # https://docs.aws.amazon.com/opensearch-service/latest/developerguide/vpc.html
        Setting("vpc_options", ("vpc_options",), ("VPCOptions",), PRESENT),
    ),
    doc="An OpenSearch or Elasticsearch domain: encryption at rest, node-to-node encryption, HTTPS enforcement and its TLS policy, VPC placement.",
)

# DocumentDB and Neptune clusters: StorageEncrypted defaults to false (provider and API).
DOCDB_CLUSTER = TableKind(
    "docdb_cluster", "DocDbCluster",
    terraform=("aws_docdb_cluster",),
    cloudformation=("AWS::DocDB::DBCluster",),
    settings=(
        Setting("storage_encrypted", ("storage_encrypted",), ("StorageEncrypted",), FLAG, default=False),
        Setting("snapshot", ("snapshot_identifier",), ("SnapshotIdentifier",), PRESENT),
    ),
    doc="A DocumentDB cluster: storage encryption, and whether it is restored from a snapshot.",
)

NEPTUNE_CLUSTER = TableKind(
    "neptune_cluster", "NeptuneCluster",
    terraform=("aws_neptune_cluster",),
    cloudformation=("AWS::Neptune::DBCluster",),
    settings=(
        Setting("storage_encrypted", ("storage_encrypted",), ("StorageEncrypted",), FLAG, default=False),
        Setting("snapshot", ("snapshot_identifier",), ("SnapshotIdentifier",), PRESENT),
    ),
    doc="A Neptune cluster: storage encryption, and whether it is restored from a snapshot.",
)

# MSK always encrypts at rest; without a key ARN it uses the AWS managed key aws/kafka.
MSK_CLUSTER = TableKind(
    "msk_cluster", "MskCluster",
    terraform=("aws_msk_cluster",),
    cloudformation=("AWS::MSK::Cluster",),
    settings=(
        Setting("kms_key", ("encryption_info", 0, "encryption_at_rest_kms_key_arn"),
                ("EncryptionInfo", "EncryptionAtRest", "DataVolumeKMSKeyId"), PRESENT, set_by=KMS_KEYS),
        # MSK clusters: client-broker encryption defaults to TLS and in-cluster encryption to true
        # (provider and CloudFormation, as the MSK API documents).
        Setting("client_broker", ("encryption_info", 0, "encryption_in_transit", 0, "client_broker"),
                ("EncryptionInfo", "EncryptionInTransit", "ClientBroker"), ENUM, default="tls", choices=("tls", "tls_plaintext", "plaintext")),
        Setting("in_cluster", ("encryption_info", 0, "encryption_in_transit", 0, "in_cluster"),
                ("EncryptionInfo", "EncryptionInTransit", "InCluster"), FLAG, default=True),
    ),
    doc="An MSK cluster: whether a customer managed KMS key encrypts its data volumes; client-broker and in-cluster encryption in transit.",
)

# Backup vaults always encrypt; without a key ARN the AWS managed key aws/backup is used.
BACKUP_VAULT = TableKind(
    "backup_vault_encryption", "BackupVaultEncryption",
    terraform=("aws_backup_vault",),
    cloudformation=("AWS::Backup::BackupVault",),
    settings=(
        Setting("kms_key", ("kms_key_arn",), ("EncryptionKeyArn",), PRESENT, set_by=KMS_KEYS),
    ),
    doc="An AWS Backup vault: whether a customer managed KMS key encrypts it.",
)

# ECR: encryption_type defaults to AES256 (S3-managed keys); KMS (or KMS_DSSE) uses KMS.
ECR_REPOSITORY = TableKind(
    "ecr_repository", "EcrRepository",
    terraform=("aws_ecr_repository",),
    cloudformation=("AWS::ECR::Repository",),
    settings=(
        Setting("encryption_type", ("encryption_configuration", 0, "encryption_type"),
                ("EncryptionConfiguration", "EncryptionType"), ENUM, default="aes256", choices=("aes256", "kms", "kms_dsse")),
        # ECR repositories: tags are MUTABLE and scan on push off unless set (provider and CloudFormation).
        Setting("tag_mutability", ("image_tag_mutability",), ("ImageTagMutability",), ENUM, default="mutable",
                choices=("mutable", "immutable", "immutable_with_exclusion", "mutable_with_exclusion")),
        Setting("scan_on_push", ("image_scanning_configuration", 0, "scan_on_push"), ("ImageScanningConfiguration", "ScanOnPush"), FLAG, default=False),
    ),
    doc="An ECR repository: its encryption type (aes256, kms or kms_dsse), tag mutability, scan on push.",
)

# CloudWatch Logs encrypts log data with service keys; `kms_key_id` / `KmsKeyId` adds a KMS key.
LOG_GROUP = TableKind(
    "log_group", "LogGroup",
    terraform=("aws_cloudwatch_log_group",),
    cloudformation=("AWS::Logs::LogGroup",),
    settings=(
        Setting("kms_key", ("kms_key_id",), ("KmsKeyId",), PRESENT, set_by=KMS_KEYS),
        # CloudWatch Logs: left out, a log group keeps its events forever (retention 0 = never expire).
        Setting("days", ("retention_in_days",), ("RetentionInDays",), VALUE, default=0),
    ),
    doc="A CloudWatch Logs log group: whether a KMS key encrypts it, its retention.",
)

# Secrets Manager: without `kms_key_id` / `KmsKeyId` the AWS managed key aws/secretsmanager is used.
SECRET = TableKind(
    "secret_encryption", "SecretEncryption",
    terraform=("aws_secretsmanager_secret",),
    cloudformation=("AWS::SecretsManager::Secret",),
    settings=(
        Setting("kms_key", ("kms_key_id",), ("KmsKeyId",), PRESENT, set_by=KMS_KEYS),
    ),
    doc="A Secrets Manager secret: whether a customer managed KMS key encrypts it.",
)

# SageMaker notebook instances: without a key the ML storage volume is encrypted with an AWS
# managed key.
SAGEMAKER_NOTEBOOK = TableKind(
    "sagemaker_notebook_encryption", "SageMakerNotebookEncryption",
    terraform=("aws_sagemaker_notebook_instance",),
    cloudformation=("AWS::SageMaker::NotebookInstance",),
    settings=(
        Setting("kms_key", ("kms_key_id",), ("KmsKeyId",), PRESENT, set_by=KMS_KEYS),
    ),
    doc="A SageMaker notebook instance: whether a customer managed KMS key encrypts its volume.",
)

# Glue Data Catalog encryption settings: CatalogEncryptionMode DISABLED or SSE-KMS (required).
GLUE_CATALOG_ENCRYPTION = TableKind(
    "glue_catalog_encryption", "GlueCatalogEncryption",
    terraform=("aws_glue_data_catalog_encryption_settings",),
    cloudformation=("AWS::Glue::DataCatalogEncryptionSettings",),
    settings=(
        Setting("catalog_encryption_mode",
                ("data_catalog_encryption_settings", 0, "encryption_at_rest", 0, "catalog_encryption_mode"),
                ("DataCatalogEncryptionSettings", "EncryptionAtRest", "CatalogEncryptionMode"),
                ENUM, default="disabled", choices=("disabled", "sse-kms", "sse-kms-with-service-role")),
    ),
    doc="The Glue Data Catalog encryption settings of an account and region: the catalog's encryption mode.",
)

# Glue security configurations (used by jobs, crawlers and development endpoints): each of the
# three targets is DISABLED unless a mode is given (provider default; CloudFormation leaves the
# block out). CloudFormation's `S3Encryptions` is a list; the first entry is read.
GLUE_SECURITY_CONFIGURATION = TableKind(
    "glue_security_configuration", "GlueSecurityConfiguration",
    terraform=("aws_glue_security_configuration",),
    cloudformation=("AWS::Glue::SecurityConfiguration",),
    settings=(
        Setting("s3_mode", ("encryption_configuration", 0, "s3_encryption", 0, "s3_encryption_mode"),
                ("EncryptionConfiguration", "S3Encryptions", 0, "S3EncryptionMode"),
                ENUM, default="disabled", choices=("disabled", "sse-kms", "sse-s3")),
        Setting("cloudwatch_mode", ("encryption_configuration", 0, "cloudwatch_encryption", 0, "cloudwatch_encryption_mode"),
                ("EncryptionConfiguration", "CloudWatchEncryption", "CloudWatchEncryptionMode"),
                ENUM, default="disabled", choices=("disabled", "sse-kms")),
        Setting("job_bookmarks_mode", ("encryption_configuration", 0, "job_bookmarks_encryption", 0, "job_bookmarks_encryption_mode"),
                ("EncryptionConfiguration", "JobBookmarksEncryption", "JobBookmarksEncryptionMode"),
                ENUM, default="disabled", choices=("disabled", "cse-kms")),
    ),
    doc="A Glue security configuration: the encryption mode of S3 data, CloudWatch logs and job bookmarks.",
)

# Athena workgroups: query results are encrypted only when the result configuration says how.
ATHENA_WORKGROUP = TableKind(
    "athena_workgroup_encryption", "AthenaWorkgroupEncryption",
    terraform=("aws_athena_workgroup",),
    cloudformation=("AWS::Athena::WorkGroup",),
    settings=(
        Setting("result_encryption",
                ("configuration", 0, "result_configuration", 0, "encryption_configuration", 0, "encryption_option"),
                ("WorkGroupConfiguration", "ResultConfiguration", "EncryptionConfiguration", "EncryptionOption"),
                ENUM, default="none", choices=("none", "sse_s3", "sse_kms", "cse_kms")),
        # AWS-ATH-900 (slice secrets_b). The AWS provider's schema default is true; CloudFormation
        # and the Athena API document none, and the AWS Config rule reports only an explicit false:
        # left out counts as enforced, so that only an explicit false is reported.
        Setting("enforce_configuration", ("configuration", 0, "enforce_workgroup_configuration"),
                ("WorkGroupConfiguration", "EnforceWorkGroupConfiguration"), FLAG, default=True),
    ),
    doc="An Athena workgroup: how its query results are encrypted (none when not configured).",
)

KINDS: tuple = (
    DYNAMODB_TABLE, EFS_FILE_SYSTEM, SNS_TOPIC, KINESIS_STREAM, FIREHOSE_STREAM, REDSHIFT_CLUSTER,
    ELASTICACHE_REPLICATION_GROUP, SEARCH_DOMAIN, DOCDB_CLUSTER, NEPTUNE_CLUSTER, MSK_CLUSTER,
    BACKUP_VAULT, ECR_REPOSITORY, LOG_GROUP, SECRET, SAGEMAKER_NOTEBOOK, GLUE_CATALOG_ENCRYPTION,
    GLUE_SECURITY_CONFIGURATION, ATHENA_WORKGROUP,
)
