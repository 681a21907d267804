"""The Terraform native-syntax parser (`.tf`, `.tfvars`, `--var` values, template files): the only
one the product runs.

`parse_hcl_fast(text, path)` builds the `ConfigFile` tree of `iacguard.terraform.syntax`: one compiled
master regex splits the text into tokens with `findall` (C speed), a single Python loop attaches
lines, and a recursive-descent parser written as closures over the token lists builds the tree.
`parse_expression_fast` reads one expression (a `--var` value, an expression from plan JSON) and
`parse_template_fast` template text (`templatefile`, `templatestring`), both with the same rules.
A text it refuses raises HclSyntaxError with its line; there is no second parser to fall back on.

python-hcl2's lark grammar is the test oracle (tests/hcl2_oracle.py, a test dependency only): the
tests check that both give equal trees on every `.tf` in the repository, real-repository
snippets, generated configurations, and that both refuse invalid text at the same line.

Token stream: parallel lists K (kind), V (text), LN (1-based line), NB (a newline or line comment
precedes the token). Kinds: "i" identifier, "n" number, "s" quoted string (raw, with quotes), "h"
heredoc (raw, through the newline after its closing marker), "$" end of input, "bad" a character
that starts no token, and for punctuation the punctuation itself ("(", "==", "...", ...). Newlines
are not tokens: the parser looks at NB only where a newline ends an expression (attribute values
and object elements); inside parentheses, brackets, calls, for-expressions and interpolations
newlines are ignored, as in Terraform.

Quoted strings whose interpolations nest other interpolations, braces or newlines are too much for
the master regex; a lone `"` token then sends the whole text to the slower positional tokenizer,
which finds such string ends with a bracket stack.

Template contents (interpolations, directives, strip markers, escapes, `$${`) are scanned with the
rules and helpers of hcltext.py (`find_close`, `escape_at`, `build_template`, `dedent`); the
expressions inside are parsed by this module.

Nesting: brackets, blocks and template levels deeper than the scan's `max_depth` (iacguard.core.limits), and syntax trees deeper
than hcltext.check_depth accepts, raise HclSyntaxError with a line; never RecursionError.

Where the oracle (python-hcl2) and this parser differ, this parser follows Terraform:
- newlines before a binary operator, `?`, `:` or a traversal inside parentheses, brackets, call
  arguments, for-expressions and interpolations are ignored (lark rejects them);
- comments between block labels, or `/* */` between an operand and an operator, are ignored;
- identifiers may use Unicode letters; heredoc markers may be one character long;
- `!!x` and `- -x` are accepted; `1 2` is rejected (lark reads it as 12);
- templates with directives may be object keys;
- an empty heredoc (`<<EOT\nEOT\n`) ends at its first closing marker (lark's greedy `\n?` runs it
  on to a later heredoc's marker when there is one);
- `a.*.b.0` is `(a.*.b)[0]` (lark rejects it).
"""
from __future__ import annotations

import gc
import re

from iacguard.core import limits as _limits
from iacguard.core.model import line_end_columns
from iacguard.core.numbers import integer
from iacguard.terraform.hcltext import (
    HclSyntaxError,
    build_template as _build_template,
    check_depth as _check_depth,
    check_expr_depth as _check_expr_depth,
    dedent as _dedent,
    normalize as _normalize,
)
from iacguard.terraform.hcltext import scan_template as _reference_scan_template
from iacguard.terraform.syntax import (
    Attribute,
    BinaryOp,
    Block,
    Body,
    Conditional,
    ConfigFile,
    Expr,
    ForExpr,
    FunctionCall,
    GetAttr,
    Index,
    Literal,
    ObjectExpr,
    Splat,
    TupleExpr,
    UnaryOp,
    Variable,
)

__all__ = ["parse_hcl_fast", "parse_expression_fast", "parse_template_fast"]

# --------------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------------

# Group 1: what is skipped before a token (blanks, newlines, comments); group 2: the token;
# group 3: a heredoc's marker (for the back-reference). Possessive quantifiers keep failed string
# matches linear. Strings with a comment inside an interpolation go to the positional tokenizer,
# which records the comment.
_STRING = (
    r'"(?:[^"\\\n$%]++|\\.|\$\$\{|%%\{|[$%](?!\{)'
    r'|[$%]\{(?:[^{}"\n#/]++|/(?![/*])|"(?:[^"\\\n$%]++|\\.|[$%](?!\{))*+")*+\})*+"'
)
_MASTER_RE = re.compile(
    r"((?:[ \t\n]++|\#[^\n]*+|//[^\n]*+|/\*(?s:.)*?\*/)*+)"
    r"("
    r"[^\W\d][\w-]*+"
    r"|[0-9]++(?:\.[0-9]++)?+(?:[eE][+-]?+[0-9]++)?+"
    r"|" + _STRING + r""
    # Terraform ends a heredoc at a line holding its marker and blanks only (trailing too).
    r"|<<-?([A-Za-z][\w.-]*+)[ \t]*+\n(?:[^\n]*+\n)*?[ \t]*+\3[ \t]*+\n"
    r"|==|!=|<=|>=|&&|\|\||=>|\.\.\.|::|[-+*/%<>!?:=,.()\[\]{}]"
    r"|\Z"
    r"|[\s\S]"
    r")"
)
_COMMENT_RE = re.compile(r"\#[^\n]*|//[^\n]*|/\*(?s:.)*?\*/")
_BLOCK_COMMENT_RE = re.compile(r"/\*(?s:.)*?\*/")
# Inside a quoted string (the slow path): the rules of the oracle's pre-scan.
_STR_SCAN_RE = re.compile(r'\\.|"|\$\$\{|%%\{|\$\{|%\{', re.S)
_STR_CODE_RE = re.compile(r'"|\{|\}|\#|//|/\*|<<-?(?=[A-Za-z])')
_HEREDOC_START_RE = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\n")

_P = "p"  # first character of punctuation
_KIND = {c: _P for c in "-+*/%<>!?:=,.()[]{}&|"}
_KIND.update({c: "n" for c in "0123456789"})
_KIND.update({c: "i" for c in "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"})
_KIND['"'] = "s"
_KIND["<"] = "<"
_KIND[""] = "$"


class _Fallback(Exception):
    """A quoted string the master regex cannot delimit: use the positional tokenizer."""


def _slow_tokens(text: str, line0: int, comments) -> list:
    """The master regex applied position by position; quoted strings the regex cannot match are
    delimited with a bracket stack. Returns findall-shaped tuples."""
    out = []
    pos = 0
    match = _MASTER_RE.match
    while True:
        m = match(text, pos)
        ws, tok, hid = m.groups()
        if tok == '"':
            start = m.start(2)
            end = _string_end(text, start, line0, comments)
            tok = text[start:end]
            out.append((ws, tok, hid))
            pos = end
            continue
        out.append((ws, tok, hid))
        if not tok:
            return out
        pos = m.end()


def _string_end(text: str, start: int, line0: int, comments) -> int:
    """End (exclusive) of the quoted string opening at text[start]; comments inside its
    interpolations are recorded as the oracle's pre-scan does (when `comments` is a list)."""
    stack = ['"']
    pos = start + 1
    while stack:
        if stack[-1] == '"':
            m = _STR_SCAN_RE.search(text, pos)
            if m is None:
                raise HclSyntaxError("unclosed string", line0 + text.count("\n", 0, start))
            tok = m.group()
            pos = m.end()
            if tok == '"':
                stack.pop()
            elif tok == "${" or tok == "%{":
                stack.append("$")
                if len(stack) > _limits.CURRENT.max_depth:
                    raise HclSyntaxError(
                        "nesting deeper than %d" % _limits.CURRENT.max_depth, line0 + text.count("\n", 0, pos)
                    )
            continue
        m = _STR_CODE_RE.search(text, pos)
        if m is None:
            raise HclSyntaxError("unclosed string", line0 + text.count("\n", 0, start))
        tok = m.group()
        cstart = m.start()
        pos = m.end()
        if tok == '"':
            stack.append('"')
        elif tok == "{":
            stack.append("{")
            if len(stack) > _limits.CURRENT.max_depth:
                raise HclSyntaxError(
                    "nesting deeper than %d" % _limits.CURRENT.max_depth, line0 + text.count("\n", 0, pos)
                )
        elif tok == "}":
            stack.pop()
        elif tok[0] == "<":  # a heredoc: skipped whole, as the oracle's pre-scan does
            hm = _HEREDOC_START_RE.match(text, cstart)
            if hm is not None:
                close = re.compile(r"^[ \t]*%s[ \t]*$" % re.escape(hm.group(1)), re.M)
                cm = close.search(text, hm.end())
                pos = len(text) if cm is None else cm.end()
        else:
            if tok == "/*":
                end = text.find("*/", pos)
                end = len(text) if end < 0 else end + 2
            else:
                end = text.find("\n", cstart)
                end = len(text) if end < 0 else end
            if comments is not None:
                comments.append((line0 + text.count("\n", 0, cstart), text[cstart:end]))
            pos = end
    return pos


def _lex(text: str, line0: int, comments):
    """Tokens of `text` (which must end with a newline, added by the caller) as lists K, V, LN, NB.
    The end of input is on the last line of the text without that newline (`a = ` fails on
    line 1, not 2)."""
    K, V, LN, NB = _lex_all(text, line0, comments)
    LN[-1] = LN[-2] = line0 + text.count("\n") - 1
    return K, V, LN, NB


def _lex_all(text: str, line0: int, comments):
    try:
        return _build_tokens(_MASTER_RE.findall(text), line0, comments)
    except _Fallback:
        pass
    if comments is None:
        return _build_tokens(_slow_tokens(text, line0, None), line0, None)
    del comments[:]
    in_strings: list = []
    tokens = _build_tokens(_slow_tokens(text, line0, in_strings), line0, comments)
    if in_strings:
        comments.extend(in_strings)
        comments.sort(key=lambda c: c[0])
    return tokens


def _build_tokens(found: list, line: int, comments):
    K: list = []
    V: list = []
    LN: list = []
    NB: list = []
    kappend = K.append
    vappend = V.append
    lappend = LN.append
    nappend = NB.append
    kind_of = _KIND.get
    P = _P
    # Blanks without comments repeat (a newline and an indentation): (newline before the token,
    # newlines) worked out once per distinct text in the file.
    blanks: dict = {}
    blank = blanks.get
    for ws, t, _h in found:
        nb = False
        if ws and ws != " ":
            known = blank(ws)
            if known is not None:
                nb, n = known
                line += n
            elif "#" in ws or "/" in ws:
                if "\n" in ws:
                    nb = True
                    if "/*" in ws:
                        nb = "\n" in _BLOCK_COMMENT_RE.sub("", ws)
                for m in _COMMENT_RE.finditer(ws):
                    c = m.group()
                    if comments is not None:
                        comments.append((line + ws.count("\n", 0, m.start()), c))
                    if c[0] != "/" or c[1] == "/":
                        nb = True
                line += ws.count("\n")
            else:
                n = ws.count("\n")
                nb = n > 0
                blanks[ws] = (nb, n)
                line += n
        k = kind_of(t[:1])
        if k != "i":
            if k is None:  # not ASCII: a Unicode identifier, or a stray character
                c = t[0]
                k = "i" if (c == "_" or c.isalnum()) and not c.isdecimal() else "bad"
            elif k == P:
                k = t
            elif k == "s":
                if len(t) == 1:
                    raise _Fallback()
                if "\n" in t:  # slow path only: a string spanning lines
                    kappend(k)
                    vappend(t)
                    lappend(line)
                    nappend(nb)
                    line += t.count("\n")
                    continue
            elif k == "<":
                if t[1:2] == "<":
                    kappend("h")
                    vappend(t)
                    lappend(line)
                    nappend(nb)
                    line += t.count("\n")
                    continue
                k = t
            elif k == "$":
                break
        kappend(k)
        vappend(t)
        lappend(line)
        nappend(nb)
    # End of input, twice: the parser peeks one token ahead.
    K += ("$", "$")
    V += ("", "")
    LN += (line, line)
    NB += (True, True)
    return K, V, LN, NB


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------

_PREC = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    ">": 4,
    ">=": 4,
    "<": 4,
    "<=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}
_CONTINUE = frozenset(_PREC) | {"?"}
_KEYWORDS = {"true": True, "false": False, "null": None}


def _describe(k: str, v: str) -> str:
    if k == "$":
        return "end of input"
    if k == "bad":
        return "character %r" % v
    first = v.split("\n", 1)[0]
    return repr(first[:30] + "..." if len(first) > 30 or len(first) < len(v) else first)


def _make_parser(K, V, LN, NB, depth0: int):
    """Closures over one token stream: (body, expression, position)."""
    i = 0
    depth = depth0
    # Characters of templates parsed so far: with the tokens an expression spans, a bound on
    # its syntax-tree depth (every node on a path owns a token or a piece of template text).
    tplen = 0

    # What is open where ("block", line): at the end of the input, an error names the innermost
    # one and its line rather than the last line of the file.
    opens: list = []

    def fail(j: int, what: str = ""):
        if K[j] == "$" and opens:
            unclosed(*opens[-1])
        if V[j] == "<" and V[j + 1] == "<" and LN[j + 1] == LN[j]:
            # The tokenizer takes a heredoc whole, up to its closing marker: "<<" left over
            # starts one that is never closed.
            marker = V[j + 3] if V[j + 2] == "-" else V[j + 2]
            unclosed("heredoc <<%s" % marker, LN[j])
        raise HclSyntaxError(what or "unexpected %s" % _describe(K[j], V[j]), LN[j])

    def expect(k: str) -> None:
        nonlocal i
        if K[i] != k:
            fail(i, "expected %r, found %s" % (k, _describe(K[i], V[i])))
        i += 1

    def ident() -> str:
        nonlocal i
        if K[i] != "i":
            fail(i, "expected a name, found %s" % _describe(K[i], V[i]))
        i += 1
        return V[i - 1]

    def expr(sig: bool) -> Expr:
        """An expression; `sig`: a newline ends it (attribute values, object elements)."""
        nonlocal i, depth
        depth += 1
        if depth > _limits.CURRENT.max_depth + 1:  # expression recursion = bracket nesting + 1 (the attribute's own level)
            fail(i, "nesting deeper than %d" % _limits.CURRENT.max_depth)
        left = operand(sig)
        k = K[i]
        if k in _CONTINUE and not (sig and NB[i]):
            if k != "?":
                # Shunting-yard: left-associative, Terraform's precedence.
                prec = _PREC
                out = [left]
                ops: list = []
                while True:
                    i += 1
                    p = prec[k]
                    while ops and prec[ops[-1]] >= p:
                        op = ops.pop()
                        r = out.pop()
                        lf = out.pop()
                        out.append(BinaryOp(lf.line, r.end_line, op, lf, r))
                    ops.append(k)
                    out.append(operand(sig))
                    k = K[i]
                    if k not in prec or (sig and NB[i]):
                        break
                while ops:
                    op = ops.pop()
                    r = out.pop()
                    lf = out.pop()
                    out.append(BinaryOp(lf.line, r.end_line, op, lf, r))
                left = out[0]
            if k == "?" and not (sig and NB[i]):
                i += 1
                then = expr(sig)
                if K[i] != ":":
                    fail(i, "expected ':' in a conditional, found %s" % _describe(K[i], V[i]))
                i += 1
                other = expr(sig)
                left = Conditional(left.line, other.end_line, left, then, other)
        depth -= 1
        return left

    def operand(sig: bool) -> Expr:
        """Unary operators, a term and its traversals (index, attribute, splat)."""
        nonlocal i
        k = K[i]
        if k == "-" or k == "!":
            start = i
            while K[i] == "-" or K[i] == "!":
                i += 1
            stop = i
            node = operand(sig)
            # lark's span of the operand term: through its last token (a closing parenthesis).
            end = LN[i - 1]
            if K[i - 1] == "s" or K[i - 1] == "h":
                end += V[i - 1].count("\n")
            for j in range(stop - 1, start - 1, -1):
                op = K[j]
                if op == "-" and type(node) is Literal and type(node.value) in (int, float):
                    node = Literal(LN[j], end, -node.value)
                else:
                    node = UnaryOp(LN[j], end, op, node)
            return node
        line = LN[i]
        if k == "i":
            name = V[i]
            nk = K[i + 1]
            if nk == "(" and not (sig and NB[i + 1]):
                i += 2
                node = call(name, line)
            elif nk == "::":
                node = provider_call(line)
            else:
                i += 1
                if name in _KEYWORDS:
                    node = Literal(line, line, _KEYWORDS[name])
                else:
                    node = Variable(line, line, name)
        elif k == "s":
            t = V[i]
            i += 1
            if "\\" not in t and "{" not in t:
                node = Literal(line, line + t.count("\n") if "\n" in t else line, t[1:-1])
            else:
                node = string(t, line)
        elif k == "n":
            t = V[i]
            i += 1
            if "." in t or "e" in t or "E" in t:
                node = Literal(line, line, float(t))
            else:
                node = Literal(line, line, integer(t))
        elif k == "(":
            i += 1
            opens.append(("'('", line))
            node = expr(False)
            if K[i] != ")":
                fail(i, "expected ')', found %s" % _describe(K[i], V[i]))
            i += 1
            opens.pop()
        elif k == "[":
            i += 1
            if V[i] == "for" and K[i + 1] == "i":
                node = for_expr(line, "]")
            else:
                node = tuple_expr(line)
        elif k == "{":
            i += 1
            if V[i] == "for" and K[i + 1] == "i":
                node = for_expr(line, "}")
            else:
                node = object_expr(line)
        elif k == "h":
            node = heredoc(V[i], line)
            i += 1
        else:
            fail(i)
        # Traversals.
        while True:
            k = K[i]
            if k == ".":
                if sig and NB[i]:
                    return node
                nk = K[i + 1]
                if nk == "i":
                    i += 2
                    node = GetAttr(node.line, LN[i - 1], node, V[i - 1])
                elif nk == "*":
                    i += 2
                    end = LN[i - 1]
                    steps = []
                    while K[i] == "." and K[i + 1] == "i" and not (sig and NB[i]):
                        steps.append(("attr", V[i + 1]))
                        end = LN[i + 1]
                        i += 2
                    node = Splat(node.line, end, node, steps, False)
                elif nk == "n":
                    for key in legacy_index():
                        node = Index(node.line, key.end_line, node, key)
                else:
                    fail(i + 1, "expected a name after '.', found %s" % _describe(nk, V[i + 1]))
            elif k == "[":
                if sig and NB[i]:
                    return node
                if K[i + 1] == "*" and K[i + 2] == "]":
                    i += 3
                    end = LN[i - 1]
                    steps = []
                    while True:
                        k = K[i]
                        if sig and NB[i]:
                            break
                        if k == ".":
                            nk = K[i + 1]
                            if nk == "i":
                                steps.append(("attr", V[i + 1]))
                                end = LN[i + 1]
                                i += 2
                            elif nk == "n":
                                for key in legacy_index():
                                    steps.append(("index", key))
                                    end = key.end_line
                            else:
                                break
                        elif k == "[" and not (K[i + 1] == "*" and K[i + 2] == "]"):
                            i += 1
                            steps.append(("index", expr(False)))
                            if K[i] != "]":
                                fail(i, "expected ']', found %s" % _describe(K[i], V[i]))
                            end = LN[i]
                            i += 1
                        else:
                            break
                    node = Splat(node.line, end, node, steps, True)
                else:
                    i += 1
                    key = expr(False)
                    if K[i] != "]":
                        fail(i, "expected ']', found %s" % _describe(K[i], V[i]))
                    node = Index(node.line, LN[i], node, key)
                    i += 1
            else:
                return node

    def legacy_index() -> list:
        """`.0` (and `.0.1`, one number token): Literal keys, the dot and number consumed."""
        nonlocal i
        t = V[i + 1]
        line = LN[i + 1]
        i += 2
        parts = t.split(".")
        if not all(p.isdigit() for p in parts):
            fail(i - 1, "invalid index %r" % t)
        return [Literal(line, line, integer(p)) for p in parts]

    def call(name: str, line: int) -> FunctionCall:
        nonlocal i
        args = []
        expand = False
        opens.append(("'('", line))
        while K[i] != ")":
            args.append(expr(False))
            k = K[i]
            if k == ",":
                i += 1
            elif k == "...":
                i += 1
                expand = True
                if K[i] != ")":
                    fail(i, "expected ')' after '...', found %s" % _describe(K[i], V[i]))
            elif k != ")":
                fail(i, "expected ',' or ')', found %s" % _describe(k, V[i]))
        i += 1
        opens.pop()
        return FunctionCall(line, LN[i - 1], name, args, expand)

    def provider_call(line: int) -> FunctionCall:
        names = [ident()]
        for _ in range(2):
            expect("::")
            names.append(ident())
        expect("(")
        return call("::".join(names), line)

    def tuple_expr(line: int) -> TupleExpr:
        nonlocal i
        items = []
        opens.append(("'['", line))
        while K[i] != "]":
            items.append(expr(False))
            k = K[i]
            if k == ",":
                i += 1
            elif k != "]":
                fail(i, "expected ',' or ']', found %s" % _describe(k, V[i]))
        i += 1
        opens.pop()
        return TupleExpr(line, LN[i - 1], items)

    def object_expr(line: int) -> ObjectExpr:
        nonlocal i
        items = []
        opens.append(("'{'", line))
        while True:
            k = K[i]
            if k == "}":
                break
            if k == "i":
                kl = LN[i]
                name = V[i]
                i += 1
                if K[i] == "." and K[i + 1] == "i":
                    parts = [name]
                    while K[i] == "." and K[i + 1] == "i":
                        parts.append(V[i + 1])
                        i += 2
                    key: Expr = Literal(kl, LN[i - 1], ".".join(parts))
                else:
                    key = Literal(kl, kl, name)
            elif k == "$":
                fail(i, "unclosed object")
            else:
                key = operand(True)
            k = K[i]
            if k != "=" and k != ":":
                fail(i, "expected '=' or ':' after an object key, found %s" % _describe(k, V[i]))
            i += 1
            items.append((key, expr(True)))
            if K[i] == ",":
                i += 1
        i += 1
        opens.pop()
        return ObjectExpr(line, LN[i - 1], items)

    def for_expr(line: int, close: str) -> ForExpr:
        nonlocal i
        opens.append(("'['" if close == "]" else "'{'", line))
        i += 1  # "for"
        first = ident()
        if K[i] == ",":
            i += 1
            key_var, value_var = first, ident()
        else:
            key_var, value_var = None, first
        if K[i] != "i" or V[i] != "in":
            fail(i, "expected 'in', found %s" % _describe(K[i], V[i]))
        i += 1
        coll = expr(False)
        expect(":")
        key_expr = None
        grouping = False
        if close == "}":
            key_expr = expr(False)
            expect("=>")
        value = expr(False)
        if close == "}" and K[i] == "...":
            i += 1
            grouping = True
        cond = None
        if K[i] == "i" and V[i] == "if":
            i += 1
            cond = expr(False)
        if K[i] != close:
            fail(i, "expected %r, found %s" % (close, _describe(K[i], V[i])))
        i += 1
        opens.pop()
        return ForExpr(line, LN[i - 1], key_var, value_var, coll, key_expr, value, cond, grouping)

    def string(t: str, line: int) -> Expr:
        nonlocal tplen
        tplen += len(t)
        raw = t[1:-1]
        end_line = line + t.count("\n")
        if "${" not in raw and "%{" not in raw:
            if "\\" not in raw and "$$" not in raw and "%%" not in raw:
                return Literal(line, end_line, raw)
        tokens = _scan_template(raw, line, True, depth + 1)
        return _build_template(tokens, line, end_line)

    def heredoc(value: str, line: int) -> Expr:
        nonlocal tplen
        tplen += len(value)
        # As the oracle's heredoc(): the token runs through the newline after the closing marker.
        end_line = line + value.rstrip("\n").count("\n")
        first_nl = value.find("\n")
        rest = value[first_nl + 1 :].rstrip("\n")
        last_nl = rest.rfind("\n")
        content = rest[: last_nl + 1] if last_nl >= 0 else ""
        if value.startswith("<<-") and content:
            content = _dedent(content)
        tokens = _scan_template(content, line + 1, False, depth)
        return _build_template(tokens, line, end_line)

    def unclosed(what: str, line: int):
        # Reported where it opened: the end of the file says nothing about which one it is.
        raise HclSyntaxError("unclosed %s opened at line %d" % (what, line), line)

    def block_body(bdepth: int, close: str, opened: int = 0) -> Body:
        nonlocal i, depth
        if opened:
            opens.append(("block", opened))
        attributes: dict = {}
        blocks: list = []
        while True:
            k = K[i]
            if k == "i":
                line = LN[i]
                name = V[i]
                if K[i + 1] == "=":
                    i += 2
                    # Fast path: a one-token literal value ending the line.
                    k = K[i]
                    if NB[i + 1] and (k == "s" or k == "n" or k == "i") and K[i + 1] != "(":
                        t = V[i]
                        if k == "s":
                            if "\\" in t or "{" in t:
                                tp = tplen
                                e = expr(True)
                                attributes[name] = Attribute(name, e, line, e.end_line)
                                if 1 + (tplen - tp) + 2 * bdepth >= _limits.CURRENT.max_depth:
                                    _check_expr_depth(e, 2 * bdepth + 1)
                                continue
                            vl = LN[i]
                            if "\n" in t:
                                e = Literal(vl, vl + t.count("\n"), t[1:-1])
                                i += 1
                                attributes[name] = Attribute(name, e, line, e.end_line)
                                continue
                            e = Literal(vl, vl, t[1:-1])
                        elif k == "n":
                            vl = LN[i]
                            if "." in t or "e" in t or "E" in t:
                                e = Literal(vl, vl, float(t))
                            else:
                                e = Literal(vl, vl, integer(t))
                        else:
                            vl = LN[i]
                            if t in _KEYWORDS:
                                e = Literal(vl, vl, _KEYWORDS[t])
                            else:
                                e = Variable(vl, vl, t)
                        i += 1
                        attributes[name] = Attribute(name, e, line, vl)
                        continue
                    start = i
                    tp = tplen
                    e = expr(True)
                    attributes[name] = Attribute(name, e, line, e.end_line)
                    if (i - start) + (tplen - tp) + 2 * bdepth >= _limits.CURRENT.max_depth:
                        _check_expr_depth(e, 2 * bdepth + 1)
                    continue
                if 2 * bdepth + 2 > _limits.CURRENT.max_depth:
                    fail(i, "blocks nested too deeply")
                i += 1
                labels = []
                while True:
                    k = K[i]
                    if k == "i":
                        labels.append(V[i])
                        i += 1
                    elif k == "s":
                        t = V[i]
                        lab = string(t, LN[i])
                        if type(lab) is not Literal:
                            fail(i, "block labels must be literal strings")
                        labels.append(lab.value)
                        i += 1
                    elif k == "{":
                        i += 1
                        break
                    else:
                        fail(i, "expected a block label or '{', found %s" % _describe(k, V[i]))
                depth += 1
                if depth > _limits.CURRENT.max_depth + 1:  # expression recursion = bracket nesting + 1 (the attribute's own level)
                    fail(i - 1, "nesting deeper than %d" % _limits.CURRENT.max_depth)
                body = block_body(bdepth + 1, "}", LN[i - 1])
                depth -= 1
                blocks.append(Block(name, labels, body, line, LN[i]))
                i += 1
            elif k == close:
                break
            elif k == "$":
                fail(i, "unexpected end of input: unclosed block")
            else:
                fail(i)
        if opened:
            opens.pop()
        return Body(attributes, blocks)

    def parse_body() -> Body:
        return block_body(0, "$")

    def parse_expr() -> Expr:
        e = expr(False)
        if K[i] != "$":
            fail(i)
        return e

    def dispose() -> None:
        """Break the cycle the closures make through this frame's cells (each one refers to the
        others): without it every parse leaves about twenty functions and their cells for the
        cyclic collector to find."""
        nonlocal fail, expect, ident, expr, operand, legacy_index, call, provider_call, tuple_expr, object_expr, for_expr, string, heredoc, unclosed, block_body, parse_body, parse_expr
        fail = expect = ident = expr = operand = legacy_index = call = provider_call = tuple_expr = object_expr = for_expr = string = heredoc = unclosed = block_body = parse_body = parse_expr = None

    return parse_body, parse_expr, dispose


# --------------------------------------------------------------------------------------------
# Templates: hcltext's scanner, with expressions parsed here
# --------------------------------------------------------------------------------------------


def _scan_template(raw: str, line: int, escapes: bool, nest: int) -> list:
    """hcltext.scan_template, with this module's expression parser."""
    return _reference_scan_template(raw, line, escapes, nest, _expression)


# An interpolation that is a name and attributes only (`var.name`, `aws_x.y.id`): nine in ten of
# real repositories' interpolations.
_SIMPLE_TRAVERSAL_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*+(?:\.[A-Za-z_][A-Za-z0-9_-]*+)*+\Z")


def _expression(text: str, line: int, nest: int) -> Expr:
    """One expression (an interpolation's text); lines start at `line`."""
    text = text.strip()
    if not text:
        raise HclSyntaxError("empty expression", line)
    if nest < _limits.CURRENT.max_depth and _SIMPLE_TRAVERSAL_RE.match(text):
        # The tree the parser builds for it, without lexing and a parser's closures.
        names = text.split(".")
        root = names[0]
        node: Expr = Literal(line, line, _KEYWORDS[root]) if root in _KEYWORDS else Variable(line, line, root)
        for name in names[1:]:
            node = GetAttr(line, line, node, name)
        return node
    K, V, LN, NB = _lex(text + "\n", line, None)
    _, parse_expr, dispose = _make_parser(K, V, LN, NB, nest)
    try:
        return parse_expr()
    finally:
        dispose()


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def parse_hcl_fast(text: str, path: str) -> ConfigFile:
    """Parse a native-syntax `.tf` / `.tfvars` file; the oracle's `parse_hcl` gives the same tree."""
    text = _normalize(text)
    comments: list = []
    # The parse allocates many small objects and frees none: the cyclic collector would only
    # re-walk them (it costs 2-4x on large files).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        K, V, LN, NB = _lex(text + "\n", 1, comments)
        parse_body, _, dispose = _make_parser(K, V, LN, NB, 0)
        try:
            body = parse_body()
        finally:
            dispose()
    except RecursionError:  # the depth counters should make this unreachable
        raise HclSyntaxError("nesting too deep", 1) from None
    finally:
        if gc_was_enabled:
            gc.enable()
    return ConfigFile(path=path, body=body, comments=comments, line_ends=line_end_columns(text))


def parse_expression_fast(text: str, line: int = 1) -> Expr:
    """Parse one native-syntax expression; the oracle's `parse_expression` gives the same."""
    try:
        expr = _expression(_normalize(text), line, 0)
        _check_depth(Body({"x": Attribute("x", expr, line, expr.end_line)}))
    except RecursionError:
        raise HclSyntaxError("nesting too deep", line) from None
    return expr


def parse_template_fast(text: str, line: int = 1) -> Expr:
    """Parse template text (a `templatefile` file, a `templatestring` value: no surrounding quotes,
    no backslash escapes): `${...}`, `%{...}`, `$${` and `%%{` are recognised, and the expressions
    inside follow the rules of `.tf` files. Literal-only text gives `Literal(str)`."""
    text = _normalize(text)
    end_line = line + text.count("\n")
    if "{" not in text:
        return Literal(line, end_line, text)
    try:
        expr = _build_template(_scan_template(text, line, False, 0), line, end_line)
        _check_expr_depth(expr)
    except RecursionError:
        raise HclSyntaxError("nesting too deep", line) from None
    return expr
