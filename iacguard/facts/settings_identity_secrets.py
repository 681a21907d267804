"""Table kinds of the catalogue slice "identity_secrets" (issue 13): `TableKind` rows as in
`iacguard.facts.settings`, which adds them to the table."""
from __future__ import annotations

from .table import FLAG, VALUE, Setting, TableKind

# The account password policy. CloudFormation has no resource for it (Terraform only). Left out,
# a setting of `aws_iam_account_password_policy` is not sent and IAM applies its own default
# (IAM User Guide, "Set an account password policy for IAM users": minimum length 8 when a policy
# exists with no length, no reuse prevention, no character classes required, no expiry); the AWS
# provider sends its schema default 6 for a left-out minimum_password_length: below 14 either way.
PASSWORD_POLICY = TableKind(
    "password_policy", "PasswordPolicy",
    terraform=("aws_iam_account_password_policy",),
    cloudformation=(),
    settings=(
        Setting("minimum_length", ("minimum_password_length",), None, VALUE, default=6),
        Setting("reuse_prevention", ("password_reuse_prevention",), None, VALUE, default=0),
        Setting("require_symbols", ("require_symbols",), None, FLAG, default=False),
        Setting("require_numbers", ("require_numbers",), None, FLAG, default=False),
        Setting("require_uppercase", ("require_uppercase_characters",), None, FLAG, default=False),
        Setting("require_lowercase", ("require_lowercase_characters",), None, FLAG, default=False),
        Setting("max_age", ("max_password_age",), None, VALUE, default=0),
    ),
    doc="The IAM account password policy (Terraform only): length, reuse prevention, character classes, expiry.",
)

KINDS: tuple = (PASSWORD_POLICY,)
