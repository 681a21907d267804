"""Incident response facts: CloudTrail trails delivering to CloudWatch Logs, and the metric
filters on those logs with the alarms on their metrics (the CIS monitoring controls).

Kinds:
  trail_log_delivery  one `TrailLogDelivery` per trail (`aws_cloudtrail`, `AWS::CloudTrail::Trail`):
                      whether it sends its events to a CloudWatch Logs group, and which (the log
                      group resource of the scan it names, or the group name in a literal ARN).
  log_metric_filter   one `LogMetricFilter` per metric filter (`aws_cloudwatch_log_metric_filter`,
                      `AWS::Logs::MetricFilter`): its pattern, whether it reads a trail's log group
                      (`on_trail_logs`: True / False / Unknown), and the alarms on its metric
                      (`aws_cloudwatch_metric_alarm`, `AWS::CloudWatch::Alarm` with the same metric
                      name and namespace, or naming the filter), each with whether it has an action.

Defaults: an alarm's actions are enabled unless `actions_enabled` / `ActionsEnabled` is false
(provider and service default true); no `alarm_actions` / `AlarmActions` means no action.
"""
from __future__ import annotations

from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import Attr, managed

TRAIL_TYPES = ("aws_cloudtrail", "AWS::CloudTrail::Trail")
LOG_GROUP_TYPES = ("aws_cloudwatch_log_group", "AWS::Logs::LogGroup")
FILTER_TYPES = ("aws_cloudwatch_log_metric_filter", "AWS::Logs::MetricFilter")
ALARM_TYPES = ("aws_cloudwatch_metric_alarm", "AWS::CloudWatch::Alarm")


@dataclass(frozen=True, slots=True)
class TrailLogDelivery:
    """A trail's delivery of its events to a CloudWatch log group."""

    resource: Resource
    delivers: Attr  # True when the trail names a CloudWatch Logs group
    log_group: Resource | None  # the log group of the scan it names
    group_name: Any  # the group's name when known (a literal ARN, or the named group's literal name), else None/Unknown


@dataclass(frozen=True, slots=True)
class MetricAlarm:
    """A CloudWatch alarm, and whether it has an action."""

    resource: Resource
    has_action: Any  # True / False / Unknown
    location: Location


@dataclass(frozen=True, slots=True)
class LogMetricFilter:
    """A CloudWatch metric filter: its pattern, whether it reads trail logs, and its alarms."""

    resource: Resource
    pattern: Attr  # the filter pattern (a string) or Unknown
    on_trail_logs: Any  # True / False / Unknown: the filter reads the log group a trail of its root delivers to
    alarms: tuple  # MetricAlarm, linked (True) ...
    maybe_alarms: tuple  # ... and those whose metric cannot be compared (Unknown)

    def alarmed(self) -> Any:
        """True when an alarm on its metric has an action, Unknown when one may, else False."""
        if any(a.has_action is True for a in self.alarms):
            return True
        for a in self.alarms:
            if is_unknown(a.has_action):
                return a.has_action
        if self.maybe_alarms:
            return Unknown("an alarm's metric cannot be compared with %s's" % self.resource.address)
        return False


def _tf(res: Resource) -> bool:
    return res.language == "terraform"


def _name_in_arn(arn: str) -> str | None:
    marker = ":log-group:"
    if marker not in arn:
        return None
    return arn.split(marker, 1)[1].split(":", 1)[0] or None


def _group_name(res: Resource) -> Any:
    return res.properties.get("name" if _tf(res) else "LogGroupName")


def trail_log_deliveries(graph: ResourceGraph) -> list:
    out = []
    for trail in managed(graph, *TRAIL_TYPES):
        key = "cloud_watch_logs_group_arn" if _tf(trail) else "CloudWatchLogsLogGroupArn"
        raw = trail.properties.get(key)
        if raw is None or raw == "":
            out.append(TrailLogDelivery(trail, Attr(False, trail.location, False), None, None))
            continue
        loc = trail.location_of(key)
        groups = graph.referenced_at(trail, ((key,),), LOG_GROUP_TYPES)
        if groups:
            name = _group_name(groups[0])
            out.append(TrailLogDelivery(trail, Attr(True, loc, True), groups[0], name if isinstance(name, str) else None))
        elif isinstance(raw, str):
            out.append(TrailLogDelivery(trail, Attr(True, loc, True), None, _name_in_arn(raw)))
        else:
            out.append(TrailLogDelivery(trail, Attr(raw, loc, True), None, raw))
    return out


def _metric(res: Resource) -> tuple:
    """(metric name, namespace) a filter publishes: values or Unknowns."""
    if _tf(res):
        blocks = res.properties.get("metric_transformation")
        first = blocks[0] if isinstance(blocks, list) and blocks else blocks
        if is_unknown(first):
            return first, first
        first = first if isinstance(first, dict) else {}
        return first.get("name"), first.get("namespace")
    blocks = res.properties.get("MetricTransformations")
    first = blocks[0] if isinstance(blocks, list) and blocks else blocks
    if is_unknown(first):
        return first, first
    first = first if isinstance(first, dict) else {}
    return first.get("MetricName"), first.get("MetricNamespace")


def _alarm(res: Resource) -> MetricAlarm:
    tf = _tf(res)
    enabled_key, actions_key = ("actions_enabled", "alarm_actions") if tf else ("ActionsEnabled", "AlarmActions")
    enabled = res.properties.get(enabled_key)
    if enabled is not None and as_bool(enabled) is False:
        return MetricAlarm(res, False, res.location_of(enabled_key))
    actions = res.properties.get(actions_key)
    if actions is None:
        return MetricAlarm(res, False, res.location)
    loc = res.location_of(actions_key)
    if is_unknown(actions):
        return MetricAlarm(res, actions, loc)
    if not isinstance(actions, list):
        actions = [actions]
    if any(isinstance(a, str) and a for a in actions):
        value: Any = True
    else:
        value = next((a for a in actions if is_unknown(a)), False)
    if value is True and enabled is not None and is_unknown(as_bool(enabled)):
        return MetricAlarm(res, as_bool(enabled), res.location_of(enabled_key))
    return MetricAlarm(res, value, loc)


def log_metric_filters(graph: ResourceGraph) -> list:
    deliveries: dict = {}  # root -> [TrailLogDelivery] that deliver (or may)
    for d in trail_log_deliveries(graph):
        if d.delivers.value is not False:
            deliveries.setdefault(graph.root_of(d.resource), []).append(d)
    alarms_by_metric: dict = {}  # (root, name, namespace) -> [alarm]
    alarms_unknown: dict = {}  # root -> an alarm that may have an action, whose metric is not known and names no filter
    naming: dict = {}  # filter id -> alarms whose metric name is not known but refers to the filter
    alarms = managed(graph, *ALARM_TYPES)
    for res in alarms:
        tf = _tf(res)
        name, ns = res.properties.get("metric_name" if tf else "MetricName"), res.properties.get("namespace" if tf else "Namespace")
        if isinstance(name, str) and isinstance(ns, str):
            alarms_by_metric.setdefault((graph.root_of(res), name, ns), []).append(res)
        elif is_unknown(name) or is_unknown(ns):
            named = graph.referenced_at(res, (("metric_name",), ("MetricName",)), FILTER_TYPES)
            if named:
                for f in named:
                    naming.setdefault(f.id, []).append(res)
            elif _alarm(res).has_action is not False:
                alarms_unknown.setdefault(graph.root_of(res), res)  # its metric cannot be compared
    actionable: dict = {}  # root -> the first alarm that has (or may have) an action
    for res in alarms:
        if _alarm(res).has_action is not False:
            actionable.setdefault(graph.root_of(res), res)
    out = []
    for f in managed(graph, *FILTER_TYPES):
        tf = _tf(f)
        root = graph.root_of(f)
        pkey = "pattern" if tf else "FilterPattern"
        raw = f.properties.get(pkey)
        pattern = Attr(raw if raw is not None else "", f.location_of(pkey) if raw is not None else f.location, raw is not None)
        on_trail = _on_trail_logs(graph, f, deliveries.get(root, ()))
        name, ns = _metric(f)
        linked, maybe = [], []
        if isinstance(name, str) and isinstance(ns, str):
            linked = list(alarms_by_metric.get((root, name, ns), ()))
        linked += naming.get(f.id, [])
        if root in alarms_unknown:
            maybe.append(alarms_unknown[root])
        if (is_unknown(name) or is_unknown(ns)) and root in actionable and actionable[root] not in linked:
            maybe.append(actionable[root])  # this filter's metric cannot be compared
        out.append(LogMetricFilter(f, pattern, on_trail, tuple(_alarm(a) for a in linked), tuple(_alarm(a) for a in maybe)))
    return out


def _on_trail_logs(graph: ResourceGraph, f: Resource, deliveries) -> Any:
    if not deliveries:
        return False
    key = "log_group_name" if _tf(f) else "LogGroupName"
    groups = graph.referenced_at(f, ((key,),), LOG_GROUP_TYPES)
    name = f.properties.get(key)
    unknown = None
    for d in deliveries:
        if groups and d.log_group is not None:
            if groups[0].id == d.log_group.id:
                return True
            continue  # two log groups of the scan
        if isinstance(name, str) and isinstance(d.group_name, str):
            if name == d.group_name:
                return True
            continue
        unknown = unknown or Unknown("whether %s reads the log group %s delivers to is not known" % (f.address, d.resource.address))
    return unknown if unknown is not None else False
