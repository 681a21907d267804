"""Which S3 buckets a CloudTrail trail records object-level (data) events for, and for which
access (kinds "trail_s3_selectors" and "data_event_bucket"; AWS-CT-105).

"trail_s3_selectors": one fact per trail (`aws_cloudtrail`, `AWS::CloudTrail::Trail`) with its
S3 data-event selectors, normalised for both languages and both selector forms; `coverage(fact,
prefix)` answers, for the object ARN prefix of one bucket ("arn:aws:s3:::name/"), how much of the
bucket's reads and of its writes the trail records: ALL, PART, NONE, or an Unknown.

"data_event_bucket": one fact per bucket with its name and the prefix of its objects' ARNs (a str,
or an Unknown when the name is not known: generated, or from an unknown value).

Semantics (AWS CloudTrail "Logging data events"):
- basic selectors (`event_selector` / `EventSelectors`): a data resource of type
  `AWS::S3::Object` whose values are "arn:aws:s3" or "arn:aws:s3:::" (every bucket), a bucket ARN
  ("arn:aws:s3:::name", with or without a trailing "/": that bucket), or a bucket ARN and an object
  prefix ("arn:aws:s3:::name/prefix": PART of that bucket). `read_write_type` / `ReadWriteType`
  All (the default), ReadOnly or WriteOnly.
- advanced selectors (`advanced_event_selector` / `AdvancedEventSelectors`), which replace the basic
  ones: a selector records S3 object events when `eventCategory` equals `Data` and `resources.type`
  equals `AWS::S3::Object`. Field selectors are ANDed; the values of Equals / StartsWith / EndsWith
  are ORed, those of NotEquals / NotStartsWith / NotEndsWith ANDed. `resources.ARN` is matched
  against every object ARN of the bucket (`prefix` + any key): StartsWith a prefix of `prefix`
  is ALL, StartsWith something inside the bucket or Equals an object is PART, NotStartsWith a
  prefix of `prefix` is NONE; no `resources.ARN` field is every bucket. `readOnly` Equals true /
  false keeps reads / writes only. Any other field (`eventName`, `userIdentity.arn`, ...) filters
  events and makes the selector PART, except `eventSource` equal to `s3.amazonaws.com`.
- A prefix or filter covering only part of a bucket is PART: it does not count as coverage of a
  bucket the user named as sensitive (every object of it is).
- ARN partitions are ignored ("arn:aws-cn:s3:::b/" is the bucket b).
Values are resolved through `iacguard.facts.arns.resolve` (a selector value
`"${aws_s3_bucket.data.arn}/"` / `!Sub "${Data.Arn}/"` is the bucket's ARN when its name is known);
a value still not known makes the answer Unknown where it could decide.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import AttributeUnknown, PartialUnknown, Unknown, is_unknown
from .arns import arn_of, resolve
from .common import managed, strings

ALL, PART, NONE = 2, 1, 0

_TF = {"basic": "event_selector", "advanced": "advanced_event_selector", "rw": "read_write_type",
       "data": "data_resource", "type": "type", "values": "values", "fields": "field_selector", "field": "field",
       "ops": {"equals": "Equals", "starts_with": "StartsWith", "ends_with": "EndsWith", "not_equals": "NotEquals",
               "not_starts_with": "NotStartsWith", "not_ends_with": "NotEndsWith"}}
_CFN = {"basic": "EventSelectors", "advanced": "AdvancedEventSelectors", "rw": "ReadWriteType",
        "data": "DataResources", "type": "Type", "values": "Values", "fields": "FieldSelectors", "field": "Field",
        "ops": {k: k for k in ("Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith")}}
_PARTITION = re.compile(r"^arn:[^:]*:")
_POSITIVE = ("Equals", "StartsWith", "EndsWith")


@dataclass(frozen=True, slots=True)
class Selector:
    """One selector that may record S3 object events, as read from the source.

    reads / writes: whether it records reads / writes (True, False or an Unknown);
    arn_ops: ((operator, values), ...) on the object ARN: basic selectors give ("Basic", values);
      None: every bucket;
    other: ALL, or PART when other fields filter its events, or an Unknown;
    location: where the selector is written."""

    reads: Any
    writes: Any
    arn_ops: tuple | None
    other: Any
    location: Location


@dataclass(frozen=True, slots=True)
class TrailS3Selectors:
    resource: Resource
    selectors: tuple  # of Selector
    unknown: Any  # an Unknown when the selector list itself cannot be read, else None
    location: Location


@dataclass(frozen=True, slots=True)
class DataEventBucket:
    resource: Resource
    name: Any  # str | None (generated) | Unknown
    prefix: Any  # "arn:aws:s3:::name/" | Unknown (generated or unknown name; pieces kept when known)


def data_event_buckets(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, "aws_s3_bucket", "AWS::S3::Bucket"):
        name = res.get("bucket" if res.language == "terraform" else "BucketName")
        arn = arn_of(graph, res)
        if isinstance(arn, str):
            prefix = _norm(arn) + "/"
        elif isinstance(arn, PartialUnknown) and arn.partial_text is not None:
            prefix = PartialUnknown(arn.reason, partial_text=tuple(arn.partial_text) + ("/",))
        else:
            prefix = PartialUnknown(arn.reason if is_unknown(arn) else "ARN not known", partial_text=(arn, "/"))
        out.append(DataEventBucket(res, name if isinstance(name, str) or is_unknown(name) else None, prefix))
    return out


def trail_s3_selectors(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, "aws_cloudtrail", "AWS::CloudTrail::Trail"):
        names = _TF if res.language == "terraform" else _CFN
        advanced = res.properties.get(names["advanced"])
        basic = res.properties.get(names["basic"])
        if is_unknown(advanced) or (advanced not in (None, [], {})):
            key, read = names["advanced"], _advanced
            value = advanced
        else:
            key, read = names["basic"], _basic
            value = basic
        where = res.location_of(key) if value is not None else res.location
        if is_unknown(value):
            out.append(TrailS3Selectors(res, (), value, where))
            continue
        selectors = []
        unknown = None
        for i, sel in enumerate(_items(value)):
            if is_unknown(sel):
                unknown = unknown or sel
                continue
            if isinstance(sel, dict):
                selectors.extend(read(graph, res, names, key, i, sel))
        out.append(TrailS3Selectors(res, tuple(selectors), unknown, where))
    return out


def _items(value) -> list:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return value
    return []


def _norm(value: str) -> str:
    return _PARTITION.sub("arn:aws:", value)


def _values(graph, raw) -> tuple:
    """Known strings (partition normalised) and Unknowns (resolved as far as the table can)."""
    if is_unknown(raw):
        return (resolve(graph, raw),)
    out = []
    for v in strings(raw):
        v = resolve(graph, v)
        out.append(_norm(v) if isinstance(v, str) else v)
    return tuple(out)


def _basic(graph, res: Resource, names: dict, key: str, i: int, sel: dict) -> list:
    rw = sel.get(names["rw"], "All")
    if is_unknown(rw):
        reads = writes = rw
    else:
        reads, writes = rw in ("All", "ReadOnly"), rw in ("All", "WriteOnly")
    out = []
    resources = sel.get(names["data"])
    if is_unknown(resources):
        return [Selector(reads, writes, (("Basic", (resources,)),), ALL, res.location_of(key, i, names["data"]))]
    for j, dr in enumerate(_items(resources)):
        loc = res.location_of(key, i, names["data"], j)
        if is_unknown(dr):
            out.append(Selector(reads, writes, (("Basic", (dr,)),), ALL, loc))
            continue
        if not isinstance(dr, dict):
            continue
        rtype = dr.get(names["type"])
        if is_unknown(rtype):
            out.append(Selector(reads, writes, None, rtype, loc))
        elif rtype == "AWS::S3::Object":
            out.append(Selector(reads, writes, (("Basic", _values(graph, dr.get(names["values"]))),), ALL, loc))
    return out


def _advanced(graph, res: Resource, names: dict, key: str, i: int, sel: dict) -> list:
    loc = res.location_of(key, i)
    fields = sel.get(names["fields"])
    if is_unknown(fields):
        return [Selector(fields, fields, None, fields, loc)]
    by_field: dict = {}
    for fs in _items(fields):
        if is_unknown(fs):
            return [Selector(fs, fs, None, fs, loc)]
        if not isinstance(fs, dict):
            continue
        field = fs.get(names["field"])
        if is_unknown(field):
            return [Selector(field, field, None, field, loc)]
        ops = by_field.setdefault(field, [])
        for tf_op, op in names["ops"].items():
            if fs.get(tf_op) is not None:
                ops.append((op, _values(graph, fs.get(tf_op))))
    category = _positive(by_field.get("eventCategory"), "Data")
    rtype = _positive(by_field.get("resources.type"), "AWS::S3::Object")
    if category is False or rtype is False:
        return []
    gate = category if is_unknown(category) else rtype if is_unknown(rtype) else ALL
    reads, writes = _read_only(by_field.get("readOnly"))
    other = ALL
    for field, ops in by_field.items():
        if field in ("eventCategory", "resources.type", "resources.ARN", "readOnly"):
            continue
        values = [v for _, vs in ops for v in vs]
        unknown = next((v for v in values if is_unknown(v)), None)
        if unknown is not None:
            other = _and(other, unknown)
        elif not (field == "eventSource" and ops == [("Equals", ("s3.amazonaws.com",))]):
            other = _and(other, PART)
    arn_ops = by_field.get("resources.ARN")
    return [Selector(reads, writes, tuple(arn_ops) if arn_ops is not None else None, _and(gate, other), loc)]


def _positive(ops, wanted: str):
    """Whether a field's conditions let `wanted` through: True, False, or an Unknown. A field
    that is not there lets nothing through (CloudTrail requires eventCategory and resources.type
    for data events)."""
    if ops is None:
        return False
    answer: Any = True
    for op, values in ops:
        unknown = next((v for v in values if is_unknown(v)), None)
        if unknown is not None:
            answer = unknown
            continue
        if op == "Equals" and wanted not in values:
            return False
        if op == "NotEquals" and wanted in values:
            return False
        if op == "StartsWith" and not any(wanted.startswith(v) for v in values):
            return False
        if op == "NotStartsWith" and any(wanted.startswith(v) for v in values):
            return False
    return answer


def _read_only(ops) -> tuple:
    """(reads, writes) the `readOnly` field lets through."""
    if not ops:
        return True, True
    reads: Any = True
    writes: Any = True
    for op, values in ops:
        unknown = next((v for v in values if is_unknown(v)), None)
        if unknown is not None:
            return unknown, unknown
        vals = {str(v).lower() for v in values}
        if op == "Equals":
            reads = reads is True and "true" in vals
            writes = writes is True and "false" in vals
        elif op == "NotEquals":
            reads = reads is True and "true" not in vals
            writes = writes is True and "false" not in vals
    return reads, writes


# --- three-valued coverage: ALL / PART / NONE, or an Unknown ----------------------------------

def _or(a, b):
    if a == ALL and not is_unknown(a) or b == ALL and not is_unknown(b):
        return ALL
    if is_unknown(a):
        return a
    if is_unknown(b):
        return b
    return max(a, b)


def _and(a, b):
    if not is_unknown(a) and a == NONE or not is_unknown(b) and b == NONE:
        return NONE
    if is_unknown(a):
        return a
    if is_unknown(b):
        return b
    return min(a, b)


def _same_symbols(value, prefix) -> bool:
    """True when an unknown selector value is, piece by piece, the unknown prefix of a bucket
    (both name the same generated bucket name or ARN symbol)."""
    a = getattr(value, "partial_text", None)
    b = getattr(prefix, "partial_text", None)
    if a is None or b is None or len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(x, str) and isinstance(y, str):
            if _norm(x) != _norm(y) and x != y:
                return False
        elif isinstance(x, AttributeUnknown) and isinstance(y, AttributeUnknown):
            if (x.node, x.attribute) != (y.node, y.attribute):
                return False
        else:
            return False
    return True


def _pieces(value) -> tuple:
    text = getattr(value, "partial_text", None)
    return tuple(text) if text is not None else (value,)


def _apart(value, prefix, scope) -> bool:
    """True when an unknown selector value or bucket prefix surely names another bucket's objects:
    their leading known texts differ, or the value is another bucket's (symbolic) name or ARN
    followed by "/" (two bucket resources are two buckets). `scope`: (this bucket's node id, the
    node ids of every bucket of the scan)."""
    a, b = _pieces(value), _pieces(prefix)
    if isinstance(a[0], str) and isinstance(b[0], str):
        x, y = _norm(a[0]), _norm(b[0])
        if not (x.startswith(y) or y.startswith(x)):
            return True
    me, buckets = scope
    for i, piece in enumerate(a[:-1]):
        if isinstance(piece, AttributeUnknown) and piece.node != me and piece.node in buckets:
            nxt = a[i + 1]
            if isinstance(nxt, str) and nxt.startswith("/"):
                return True
    return False


def _basic_value(v, prefix, scope):
    """How much of the bucket whose object ARN prefix is `prefix` one basic selector value covers."""
    if v in ("arn:aws:s3", "arn:aws:s3:::"):
        return ALL
    if is_unknown(v) or is_unknown(prefix):
        if is_unknown(v) and _same_symbols(v, prefix):
            return ALL
        if _apart(v, prefix, scope):
            return NONE
        return v if is_unknown(v) else prefix
    if not v.startswith("arn:aws:s3:::"):
        return NONE
    bucket_arn = prefix[:-1]
    if v == bucket_arn or v == prefix:
        return ALL
    return PART if v.startswith(prefix) else NONE


def _arn_value(op: str, v, prefix, scope):
    """One value of an advanced `resources.ARN` condition against every object of the bucket."""
    if is_unknown(v) or is_unknown(prefix):
        if op in ("StartsWith", "NotStartsWith") and is_unknown(v) and _same_symbols(v, prefix):
            return ALL if op == "StartsWith" else NONE
        if op in ("StartsWith", "Equals", "NotStartsWith", "NotEquals") and _apart(v, prefix, scope):
            return NONE if op in ("StartsWith", "Equals") else ALL
        return v if is_unknown(v) else prefix
    inside = v.startswith(prefix) and v != prefix
    if op == "StartsWith":
        return ALL if prefix.startswith(v) else PART if inside else NONE
    if op == "NotStartsWith":
        return NONE if prefix.startswith(v) else PART if inside else ALL
    if op == "Equals":
        return PART if inside else NONE
    if op == "NotEquals":
        return PART if inside else ALL
    if op == "EndsWith":
        return ALL if v == "" else PART
    if op == "NotEndsWith":
        return NONE if v == "" else PART
    return PART


def _arn_coverage(arn_ops, prefix, scope):
    if arn_ops is None:
        return ALL
    answer = ALL
    for op, values in arn_ops:
        if op == "Basic" or op in _POSITIVE:
            one = NONE
            for v in values:
                one = _or(one, _basic_value(v, prefix, scope) if op == "Basic" else _arn_value(op, v, prefix, scope))
        else:
            one = ALL
            for v in values:
                one = _and(one, _arn_value(op, v, prefix, scope))
        answer = _and(answer, one)
    return answer


def _gate(flag):
    return flag if is_unknown(flag) else (ALL if flag is True else NONE)


def coverage(fact: TrailS3Selectors, prefix, scope: tuple = ("", frozenset())) -> tuple:
    """((reads, location), (writes, location)): how much of the reads and of the writes of the
    objects under `prefix` the trail's selectors record (ALL, PART, NONE or an Unknown), each
    with the location of the selector that decides it (the trail's selectors otherwise).
    `scope`: (the bucket's node id, the node ids of every bucket of the scan)."""
    reads = writes = NONE
    read_loc = write_loc = fact.location
    if fact.unknown is not None:
        reads = writes = fact.unknown
    for sel in fact.selectors:
        base = _and(_arn_coverage(sel.arn_ops, prefix, scope), sel.other)
        r = _and(base, _gate(sel.reads))
        w = _and(base, _gate(sel.writes))
        if _better(r, reads):
            reads, read_loc = _or(reads, r), sel.location
        if _better(w, writes):
            writes, write_loc = _or(writes, w), sel.location
    return (reads, read_loc), (writes, write_loc)


def _better(new, old) -> bool:
    """Whether `new` improves on `old` in an OR (so its selector is the one to point at)."""
    if is_unknown(old):
        return not is_unknown(new) and new == ALL
    if is_unknown(new):
        return old != ALL
    return new > old
