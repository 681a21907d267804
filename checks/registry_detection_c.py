"""The checks of the catalogue slice "detection_c" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

from .detection import api_gateway_execution_logs, config_global_resources, ecs_task_logging, guardduty_protection, redshift_audit_logging, search_domain_logs

CHECKS: tuple = (
    guardduty_protection.S3_PROTECTION,
    guardduty_protection.PROTECTION_PLANS,
    api_gateway_execution_logs.CHECK,
    redshift_audit_logging.CHECK,
    config_global_resources.CHECK,
    search_domain_logs.AUDIT,
    search_domain_logs.APPLICATION,
    ecs_task_logging.CHECK,
)
