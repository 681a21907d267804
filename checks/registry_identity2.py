"""The checks of the catalogue slice "identity2" (issue 13), added to `iacguard.checks.REGISTRY`."""
from __future__ import annotations

from .identity import resource_policy_access

CHECKS: tuple = resource_policy_access.CHECKS
