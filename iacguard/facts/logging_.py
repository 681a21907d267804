"""Detection facts: CloudTrail trails."""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import ResourceGraph
from ..model import Resource
from .common import Attr, flag


@dataclass(frozen=True, slots=True)
class Trail:
    resource: Resource
    log_file_validation: Attr
    multi_region: Attr


def trails(graph: ResourceGraph) -> list:
    out = []
    for res in graph.of_type("aws_cloudtrail"):
        if res.mode == "managed":
            out.append(Trail(res, flag(res, ("enable_log_file_validation",), False), flag(res, ("is_multi_region_trail",), False)))
    for res in graph.of_type("AWS::CloudTrail::Trail"):
        out.append(Trail(res, flag(res, ("EnableLogFileValidation",), False), flag(res, ("IsMultiRegionTrail",), False)))
    return out
