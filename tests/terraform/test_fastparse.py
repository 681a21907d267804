"""The one production native-syntax parser (`fastparse`) against the test oracle (python-hcl2's lark
grammar, tests/hcl2_oracle.py): equal trees (lines, comments and template parts included) on every
valid input -- every native file in the repository, real-repository snippets, generated
configurations --, HclSyntaxError on invalid input, and the documented cases where the fast parser
follows Terraform instead."""
from __future__ import annotations

import pathlib
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iacguard.terraform.fastparse import parse_expression_fast, parse_hcl_fast
from hcl2_oracle import HclSyntaxError, parse_expression, parse_hcl  # the oracle (tests/hcl2_oracle.py)
from iacguard.terraform.syntax import (
    BinaryOp,
    Block,
    Conditional,
    FunctionCall,
    GetAttr,
    Literal,
    UnaryOp,
    Variable,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _both(text: str):
    out = []
    for fn in (parse_hcl, parse_hcl_fast):
        try:
            out.append(fn(text, "/x/main.tf"))
        except HclSyntaxError as e:
            out.append(("error", e.line))
    return out


def assert_same(text: str) -> None:
    lark, fast = _both(text)
    assert type(lark) is not tuple, "parse_hcl rejects %r: %r" % (text, lark)
    assert fast == lark


# -- (1) every native file in the repository -----------------------------------------------

_FILES = sorted(
    p
    for pattern in ("*.tf", "*.tfvars")
    for p in ROOT.rglob(pattern)
    if not {".git", ".venv", "venv", "build", "node_modules"} & set(p.relative_to(ROOT).parts)
)


def test_repository_has_native_files():
    assert len(_FILES) > 20


@pytest.mark.parametrize("path", _FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_files_equal(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    lark, fast = _both(text)
    if type(lark) is tuple:
        assert type(fast) is tuple  # both reject
    else:
        assert fast == lark


# -- (1b) the real-repository snippets of tests/terraform/test_qa_real_repos.py ---------------


def _real_repository_snippets() -> list:
    """Every `{"<name>.tf": <text>}` of that file, at module level or inside a test."""
    import ast

    path = pathlib.Path(__file__).with_name("test_qa_real_repos.py")
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if (isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.endswith((".tf", ".tfvars"))
                        and isinstance(value, ast.Constant) and isinstance(value.value, str)):
                    out.append(pytest.param(dedent(value.value).lstrip("\n"), id="line%d:%s" % (key.lineno, key.value)))
    return out


_REAL = _real_repository_snippets()


def test_real_repository_snippets_found():
    assert len(_REAL) >= 8


@pytest.mark.parametrize("text", _REAL)
def test_real_repository_snippets_equal(text):
    assert_same(text)


# -- (2) tricky snippets -------------------------------------------------------------------

SNIPPETS = [
    "",
    "\n\n# only a comment\n",
    "a = 1",
    "a = 1\nb = 2",
    'a = "no newline at end"',
    'a = "x"\r\nb = 2\r\n',
    "\ufeffa = 1\n",
    "a\t=\t1\n\tb =\t[1,\t2]\n",
    "a = -1\nb = - 2\nc = -x\nd = !x\ne = -1.5e3\nf = 1e-3\ng = 1E+2\nh = 007\ni = 1.50\n",
    "a = 1 + 2 * 3 - 4 / 5 % 6\nb = a || b && c == d != e < f > g <= h >= i\n",
    "a = 1 - 1\nb = a-1\nc = a - -1\nd = 2*-3\ne = (1 + 2) * 3\n",
    "a = x ? y : z\nb = x ? y ? 1 : 2 : z ? 3 : 4\nc = a + b ? c : d + e\n",
    "a = x &&\n  y ||\n  z\nb = x ?\n  y :\n  z\n",
    "a = [\n  1,\n  2,\n]\nb = f(\n  x,\n  y,\n)\nc = [1\n]\nd = f(x\n)\ne = f(\nx)\n",
    "a = a.b.c[0].d[\"e\"][f]\nb = a.0.1\nc = a[*].b[0].c\nd = a.*.b.c\ne = a.*.b[0]\n"
    "f = a[*]\ng = a[*][0]\nh = a[*].b[*].c\ni = a[*].b.0\n",
    "a = x[\n  0\n]\nb = (a).b\nc = (a)[0]\nd = ((1))\ne = true.x\nf = !x.y\ng = -x[0]\n",
    "a = provider::aws::arn_parse(x)\nb = f(x...)\nc = f()\nd = f(a, b...)\ne = f(a,)\n",
    'a = { a = 1, "b" = 2, (c) = 3, d.e = 4, 5 = 6, "k${x}" = 7, true = 1, null: 2 }\n',
    "a = {\n  a = 1\n  b = 2\n\n  c = {\n    d = [1, 2]\n  }\n}\nb = {a = 1 b = 2}\n",
    'a = { "a" : 1, b : 2 }\nb = {\n  a = 1,\n  b = 2,\n}\nc = { (var.k) = 1 }\nd = {"${x}" = 1}\n',
    "a = [for v in xs : v.id]\nb = [for i, v in xs : v if i > 0]\n"
    "c = {for k, v in x : k => v... if v != null}\nd = {for k, v in x : k => v}\n",
    "for_each = { for k, v in x : k => v... if v != null }\n",
    "for_each = {\n  for k, v in var.x :\n  k => v\n  if v != null\n}\nb = [\n  for x in y :\n  x\n]\n",
    'a = "${x}"\nb = "a${x}b${y.z}c"\nc = "$${x}"\nd = "%%{x}"\n'
    'e = "a\\nb\\t\\"\\\\\\u00e9\\U0001F600"\nf = "${f("a", "b")}"\n',
    'a = "$"\nb = "%"\nc = "$$"\nd = "{}"\ne = "a$b%c"\nf = "# not a comment"\ng = "// nor this"\n',
    'a = "%{ if x }yes%{ else }no%{ endif }"\nb = "%{ for k, v in m }${k}=${v},%{ endfor }"\n',
    'a = "x ${~ y ~} z"\nb = "  %{~ if c ~}  d  %{~ endif ~}  "\nc = "%{if true}a%{endif}"\n',
    'a = "${ {a = 1}.a }"\nb = "${ [for x in y : "${x}!"] }"\nc = "${a}${b}"\n',
    'a = "line1\nline2"\nb = "x ${y} \n z"\n',
    'a = "${x}" == "y" ? [] : [1]\nb = x > 1 ? "a" : "b"\nc = length(x) > 0 ? x[0] : null\n',
    "a = <<EOT\nhello ${name}\n  %{ if x }yes%{ endif }\nEOT\n",
    "a = <<-EOT\n    hello\n      ${x}\n    bye\n    EOT\n",
    "a = <<EOT\nEOT\nb = 1\n",
    "b = <<EOT\n\n\nEOT\nc = <<EOT\nno newline at end\nEOT",
    'a = jsonencode(<<EOT\n{"a": "${b}"}\nEOT\n)\nb = f(\n  <<EOT\nx\nEOT\n  , 1)\n',
    "a = <<EOT\n${jsonencode(<<INNER\nz\nINNER\n)}\nEOT\n",
    "a = <<EOT\n  %{~ for x in y ~}\n  ${x}\n  %{~ endfor ~}\nEOT\n",
    "a = <<EOT\n# not a comment ${x # nor this\n}\nEOT\n",
    'resource "a" "b" {\n  x = 1\n  y {\n    z = 2\n  }\n  y {}\n}\n',
    'resource "a" "b" { x = 1 }\nprovider aws {\n}\nlocals {}\n',
    'resource "a" "b" # c\n{\n}\n',
    "a = 1 # c\nb = 2 // d\n/* e\n f */\nc = 3 /* g */\n# end",
    "a = [\n  # c\n  1, // d\n  /* e */ 2\n]\nb = f(x, # c\n  y)\n",
    "a-b = c-d\nfor = 1\nin = 2\nif = 3\n",
    'a = { x = a -1 }\nb = "a" + "b"\nc = x.y.z == "a" && b\n',
    'a = "${"${"${x}"}"}"\nb = "${x ? "a" : "b"}"\n',
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets_equal(text):
    assert_same(text)


def test_comments_with_lines():
    cf = parse_hcl_fast("# a\nx = 1 // b\n/* c\n d */\ny = [1, /* e */ 2]\n", "x.tf")
    assert cf.comments == [(1, "# a"), (2, "// b"), (3, "/* c\n d */"), (5, "/* e */")]


def test_expression_entry_point():
    for text in ["a.b[0]", "x ? 1 : 2", '"${a}-b"', "<<EOT\nx\nEOT\n", "[for v in x : v]"]:
        assert parse_expression_fast(text, 7) == parse_expression(text, 7)


def test_long_file_equal():
    text = "".join(
        'resource "aws_s3_bucket" "b%d" {\n  bucket = "b-%d"\n  tags = { Name = "${var.p}-%d" }\n}\n'
        % (k, k, k)
        for k in range(500)
    )
    assert_same(text)


# Where parse_hcl (python-hcl2's grammar) rejects valid Terraform, the fast parser follows Terraform.
def test_newlines_inside_parentheses_follow_terraform():
    e = parse_hcl_fast("a = (\n  x\n  ? y\n  : z\n)\nb = (x\n + y)\n", "x.tf").body.attributes
    assert e["a"].expr == Conditional(2, 4, Variable(2, 2, "x"), Variable(3, 3, "y"), Variable(4, 4, "z"))
    assert e["b"].expr == BinaryOp(6, 7, "+", Variable(6, 6, "x"), Variable(7, 7, "y"))
    assert e["b"].end_line == 7
    with pytest.raises(HclSyntaxError):
        parse_hcl("a = (x\n + y)\n", "x.tf")


def test_terraform_forms_lark_rejects():
    cf = parse_hcl_fast('resource /* c */ "a" /* d */ "b" {\n}\n', "x.tf")
    assert cf.body.blocks == [Block("resource", ["a", "b"], cf.body.blocks[0].body, 1, 2)]
    assert cf.comments == [(1, "/* c */"), (1, "/* d */")]
    a = parse_hcl_fast("a = x /* c */ + y\n", "x.tf").body.attributes["a"].expr
    assert a == BinaryOp(1, 1, "+", Variable(1, 1, "x"), Variable(1, 1, "y"))
    a = parse_hcl_fast('a = "${\n  x\n}"\n', "x.tf").body.attributes["a"].expr
    assert a.parts == [Variable(2, 2, "x")]
    a = parse_hcl_fast("a = <<E\nx\nE\n", "x.tf").body.attributes["a"].expr
    assert a == Literal(1, 3, "x\n")
    a = parse_hcl_fast("ünï = ñ.x\n", "x.tf").body.attributes["ünï"].expr
    assert a == GetAttr(1, 1, Variable(1, 1, "ñ"), "x")
    a = parse_hcl_fast("a = !!x\n", "x.tf").body.attributes["a"].expr
    assert a == UnaryOp(1, 1, "!", UnaryOp(1, 1, "!", Variable(1, 1, "x")))
    a = parse_hcl_fast('a = f(<<-A\n  x\n  A\n, 1)\n', "x.tf").body.attributes["a"].expr
    assert a == FunctionCall(1, 4, "f", [Literal(1, 3, "x\n"), Literal(4, 4, 1)], False)


def test_empty_heredoc_ends_at_first_marker():
    # python-hcl2's heredoc regex (`<<ID\n?...?\n\s*ID\n`, greedy `\n?`) lets an empty heredoc run
    # on to a later heredoc's closing marker; Terraform closes it at the first marker line.
    text = "a = <<EOT\nEOT\nb = <<EOT\nx\nEOT\n"
    attrs = parse_hcl_fast(text, "x.tf").body.attributes
    assert attrs["a"].expr == Literal(1, 2, "")
    assert attrs["b"].expr == Literal(3, 5, "x\n")
    assert parse_hcl(text, "x.tf").body.attributes["a"].expr == Literal(1, 5, "EOT\nb = <<EOT\nx\n")


def test_lark_accepts_invalid_juxtaposed_digits():
    assert parse_hcl("a = 1 2\n", "x.tf").body.attributes["a"].expr.value == 12
    with pytest.raises(HclSyntaxError):
        parse_hcl_fast("a = 1 2\n", "x.tf")


# -- (3) errors ----------------------------------------------------------------------------

ERRORS = [
    ('resource "a" "b" {\n  x = 1\n', 1),  # reported where the block opens
    ('a = "abc\n', 1),
    ('a = "abc', 1),
    ("a = <<EOT\nabc\n", 1),
    ("a = " + "[" * 100000 + "]" * 100000, 1),
    ("a = " + "(" * 100000 + "1" + ")" * 100000, 1),
    ("a = {" * 50000 + "}" * 50000, 1),
    ('a = "' + "${" * 3000 + "x" + "}" * 3000 + '"', 1),
    ("a = \x00\x01\x02", 1),
    ("a = @", 1),
    ("a = {\n", 2),
    ("}", 1),
    ("a =", 1),
    ('a = "${x"', 1),
    ('a = "%{ if x }"', 1),
    ('a = "%{ endif }"', 1),
    ('a = "\\uZZZZ"', 1),
    ("a = 1 +", 1),
    ("a = x ? y", 1),
    ("a = [for x in y]", 1),
    ('resource "${x}" {}', 1),
    ("a = /* unterminated", 1),
    ("x {", 1),
    ("a = " + "x ? y : " * 3000 + "z", 1),
    ("a = " + "!" * 3000 + "x", 1),
    ("a = x" + ".a" * 3000, 1),
    ("a = 1" + " + 1" * 3000, 1),
    ("a {\n" * 200 + "}\n" * 200, 65),
    ("a = <<EOT\n" + "%{if x}" * 200 + "%{endif}" * 200 + "\nEOT\n", 1),
    ("a = x" + "[0]" * 300, 1),
]


@pytest.mark.parametrize("text,line", ERRORS, ids=lambda v: repr(v)[:30] if isinstance(v, str) else str(v))
def test_errors(text, line):
    with pytest.raises(HclSyntaxError) as info:
        parse_hcl_fast(text, "x.tf")
    assert abs(info.value.line - line) <= 1
    with pytest.raises(HclSyntaxError) as oracle:
        parse_hcl(text, "x.tf")
    if "nest" not in oracle.value.message:  # the oracle counts a block as one level, fastparse two
        assert abs(oracle.value.line - line) <= 1


@pytest.mark.parametrize("form", ["a = %s1%s", "a {\n  x = %sx%s\n}\n"])
@pytest.mark.parametrize("pair", [("[", "]"), ("(", ")"), ("{a = ", "}"), ("f(", ")"), ('"${', '}"')])
def test_depth_limit_matches(form, pair):
    for n in (120, 126, 127, 128, 129, 130, 131):
        text = form % (pair[0] * n, pair[1] * n)
        lark, fast = _both(text)
        assert (type(lark) is tuple) == (type(fast) is tuple), n
        if type(lark) is not tuple:
            assert fast == lark


# -- (4) random configurations --------------------------------------------------------------

_NAMES = st.sampled_from(
    ["a", "b", "x_1", "var", "local", "each", "count", "for_each", "k-v", "true", "null"]
)
_LEAVES = st.one_of(
    _NAMES,
    st.sampled_from(["var.x", "local.y.z", "each.key", "count.index", "a.0", "a[*].id", "a.*.id"]),
    st.integers(0, 10**6).map(str),
    st.sampled_from(["1.5", "2e3", "0.25E-2", "-1", "true", "false", "null"]),
    st.sampled_from(['"s"', '""', '"a\\nb"', '"${x}"', '"p-${var.a}-q"', '"$${x}"', '"%{if a}b%{endif}"',
                     '"x ${~ y ~} z"', '"%{ for v in xs }${v},%{ endfor }"', '"${f("a")}"']),
)
_BINOPS = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"])
_SP = st.sampled_from([" ", " ", "", "  "])
_NL = st.sampled_from([" ", "\n", "\n  ", " # c\n", " /* c */ "])


def _extend(inner):
    return st.one_of(
        st.tuples(inner, _SP, _BINOPS, _NL, inner).map(lambda t: "%s %s%s%s" % (t[0], t[2], t[3], t[4])),
        st.tuples(inner, inner, inner).map(lambda t: "%s ? %s : %s" % t),
        inner.map(lambda e: "(%s)" % e),
        st.tuples(st.sampled_from(["-", "!"]), inner).map(lambda t: "%s(%s)" % t),
        st.lists(inner, max_size=3).map(lambda xs: "[%s]" % ", ".join(xs)),
        st.lists(st.tuples(inner, _NL), max_size=3).map(
            lambda xs: "[%s]" % "".join("%s,%s" % x for x in xs)
        ),
        st.lists(st.tuples(_NAMES, inner), max_size=3).map(
            lambda kv: "{%s}" % ", ".join("%s = %s" % x for x in kv)
        ),
        st.lists(st.tuples(_NAMES, inner), max_size=3).map(
            lambda kv: "{\n%s\n}" % "\n".join("  %s = %s" % x for x in kv)
        ),
        st.tuples(st.sampled_from(["f", "lower", "provider::p::g"]), st.lists(inner, max_size=3),
                  st.booleans()).map(
            lambda t: "%s(%s%s)" % (t[0], ", ".join(t[1]), "..." if t[2] and t[1] else "")
        ),
        st.tuples(inner, inner).map(lambda t: "%s[%s]" % ("(%s)" % t[0], t[1])),
        inner.map(lambda e: "(%s).attr" % e),
        st.tuples(inner, inner, st.booleans()).map(
            lambda t: "[for i, v in %s : %s%s]" % (t[0], t[1], " if v != null" if t[2] else "")
        ),
        st.tuples(inner, inner, st.booleans()).map(
            lambda t: "{for k, v in %s : k => %s%s}" % (t[0], t[1], "..." if t[2] else "")
        ),
        inner.map(lambda e: '"pre-${%s}-post"' % e),
        inner.map(lambda e: "<<EOT\nline ${%s}\nEOT\n" % e),
        inner.map(lambda e: "<<-EOT\n    x\n      ${%s}\n    EOT\n" % e),
    )


_EXPRS = st.recursive(_LEAVES, _extend, max_leaves=12)


def _body(depth: int):
    attr = st.tuples(_NAMES, _EXPRS).map(lambda t: "%s = %s\n" % t)
    if depth == 0:
        return st.lists(attr, max_size=4).map("".join)
    block = st.tuples(
        st.sampled_from(["resource", "data", "module", "dynamic", "x"]),
        st.lists(st.sampled_from(['"aws_s3_bucket"', '"b"', "lbl", '"a-b"']), max_size=2),
        _body(depth - 1),
    ).map(lambda t: "%s %s {\n%s}\n" % (t[0], " ".join(t[1]), t[2]))
    return st.lists(st.one_of(attr, block), max_size=4).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_body(2))
def test_random_configurations_agree(text):
    lark, fast = _both(text)
    if type(lark) is tuple:
        assert type(fast) is tuple, text
    else:
        assert fast == lark, text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='ab =+-*/{}[]()"$%~#\n<>!?:,.01\\', max_size=40))
def test_random_text_never_crashes(text):
    lark, fast = _both(text)
    if type(lark) is not tuple and type(fast) is not tuple:
        assert fast == lark


def test_heredoc_closing_marker_may_carry_trailing_blanks():
    # Terraform and OpenTofu end a heredoc at a line holding the marker and blanks only.
    from iacguard.terraform import parse_file
    from iacguard.terraform.expressions import Scope, evaluate

    cf = parse_file('a = <<EOF\nbody\nEOF  \nb = 1\nc = <<-X\n  y\n  X\t\nd = <<EOF\nEOF x\nz\nEOF \n', "/x.tf")
    values = {k: evaluate(a.expr, Scope()) for k, a in cf.body.attributes.items()}
    assert values == {"a": "body\n", "b": 1, "c": "y\n", "d": "EOF x\nz\n"}
