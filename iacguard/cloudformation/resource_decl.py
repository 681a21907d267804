"""`ResourceDecl`: one resource as a template declares it, before evaluation.

Its own module so that reading the `Resources` section (declarations.py) and expanding SAM
resources (sam.py), which both build declarations, need not import each other both ways:
declarations -> sam -> resource_decl.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class ResourceDecl:
    """One resource of a template as declared: logical id, type, properties and where they are,
    condition and DependsOn."""

    logical_id: str
    type: str
    properties: object  # raw value: a mapping, an intrinsic (Fn::If) or None
    span_path: tuple  # template path whose lines are the resource's span
    properties_src: tuple | None = None  # template path of the Properties mapping
    property_src: dict = field(default_factory=dict)  # top-level key -> template path (generated)
    condition: object = None
    depends_on: list = field(default_factory=list)
    metadata: object = None
    attributes: dict = field(default_factory=dict)  # DeletionPolicy, UpdateReplacePolicy, ...
    sam_source: str | None = None
    extra_meta: dict = field(default_factory=dict)
    # Generated resources: output property path -> template path, where a generated item comes
    # from one source item (SAM policies -> the role's Policies / ManagedPolicyArns items).
    location_src: dict = field(default_factory=dict)

    def source_of(self, key) -> tuple | None:
        if key in self.property_src:
            return self.property_src[key]
        return self.properties_src + (key,) if self.properties_src is not None else None
