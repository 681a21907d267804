"""Secrets found in text: EC2 user data (the kind "user_data_secret", AWS-EC2-900) and AWS access
key ids and private keys in any resource property (the kind "embedded_secret", AWS-GEN-900).

What a text holds (`scan_text`), with bounded work whatever the input:
- an AWS access key id: `AKIA` (long-term) or `ASIA` (temporary) and 16 upper-case letters or
  digits, standing alone. AWS's documented example key `AKIAIOSFODNN7EXAMPLE` (and any key id
  ending in `EXAMPLE`) is not a secret and is not reported;
- a private key: a `-----BEGIN ... PRIVATE KEY-----` line followed by key material (a script that
  only greps for the header is not reported);
- an assignment of a literal value to a name that says it is a secret (the name rule of the other
  secrets checks, iacguard.facts.identity_secrets_literals.secret_name): `DB_PASSWORD=...`,
  `export API_TOKEN="..."`, `password: ...` (cloud-config), `"client_secret": "..."`,
  `--password=...`, `aws_secret_access_key = ...`. A value from the shell or elsewhere (`$VAR`,
  `$(aws secretsmanager ...)`, `{{resolve:...}}`, `%s`, `<password>`), a path or a URL (it says
  where a secret is), a placeholder (`changeme`), a boolean, or a value of fewer than 4 characters
  is not reported. AWS's documented example secret key is not reported either.
Only the first 256 KiB of a text are read, and a base64 text (user data is sent base64-encoded:
`base64encode()`, `user_data_base64`, a launch template's `user_data`) is decoded first, gzip
included, to at most 1 MiB.

Where the text comes from decides as for the other secrets checks: a known value is written in the
code (the resource, a local, a module argument, a tfvars file, a default); a piece interpolated
from a variable, a parameter or another resource (`${var.db_password}`, `!Sub ${DbPassword}`)
is not; a value that is not known at all and that nothing explains is undecided.

Messages show at most the first four characters of a value and its length (`shown`).
"""
from __future__ import annotations

import base64
import binascii
import math
import re
import zlib
from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from .common import managed
from .identity_secrets_literals import (
    CONTAINER_TYPES, FUNCTION_TYPES, SSM_TYPES, _PATHS, _fact, _origin, _unknown_container, placeholder, secret_name, shown,
)
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import is_unknown

MAX_TEXT = 256 * 1024
MAX_DECODED = 1024 * 1024
MAX_HITS = 3  # described in one finding; more are counted
_SENTINEL = "\x00"  # stands for a piece of a text that is not known (an interpolated variable)

# AWS's documented example credentials (IAM User Guide, "Managing access keys"): not secrets.
EXAMPLE_SECRET_KEYS = ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY")
_ACCESS_KEY = re.compile(r"(?<![A-Za-z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Za-z0-9])")
_PRIVATE_KEY = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?)-----[ \t]*\r?\n(?:[A-Za-z-]+:[^\n]*\n|\s)*[A-Za-z0-9+/=]{32}")
_VALUE = r"(?P<value>\"[^\"\n]*\"|'[^'\n]*'|[^\s\"';&|,}\])]+)"
_ASSIGN = re.compile(r"(?<![A-Za-z0-9_$])(?P<name>[A-Za-z][A-Za-z0-9_.-]{0,80})[\"']?[ \t]*(?P<sep>=|:)[ \t]*" + _VALUE)
_FLAG = re.compile(r"(?<![A-Za-z0-9_-])--(?P<name>[A-Za-z][A-Za-z0-9_-]{0,80})[ \t]+" + _VALUE)
_IDENTIFIER = re.compile(r"^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+)$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/\s]+={0,2}\s*$")
_NOT_LITERAL_START = ("$", "%", "{{", "<", "`", "@", _SENTINEL)
_WHERE_PREFIXES = ("/", "./", "../", "~/", "s3://", "http://", "https://", "file://", "arn:", "ssm:", "secretsmanager:")
_NOT_VALUES = {"true", "false", "yes", "no", "on", "off", "none", "null", "nil", "undefined", "required", "optional", "string"}


def decode_base64(text: str) -> str | None:
    """The text a base64 string stands for (gunzipped when it is gzip), or None when it is not
    base64 of text. Bounded: at most MAX_TEXT characters read, MAX_DECODED bytes produced."""
    compact = "".join(text[:MAX_TEXT].split())
    if len(compact) < 8 or len(compact) % 4 or not _BASE64.match(compact):
        return None
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    if data[:2] == b"\x1f\x8b":
        try:
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, MAX_DECODED)
        except zlib.error:
            return None
    try:
        decoded = data[:MAX_DECODED].decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(1 for c in decoded[:4096] if c.isprintable() or c in "\r\n\t")
    return decoded if decoded and printable >= 0.95 * min(len(decoded), 4096) else None


def _literal_value(value: str) -> str | None:
    """The value of an assignment when it is a literal secret, else None."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    value = value.strip()
    if len(value) < 4 or _SENTINEL in value or value.startswith(_NOT_LITERAL_START) or value.startswith(_WHERE_PREFIXES):
        return None
    if value.lower() in _NOT_VALUES or placeholder(value) or value in EXAMPLE_SECRET_KEYS or "${" in value:
        return None
    return value


def scan_text(text: str, assignments: bool = True) -> list:
    """What `text` holds, as descriptions that show no more than `shown` does: access key ids,
    private keys and (with `assignments`) literal values given to names that say secret."""
    text = text[:MAX_TEXT]
    hits: list = []
    if "AKIA" in text or "ASIA" in text:
        for m in _ACCESS_KEY.finditer(text):
            key = m.group(1)
            if not key.endswith("EXAMPLE"):
                hits.append("an AWS access key id %s" % shown(key))
    if "PRIVATE KEY" in text:
        for m in _PRIVATE_KEY.finditer(text):
            hits.append("a private key (%s)" % m.group(1))
    if assignments:
        seen = set()
        for regex in (_ASSIGN, _FLAG):
            for m in regex.finditer(text):
                name = m.group("name")
                if not secret_name(name.rsplit(".", 1)[-1]):
                    continue
                value = _literal_value(m.group("value"))
                if value is not None and (name, value) not in seen:
                    seen.add((name, value))
                    hits.append("%s set to %s" % (name, shown(value)))
    return hits


def entropy(value: str) -> float:
    """Shannon entropy of a string, in bits per character."""
    if not value:
        return 0.0
    counts: dict = {}
    for c in value:
        counts[c] = counts.get(c, 0) + 1
    n = len(value)
    return -sum(k / n * math.log2(k / n) for k in counts.values())


def high_entropy(value: str) -> bool:
    """A random-looking secret: at least 16 characters, no spaces, at least two kinds of
    characters (letters, digits, symbols) and at least 3.5 bits of entropy per character."""
    if not isinstance(value, str) or len(value) < 16 or len(value) > 4096 or any(c.isspace() for c in value):
        return False
    if _IDENTIFIER.match(value) or value.startswith(_WHERE_PREFIXES) or placeholder(value):
        return False  # CONSTANT_STYLE names (ALLOW_USER_PASSWORD_AUTH), paths, URLs, ARNs
    classes = sum((any(c.isalpha() for c in value), any(c.isdigit() for c in value), any(not c.isalnum() for c in value)))
    return classes >= 2 and entropy(value) >= 3.5


def _text_of(raw: Any) -> str | None:
    """The text of a value, unknown pieces as the sentinel; None when nothing of it is known."""
    if isinstance(raw, str):
        return raw
    pieces = getattr(raw, "partial_text", None)
    if pieces is not None:
        return "".join(p if isinstance(p, str) else _SENTINEL for p in pieces)
    return None


def describe(hits: list) -> str:
    more = len(hits) - MAX_HITS
    return ", ".join(hits[:MAX_HITS]) + (" and %d more" % more if more > 0 else "")


# --- user data ---------------------------------------------------------------------------------

# type -> the paths of its user data. Terraform's aws_instance / aws_launch_configuration /
# aws_spot_instance_request take plain text in `user_data` and base64 in `user_data_base64`; a
# launch template's `user_data` is base64. CloudFormation's UserData is base64 (`Fn::Base64`,
# whose plain text the evaluator keeps). Every text is read as it is and, when it is base64, decoded.
USER_DATA_PATHS = {
    "aws_instance": (("user_data",), ("user_data_base64",)),
    "aws_spot_instance_request": (("user_data",), ("user_data_base64",)),
    "aws_launch_configuration": (("user_data",), ("user_data_base64",)),
    "aws_launch_template": (("user_data",),),
    "AWS::EC2::Instance": (("UserData",),),
    "AWS::AutoScaling::LaunchConfiguration": (("UserData",),),
    "AWS::EC2::LaunchTemplate": (("LaunchTemplateData", "UserData"),),
}


@dataclass(frozen=True)
class TextSecret:
    """A secret found in free text of a resource (user data, scripts, environment)."""

    resource: Resource
    setting: str | None  # the property ("user_data", "Environment.Variables.KEY"); None: the resource holds none
    literal: Any  # True: written in the code; False: not (or nothing found); Unknown: undecided
    location: Location
    found: str = ""  # what was found, as `describe` says it (never a value beyond `shown`)
    origin: str = ""  # where the value comes from when not the property itself


def _text_fact(graph: ResourceGraph, res: Resource, path: tuple, raw: Any, assignments: bool = True) -> TextSecret | None:
    label = ".".join(str(p) for p in path)
    text = _text_of(raw)
    if text is None:
        if not is_unknown(raw):
            return None
        fact = _fact(graph, res, "user_data", path, raw, label)  # from outside the code, or undecided
        return TextSecret(res, label, fact.literal, fact.location, "", fact.origin) if fact.literal is not False else None
    decoded = decode_base64(text) if isinstance(raw, str) else None
    hits = scan_text(decoded if decoded is not None else text, assignments)
    if not hits:
        return None
    given, set_at, origin = _origin(graph, res, path)
    return TextSecret(res, label, True, set_at or res.location_of(*path), describe(hits), origin if given else "")


def user_data_secrets(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, *USER_DATA_PATHS):
        facts = []
        for path in USER_DATA_PATHS[res.type]:
            whole = _unknown_container(graph, res, "user_data", path[:-1]) if len(path) > 1 else None
            if whole is not None:
                facts.append(TextSecret(res, whole.setting, whole.literal, whole.location))
                continue
            raw = res.get(*path)
            if raw is None:
                continue
            fact = _text_fact(graph, res, path, raw)
            if fact is not None:
                facts.append(fact)
        out.extend(facts or [TextSecret(res, None, False, res.location)])
    return out


# --- any property ------------------------------------------------------------------------------

def _covered(res: Resource, path: tuple) -> bool:
    """Whether another secrets check reads the value at `path` of `res` (user data: AWS-EC2-900;
    database passwords, auth tokens, environments named like secrets, SSM parameters:
    AWS-RDS-701 and its siblings), so that one value is reported once."""
    rule = _COVERING.get(res.type)
    if rule is None:
        rule = _COVERING[res.type] = _covering(res.type)
    prefixes, tail = rule
    for p in prefixes:
        if path[: len(p)] == p:
            return True
    if tail is _SSM:
        return path[:1] in (("value",), ("insecure_value",), ("Value",))
    if tail is _ENVIRONMENT:
        # environment entries named like secrets (ECS: {"Name": ..., "Value": ...} items)
        return any(isinstance(p, str) and secret_name(p) for p in path)
    return False


_SSM, _ENVIRONMENT = "ssm", "environment"
# resource type -> (the path prefixes other secrets checks read, in the order _covered asks them,
# and what else covers a path of that type): made once per type, not per value asked about
# (an embedded_secrets scan asks for every Unknown of every resource).
_COVERING: dict = {}


def _covering(type_: str) -> tuple:
    prefixes = list(USER_DATA_PATHS.get(type_, ()))
    for paths in _PATHS.values():
        prefixes.extend(paths.get(type_, ()))
    if type_ in SSM_TYPES:
        tail = _SSM
    elif type_ in FUNCTION_TYPES or type_ in CONTAINER_TYPES:
        tail = _ENVIRONMENT
    else:
        tail = None
    return tuple(prefixes), tail


# Unknowns that are values by design, of the deployment, or of a reference that could not be
# followed (reasons given by the evaluators: iacguard.terraform, iacguard.cloudformation): none is
# text of the code left unevaluated. What remains (a function not supported offline, invalid
# arguments, a malformed or too deeply nested expression, no template renderer...) may hide a
# literal of the code, and is undecided unless a variable, parameter or resource explains it.
_BY_DESIGN = ("uuid()", "timestamp()", "plantimestamp()", "bcrypt(", "availability zones are known at deploy",
              "known only after apply", "attribute ", "physical id of ", "value imported from another stack",
              "instances of an unknown", "each of ", "count.index of an unknown", "element of an unknown",
              "variable ", "parameter ", "policy template parameter ", "output ", "nested stack ", "module ",
              "macro ", "Serverless Application Repository", "SAM policy template", "condition ", "conditions chained",
              "circular ", "cycle ", "no ", "undefined ", "Ref to undefined", "Fn::GetAtt of undefined", "index ",
              "Fn::Select index", "unknown pseudo parameter", "pathexpand", "for_each key", "dynamic key")
_BY_DESIGN_IN = ("of an unknown value", "no file exists", "is generated by SAM", "is known after deploy", "is known at deploy",
                 "is uploaded at package time")


def _from_outside(graph: ResourceGraph, res: Resource, path: tuple, raw: Any) -> bool:
    """Whether an Unknown at `path` takes its value from outside the code's literals: another
    resource's attribute, a variable or parameter with no value in the scan (the same test as the
    other secrets checks: iacguard.facts.identity_secrets_literals), or a value unknown by design
    (`timestamp()`). Anything else (a function not evaluated offline over literals, a malformed
    expression) may hide text of the code: undecided."""
    reason = getattr(raw, "reason", "") or ""
    if getattr(raw, "node", None) or reason.startswith(_BY_DESIGN) or any(t in reason for t in _BY_DESIGN_IN):
        return True
    return _fact(graph, res, "embedded", path, raw, "").literal is False


def _named_secret(cache: dict, name: str) -> bool:
    known = cache.get(name)
    if known is None:
        known = cache[name] = secret_name(name)
    return known


def _candidates(properties: dict, names: dict) -> list:
    """(path, value) of the values worth a closer look: Unknowns, strings that may hold a key, and
    strings of 16 characters or more under a name that says secret, in document order. Path
    tuples are built for containers and candidates only (this runs over every property of every
    resource), and nothing deeper than 64 keys is looked into."""
    out: list = []
    _walk_candidates(properties, (), names, out)
    return out


def _walk_candidates(container, path: tuple, names: dict, out: list) -> None:
    # Recursion is bounded: containers are entered up to 64 keys deep.
    deeper = len(path) < 63  # a child container's path (len + 1) is below 64: entered
    items = container.items() if isinstance(container, dict) else enumerate(container)
    for k, value in items:
        cls = value.__class__
        if cls in _NUMBERS:
            continue  # (numbers, booleans, null: no text; the checks below would pass them by)
        if cls is str or isinstance(value, str):
            if ("AKIA" in value or "ASIA" in value or "PRIVATE KEY" in value) or (
                    16 <= len(value) <= 4096 and isinstance(k, str) and _named_secret(names, k)):
                out.append((path + (k,), value))
        elif cls is dict or cls is list or isinstance(value, (dict, list)):
            if deeper:
                _walk_candidates(value, path + (k,), names, out)
        elif is_unknown(value):
            out.append((path + (k,), value))


_NUMBERS = frozenset((int, float, bool, type(None)))


def embedded_secrets(graph: ResourceGraph) -> list:
    """One fact per resource holding access key ids, private keys or a high-entropy value under a
    name that says secret, outside what the other secrets checks read; one with `setting` None per
    resource of the scan holding none (read, and passing)."""
    out = []
    names: dict = {}  # property name -> secret_name(name), asked once per name
    for res in graph.resources:
        if res.mode != "managed":
            continue
        facts = []
        undecided = None
        for path, value in _candidates(res.properties, names):
            if is_unknown(value) and _text_of(value) is None:
                if undecided is None and not _covered(res, path):
                    if not _from_outside(graph, res, path, value):
                        undecided = TextSecret(res, ".".join(str(p) for p in path), value, res.location_of(*path))
                continue
            if isinstance(value, str):
                hits = scan_text(value, assignments=False)
                if not hits and 16 <= len(value) <= 4096 and isinstance(path[-1], str) and _named_secret(names, path[-1]) and high_entropy(value):
                    hits = ["a random-looking value %s" % shown(value)]
            else:
                text = _text_of(value) if is_unknown(value) else None
                hits = scan_text(text, assignments=False) if text is not None else []
            if hits and len(facts) < 64 and not _covered(res, path):
                given, set_at, origin = _origin(graph, res, path)
                label = ".".join(str(p) for p in path)
                facts.append(TextSecret(res, label, True, set_at or res.location_of(*path), describe(hits), origin if given else ""))
        if undecided is not None and not facts:
            facts.append(undecided)
        out.extend(facts or [TextSecret(res, None, False, res.location)])
    return out


__all__ = ["TextSecret", "user_data_secrets", "embedded_secrets", "scan_text", "decode_base64", "high_entropy", "entropy"]
