"""AWS managed policy documents shipped with iacguard (data/aws_managed_policies.json, written by
scripts/update_iam_data.py; its "source" key says where and when they were taken from).

    document(arn) -> dict | None            # the document of a shipped AWS managed policy
    policy(arn, kind=IDENTITY) -> Policy | None

Only the commonly attached policies are shipped. Any other ARN is None: the collectors make it
an Unknown naming the ARN; a document is never guessed from a name. AWS requires the path of a
managed policy in its ARN ("service-role/AWSLambdaBasicExecutionRole"), so a name under the wrong
path is not found either. The partitions (aws-cn, aws-us-gov, ...) have the same policies: an
ARN in another partition gets the document with its "arn:aws:" ARNs moved to that partition.

The data is read once, on first use.
"""
from __future__ import annotations

import copy
import json
import re
from functools import lru_cache

from iacguard.core.paths import package_text

from .documents import statements_of
from .model import IDENTITY, Policy

# arn:<partition>:iam::aws:policy/<path and name>; bounded so no hostile string is worked on long.
_ARN = re.compile(r"arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):iam::aws:policy/([\w+=,.@/-]{1,400})")


def _text() -> str:
    return package_text(__file__, "data", "aws_managed_policies.json")  # only a scan that meets an AWS managed policy reads it


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(_text())["policies"]


def source() -> dict:
    """Where the shipped documents come from (the data file's "source")."""
    return json.loads(_text())["source"]


def shipped() -> tuple:
    """The ARNs (partition aws) of every shipped policy."""
    return tuple(_data())


def _split(arn) -> tuple | None:
    if not isinstance(arn, str) or len(arn) > 500:
        return None
    m = _ARN.fullmatch(arn)
    if m is None:
        return None
    return m.group(1), "arn:aws:iam::aws:policy/" + m.group(2)


def document(arn) -> dict | None:
    """The policy document of the AWS managed policy `arn`, or None when it is not shipped (or
    `arn` is not an AWS managed policy ARN). A fresh copy: callers may keep or change it."""
    parts = _split(arn)
    if parts is None:
        return None
    partition, key = parts
    entry = _data().get(key)
    if entry is None:
        return None
    doc = copy.deepcopy(entry["Document"])
    return doc if partition == "aws" else _in_partition(doc, partition)


def _in_partition(value, partition: str):
    if isinstance(value, str):
        return "arn:%s:%s" % (partition, value[len("arn:aws:"):]) if value.startswith("arn:aws:") else value
    if isinstance(value, list):
        return [_in_partition(v, partition) for v in value]
    if isinstance(value, dict):
        return {k: _in_partition(v, partition) for k, v in value.items()}
    return value


def policy(arn, kind: str = IDENTITY) -> Policy | None:
    """The shipped AWS managed policy `arn` as a model Policy (named by its ARN, no resource or
    location: it is not in the scan), or None when it is not shipped."""
    if _split(arn) is None:
        return None
    return _policy(arn, kind)


@lru_cache(maxsize=256)
def _policy(arn: str, kind: str) -> Policy | None:
    doc = document(arn)
    if doc is None:
        return None
    return Policy(kind=kind, name=arn, statements=statements_of(doc, None), arn=arn)
