"""The checks of the catalogue slice "detection_b" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

CHECKS: tuple = ()
