"""Terraform parsers: native HCL (`.tf`, `.tfvars`) and JSON syntax (`.tf.json`, `.tfvars.json`)
into the syntax tree of `iacguard.terraform.syntax`.

Native syntax is read by one parser, `iacguard.terraform.fastparse` (`parse_hcl`, `parse_expression`
and `parse_template` here are its entry points); the shared rules (errors, nesting limit, template
text) are in `iacguard.terraform.hcltext`. python-hcl2 is not used at run time: its lark grammar is
the test oracle the fast parser is checked against (tests/hcl2_oracle.py).

All entry points are pure functions of their text and return picklable trees. Malformed input,
including nesting deeper than `_limits.CURRENT.max_depth`, raises `HclSyntaxError` with a 1-based line;
never a RecursionError.

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
"""
from __future__ import annotations

import bisect
import json
import re

from iacguard.core import limits as _limits
from iacguard.core.model import line_end_columns
from iacguard.core.numbers import integer
from iacguard.terraform import hcltext
from iacguard.terraform.fastparse import parse_expression_fast, parse_hcl_fast, parse_template_fast
from iacguard.terraform.hcltext import HclSyntaxError, check_depth, expr_children, normalize
from iacguard.terraform.syntax import (
    Attribute,
    Block,
    Body,
    ConfigFile,
    Expr,
    Literal,
    ObjectExpr,
    Template,
    TupleExpr,
)

__all__ = [
    "HclSyntaxError",
    "expr_children",
    "parse_expression",
    "parse_hcl",
    "parse_template",
    "parse_tf_json",
]

# The native-syntax entry points: the fast parser's.
parse_hcl = parse_hcl_fast
parse_expression = parse_expression_fast
parse_template = parse_template_fast


def parse_tf_json(text: str, path: str) -> ConfigFile:
    """Parse a JSON-syntax `.tf.json` / `.tfvars.json` file."""
    text = normalize(text)
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
    check_depth(body)
    comments.sort()
    return ConfigFile(path=path, body=body, comments=comments, line_ends=line_end_columns(text))


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
                if len(stack) >= _limits.CURRENT.max_depth:
                    self.fail("nesting deeper than %d" % _limits.CURRENT.max_depth, pos)
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
    expr = parse_template_fast(value, line)
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
        return parse_expression_fast(text, node[1])
    if kind == "a":
        return TupleExpr(node[1], node[2], [_json_expression_value(v) for v in node[3]])
    if kind == "o":
        return ObjectExpr(
            node[1],
            node[2],
            [(Literal(kl, kl, k), _json_expression_value(v)) for k, kl, v in node[3]],
        )
    return Literal(node[1], node[2], node[3])

