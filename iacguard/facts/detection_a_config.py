"""AWS Config configuration recorders (kind "config_recorder").

What a recorder records is its recording group (`recording_group` block / `RecordingGroup`).
With no recording group the service records every supported resource type (allSupported true)
and no global IAM types (includeGlobalResourceTypes false): the RecordingGroup documentation of
the AWS Config API; the same defaults apply to a group that leaves a setting out, except that a
group listing resource types (or a recording strategy) records only those. A recording
group that is not known as a whole (a dynamic block, a parameter holding the object) leaves both
settings Unknown: a table row would read it as left out.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import is_unknown
from .common import Attr, flag, managed

_TF = ("recording_group", "all_supported", "include_global_resource_types")
_CFN = ("RecordingGroup", "AllSupported", "IncludeGlobalResourceTypes")
# A group that lists the types it records (or a recording strategy choosing them) does not record
# every type when it leaves the all-supported flag out: CloudFormation templates write
# `ResourceTypes: [...]` alone (AllSupported cannot be true beside a list).
_LISTS = {"terraform": ("resource_types", "recording_strategy", "exclusion_by_resource_types"),
          "cloudformation": ("ResourceTypes", "RecordingStrategy", "ExclusionByResourceTypes")}


@dataclass(frozen=True, slots=True)
class ConfigRecorder:
    """An AWS Config recorder: whether it records every supported and global resource type."""

    resource: Resource
    all_supported: Attr  # records every supported resource type
    include_global: Attr  # records the global (IAM) resource types


def config_recorders(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, "aws_config_configuration_recorder", "AWS::Config::ConfigurationRecorder"):
        group_key, all_key, global_key = _TF if res.language == "terraform" else _CFN
        group = res.properties.get(group_key)
        prefix: tuple = (group_key,)
        if isinstance(group, list):  # a Terraform block: a list of one object
            group = group[0] if group else None
            prefix = (group_key, 0)
        if is_unknown(group):
            unknown = Attr(group, res.location_of(*prefix), True)
            out.append(ConfigRecorder(res, unknown, unknown))
            continue
        default_all = not (isinstance(group, dict) and any(group.get(k) not in (None, [], {}) for k in _LISTS[res.language]))
        out.append(ConfigRecorder(res, flag(res, prefix + (all_key,), default_all), flag(res, prefix + (global_key,), False)))
    return out
