"""The syntax tree classes (iacguard.terraform.syntax), written out instead of made by
`@dataclass(slots=True)` at import (20 classes: about 2 ms of every Terraform scan), behave as the
dataclasses they were (`OLD`, their definitions as they stood, below): the same constructor
(parameters, defaults, fresh default lists and dicts), attributes, equality (field by field,
`ConfigFile.line_ends` left out), repr, no hash, `__match_args__`, slots and no `__dict__`, and
pickling round trips; a parsed file's tree compares equal to the same tree rebuilt from the old
classes' field values."""
from __future__ import annotations

import inspect
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from iacguard.terraform import syntax
from iacguard.terraform.fastparse import parse_hcl_fast

ROOT = Path(__file__).resolve().parents[2]


class OLD:
    """The dataclasses as they were (i19)."""

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


NAMES = ["Expr", "Literal", "TemplateIf", "TemplateFor", "Template", "TupleExpr", "ObjectExpr", "Variable", "GetAttr", "Index",
         "Splat", "FunctionCall", "Conditional", "BinaryOp", "UnaryOp", "ForExpr", "Attribute", "Body", "Block", "ConfigFile"]


def sample_args(cls) -> list:
    """One distinct value per parameter (defaults left out)."""
    out = []
    for i, p in enumerate(inspect.signature(cls).parameters.values()):
        if p.default is inspect.Parameter.empty:
            out.append(["v%d" % i])
    return out


@pytest.mark.parametrize("name", NAMES)
def test_same_class_shape(name):
    new, old = getattr(syntax, name), getattr(OLD, name)
    sig_new, sig_old = inspect.signature(new), inspect.signature(old)
    assert list(sig_new.parameters) == list(sig_old.parameters)
    for pname, p in sig_old.parameters.items():
        q = sig_new.parameters[pname]
        if p.default is inspect.Parameter.empty:
            assert q.default is inspect.Parameter.empty
        elif p.default is dataclasses_factory():
            assert q.default is syntax._FACTORY  # (a fresh list or dict: test_defaults_are_fresh)
        else:
            assert q.default == p.default
    assert new.__match_args__ == old.__match_args__
    assert new.__hash__ is None and old.__hash__ is None
    args = sample_args(new)
    a, b = new(*args), old(*args)
    assert not hasattr(a, "__dict__")
    for f in old.__match_args__:
        assert getattr(a, f) == getattr(b, f)
    assert repr(a) == repr(b).replace("OLD.", "")
    assert a == new(*args) and not (a != new(*args))
    assert a != b  # another class: not equal, as dataclasses of two classes
    with pytest.raises(TypeError):
        hash(a)
    for f in old.__match_args__:  # one field differs: unequal (or equal where the field is not compared)
        other = new(*args)
        setattr(other, f, ["changed"])
        compared = old.__dataclass_fields__[f].compare
        assert (a == other) is (not compared)
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(a, protocol=protocol))
        assert type(back) is new and back == a and repr(back) == repr(a)


def dataclasses_factory():
    import dataclasses

    return dataclasses._HAS_DEFAULT_FACTORY


def test_defaults_are_fresh():
    assert syntax.Body().attributes == {} and syntax.Body().blocks == []
    assert syntax.Body().blocks is not syntax.Body().blocks
    f = syntax.ConfigFile("/x", syntax.Body())
    assert f.comments == [] and f.line_ends == [] and f.comments is not syntax.ConfigFile("/x", syntax.Body()).comments
    assert syntax.Splat(1, 1, None, []).full is True and syntax.FunctionCall(1, 1, "f", []).expand_final is False
    assert syntax.ForExpr(1, 1, None, "v", None, None, None, None).grouping is False
    assert syntax.Literal(line=1, end_line=2, value=3) == syntax.Literal(1, 2, 3)
    assert syntax.Body(None, None).attributes is None  # a given None stays, as with the dataclass


def as_old(node):
    """The same tree built from the old classes."""
    if isinstance(node, list):
        return [as_old(x) for x in node]
    if isinstance(node, tuple):
        return tuple(as_old(x) for x in node)
    if isinstance(node, dict):
        return {k: as_old(v) for k, v in node.items()}
    if isinstance(node, syntax._Node):
        return getattr(OLD, type(node).__name__)(*[as_old(getattr(node, f)) for f in node._fields])
    return node


def test_parsed_trees_as_before():
    seen = 0
    for path in sorted((ROOT / "tests").rglob("*.tf"))[:300]:
        try:
            text = path.read_text(encoding="utf-8")
            tree = parse_hcl_fast(text, str(path))
        except Exception:  # noqa: BLE001 - invalid fixtures
            continue
        old = as_old(tree)
        assert repr(old).replace("OLD.", "") == repr(tree)
        assert pickle.loads(pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL)) == tree
        seen += 1
    assert seen > 20
