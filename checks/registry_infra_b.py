"""The checks of the catalogue slice "infra_b" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

from .infrastructure import api_edge, cloudfront_edge, data_exposure, elb_hardening, emr_public_subnet, network_firewall, shield_coverage

CHECKS: tuple = (
    elb_hardening.HEADERS,
    elb_hardening.TLS_POLICY,
    elb_hardening.DELETION,
    elb_hardening.HTTP,
    cloudfront_edge.VIEWER,
    cloudfront_edge.MINIMUM_TLS,
    cloudfront_edge.DEFAULT_CERTIFICATE,
    cloudfront_edge.WAF,
    api_edge.DOMAIN_TLS,
    api_edge.STAGE_WAF,
    api_edge.APPSYNC_WAF,
    data_exposure.REDSHIFT,
    data_exposure.DMS,
    data_exposure.SEARCH,
    network_firewall.CHECK,
    shield_coverage.CHECK,
    data_exposure.NEPTUNE,
    data_exposure.EMR,
    emr_public_subnet.CHECK,
)
