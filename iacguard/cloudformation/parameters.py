"""Template parameters: values given on the command line or in files, and typing them.

Owns reading `--cfn-param KEY=VALUE` and `--cfn-params FILE` (the AWS CLI list form
`[{"ParameterKey": .., "ParameterValue": ..}]`, the `{"Parameters": {..}}` form of CodePipeline
template configurations, and a list of `KEY=VALUE` strings), and turning a raw value into what
`Ref` gives for the parameter's declared type.
"""
from __future__ import annotations

import json

import yaml

from iacguard.core.model import Notification
from iacguard.core.unknown import Unknown


def _raw(value) -> object:
    """Override values arrive as strings; lists (CommaDelimitedList given as a list) stay lists."""
    if isinstance(value, list):
        return [_raw(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def parse_assignments(items) -> dict:
    """`{"K": "V"}` or `["K=V", ...]` -> dict of raw values."""
    if isinstance(items, dict):
        return {str(k): _raw(v) for k, v in items.items()}
    out = {}
    for item in items or ():
        key, sep, value = str(item).partition("=")
        if sep:
            out[key.strip()] = value
    return out


def read_parameter_file(path: str) -> dict:
    """The parameter values in a file; raises ValueError with a reason for anything unreadable."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except OSError as exc:
        raise ValueError(exc.strerror or str(exc)) from None
    try:
        data = json.loads(text)
    except ValueError:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError("neither JSON nor YAML (%s)" % str(exc).splitlines()[0]) from None
    if isinstance(data, dict) and "Parameters" in data:
        data = data["Parameters"]
    if isinstance(data, dict):
        return {str(k): _raw(v) for k, v in data.items()}
    if isinstance(data, list):
        out = {}
        for item in data:
            if isinstance(item, dict) and "ParameterKey" in item:
                if "ParameterValue" in item:
                    out[str(item["ParameterKey"])] = _raw(item["ParameterValue"])
            elif isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                out[key.strip()] = value
            else:
                raise ValueError("list items must be {ParameterKey, ParameterValue} or KEY=VALUE")
        return out
    raise ValueError("expected a list of {ParameterKey, ParameterValue} or {\"Parameters\": {...}}")


def load_overrides(options) -> tuple[dict, list]:
    """Values from --cfn-params files (in order), then --cfn-param (which wins)."""
    values: dict = {}
    notes: list = []
    for path in getattr(options, "cfn_param_files", None) or ():
        try:
            values.update(read_parameter_file(path))
        except ValueError as exc:
            notes.append(Notification("error", "cannot read CloudFormation parameter file %s: %s" % (path, exc), path))
    values.update(parse_assignments(getattr(options, "cfn_params", None) or {}))
    return values, notes


def _parameter_file_lines(path: str) -> dict:
    """Parameter name -> Location of the entry that sets it in a parameter file, for the forms
    `read_parameter_file` reads; {} when the file cannot be read (that is reported already)."""
    from iacguard.core.model import line_end_columns, span_location
    from .json_reader import read_json
    from .source_lines import TemplateError
    from .yaml_reader import read_yaml

    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
        try:
            decoded = read_json(text)
        except TemplateError:
            decoded = read_yaml(text)[0]
    except (OSError, ValueError, TemplateError):
        return {}
    data, lines, prefix = decoded.data, decoded.lines, ()
    ends = line_end_columns(text)
    if isinstance(data, dict) and "Parameters" in data:
        data, prefix = data["Parameters"], ("Parameters",)
    out: dict = {}
    if isinstance(data, dict):
        items = [(str(k), prefix + (k,)) for k in data]
    elif isinstance(data, list):
        items = []
        for i, item in enumerate(data):
            if isinstance(item, dict) and "ParameterKey" in item and "ParameterValue" in item:
                items.append((str(item["ParameterKey"]), prefix + (i, "ParameterValue")))
            elif isinstance(item, str) and "=" in item:
                items.append((item.partition("=")[0].strip(), prefix + (i,)))
    else:
        items = []
    for name, where in items:
        span = lines.get(where) or lines.get(where[:-1])
        if span is not None:
            out[name] = span_location(path, span[0], span[1], ends)
    return out


def override_locations(options) -> dict:
    """Parameter name -> Location of the parameter file line whose value applies (the last file
    setting it); a name also given with --cfn-param has no line to point at, so it is left out."""
    out: dict = {}
    for path in getattr(options, "cfn_param_files", None) or ():
        out.update(_parameter_file_lines(path))
    for name in parse_assignments(getattr(options, "cfn_params", None) or {}):
        out.pop(name, None)
    return out


def no_echo(declaration) -> bool:
    """Whether a parameter declaration has `NoEcho: true` (also the string "true", as the
    CloudFormation service accepts): its value is never printed (iacguard.post.redact)."""
    if not isinstance(declaration, dict):
        return False
    flag = declaration.get("NoEcho")
    return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")


def _number(text):
    try:
        return int(text)
    except ValueError:
        return float(text)


def typed_value(name: str, ptype: str, raw) -> tuple[object, str | None]:
    """(value `Ref` gives, problem or None) for a raw parameter value of the declared type.

    Number parameters become numbers (CloudFormation hands them on as strings; numbers are what
    checks compare). List types split on commas, trimming spaces as CloudFormation does.
    """
    if isinstance(raw, Unknown):
        return raw, None
    if ptype.startswith("AWS::SSM::Parameter::Value<"):
        return Unknown("parameter %s is read from SSM Parameter Store at deploy" % name), None
    if ptype.startswith("List<") or ptype == "CommaDelimitedList":
        if isinstance(raw, list):
            if any(isinstance(v, (list, dict)) for v in raw):
                return Unknown("parameter %s has a nested list value" % name), "parameter %s: expected a list of scalars" % name
            items = [_raw(v) for v in raw]
        else:
            text = _raw(raw)
            items = [part.strip() for part in text.split(",")] if text != "" else []
        if ptype == "List<Number>":
            try:
                return [_number(i) for i in items], None
            except ValueError:
                return items, "parameter %s: %r is not a list of numbers" % (name, raw)
        return items, None
    if ptype == "Number":
        if isinstance(raw, bool):
            return raw, "parameter %s: %r is not a number" % (name, raw)
        if isinstance(raw, (int, float)):
            return raw, None
        try:
            return _number(str(raw).strip()), None
        except ValueError:
            return _raw(raw), "parameter %s: %r is not a number" % (name, raw)
    if isinstance(raw, (list, dict)):
        return Unknown("parameter %s has a non-scalar value" % name), "parameter %s: expected a string" % name
    return _raw(raw), None


def allowed(value, allowed_values) -> bool:
    """Whether a (typed) value is among AllowedValues; list values check each item."""
    if not isinstance(allowed_values, list) or isinstance(value, Unknown):
        return True
    texts = {_raw(v) for v in allowed_values if not isinstance(v, (list, dict))}
    items = value if isinstance(value, list) else [value]
    return all(v in allowed_values if isinstance(v, (list, dict)) else _raw(_plain_number(v)) in texts or v in allowed_values
               for v in items)


def _plain_number(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v
