"""The checks of the catalogue slice "identity_secrets" (issue 13), added to `iacguard.checks.REGISTRY`.
One line per check: `module.CHECK`."""
from __future__ import annotations

from .data import secrets_in_code, secretsmanager_rotation
from .identity import iam_passrole_notaction, password_policy

CHECKS: tuple = password_policy.CHECKS + iam_passrole_notaction.CHECKS + secrets_in_code.CHECKS + (secretsmanager_rotation.CHECK,)
