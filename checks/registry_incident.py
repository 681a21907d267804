"""The checks of the catalogue slice "incident" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

from .incident import alert_topic_key, backup_coverage, backup_vault_lock, cis_alarms, findings_routing, log_bucket_protection

CHECKS: tuple = (
    findings_routing.GUARDDUTY,
    findings_routing.SECURITYHUB,
) + cis_alarms.CHECKS + (
    log_bucket_protection.CHECK,
    backup_coverage.CHECK,
    backup_vault_lock.CHECK,
    alert_topic_key.CHECK,
)
