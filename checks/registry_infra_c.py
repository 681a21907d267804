"""The checks of the catalogue slice "infra_c" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

from .infrastructure import attack_paths, cache_public_subnet

CHECKS: tuple = (
    cache_public_subnet.CHECK,
    attack_paths.CHECK,
)
