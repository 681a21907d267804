"""Which events a CloudTrail trail records: management events, and S3 object-level (data)
events, read from its event selectors (kind "trail_events").

A trail with no selectors records all management events and no data events. Basic selectors
(`event_selector` / `EventSelectors`) record management events unless every one of them sets
`include_management_events` / `IncludeManagementEvents` to false (the default is true), and S3
data events for the `AWS::S3::Object` values of their data resources. Advanced selectors
(`advanced_event_selector` / `AdvancedEventSelectors`) replace the basic ones: a selector whose
`eventCategory` equals `Management` records management events; one whose `eventCategory` equals
`Data` and `resources.type` equals `AWS::S3::Object` records S3 data events. A selector list or a
field that is not known leaves the answer Unknown.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import ResourceGraph
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import Attr, managed, strings

_TF = {"basic": "event_selector", "advanced": "advanced_event_selector", "include": "include_management_events",
       "data": "data_resource", "type": "type", "values": "values", "fields": "field_selector", "field": "field", "equals": "equals"}
_CFN = {"basic": "EventSelectors", "advanced": "AdvancedEventSelectors", "include": "IncludeManagementEvents",
        "data": "DataResources", "type": "Type", "values": "Values", "fields": "FieldSelectors", "field": "Field", "equals": "Equals"}


@dataclass(frozen=True, slots=True)
class TrailEvents:
    """A CloudTrail trail's management events and S3 data events."""

    resource: Resource
    management_events: Attr  # True: records management events; False: every selector excludes them
    s3_data_events: Attr  # True: records S3 object-level events (for some buckets at least)


def trail_events(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, "aws_cloudtrail", "AWS::CloudTrail::Trail"):
        names = _TF if res.language == "terraform" else _CFN
        advanced = res.properties.get(names["advanced"])
        basic = res.properties.get(names["basic"])
        if _present(advanced):
            out.append(TrailEvents(res, *_advanced(res, names, advanced)))
        elif _present(basic):
            out.append(TrailEvents(res, *_basic(res, names, basic)))
        else:
            out.append(TrailEvents(res, Attr(True, res.location, False), Attr(False, res.location, False)))
    return out


def _present(value) -> bool:
    return is_unknown(value) or (value not in (None, [], {}))


def _items(value) -> list:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return value
    return []


def _any(values: list, res: Resource, absent_loc: Location) -> Attr:
    """True if any (value, location) is True, else Unknown if any is Unknown, else False."""
    unknown = None
    first_false = None
    for value, loc in values:
        if value is True:
            return Attr(True, loc, True)
        if is_unknown(value) and unknown is None:
            unknown = Attr(value, loc, True)
        if value is False and first_false is None:
            first_false = loc
    return unknown or Attr(False, first_false or absent_loc, True)


def _basic(res: Resource, names: dict, selectors) -> tuple:
    key = names["basic"]
    if is_unknown(selectors):
        attr = Attr(selectors, res.location_of(key), True)
        return attr, attr
    mgmt, data = [], []
    for i, sel in enumerate(_items(selectors)):
        if is_unknown(sel):
            mgmt.append((sel, res.location_of(key, i)))
            data.append((sel, res.location_of(key, i)))
            continue
        if not isinstance(sel, dict):
            continue
        raw = sel.get(names["include"])
        if raw is None:
            mgmt.append((True, res.location_of(key, i)))
        else:
            mgmt.append((as_bool(raw), res.location_of(key, i, names["include"])))
        resources = sel.get(names["data"])
        if is_unknown(resources):
            data.append((resources, res.location_of(key, i, names["data"])))
            continue
        for j, dr in enumerate(_items(resources)):
            loc = res.location_of(key, i, names["data"], j)
            if is_unknown(dr) or not isinstance(dr, dict):
                data.append((dr if is_unknown(dr) else False, loc))
                continue
            rtype = dr.get(names["type"])
            if is_unknown(rtype):
                data.append((rtype, loc))
            elif rtype == "AWS::S3::Object":
                values = strings(dr.get(names["values"]))
                data.append((True if values else Unknown("no S3 object values"), loc))
    where = res.location_of(key)
    return _any(mgmt, res, where), _any(data, res, where)


def _equals(selector: dict, names: dict, field: str):
    """The `Equals` values of a field of an advanced selector: a list of strings, None when the
    field is not there, an Unknown when the selector cannot be read."""
    fields = selector.get(names["fields"])
    if is_unknown(fields):
        return fields
    for fs in _items(fields):
        if is_unknown(fs):
            return fs
        if not isinstance(fs, dict):
            continue
        name = fs.get(names["field"])
        if is_unknown(name):
            return name
        if name == field:
            equals = fs.get(names["equals"])
            if is_unknown(equals):
                return equals
            vals = strings(equals)
            unknown = next((v for v in vals if is_unknown(v)), None)
            return unknown if unknown is not None else vals
    return None


def _advanced(res: Resource, names: dict, selectors) -> tuple:
    key = names["advanced"]
    if is_unknown(selectors):
        attr = Attr(selectors, res.location_of(key), True)
        return attr, attr
    mgmt, data = [], []
    for i, sel in enumerate(_items(selectors)):
        loc = res.location_of(key, i)
        if is_unknown(sel):
            mgmt.append((sel, loc))
            data.append((sel, loc))
            continue
        if not isinstance(sel, dict):
            continue
        category = _equals(sel, names, "eventCategory")
        if is_unknown(category):
            mgmt.append((category, loc))
            data.append((category, loc))
            continue
        category = category or []
        mgmt.append(("Management" in category, loc))
        if "Data" in category:
            rtype = _equals(sel, names, "resources.type")
            if is_unknown(rtype):
                data.append((rtype, loc))
            else:
                data.append(("AWS::S3::Object" in (rtype or []), loc))
    where = res.location_of(key)
    return _any(mgmt, res, where), _any(data, res, where)
