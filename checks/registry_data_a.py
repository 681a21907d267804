"""The checks of the catalogue slice "data_a" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

CHECKS: tuple = ()
