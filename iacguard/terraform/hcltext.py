"""What the HCL parsers share: the error type, the nesting limit, and the rules of template text.

`HclSyntaxError` (with a 1-based line) is what every Terraform parser raises on malformed input;
`MAX_DEPTH` bounds nesting everywhere (brackets, blocks, interpolations, syntax-tree depth;
the default; parsers read the scan's bound from
`iacguard.core.limits.current()`). Template text -- quoted strings, heredocs, `templatefile` files -- is
split into literal text, interpolations and directives by `scan_template` (escapes, `$${`, `%%{`,
strip markers) and assembled by `build_template`; the expressions inside are parsed by the caller's
expression parser, passed in. `expr_children` walks any syntax node; `check_depth` bounds a tree.

The production parser (`iacguard.terraform.fastparse`) and the test oracle built on python-hcl2
(tests/hcl2_oracle.py) both use these rules, so the two differ only in how they read expressions.
"""
from __future__ import annotations

import re

from iacguard.core import limits as _limits

from iacguard.terraform.syntax import (
    Body,
    Expr,
    Literal,
    Template,
    TemplateFor,
    TemplateIf,
    BinaryOp,
    Conditional,
    ForExpr,
    FunctionCall,
    GetAttr,
    Index,
    ObjectExpr,
    Splat,
    TupleExpr,
    UnaryOp,
    Variable,
)

# Deepest nesting accepted: brackets/braces/interpolations in the text, and syntax-tree depth of
# any expression (blocks included). 128 keeps pickling of the result (the worker processes) and
# every recursive reader well inside Python's default recursion limit; real code stays below 30.
MAX_DEPTH = 128

class HclSyntaxError(ValueError):
    """Malformed Terraform text. `line` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message, line)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return "line %d: %s" % (self.line, self.message)



def normalize(text: str) -> str:
    """Without a byte-order mark, with CRLF line ends made LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


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


def check_depth(body: Body) -> None:
    """Reject trees deeper than _limits.CURRENT.max_depth (operator chains have no brackets to pre-scan)."""
    stack: list = [(body, 0)]
    while stack:
        item, depth = stack.pop()
        if type(item) is Body:
            for attr in item.attributes.values():
                stack.append((attr.expr, depth + 1))
            for blk in item.blocks:
                # A block level costs pickle about twice the stack of an expression level.
                if depth + 2 > _limits.CURRENT.max_depth:
                    raise HclSyntaxError("blocks nested too deeply", blk.line)
                stack.append((blk.body, depth + 2))
            continue
        if depth > _limits.CURRENT.max_depth:
            raise HclSyntaxError("expression nested too deeply", getattr(item, "line", 1))
        for child in expr_children(item):
            stack.append((child, depth + 1))


def check_expr_depth(expr, depth: int = 1) -> None:
    """Reject an expression deeper than _limits.CURRENT.max_depth; `depth`: the level it sits at."""
    stack = [(expr, depth)]
    while stack:
        item, depth = stack.pop()
        if depth > _limits.CURRENT.max_depth:
            raise HclSyntaxError("expression nested too deeply", getattr(item, "line", 1))
        for child in expr_children(item):
            stack.append((child, depth + 1))


def dedent(content: str) -> str:
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


def unescape(raw: str, line: int) -> str:
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
        i = escape_at(raw, j, out, line)
    return "".join(out)


def escape_at(raw: str, j: int, out: list, line: int) -> int:
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


def find_close(raw: str, start: int) -> int:
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
        if len(stack) > _limits.CURRENT.max_depth:
            return -2
    return -1


def scan_template(raw: str, line: int, escapes: bool, nest: int, expression) -> list:
    """Split template text into tokens: ("lit", str), ("expr", Expr, strip_l, strip_r),
    ("dir", kind, payload, strip_l, strip_r, line). `expression(text, line, nest)` parses the
    text of an interpolation or directive (the caller's expression parser); `escapes`: backslash
    escapes are decoded (quoted strings; not heredocs nor template files)."""
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
            i = escape_at(raw, start, buf, line + raw.count("\n", 0, start))
            continue
        if tok == "$${" or tok == "%%{":
            buf.append(tok[1:])
            i = m.end()
            continue
        here = line + raw.count("\n", 0, start)
        end = find_close(raw, m.end())
        if end == -2:
            raise HclSyntaxError("nesting deeper than %d" % _limits.CURRENT.max_depth, here)
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
            tokens.append(directive(inner, inner_line, strip_l, strip_r, nest, expression))
        i = end + 1
    if buf:
        tokens.append(("lit", "".join(buf)))
    return tokens


def directive(inner: str, line: int, strip_l: bool, strip_r: bool, nest: int, expression) -> tuple:
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


def build_template(tokens: list, line: int, end_line: int) -> Expr:
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
