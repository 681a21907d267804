"""The syntax tree of a Terraform configuration file, whatever its syntax (native HCL or JSON).

Parsers (`iacguard.terraform.parser`) build it; the expression evaluator
(`iacguard.terraform.expressions`) and the configuration evaluator read it. Every node knows its
lines (1-based, inclusive); the file knows where each line ends (`ConfigFile.line_ends`).
Nothing here knows about security or about values.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time

_FACTORY = object()  # a field made by its factory (an empty dict or list) when not given


class _Node:
    """What `@dataclass(slots=True)` gave the classes below, written out: `__init__` with the
    fields in order (a field of a base class first), equality field by field between instances
    of one class (fields `_compared`), a repr naming the fields, no hash, `__match_args__`.
    Making their 20 dataclasses cost every Terraform scan about 2 ms at import.
    tests/terraform/test_syntax_classes.py holds each class to the dataclass it was."""

    __slots__ = ()
    _fields: tuple = ()
    _compared: tuple = ()
    __hash__ = None  # (mutable, compared by value: as a dataclass with eq and not frozen)

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return tuple([getattr(self, f) for f in self._compared]) == tuple([getattr(other, f) for f in self._compared])
        return NotImplemented

    def __repr__(self) -> str:
        return "%s(%s)" % (self.__class__.__qualname__, ", ".join(["%s=%r" % (f, getattr(self, f)) for f in self._fields]))


class Expr(_Node):
    """An HCL expression, with the lines it spans."""

    __slots__ = ("line", "end_line")
    __match_args__ = _fields = ("line", "end_line")
    _compared = _fields
    line: int
    end_line: int

    def __init__(self, line, end_line) -> None:
        self.line = line
        self.end_line = end_line


class Literal(Expr):
    """A number, string, bool or null written as is."""

    __slots__ = ("value",)
    __match_args__ = _fields = ("line", "end_line", "value")
    _compared = _fields
    value: object  # str, int, float, bool or None

    def __init__(self, line, end_line, value) -> None:
        self.line = line
        self.end_line = end_line
        self.value = value


class TemplateIf(_Node):
    """`%{ if cond }then%{ else }else%{ endif }` inside a template."""

    __slots__ = ("cond", "then", "otherwise")
    __match_args__ = _fields = ("cond", "then", "otherwise")
    _compared = _fields
    cond: Expr
    then: list  # template parts
    otherwise: list

    def __init__(self, cond, then, otherwise) -> None:
        self.cond = cond
        self.then = then
        self.otherwise = otherwise


class TemplateFor(_Node):
    """`%{ for k, v in coll }body%{ endfor }` inside a template."""

    __slots__ = ("key_var", "value_var", "collection", "body")
    __match_args__ = _fields = ("key_var", "value_var", "collection", "body")
    _compared = _fields
    key_var: str | None
    value_var: str
    collection: Expr
    body: list  # template parts

    def __init__(self, key_var, value_var, collection, body) -> None:
        self.key_var = key_var
        self.value_var = value_var
        self.collection = collection
        self.body = body


if TYPE_CHECKING:
    from typing import Union

    TemplatePart = Union[str, Expr, TemplateIf, TemplateFor]


class Template(Expr):
    """A quoted string or heredoc with interpolations/directives.

    A template made of exactly one interpolation (`"${x}"`) evaluates to the value of `x` itself,
    unconverted, as Terraform does. Strip markers (`~`) are applied by the parser.
    """

    __slots__ = ("parts",)
    __match_args__ = _fields = ("line", "end_line", "parts")
    _compared = _fields
    parts: list  # list[TemplatePart]

    def __init__(self, line, end_line, parts) -> None:
        self.line = line
        self.end_line = end_line
        self.parts = parts


class TupleExpr(Expr):
    """`[ item, ... ]`."""

    __slots__ = ("items",)
    __match_args__ = _fields = ("line", "end_line", "items")
    _compared = _fields
    items: list

    def __init__(self, line, end_line, items) -> None:
        self.line = line
        self.end_line = end_line
        self.items = items


class ObjectExpr(Expr):
    """`{ key = value, ... }`."""

    __slots__ = ("items",)
    __match_args__ = _fields = ("line", "end_line", "items")
    _compared = _fields
    # Keys: a bare identifier key (`name = 1`) is a Literal string; `(expr) = 1` is that expr.
    items: list  # list[tuple[Expr, Expr]]

    def __init__(self, line, end_line, items) -> None:
        self.line = line
        self.end_line = end_line
        self.items = items


class Variable(Expr):
    """A root name: var, local, module, data, count, each, self, path, terraform, a resource
    type such as aws_s3_bucket, or a for/dynamic iterator."""

    __slots__ = ("name",)
    __match_args__ = _fields = ("line", "end_line", "name")
    _compared = _fields
    name: str

    def __init__(self, line, end_line, name) -> None:
        self.line = line
        self.end_line = end_line
        self.name = name


class GetAttr(Expr):
    """`obj.name`."""

    __slots__ = ("obj", "name")
    __match_args__ = _fields = ("line", "end_line", "obj", "name")
    _compared = _fields
    obj: Expr
    name: str

    def __init__(self, line, end_line, obj, name) -> None:
        self.line = line
        self.end_line = end_line
        self.obj = obj
        self.name = name


class Index(Expr):
    """`obj[key]`."""

    __slots__ = ("obj", "key")
    __match_args__ = _fields = ("line", "end_line", "obj", "key")
    _compared = _fields
    obj: Expr
    key: Expr

    def __init__(self, line, end_line, obj, key) -> None:
        self.line = line
        self.end_line = end_line
        self.obj = obj
        self.key = key


class Splat(Expr):
    """`source[*].a.b` (full) or `source.*.a` (attribute-only). `steps` apply to each element:
    ("attr", name) or ("index", Expr)."""

    __slots__ = ("source", "steps", "full")
    __match_args__ = _fields = ("line", "end_line", "source", "steps", "full")
    _compared = _fields
    source: Expr
    steps: list
    full: bool

    def __init__(self, line, end_line, source, steps, full=True) -> None:
        self.line = line
        self.end_line = end_line
        self.source = source
        self.steps = steps
        self.full = full


class FunctionCall(Expr):
    """`name(args)`, the last argument expanded with `...` when `expand_final`."""

    __slots__ = ("name", "args", "expand_final")
    __match_args__ = _fields = ("line", "end_line", "name", "args", "expand_final")
    _compared = _fields
    name: str  # "lower", or "provider::aws::arn_parse" for provider functions
    args: list
    expand_final: bool  # f(args...)

    def __init__(self, line, end_line, name, args, expand_final=False) -> None:
        self.line = line
        self.end_line = end_line
        self.name = name
        self.args = args
        self.expand_final = expand_final


class Conditional(Expr):
    """`cond ? then : otherwise`."""

    __slots__ = ("cond", "then", "otherwise")
    __match_args__ = _fields = ("line", "end_line", "cond", "then", "otherwise")
    _compared = _fields
    cond: Expr
    then: Expr
    otherwise: Expr

    def __init__(self, line, end_line, cond, then, otherwise) -> None:
        self.line = line
        self.end_line = end_line
        self.cond = cond
        self.then = then
        self.otherwise = otherwise


class BinaryOp(Expr):
    """`left op right`."""

    __slots__ = ("op", "left", "right")
    __match_args__ = _fields = ("line", "end_line", "op", "left", "right")
    _compared = _fields
    op: str  # one of == != < > <= >= + - * / % && ||
    left: Expr
    right: Expr

    def __init__(self, line, end_line, op, left, right) -> None:
        self.line = line
        self.end_line = end_line
        self.op = op
        self.left = left
        self.right = right


class UnaryOp(Expr):
    """`-operand` or `!operand`."""

    __slots__ = ("op", "operand")
    __match_args__ = _fields = ("line", "end_line", "op", "operand")
    _compared = _fields
    op: str  # "-" or "!"
    operand: Expr

    def __init__(self, line, end_line, op, operand) -> None:
        self.line = line
        self.end_line = end_line
        self.op = op
        self.operand = operand


class ForExpr(Expr):
    """`[for k, v in coll : val if cond]` (key_expr None) or `{for k, v in coll : key => val... if cond}`."""

    __slots__ = ("key_var", "value_var", "collection", "key_expr", "value_expr", "cond", "grouping")
    __match_args__ = _fields = ("line", "end_line", "key_var", "value_var", "collection", "key_expr", "value_expr", "cond", "grouping")
    _compared = _fields
    key_var: str | None
    value_var: str
    collection: Expr
    key_expr: Expr | None
    value_expr: Expr
    cond: Expr | None
    grouping: bool  # the `...` of object for-expressions

    def __init__(self, line, end_line, key_var, value_var, collection, key_expr, value_expr, cond, grouping=False) -> None:
        self.line = line
        self.end_line = end_line
        self.key_var = key_var
        self.value_var = value_var
        self.collection = collection
        self.key_expr = key_expr
        self.value_expr = value_expr
        self.cond = cond
        self.grouping = grouping


class Attribute(_Node):
    """`name = expression` in a block body."""

    __slots__ = ("name", "expr", "line", "end_line")
    __match_args__ = _fields = ("name", "expr", "line", "end_line")
    _compared = _fields
    name: str
    expr: Expr
    line: int
    end_line: int

    def __init__(self, name, expr, line, end_line) -> None:
        self.name = name
        self.expr = expr
        self.line = line
        self.end_line = end_line


class Body(_Node):
    """The attributes and nested blocks of a block (or of a file)."""

    __slots__ = ("attributes", "blocks")
    __match_args__ = _fields = ("attributes", "blocks")
    _compared = _fields
    attributes: dict  # name -> Attribute, in source order
    blocks: list  # list[Block], in source order

    def __init__(self, attributes=_FACTORY, blocks=_FACTORY) -> None:
        self.attributes = dict() if attributes is _FACTORY else attributes
        self.blocks = list() if blocks is _FACTORY else blocks


class Block(_Node):
    """`type "label" ... { body }`."""

    __slots__ = ("type", "labels", "body", "line", "end_line")
    __match_args__ = _fields = ("type", "labels", "body", "line", "end_line")
    _compared = _fields
    type: str
    labels: list  # list[str]
    body: Body
    line: int
    end_line: int

    def __init__(self, type, labels, body, line, end_line) -> None:
        self.type = type
        self.labels = labels
        self.body = body
        self.line = line
        self.end_line = end_line


class ConfigFile(_Node):
    """One parsed .tf / .tf.json file."""

    __slots__ = ("path", "body", "comments", "line_ends")
    __match_args__ = _fields = ("path", "body", "comments", "line_ends")
    _compared = ("path", "body", "comments")
    path: str  # absolute resolved path
    body: Body
    comments: list  # list[(line, text)] for suppressions
    # End column of every line (iacguard.core.model.line_end_columns): Locations in this file end at
    # the end of their last line, and no later stage re-reads the file to learn where that is.
    line_ends: list

    def __init__(self, path, body, comments=_FACTORY, line_ends=_FACTORY) -> None:
        self.path = path
        self.body = body
        self.comments = list() if comments is _FACTORY else comments
        self.line_ends = list() if line_ends is _FACTORY else line_ends
