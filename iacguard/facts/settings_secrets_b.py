"""Table kinds of the catalogue slice "secrets_b" (issue 13): `TableKind` rows as in
`iacguard.facts.settings`, which adds them to the table.

None so far: the slice's one plain setting (Athena `enforce_configuration`, AWS-ATH-900) is a
setting of the existing Athena workgroup kind (settings_data_a), one kind per resource concept;
its other facts need hand-written adapters (iacguard.facts.secrets_b_*)."""
from __future__ import annotations

KINDS: tuple = ()
