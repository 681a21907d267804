"""The checks of the catalogue slice "data_a" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

from .data import analytics_encryption, customer_keys, dynamodb, storage_encryption, stream_encryption

CHECKS: tuple = (
    dynamodb.CMK,
    dynamodb.PITR,
    storage_encryption.EFS,
    storage_encryption.DOCDB,
    storage_encryption.NEPTUNE,
    storage_encryption.SEARCH,
    storage_encryption.ELASTICACHE,
    customer_keys.REDSHIFT,
    customer_keys.MSK,
    customer_keys.BACKUP,
    customer_keys.SECRET,
    customer_keys.SAGEMAKER,
    customer_keys.LOG_GROUP,
    customer_keys.ECR,
    stream_encryption.SNS,
    stream_encryption.KINESIS,
    stream_encryption.FIREHOSE,
    analytics_encryption.GLUE,
    analytics_encryption.GLUE_SECURITY,
    analytics_encryption.ATHENA,
)
