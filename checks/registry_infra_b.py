"""The checks of the catalogue slice "infra_b" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

from .infrastructure import cloudfront_edge, elb_hardening

CHECKS: tuple = (
    elb_hardening.HEADERS,
    elb_hardening.TLS_POLICY,
    elb_hardening.DELETION,
    cloudfront_edge.VIEWER,
    cloudfront_edge.MINIMUM_TLS,
    cloudfront_edge.DEFAULT_CERTIFICATE,
    cloudfront_edge.WAF,
)
