"""The checks of the catalogue slice "identity_secrets" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

CHECKS: tuple = ()
