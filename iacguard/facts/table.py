"""Table-driven facts: a kind declared as rows instead of a hand-written loop.

A `TableKind` says which Terraform and CloudFormation resource types make up a kind and, for each
`Setting`, where each language keeps it, how to read it and what the provider or service does
when it is left out. `build(graph)` turns every managed resource of those types into one fact:
a frozen dataclass (generated from the row, so fields are named after the settings) holding the
resource and one three-valued `Attr` per setting, with the location that justifies it.

Readers (`Setting.read`):
  FLAG     a boolean (true/false, "true"/"false", 1/0); absent -> `default`
  PRESENT  set to something non-empty (a key id, a name...): True/False; absent -> False. An
           Unknown value whose expression refers to a resource of `set_by` (e.g. the ARN of a
           KMS key declared in the configuration) counts as set: such attributes are never empty.
  TEXT     a non-empty string, kept as written; absent or "" -> `default`
  ENUM     a string, lower-cased and compared against `choices` (anything else is Unknown);
           absent -> `default`
  VALUE    the value as evaluated; absent -> `default`

`default=REQUIRED` (or a default that does not apply to a language, see `Setting.cfn_default`)
means: absent is Unknown, nobody can say what the service does. Split configurations (Terraform
companion resources such as `aws_s3_bucket_server_side_encryption_configuration`) are not
settings at a path: they stay in the hand-written adapters.

Adding a kind: one `TableKind` row in `iacguard.facts.settings`; `iacguard.facts.KINDS` picks it
up. Adding a setting to a kind: one `Setting`.
"""
from __future__ import annotations

from dataclasses import dataclass, make_dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import Attr, managed

FLAG = "flag"
PRESENT = "present"
TEXT = "text"
ENUM = "enum"
VALUE = "value"
READERS = (FLAG, PRESENT, TEXT, ENUM, VALUE)


class _Required:
    __slots__ = ()

    def __repr__(self) -> str:
        return "REQUIRED"


class _Same:
    __slots__ = ()

    def __repr__(self) -> str:
        return "SAME"


REQUIRED = _Required()  # as a default: absent means Unknown
_SAME = _Same()  # cfn_default not given: the same as `default`


@dataclass(frozen=True)
class Setting:
    """One setting of a kind: its field name in the fact, its path in each language (None when
    a language has no such setting: the fact then holds the default), how to read it and the
    default that applies when the source leaves it out."""

    name: str
    terraform: tuple | None
    cloudformation: tuple | None
    read: str = FLAG
    default: Any = REQUIRED
    cfn_default: Any = _SAME  # when CloudFormation's default differs from Terraform's provider
    choices: tuple = ()  # ENUM: the known values, lower case
    set_by: tuple = ()  # PRESENT: resource types whose attributes, referred to, count as set
    doc: str = ""

    def __post_init__(self) -> None:
        if self.read not in READERS:
            raise ValueError("setting %s: unknown reader %r" % (self.name, self.read))
        if self.read == ENUM and not self.choices:
            raise ValueError("setting %s: an enum needs choices" % self.name)

    def path_for(self, language: str) -> tuple | None:
        return self.terraform if language == "terraform" else self.cloudformation

    def default_for(self, language: str) -> Any:
        if language == "cloudformation" and self.cfn_default is not _SAME:
            return self.cfn_default
        if self.read == PRESENT and self.default is REQUIRED:
            return False
        return self.default


@dataclass(frozen=True)
class TableKind:
    """A kind of fact read from a table: the resource types of each language and the settings."""

    name: str  # the kind checks declare, e.g. "queue"
    fact: str  # the name of the generated fact class, e.g. "Queue"
    terraform: tuple
    cloudformation: tuple
    settings: tuple
    doc: str = ""

    def __post_init__(self) -> None:
        names = [s.name for s in self.settings]
        if len(set(names)) != len(names) or "resource" in names:
            raise ValueError("kind %s: setting names must be unique and not 'resource'" % self.name)

    @property
    def cls(self) -> type:
        """The fact class (a frozen dataclass: resource, then one Attr per setting), made the
        first time the kind is read: making all of them cost every scan about 70 ms."""
        cls = self.__dict__.get("_cls")
        if cls is None:
            fields = [("resource", Resource)] + [(s.name, Attr) for s in self.settings]
            # (with its docstring from the start, dataclasses does not work one out through
            # inspect.signature, and with its module, its methods come from iacguard/_codecache)
            doc = self.doc or "Facts of kind %r, read from a table." % self.name
            cls = make_dataclass(self.fact, fields, frozen=True, slots=True, namespace={"__doc__": doc, "__module__": __name__})
            object.__setattr__(self, "_cls", cls)
        return cls

    def build(self, graph: ResourceGraph) -> list:
        out = []
        for res in managed(graph, *self.terraform, *self.cloudformation):
            out.append(self.cls(res, *(read_setting(graph, res, s) for s in self.settings)))
        return out

    __call__ = build  # a TableKind is an adapter: graph -> list of facts


def read_setting(graph: ResourceGraph, res: Resource, setting: Setting) -> Attr:
    path = setting.path_for(res.language)
    default = setting.default_for(res.language)
    raw = res.get(*path, default=None) if path else None
    if raw is None:
        if path:
            enclosing = _unknown_enclosing(res, path)
            if enclosing is not None:
                # Inside a block (or list) that is not known before deploy: not left out, not known.
                return Attr(enclosing[1], res.location_of(*enclosing[0]), True)
        return _absent(setting, default, res)
    loc = res.location_of(*path)
    if setting.read == FLAG:
        return Attr(as_bool(raw), loc, True)
    if setting.read == PRESENT:
        if is_unknown(raw):
            refs = graph.referenced(res, setting.set_by) if setting.set_by else []
            if any(p[: len(path)] == path for _, p in refs):
                return Attr(True, loc, True)
            return Attr(raw, loc, True)
        return Attr(raw not in ("", [], {}), loc, True)
    if setting.read == TEXT:
        if is_unknown(raw):
            return Attr(raw, loc, True)
        if isinstance(raw, str) and raw.strip() == "":
            return _absent(setting, default, res)
        return Attr(raw, loc, True)
    if setting.read == ENUM:
        if is_unknown(raw):
            return Attr(raw, loc, True)
        text = str(raw).strip().lower()
        return Attr(text if text in setting.choices else Unknown("%s: unexpected value %r" % (setting.name, raw)), loc, True)
    return Attr(raw, loc, True)


def _unknown_enclosing(res: Resource, path: tuple):
    """(prefix, Unknown) when a value on the way to `path` is not known (an unknown block, an
    unknown list of blocks), else None."""
    cur: Any = res.properties
    for i, step in enumerate(path):
        if is_unknown(cur):
            return path[:i], cur
        if isinstance(cur, dict) and step in cur:
            cur = cur[step]
        elif isinstance(cur, list) and isinstance(step, int) and -len(cur) <= step < len(cur):
            cur = cur[step]
        else:
            return None
    return None


def _absent(setting: Setting, default: Any, res: Resource) -> Attr:
    if default is REQUIRED:
        return Attr(Unknown("%s not set and no default" % setting.name), res.location, False)
    return Attr(default, res.location, False)
