"""Terraform type constraints (`type = list(string)`, `object({...})`, `optional(...)`) and the
conversions Terraform applies to variable values."""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from iacguard.core.unknown import Unknown, is_unknown
from .syntax import FunctionCall, ObjectExpr, Literal, Template, TupleExpr, Variable

MAX_DEPTH = 64


def convert(value: Any, type_expr, depth: int = 0) -> Any:
    """Convert a value to a type constraint as Terraform would; Unknown when it cannot."""
    if is_unknown(value) or value is None or depth > MAX_DEPTH:
        return value
    if isinstance(type_expr, Variable):
        name = type_expr.name
        if name == "string":
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, (int, float)):
                return _number_text(value)
            return value if isinstance(value, str) else Unknown("not convertible to string")
        if name == "number":
            if isinstance(value, bool):
                return Unknown("bool is not a number")
            if isinstance(value, (int, float)):
                return value
            if isinstance(value, str):
                try:
                    f = float(value)
                except ValueError:
                    return Unknown("%r is not a number" % value)
                return int(f) if f.is_integer() and "." not in value and "e" not in value.lower() else f
            return Unknown("not a number")
        if name == "bool":
            if isinstance(value, bool):
                return value
            if value in ("true", "false"):
                return value == "true"
            return Unknown("not a bool")
        return value  # any
    if isinstance(type_expr, FunctionCall) and type_expr.args:
        name, arg = type_expr.name, type_expr.args[0]
        if name in ("list", "set"):
            if isinstance(value, dict):
                return Unknown("a map is not a %s" % name)
            items = value if isinstance(value, list) else [value]
            out = [convert(v, arg, depth + 1) for v in items]
            if name == "set":
                seen, uniq = set(), []
                for v in out:
                    k = repr(v)
                    if k not in seen:
                        seen.add(k)
                        uniq.append(v)
                out = uniq
            return out
        if name == "map":
            if not isinstance(value, dict):
                return Unknown("not a map")
            return {k: convert(v, arg, depth + 1) for k, v in value.items()}
        if name == "object" and isinstance(arg, ObjectExpr):
            if not isinstance(value, dict):
                return Unknown("not an object")
            out = dict(value)
            for key_expr, attr_type in arg.items:
                key = _key(key_expr)
                if key is None:
                    continue
                optional = isinstance(attr_type, FunctionCall) and attr_type.name == "optional" and attr_type.args
                inner = attr_type.args[0] if optional else attr_type
                if key in out and out[key] is not None:
                    out[key] = convert(out[key], inner, depth + 1)
                elif optional:
                    default = None
                    if len(attr_type.args) > 1:
                        from .expressions import Scope, evaluate

                        default = evaluate(attr_type.args[1], Scope({}))
                    out[key] = convert(default, inner, depth + 1) if default is not None else None
                else:
                    out.setdefault(key, None)
            return out
        if name == "tuple" and isinstance(arg, TupleExpr) and isinstance(value, list):
            return [convert(v, t, depth + 1) for v, t in zip(value, arg.items)] + value[len(arg.items):]
        if name == "optional":
            return convert(value, arg, depth + 1)
    return value


def _key(expr):
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, Variable):
        return expr.name
    if isinstance(expr, Template) and len(expr.parts) == 1 and isinstance(expr.parts[0], str):
        return expr.parts[0]
    return None


def _number_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
