"""Terraform parsers: native HCL (`.tf`, `.tfvars`) and JSON syntax (`.tf.json`, `.tfvars.json`)
into the syntax tree of `iacguard.terraform.syntax`.

Native syntax is lexed and parsed by python-hcl2's lark grammar; this module converts lark's tree
and repairs what the grammar gets wrong or leaves raw: operator precedence (the grammar has none),
conditionals (lowest precedence), template directives and escapes inside quoted strings, heredocs
(one raw token; scanned here), the `...` of expanded function arguments (dropped by the grammar).

Both entry points are pure functions of their text and return picklable trees. Malformed input,
including nesting deeper than `MAX_DEPTH`, raises `HclSyntaxError` with a 1-based line; never a
RecursionError.

Decisions worth knowing:
- A template made only of literal text (`"abc"`, a heredoc without interpolation) becomes
  `Literal(str)`, not `Template(["abc"])`: faster to evaluate, same value.
- Native `"${x}"` stays `Template([x])` (it evaluates to x's raw value); in JSON syntax a string that
  is exactly one interpolation becomes the inner expression itself, as Terraform's JSON rules say.
- JSON syntax: only the top-level block types (resource, data, module, ...) become `Block`s; inside
  a block body every key is an `Attribute` whose value may be an ObjectExpr (one nested block) or
  a TupleExpr of ObjectExprs (several) -- the configuration evaluator decides by schema.
  Strings of a few attributes are expressions, not templates, as in Terraform:
  variable.type, depends_on, provider(s), moved/import/removed from/to.
- Quoted strings holding directives or strip markers (`"%{ if x == "a" }"`, `"${~ x}"`), which the
  grammar cannot parse, are swapped for a placeholder call before lark runs and scanned here.
- Known grammar limits left as syntax errors: doubled unary operators (`!!x`, `- -1`).
"""
from __future__ import annotations

import bisect
import json
import re

from iacguard.numbers import integer
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
    Template,
    TemplateFor,
    TemplateIf,
    TupleExpr,
    UnaryOp,
    Variable,
)

# Deepest nesting accepted: brackets/braces/interpolations in the text, and syntax-tree depth of
# any expression (blocks included). 128 keeps pickling of the result (the worker processes) and
# every recursive reader well inside Python's default recursion limit; real code stays below 30.
MAX_DEPTH = 128

__all__ = [
    "HclSyntaxError",
    "MAX_DEPTH",
    "expr_children",
    "parse_expression",
    "parse_hcl",
    "parse_template",
    "parse_tf_json",
]


class HclSyntaxError(ValueError):
    """Malformed Terraform text. `line` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message, line)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return "line %d: %s" % (self.line, self.message)


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def parse_hcl(text: str, path: str) -> ConfigFile:
    """Parse a native-syntax `.tf` / `.tfvars` file."""
    text = _normalize(text)
    comments, specials = _prescan(text, 1)
    text, templates = _replace_special_strings(text, specials)
    tree = _lark_parse(text, 1)
    conv = _Converter(text, 0, 0, templates)
    try:
        body = conv.body(tree.children[0], 0)
        _check_depth(body)
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


def parse_tf_json(text: str, path: str) -> ConfigFile:
    """Parse a JSON-syntax `.tf.json` / `.tfvars.json` file."""
    text = _normalize(text)
    root = _JsonReader(text).read()
    comments: list = []
    if root[0] != "o":
        raise HclSyntaxError("the root of a Terraform JSON file must be an object", root[1])
    if path.endswith(".tfvars.json"):
        # Variable values are plain JSON values: no templates.
        body = Body()
        for key, key_line, value in root[3]:
            body.attributes[key] = Attribute(key, _json_literal_expr(value), key_line, value[2])
    else:
        body = _JsonBlocks(comments).root_body(root)
    _check_depth(body)
    comments.sort()
    return ConfigFile(path=path, body=body, comments=comments)


def expr_children(node) -> list:
    """The direct sub-nodes of a syntax node (Expr, TemplateIf or TemplateFor), in source order.
    Template parts that are plain strings are left out."""
    t = type(node)
    if t is Literal or t is Variable:
        return []
    if t is GetAttr:
        return [node.obj]
    if t is Index:
        return [node.obj, node.key]
    if t is Template:
        return [p for p in node.parts if type(p) is not str]
    if t is BinaryOp:
        return [node.left, node.right]
    if t is FunctionCall:
        return list(node.args)
    if t is TupleExpr:
        return list(node.items)
    if t is ObjectExpr:
        out = []
        for k, v in node.items:
            out.append(k)
            out.append(v)
        return out
    if t is Conditional:
        return [node.cond, node.then, node.otherwise]
    if t is UnaryOp:
        return [node.operand]
    if t is Splat:
        return [node.source] + [s[1] for s in node.steps if s[0] == "index"]
    if t is ForExpr:
        out = [node.collection]
        if node.key_expr is not None:
            out.append(node.key_expr)
        out.append(node.value_expr)
        if node.cond is not None:
            out.append(node.cond)
        return out
    if t is TemplateIf:
        return [node.cond] + [p for p in node.then if type(p) is not str] + [
            p for p in node.otherwise if type(p) is not str
        ]
    if t is TemplateFor:
        return [node.collection] + [p for p in node.body if type(p) is not str]
    return []


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def _normalize(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def _lark_parse(text: str, line_base: int):
    from hcl2.parser import parser
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    try:
        return parser().parse(text + "\n")
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


def _check_depth(body: Body) -> None:
    """Reject trees deeper than MAX_DEPTH (operator chains have no brackets to pre-scan)."""
    stack: list = [(body, 0)]
    while stack:
        item, depth = stack.pop()
        if type(item) is Body:
            for attr in item.attributes.values():
                stack.append((attr.expr, depth + 1))
            for blk in item.blocks:
                # A block level costs pickle about twice the stack of an expression level.
                if depth + 2 > MAX_DEPTH:
                    raise HclSyntaxError("blocks nested too deeply", blk.line)
                stack.append((blk.body, depth + 2))
            continue
        if depth > MAX_DEPTH:
            raise HclSyntaxError("expression nested too deeply", getattr(item, "line", 1))
        for child in expr_children(item):
            stack.append((child, depth + 1))


def _check_expr_depth(expr) -> None:
    stack = [(expr, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise HclSyntaxError("expression nested too deeply", getattr(item, "line", 1))
        for child in expr_children(item):
            stack.append((child, depth + 1))


# Pre-scan of native text: comments (for suppressions) and bracket depth, skipping strings and
# heredocs. Iterative; one regex jump per interesting character.
_CODE_RE = re.compile(r'#|//|/\*|"|<<-?(?=[A-Za-z])|[\[({\])}]')
_STR_RE = re.compile(r'\\.|"|\$\$\{|%%\{|\$\{|%\{', re.S)
_HEREDOC_START_RE = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\n")
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _prescan(text: str, line_base: int, unclosed: list | None = None) -> tuple:
    """Comments, and the spans of quoted strings the lark grammar cannot parse (template
    directives, strip markers): (start, end, line), outermost only. Raises HclSyntaxError when
    nesting is deeper than MAX_DEPTH. `unclosed`, when given, receives (what, line) for each
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
                if len(stack) > MAX_DEPTH:
                    raise HclSyntaxError("nesting deeper than %d" % MAX_DEPTH, line_at(m.start()))
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
            if len(stack) > MAX_DEPTH:
                raise HclSyntaxError("nesting deeper than %d" % MAX_DEPTH, line_at(start))
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
        if self.depth > MAX_DEPTH + 8:
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
        if depth > MAX_DEPTH:
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
                    tokens = _scan_template(raw, line, True, self.depth)
                    return _build_template(tokens, line, self.lines(node)[1])
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
                tokens.append(("lit", _unescape(child.value[1:], child.line + self.line_offset)))
            else:
                tokens.extend(
                    _scan_template(child.value, child.line + self.line_offset, True, self.depth)
                )
        return _build_template(tokens, line, end_line)

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
            content = _dedent(content)
        tokens = _scan_template(content, line + 1, False, self.depth)
        return _build_template(tokens, line, end_line)


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


def _dedent(content: str) -> str:
    lines = content.split("\n")
    indent = None
    for ln in lines:
        stripped = ln.lstrip(" \t")
        if stripped:
            width = len(ln) - len(stripped)
            indent = width if indent is None else min(indent, width)
    if not indent:
        return content
    out = []
    for ln in lines:
        k = 0
        while k < indent and k < len(ln) and ln[k] in " \t":
            k += 1
        out.append(ln[k:])
    return "\n".join(out)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_TEMPLATE_RE_ESC = re.compile(r"\\|\$\$\{|%%\{|\$\{|%\{")
_TEMPLATE_RE = re.compile(r"\$\$\{|%%\{|\$\{|%\{")
_DIRECTIVE_FOR_RE = re.compile(
    r"for\s+([A-Za-z_][A-Za-z0-9_-]*)\s*(?:,\s*([A-Za-z_][A-Za-z0-9_-]*)\s*)?\s+in\s(.*)\Z", re.S
)
_DIRECTIVE_IF_RE = re.compile(r"if\s(.*)\Z", re.S)


def _unescape(raw: str, line: int) -> str:
    if "\\" not in raw:
        return raw
    out = []
    i = 0
    n = len(raw)
    while i < n:
        j = raw.find("\\", i)
        if j < 0:
            out.append(raw[i:])
            break
        out.append(raw[i:j])
        i = _escape_at(raw, j, out, line)
    return "".join(out)


def _escape_at(raw: str, j: int, out: list, line: int) -> int:
    """Decode the backslash escape at raw[j]; append it to out; return the index after it."""
    c = raw[j + 1 : j + 2]
    if c in _ESCAPES:
        out.append(_ESCAPES[c])
        return j + 2
    if c == "u" or c == "U":
        width = 4 if c == "u" else 8
        digits = raw[j + 2 : j + 2 + width]
        try:
            out.append(chr(int(digits, 16)))
        except (ValueError, OverflowError):
            raise HclSyntaxError("invalid escape \\%s%s" % (c, digits), line) from None
        if len(digits) != width:
            raise HclSyntaxError("invalid escape \\%s%s" % (c, digits), line)
        return j + 2 + width
    # Terraform rejects other escapes; keep them verbatim rather than fail a whole file.
    out.append(raw[j : j + 2])
    return j + 2


def _find_close(raw: str, start: int) -> int:
    """Index of the `}` closing a `${`/`%{` opened just before `start`, balancing braces and
    quoted strings (which may hold their own interpolations); -1 when unclosed."""
    stack = ["{"]
    i = start
    n = len(raw)
    while i < n:
        c = raw[i]
        if stack[-1] == '"':
            if c == "\\":
                i += 2
                continue
            if c == '"':
                stack.pop()
            elif (c == "$" or c == "%") and raw.startswith("{", i + 1):
                if raw.startswith("$${", i) or raw.startswith("%%{", i):
                    i += 3
                    continue
                stack.append("{")
                i += 2
                continue
        elif c == '"':
            stack.append('"')
        elif c == "{":
            stack.append("{")
        elif c == "}":
            stack.pop()
            if not stack:
                return i
        i += 1
        if len(stack) > MAX_DEPTH:
            return -2
    return -1


def _scan_template(raw: str, line: int, escapes: bool, nest: int, expression=None) -> list:
    """Split template text into tokens: ("lit", str), ("expr", Expr, strip_l, strip_r),
    ("dir", kind, payload, strip_l, strip_r, line). `expression(text, line, nest)` parses the
    text of an interpolation or directive (default: this module's lark-based parser; the fast
    parser passes its own)."""
    expression = expression or _parse_expression
    tokens: list = []
    buf: list = []
    pattern = _TEMPLATE_RE_ESC if escapes else _TEMPLATE_RE
    i = 0
    n = len(raw)
    while i < n:
        m = pattern.search(raw, i)
        if m is None:
            buf.append(raw[i:])
            break
        start = m.start()
        buf.append(raw[i:start])
        tok = m.group()
        if tok == "\\":
            i = _escape_at(raw, start, buf, line + raw.count("\n", 0, start))
            continue
        if tok == "$${" or tok == "%%{":
            buf.append(tok[1:])
            i = m.end()
            continue
        here = line + raw.count("\n", 0, start)
        end = _find_close(raw, m.end())
        if end == -2:
            raise HclSyntaxError("nesting deeper than %d" % MAX_DEPTH, here)
        if end < 0:
            raise HclSyntaxError("unclosed %s...} in template" % tok, here)
        if buf:
            tokens.append(("lit", "".join(buf)))
            buf = []
        inner = raw[m.end() : end]
        strip_l = inner.startswith("~")
        strip_r = inner.endswith("~") and len(inner) > (1 if strip_l else 0)
        if strip_l:
            inner = inner[1:]
        if strip_r:
            inner = inner[:-1]
        lead = len(inner) - len(inner.lstrip())
        inner_line = here + inner.count("\n", 0, lead)
        inner = inner.strip()
        if tok == "${":
            expr = expression(inner, inner_line, nest + 1)
            tokens.append(("expr", expr, strip_l, strip_r))
        else:
            tokens.append(_directive(inner, inner_line, strip_l, strip_r, nest, expression))
        i = end + 1
    if buf:
        tokens.append(("lit", "".join(buf)))
    return tokens


def _directive(inner: str, line: int, strip_l: bool, strip_r: bool, nest: int, expression=None) -> tuple:
    expression = expression or _parse_expression
    if inner in ("else", "endif", "endfor"):
        return ("dir", inner, None, strip_l, strip_r, line)
    m = _DIRECTIVE_IF_RE.match(inner)
    if m:
        return ("dir", "if", expression(m.group(1), line, nest + 1), strip_l, strip_r, line)
    m = _DIRECTIVE_FOR_RE.match(inner)
    if m:
        key_var, value_var = (m.group(1), m.group(2)) if m.group(2) else (None, m.group(1))
        coll = expression(m.group(3), line, nest + 1)
        return ("dir", "for", (key_var, value_var, coll), strip_l, strip_r, line)
    raise HclSyntaxError("invalid template directive %%{%s}" % inner[:40], line)


def _build_template(tokens: list, line: int, end_line: int) -> Expr:
    # Strip markers: `~` removes all whitespace next to it in the neighbouring literal.
    count = len(tokens)
    for k in range(count):
        tok = tokens[k]
        if tok[0] == "lit":
            continue
        strip_l, strip_r = (tok[2], tok[3]) if tok[0] == "expr" else (tok[3], tok[4])
        if strip_l and k > 0 and tokens[k - 1][0] == "lit":
            tokens[k - 1] = ("lit", tokens[k - 1][1].rstrip())
        if strip_r and k + 1 < count and tokens[k + 1][0] == "lit":
            tokens[k + 1] = ("lit", tokens[k + 1][1].lstrip())
    root: list = []
    stack: list = []  # frames: [kind, payload, parts_a, parts_b, in_else, line]
    current = root
    for tok in tokens:
        kind = tok[0]
        if kind == "lit":
            if tok[1]:
                if current and type(current[-1]) is str:
                    current[-1] += tok[1]
                else:
                    current.append(tok[1])
        elif kind == "expr":
            current.append(tok[1])
        else:
            dkind, payload, dline = tok[1], tok[2], tok[5]
            if dkind == "if" or dkind == "for":
                frame = [dkind, payload, [], [], False, dline]
                stack.append(frame)
                current = frame[2]
            elif dkind == "else":
                if not stack or stack[-1][0] != "if" or stack[-1][4]:
                    raise HclSyntaxError("%{else} without %{if}", dline)
                stack[-1][4] = True
                current = stack[-1][3]
            else:
                want = "if" if dkind == "endif" else "for"
                if not stack or stack[-1][0] != want:
                    raise HclSyntaxError("%%{%s} without %%{%s}" % (dkind, want), dline)
                frame = stack.pop()
                if want == "if":
                    node = TemplateIf(frame[1], frame[2], frame[3])
                else:
                    key_var, value_var, coll = frame[1]
                    node = TemplateFor(key_var, value_var, coll, frame[2])
                current = stack[-1][3 if stack[-1][4] else 2] if stack else root
                current.append(node)
    if stack:
        raise HclSyntaxError("%%{%s} is never closed" % stack[-1][0], stack[-1][5])
    if not root:
        return Literal(line, end_line, "")
    if len(root) == 1 and type(root[0]) is str:
        return Literal(line, end_line, root[0])
    return Template(line, end_line, root)


def _parse_expression(text: str, line: int, nest: int) -> Expr:
    if nest > MAX_DEPTH:
        raise HclSyntaxError("nesting too deep", line)
    text = _normalize(text).strip()
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
    _check_expr_depth(expr)
    return expr


def _parse_template(text: str, line: int, nest: int) -> Expr:
    text = _normalize(text)
    if "{" not in text:
        return Literal(line, line + text.count("\n"), text)
    tokens = _scan_template(text, line, False, nest)
    return _build_template(tokens, line, line + text.count("\n"))


# --------------------------------------------------------------------------------------------
# JSON syntax
# --------------------------------------------------------------------------------------------

_WS_RE = re.compile(r"[ \t\n\r]*")
_NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")


class _JsonReader:
    """A JSON reader that keeps lines: nodes are tuples
    ("o", line, end_line, [(key, key_line, node)]), ("a", line, end_line, [node]),
    ("s", line, end_line, str) and ("v", line, end_line, number/bool/None). Iterative."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.newlines, pos - 1) + 1

    def fail(self, message: str, pos: int):
        raise HclSyntaxError(message, self.line(min(pos, len(self.text))))

    def read(self):
        text = self.text
        n = len(text)
        pos = _WS_RE.match(text, 0).end()
        # frames: [kind, line, items, pending_key, pending_key_line]; kind "o" or "a"
        stack: list = []
        result = None
        while True:
            pos = _WS_RE.match(text, pos).end()
            if pos >= n:
                self.fail("unexpected end of input", pos)
            c = text[pos]
            frame = stack[-1] if stack else None
            # Expecting a key (or "}") inside an object.
            if frame is not None and frame[0] == "o" and frame[3] is None:
                if c == "}" and not frame[2]:  # empty object (`{"a": 1,}` fails below)
                    value = ("o", frame[1], self.line(pos), frame[2])
                    pos += 1
                    stack.pop()
                    result, pos = self._attach(stack, value, pos)
                    if result is not None:
                        break
                    continue
                if c != '"':
                    self.fail("expected a property name", pos)
                key, pos2 = self._string(pos)
                key_line = self.line(pos)
                pos = _WS_RE.match(text, pos2).end()
                if not text.startswith(":", pos):
                    self.fail("expected ':'", pos)
                pos += 1
                frame[3] = key
                frame[4] = key_line
                continue
            if c == "{" or c == "[":
                if len(stack) >= MAX_DEPTH:
                    self.fail("nesting deeper than %d" % MAX_DEPTH, pos)
                stack.append(["o" if c == "{" else "a", self.line(pos), [], None, 0])
                pos += 1
                if c == "[":
                    ws = _WS_RE.match(text, pos).end()
                    if text.startswith("]", ws):
                        f = stack.pop()
                        result, pos = self._attach(stack, ("a", f[1], self.line(ws), []), ws + 1)
                        if result is not None:
                            break
                continue
            if c == '"':
                value_str, end = self._string(pos)
                value = ("s", self.line(pos), self.line(end - 1), value_str)
                pos = end
            else:
                m = _NUMBER_RE.match(text, pos)
                if m:
                    num = m.group()
                    number = float(num) if (m.group(1) or m.group(2)) else integer(num)
                    value = ("v", self.line(pos), self.line(pos), number)
                    pos = m.end()
                elif text.startswith("true", pos):
                    value = ("v", self.line(pos), self.line(pos), True)
                    pos += 4
                elif text.startswith("false", pos):
                    value = ("v", self.line(pos), self.line(pos), False)
                    pos += 5
                elif text.startswith("null", pos):
                    value = ("v", self.line(pos), self.line(pos), None)
                    pos += 4
                else:
                    self.fail("unexpected character %r" % c, pos)
            result, pos = self._attach(stack, value, pos)
            if result is not None:
                break
        pos = _WS_RE.match(text, pos).end()
        if pos < n:
            self.fail("unexpected content after the JSON value", pos)
        return result

    def _attach(self, stack: list, value, pos: int):
        """Add a finished value to the container on top of the stack, then consume `,` or the
        container's closing bracket(s). Returns (root_value or None, pos)."""
        text = self.text
        while True:
            if not stack:
                return value, pos
            frame = stack[-1]
            if frame[0] == "o":
                frame[2].append((frame[3], frame[4], value))
                frame[3] = None
            else:
                frame[2].append(value)
            pos = _WS_RE.match(text, pos).end()
            c = text[pos : pos + 1]
            if c == ",":
                return None, pos + 1  # a key or value must follow: `]`/`}` here is an error
            close = "}" if frame[0] == "o" else "]"
            if c != close:
                self.fail("expected ',' or '%s'" % close, pos)
            stack.pop()
            value = (frame[0], frame[1], self.line(pos), frame[2])
            pos += 1

    def _string(self, pos: int):
        try:
            return json.decoder.scanstring(self.text, pos + 1, True)
        except json.JSONDecodeError as e:
            self.fail("invalid string: %s" % e.msg, e.pos)


def _json_literal_expr(node) -> Expr:
    """A JSON value as literal syntax, no templates (tfvars.json)."""
    kind = node[0]
    if kind == "s" or kind == "v":
        return Literal(node[1], node[2], node[3])
    if kind == "a":
        return TupleExpr(node[1], node[2], [_json_literal_expr(v) for v in node[3]])
    return ObjectExpr(
        node[1], node[2], [(Literal(kl, kl, k), _json_literal_expr(v)) for k, kl, v in node[3]]
    )


# Labels per top-level block type in JSON syntax.
_JSON_BLOCK_LABELS = {
    "resource": 2,
    "data": 2,
    "module": 1,
    "variable": 1,
    "output": 1,
    "provider": 1,
    "check": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
}
# Attributes whose JSON strings are expressions, not templates (Terraform's JSON rules).
_JSON_EXPRESSION_ATTRS = {
    "variable": ("type",),
    "resource": ("provider", "depends_on"),
    "data": ("provider", "depends_on"),
    "module": ("providers", "depends_on"),
    "output": ("depends_on",),
    "moved": ("from", "to"),
    "import": ("to", "provider"),
    "removed": ("from",),
}


class _JsonBlocks:
    def __init__(self, comments: list) -> None:
        self.comments = comments

    def root_body(self, root) -> Body:
        body = Body()
        for key, key_line, value in root[3]:
            if key == "//":
                self._comment(value, key_line)
                continue
            self.blocks(body, key, _JSON_BLOCK_LABELS.get(key, 0), [], key_line, value)
        return body

    def _comment(self, value, line: int) -> None:
        if value[0] == "s":
            self.comments.append((line, value[3]))

    def blocks(self, body: Body, btype: str, nlabels: int, labels: list, line: int, node) -> None:
        """Unfold the JSON shapes of one block type: label objects, then a body object or an
        array of body objects (arrays are accepted at any level)."""
        if node[0] == "a":
            for item in node[3]:
                self.blocks(body, btype, nlabels, labels, line, item)
            return
        if node[0] != "o":
            raise HclSyntaxError("%s: expected an object" % btype, node[1])
        if len(labels) < nlabels:
            for key, key_line, value in node[3]:
                if key == "//":
                    self._comment(value, key_line)
                    continue
                self.blocks(body, btype, nlabels, labels + [key], key_line, value)
            return
        body.blocks.append(Block(btype, labels, self.body(node, btype), line, node[2]))

    def body(self, node, btype: str) -> Body:
        body = Body()
        exprs = _JSON_EXPRESSION_ATTRS.get(btype, ())
        for key, key_line, value in node[3]:
            if key == "//":
                self._comment(value, key_line)
                continue
            if btype == "terraform" and key in ("required_providers", "backend", "cloud"):
                # Settings blocks of the terraform block (backend carries a label).
                self.blocks(body, key, 1 if key == "backend" else 0, [], key_line, value)
                continue
            if key in exprs:
                expr = _json_expression_value(value)
            else:
                expr = _json_expr(value)
            body.attributes[key] = Attribute(key, expr, key_line, value[2])
        return body


def _json_expr(node) -> Expr:
    kind = node[0]
    if kind == "s":
        return _json_string(node[3], node[1], node[2])
    if kind == "v":
        return Literal(node[1], node[2], node[3])
    if kind == "a":
        return TupleExpr(node[1], node[2], [_json_expr(v) for v in node[3]])
    items = []
    for key, key_line, value in node[3]:
        items.append((_json_string(key, key_line, key_line), _json_expr(value)))
    return ObjectExpr(node[1], node[2], items)


def _json_string(value: str, line: int, end_line: int) -> Expr:
    if "${" not in value and "%{" not in value:
        return Literal(line, end_line, value)
    expr = _parse_template(value, line, 0)
    if type(expr) is Template and len(expr.parts) == 1 and isinstance(expr.parts[0], Expr):
        return expr.parts[0]  # "${x}" is x itself in JSON syntax
    if type(expr) is Literal:
        expr.end_line = end_line
    return expr


def _json_expression_value(node) -> Expr:
    """Strings parsed as bare expressions: `"aws.west"`, `["aws_s3_bucket.b"]`, `"list(string)"`."""
    kind = node[0]
    if kind == "s":
        text = node[3]
        if text.startswith("${") and text.endswith("}"):
            return _json_string(text, node[1], node[2])
        return _parse_expression(text, node[1], 0)
    if kind == "a":
        return TupleExpr(node[1], node[2], [_json_expression_value(v) for v in node[3]])
    if kind == "o":
        return ObjectExpr(
            node[1],
            node[2],
            [(Literal(kl, kl, k), _json_expression_value(v)) for k, kl, v in node[3]],
        )
    return Literal(node[1], node[2], node[3])
