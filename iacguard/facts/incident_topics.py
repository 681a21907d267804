"""Incident response facts: SNS topics that CloudWatch alarms or EventBridge rules publish to, with
the KMS key that encrypts them.

Kind `alert_topic`: one `AlertTopic` per SNS topic (`aws_sns_topic`, `AWS::SNS::Topic`) that an
alarm action (`alarm_actions`, `ok_actions`, `insufficient_data_actions` / `AlarmActions`,
`OKActions`, `InsufficientDataActions`) or an EventBridge target (`aws_cloudwatch_event_target.arn`,
`Targets[].Arn`) names by reference. `aws_managed_key` says whether the topic is encrypted with
the AWS managed key `alias/aws/sns` (directly, or through a Terraform `aws_kms_alias` /
`aws_kms_key` data source reading it): True / False / Unknown. A key that refers to a key or alias
managed in the scan is a customer managed key. Unencrypted topics are False here (another question).
"""
from __future__ import annotations

from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import is_unknown
from .common import Attr, managed

TOPIC_TYPES = ("aws_sns_topic", "AWS::SNS::Topic")
KEY_TYPES = ("aws_kms_key", "aws_kms_alias", "AWS::KMS::Key", "AWS::KMS::Alias")
AWS_MANAGED = "alias/aws/sns"

_SENDERS = (
    ("aws_cloudwatch_metric_alarm", (("alarm_actions",), ("ok_actions",), ("insufficient_data_actions",)), "CloudWatch alarm"),
    ("AWS::CloudWatch::Alarm", (("AlarmActions",), ("OKActions",), ("InsufficientDataActions",)), "CloudWatch alarm"),
    ("aws_cloudwatch_event_target", (("arn",),), "EventBridge target"),
    ("AWS::Events::Rule", (("Targets",),), "EventBridge rule"),
)


@dataclass(frozen=True, slots=True)
class AlertTopic:
    """An SNS topic that receives alerts, who may publish to it, and its encryption key."""

    resource: Resource
    senders: tuple  # phrases: "CloudWatch alarm aws_cloudwatch_metric_alarm.root"
    aws_managed_key: Attr


def _is_aws_managed(value: Any) -> bool:
    return isinstance(value, str) and (value == AWS_MANAGED or value.endswith(":" + AWS_MANAGED))


def _key(graph: ResourceGraph, topic: Resource) -> Attr:
    key = "kms_master_key_id" if topic.language == "terraform" else "KmsMasterKeyId"
    raw = topic.properties.get(key)
    if raw is None or raw == "":
        return Attr(False, topic.location, False)
    loc = topic.location_of(key)
    if isinstance(raw, str):
        return Attr(_is_aws_managed(raw), loc, True)
    for ref in graph.referenced_at(topic, ((key,),), KEY_TYPES):
        if ref.mode == "managed":
            return Attr(False, loc, True)  # a key or alias of the scan: customer managed
        # A data source reading an existing key: what it names decides.
        named = ref.properties.get("name") if ref.type == "aws_kms_alias" else ref.properties.get("key_id")
        if _is_aws_managed(named):
            return Attr(True, loc, True)
        if isinstance(named, str):
            return Attr(False, loc, True)
    return Attr(raw if is_unknown(raw) else False, loc, True)


def alert_topics(graph: ResourceGraph) -> list:
    senders: dict = {}  # topic id -> [phrase]
    for rtype, paths, label in _SENDERS:
        for sender in managed(graph, rtype):
            for topic in graph.referenced_at(sender, paths, TOPIC_TYPES):
                senders.setdefault(topic.id, []).append("%s %s" % (label, sender.address))
    out = []
    for topic in managed(graph, *TOPIC_TYPES):
        if topic.id in senders:
            out.append(AlertTopic(topic, tuple(senders[topic.id]), _key(graph, topic)))
    return out
