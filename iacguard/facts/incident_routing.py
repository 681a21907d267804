"""Incident response facts: which security findings an EventBridge rule routes, and where to.

Kinds:
  event_rule        one `EventRule` per EventBridge rule (`aws_cloudwatch_event_rule`,
                    `AWS::Events::Rule`): its parsed event pattern, whether it is enabled, the bus
                    it listens on and its targets (Terraform: the `aws_cloudwatch_event_target`
                    resources naming it, by reference or by literal rule name; CloudFormation: its
                    `Targets`), each with whether the destination is a live responder.
  findings_service  one `FindingsService` per GuardDuty detector (`aws_guardduty_detector`,
                    `AWS::GuardDuty::Detector`) and Security Hub account (`aws_securityhub_account`,
                    `AWS::SecurityHub::Hub`), with whether it is enabled.

Service defaults: a rule is ENABLED unless `state` / `is_enabled` / `State` says otherwise (the
PutRule default; the AWS provider's `is_enabled` defaults to true); it listens on the account's
default bus unless `event_bus_name` / `EventBusName` names another; AWS services deliver their
findings to the default bus only. A GuardDuty detector is enabled unless `enable = false`
(provider default true); CloudFormation requires `Enable`. A Security Hub hub has no on/off switch.

A destination is live when someone is told or something acts: a Lambda function (or alias), a
Step Functions state machine, an SQS queue, an SNS topic with at least one subscription (an
`aws_sns_topic_subscription` / `AWS::SNS::Subscription` naming it, or the topic's inline
`Subscription`), or a literal ARN of one of those services or of an event bus outside the scan
(forwarding to a central security account): what is outside the scan cannot be inspected, and is
trusted. Anything else (a log group, a Kinesis stream) stores findings without telling anyone.
"""
from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import Attr, managed

RULE_TYPES = ("aws_cloudwatch_event_rule", "AWS::Events::Rule")
TARGET_TYPES = ("aws_cloudwatch_event_target",)
TOPIC_TYPES = ("aws_sns_topic", "AWS::SNS::Topic")
SUBSCRIPTION_TYPES = ("aws_sns_topic_subscription", "AWS::SNS::Subscription")
LIVE_TYPES = {
    "aws_lambda_function": "Lambda function", "aws_lambda_alias": "Lambda alias",
    "AWS::Lambda::Function": "Lambda function", "AWS::Lambda::Alias": "Lambda alias",
    "AWS::Serverless::Function": "Lambda function",
    "aws_sfn_state_machine": "Step Functions state machine", "AWS::StepFunctions::StateMachine": "Step Functions state machine",
    "AWS::Serverless::StateMachine": "Step Functions state machine",
    "aws_sqs_queue": "SQS queue", "AWS::SQS::Queue": "SQS queue",
}
DESTINATION_TYPES = tuple(LIVE_TYPES) + TOPIC_TYPES + (
    "aws_cloudwatch_log_group", "AWS::Logs::LogGroup", "aws_kinesis_stream", "AWS::Kinesis::Stream",
    "aws_kinesis_firehose_delivery_stream", "AWS::KinesisFirehose::DeliveryStream",
    "aws_cloudwatch_event_bus", "AWS::Events::EventBus", "aws_cloudwatch_event_api_destination", "AWS::Events::ApiDestination",
)
# Literal ARNs outside the scan that count as live (see the module docstring).
LIVE_ARN_SERVICES = {"lambda": "Lambda function", "states": "Step Functions state machine", "sqs": "SQS queue", "sns": "SNS topic", "events": "event bus"}
DETECTOR_TYPES = ("aws_guardduty_detector", "AWS::GuardDuty::Detector")
HUB_TYPES = ("aws_securityhub_account", "AWS::SecurityHub::Hub")

# The events each service sends for a finding: (source, detail-type).
FINDING_EVENTS = {
    "guardduty": ("aws.guardduty", "GuardDuty Finding"),
    "securityhub": ("aws.securityhub", "Security Hub Findings - Imported"),
}


@dataclass(frozen=True, slots=True)
class RouteTarget:
    """Where an event rule sends matching events, and whether that destination can act on them."""

    resource: Resource  # where the target is declared: an aws_cloudwatch_event_target, or the rule (CloudFormation)
    destination: Resource | None  # the resource of the scan its ARN names, None when outside the scan or not known
    live: Any  # True / False / Unknown
    why: str  # what it is, or why it is not live
    location: Location


@dataclass(frozen=True, slots=True)
class EventRule:
    """An EventBridge rule: its pattern, whether it is enabled and on the default bus, and its targets."""

    resource: Resource
    pattern: Any  # the parsed event pattern (dict), Unknown, or None (a scheduled rule)
    pattern_location: Location
    enabled: Attr
    default_bus: Attr  # True when the rule listens on the default event bus
    targets: tuple  # RouteTarget

    def matches(self, service: str) -> Any:
        """Whether the pattern matches the finding events of `service` ("guardduty",
        "securityhub"): True / False / Unknown. A `detail` filter (severity, finding type)
        narrows which findings, and still counts as routing them."""
        if self.pattern is None:
            return False
        if is_unknown(self.pattern):
            return self.pattern
        if not isinstance(self.pattern, dict):
            return Unknown("the event pattern is not an object")
        source, detail_type = FINDING_EVENTS[service]
        answers = [_field_matches(self.pattern.get("source"), source), _field_matches(self.pattern.get("detail-type"), detail_type)]
        if any(a is False for a in answers):
            return False
        return next((a for a in answers if is_unknown(a)), True)

    def live_target(self) -> Any:
        """True when a target is live, Unknown when none is known live and one may be, else False."""
        if any(t.live is True for t in self.targets):
            return True
        return next((t.live for t in self.targets if is_unknown(t.live)), False)


@dataclass(frozen=True, slots=True)
class FindingsService:
    """A service that produces security findings (GuardDuty, Security Hub...), and whether it is enabled."""

    resource: Resource
    service: str  # "guardduty" | "securityhub"
    enabled: Attr


def _field_matches(values: Any, wanted: str) -> Any:
    """Whether one field of an event pattern accepts the string `wanted` (absent: any value)."""
    if values is None:
        return True
    if is_unknown(values):
        return values
    if not isinstance(values, list):
        values = [values]
    unknown = None
    for v in values:
        if isinstance(v, str):
            if v == wanted:
                return True
        elif is_unknown(v):
            unknown = unknown or v
        elif isinstance(v, dict):
            answer = _content_filter(v, wanted)
            if answer is True:
                return True
            if is_unknown(answer):
                unknown = unknown or answer
    return unknown if unknown is not None else False


def _content_filter(f: dict, wanted: str) -> Any:
    if len(f) != 1:
        return Unknown("a content filter with several operators")
    (op, arg), = f.items()
    if op == "prefix" and isinstance(arg, str):
        return wanted.startswith(arg)
    if op == "suffix" and isinstance(arg, str):
        return wanted.endswith(arg)
    if op == "wildcard" and isinstance(arg, str):
        return fnmatch.fnmatchcase(wanted, arg)
    if op == "equals-ignore-case" and isinstance(arg, str):
        return wanted.lower() == arg.lower()
    if op == "anything-but":
        if isinstance(arg, str):
            return wanted != arg
        if isinstance(arg, list) and all(isinstance(a, str) for a in arg):
            return wanted not in arg
    return Unknown("content filter %r not interpreted" % op)


def _pattern(raw: Any) -> Any:
    if raw is None or is_unknown(raw) or isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return Unknown("the event pattern is not JSON")
    return Unknown("the event pattern is not an object")


def _enabled(res: Resource) -> Attr:
    tf = res.language == "terraform"
    key = "state" if tf else "State"
    state = res.properties.get(key)
    if state is not None:
        if is_unknown(state):
            return Attr(state, res.location_of(key), True)
        return Attr(str(state).upper() != "DISABLED", res.location_of(key), True)
    if tf and res.properties.get("is_enabled") is not None:
        return Attr(as_bool(res.properties["is_enabled"]), res.location_of("is_enabled"), True)
    return Attr(True, res.location, False)


def _default_bus(graph: ResourceGraph, res: Resource) -> Attr:
    key = "event_bus_name" if res.language == "terraform" else "EventBusName"
    name = res.properties.get(key)
    if name is None:
        return Attr(True, res.location, False)
    loc = res.location_of(key)
    if is_unknown(name):
        if graph.referenced_at(res, ((key,),), ("aws_cloudwatch_event_bus", "AWS::Events::EventBus")):
            return Attr(False, loc, True)  # a bus of the scan: a custom bus
        return Attr(name, loc, True)
    return Attr(str(name) in ("default", "") or str(name).endswith(":event-bus/default"), loc, True)


class _Topics:
    """Which SNS topics of the scan have a subscription (computed once per scan)."""

    def __init__(self, graph: ResourceGraph):
        self.subscribed: set = set()
        self.maybe: set = set()  # roots with a subscription whose topic cannot be known
        self.by_name: dict = {}
        for sub in managed(graph, *SUBSCRIPTION_TYPES):
            key = "topic_arn" if sub.language == "terraform" else "TopicArn"
            topics = graph.referenced_at(sub, ((key,),), TOPIC_TYPES)
            for t in topics:
                self.subscribed.add(t.id)
            arn = sub.properties.get(key)
            if not topics:
                if isinstance(arn, str):
                    self.by_name.setdefault((graph.root_of(sub), arn.rsplit(":", 1)[-1]), True)
                else:
                    self.maybe.add(graph.root_of(sub))

    def live(self, graph: ResourceGraph, topic: Resource) -> tuple:
        if topic.id in self.subscribed:
            return True, "SNS topic %s with a subscription" % topic.address
        inline = topic.properties.get("Subscription") if topic.language == "cloudformation" else None
        if isinstance(inline, list) and inline:
            return True, "SNS topic %s with a subscription" % topic.address
        if is_unknown(inline):
            return inline, "SNS topic %s whose subscriptions are not known" % topic.address
        name = topic.properties.get("name" if topic.language == "terraform" else "TopicName")
        if isinstance(name, str) and (graph.root_of(topic), name) in self.by_name:
            return True, "SNS topic %s with a subscription" % topic.address
        if graph.root_of(topic) in self.maybe:
            return Unknown("a subscription names a topic that cannot be known"), "SNS topic %s" % topic.address
        return False, "SNS topic %s has no subscription" % topic.address


def _destination(graph: ResourceGraph, declared_in: Resource, arn_path: tuple, arn: Any, topics: _Topics) -> RouteTarget:
    loc = declared_in.location_of(*arn_path)
    found = graph.referenced_at(declared_in, (arn_path,), DESTINATION_TYPES, exact=True)
    if found:
        dest = found[0]
        if dest.type in TOPIC_TYPES:
            live, why = topics.live(graph, dest)
        elif dest.type in LIVE_TYPES:
            live, why = True, "%s %s" % (LIVE_TYPES[dest.type], dest.address)
        else:
            live, why = False, "%s (%s) stores findings without telling anyone" % (dest.address, dest.type)
        return RouteTarget(declared_in, dest, live, why, loc)
    if isinstance(arn, str):
        parts = arn.split(":")
        service = parts[2] if len(parts) > 2 and parts[0] == "arn" else ""
        if service in LIVE_ARN_SERVICES:
            return RouteTarget(declared_in, None, True, "the %s %s outside the scan" % (LIVE_ARN_SERVICES[service], arn), loc)
        return RouteTarget(declared_in, None, False, "the target %s is not a responder" % (arn or "(empty)"), loc)
    if is_unknown(arn):
        return RouteTarget(declared_in, None, arn, "a target whose ARN is not known", loc)
    return RouteTarget(declared_in, None, False, "a target with no ARN", loc)


def event_rules(graph: ResourceGraph) -> list:
    topics = _Topics(graph)
    rules = managed(graph, *RULE_TYPES)
    tf_targets: dict = {}  # rule id -> [RouteTarget]
    by_name: dict = {}  # (root, rule name) -> rule
    for rule in rules:
        if rule.language == "terraform" and isinstance(rule.properties.get("name"), str):
            by_name[(graph.root_of(rule), rule.properties["name"])] = rule
    unresolved: dict = {}  # root -> [RouteTarget] whose rule cannot be known
    for target in managed(graph, *TARGET_TYPES):
        rt = _destination(graph, target, ("arn",), target.properties.get("arn"), topics)
        named = graph.referenced_at(target, (("rule",),), RULE_TYPES)
        if not named:
            name = target.properties.get("rule")
            rule = by_name.get((graph.root_of(target), name)) if isinstance(name, str) else None
            if rule is not None:
                named = [rule]
            elif is_unknown(name):
                unresolved.setdefault(graph.root_of(target), []).append((rt, name))
        for rule in named:
            tf_targets.setdefault(rule.id, []).append(rt)
    out = []
    for rule in rules:
        tf = rule.language == "terraform"
        key = "event_pattern" if tf else "EventPattern"
        if tf:
            targets = list(tf_targets.get(rule.id, ()))
            for rt, name in unresolved.get(graph.root_of(rule), ()):
                # A target whose rule cannot be known might be this rule's.
                live = rt.live if rt.live is not True else name
                targets.append(RouteTarget(rt.resource, rt.destination, live, rt.why, rt.location))
        else:
            raw = rule.properties.get("Targets")
            if is_unknown(raw):
                targets = [RouteTarget(rule, None, raw, "targets not known", rule.location_of("Targets"))]
            else:
                targets = []
                for i, t in enumerate(raw if isinstance(raw, list) else []):
                    if is_unknown(t):
                        targets.append(RouteTarget(rule, None, t, "a target not known", rule.location_of("Targets", i)))
                    elif isinstance(t, dict):
                        targets.append(_destination(graph, rule, ("Targets", i, "Arn"), t.get("Arn"), topics))
        out.append(EventRule(rule, _pattern(rule.properties.get(key)), rule.location_of(key) if key in rule.properties else rule.location,
                             _enabled(rule), _default_bus(graph, rule), tuple(targets)))
    return out


def findings_services(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, *DETECTOR_TYPES):
        key = "enable" if res.language == "terraform" else "Enable"
        raw = res.properties.get(key)
        if raw is None:
            enabled = Attr(True if res.language == "terraform" else Unknown("Enable not set"), res.location, False)
        else:
            enabled = Attr(as_bool(raw), res.location_of(key), True)
        out.append(FindingsService(res, "guardduty", enabled))
    for res in managed(graph, *HUB_TYPES):
        out.append(FindingsService(res, "securityhub", Attr(True, res.location, False)))
    return out
