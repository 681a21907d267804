"""The checks of the catalogue slice "data_b" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

from .data import deletion_protection, ecr_repository, elasticache_transit, kms_keys, msk_transit, public_snapshots, rds_backups, rds_force_ssl, s3_secure_transport, s3_versioning, search_domain_transit

CHECKS: tuple = (
    elasticache_transit.CHECK,
    search_domain_transit.NODE_TO_NODE,
    search_domain_transit.ENFORCE_HTTPS,
    search_domain_transit.TLS_POLICY,
    msk_transit.CLIENT_BROKER,
    msk_transit.IN_CLUSTER,
    kms_keys.ROTATION,
    kms_keys.DELETION_WINDOW,
    ecr_repository.MUTABLE_TAGS,
    ecr_repository.SCAN_ON_PUSH,
    deletion_protection.DYNAMODB,
    deletion_protection.RDS,
    rds_backups.CHECK,
    s3_versioning.CHECK,
    s3_secure_transport.CHECK,
    rds_force_ssl.CHECK,
    public_snapshots.CHECK,
)
