"""Table kinds of the catalogue slice "detection_c" (issue 13): `TableKind` rows as in
`iacguard.facts.settings`, which adds them to the table.

None yet: every setting this slice reads needs a companion resource or interpretation (GuardDuty
feature resources, API Gateway method settings, Redshift logging, OpenSearch log publishing
options, ECS container definitions), so its kinds are hand-written (iacguard.facts.detection_c_*).
"""
from __future__ import annotations

KINDS: tuple = ()
