"""VPCs and the flow logs that name them (kind "vpc_flow_logs").

A VPC is covered when a flow log of the scan names it: `aws_flow_log.vpc_id`, or an
`AWS::EC2::FlowLog` whose `ResourceId` refers to it (with `ResourceType: VPC`). References go
through variables, module inputs and outputs and parameters (the graph's references, within one
root). A flow log whose VPC cannot be known (an Unknown `vpc_id` that refers to no VPC of the
scan) might be any VPC of its root: those VPCs are Unknown rather than uncovered. A flow log on a
subnet or a network interface does not cover the whole VPC.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import is_unknown
from .common import Attr, managed

VPC_TYPES = ("aws_vpc", "AWS::EC2::VPC")
FLOW_LOG_TYPES = ("aws_flow_log", "AWS::EC2::FlowLog")
_VPC_PATH = {"aws_flow_log": "vpc_id", "AWS::EC2::FlowLog": "ResourceId"}


@dataclass(frozen=True, slots=True)
class VpcFlowLogs:
    """A VPC and the flow log that records its traffic, if any."""

    resource: Resource  # the VPC
    flow_log: Attr  # True: a flow log names it; False: none; Unknown: one might
    flow_log_resource: Resource | None  # the flow log naming it, or the one that might


def _names_a_vpc(graph: ResourceGraph, log: Resource):
    """None when the flow log is not about a VPC, else its VPC-id value."""
    if log.type == "AWS::EC2::FlowLog":
        rtype = log.properties.get("ResourceType")
        if is_unknown(rtype):
            return rtype
        if rtype != "VPC":
            return None
    return log.properties.get(_VPC_PATH[log.type])


def vpc_flow_logs(graph: ResourceGraph) -> list:
    unresolved: dict = {}  # root -> the first flow log whose VPC cannot be known
    for log in managed(graph, *FLOW_LOG_TYPES):
        value = _names_a_vpc(graph, log)
        if is_unknown(value) and not graph.referenced(log, VPC_TYPES):
            unresolved.setdefault(graph.root_of(log), (log, value))
    out = []
    for vpc in managed(graph, *VPC_TYPES):
        covering = None
        maybe = None
        for log, path in graph.referrers(vpc, FLOW_LOG_TYPES):
            if not path or path[0] != _VPC_PATH[log.type]:
                continue
            if log.type == "AWS::EC2::FlowLog":
                rtype = log.properties.get("ResourceType")
                if is_unknown(rtype):
                    maybe = maybe or (log, rtype)
                    continue
                if rtype != "VPC":
                    continue
            covering = log
            break
        if covering is not None:
            out.append(VpcFlowLogs(vpc, Attr(True, covering.location, True), covering))
            continue
        maybe = maybe or unresolved.get(graph.root_of(vpc))
        if maybe is not None:
            log, value = maybe  # the Unknown that leaves it open (why: its reason)
            out.append(VpcFlowLogs(vpc, Attr(value, log.location, True), log))
        else:
            out.append(VpcFlowLogs(vpc, Attr(False, vpc.location, False), None))
    return out
