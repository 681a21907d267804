"""Native-syntax parser: exact trees and lines for each syntax form, comments, errors, depth.

Every test runs twice: on the production parser (`iacguard.terraform.parser`, i.e. fastparse) and on
the test oracle (python-hcl2's grammar, tests/hcl2_oracle.py), so each expected tree is checked
against both."""
from __future__ import annotations

import pickle

import sys

import pytest

import hcl2_oracle
from iacguard.terraform import parser as product
from iacguard.terraform.parser import (
    HclSyntaxError,
    parse_expression,
    parse_hcl,
    parse_template,
)
from iacguard.terraform.syntax import (
    Attribute,
    BinaryOp,
    Block,
    Conditional,
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


@pytest.fixture(autouse=True, params=["product", "oracle"])
def which(request, monkeypatch):
    """Run the test with this module's parse_hcl/parse_expression/parse_template taken from one
    parser, then from the other."""
    source = product if request.param == "product" else hcl2_oracle
    here = sys.modules[__name__]
    for name in ("parse_hcl", "parse_expression", "parse_template"):
        monkeypatch.setattr(here, name, getattr(source, name))
    return request.param


def L(value, line=1, end_line=None):
    return Literal(line, line if end_line is None else end_line, value)


def V(name, line=1):
    return Variable(line, line, name)


def B(op, left, right, line=1):
    return BinaryOp(line, line, op, left, right)


def expr(text):
    return parse_expression(text)


# -- bodies, blocks, attributes ------------------------------------------------------------


def test_blocks_labels_attributes_and_lines():
    cf = parse_hcl(
        'resource "aws_s3_bucket" "b" {\n'
        '  bucket = "x"\n'
        "  versioning {\n"
        "    enabled = true\n"
        "  }\n"
        "}\n"
        "locals {\n"
        "  a = 1\n"
        "}\n",
        "/abs/main.tf",
    )
    assert cf.path == "/abs/main.tf"
    res, loc = cf.body.blocks
    assert (res.type, res.labels, res.line, res.end_line) == ("resource", ["aws_s3_bucket", "b"], 1, 6)
    assert res.body.attributes == {"bucket": Attribute("bucket", L("x", 2), 2, 2)}
    (ver,) = res.body.blocks
    assert ver == Block("versioning", [], ver.body, 3, 5)
    assert ver.body.attributes["enabled"] == Attribute("enabled", L(True, 4), 4, 4)
    assert (loc.type, loc.labels, loc.line, loc.end_line) == ("locals", [], 7, 9)


def test_bare_identifier_label_and_attribute_order():
    cf = parse_hcl("provider aws {\n  b = 2\n  a = 1\n}\n", "p.tf")
    blk = cf.body.blocks[0]
    assert blk.labels == ["aws"]
    assert list(blk.body.attributes) == ["b", "a"]


def test_multiline_attribute_end_line():
    cf = parse_hcl("a = [\n  1,\n  2,\n]\nb = 1 +\n  2\n", "x.tf")
    assert (cf.body.attributes["a"].line, cf.body.attributes["a"].end_line) == (1, 4)
    assert (cf.body.attributes["b"].line, cf.body.attributes["b"].end_line) == (5, 6)


def test_crlf_and_bom():
    cf = parse_hcl('\ufeffa = "x"\r\nb = 2\r\n', "x.tf")
    assert cf.body.attributes["b"] == Attribute("b", L(2, 2), 2, 2)


def test_tfvars():
    cf = parse_hcl('region = "eu-west-1"\ncidrs = ["10.0.0.0/8"]\n', "terraform.tfvars")
    assert cf.body.attributes["cidrs"].expr == TupleExpr(2, 2, [L("10.0.0.0/8", 2)])


# -- literals, operators --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,value",
    [("1", 1), ("1.5", 1.5), ("-3", -3), ("1e3", 1000.0), ("true", True), ("false", False),
     ("null", None), ('"s"', "s"), ('""', "")],
)
def test_literals(text, value):
    assert expr(text) == L(value)


def test_precedence_rebuilt():
    assert expr("1 + 2 * 3 == 7") == B("==", B("+", L(1), B("*", L(2), L(3))), L(7))
    assert expr("a || b && c") == B("||", V("a"), B("&&", V("b"), V("c")))
    assert expr("a - b - c") == B("-", B("-", V("a"), V("b")), V("c"))
    assert expr("a / b * c % d") == B("%", B("*", B("/", V("a"), V("b")), V("c")), V("d"))
    assert expr("a < b == c >= d") == B("==", B("<", V("a"), V("b")), B(">=", V("c"), V("d")))
    assert expr("(1 + 2) * 3") == B("*", B("+", L(1), L(2)), L(3))


def test_unary_binds_tightest():
    assert expr("!a && b") == B("&&", UnaryOp(1, 1, "!", V("a")), V("b"))
    assert expr("-a * b") == B("*", UnaryOp(1, 1, "-", V("a")), V("b"))
    assert expr("- 2") == L(-2)


def test_conditional_binds_loosest():
    assert expr("a + b ? c : d + e") == Conditional(
        1, 1, B("+", V("a"), V("b")), V("c"), B("+", V("d"), V("e"))
    )
    assert expr("a ? b : c ? d : e") == Conditional(
        1, 1, V("a"), V("b"), Conditional(1, 1, V("c"), V("d"), V("e"))
    )
    assert expr("a == 1 ? x || y : z") == Conditional(
        1, 1, B("==", V("a"), L(1)), B("||", V("x"), V("y")), V("z")
    )


def test_multiline_operation_lines():
    e = parse_expression("a &&\n  b ||\n  c", line=10)
    assert e == BinaryOp(10, 12, "||", BinaryOp(10, 11, "&&", V("a", 10), V("b", 11)), V("c", 12))


# -- traversals, splats, calls -------------------------------------------------------------


def test_traversals():
    assert expr("aws_s3_bucket.b.id") == GetAttr(1, 1, GetAttr(1, 1, V("aws_s3_bucket"), "b"), "id")
    assert expr('var.tags["x"]') == Index(1, 1, GetAttr(1, 1, V("var"), "tags"), L("x"))
    assert expr("a.b.0") == Index(1, 1, GetAttr(1, 1, V("a"), "b"), L(0))
    assert expr("a[count.index]") == Index(1, 1, V("a"), GetAttr(1, 1, V("count"), "index"))


def test_splats():
    assert expr("a[*].b[0]") == Splat(1, 1, V("a"), [("attr", "b"), ("index", L(0))], True)
    assert expr("a.*.b") == Splat(1, 1, V("a"), [("attr", "b")], False)
    assert expr("a.*.b[0]") == Index(1, 1, Splat(1, 1, V("a"), [("attr", "b")], False), L(0))
    assert expr("a[*]") == Splat(1, 1, V("a"), [], True)


def test_function_calls():
    assert expr("f()") == FunctionCall(1, 1, "f", [], False)
    assert expr("f(a, b)") == FunctionCall(1, 1, "f", [V("a"), V("b")], False)
    assert expr("f(a, b...)") == FunctionCall(1, 1, "f", [V("a"), V("b")], True)
    assert expr("f(a,\n  b,\n)") == FunctionCall(1, 3, "f", [V("a"), V("b", 2)], False)
    assert expr("provider::aws::arn_parse(x)") == FunctionCall(
        1, 1, "provider::aws::arn_parse", [V("x")], False
    )


# -- collections, for-expressions ----------------------------------------------------------


def test_tuple_and_object_keys():
    assert expr("[1, a,]") == TupleExpr(1, 1, [L(1), V("a")])
    e = expr('{ a = 1, "b" = 2, (c) = 3, d.e = 4, 5 = 6, "k${x}" = 7 }')
    assert e == ObjectExpr(
        1,
        1,
        [
            (L("a"), L(1)),
            (L("b"), L(2)),
            (V("c"), L(3)),
            (L("d.e"), L(4)),
            (L(5), L(6)),
            (Template(1, 1, ["k", V("x")]), L(7)),
        ],
    )
    assert expr("{a: 1}") == ObjectExpr(1, 1, [(L("a"), L(1))])


def test_object_multiline():
    e = expr("{\n  a = 1\n  b = 2\n}")
    assert e == ObjectExpr(1, 4, [(L("a", 2), L(1, 2)), (L("b", 3), L(2, 3))])


def test_for_expressions():
    assert expr("[for v in xs : v.id]") == ForExpr(
        1, 1, None, "v", V("xs"), None, GetAttr(1, 1, V("v"), "id"), None, False
    )
    assert expr('[for i, v in xs : v if i != "a"]') == ForExpr(
        1, 1, "i", "v", V("xs"), None, V("v"), B("!=", V("i"), L("a")), False
    )
    assert expr("{for k, v in m : v => k...}") == ForExpr(
        1, 1, "k", "v", V("m"), V("v"), V("k"), None, True
    )
    assert expr("{for k, v in m : k => v if v}") == ForExpr(
        1, 1, "k", "v", V("m"), V("k"), V("v"), V("v"), False
    )


# -- templates --------------------------------------------------------------------------------


def test_quoted_template_parts_and_escapes():
    assert expr('"a${b}c"') == Template(1, 1, ["a", V("b"), "c"])
    assert expr('"${b}"') == Template(1, 1, [V("b")])
    assert expr(r'"q\"\\\n\t\u00e9 $${x} %%{y}"') == L('q"\\\n\té ${x} %{y}')
    assert expr('"100% $5"') == L("100% $5")


def test_quoted_template_directives():
    assert expr('"%{if a}yes%{else}no%{endif}!"') == Template(
        1, 1, [TemplateIf(V("a"), ["yes"], ["no"]), "!"]
    )
    assert expr('"%{ for k, v in m }${k}=${v},%{ endfor }"') == Template(
        1, 1, [TemplateFor("k", "v", V("m"), [V("k"), "=", V("v"), ","])]
    )


def test_heredoc_plain_and_indented():
    cf = parse_hcl("a = <<EOT\n  x ${y}\n  z\nEOT\nb = <<-EOT\n    one\n      two\n    EOT\nc = 1\n", "h.tf")
    attrs = cf.body.attributes
    assert attrs["a"] == Attribute("a", Template(1, 4, ["  x ", V("y", 2), "\n  z\n"]), 1, 4)
    assert attrs["b"] == Attribute("b", L("one\n  two\n", 5, 8), 5, 8)
    assert attrs["c"].line == 9


def test_heredoc_directives_with_strip_markers():
    src = (
        "a = <<EOT\n"
        "%{ for x in xs ~}\n"
        "- ${x}\n"
        "%{ endfor ~}\n"
        "%{~ if y ~}\n"
        "  yes\n"
        "%{~ endif }\n"
        "EOT\n"
    )
    e = parse_hcl(src, "h.tf").body.attributes["a"].expr
    assert e == Template(
        1, 8, [TemplateFor(None, "x", V("xs", 2), ["- ", V("x", 3), "\n"]), TemplateIf(V("y", 5), ["yes"], []), "\n"]
    )


def test_heredoc_interpolation_with_braces_strings_and_lines():
    src = 'a = <<EOT\nline\n${jsonencode({\n  k = "}${v}"\n})}\nEOT\n'
    e = parse_hcl(src, "h.tf").body.attributes["a"].expr
    call = e.parts[1]
    assert e.parts[0] == "line\n" and e.parts[2] == "\n"
    assert call.name == "jsonencode" and (call.line, call.end_line) == (3, 5)
    (obj,) = call.args
    assert obj.items[0][1] == Template(4, 4, ["}", V("v", 4)])


def test_empty_heredoc():
    assert parse_hcl("a = <<EOT\nEOT\n", "h.tf").body.attributes["a"].expr == L("", 1, 2)


def test_parse_template_function():
    assert parse_template("plain") == L("plain")
    assert parse_template("a\n${b}", line=5) == Template(5, 6, ["a\n", V("b", 6)])
    assert parse_template("$${x}") == L("${x}")
    with pytest.raises(HclSyntaxError):
        parse_template("%{ if a }x")
    with pytest.raises(HclSyntaxError):
        parse_template("%{ endfor }")
    with pytest.raises(HclSyntaxError):
        parse_template("${ unclosed")


# -- comments ---------------------------------------------------------------------------------


def test_comments_collected_not_from_strings_or_heredocs():
    src = (
        "# one\n"
        'a = "# not a comment // nor this"  // two\n'
        "/* three\n   lines */\n"
        "b = <<EOT\n# inside heredoc\nEOT\n"
        "c = 1 # four\n"
    )
    cf = parse_hcl(src, "c.tf")
    assert cf.comments == [
        (1, "# one"),
        (2, "// two"),
        (3, "/* three\n   lines */"),
        (8, "# four"),
    ]


# -- errors -----------------------------------------------------------------------------------


def test_unclosed_block():
    with pytest.raises(HclSyntaxError) as err:
        parse_hcl('resource "a" "b" {\n  x = 1\n', "x.tf")
    # At the line that opened it, not at the end of the file.
    assert (err.value.line, err.value.message) == (1, "unclosed block opened at line 1")


def test_unclosed_heredoc():
    with pytest.raises(HclSyntaxError) as err:
        parse_hcl("a = 1\nb = <<EOT\nhello\n", "x.tf")
    assert err.value.line == 2


def test_garbage_and_binary(which):
    with pytest.raises(HclSyntaxError) as err:
        parse_hcl("a = 1\nthis is } not hcl\n", "x.tf")
    assert err.value.line == 2
    with pytest.raises(HclSyntaxError) as err:
        parse_hcl(bytes(range(256)).decode("latin-1"), "x.tf")
    # Both are errors of the text: the oracle stops at the NUL on line 1, the fast parser's
    # tokenizer first at the string its `"` (after the newline) opens and never closes.
    assert (err.value.line, err.value.message) == ((1, err.value.message) if which == "oracle" else (2, "unclosed string"))


def test_error_is_value_error_and_picklable():
    with pytest.raises(ValueError) as err:
        parse_hcl("a = ", "x.tf")
    copy = pickle.loads(pickle.dumps(err.value))
    assert (copy.message, copy.line) == (err.value.message, err.value.line)
    assert str(copy).startswith("line 1")


def test_expression_errors():
    for bad in ["", "1 +", "a = 1", "1\nb = 2"]:
        with pytest.raises(HclSyntaxError):
            parse_expression(bad)


@pytest.mark.parametrize(
    "src",
    [
        "a = " + "[" * 100_000 + "]" * 100_000,
        "a = " + "(" * 100_000 + "1" + ")" * 100_000,
        "a {\n" * 100_000 + "}\n" * 100_000,
        'a = "' + '${"' * 50_000 + '"}' * 50_000 + '"',
        "a = <<EOT\n" + "${[" * 50_000 + "]}" * 50_000 + "\nEOT\n",
        "a = " + " + ".join(["1"] * 3000),
        "a = x" + ".a" * 3000,
        "a = " + "x ? " * 2000 + "1" + " : 2" * 2000,
    ],
    ids=["brackets", "parens", "blocks", "interpolations", "heredoc", "operators", "attrs", "conditionals"],
)
def test_deep_nesting_is_a_syntax_error(src):
    with pytest.raises(HclSyntaxError) as err:
        parse_hcl(src, "deep.tf")
    assert err.value.line >= 1


def test_deepest_accepted_nesting_pickles():
    # the results travel to worker processes: the deepest accepted trees must pickle
    for src in [
        "a = " + "[" * 127 + "]" * 127,
        "a = " + "{a = " * 127 + "1" + "}" * 127,
        "a {\n" * 63 + "x = 1\n" + "}\n" * 63,
        "a {\n" * 40 + "x = " + "[" * 40 + "]" * 40 + "\n" + "}\n" * 40,
    ]:
        cf = parse_hcl(src, "x.tf")
        assert pickle.loads(pickle.dumps(cf)) == cf
