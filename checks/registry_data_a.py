"""The checks of the catalogue slice "data_a" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

from .data import dynamodb, storage_encryption

CHECKS: tuple = (
    dynamodb.CMK,
    dynamodb.PITR,
    storage_encryption.EFS,
    storage_encryption.DOCDB,
    storage_encryption.NEPTUNE,
    storage_encryption.SEARCH,
    storage_encryption.ELASTICACHE,
)
