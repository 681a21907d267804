"""The checks of the catalogue slice "detection_a" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

from .detection import access_analyzer, cloudtrail_events, cloudtrail_present, cloudtrail_settings, config_recorder, guardduty, securityhub, vpc_flow_logs

CHECKS: tuple = (
    cloudtrail_present.CHECK,
    cloudtrail_settings.LOGGING,
    cloudtrail_settings.KMS,
    cloudtrail_settings.CLOUDWATCH,
    cloudtrail_events.CHECK,
    vpc_flow_logs.CHECK,
    guardduty.PRESENT,
    guardduty.ENABLED,
    securityhub.PRESENT,
    securityhub.STANDARDS,
    config_recorder.PRESENT,
    config_recorder.ALL_SUPPORTED,
    config_recorder.DELIVERY,
    access_analyzer.CHECK,
)

# The checks of this slice that report a control missing from a root (one finding per root
# module / top-level stack without it): they fire on every small project, so the behaviour tests
# of other features run without them (tests/conftest.py); the catalogue, fixture and golden tests
# run with them.
ABSENCE: tuple = (
    cloudtrail_present.CHECK.id,
    guardduty.PRESENT.id,
    securityhub.PRESENT.id,
    config_recorder.PRESENT.id,
    access_analyzer.CHECK.id,
)
