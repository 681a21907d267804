"""The test oracle: python-hcl2's lark grammar, converted to iacguard's syntax tree.

This was iacguard's first native-syntax parser. The product now runs one parser only
(`iacguard.terraform.fastparse`); this one is kept, in the tests, to check it: the differential tests
(tests/terraform/test_fastparse.py, test_parser_tf_hcl.py, tests/test_undecided.py) require equal trees
-- lines and template parts included -- on every `.tf` in the repository, real-repository snippets,
hypothesis-generated configurations, and the same refusals (with lines) on invalid text.
python-hcl2 (and lark) is therefore a test dependency only (pyproject.toml, the `test` extra).

Both parsers share the template rules of `iacguard.terraform.hcltext` (escapes, interpolations,
directives, strip markers, heredoc dedent); they differ in how they read expressions.

How python-hcl2's grammar is repaired here: operator precedence (the grammar has none),
conditionals (lowest precedence), template directives and escapes inside quoted strings, heredocs
(one raw token; scanned here), the `...` of expanded function arguments (dropped by the grammar).
Quoted strings holding directives or strip markers (`"%{ if x == "a" }"`, `"${~ x}"`), which the
grammar cannot parse, are swapped for a placeholder call before lark runs and scanned here.
Known grammar limits (where the fast parser follows Terraform instead) are listed in fastparse.py.
"""
from __future__ import annotations

import re

from hcl2.parser import parser as _hcl2_parser
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from iacguard.core.numbers import integer
from iacguard.terraform import hcltext
from iacguard.terraform.hcltext import (
    HclSyntaxError,
    build_template,
    check_depth,
    check_expr_depth,
    dedent,
    normalize,
    scan_template,
    unescape,
)
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

__all__ = ["HclSyntaxError", "parse_expression", "parse_hcl", "parse_template"]


def parse_hcl(text: str, path: str) -> ConfigFile:
    """Parse a native-syntax `.tf` / `.tfvars` file."""
    text = normalize(text)
    comments, specials = _prescan(text, 1)
    text, templates = _replace_special_strings(text, specials)
    tree = _lark_parse(text, 1)
    conv = _Converter(text, 0, 0, templates)
    try:
        body = conv.body(tree.children[0], 0)
        check_depth(body)
    except RecursionError:  # belt and braces: the guards above should make this unreachable
        raise HclSyntaxError("nesting too deep", 1) from None
    return ConfigFile(path=path, body=body, comments=comments)


def parse_expression(text: str, line: int = 1) -> Expr:
    """Parse one native-syntax expression (a `--var` value, an expression from plan JSON)."""
    return _parse_expression(text, line, 0)


def parse_template(text: str, line: int = 1) -> Expr:
    """Parse template text (no surrounding quotes, no backslash escapes): `${...}`, `%{...}`,
    `$${` and `%%{` are recognised. Literal-only text gives `Literal(str)`."""
    return _parse_template(text, line, 0)


def _lark_parse(text: str, line_base: int):
    try:
        return _hcl2_parser().parse(text + "\n")
    except UnexpectedEOF:
        _raise_unclosed(text, line_base)
        raise HclSyntaxError("unexpected end of input", line_base + text.count("\n")) from None
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END":
            _raise_unclosed(text, line_base)
        elif str(tok).startswith("<<"):
            _raise_unclosed(text, line_base, heredoc_only=True)
        what = "end of input" if tok.type == "$END" else repr(_clip(str(tok).strip() or str(tok)))
        line = e.line if isinstance(e.line, int) and e.line > 0 else text.count("\n") + 1
        raise HclSyntaxError("unexpected %s" % what, line + line_base - 1) from None
    except UnexpectedCharacters as e:
        if e.char == "<":
            _raise_unclosed(text, line_base, heredoc_only=True)
        line = e.line if isinstance(e.line, int) and e.line > 0 else 1
        raise HclSyntaxError("unexpected character %r" % e.char, line + line_base - 1) from None
    except LarkError as e:  # pragma: no cover - any other lark failure
        raise HclSyntaxError("cannot parse: %s" % type(e).__name__, line_base) from None
    except RecursionError:  # pragma: no cover - the prescan bounds nesting
        raise HclSyntaxError("nesting too deep", line_base) from None


def _raise_unclosed(text: str, line_base: int, heredoc_only: bool = False) -> None:
    """At an unexpected end of input: raise the error at the line where the innermost
    bracket, string or heredoc still open was opened, when the pre-scan finds one."""
    found: list = []
    try:
        _prescan(text, line_base, found)
    except HclSyntaxError:
        return
    if found and (not heredoc_only or found[-1][0].startswith("heredoc")):
        what, line = found[-1]
        raise HclSyntaxError("unclosed %s opened at line %d" % ("block" if what == "'{'" and _opens_block(text, line - line_base) else what, line), line)


def _opens_block(text: str, index: int) -> bool:
    """Whether line `index` (0-based) of `text` opens a block (`name "label" {`), not an object."""
    lines = text.split("\n")
    line = lines[index] if 0 <= index < len(lines) else ""
    return re.match(r'^\s*[^\W\d][\w-]*(?:\s+(?:"[^"]*"|[^\W\d][\w-]*))*\s*\{', line) is not None


def _clip(text: str) -> str:
    first = text.split("\n", 1)[0]
    return first[:30] + "..." if len(first) > 30 or len(first) < len(text) else first

# Pre-scan of native text: comments (for suppressions) and bracket depth, skipping strings and
# heredocs. Iterative; one regex jump per interesting character.
_CODE_RE = re.compile(r'#|//|/\*|"|<<-?(?=[A-Za-z])|[\[({\])}]')
_STR_RE = re.compile(r'\\.|"|\$\$\{|%%\{|\$\{|%\{', re.S)
_HEREDOC_START_RE = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\n")
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _prescan(text: str, line_base: int, unclosed: list | None = None) -> tuple:
    """Comments, and the spans of quoted strings the lark grammar cannot parse (template
    directives, strip markers): (start, end, line), outermost only. Raises HclSyntaxError when
    nesting is deeper than hcltext.MAX_DEPTH. `unclosed`, when given, receives (what, line) for each
    bracket, string or heredoc still open at the end, outermost first."""
    comments = []
    specials = []
    strings: list = []  # [start, special] per open quoted string
    stack: list = []  # "(", "[", "{", "$" (interpolation/directive in a string), '"' (string)
    opened: list = []  # the offset where each entry of `stack` opened
    pos = 0
    n = len(text)
    counted_pos = 0
    counted_line = line_base

    def line_at(p: int) -> int:
        nonlocal counted_pos, counted_line
        if p >= counted_pos:
            counted_line += text.count("\n", counted_pos, p)
        else:
            counted_line -= text.count("\n", p, counted_pos)
        counted_pos = p
        return counted_line

    while pos < n:
        if stack and stack[-1] == '"':
            m = _STR_RE.search(text, pos)
            if m is None:
                break
            tok = m.group()
            pos = m.end()
            if tok == '"':
                stack.pop()
                opened.pop()
                start, special = strings.pop()
                if special and not any(s[1] for s in strings):
                    specials.append((start, pos, line_at(start)))
            elif tok == "${" or tok == "%{":
                stack.append("$")
                opened.append(m.start())
                if tok == "%{" or text.startswith("~", pos):
                    strings[-1][1] = True
                if len(stack) > hcltext.MAX_DEPTH:
                    raise HclSyntaxError("nesting deeper than %d" % hcltext.MAX_DEPTH, line_at(m.start()))
            continue
        m = _CODE_RE.search(text, pos)
        if m is None:
            break
        tok = m.group()
        start = m.start()
        pos = m.end()
        if tok == "#" or tok == "//":
            end = text.find("\n", start)
            end = n if end < 0 else end
            comments.append((line_at(start), text[start:end]))
            pos = end
        elif tok == "/*":
            end = text.find("*/", pos)
            end = n if end < 0 else end + 2
            comments.append((line_at(start), text[start:end]))
            pos = end
        elif tok == '"':
            stack.append('"')
            opened.append(start)
            strings.append([start, False])
        elif tok.startswith("<<"):
            hm = _HEREDOC_START_RE.match(text, start)
            if hm is None:
                continue
            close = re.compile(r"^[ \t]*%s[ \t]*$" % re.escape(hm.group(1)), re.M)
            cm = close.search(text, hm.end())
            pos = n if cm is None else cm.end()
            if cm is None and unclosed is not None:
                unclosed.append(("heredoc <<%s" % hm.group(1), line_at(start)))
        elif tok in "([{":
            stack.append(tok)
            opened.append(start)
            if len(stack) > hcltext.MAX_DEPTH:
                raise HclSyntaxError("nesting deeper than %d" % hcltext.MAX_DEPTH, line_at(start))
        else:
            if stack and stack[-1] == _CLOSERS[tok]:
                stack.pop()
                opened.pop()
            elif tok == "}" and stack and stack[-1] == "$":
                stack.pop()
                opened.pop()
                if text.startswith("~", start - 1):
                    strings[-1][1] = True
    if unclosed is not None:
        names = {"(": "'('", "[": "'['", "{": "'{'", '"': "string", "$": "interpolation"}
        unclosed[:0] = [(names[tok], line_at(at)) for tok, at in zip(stack, opened)]
    return comments, specials


_PLACEHOLDER = "_iacguard_template_"


def _replace_special_strings(text: str, specials: list) -> tuple:
    """Replace each quoted string the grammar cannot parse with a call `_iacguard_template_N()`
    keeping its newlines (so lines stay right); the converter scans the raw string itself."""
    if not specials:
        return text, None
    out = []
    templates = {}
    prev = 0
    for k, (start, end, line) in enumerate(specials):
        name = "%s%d" % (_PLACEHOLDER, k)
        raw = text[start:end]
        templates[name] = (raw[1:-1], line)
        out.append(text[prev:start])
        out.append("%s(%s)" % (name, "\n" * raw.count("\n")))
        prev = end
    out.append(text[prev:])
    return "".join(out), templates


# --------------------------------------------------------------------------------------------
# lark tree -> syntax tree
# --------------------------------------------------------------------------------------------

_PRECEDENCE = {
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
_KEYWORD_LITERALS = {"true": True, "false": False, "null": None}
_TRAVERSAL_RULES = frozenset(
    ["index_expr_term", "get_attr_expr_term", "attr_splat_expr_term", "full_splat_expr_term"]
)
_NL = "new_line_or_comment"


def _trees(children) -> list:
    """Child subtrees without tokens and without newline/comment nodes."""
    return [c for c in children if hasattr(c, "data") and c.data != _NL]


class _Converter:
    """Converts one lark parse tree. `line_offset` shifts lark's lines (expressions parsed out of
    heredocs); `nest` is the nesting already used by the enclosing parse (heredoc in heredoc)."""

    __slots__ = ("text", "line_offset", "nest", "depth", "templates")

    def __init__(self, text: str, line_offset: int, nest: int, templates: dict | None) -> None:
        self.text = text
        self.line_offset = line_offset
        self.nest = nest
        self.depth = nest
        self.templates = templates  # placeholder name -> (raw quoted-string content, line)

    def lines(self, node) -> tuple:
        meta = node.meta
        off = self.line_offset
        return meta.line + off, meta.end_line + off

    def enter(self, node) -> None:
        self.depth += 1
        if self.depth > hcltext.MAX_DEPTH + 8:
            raise HclSyntaxError("nesting too deep", node.meta.line + self.line_offset)

    # -- bodies ------------------------------------------------------------------------------

    def body(self, tree, depth: int) -> Body:
        body = Body()
        for child in tree.children:
            data = child.data
            if data == "attribute":
                name = child.children[0].children[0].value
                expr = self.expr(child.children[2])
                # lark's span of an attribute may include trailing newlines; its expression's
                # end is exact.
                body.attributes[name] = Attribute(name, expr, self.lines(child)[0], expr.end_line)
            elif data == "block":
                body.blocks.append(self.block(child, depth + 1))
        return body

    def block(self, tree, depth: int) -> Block:
        line, end_line = self.lines(tree)
        if depth > hcltext.MAX_DEPTH:
            raise HclSyntaxError("blocks nested too deeply", line)
        children = _trees(tree.children)
        btype = children[0].children[0].value
        labels = []
        for lab in children[1:-1]:
            if lab.data == "identifier":
                labels.append(lab.children[0].value)
            else:
                value = self.string(lab)
                if type(value) is not Literal:
                    raise HclSyntaxError("block labels must be literal strings", self.lines(lab)[0])
                labels.append(value.value)
        return Block(btype, labels, self.body(children[-1], depth), line, end_line)

    # -- expressions -------------------------------------------------------------------------

    def expr(self, node) -> Expr:
        self.enter(node)
        try:
            return self._expr(node)
        finally:
            self.depth -= 1

    def _expr(self, node) -> Expr:
        while True:
            data = node.data
            if data == "expr_term":
                first = node.children[0]
                if not hasattr(first, "data"):  # "(" expression ")"
                    return self.expr(_trees(node.children)[0])
                node = first
                continue
            if data == "identifier":
                name = node.children[0].value
                line, end_line = self.lines(node)
                if name in _KEYWORD_LITERALS:
                    return Literal(line, end_line, _KEYWORD_LITERALS[name])
                return Variable(line, end_line, name)
            if data in _TRAVERSAL_RULES:
                return self.traversal(node)
            if data == "string":
                return self.string(node)
            if data == "int_lit":
                line, end_line = self.lines(node)
                return Literal(line, end_line, integer("".join(t.value for t in node.children)))
            if data == "float_lit":
                line, end_line = self.lines(node)
                return Literal(line, end_line, float("".join(t.value for t in node.children)))
            if data == "binary_op" or data == "conditional":
                return self.operation(node)
            if data == "unary_op":
                op = node.children[0].value
                operand = self.expr(node.children[1])
                line, end_line = self.lines(node)
                if (
                    op == "-"
                    and type(operand) is Literal
                    and type(operand.value) in (int, float)
                ):
                    return Literal(line, end_line, -operand.value)
                return UnaryOp(line, end_line, op, operand)
            if data == "tuple":
                line, end_line = self.lines(node)
                return TupleExpr(line, end_line, [self.expr(c) for c in _trees(node.children)])
            if data == "object":
                return self.object(node)
            if data == "function_call":
                children = _trees(node.children)
                name = children[0].children[0].value
                if self.templates and name in self.templates:
                    raw, line = self.templates[name]
                    tokens = scan_template(raw, line, True, self.depth, _parse_expression)
                    return build_template(tokens, line, self.lines(node)[1])
                return self.call(node, name, children[1:])
            if data == "provider_function_call":
                children = _trees(node.children)
                names = [c.children[0].value for c in children if c.data == "identifier"]
                args = [c for c in children if c.data == "arguments"]
                return self.call(node, "%s::%s::%s" % tuple(names[:3]), args)
            if data == "heredoc_template" or data == "heredoc_template_trim":
                return self.heredoc(node, data == "heredoc_template_trim")
            if data == "for_tuple_expr" or data == "for_object_expr":
                return self.for_expr(node)
            if data == "interpolation":
                return self.expr(_trees(node.children)[0])
            raise HclSyntaxError("unsupported syntax %s" % data, self.lines(node)[0])

    def operation(self, node) -> Expr:
        """Flatten binary operations and conditionals (the grammar nests them without precedence)
        into a sequence, then rebuild with Terraform's precedence; `?:` binds loosest."""
        seq: list = []  # Expr | ("op", str) | ("?", then_expr)
        pending = [node]
        while pending:
            item = pending.pop()
            if type(item) is tuple:
                seq.append(item)
                continue
            data = item.data
            if data == "binary_op":
                left, term = _trees(item.children)[:2]
                op = term.children[0].children[0].value
                right = _trees(term.children[1:])[0]
                pending.append(right)
                pending.append(("op", op))
                pending.append(left)
            elif data == "conditional":
                cond, then, otherwise = _trees(item.children)
                pending.append(otherwise)
                pending.append(("?", self.expr(then)))
                pending.append(cond)
            else:
                seq.append(self.expr(item))
        # Split at "?": seg0 ? t0 : (seg1 ? t1 : (... segN))
        segments: list = [[]]
        thens: list = []
        for item in seq:
            if type(item) is tuple and item[0] == "?":
                thens.append(item[1])
                segments.append([])
            else:
                segments[-1].append(item)
        result = _precedence(segments[-1])
        for i in range(len(thens) - 1, -1, -1):
            cond = _precedence(segments[i])
            result = Conditional(cond.line, result.end_line, cond, thens[i], result)
        return result

    def traversal(self, node) -> Expr:
        steps = []
        while node.data in _TRAVERSAL_RULES:
            steps.append(node)
            node = node.children[0]  # expr_term
            if hasattr(node.children[0], "data"):  # not a parenthesized expression
                node = node.children[0]
        result = self.expr(node)
        for step_node in reversed(steps):
            op = step_node.children[1]
            line = result.line
            end_line = self.lines(step_node)[1]
            kind = op.data
            if kind == "get_attr":
                result = GetAttr(line, end_line, result, op.children[0].children[0].value)
            elif kind == "index":
                result = Index(line, end_line, result, self.index_key(op))
            elif kind == "attr_splat":
                names = [("attr", g.children[0].children[0].value) for g in _trees(op.children)]
                result = Splat(line, end_line, result, names, False)
            else:  # full_splat
                sp = []
                for g in _trees(op.children):
                    if g.data == "get_attr":
                        sp.append(("attr", g.children[0].children[0].value))
                    else:
                        sp.append(("index", self.index_key(g)))
                result = Splat(line, end_line, result, sp, True)
        return result

    def index_key(self, op) -> Expr:
        subtrees = _trees(op.children)
        if subtrees:
            return self.expr(subtrees[0])
        # legacy `.0` form: DECIMAL tokens
        line, end_line = self.lines(op)
        return Literal(line, end_line, integer("".join(t.value for t in op.children)))

    def object(self, node) -> ObjectExpr:
        items = []
        for elem in _trees(node.children):
            key_node, value_node = _trees(elem.children)
            key_inner = key_node.children[0]
            kdata = key_inner.data
            if kdata == "identifier":
                kl, kel = self.lines(key_inner)
                key: Expr = Literal(kl, kel, key_inner.children[0].value)
            elif kdata == "object_elem_key_dot_accessor":
                kl, kel = self.lines(key_inner)
                parts = [c.children[0].value for c in _trees(key_inner.children)]
                key = Literal(kl, kel, ".".join(parts))
            elif kdata == "object_elem_key_expression":
                key = self.expr(_trees(key_inner.children)[0])
            else:  # string, int_lit, float_lit
                key = self.expr(key_inner)
            items.append((key, self.expr(value_node)))
        line, end_line = self.lines(node)
        return ObjectExpr(line, end_line, items)

    def call(self, node, name: str, arg_nodes: list) -> FunctionCall:
        line, end_line = self.lines(node)
        args = []
        expand = False
        if arg_nodes:
            arg_trees = _trees(arg_nodes[0].children)
            args = [self.expr(a) for a in arg_trees]
            if arg_trees:
                end = arg_nodes[0].meta.end_pos
                tail = self.text[arg_trees[-1].meta.end_pos : end]
                expand = tail.lstrip().startswith("...")
        return FunctionCall(line, end_line, name, args, expand)

    def for_expr(self, node) -> ForExpr:
        line, end_line = self.lines(node)
        children = _trees(node.children)
        intro = children[0]
        intro_trees = _trees(intro.children)
        names = [c.children[0].value for c in intro_trees[:-1]]
        collection = self.expr(intro_trees[-1])
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        rest = children[1:]
        cond = None
        if rest and rest[-1].data == "for_cond":
            cond = self.expr(_trees(rest[-1].children)[0])
            rest = rest[:-1]
        if node.data == "for_tuple_expr":
            return ForExpr(line, end_line, key_var, value_var, collection, None, self.expr(rest[0]), cond)
        grouping = any(not hasattr(c, "data") and c.value == "..." for c in node.children)
        return ForExpr(
            line,
            end_line,
            key_var,
            value_var,
            collection,
            self.expr(rest[0]),
            self.expr(rest[1]),
            cond,
            grouping,
        )

    # -- templates ---------------------------------------------------------------------------

    def string(self, node) -> Expr:
        line, end_line = self.lines(node)
        tokens: list = []
        for part in node.children:
            child = part.children[0]
            if hasattr(child, "data"):  # interpolation
                tokens.append(("expr", self.expr(child), False, False))
            elif child.type == "ESCAPED_INTERPOLATION":
                tokens.append(("lit", unescape(child.value[1:], child.line + self.line_offset)))
            else:
                tokens.extend(
                    scan_template(child.value, child.line + self.line_offset, True, self.depth, _parse_expression)
                )
        return build_template(tokens, line, end_line)

    def heredoc(self, node, trim: bool) -> Expr:
        tok = node.children[0]
        value = tok.value
        line = self.lines(node)[0]
        end_line = line + value.rstrip("\n").count("\n")  # the token ends with a newline
        first_nl = value.find("\n")
        rest = value[first_nl + 1 :].rstrip("\n")
        last_nl = rest.rfind("\n")
        content = rest[: last_nl + 1] if last_nl >= 0 else ""
        if trim and content:
            content = dedent(content)
        tokens = scan_template(content, line + 1, False, self.depth, _parse_expression)
        return build_template(tokens, line, end_line)


def _precedence(items: list) -> Expr:
    """Shunting-yard over operand/("op", str) items: left-associative, Terraform precedence."""
    out: list = []
    ops: list = []

    def reduce() -> None:
        op = ops.pop()
        right = out.pop()
        left = out.pop()
        out.append(BinaryOp(left.line, right.end_line, op, left, right))

    for item in items:
        if type(item) is tuple:
            prec = _PRECEDENCE[item[1]]
            while ops and _PRECEDENCE[ops[-1]] >= prec:
                reduce()
            ops.append(item[1])
        else:
            out.append(item)
    while ops:
        reduce()
    return out[0]
def _parse_expression(text: str, line: int, nest: int) -> Expr:
    if nest > hcltext.MAX_DEPTH:
        raise HclSyntaxError("nesting too deep", line)
    text = normalize(text).strip()
    if not text:
        raise HclSyntaxError("empty expression", line)
    source = "x = " + text
    _, specials = _prescan(source, line)
    source, templates = _replace_special_strings(source, specials)
    tree = _lark_parse(source, line)
    body_tree = tree.children[0]
    attrs = [c for c in body_tree.children if c.data != _NL]
    if len(attrs) != 1 or attrs[0].data != "attribute":
        raise HclSyntaxError("not a single expression", line)
    conv = _Converter(source, line - 1, nest, templates)
    try:
        expr = conv.expr(attrs[0].children[2])
    except RecursionError:  # pragma: no cover
        raise HclSyntaxError("nesting too deep", line) from None
    check_expr_depth(expr)
    return expr


def _parse_template(text: str, line: int, nest: int) -> Expr:
    text = normalize(text)
    if "{" not in text:
        return Literal(line, line + text.count("\n"), text)
    tokens = scan_template(text, line, False, nest, _parse_expression)
    return build_template(tokens, line, line + text.count("\n"))

