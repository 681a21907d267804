"""Evaluation of Terraform expressions (the syntax tree of `iacguard.terraform.syntax`) to values,
and the static references an expression makes.

Values are Python str / int / float / bool / None / list / dict, or `Unknown`. `evaluate` never
raises: whatever it cannot evaluate becomes an `Unknown` with a short reason.

Two kinds of Unknown, because `try()` and `can()` must tell them apart:
- an input Unknown (plain `Unknown`): a value not known before apply -- a variable without a
  value, a computed resource attribute. `try(x, d)` returns it (Terraform returns unknown too:
  it cannot know whether x will fail later); `can(x)` is Unknown.
- an error (`EvalError` while evaluating; `ErrorUnknown` once it has become a value): a real
  evaluation error -- missing attribute or key of a known object, index out of range, null where a
  value is needed, type mismatch, undefined name. `try(x, d)` skips it; `can(x)` is false.
  Inside try()/can() an error aborts the whole argument, as in Terraform. Elsewhere it is
  contained at the nearest tuple item / object value / top level, so one broken value does not
  hide its known siblings. Operations on an ErrorUnknown give that ErrorUnknown (errors win over
  input Unknowns), so an error stays an error through operators and function arguments.

A dict whose absent attributes are values computed at apply time (a resource's attributes)
should be a `PartialObject`: reading an absent key gives an input Unknown instead of an error.

What an expression builds is charged to the evaluation budget of the root being evaluated
(`iacguard.core.limits.ACTIVE`) as it is produced: tuple and object items, for-expression and splat
iterations, template pieces and characters. Past the budget `BudgetExceeded` (a BaseException)
goes through `evaluate` to the root, which stops; so does a MemoryError.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal

from iacguard.core.numbers import integer
from iacguard.terraform.parser import expr_children
from iacguard.terraform.syntax import (
    BinaryOp,
    Conditional,
    Expr,
    ForExpr,
    FunctionCall,
    GetAttr,
    Index,
    Literal,
    ObjectExpr,
    Splat,
    Template,
    TemplateFor,
    TemplateIf,
    TupleExpr,
    UnaryOp,
    Variable,
)
from iacguard.core import limits as _limits
from iacguard.core.unknown import AttributeUnknown, PartialUnknown, Unknown, contains_unknown, first_unknown

__all__ = [
    "ErrorUnknown",
    "EvalError",
    "MAX_EVAL_DEPTH",
    "PartialObject",
    "PartialUnknown",
    "Scope",
    "evaluate",
    "references",
    "template_string",
]

MAX_EVAL_DEPTH = 256
_MAX_PRODUCT_BITS = 1 << 16


class EvalError(Exception):
    """A real evaluation error (internal: `evaluate` turns it into an ErrorUnknown)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ErrorUnknown(Unknown):
    """An Unknown that stands for an evaluation error, not for a value known only after apply."""

    __slots__ = ()


def plain_unknown(u):
    """`u` without a partial shape or the attribute it stands for: an operation on a partly
    known string, or on a resource attribute, does not give that string or that attribute."""
    return Unknown(u.reason) if isinstance(u, (PartialUnknown, AttributeUnknown)) else u


def _piece(u):
    """An Unknown as a piece of a rendered template: a resource attribute stays itself
    ("${aws_s3_bucket.b.arn}/*" is the bucket's ARN, then "/*")."""
    return u if type(u) is AttributeUnknown else plain_unknown(u)


# Functions that return their argument unchanged, so a partial shape survives them.
_KEEPS_PARTIAL = frozenset({"sensitive", "nonsensitive", "tostring"})


class PartialObject(dict):
    """An object whose absent attributes are computed after apply (input Unknown, not error).
    `node`: the graph node id of the resource instance it is the value of (None for a nested
    block): its absent attributes are then `AttributeUnknown`s naming that resource."""

    __slots__ = ("node",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.node = None


def _absent(obj: PartialObject, name: str):
    reason = "attribute %s is known only after apply" % name
    node = obj.node
    return Unknown(reason) if node is None else AttributeUnknown(reason, node, name)


class Scope:
    """The names an expression can see. Subclasses may resolve names lazily by overriding
    `lookup`; `child` scopes (for-expression and dynamic-block iterators) delegate to it."""

    def __init__(
        self,
        variables: dict | None = None,
        parent: Scope | None = None,
        base_dir: str = "",
        root_dir: str = "",
    ) -> None:
        self.variables = {} if variables is None else variables
        self.parent = parent
        self.base_dir = base_dir
        self.root_dir = root_dir

    def lookup(self, name: str):
        """The value of a root name; KeyError when undefined here and in every parent."""
        variables = self.variables
        if name in variables:
            return variables[name]
        if self.parent is None:
            raise KeyError(name)
        return self.parent.lookup(name)

    def child(self, **names) -> Scope:
        return Scope(names, self, self.base_dir, self.root_dir)


def evaluate(expr: Expr, scope: Scope):
    """The value of `expr` in `scope`; never raises (errors become Unknown with a reason)."""
    try:
        return _ev(expr, scope, 0, False)
    except EvalError as e:
        return ErrorUnknown(e.reason)
    except RecursionError:
        return ErrorUnknown("expression too deeply nested")
    except MemoryError:
        raise  # the root is cut short (see iacguard.core.limits), not a value to carry on with
    except Exception as e:  # a failing Scope subclass or function must not stop a scan
        return ErrorUnknown("cannot evaluate: %s: %s" % (type(e).__name__, e))


def template_string(value):
    """Terraform's conversion of a value to a string in a template: str as is, `true`/`false`,
    numbers without a trailing `.0`; Unknown stays Unknown; null and collections give ErrorUnknown."""
    if isinstance(value, Unknown):
        return value
    try:
        return _to_str(value)
    except EvalError as e:
        return ErrorUnknown(e.reason)


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


def _ev(expr, scope, depth: int, strict: bool):
    if depth > MAX_EVAL_DEPTH:
        raise EvalError("expression nested deeper than %d" % MAX_EVAL_DEPTH)
    t = type(expr)
    if t is Literal:  # `_literal` without its call: a third of the nodes evaluated
        return expr.value
    handler = _HANDLERS.get(t)
    if handler is None:
        raise EvalError("unsupported expression %s" % type(expr).__name__)
    return handler(expr, scope, depth + 1, strict)


def _ev_contained(expr, scope, depth: int, strict: bool):
    """Evaluate one item of a collection: outside try()/can() an error stays in the item."""
    if strict:
        return _ev(expr, scope, depth, strict)
    try:
        return _ev(expr, scope, depth, strict)
    except EvalError as e:
        return ErrorUnknown(e.reason)


def _operand_unknown(*values):
    """The Unknown to propagate from operands: an ErrorUnknown if any, else the first Unknown."""
    found = None
    for v in values:
        if isinstance(v, ErrorUnknown):
            return v
        if found is None and isinstance(v, Unknown):
            found = v
    return plain_unknown(found)


def _contains_error(value) -> bool:
    return first_unknown(value, _limits.ACTIVE.grow, ErrorUnknown) is not None


def _literal(expr, scope, depth, strict):
    return expr.value


def _variable(expr, scope, depth, strict):
    try:
        return scope.lookup(expr.name)
    except KeyError:
        raise EvalError("undefined name %s" % expr.name) from None


def _type_name(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


_ABSENT = object()  # what `get` answers for a key a mapping does not hold


def _get_attr(obj, name: str):
    if isinstance(obj, dict):
        # One `get` rather than `in` then `[]`: two calls of Python methods for the lazily
        # computed mappings of variables, locals and module outputs (most attribute reads).
        value = obj.get(name, _ABSENT)
        if value is not _ABSENT:
            return value
        if isinstance(obj, PartialObject):
            return _absent(obj, name)
        raise EvalError("no attribute %s" % name)
    if isinstance(obj, Unknown):
        return plain_unknown(obj)
    if obj is None:
        raise EvalError("attribute %s of null" % name)
    raise EvalError("attribute %s of a %s" % (name, _type_name(obj)))


_INT_RE = re.compile(r"-?[0-9]+\Z")
_NUMBER_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?\Z")


def _index(obj, key):
    unknown = _operand_unknown(obj, key)
    if unknown is not None:
        return unknown
    if isinstance(obj, list):
        i = _to_index(key)
        if i < 0 or i >= len(obj):
            raise EvalError("index %d out of range (length %d)" % (i, len(obj)))
        return obj[i]
    if isinstance(obj, dict):
        k = _key_str(key)
        value = obj.get(k, _ABSENT)
        if value is not _ABSENT:
            return value
        if isinstance(obj, PartialObject):
            return _absent(obj, k)
        raise EvalError("no key %r" % k)
    if obj is None:
        raise EvalError("index of null")
    raise EvalError("index of a %s" % _type_name(obj))


def _to_index(key) -> int:
    if isinstance(key, bool):
        raise EvalError("bool used as an index")
    if isinstance(key, int):
        return key
    if isinstance(key, float) and key.is_integer():
        return int(key)
    if isinstance(key, str) and _INT_RE.match(key.strip()):
        n = integer(key.strip())
        if isinstance(n, Unknown):
            raise EvalError("invalid index: %s" % n.reason)
        return n
    raise EvalError("invalid index %r" % (key,))


def _key_str(key) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, (bool, int, float)):
        return _to_str(key)
    raise EvalError("a %s cannot be a key" % _type_name(key))


def _get_attr_node(expr, scope, depth, strict):
    return _get_attr(_ev(expr.obj, scope, depth, strict), expr.name)


def _index_node(expr, scope, depth, strict):
    obj = _ev(expr.obj, scope, depth, strict)
    key = _ev(expr.key, scope, depth, strict)
    return _index(obj, key)


def _splat(expr, scope, depth, strict):
    source = _ev(expr.source, scope, depth, strict)
    if isinstance(source, Unknown):
        return plain_unknown(source)
    if source is None:
        return []
    items = source if isinstance(source, list) else [source]
    _limits.ACTIVE.grow(len(items))
    steps = []
    for kind, arg in expr.steps:
        steps.append((kind, arg if kind == "attr" else _ev(arg, scope, depth, strict)))
    out = []
    for item in items:
        for kind, arg in steps:
            if isinstance(item, Unknown):
                item = plain_unknown(item)  # a step still to take: not the attribute itself
                break
            item = _get_attr(item, arg) if kind == "attr" else _index(item, arg)
        out.append(item)
    return out


def _format_number(v) -> str:
    if isinstance(v, int):
        return str(v)
    if math.isnan(v) or math.isinf(v):
        raise EvalError("number %r has no string form" % v)
    if v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    text = repr(v)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text


def _to_str(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return _format_number(v)
    if v is None:
        raise EvalError("null value in a string")
    raise EvalError("a %s cannot be converted to a string" % _type_name(v))


def _to_bool(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, Unknown):
        return v
    if isinstance(v, str):
        if v == "true":
            return True
        if v == "false":
            return False
    raise EvalError("%s where a bool is required" % _type_name(v))


def _to_number(v):
    if isinstance(v, bool):
        raise EvalError("bool where a number is required")
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        text = v.strip()
        m = _NUMBER_RE.match(text)
        if m:
            if m.group(1) or m.group(2):
                return float(text)
            n = integer(text)
            if isinstance(n, Unknown):
                raise EvalError("%s, in a string" % n.reason)
            return n
        raise EvalError("string %r is not a number" % v[:40])
    raise EvalError("%s where a number is required" % _type_name(v))


def _norm_number(x):
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def _template(expr, scope, depth, strict):
    parts = expr.parts
    if len(parts) == 1 and isinstance(parts[0], Expr):
        return _ev(parts[0], scope, depth, strict)  # "${x}" is x, unconverted
    out: list = []
    unknown = _render(parts, scope, depth, strict, out)
    if unknown is not None:
        if isinstance(unknown, ErrorUnknown) or any(p is _SHAPE_LOST for p in out):
            return unknown
        _limits.ACTIVE.grow_str(len(out) * 16 + sum(len(p) for p in out if type(p) is str))
        return PartialUnknown(unknown.reason, partial_text=tuple(out))
    _limits.ACTIVE.grow_str(sum(map(len, out)))  # before it is joined: doubling stops here
    return "".join(out)


_SHAPE_LOST = object()  # in rendered pieces: a directive over an Unknown, the text is not known


def _render(parts, scope, depth, strict, out: list):
    """Append the rendering of template parts to out; return an Unknown if one was met."""
    if depth > MAX_EVAL_DEPTH:
        raise EvalError("template nested deeper than %d" % MAX_EVAL_DEPTH)
    unknown = None
    for part in parts:
        t = type(part)
        if t is str:
            out.append(part)
        elif t is TemplateIf:
            cond = _to_bool(_ev(part.cond, scope, depth, strict))
            if isinstance(cond, Unknown):
                unknown = _operand_unknown(unknown, cond)
                out.append(_SHAPE_LOST)
                continue
            u = _render(part.then if cond else part.otherwise, scope, depth + 1, strict, out)
            unknown = _operand_unknown(unknown, u)
        elif t is TemplateFor:
            coll = _ev(part.collection, scope, depth, strict)
            pairs = _iteration(coll)
            if isinstance(pairs, Unknown):
                unknown = _operand_unknown(unknown, pairs)
                out.append(_SHAPE_LOST)
                continue
            _limits.ACTIVE.grow(len(pairs))
            for k, v in pairs:
                child = _iter_scope(scope, part.key_var, part.value_var, k, v)
                u = _render(part.body, child, depth + 1, strict, out)
                unknown = _operand_unknown(unknown, u)
        else:
            value = _ev(part, scope, depth, strict)
            if isinstance(value, Unknown):
                unknown = _operand_unknown(unknown, value)
                text = getattr(value, "partial_text", None)
                out.extend(text if text is not None else (_piece(value),))
            else:
                out.append(_to_str(value))
    return unknown


def _tuple(expr, scope, depth, strict):
    _limits.ACTIVE.grow(1 + len(expr.items))
    if depth > MAX_EVAL_DEPTH:  # (what `_ev` says of each item, literals included)
        return [_ev_contained(item, scope, depth, strict) for item in expr.items]
    # A literal item's value without the calls (lists of names, CIDRs, actions).
    return [item.value if type(item) is Literal else _ev_contained(item, scope, depth, strict) for item in expr.items]


def _object(expr, scope, depth, strict):
    _limits.ACTIVE.grow(1 + len(expr.items))
    out = {}
    fast = depth <= MAX_EVAL_DEPTH  # (else `_ev` says what it says of each, literals included)
    for key_expr, value_expr in expr.items:
        # Literal keys and values (most of them: tags, settings) without the calls.
        key = key_expr.value if fast and type(key_expr) is Literal else _ev(key_expr, scope, depth, strict)
        if isinstance(key, Unknown):
            return plain_unknown(key)
        out[_key_str(key)] = value_expr.value if fast and type(value_expr) is Literal else _ev_contained(value_expr, scope, depth, strict)
    return out


_FUNCTIONS: list = []  # the functions module once imported: an import statement per call ran importlib's Python code


def _functions_module():
    if _FUNCTIONS:
        return _FUNCTIONS[0]
    try:
        from iacguard.terraform import functions
    except ModuleNotFoundError as e:
        if e.name == "iacguard.terraform.functions":
            return None
        raise
    _FUNCTIONS.append(functions)
    return functions


def _function_call(expr, scope, depth, strict):
    name = expr.name
    if name == "try":
        return _try(expr, scope, depth)
    if name == "can":
        return _can(expr, scope, depth)
    args = [_ev(a, scope, depth, strict) for a in expr.args]
    if expr.expand_final and args:
        last = args.pop()
        if isinstance(last, Unknown):
            return plain_unknown(last)
        if not isinstance(last, list):
            raise EvalError("%s(...): the expanded argument is a %s" % (name, _type_name(last)))
        args.extend(last)
    for a in args:
        if isinstance(a, ErrorUnknown):
            return a
    functions = _functions_module()
    if functions is None:
        return Unknown("function %s not supported" % name)
    try:
        result = functions.call_function(name, args, scope)
    except KeyError as e:
        if e.args and e.args[0] == name:
            return Unknown("function %s not supported" % name)
        failure = "%s(): %s" % (name, e)
    except EvalError as e:
        failure = e.reason
    except RecursionError:
        failure = "%s(): too deep" % name
    except MemoryError:
        raise
    except Exception as e:
        failure = "%s(): %s" % (name, e)
    else:
        if isinstance(result, Unknown):
            return _unknown_result(name, args, result)
        return result
    if contains_unknown(args):
        # The function tripped over an unknown argument: not known, rather than wrong.
        unknown = _operand_unknown(*args)
        return unknown if unknown is not None else Unknown("%s() of an unknown value" % name)
    raise EvalError(failure)


def _unknown_result(name, args, result):
    """An Unknown a function returned: with the shape of a jsonencode() argument that holds an
    input Unknown, and without a partial shape an argument passed on (see PartialUnknown)."""
    if name == "jsonencode" and len(args) == 1 and not isinstance(result, ErrorUnknown) and not _contains_error(args[0]):
        if isinstance(args[0], (dict, list)):
            return PartialUnknown(result.reason, partial_value=args[0])
        return plain_unknown(result)
    if name in _KEEPS_PARTIAL and len(args) == 1:
        return result
    if name in ("templatefile", "templatestring") and isinstance(result, PartialUnknown) and not _is_argument(result, args):
        return result  # the rendered template itself, with its unknown pieces
    return plain_unknown(result)


def _is_argument(value, args) -> bool:
    """Whether `value` is one of `args` (or of the values of a map argument) itself."""
    for a in args:
        if a is value or (isinstance(a, dict) and any(v is value for v in a.values())):
            return True
    return False


def _try(expr, scope, depth):
    reason = "try(): no argument succeeded"
    for arg in expr.args:
        try:
            value = _ev(arg, scope, depth, True)
        except EvalError as e:
            reason = "try(): " + e.reason
            continue
        if _contains_error(value):
            continue
        return value
    raise EvalError(reason)


def _can(expr, scope, depth):
    if len(expr.args) != 1:
        raise EvalError("can() takes one argument")
    try:
        value = _ev(expr.args[0], scope, depth, True)
    except EvalError:
        return False
    if _contains_error(value):
        return False
    if isinstance(value, Unknown):
        return value
    return True


def _conditional(expr, scope, depth, strict):
    cond = _to_bool(_ev(expr.cond, scope, depth, strict))
    if not isinstance(cond, Unknown):
        return _ev(expr.then if cond else expr.otherwise, scope, depth, strict)
    try:
        a = _ev(expr.then, scope, depth, strict)
        b = _ev(expr.otherwise, scope, depth, strict)
    except EvalError:
        return plain_unknown(cond)
    if _equal(a, b) is True:
        return a
    return plain_unknown(cond)


def _equal(a, b):
    """Terraform `==`: deep, type-aware (1 != "1", true != 1). A known difference anywhere makes
    the values unequal even when other parts are Unknown (`{a = Unknown} != null` is true);
    Unknown only when unknowns alone decide."""
    undecided = None
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if isinstance(x, Unknown) or isinstance(y, Unknown):
            if undecided is None:
                undecided = x if isinstance(x, Unknown) else y
            continue
        if isinstance(x, bool) or isinstance(y, bool):
            if not (isinstance(x, bool) and isinstance(y, bool) and x == y):
                return False
        elif isinstance(x, (int, float)) and isinstance(y, (int, float)):
            if x != y:
                return False
        elif isinstance(x, str) or isinstance(y, str):
            if not (isinstance(x, str) and isinstance(y, str) and x == y):
                return False
        elif x is None or y is None:
            if not (x is None and y is None):
                return False
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif isinstance(x, dict) and isinstance(y, dict):
            if set(x.keys()) != set(y.keys()):
                return False
            stack.extend((x[k], y[k]) for k in x)
        else:
            return False
    return undecided if undecided is not None else True


def _modulo(a, b):
    if isinstance(a, int) and isinstance(b, int):
        r = abs(a) % abs(b)
        return -r if a < 0 else r  # the sign of the dividend, as Terraform
    return math.fmod(a, b)


def _binary(expr, scope, depth, strict):
    op = expr.op
    left = _ev(expr.left, scope, depth, strict)
    right = _ev(expr.right, scope, depth, strict)
    if op == "==" or op == "!=":
        eq = _equal(left, right)
        if isinstance(eq, Unknown):
            return eq
        return eq if op == "==" else not eq
    if op == "&&" or op == "||":
        lb = _to_bool(left)
        rb = _to_bool(right)
        # Three-valued logic: false && unknown is false whatever unknown turns out to be.
        dominant = op == "||"
        if lb is dominant or rb is dominant:
            return dominant
        unknown = _operand_unknown(lb, rb)
        return unknown if unknown is not None else (not dominant)
    unknown = _operand_unknown(left, right)
    if unknown is not None:
        return unknown
    a = _to_number(left)
    b = _to_number(right)
    if op == "+":
        return _norm_number(a + b)
    if op == "-":
        return _norm_number(a - b)
    if op == "*":
        if type(a) is int and type(b) is int and a.bit_length() + b.bit_length() > _MAX_PRODUCT_BITS:
            # Squaring a number again and again doubles its size: stop before it costs seconds.
            return Unknown("product of numbers too large to compute offline")
        return _norm_number(a * b)
    if op == "/":
        if b == 0:
            raise EvalError("division by zero")
        if isinstance(a, int) and isinstance(b, int) and a % b == 0:
            return a // b
        return _norm_number(a / b)
    if op == "%":
        if b == 0:
            raise EvalError("modulo by zero")
        return _norm_number(_modulo(a, b))
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    raise EvalError("unknown operator %s" % op)


def _unary(expr, scope, depth, strict):
    value = _ev(expr.operand, scope, depth, strict)
    if isinstance(value, Unknown):
        return plain_unknown(value)
    if expr.op == "!":
        return not _to_bool(value)
    if expr.op == "-":
        return -_to_number(value)
    raise EvalError("unknown operator %s" % expr.op)


def _iteration(coll):
    """(key, value) pairs of a collection: lists by index, maps in lexical key order."""
    if isinstance(coll, Unknown):
        return coll
    if isinstance(coll, list):
        return list(enumerate(coll))
    if isinstance(coll, dict):
        return [(k, coll[k]) for k in sorted(coll)]
    if coll is None:
        raise EvalError("cannot iterate over null")
    raise EvalError("cannot iterate over a %s" % _type_name(coll))


def _iter_scope(scope, key_var, value_var, key, value):
    if key_var is None:
        return scope.child(**{value_var: value})
    return scope.child(**{key_var: key, value_var: value})


def _for(expr, scope, depth, strict):
    pairs = _iteration(_ev(expr.collection, scope, depth, strict))
    if isinstance(pairs, Unknown):
        return plain_unknown(pairs)
    _limits.ACTIVE.grow(1 + len(pairs))  # every iteration, kept or filtered out
    is_object = expr.key_expr is not None
    out_list: list = []
    out_map: dict = {}
    for k, v in pairs:
        child = _iter_scope(scope, expr.key_var, expr.value_var, k, v)
        if expr.cond is not None:
            keep = _to_bool(_ev(expr.cond, child, depth, strict))
            if isinstance(keep, Unknown):
                return plain_unknown(keep)
            if not keep:
                continue
        if not is_object:
            out_list.append(_ev_contained(expr.value_expr, child, depth, strict))
            continue
        key = _ev(expr.key_expr, child, depth, strict)
        if isinstance(key, Unknown):
            return plain_unknown(key)
        key = _key_str(key)
        value = _ev_contained(expr.value_expr, child, depth, strict)
        if expr.grouping:
            out_map.setdefault(key, []).append(value)
        elif key in out_map:
            raise EvalError("duplicate key %r in a for expression" % key)
        else:
            out_map[key] = value
    return out_map if is_object else out_list


def _shapeless(handler):
    """A handler whose Unknown result never keeps a partial shape: an operator, index or
    attribute applied to a partly known string does not give that string."""

    def run(expr, scope, depth, strict):
        value = handler(expr, scope, depth, strict)
        return Unknown(value.reason) if type(value) is PartialUnknown else value

    return run


def _get_attr_shapeless(expr, scope, depth, strict):
    """`_shapeless(_get_attr_node)` in one call: attribute access is the most frequent step of
    an evaluation (a wrapper's call was a tenth of it). A name's attribute (`var.x`, `local.y`,
    `aws_x.y`) looks the name up without `_ev` and `_variable` calls, a mapping's attribute is
    read without a `_get_attr` call (same depth check, same errors)."""
    obj = expr.obj
    if type(obj) is Variable and depth <= MAX_EVAL_DEPTH:
        try:
            obj = scope.lookup(obj.name)
        except KeyError:
            raise EvalError("undefined name %s" % obj.name) from None
    else:
        obj = _ev(obj, scope, depth, strict)
    if isinstance(obj, dict):
        value = obj.get(expr.name, _ABSENT)
        if value is _ABSENT:
            value = _get_attr(obj, expr.name)
    else:
        value = _get_attr(obj, expr.name)
    return Unknown(value.reason) if type(value) is PartialUnknown else value


def _index_shapeless(expr, scope, depth, strict):
    """`_shapeless(_index_node)` in one call (see `_get_attr_shapeless`)."""
    obj = _ev(expr.obj, scope, depth, strict)
    value = _index(obj, _ev(expr.key, scope, depth, strict))
    return Unknown(value.reason) if type(value) is PartialUnknown else value


_HANDLERS = {
    Literal: _literal,
    Variable: _variable,
    GetAttr: _get_attr_shapeless,
    Index: _index_shapeless,
    Splat: _shapeless(_splat),
    Template: _template,
    TupleExpr: _tuple,
    ObjectExpr: _object,
    FunctionCall: _function_call,
    Conditional: _conditional,
    BinaryOp: _shapeless(_binary),
    UnaryOp: _shapeless(_unary),
    ForExpr: _for,
}


# --------------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------------


def references(expr) -> list:
    """Static traversals in `expr`, in source order, without duplicates: the root name, then
    attribute names and constant index keys up to the first non-constant step.
    Names bound by for-expressions and template for-directives inside `expr` are left out."""
    return _traversals(expr, False)


def indexed_references(expr) -> list:
    """`references` with what a non-constant index stands for: (traversal, key, after) triples.

    `traversal` is as `references` gives it; `key` is the expression of the first non-constant
    index that follows it (`count.index` in `aws_x.y[count.index].id`) and `after` the constant
    steps after that index (`("id",)`), so that an evaluator can evaluate `key` in the scope of
    one instance and complete the traversal. `key` is None (and `after` empty) when there is no
    such index, or when it uses a name a for-expression inside `expr` binds (its value differs
    per element, not per instance). Duplicates are left out."""
    return _traversals(expr, True)


def _traversals(expr, keyed: bool) -> list:
    t = type(expr)
    if t is Literal:
        return []
    if t is GetAttr or t is Variable:
        # A name and attributes (`var.x`, `aws_x.y.id`: half of all expressions): its one
        # traversal, without the walk below.
        names: list = []
        cur = expr
        while type(cur) is GetAttr:
            names.append(cur.name)
            cur = cur.obj
        if type(cur) is Variable:
            names.append(cur.name)
            names.reverse()
            ref = tuple(names)
            return [(ref, None, ())] if keyed else [ref]
    out: list = []
    seen: set = set()
    stack: list = [(expr, frozenset())]
    while stack:
        node, bound = stack.pop()
        t = type(node)
        later: list = []  # children to walk, in source order
        if t is GetAttr or t is Index or t is Variable:
            steps: list = []
            cur = node
            while True:
                ct = type(cur)
                if ct is GetAttr:
                    steps.append(cur.name)
                    cur = cur.obj
                elif ct is Index:
                    key = cur.key
                    if type(key) is Literal and type(key.value) in (str, int):
                        steps.append(key.value)
                    else:
                        steps.append((_DYNAMIC, key))
                        later.append(key)
                    cur = cur.obj
                else:
                    break
            if type(cur) is Variable:
                if cur.name not in bound:
                    ref = [cur.name]
                    key_expr = None
                    after: list = []
                    rest = reversed(steps)
                    for step in rest:
                        if type(step) is tuple:
                            key_expr = step[1]
                            for more in rest:
                                if type(more) is tuple:
                                    break
                                after.append(more)
                            break
                        ref.append(step)
                    ref_t = tuple(ref)
                    if not keyed:
                        if ref_t not in seen:
                            seen.add(ref_t)
                            out.append(ref_t)
                    else:
                        if key_expr is not None and bound and any(r[0] in bound for r in _traversals(key_expr, False)):
                            key_expr, after = None, []
                        entry = (ref_t, id(key_expr) if key_expr is not None else None, tuple(after))
                        if entry not in seen:
                            seen.add(entry)
                            out.append((ref_t, key_expr, tuple(after)))
            else:
                later.append(cur)
            later.reverse()  # collected outermost first; the root (if not a name) was last
            for child in reversed(later):
                stack.append((child, bound))
            continue
        if t is ForExpr:
            inner = bound | {n for n in (node.key_var, node.value_var) if n}
            children = [(node.collection, bound)]
            for c in (node.key_expr, node.value_expr, node.cond):
                if c is not None:
                    children.append((c, inner))
            stack.extend(reversed(children))
            continue
        if t is TemplateFor:
            inner = bound | {n for n in (node.key_var, node.value_var) if n}
            children = [(node.collection, bound)] + [
                (p, inner) for p in node.body if type(p) is not str
            ]
            stack.extend(reversed(children))
            continue
        for child in reversed(expr_children(node)):
            stack.append((child, bound))
    return out


_DYNAMIC = object()
