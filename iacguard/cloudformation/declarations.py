"""The resources a template declares, before evaluation: one `ResourceDecl` per logical id.

Owns reading the `Resources` section (and expanding SAM resources through
`iacguard.cloudformation.sam` when the template has the Serverless transform). A declaration
keeps raw (unevaluated) properties and, for every top-level property, the template path its
lines come from, so that resources SAM generates still point at the SAM source.
"""
from __future__ import annotations

from .resource_decl import ResourceDecl
from .sam import expand_serverless

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


def has_sam_transform(data: dict) -> bool:
    transform = data.get("Transform")
    if isinstance(transform, str):
        return transform == SAM_TRANSFORM
    if isinstance(transform, list):
        return SAM_TRANSFORM in transform
    return False


def _depends_on(value) -> list:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def plain_declaration(logical_id: str, body: dict) -> ResourceDecl:
    attributes = {k: body[k] for k in ("DeletionPolicy", "UpdateReplacePolicy", "CreationPolicy",
                                       "UpdatePolicy") if k in body}
    return ResourceDecl(
        logical_id=logical_id,
        type=body.get("Type"),
        properties=body.get("Properties"),
        span_path=("Resources", logical_id),
        properties_src=("Resources", logical_id, "Properties"),
        condition=body.get("Condition"),
        depends_on=_depends_on(body.get("DependsOn")),
        metadata=body.get("Metadata"),
        attributes=attributes,
    )


def declare_resources(data: dict) -> tuple[list, list, dict]:
    """(declarations in template order, [(template path, warning)], SAM referable properties
    such as "MyFunction.Alias" -> the logical id of the generated resource, or None)."""
    resources = data.get("Resources")
    warnings: list = []
    if not isinstance(resources, dict):
        if resources is not None:
            warnings.append((("Resources",), "Resources is not a mapping"))
        return [], warnings, {}
    decls = []
    for logical_id, body in resources.items():
        if isinstance(logical_id, str) and logical_id.startswith("Fn::ForEach::"):
            warnings.append((("Resources", logical_id), "Fn::ForEach is not expanded; its resources are not scanned"))
            continue
        if not isinstance(body, dict):
            warnings.append((("Resources", logical_id), "resource %s is not a mapping" % logical_id))
            continue
        if not isinstance(body.get("Type"), str):
            warnings.append((("Resources", logical_id), "resource %s has no Type" % logical_id))
            continue
        decls.append(plain_declaration(logical_id, body))
    referable: dict = {}
    serverless = [d for d in decls if d.type.startswith("AWS::Serverless::")]
    if serverless and not has_sam_transform(data):
        # CloudFormation refuses these without the transform; what was meant is clear, and
        # leaving them unexpanded would hide their roles, policies and endpoints from the checks.
        warnings.append((serverless[0].span_path + ("Type",),
                         "resource %s is a SAM resource, but the template does not declare "
                         "Transform: %s; CloudFormation will refuse it. It is expanded as SAM would"
                         % (serverless[0].logical_id, SAM_TRANSFORM)))
    if serverless or has_sam_transform(data):
        decls, sam_warnings, referable = expand_serverless(data, decls)
        warnings.extend(sam_warnings)
    return decls, warnings, referable
