"""The checks of the catalogue slice "secrets_b" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check family: `module.CHECK` / `module.CHECKS`."""
from __future__ import annotations

from .data import athena_enforce, cfn_secret_parameters, s3_customer_key, text_secrets
from .infrastructure import api_v2_routes

CHECKS: tuple = cfn_secret_parameters.CHECKS + text_secrets.CHECKS + (athena_enforce.CHECK, api_v2_routes.CHECK, s3_customer_key.CHECK)
