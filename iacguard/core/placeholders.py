"""Values that stand for a secret without being one: placeholders a template's author leaves
("changeme", "none", "<your token>", "${TOKEN}") and references to where a secret is kept (an
ARN, a CloudFormation dynamic reference, an SSM parameter path). Shared by the evaluator (what a
CloudFormation parameter's Default holds) and the secrets facts."""
from __future__ import annotations

import re
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

PLACEHOLDER = re.compile(r"^(\s*|changeme|change_me|replace_?me|todo|xxx+|\*+|none|null|n/a|example|placeholder|<+[^<>]*>+|\$\{[^}]*\}|\{\{resolve:[^}]*\}\}"
                         r"|(your|enter|insert)[_\- ].*|.*[_\- ]here)$", re.I)
REFERENCE_PREFIXES = ("arn:", "{{resolve:", "ssm:", "secretsmanager:", "/aws/reference/")


def placeholder(value: Any) -> bool:
    """Whether a string is a placeholder or a reference, not a secret."""
    if not isinstance(value, str):
        return False
    return bool(PLACEHOLDER.match(value)) or value.strip().startswith(REFERENCE_PREFIXES)
