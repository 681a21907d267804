"""The syntax tree of a Terraform configuration file, whatever its syntax (native HCL or JSON).

Parsers (`iacguard.terraform.parser`) build it; the expression evaluator
(`iacguard.terraform.expressions`) and the configuration evaluator read it. Every node knows its
lines (1-based, inclusive); the file knows where each line ends (`ConfigFile.line_ends`).
Nothing here knows about security or about values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time


@dataclass(slots=True)
class Expr:
    """An HCL expression, with the lines it spans."""

    line: int
    end_line: int


@dataclass(slots=True)
class Literal(Expr):
    """A number, string, bool or null written as is."""

    value: object  # str, int, float, bool or None


@dataclass(slots=True)
class TemplateIf:
    """`%{ if cond }then%{ else }else%{ endif }` inside a template."""

    cond: Expr
    then: list  # template parts
    otherwise: list


@dataclass(slots=True)
class TemplateFor:
    """`%{ for k, v in coll }body%{ endfor }` inside a template."""

    key_var: str | None
    value_var: str
    collection: Expr
    body: list  # template parts


if TYPE_CHECKING:
    from typing import Union

    TemplatePart = Union[str, Expr, TemplateIf, TemplateFor]


@dataclass(slots=True)
class Template(Expr):
    """A quoted string or heredoc with interpolations/directives.

    A template made of exactly one interpolation (`"${x}"`) evaluates to the value of `x` itself,
    unconverted, as Terraform does. Strip markers (`~`) are applied by the parser.
    """

    parts: list  # list[TemplatePart]


@dataclass(slots=True)
class TupleExpr(Expr):
    """`[ item, ... ]`."""

    items: list


@dataclass(slots=True)
class ObjectExpr(Expr):
    """`{ key = value, ... }`."""

    # Keys: a bare identifier key (`name = 1`) is a Literal string; `(expr) = 1` is that expr.
    items: list  # list[tuple[Expr, Expr]]


@dataclass(slots=True)
class Variable(Expr):
    """A root name: var, local, module, data, count, each, self, path, terraform, a resource
    type such as aws_s3_bucket, or a for/dynamic iterator."""

    name: str


@dataclass(slots=True)
class GetAttr(Expr):
    """`obj.name`."""

    obj: Expr
    name: str


@dataclass(slots=True)
class Index(Expr):
    """`obj[key]`."""

    obj: Expr
    key: Expr


@dataclass(slots=True)
class Splat(Expr):
    """`source[*].a.b` (full) or `source.*.a` (attribute-only). `steps` apply to each element:
    ("attr", name) or ("index", Expr)."""

    source: Expr
    steps: list
    full: bool = True


@dataclass(slots=True)
class FunctionCall(Expr):
    """`name(args)`, the last argument expanded with `...` when `expand_final`."""

    name: str  # "lower", or "provider::aws::arn_parse" for provider functions
    args: list
    expand_final: bool = False  # f(args...)


@dataclass(slots=True)
class Conditional(Expr):
    """`cond ? then : otherwise`."""

    cond: Expr
    then: Expr
    otherwise: Expr


@dataclass(slots=True)
class BinaryOp(Expr):
    """`left op right`."""

    op: str  # one of == != < > <= >= + - * / % && ||
    left: Expr
    right: Expr


@dataclass(slots=True)
class UnaryOp(Expr):
    """`-operand` or `!operand`."""

    op: str  # "-" or "!"
    operand: Expr


@dataclass(slots=True)
class ForExpr(Expr):
    """`[for k, v in coll : val if cond]` (key_expr None) or `{for k, v in coll : key => val... if cond}`."""

    key_var: str | None
    value_var: str
    collection: Expr
    key_expr: Expr | None
    value_expr: Expr
    cond: Expr | None
    grouping: bool = False  # the `...` of object for-expressions


@dataclass(slots=True)
class Attribute:
    """`name = expression` in a block body."""

    name: str
    expr: Expr
    line: int
    end_line: int


@dataclass(slots=True)
class Body:
    """The attributes and nested blocks of a block (or of a file)."""

    attributes: dict = field(default_factory=dict)  # name -> Attribute, in source order
    blocks: list = field(default_factory=list)  # list[Block], in source order


@dataclass(slots=True)
class Block:
    """`type "label" ... { body }`."""

    type: str
    labels: list  # list[str]
    body: Body
    line: int
    end_line: int


@dataclass(slots=True)
class ConfigFile:
    """One parsed .tf / .tf.json file."""

    path: str  # absolute resolved path
    body: Body
    comments: list = field(default_factory=list)  # list[(line, text)] for suppressions
    # End column of every line (iacguard.core.model.line_end_columns): Locations in this file end at
    # the end of their last line, and no later stage re-reads the file to learn where that is.
    line_ends: list = field(default_factory=list, compare=False)
