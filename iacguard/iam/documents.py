"""Reading JSON-shaped policy documents into the model: one reader for CloudFormation
documents, the shipped AWS managed policies and any other document given as a dict or JSON text.

A document's elements keep their Unknowns: an unknown Action list is a 1-tuple holding the
Unknown, an unknown statement is a Statement with `unknown` set, an unknown Condition block is
the Unknown itself. A value of the wrong shape (a number where an action is expected, a list
as Effect) becomes an Unknown naming what was wrong: the evaluator then answers "unknown"
where it matters instead of guessing what AWS would make of an invalid policy.

Nothing here loops over more than the document holds, and the document is data the parsers
built (bounded by their budgets).
"""
from __future__ import annotations

import json
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any, Callable

from iacguard.core.model import Location
from iacguard.core.unknown import Unknown, is_unknown
from .model import ALLOW, DENY, Condition, Statement

_SCALARS = (str, bool, int, float)


def read_document(raw: Any) -> Any:
    """A policy document as a dict: `raw` itself when it is one, parsed when it is JSON text;
    otherwise an Unknown (the raw Unknown, or one naming why the text is not a document)."""
    if is_unknown(raw):
        return raw
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            return Unknown("policy is not valid JSON")
        return value if isinstance(value, dict) else Unknown("policy JSON is not an object")
    return Unknown("policy is not a document")


def document_unknown(document: Any) -> Unknown | None:
    """Why the statements of a document cannot be read (None when they can): the document or
    its Statement element is not known, or not of a policy's shape."""
    if is_unknown(document):
        return document
    if not isinstance(document, dict):
        return Unknown("policy is not a document")
    stmts = document.get("Statement")
    if is_unknown(stmts):
        return stmts
    if stmts is None:
        return None  # no statement: a document that allows nothing
    if not isinstance(stmts, (dict, list)):
        return Unknown("Statement is not a list of statements")
    return None


def statements_of(document: Any, location: Location | None,
                  locate: Callable[[int | None], Location] | None = None) -> tuple:
    """The statements of a document (see `document_unknown` for one that cannot be read: it
    gives no statements here). `location` is where each statement is said to be when `locate`
    is None (a JSON string has no lines of its own); `locate(index)` gives the lines of statement
    `index` (None when `Statement` is a single mapping rather than a list)."""
    if document_unknown(document) is not None:
        return ()
    stmts = document.get("Statement")
    if stmts is None:
        return ()
    items = [(None, stmts)] if isinstance(stmts, dict) else list(enumerate(stmts))
    out = []
    for index, stmt in items:
        where = locate(index) if locate is not None else location
        out.append(statement(stmt, where))
    return tuple(out)


def statement(stmt: Any, location: Location | None) -> Statement:
    """One statement: a mapping of Effect/Action/NotAction/Resource/NotResource/Principal/
    NotPrincipal/Condition/Sid."""
    if is_unknown(stmt):
        return Statement(effect=stmt, location=location, unknown=stmt)
    if not isinstance(stmt, dict):
        u = Unknown("statement is not a mapping")
        return Statement(effect=u, location=location, unknown=u)
    get = stmt.get
    # The fields in Statement's order, read in the order they always were (elements first).
    actions = _element(get("Action"), "Action")
    not_actions = _element(get("NotAction"), "NotAction")
    resources = _element(get("Resource"), "Resource")
    not_resources = _element(get("NotResource"), "NotResource")
    sid = get("Sid")
    return Statement(
        _effect(get("Effect")), actions, not_actions, resources, not_resources,
        _principal(get("Principal"), "Principal"),
        _principal(get("NotPrincipal"), "NotPrincipal"),
        _conditions(get("Condition")),
        sid if isinstance(sid, str) else None,  # a Sid decides nothing: an unknown one is left out
        location,
    )


def _effect(value: Any) -> Any:
    if value in (ALLOW, DENY) or is_unknown(value):
        return value
    if value is None:
        return Unknown("statement has no Effect")
    # AWS accepts exactly "Allow" and "Deny"; anything else makes the policy invalid.
    return Unknown("Effect %s is neither Allow nor Deny" % _show(value))


def _element(value: Any, key: str) -> tuple | None:
    """Action/Resource-like elements: a string or a list of strings, as a tuple."""
    if value is None:
        return None
    if isinstance(value, str) or is_unknown(value):
        return (value,)
    if isinstance(value, list):
        return tuple(v if isinstance(v, str) or is_unknown(v) else Unknown("%s item %s is not a string" % (key, _show(v)))
                     for v in value)
    return (Unknown("%s is not a string or a list of strings" % key),)


def _principal(value: Any, key: str) -> Any:
    if value is None or value == "*" or is_unknown(value):
        return value
    if isinstance(value, dict):
        out = {}
        for kind, ids in value.items():
            if not isinstance(kind, str):
                return Unknown("%s has a key that is not a string" % key)
            out[kind] = _element(ids, "%s %s" % (key, kind))
        return out
    return Unknown("%s %s is neither \"*\" nor a mapping" % (key, _show(value)))


def _conditions(value: Any) -> Any:
    if value is None:
        return ()
    if is_unknown(value):
        return value
    if not isinstance(value, dict):
        return Unknown("Condition is not a mapping")
    out = []
    for operator, block in value.items():
        if is_unknown(block):
            return block  # which keys it tests is not known: the whole block is unknown
        if not isinstance(operator, str) or not isinstance(block, dict):
            return Unknown("Condition operator %s does not map keys to values" % _show(operator))
        for key, values in block.items():
            if not isinstance(key, str):
                return Unknown("Condition key %s is not a string" % _show(key))
            out.append(Condition(operator, key, _condition_values(values, key)))
    return tuple(out)


def _condition_values(values: Any, key: str) -> tuple:
    items = values if isinstance(values, list) else [values]
    return tuple(v if isinstance(v, _SCALARS) or is_unknown(v) else Unknown("value of %s is not a scalar" % key)
                 for v in items)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
