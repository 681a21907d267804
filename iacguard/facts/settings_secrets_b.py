"""Table kinds of the catalogue slice "secrets_b" (issue 13): `TableKind` rows as in
`iacguard.facts.settings`, which adds them to the table."""
from __future__ import annotations

from .table import FLAG, Setting, TableKind

KINDS: tuple = ()
