"""Detection facts: CloudTrail trails, now a row of the settings table (`settings.TRAIL`)."""
from __future__ import annotations

from ..graph import ResourceGraph
from .settings import TRAIL

Trail = TRAIL.cls


def trails(graph: ResourceGraph) -> list:
    return TRAIL.build(graph)
