"""IAM facts: every policy statement, from JSON strings, heredocs, jsonencode() results,
policy-document data sources and CloudFormation policy documents, normalized to one shape."""
from __future__ import annotations

import json
from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown, is_unknown
from .common import strings

# Terraform resources whose `policy` argument is an identity-based policy document.
TF_IDENTITY_POLICIES = ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy")
CFN_POLICIES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
CFN_INLINE_HOLDERS = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")


@dataclass(frozen=True, slots=True)
class PolicyStatement:
    """One statement of an IAM policy, as the IAM checks read it."""

    resource: Resource
    effect: Any  # "Allow" | "Deny" | Unknown
    actions: tuple  # strings or Unknown items
    not_actions: tuple
    resources: tuple
    not_resources: tuple
    has_condition: bool
    has_principal: bool  # a resource-based policy statement
    location: Location

    def allows(self) -> bool:
        return self.effect == "Allow"


# Stands for an unknown piece of a partly known policy text while it is read as JSON.
_UNKNOWN_PIECE = "\ue000"


def _partly_known(raw: Unknown) -> Any:
    """The document inside a policy that is not fully known: jsonencode() of a value with an
    Unknown inside (`partial_value`), or a template with an unknown interpolation
    (`partial_text`, read as JSON with each unknown piece inside a string making that string
    Unknown). Otherwise the Unknown itself."""
    value = getattr(raw, "partial_value", None)
    if isinstance(value, dict):
        return value
    pieces = getattr(raw, "partial_text", None)
    if not pieces or any(isinstance(p, str) and _UNKNOWN_PIECE in p for p in pieces):
        return raw
    text = "".join(p if isinstance(p, str) else _UNKNOWN_PIECE for p in pieces)
    try:
        document = json.loads(text)
        restored = _restore_unknowns(document, raw.reason)
    except ValueError:
        return raw  # an unknown piece outside a string: the structure is not known
    except RecursionError:
        return Unknown("%s (nested too deeply to read)" % raw.reason)
    return raw if is_unknown(restored) else restored


def _restore_unknowns(value: Any, reason: str) -> Any:
    if isinstance(value, str):
        return Unknown(reason) if _UNKNOWN_PIECE in value else value
    if isinstance(value, list):
        return [_restore_unknowns(v, reason) for v in value]
    if isinstance(value, dict):
        if any(_UNKNOWN_PIECE in k for k in value):
            return Unknown(reason)  # an unknown key: which element it is cannot be known
        return {k: _restore_unknowns(v, reason) for k, v in value.items()}
    return value


def _as_document(raw: Any) -> Any:
    """A policy document given as a dict, or as JSON text; Unknown when it cannot be read."""
    if is_unknown(raw):
        return _partly_known(raw)
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            return Unknown("policy is not valid JSON")
    return Unknown("policy is not a document")


def _statements_of(document: Any) -> list:
    if not isinstance(document, dict):
        return []
    stmts = document.get("Statement")
    if isinstance(stmts, dict):
        return [(None, stmts)]
    if isinstance(stmts, list):
        return [(i, s) for i, s in enumerate(stmts) if isinstance(s, dict)]
    return []


def _from_document(res: Resource, document: Any, doc_path: tuple, doc_in_text: bool) -> list:
    out = []
    for index, stmt in _statements_of(document):
        if doc_in_text:
            loc = res.location_of(*doc_path)  # no lines inside a JSON string: the attribute's line
        else:
            loc = res.location_of(*doc_path, "Statement", *(() if index is None else (index,)))
        out.append(
            PolicyStatement(
                res,
                stmt.get("Effect", Unknown("no Effect")),
                tuple(strings(stmt.get("Action"))),
                tuple(strings(stmt.get("NotAction"))),
                tuple(strings(stmt.get("Resource"))),
                tuple(strings(stmt.get("NotResource"))),
                bool(stmt.get("Condition")) if not is_unknown(stmt.get("Condition")) else True,
                "Principal" in stmt or "NotPrincipal" in stmt,
                loc,
            )
        )
    return out


def _document(res: Resource, path: tuple, graph: ResourceGraph | None = None) -> list:
    raw = res.get(*path)
    if raw is None:
        return []
    if graph is not None and _rendered_by_data_source(graph, raw):
        return []  # the data source's statements are facts of their own (below), with their lines
    document = _as_document(raw)
    if is_unknown(document):
        # Nothing of it is known: one statement of unknowns, so checks can say they could not decide.
        u = document
        return [PolicyStatement(res, u, (u,), (), (u,), (), False, False, res.location_of(*path))]
    return _from_document(res, document, path, not isinstance(raw, dict))


def _rendered_by_data_source(graph: ResourceGraph, raw) -> bool:
    """Whether a policy value is the `.json` of an `aws_iam_policy_document` of the scan."""
    if getattr(raw, "attribute", None) not in ("json", "minified_json"):
        return False
    source = graph.resource(raw.node)
    return source is not None and source.type == "aws_iam_policy_document"


def policy_statements(graph: ResourceGraph) -> list:
    out: list = []
    for res in graph.of_type(*TF_IDENTITY_POLICIES):
        if res.mode == "managed":
            out.extend(_document(res, ("policy",), graph))
    for res in graph.of_type("aws_iam_role"):
        if res.mode == "managed":
            for i, block in enumerate(res.blocks("inline_policy")):
                if block.get("policy") is not None:
                    out.extend(_document(res, ("inline_policy", i, "policy"), graph))
    for res in graph.of_type("aws_iam_policy_document"):
        for i, block in enumerate(res.blocks("statement")):
            out.append(
                PolicyStatement(
                    res,
                    block.get("effect", "Allow"),
                    tuple(strings(block.get("actions"))),
                    tuple(strings(block.get("not_actions"))),
                    tuple(strings(block.get("resources"))),
                    tuple(strings(block.get("not_resources"))),
                    bool(block.get("condition")) if not is_unknown(block.get("condition")) else True,
                    bool(block.get("principals")) or bool(block.get("not_principals")),
                    res.location_of("statement", i),
                )
            )
    for res in graph.of_type(*CFN_POLICIES):
        out.extend(_document(res, ("PolicyDocument",)))
    for res in graph.of_type(*CFN_INLINE_HOLDERS):
        policies = res.properties.get("Policies")
        if isinstance(policies, list):
            for i, pol in enumerate(policies):
                if isinstance(pol, dict) and pol.get("PolicyDocument") is not None:
                    out.extend(_document(res, ("Policies", i, "PolicyDocument")))
    return out
