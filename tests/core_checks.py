"""The catalogue the engine tests were written against: the checks registered before the
catalogue of issue 13. Tests about the engine (nested stacks, installed modules, value origins,
SAM expansion...) that assert the exact list of findings of a scan run these checks only, so that
a check added to the catalogue does not change what they assert (the catalogue's own checks are
tested by their fixtures and the goldens)."""
from __future__ import annotations

from iacguard.checks import REGISTRY

CORE_IDS = frozenset((
    "AWS-EC2-001", "AWS-S3-001", "AWS-S3-002", "AWS-RDS-001", "AWS-RDS-002", "AWS-EBS-001",
    "AWS-IAM-001", "AWS-CT-001", "AWS-CT-002", "AWS-ELB-001", "AWS-SQS-001",
    "AWS-IAM-002", "AWS-IAM-003", "AWS-IAM-004", "AWS-IAM-005", "AWS-IAM-006", "AWS-IAM-007",
    "AWS-IAM-008", "AWS-IAM-009", "AWS-IAM-010", "AWS-IAM-011", "AWS-IAM-012",
))
CORE = tuple(c for c in REGISTRY if c.id in CORE_IDS)
assert len(CORE) == len(CORE_IDS), sorted(CORE_IDS - {c.id for c in CORE})
