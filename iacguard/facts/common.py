"""Small pieces every adapter uses: a three-valued attribute with the location behind it, and
the one place that says which resources facts are about (`managed`)."""
from __future__ import annotations

from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown


@dataclass(frozen=True, slots=True)
class Attr:
    """A setting as deployed: `value` is True/False/Unknown (or another scalar), `location` is
    where the source sets it, or the resource itself when it is left to the default."""

    value: Any
    location: Location
    explicit: bool  # set in the source (False: the provider/service default applies)

    @property
    def known(self) -> bool:
        return not is_unknown(self.value)

    def is_true(self) -> bool:
        return self.value is True

    def is_false(self) -> bool:
        return self.value is False


def managed(graph: ResourceGraph, *types: str) -> list:
    """The resources of these types that a deployment creates: Terraform data sources (mode
    "data") only read what exists elsewhere and are never the subject of a fact."""
    return [r for r in graph.of_type(*types) if r.mode == "managed"]


def flag(res: Resource, path: tuple, default: bool | None) -> Attr:
    """A boolean setting at `path` in `res`, with the default that applies when it is absent
    (None as default means: absent is Unknown)."""
    raw = res.get(*path, default=_MISSING)
    if raw is _MISSING or raw is None:
        value = Unknown("%s not set and no default" % ".".join(map(str, path))) if default is None else default
        return Attr(value, res.location, False)
    return Attr(as_bool(raw), res.location_of(*path), True)


def value(res: Resource, path: tuple, default: Any = None) -> Attr:
    raw = res.get(*path, default=_MISSING)
    if raw is _MISSING or raw is None:
        return Attr(default, res.location, False)
    return Attr(raw, res.location_of(*path), True)


class _Missing:
    __slots__ = ()


_MISSING = _Missing()


def strings(value: Any) -> list:
    """A value that should hold strings (a string, or a list of them): the known strings, and
    Unknown items kept as Unknown."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str) or is_unknown(v)]
    if isinstance(value, str) or is_unknown(value):
        return [value]
    return []
