"""Property: evaluate() never raises, whatever expression it is given, and references() too."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iacguard.terraform.expressions import Scope, evaluate, references
from iacguard.terraform.parser import HclSyntaxError, parse_expression
from iacguard.terraform.syntax import (
    BinaryOp,
    Conditional,
    ForExpr,
    FunctionCall,
    GetAttr,
    Index,
    Literal,
    ObjectExpr,
    Splat,
    Template,
    TemplateIf,
    TupleExpr,
    UnaryOp,
    Variable,
)
from iacguard.core.unknown import Unknown

OPS = ["==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "&&", "||"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.sampled_from(["1", "1.5", "true", "false", ""]),
)
leaves = st.one_of(
    scalars.map(lambda v: Literal(1, 1, v)),
    st.sampled_from(["x", "u", "m", "l", "missing"]).map(lambda n: Variable(1, 1, n)),
)


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(OPS), children, children).map(lambda t: BinaryOp(1, 1, *t)),
        st.tuples(st.sampled_from(["-", "!"]), children).map(lambda t: UnaryOp(1, 1, *t)),
        st.tuples(children, children, children).map(lambda t: Conditional(1, 1, *t)),
        st.lists(children, max_size=3).map(lambda items: TupleExpr(1, 1, items)),
        st.lists(st.tuples(children, children), max_size=3).map(lambda items: ObjectExpr(1, 1, items)),
        st.tuples(children, st.sampled_from(["a", "b"])).map(lambda t: GetAttr(1, 1, *t)),
        st.tuples(children, children).map(lambda t: Index(1, 1, *t)),
        st.tuples(children, st.booleans()).map(lambda t: Splat(1, 1, t[0], [("attr", "a")], t[1])),
        st.lists(st.one_of(st.text(max_size=3), children), max_size=3).map(lambda p: Template(1, 1, p)),
        st.tuples(children, children, children).map(
            lambda t: Template(1, 1, [TemplateIf(t[0], [t[1]], [t[2]])])
        ),
        st.tuples(st.sampled_from(["try", "can", "length", "nosuch"]), st.lists(children, max_size=2)).map(
            lambda t: FunctionCall(1, 1, t[0], t[1])
        ),
        st.tuples(children, children, st.one_of(st.none(), children), st.booleans()).map(
            lambda t: ForExpr(1, 1, "k", "v", t[0], t[2], t[1], None, t[3])
        ),
    )


expressions = st.recursive(leaves, _extend, max_leaves=25)

SCOPE = Scope({"x": 3, "u": Unknown("u"), "m": {"a": 1, "b": [1, 2]}, "l": [{"a": 1}, None, "s"]})


@settings(max_examples=400, deadline=None)
@given(expressions)
def test_evaluate_never_raises(expr):
    evaluate(expr, SCOPE)
    for ref in references(expr):
        assert isinstance(ref, tuple) and ref


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='ab1 +-*/%()[]{}"$~!?:.,=<>&|\n#', max_size=40))
def test_parse_expression_raises_only_syntax_errors(text):
    try:
        expr = parse_expression(text)
    except HclSyntaxError:
        return
    evaluate(expr, SCOPE)
    references(expr)
