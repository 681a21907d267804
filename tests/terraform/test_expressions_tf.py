"""Expression evaluator: operators, templates, conditionals, for-expressions, splats, try/can,
Unknown propagation, references()."""
from __future__ import annotations

import pytest

from iacguard.terraform import expressions
from iacguard.terraform.expressions import (
    ErrorUnknown,
    PartialObject,
    Scope,
    evaluate,
    references,
    template_string,
)
from iacguard.terraform.parser import parse_expression
from iacguard.terraform.syntax import BinaryOp, Expr, Literal, TupleExpr
from iacguard.core.unknown import Unknown

U = Unknown("no value")


def scope():
    return Scope(
        {
            "var": {
                "n": 5,
                "s": "5",
                "name": "app",
                "tags": {"env": "prod", "team": "sec"},
                "items": [{"id": 1, "ok": True}, {"id": 2, "ok": False}],
                "unknown": U,
                "nothing": None,
                "flag": "true",
            },
            "local": {"partly": {"known": 1, "unk": Unknown("computed")}},
            "aws_s3_bucket": {"b": PartialObject({"bucket": "logs"})},
            "u": U,
        },
        base_dir="/mod",
        root_dir="/root",
    )


def ev(text, sc=None):
    return evaluate(parse_expression(text), sc or scope())


def is_error(value):
    return type(value) is ErrorUnknown


def is_input_unknown(value):
    # A PartialUnknown (a template with an unknown piece) is an input Unknown too.
    return type(value) in (Unknown, expressions.PartialUnknown)


# -- arithmetic and comparison ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text,value",
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 - 2 - 1", 4),
        ("5 / 2", 2.5),
        ("4 / 2", 2),
        ("7 % 3", 1),
        ("-7 % 3", -1),
        ("7.5 % 2", 1.5),
        ("var.s + 1", 6),
        ('"1.5" * 2', 3),
        ("0.1 + 0.2 > 0.3", True),
        ("3 >= 3", True),
        ("2 < 1", False),
        ("2 <= 2", True),
        ("-var.n", -5),
    ],
)
def test_arithmetic_and_comparison(text, value):
    result = ev(text)
    assert result == value and type(result) is type(value)


@pytest.mark.parametrize(
    "text,value",
    [
        ("1 == 1.0", True),
        ('1 == "1"', False),
        ("true == 1", False),
        ("null == null", True),
        ("var.nothing == null", True),
        ('[1, "a"] == [1, "a"]', True),
        ("[1] == [1, 2]", False),
        ('{a = [1]} == {a = [1]}', True),
        ('{a = 1} != {a = 2}', True),
        ('var.tags == {env = "prod", team = "sec"}', True),
    ],
)
def test_equality_is_deep_and_typed(text, value):
    assert ev(text) is value


@pytest.mark.parametrize(
    "text,value",
    [
        ("true && false", False),
        ("true || false", True),
        ("!true", False),
        ('var.flag && true', True),
        ("false && u", False),
        ("u && false", False),
        ("true || u", True),
    ],
)
def test_logic(text, value):
    assert ev(text) is value


@pytest.mark.parametrize(
    "text", ['"a" + "b"', "1 / 0", "1 % 0", "true + 1", "null + 1", "!1", '"x" && true', "-true", "[1] < 2"]
)
def test_operator_errors_become_error_unknown(text):
    assert is_error(ev(text))


def test_unknown_operands_propagate():
    assert ev("u + 1") == U and is_input_unknown(ev("u + 1"))
    assert ev("true && u").reason == "no value"
    assert is_input_unknown(ev("u == 1"))
    assert is_input_unknown(ev("-u"))
    assert is_input_unknown(ev("!u"))
    # an error wins over an input unknown
    assert is_error(ev("u + var.missing"))


# -- templates ---------------------------------------------------------------------------------


def test_template_conversions():
    assert ev('"n=${var.n} b=${true} f=${1.5} i=${2.0} e=${1e20} s=${0.00001}"') == (
        "n=5 b=true f=1.5 i=2 e=100000000000000000000 s=0.00001"
    )
    assert ev('"${var.items}"') == [{"id": 1, "ok": True}, {"id": 2, "ok": False}]  # raw value
    assert ev('"${var.n}"') == 5
    assert is_input_unknown(ev('"a-${u}"'))
    assert is_error(ev('"a-${var.nothing}"'))
    assert is_error(ev('"a-${var.tags}"'))


def test_template_directives():
    assert ev('"%{ if var.n > 3 }big%{ else }small%{ endif }"') == "big"
    assert ev('"%{ if var.n > 9 }big%{ else }small%{ endif }"') == "small"
    assert ev('"%{ for i, x in var.items }${i}:${x.id};%{ endfor }"') == "0:1;1:2;"
    assert ev('"%{ for k, v in {b = 2, a = 1} }${k}=${v} %{ endfor }"') == "a=1 b=2 "
    assert is_input_unknown(ev('"%{ if u }x%{ endif }"'))
    assert is_input_unknown(ev('"%{ for x in u }x%{ endfor }"'))
    src = "<<EOT\n%{ for x in [1, 2] ~}\n${x}\n%{ endfor ~}\nEOT"
    assert ev(src) == "1\n2\n"


def test_template_string_helper():
    assert template_string(True) == "true"
    assert template_string(3.0) == "3"
    assert is_error(template_string(None))
    assert template_string(U) is U


# -- collections, attributes, indexes, splats --------------------------------------------------


def test_collections_keep_known_siblings():
    assert ev("[1, u, 3]") == [1, U, 3]
    value = ev('{a = 1, b = u, (var.name) = 2, 5 = "five", "k${var.n}" = true}')
    assert value == {"a": 1, "b": U, "app": 2, "5": "five", "k5": True}
    assert is_input_unknown(ev("{(u) = 1, b = 2}"))
    broken = ev("{a = var.missing, b = 2}")
    assert is_error(broken["a"]) and broken["b"] == 2


def test_get_attr_and_index():
    assert ev("var.tags.env") == "prod"
    assert ev('var.tags["team"]') == "sec"
    assert ev("var.items[1].id") == 2
    assert ev('var.items["0"].id') == 1
    assert ev("var.items.0.id") == 1
    assert ev("local.partly.known") == 1
    assert is_input_unknown(ev("local.partly.unk"))
    assert is_input_unknown(ev("u.anything[0]"))
    assert is_input_unknown(ev("var.items[u]"))
    # computed attribute of a resource: input Unknown, not an error
    assert ev("aws_s3_bucket.b.bucket") == "logs"
    assert is_input_unknown(ev("aws_s3_bucket.b.arn"))
    assert is_input_unknown(ev('aws_s3_bucket.b["arn"]'))


@pytest.mark.parametrize(
    "text,reason",
    [
        ("var.tags.missing", "no attribute missing"),
        ("var.items[5]", "index 5 out of range (length 2)"),
        ("var.items[-1]", "index -1 out of range (length 2)"),
        ('var.tags["nope"]', "no key 'nope'"),
        ("var.items.id", "attribute id of a list"),
        ("var.nothing.x", "attribute x of null"),
        ("var.name.x", "attribute x of a string"),
        ('var.items["a"]', "invalid index 'a'"),
        ("nope", "undefined name nope"),
    ],
)
def test_access_errors(text, reason):
    value = ev(text)
    assert is_error(value) and value.reason == reason


def test_splats():
    assert ev("var.items[*].id") == [1, 2]
    assert ev("var.items.*.id") == [1, 2]
    assert ev("var.items.*.id[1]") == 2
    assert ev("var.tags[*].env") == ["prod"]  # a non-list value is a one-item list
    assert ev("var.nothing[*].id") == []
    assert is_input_unknown(ev("u[*].id"))
    assert ev("[u, {id = 3}][*].id") == [U, 3]


# -- function calls ----------------------------------------------------------------------------


def test_try_and_can():
    assert ev('try(var.tags.missing, "default")') == "default"
    assert ev('try(var.tags.env, "default")') == "prod"
    assert ev('try(var.items[9].id, var.items[0].id)') == 1
    assert ev('try({a = var.tags.missing}, "d")') == "d"  # an error anywhere inside fails the arg
    assert is_input_unknown(ev('try(u.x, "d")'))  # unknown input: cannot know it would fail
    assert is_error(ev("try(var.a.b, var.c.d)"))
    assert ev("can(var.tags.env)") is True
    assert ev("can(var.tags.missing)") is False
    assert ev("can(1 / 0)") is False
    assert is_input_unknown(ev("can(u.x)"))
    assert ev("try(try(var.x.y, var.z), 3)") == 3


def test_function_library_and_missing_functions(monkeypatch):
    calls = []

    class FakeFunctions:
        @staticmethod
        def call_function(name, args, ctx):
            calls.append((name, args, ctx.base_dir, ctx.root_dir))
            if name == "upper":
                return args[0].upper()
            if name == "boom":
                raise ValueError("bad input")
            if name == "lookup":
                raise KeyError("inner key")  # a KeyError that is not "unknown function"
            raise KeyError(name)

    monkeypatch.setattr(expressions, "_functions_module", lambda: FakeFunctions)
    assert ev('upper("a")') == "A"
    assert calls == [("upper", ["a"], "/mod", "/root")]
    assert ev("upper([var.name]...)") == "APP"
    assert is_input_unknown(ev("upper(u...)"))
    value = ev("nosuch(1)")
    assert is_input_unknown(value) and value.reason == "function nosuch not supported"
    assert is_error(ev("boom(1)"))
    assert is_error(ev("lookup(1)"))
    assert ev('try(boom(1), "fallback")') == "fallback"
    assert is_error(ev('upper(var.missing)'))  # the argument's error, without calling
    monkeypatch.setattr(expressions, "_functions_module", lambda: None)
    value = ev('upper("a")')
    assert is_input_unknown(value) and value.reason == "function upper not supported"


# -- conditionals ------------------------------------------------------------------------------


def test_conditionals():
    assert ev("var.n > 3 ? \"big\" : \"small\"") == "big"
    assert ev('var.flag ? 1 : 2') == 1
    assert ev("u ? 1 : 2") == U
    assert ev('u ? "same" : "same"') == "same"
    assert ev("u ? [1, 2] : [1, 2]") == [1, 2]
    assert is_error(ev("1 ? 1 : 2"))
    assert is_error(ev("var.nothing ? 1 : 2"))
    assert ev("true ? 1 : var.missing") == 1  # the other branch is not evaluated


# -- for-expressions --------------------------------------------------------------------------


def test_for_expressions():
    assert ev("[for x in var.items : x.id if x.ok]") == [1]
    assert ev("[for i, x in var.items : i]") == [0, 1]
    assert ev("[for k, v in {b = 1, a = 2} : k]") == ["a", "b"]  # lexical key order
    assert ev('{for x in var.items : "id${x.id}" => x.ok}') == {"id1": True, "id2": False}
    assert ev('{for x in ["a", "b", "a"] : x => 1...}') == {"a": [1, 1], "b": [1]}
    assert ev("{for i, x in [10, 20] : i => x}") == {"0": 10, "1": 20}
    assert is_error(ev('{for x in ["a", "a"] : x => 1}'))
    assert is_input_unknown(ev("[for x in u : x]"))
    assert is_input_unknown(ev("[for x in [1, 2] : x if u]"))
    assert is_input_unknown(ev("{for x in [1] : u => x}"))
    assert ev("[for x in [1, u] : x]") == [1, U]
    assert is_error(ev("[for x in var.nothing : x]"))
    assert is_error(ev("[for x in 5 : x]"))
    # iterator names shadow outer names only inside the expression
    assert ev("[for var in [1] : var]") == [1]


def test_scope_lookup_and_child():
    outer = scope()
    inner = outer.child(x=1)
    assert inner.lookup("x") == 1 and inner.lookup("u") is U
    assert (inner.base_dir, inner.root_dir) == ("/mod", "/root")
    with pytest.raises(KeyError):
        inner.lookup("missing")

    class Lazy(Scope):
        def lookup(self, name):
            if name == "computed":
                return 42
            return super().lookup(name)

    lazy = Lazy({"a": 1})
    assert ev("[for x in [1] : x + computed + a]", lazy) == [44]


# -- robustness ---------------------------------------------------------------------------------


def test_deep_trees_never_raise():
    deep = Literal(1, 1, 1)
    for _ in range(5000):
        deep = BinaryOp(1, 1, "+", deep, Literal(1, 1, 1))
    value = evaluate(deep, Scope())
    assert is_error(value) and "deeper than" in value.reason

    def tuples(depth):
        nested = Literal(1, 1, 1)
        for _ in range(depth):
            nested = TupleExpr(1, 1, [nested])
        return nested

    too_deep = evaluate(tuples(300), Scope())
    assert isinstance(too_deep, ErrorUnknown) and too_deep.reason == "expression too deeply nested"
    want = 1
    for _ in range(50):
        want = [want]
    assert evaluate(tuples(50), Scope()) == want  # within the bound: the value itself


def test_unsupported_node_and_failing_scope():
    class Odd(Expr):
        pass

    assert is_error(evaluate(Odd(1, 1), Scope()))

    class Broken(Scope):
        def lookup(self, name):
            raise RuntimeError("bug")

    value = evaluate(parse_expression("x"), Broken())
    assert isinstance(value, Unknown) and "RuntimeError" in value.reason


# -- references -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,refs",
    [
        ("aws_s3_bucket.b.id", [("aws_s3_bucket", "b", "id")]),
        ("module.db.endpoint", [("module", "db", "endpoint")]),
        ('var.tags["x"]', [("var", "tags", "x")]),
        ("aws_instance.web[count.index].id", [("aws_instance", "web"), ("count", "index")]),
        ("aws_instance.web[0].id", [("aws_instance", "web", 0, "id")]),
        ("aws_instance.web[*].id", [("aws_instance", "web")]),
        ("aws_instance.web.*.id", [("aws_instance", "web")]),
        ('"arn:${data.aws_caller_identity.c.account_id}:x"', [("data", "aws_caller_identity", "c", "account_id")]),
        ("lower(var.a) == local.b ? path.module : each.value.x", [("var", "a"), ("local", "b"), ("path", "module"), ("each", "value", "x")]),
        ("[for k, v in var.m : v.id if k != local.skip]", [("var", "m"), ("local", "skip")]),
        ("{for x in var.l : x.name => x...}", [("var", "l")]),
        ('"%{ for s in var.subnets }${s.id}${local.sep}%{ endfor }"', [("var", "subnets"), ("local", "sep")]),
        ("var.a + var.a", [("var", "a")]),
        ("jsonencode({a = var.x}).y", [("var", "x")]),
        ("var.m[var.k].z", [("var", "m"), ("var", "k")]),
        ("1 + 2", []),
        ("[for x in x : x]", [("x",)]),
    ],
)
def test_references(text, refs):
    assert references(parse_expression(text)) == refs


def test_references_of_deep_tree_is_iterative():
    deep = Literal(1, 1, 1)
    ref = parse_expression("var.x")
    for _ in range(5000):
        deep = BinaryOp(1, 1, "+", deep, ref)
    assert references(deep) == [("var", "x")]


def test_equality_with_partly_unknown_values_decided_by_known_parts():
    from iacguard.terraform.expressions import Scope, evaluate
    from iacguard.terraform.parser import parse_expression
    from iacguard.core.unknown import Unknown, is_unknown

    scope = Scope({"u": Unknown("x"), "o": {"a": Unknown("y")}})

    def ev(text):
        return evaluate(parse_expression(text), scope)

    assert ev("o != null") is True
    assert ev("[u] == [1, 2]") is False
    assert is_unknown(ev("u != null"))
    assert is_unknown(ev('o == {a = 1}'))
