"""Evaluating CloudFormation values: intrinsic functions, pseudo parameters and conditions.

`IntrinsicEvaluator` evaluates one value of one stack under a set of assumed condition values (a resource
variant). On the way it records where each output property came from (`locations`) and every
reference it meets (Ref, GetAtt, Sub variables, Fn::If conditions). What the stack knows
(parameters, resources, mappings, conditions, nested stack outputs) is asked of the `stack`
object (see `iacguard.cloudformation.evaluate.Stack`).
"""
from __future__ import annotations

import json
import re

from iacguard.core import limits as _limits
from iacguard.core.unknown import PartialUnknown, Unknown, as_int, contains_unknown, deployment_account, deployment_region, first_unknown, first_unknown_item

# Deeper values than this evaluate to Unknown; the loader refuses documents past 512 levels, and
# each level costs about two Python frames here.
MAX_EVAL_DEPTH = 200


class _NoValue:
    """`Ref: AWS::NoValue`: the enclosing key or list item is removed."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()
# Exact classes of the scalars a parsed template holds, whose value is themselves: `value` takes
# them from a mapping or list without a call (subclasses, such as Unknown, still go through it).
_LEAVES = frozenset((str, int, float, bool, type(None)))

# Choice (documented in docs/cloudformation.md): only values that are the same in every
# commercial-region deployment are known.
PSEUDO_KNOWN = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
PSEUDO_UNKNOWN = {
    "AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs",
}

_SUB_TOKEN = re.compile(r"\$\{([^}]*)\}")

CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition")


def is_intrinsic(node) -> bool:
    if isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        return key == "Ref" or (isinstance(key, str) and key.startswith("Fn::"))
    return False


def as_text(value) -> str | Unknown:
    """A scalar as CloudFormation turns it into a string (Fn::Sub, Fn::Join)."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return Unknown("a list or mapping where a string was expected")


def fn_if_conditions(node) -> list:
    """Names of the conditions every Fn::If inside a raw value tests, in order of appearance."""
    names: list = []
    stack = [node]
    seen = 0
    while stack and seen < 100_000:
        seen += 1
        v = stack.pop()
        if isinstance(v, dict):
            if len(v) == 1 and "Fn::If" in v:
                args = v["Fn::If"]
                if isinstance(args, list) and args and isinstance(args[0], str) and args[0] not in names:
                    names.append(args[0])
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, list):
            stack.extend(reversed(v))
    return names


def span3(span, ends) -> tuple:
    """(start_line, end_line, end_col) of a template line span, `ends` the template's line end
    columns: a property's entry in SpanLocations (core.model.end_column written out: this runs
    once per property node of every resource)."""
    start, end = span[0], span[1]
    last = end if end > start else start
    if last < 1:
        last = 1
    return (start, end, ends[last - 1] if last <= len(ends) else 0)


class IntrinsicEvaluator:
    """Evaluates raw template values for one `source` (a resource variant, output, condition)."""

    def __init__(self, stack, source: str | None, assumptions: dict | None = None,
                 locations: dict | None = None) -> None:
        self.stack = stack
        self.source = source  # node id references are recorded from; None records nothing
        self.assumptions = assumptions or {}
        self.locations = locations  # output path -> line span (core.model.SpanLocations), filled while evaluating
        self.captured: list | None = None  # extra sink for references (nested stack parameters)
        # Template path a warning falls back to when the value has no lines of its own (values
        # SAM generates): the resource's span.
        self.origin: tuple | None = None
        # (output path, value) of every value evaluated with `record` that is not a plain
        # mapping, list or scalar of the template (a function's result, a value nested too
        # deeply, a parser's Unknown), in evaluation order: every Unknown of the evaluated value
        # is within one of them (Stack._record_unknowns walks these, not every property node).
        self.produced: list = []

    def warn(self, message: str, src) -> None:
        self.stack.warn(message, src if src else self.origin)

    # -- references ----------------------------------------------------------------------------

    def _refer(self, target: str, out: tuple, attribute: str = "", kind: str = "reference") -> None:
        if self.source is not None:
            self.stack.add_reference_of(self.source, target, out, attribute, kind)
        if self.captured is not None:
            self.captured.append((target, attribute))

    # -- values --------------------------------------------------------------------------------

    def value(self, node, src: tuple | None, out: tuple = (), record: bool = True, depth: int = 0):
        """The evaluated value of a raw node; `src` is its path in the template (for lines)."""
        if depth > MAX_EVAL_DEPTH:
            made = Unknown("value nested too deeply")
            if record:
                self.produced.append((out, made))
            return made
        if isinstance(node, dict):
            if len(node) == 1:
                key = next(iter(node))
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    made = self._function(key, node[key], _sub(src, key), out, record, depth)
                    if record:
                        self.produced.append((out, made))
                    return made
            _limits.ACTIVE.grow(1 + len(node))  # the root's evaluation budget (iacguard.core.limits)
            leaf_ok = depth < MAX_EVAL_DEPTH  # a child at depth + 1 is still within the limit
            result = {}
            # _locate inlined (once per node of every resource's properties)
            locations = self.locations if record and src is not None else None
            if locations is not None:
                template = self.stack.template
                lines, ends = template.lines, template.line_ends
                setdefault = locations.setdefault
                n_ends = len(ends)
            for key, child in node.items():
                if locations is None and child.__class__ in _LEAVES and leaf_ok:
                    result[key] = child  # (no location to keep: no paths made)
                    continue
                csrc = None if src is None else src + (key,)
                # Inside a function argument, references belong to the property holding the call.
                cout = out + (key,) if record else out
                if locations is not None:
                    span = lines.get(csrc)
                    if span is not None:
                        # span3(span, ends) written out (once per property node of every
                        # resource); an entry made before stays (setdefault: one hash of the path).
                        first, last = span
                        if last < first:
                            last = first
                        if last < 1:
                            last = 1
                        setdefault(cout, (first, span[1], ends[last - 1] if last <= n_ends else 0))
                if child.__class__ in _LEAVES and leaf_ok:
                    # A plain scalar is its own value: no call (most nodes of a template).
                    result[key] = child
                    continue
                v = self.value(child, csrc, cout, record, depth + 1)
                if v is NO_VALUE:
                    if record:
                        self._forget(cout)
                    continue
                result[key] = v
            return result
        if isinstance(node, list):
            _limits.ACTIVE.grow(1 + len(node))
            leaf_ok = depth < MAX_EVAL_DEPTH
            items = []
            locations = self.locations if record and src is not None else None
            if locations is not None:
                template = self.stack.template
                lines, ends = template.lines, template.line_ends
                setdefault = locations.setdefault
                n_ends = len(ends)
            for i, child in enumerate(node):
                if locations is None and child.__class__ in _LEAVES and leaf_ok:
                    items.append(child)  # (no location to keep: no paths made)
                    continue
                csrc = None if src is None else src + (i,)
                cout = out + (len(items),) if record else out
                if locations is not None:
                    span = lines.get(csrc)
                    if span is not None:
                        first, last = span  # span3(span, ends) written out, as above
                        if last < first:
                            last = first
                        if last < 1:
                            last = 1
                        setdefault(cout, (first, span[1], ends[last - 1] if last <= n_ends else 0))
                if child.__class__ in _LEAVES and leaf_ok:
                    items.append(child)
                    continue
                v = self.value(child, csrc, cout, record, depth + 1)
                if v is NO_VALUE:
                    if record:
                        self._forget(cout)
                    continue
                items.append(v)
            return items
        if record and node.__class__ not in _LEAVES:
            self.produced.append((out, node))  # (an Unknown the parser made: a number too long)
        return node

    def _locate(self, src, out) -> None:
        if self.locations is not None and src is not None and out not in self.locations:
            span = self.stack.template.lines.get(src)
            if span is not None:
                self.locations[out] = span3(span, self.stack.template.line_ends)

    def _forget(self, out) -> None:
        if self.locations is not None:
            n = len(out)
            for key in [k for k in self.locations if k[:n] == out]:
                del self.locations[key]

    def arg(self, node, src, out, depth):
        """A function argument: evaluated, with no locations recorded for its inner parts."""
        return self.value(node, src, out, False, depth + 1)

    def _function(self, name: str, args, src, out, record, depth):
        handler = _FUNCTIONS.get(name)
        if handler is None:
            if name in CONDITION_FUNCTIONS:
                return self.condition_expr({name: args}, src, out)
            self.warn("unknown intrinsic function %s" % name, src)
            return Unknown("unknown intrinsic function %s" % name)
        return handler(self, args, src, out, record, depth)

    # -- Ref / GetAtt --------------------------------------------------------------------------

    def ref(self, name, src, out):
        if name in PSEUDO_KNOWN:
            return PSEUDO_KNOWN[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO_UNKNOWN:
            reason = "pseudo parameter %s is known at deploy" % name
            top = getattr(self.stack, "top_file", None)
            # One account and one region for the whole stack tree (nested stacks deploy where
            # their parent does): symbols shared with iacguard.facts.arns, so that a policy's
            # "arn:aws:s3:::logs-${AWS::AccountId}" matches the bucket of the same stack.
            if top and name == "AWS::AccountId":
                return deployment_account(reason, top, top)
            if top and name == "AWS::Region":
                return deployment_region(reason, top)
            return Unknown(reason)
        stack = self.stack
        if name in stack.parameters:
            self._refer(stack.parameter_id(name), out)
            value = stack.parameters[name]
            return list(value) if isinstance(value, list) else value
        if name in stack.resources:
            self._refer(stack.resource_id(name), out)
            return stack.ref_value(name)
        if name in stack.sam_refs:
            generated = stack.sam_refs[name]
            if generated in stack.resources:
                return self.ref(generated, src, out)
            return Unknown("%s is generated by SAM and not expanded here" % name)
        if isinstance(name, str) and name.startswith("AWS::"):
            self.warn("unknown pseudo parameter %s" % name, src)
            return Unknown("unknown pseudo parameter %s" % name)
        self.warn("Ref to %r, which is not a parameter or resource of this template" % (name,), src)
        return Unknown("Ref to undefined %s" % (name,))

    def getatt(self, logical_id, attribute, src, out):
        stack = self.stack
        if stack.sam_refs:
            # SAM's referable properties: [MyFunction.Alias, Name], "MyFunction.Alias.Name" and,
            # in Fn::Sub, ${MyFunction.Alias} (a Ref) and ${MyFunction.Alias.Name}.
            name, rest = logical_id, attribute
            if name not in stack.sam_refs and name in stack.resources:
                prop, _, rest = attribute.partition(".")
                name = logical_id + "." + prop
            if name in stack.sam_refs:
                generated = stack.sam_refs[name]
                if generated not in stack.resources:
                    return Unknown("%s is generated by SAM and not expanded here" % name)
                return self.getatt(generated, rest, src, out) if rest else self.ref(generated, src, out)
        if logical_id not in stack.resources:
            self.warn("Fn::GetAtt of %r, which is not a resource of this template" % (logical_id,), src)
            return Unknown("Fn::GetAtt of undefined %s" % (logical_id,))
        self._refer(stack.resource_id(logical_id), out, attribute)
        return stack.getatt_value(logical_id, attribute, self, out)

    # -- conditions ----------------------------------------------------------------------------

    def condition(self, name, src):
        """The truth of a named condition under this expression's assumptions."""
        if not isinstance(name, str) or name not in self.stack.conditions:
            self.warn("condition %r is not defined" % (name,), src)
            return Unknown("undefined condition %s" % (name,))
        if name in self.assumptions:
            return self.assumptions[name]
        return self.stack.condition_value(name, self.assumptions)

    def condition_expr(self, node, src, out=(), depth: int = 0):
        """A condition expression: True, False or Unknown."""
        if depth > MAX_EVAL_DEPTH:
            return Unknown("condition nested too deeply")
        if isinstance(node, bool):
            return node
        if isinstance(node, str) and node.lower() in ("true", "false"):
            return node.lower() == "true"
        if not (isinstance(node, dict) and len(node) == 1):
            self.warn("not a condition expression", src)
            return Unknown("not a condition expression")
        key, args = next(iter(node.items()))
        asrc = _sub(src, key)
        if key == "Condition":
            if isinstance(args, str) and args in self.stack.conditions:
                self._refer(self.stack.condition_id(args), out)
            return self.condition(args, asrc)
        if key == "Fn::Equals":
            if not isinstance(args, list) or len(args) != 2:
                self.warn("Fn::Equals needs a list of two values", src)
                return Unknown("malformed Fn::Equals")
            a = self.arg(args[0], _sub(asrc, 0), out, depth)
            b = self.arg(args[1], _sub(asrc, 1), out, depth)
            if contains_unknown(a) or contains_unknown(b):
                return first_unknown([a, b])
            return _comparable(a) == _comparable(b)
        if key in ("Fn::And", "Fn::Or", "Fn::Not"):
            if not isinstance(args, list) or not args:
                self.warn("%s needs a list of conditions" % key, src)
                return Unknown("malformed %s" % key)
            values = [self.condition_expr(a, _sub(asrc, i), out, depth + 1) for i, a in enumerate(args)]
            if key == "Fn::Not":
                v = values[0]
                return v if isinstance(v, Unknown) else not v
            decided = [v for v in values if not isinstance(v, Unknown)]
            if key == "Fn::And":
                if any(v is False for v in decided):
                    return False
                return True if len(decided) == len(values) else first_unknown_item(values)
            if any(v is True for v in decided):
                return True
            return False if len(decided) == len(values) else first_unknown_item(values)
        if key == "Fn::If":
            v = self.value(node, src, out, False, depth)
            return v if isinstance(v, (bool, Unknown)) else Unknown("not a boolean")
        if key == "Ref" or key.startswith("Fn::"):
            v = self.value(node, src, out, False, depth)
            if isinstance(v, Unknown):
                return v
            if isinstance(v, bool):
                return v
            if isinstance(v, str) and v.lower() in ("true", "false"):
                return v.lower() == "true"
            return Unknown("not a boolean")
        self.warn("unknown condition function %s" % key, src)
        return Unknown("unknown condition function %s" % key)


def _sub(src, key):
    return None if src is None else src + (key,)


def _comparable(value):
    """Fn::Equals compares the string forms of values ("10" equals 10)."""
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return as_text(value) if value is not None else None


# -- the functions -------------------------------------------------------------------------------


def _malformed(ex: IntrinsicEvaluator, name: str, src, why: str = ""):
    ex.warn("malformed %s%s" % (name, ": " + why if why else ""), src)
    return Unknown("malformed %s" % name)


def _fn_ref(ex: IntrinsicEvaluator, args, src, out, record, depth):
    if isinstance(args, dict):
        args = ex.arg(args, src, out, depth)
    if isinstance(args, Unknown):
        return args
    if not isinstance(args, str):
        return _malformed(ex, "Ref", src, "the target must be a name")
    return ex.ref(args, src, out)


def _fn_getatt(ex: IntrinsicEvaluator, args, src, out, record, depth):
    if isinstance(args, str):
        args = args.split(".", 1)
    if not isinstance(args, list) or len(args) != 2 or not isinstance(args[0], str):
        return _malformed(ex, "Fn::GetAtt", src, "expected [LogicalId, Attribute]")
    attribute = args[1]
    if not isinstance(attribute, str):
        attribute = ex.arg(attribute, _sub(src, 1), out, depth)
        if isinstance(attribute, Unknown):
            if args[0] in ex.stack.resources:
                ex._refer(ex.stack.resource_id(args[0]), out)
            return attribute
        if not isinstance(attribute, str):
            return _malformed(ex, "Fn::GetAtt", src, "the attribute must be a string")
    return ex.getatt(args[0], attribute, src, out)


def _fn_sub(ex: IntrinsicEvaluator, args, src, out, record, depth):
    variables: dict = {}
    if isinstance(args, list):
        if len(args) != 2 or not isinstance(args[1], dict):
            return _malformed(ex, "Fn::Sub", src, "expected [String, {Variables}]")
        for name, node in args[1].items():
            variables[name] = ex.arg(node, _sub(_sub(src, 1), name), out, depth)
        text = args[0]
        tsrc = _sub(src, 0)
    else:
        text, tsrc = args, src
    if isinstance(text, dict):
        text = ex.arg(text, tsrc, out, depth)
    if isinstance(text, Unknown):
        return text
    if not isinstance(text, str):
        return _malformed(ex, "Fn::Sub", src, "the template must be a string")
    parts: list = []
    pos = 0
    unknown = None
    for m in _SUB_TOKEN.finditer(text):
        parts.append(text[pos:m.start()])
        pos = m.end()
        token = m.group(1)
        if token.startswith("!"):
            parts.append("${" + token[1:] + "}")
            continue
        name = token.strip()
        if name in variables:
            value = variables[name]
        elif "." in name and not name.startswith("AWS::"):
            logical_id, attribute = name.split(".", 1)
            value = ex.getatt(logical_id, attribute, tsrc, out)
        else:
            value = ex.ref(name, tsrc, out)
        if value is NO_VALUE:
            value = ""
        text_value = as_text(value)
        if isinstance(text_value, Unknown):
            if unknown is None:
                unknown = text_value
        parts.append(text_value)
    parts.append(text[pos:])
    if unknown is not None:
        return _partial(unknown, parts)
    _limits.ACTIVE.grow_str(sum(map(len, parts)))  # before it is joined: doubling stops here
    return "".join(parts)


def _fn_join(ex: IntrinsicEvaluator, args, src, out, record, depth):
    if not isinstance(args, list) or len(args) != 2:
        return _malformed(ex, "Fn::Join", src, "expected [Delimiter, [Values]]")
    delimiter = ex.arg(args[0], _sub(src, 0), out, depth)
    items = ex.arg(args[1], _sub(src, 1), out, depth)
    if isinstance(delimiter, Unknown):
        return delimiter
    if isinstance(items, Unknown):
        return items
    if not isinstance(items, list):
        return _malformed(ex, "Fn::Join", src, "the values must be a list")
    texts = [as_text(i) for i in items if i is not NO_VALUE]
    unknown = first_unknown_item(texts)
    delimiter = as_text(delimiter)
    if not isinstance(delimiter, str):
        return unknown if unknown is not None else Unknown("bad delimiter")
    if unknown is not None:
        parts: list = []
        for i, t in enumerate(texts):
            if i:
                parts.append(delimiter)
            parts.append(t)
        return _partial(unknown, parts)
    _limits.ACTIVE.grow_str(len(delimiter) * len(texts) + sum(map(len, texts)))  # before it is built
    return delimiter.join(texts)


def _partial(unknown: Unknown, parts: list) -> Unknown:
    """A string of known text and unknown pieces (Fn::Sub, Fn::Join): a PartialUnknown whose
    partial_text holds them, the pieces of a partial piece spliced in, empty text dropped and
    adjacent text merged, so that `!Sub "${Bucket.Arn}/*"` still says which bucket it names.
    A piece that is not a plain string (a list where a string was expected) leaves `unknown`."""
    pieces: list = []
    last_str = False  # pieces[-1] is a str
    for p in parts:
        if p.__class__ is str:
            # (most parts: the text around ${...}), without asking a str for partial_text
            if not p:
                continue
            if last_str:
                p = pieces.pop() + p
            last_str = True
            pieces.append(p)
            continue
        inner = getattr(p, "partial_text", None)
        for q in (inner if inner is not None else (p,)):
            if isinstance(q, str):
                if not q:
                    continue
                if last_str:
                    q = pieces.pop() + q
                last_str = True
            else:
                if type(q) is PartialUnknown:
                    q = Unknown(q.reason)  # jsonencode-like shape only: not a piece of text
                last_str = False
            pieces.append(q)
    _limits.ACTIVE.grow_str(len(pieces) * 16 + sum(len(p) for p in pieces if isinstance(p, str)))
    return PartialUnknown(unknown.reason, partial_text=tuple(pieces))


def _fn_select(ex: IntrinsicEvaluator, args, src, out, record, depth):
    if not isinstance(args, list) or len(args) != 2:
        return _malformed(ex, "Fn::Select", src, "expected [Index, [Values]]")
    index = as_int(ex.arg(args[0], _sub(src, 0), out, depth))
    items = ex.arg(args[1], _sub(src, 1), out, depth)
    if isinstance(index, Unknown):
        return index
    if isinstance(items, Unknown):
        return items
    if not isinstance(items, list):
        return _malformed(ex, "Fn::Select", src, "the values must be a list")
    if not 0 <= index < len(items):
        ex.warn("Fn::Select index %d out of range (%d values)" % (index, len(items)), src)
        return Unknown("Fn::Select index out of range")
    return items[index]


def _fn_split(ex: IntrinsicEvaluator, args, src, out, record, depth):
    if not isinstance(args, list) or len(args) != 2:
        return _malformed(ex, "Fn::Split", src, "expected [Delimiter, String]")
    delimiter = ex.arg(args[0], _sub(src, 0), out, depth)
    text = ex.arg(args[1], _sub(src, 1), out, depth)
    for v in (delimiter, text):
        if isinstance(v, Unknown):
            return v
    if not isinstance(delimiter, str) or not delimiter or not isinstance(text, str):
        return _malformed(ex, "Fn::Split", src, "delimiter and source must be strings")
    _limits.ACTIVE.grow(1 + text.count(delimiter))
    return text.split(delimiter)


def _fn_find_in_map(ex: IntrinsicEvaluator, args, src, out, record, depth):
    if not isinstance(args, list) or len(args) not in (3, 4):
        return _malformed(ex, "Fn::FindInMap", src, "expected [MapName, TopLevelKey, SecondLevelKey]")
    keys = [ex.arg(a, _sub(src, i), out, depth) for i, a in enumerate(args[:3])]
    default = None
    if len(args) == 4:
        if not (isinstance(args[3], dict) and "DefaultValue" in args[3]):
            return _malformed(ex, "Fn::FindInMap", src, "the fourth item must be {DefaultValue: ...}")
        default = ex.arg(args[3]["DefaultValue"], _sub(_sub(src, 3), "DefaultValue"), out, depth)
    unknown = first_unknown_item(keys)
    if unknown is not None:
        return unknown
    keys = [as_text(k) if not isinstance(k, str) else k for k in keys]
    mapping = ex.stack.mappings.get(keys[0]) if isinstance(keys[0], str) else None
    if mapping is None:
        if default is not None:
            return default
        ex.warn("Fn::FindInMap: mapping %r is not defined" % (keys[0],), src)
        return Unknown("undefined mapping %s" % (keys[0],))
    top = mapping.get(keys[1]) if isinstance(mapping, dict) else None
    if not isinstance(top, dict) or keys[2] not in top:
        if default is not None:
            return default
        ex.warn("Fn::FindInMap: no %s/%s in mapping %s" % (keys[1], keys[2], keys[0]), src)
        return Unknown("no %s/%s in mapping %s" % (keys[1], keys[2], keys[0]))
    # Mapping values are literal; evaluate to copy them and to reject stray intrinsics.
    return ex.value(top[keys[2]], ("Mappings", keys[0], keys[1], keys[2]), out, False, depth + 1)


def _fn_if(ex: IntrinsicEvaluator, args, src, out, record, depth):
    if not isinstance(args, list) or len(args) != 3 or not isinstance(args[0], str):
        return _malformed(ex, "Fn::If", src, "expected [ConditionName, ValueIfTrue, ValueIfFalse]")
    name = args[0]
    if name in ex.stack.conditions:
        ex._refer(ex.stack.condition_id(name), out)
    truth = ex.condition(name, src)
    if isinstance(truth, Unknown):
        # Undecided and not one of this variant's assumptions: known only when both agree.
        a = ex.value(args[1], _sub(src, 1), out, False, depth + 1)
        b = ex.value(args[2], _sub(src, 2), out, False, depth + 1)
        if a == b and not contains_unknown(a):
            return a
        return Unknown("condition %s is undecided" % name)
    branch = 1 if truth else 2
    bsrc = _sub(src, branch)
    if record:
        ex._locate(bsrc, out)
    return ex.value(args[branch], bsrc, out, record, depth + 1)


def _fn_base64(ex: IntrinsicEvaluator, args, src, out, record, depth):
    # The plain text is kept (not encoded): checks read UserData for secrets and settings.
    value = ex.arg(args, src, out, depth)
    if isinstance(value, Unknown):
        return value
    return as_text(value)


def _fn_cidr(ex: IntrinsicEvaluator, args, src, out, record, depth):
    if not isinstance(args, list) or len(args) != 3:
        return _malformed(ex, "Fn::Cidr", src, "expected [IpBlock, Count, CidrBits]")
    block = ex.arg(args[0], _sub(src, 0), out, depth)
    count = as_int(ex.arg(args[1], _sub(src, 1), out, depth))
    bits = as_int(ex.arg(args[2], _sub(src, 2), out, depth))
    unknown = first_unknown_item([block, count, bits])
    if unknown is not None:
        return unknown
    import ipaddress  # (here: 1-2 ms to import, and few templates use Fn::Cidr)

    try:
        network = ipaddress.ip_network(block, strict=False)
    except (TypeError, ValueError):
        return _malformed(ex, "Fn::Cidr", src, "%r is not a CIDR block" % (block,))
    prefix = network.max_prefixlen - bits
    if not (network.prefixlen <= prefix <= network.max_prefixlen) or not 1 <= count <= 256:
        return _malformed(ex, "Fn::Cidr", src, "count or cidrBits out of range")
    subnets = []
    for subnet in network.subnets(new_prefix=prefix):
        subnets.append(str(subnet))
        if len(subnets) == count:
            break
    if len(subnets) < count:
        return _malformed(ex, "Fn::Cidr", src, "%s holds fewer than %d subnets" % (block, count))
    return subnets


def _fn_get_azs(ex: IntrinsicEvaluator, args, src, out, record, depth):
    ex.arg(args, src, out, depth)  # for the references it may hold
    return Unknown("availability zones are known at deploy")


def _fn_import_value(ex: IntrinsicEvaluator, args, src, out, record, depth):
    name = ex.arg(args, src, out, depth)
    return Unknown("value imported from another stack (%s)" % (name if isinstance(name, str) else "export"))


def _fn_length(ex: IntrinsicEvaluator, args, src, out, record, depth):
    value = ex.arg(args, src, out, depth)
    if isinstance(value, Unknown):
        return value
    if not isinstance(value, list):
        return _malformed(ex, "Fn::Length", src, "expected a list")
    return len(value)


def _fn_to_json_string(ex: IntrinsicEvaluator, args, src, out, record, depth):
    value = ex.arg(args, src, out, depth)
    if value is NO_VALUE:
        return _malformed(ex, "Fn::ToJsonString", src, "AWS::NoValue has no JSON form")
    if contains_unknown(value):
        return first_unknown(value)
    return json.dumps(value, separators=(",", ":"))


def _fn_transform(ex: IntrinsicEvaluator, args, src, out, record, depth):
    name = args.get("Name") if isinstance(args, dict) else None
    return Unknown("macro %s runs at deploy" % (name if isinstance(name, str) else "transform"))


_FUNCTIONS = {
    "Ref": _fn_ref,
    "Fn::GetAtt": _fn_getatt,
    "Fn::Sub": _fn_sub,
    "Fn::Join": _fn_join,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::If": _fn_if,
    "Fn::Base64": _fn_base64,
    "Fn::Cidr": _fn_cidr,
    "Fn::GetAZs": _fn_get_azs,
    "Fn::ImportValue": _fn_import_value,
    "Fn::Length": _fn_length,
    "Fn::ToJsonString": _fn_to_json_string,
    "Fn::Transform": _fn_transform,
}
