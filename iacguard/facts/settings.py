"""The table of settings: kinds whose facts are plain settings at a path in each language.

One `TableKind` row per kind (see `iacguard.facts.table` for the readers and defaults). Defaults
are what the provider or the service does when the source leaves a setting out; say where that
comes from next to the row when it is not obvious.
"""
from __future__ import annotations

from .table import FLAG, PRESENT, Setting, TableKind
from . import settings_detection_c
from . import settings_secrets_b
from . import settings_detection_a, settings_detection_b, settings_infra_a, settings_infra_b, settings_data_a, settings_data_b, settings_identity_secrets, settings_incident

KMS_KEYS = ("aws_kms_key", "aws_kms_alias", "aws_kms_replica_key", "AWS::KMS::Key", "AWS::KMS::Alias", "AWS::KMS::ReplicaKey")

TRAIL = TableKind(
    "trail", "Trail",
    terraform=("aws_cloudtrail",),
    cloudformation=("AWS::CloudTrail::Trail",),
    settings=(
        Setting("log_file_validation", ("enable_log_file_validation",), ("EnableLogFileValidation",), FLAG, default=False),
        Setting("multi_region", ("is_multi_region_trail",), ("IsMultiRegionTrail",), FLAG, default=False),
    ),
    doc="A CloudTrail trail.",
)

# SQS encrypts new queues with SQS-owned keys (SSE-SQS) unless told not to (the service default
# since October 2022; the AWS provider leaves `sqs_managed_sse_enabled` to the service when it is
# omitted). A KMS key (`kms_master_key_id` / `KmsMasterKeyId`) selects SSE-KMS instead.
QUEUE = TableKind(
    "queue", "Queue",
    terraform=("aws_sqs_queue",),
    cloudformation=("AWS::SQS::Queue",),
    settings=(
        Setting("sse_sqs", ("sqs_managed_sse_enabled",), ("SqsManagedSseEnabled",), FLAG, default=True),
        Setting("kms_key", ("kms_master_key_id",), ("KmsMasterKeyId",), PRESENT, set_by=KMS_KEYS),
    ),
    doc="An SQS queue: whether SQS-managed encryption is on (`sse_sqs`) and whether a KMS key is set (`kms_key`).",
)

# The catalogue's slices keep their rows in settings_<slice>.py.
TABLE = {k.name: k for k in (TRAIL, QUEUE) + settings_detection_a.KINDS + settings_detection_b.KINDS + settings_infra_a.KINDS + settings_infra_b.KINDS + settings_data_a.KINDS + settings_data_b.KINDS + settings_identity_secrets.KINDS + settings_incident.KINDS + settings_detection_c.KINDS + settings_secrets_b.KINDS}
