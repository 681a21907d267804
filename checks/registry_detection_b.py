"""The checks of the catalogue slice "detection_b" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

from .detection import (
    api_gateway_logging, classic_lb_access_logs, cloudfront_logging, eks_control_plane_logs,
    lambda_tracing, lb_access_logs, log_group_retention, mq_logging, rds_log_exports,
    s3_access_logging, waf_logging,
)

CHECKS: tuple = (
    api_gateway_logging.REST_ACCESS_LOGS,
    api_gateway_logging.HTTP_ACCESS_LOGS,
    api_gateway_logging.REST_XRAY,
    cloudfront_logging.CHECK,
    lambda_tracing.CHECK,
    eks_control_plane_logs.CHECK,
    rds_log_exports.CHECK,
    log_group_retention.CHECK,
    mq_logging.GENERAL,
    mq_logging.AUDIT,
    classic_lb_access_logs.CHECK,
    lb_access_logs.CHECK,
    s3_access_logging.CHECK,
    waf_logging.CHECK,
)
