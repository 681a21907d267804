"""Table kinds of the catalogue slice "detection_a" (issue 13): `TableKind` rows as in
`iacguard.facts.settings`, which adds them to the table.

Detective controls: CloudTrail trails, GuardDuty detectors, Security Hub, AWS Config and IAM
Access Analyzer. Whether a trail records management or data events needs interpretation of its
event selectors: that is the hand-written kind "trail_events" (iacguard.facts.detection_a_events).
"""
from __future__ import annotations

from .table import ENUM, FLAG, PRESENT, REQUIRED, Setting, TableKind

_KMS_KEYS = ("aws_kms_key", "aws_kms_alias", "aws_kms_replica_key", "AWS::KMS::Key", "AWS::KMS::Alias", "AWS::KMS::ReplicaKey")
_LOG_GROUPS = ("aws_cloudwatch_log_group", "AWS::Logs::LogGroup")

# A trail's settings beyond the two of the shared "trail" kind. `enable_logging` defaults to true
# in the AWS provider (the provider starts logging after creating the trail); `IsLogging` is a
# required property of AWS::CloudTrail::Trail, so a template without it says nothing we can know.
CLOUDTRAIL = TableKind(
    "cloudtrail", "CloudTrailSettings",
    terraform=("aws_cloudtrail",),
    cloudformation=("AWS::CloudTrail::Trail",),
    settings=(
        Setting("logging", ("enable_logging",), ("IsLogging",), FLAG, default=True, cfn_default=REQUIRED),
        Setting("kms_key", ("kms_key_id",), ("KMSKeyId",), PRESENT, set_by=_KMS_KEYS),
        Setting("cloudwatch_logs", ("cloud_watch_logs_group_arn",), ("CloudWatchLogsLogGroupArn",), PRESENT, set_by=_LOG_GROUPS),
    ),
    doc="A CloudTrail trail: whether it logs (`logging`), its KMS key (`kms_key`) and its CloudWatch Logs group (`cloudwatch_logs`).",
)

# `enable` defaults to true in the AWS provider (aws_guardduty_detector); `Enable` is a required
# property of AWS::GuardDuty::Detector.
GUARDDUTY_DETECTOR = TableKind(
    "guardduty_detector", "GuardDutyDetector",
    terraform=("aws_guardduty_detector",),
    cloudformation=("AWS::GuardDuty::Detector",),
    settings=(
        Setting("enabled", ("enable",), ("Enable",), FLAG, default=True, cfn_default=REQUIRED),
    ),
    doc="A GuardDuty detector and whether it is enabled.",
)

# Security Hub: `enable_default_standards` (aws_securityhub_account) and `EnableDefaultStandards`
# (AWS::SecurityHub::Hub) both default to true: the service subscribes the default standards
# (AWS Foundational Security Best Practices, CIS) when it is enabled.
SECURITYHUB = TableKind(
    "securityhub", "SecurityHub",
    terraform=("aws_securityhub_account",),
    cloudformation=("AWS::SecurityHub::Hub",),
    settings=(
        Setting("default_standards", ("enable_default_standards",), ("EnableDefaultStandards",), FLAG, default=True),
    ),
    doc="Security Hub enabled in an account, and whether it subscribes the default standards.",
)

SECURITYHUB_STANDARD = TableKind(
    "securityhub_standard", "SecurityHubStandard",
    terraform=("aws_securityhub_standards_subscription",),
    cloudformation=("AWS::SecurityHub::Standard",),
    settings=(
        Setting("standard", ("standards_arn",), ("StandardsArn",), PRESENT),
    ),
    doc="A Security Hub standards subscription.",
)

# AWS Config recorders are the hand-written kind "config_recorder" (iacguard.facts.detection_a_config):
# a recording group that is not known as a whole must not read as left out.

CONFIG_DELIVERY_CHANNEL = TableKind(
    "config_delivery_channel", "ConfigDeliveryChannel",
    terraform=("aws_config_delivery_channel",),
    cloudformation=("AWS::Config::DeliveryChannel",),
    settings=(
        Setting("bucket", ("s3_bucket_name",), ("S3BucketName",), PRESENT),
    ),
    doc="An AWS Config delivery channel (where the recorder delivers configuration snapshots).",
)

# IAM Access Analyzer: `type` defaults to ACCOUNT in the AWS provider; `Type` is required in
# AWS::AccessAnalyzer::Analyzer. The *_UNUSED_ACCESS types look for unused access only, not for
# access from outside the zone of trust.
ACCESS_ANALYZER = TableKind(
    "access_analyzer", "AccessAnalyzer",
    terraform=("aws_accessanalyzer_analyzer",),
    cloudformation=("AWS::AccessAnalyzer::Analyzer",),
    settings=(
        Setting("type", ("type",), ("Type",), ENUM, default="account", cfn_default=REQUIRED,
                choices=("account", "organization", "account_unused_access", "organization_unused_access", "account_internal_access", "organization_internal_access")),
    ),
    doc="An IAM Access Analyzer analyzer and its type (external access: account / organization).",
)

KINDS = (CLOUDTRAIL, GUARDDUTY_DETECTOR, SECURITYHUB, SECURITYHUB_STANDARD, CONFIG_DELIVERY_CHANNEL, ACCESS_ANALYZER)
