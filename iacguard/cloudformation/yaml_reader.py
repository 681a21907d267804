"""Reading a CloudFormation YAML document into plain data with the line span of every node.

PyYAML's parser (through cfn-flip's `CfnYamlLoader`, a `SafeLoader`) gives the event stream; the
document is composed here iteratively, not by PyYAML's recursive composer, so that depth is bounded
without RecursionError, alias expansion is counted (an alias bomb fails at once) and short-form
intrinsic tags become the long form (`!Ref X` -> `{"Ref": "X"}`). Only the YAML core tags and
`!Name` intrinsic tags are accepted; anything else (`!!python/...`) is refused, never constructed.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from sys import intern

import yaml
import yaml.reader
from cfn_tools.yaml_loader import CfnYamlLoader
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from iacguard.core.numbers import MAX_DIGITS, too_long
from iacguard.core.numbers import integer as read_integer
from iacguard.core import limits as _limits
from iacguard.core.unknown import Unknown
from .source_lines import YAML_BREAKS, Decoded, LineIndex, RefusedInput, TemplateError, duplicate_key

# Nodes an alias may re-use, summed over all aliases. Real templates alias a few small blocks;
# "billion laughs" documents pass this after a handful of aliases.

_CORE = "tag:yaml.org,2002:"
_SAFE_SCALAR_TAGS = {"str", "int", "float", "bool", "null", "timestamp"}
_INTRINSIC_TAG = re.compile(r"^![A-Za-z][A-Za-z0-9]*$")
_UNPREFIXED = {"Ref", "Condition"}
_STR = _CORE + "str"


class MultipleDocuments(TemplateError):
    """The stream holds more than one document; `first` is the first one, decoded."""

    def __init__(self, first: Decoded, line: int) -> None:
        super().__init__("more than one YAML document", line)
        self.first = first

    def __reduce__(self):
        return (TemplateError, (self.message, self.line))


class LineLoader(CfnYamlLoader):
    """Used for its scanner, parser, resolver and safe scalar constructors only."""


try:
    from yaml.cyaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None

if CParser is not None:

    class FastLineLoader(CParser, SafeConstructor, Resolver):
        """The same events from libyaml's C parser (about 10x faster), with the same resolver and
        safe scalar constructors as `LineLoader`; marks carry the same character offsets."""

        yaml_constructors = CfnYamlLoader.yaml_constructors
        yaml_implicit_resolvers = CfnYamlLoader.yaml_implicit_resolvers

        def __init__(self, stream):
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    LOADER = FastLineLoader
else:  # pragma: no cover - PyYAML built without libyaml
    LOADER = LineLoader


def _fn_key(tag: str) -> str:
    name = tag[1:]
    return name if name in _UNPREFIXED else "Fn::" + name


def _check_tag(tag: str | None, line: int) -> str | None:
    """The intrinsic key for a `!Fn` tag, None for core tags; raises for anything else."""
    if tag is None or tag == "!":
        return None
    if _INTRINSIC_TAG.match(tag):
        return _fn_key(tag)
    if tag.startswith(_CORE):
        name = tag[len(_CORE):]
        if name in _SAFE_SCALAR_TAGS or name in ("map", "seq"):
            return None
    raise RefusedInput("unsupported YAML tag %s" % tag, line)


def read_yaml(text: str) -> tuple[Decoded, list]:
    """The document's data and lines, plus the line spans of multi-line scalars (for comments)."""
    index = LineIndex(text, YAML_BREAKS)
    loader = None
    try:
        loader = LOADER(text)
        return _compose(loader, text, index)
    except yaml.reader.ReaderError as exc:
        # Raised for control characters, before any mark exists.
        raise TemplateError("character %r is not allowed in YAML" % chr(exc.character)
                            if isinstance(exc.character, int) else "unreadable character",
                            index.line(exc.position)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise TemplateError(message, mark.line + 1 if mark else 0) from None
    except yaml.YAMLError as exc:
        raise TemplateError("invalid YAML: %s" % exc) from None
    finally:
        if loader is not None:
            loader.dispose()


_TRAILING = " \t\r\n\x85\u2028\u2029"


def _end_line(text: str, index: LineIndex, end: int, start_line: int) -> int:
    """Line of the last non-blank character before offset `end` (block scalars eat trailing breaks)."""
    i = end - 1
    while i > 0 and text[i] in _TRAILING:
        i -= 1
    return max(start_line, index.line(i))


def _bounded_int(text: str):
    """A YAML 1.1 int read in bounded time (see iacguard.core.numbers), or None for PyYAML to read.

    Decimal: exact up to MAX_DIGITS digits, else Unknown. Other forms (0x, 0b, octal, 1:30:00)
    longer than MAX_DIGITS // 4 characters are Unknown too: their value would pass MAX_DIGITS
    decimal digits, and sexagesimal ones take quadratic time to build."""
    plain = text.replace("_", "")
    body = plain.lstrip("+-")
    if body.isdigit() and (len(body) == 1 or body[0] != "0"):
        return read_integer(plain)
    if len(plain) > MAX_DIGITS // 4:
        return Unknown(too_long(len(body)))
    return None


def _scalar(loader: LineLoader, event: ScalarEvent, line: int, resolved: dict | None = None):
    tag = event.tag
    if tag is None or tag == "!":
        # The resolver depends on the text and the implicit flags only: asked once per distinct
        # pair of a document (`resolved`), not once per scalar.
        key = (event.value, event.implicit)
        tag = resolved.get(key) if resolved is not None else None
        if tag is None:
            tag = loader.resolve(ScalarNode, event.value, event.implicit)
            if resolved is not None:
                resolved[key] = tag
    if tag == _CORE + "str":
        return event.value
    if tag == _CORE + "timestamp":
        # Dates such as AWSTemplateFormatVersion: 2010-09-09 stay strings, as CloudFormation reads them.
        return event.value
    if tag == _CORE + "int":
        number = _bounded_int(event.value)
        if number is not None:
            return number
    if tag in (_CORE + "int", _CORE + "float", _CORE + "bool", _CORE + "null"):
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        return loader.yaml_constructors[tag](loader, node)
    if tag == _CORE + "merge":
        return "<<"
    if tag == _CORE + "value":
        return event.value
    raise RefusedInput("unsupported YAML tag %s" % tag, line)


# Keys, and string values up to this length, are interned: a template repeats a few names
# (Type, Properties, AWS::S3::Bucket, Allow...) thousands of times, and each scalar was a string
# of its own, kept by the data, the line spans' paths and the evaluated resources. At 100,000
# resources that was 114,000 strings per 5,000 resources for 8,000 distinct texts.
_INTERN_MAX = 128
# Immutable scalar values _compose may share between the nodes of one text (never an Unknown:
# each too-long number is its own, with its own warning).
_CONSTANT = frozenset((int, float, bool, type(None), str))
_NOT_SEEN = object()


def _compose(loader: LineLoader, text: str, index: LineIndex) -> tuple[Decoded, list]:
    lines: dict = {}
    warnings: list = []
    multiline: list = []
    anchors: dict = {}  # name -> (value, node count)
    alias_nodes = 0
    root = None
    have_root = False
    documents = 0
    resolved: dict = {}  # text (or (text, implicit), see by_text) -> tag of a scalar with no tag
    constants: dict = {}  # the same key -> (value,) of a plain scalar that is no string
    plain: dict = {}  # text -> value of a plain scalar (by_text only; no Unknown: each warns)
    by_text = not loader.yaml_path_resolvers
    starts = index.starts
    get_event = loader.get_event
    resolve = loader.resolve
    max_depth = _limits.CURRENT.max_depth
    # The innermost open collection lives in these locals (once a _Frame object: its attributes
    # were read and written several times per event); the enclosing ones are saved on `stack` as
    # tuples of the same fields. depth 0: the document level, no collection open.
    #   is_map: a mapping; value: the dict or list being filled; path: path of its children;
    #   start: its first line; last_end: the last line of its children so far; key, key_line: the
    #   mapping key waiting for its value; fn: the intrinsic when it carried a `!Fn` tag; anchor;
    #   count: the nodes it holds (itself included; for aliases' expansion limit); merges: `<<`
    #   values to merge at its end.
    stack: list = []
    push = stack.append
    pop = stack.pop
    depth = 0
    is_map = False
    value_of = path = fn = anchor_of = merges = key = None
    start = last_end = key_line = count = 0

    while True:
        event = get_event()
        cls = event.__class__
        if cls is ScalarEvent:
            # The most frequent event, handled inline: a key, or a value attached to its parent.
            line = event.start_mark.line + 1
            tag = event.tag
            value = event.value
            fn_tag = None if tag is None else _check_tag(tag, line)
            is_key = is_map and key is None and depth
            if is_key:
                # Keys keep their text: `200:` and `yes:` are names here, not numbers or booleans.
                if fn_tag is not None:
                    raise TemplateError("a tagged mapping key is not supported", line)
                value = intern(value)  # (see _INTERN_MAX)
            elif fn_tag is None:
                if tag is None or tag == "!":
                    implicit = event.implicit
                    made = plain.get(value, _NOT_SEEN) if by_text and implicit[0] else _NOT_SEEN
                    if made is not _NOT_SEEN:
                        value = made  # a plain text seen before in this document: its value
                    else:
                        if not implicit[0] and by_text:
                            # Quoted (or "!"-tagged): a string, whatever its text (resolve's
                            # answer when no path resolver is set).
                            resolved_tag = _STR
                        else:
                            # The resolver depends on the text and the implicit flags only: asked
                            # once per distinct text of a document (with path resolvers set, per
                            # distinct pair), not once per scalar. A plain scalar's tag depends on
                            # its text alone when no path resolver is set.
                            memo = value if by_text else (value, implicit)
                            resolved_tag = resolved.get(memo)
                            if resolved_tag is None:
                                resolved_tag = resolved[memo] = resolve(ScalarNode, value, implicit)
                        text_of = value
                        if resolved_tag != _STR:
                            # ints, booleans, nulls: made once per distinct text of a document
                            made = constants.get(memo)
                            if made is None:
                                value = _scalar(loader, event, line)
                                if value.__class__ in _CONSTANT:
                                    constants[memo] = (value,)
                            else:
                                value = made[0]
                        elif len(value) <= _INTERN_MAX:
                            value = intern(value)
                        if by_text and implicit[0] and value.__class__ in _CONSTANT:
                            # The next plain scalar of this text is this value at once (a
                            # template repeats its plain texts: Allow, true, AWS::S3::Bucket...).
                            plain[text_of] = value
                else:
                    value = _scalar(loader, event, line, resolved)
                if value.__class__ is not str and isinstance(value, Unknown):
                    # A number too long to read: the file is still read.
                    warnings.append((line, value.reason + "; its value is unknown"))
            end_mark = event.end_mark
            end = end_mark.line + 1
            if end == line:
                # On one line (most scalars): both ways below give `line` then (no break ends it),
                # and `line` itself is kept (an int past 256 is an object of its own: spans that
                # keep it share the start line's, as they did before this shortcut).
                end = line
            elif (ei := end_mark.index) > 0 and text[ei - 1] not in _TRAILING:
                # The last character is no line break: it is on the end mark's line.
                if end > line:
                    multiline.append((line, end))
                else:
                    end = line
            else:
                end = _end_line(text, index, ei, line)
                if end > line:
                    multiline.append((line, end))
            anchor = event.anchor
            if is_key:
                if anchor is not None:
                    anchors[anchor] = (value, 1)
                count += 1
                if end > last_end:
                    last_end = end
                key = value
                key_line = line
                continue
            if fn_tag is None:
                if anchor is not None:
                    anchors[anchor] = (value, 1)
                if not depth:
                    root = value
                    have_root = True
                    continue
                count += 1
                if end > last_end:
                    last_end = end
                if is_map:
                    entry = path + (key,)
                    if key in value_of:
                        duplicate_key(lines, warnings, entry, key, key_line)
                    value_of[key] = value
                    lines[entry] = (key_line, end)
                    key = None
                else:
                    lines[path + (len(value_of),)] = (line, end)
                    value_of.append(value)
                continue
            if fn_tag == "Fn::GetAtt":
                value = value.split(".", 1)
            value = {fn_tag: value}
            if depth:
                if is_map:
                    lines[path + (key, fn_tag)] = (line, end)
                else:
                    lines[path + (len(value_of), fn_tag)] = (line, end)
            begin = line
            nodes = 1
            # (attached below)
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            line = event.start_mark.line + 1
            tag = event.tag
            fn_tag = None if tag is None else _check_tag(tag, line)
            if depth >= max_depth:
                raise RefusedInput("nesting deeper than %d levels" % max_depth, line)
            if depth:
                if is_map:
                    if key is None:
                        raise TemplateError("a mapping key must be a scalar", line)
                    outer = path + (key,)
                else:
                    outer = path + (len(value_of),)
            else:
                outer = ()
            push((is_map, value_of, path, start, last_end, key, key_line, fn, anchor_of, count, merges))
            depth += 1
            is_map = cls is MappingStartEvent
            value_of = {} if is_map else []
            path = outer + (fn_tag,) if fn_tag is not None else outer
            start = last_end = line
            key = None
            key_line = 0
            fn = fn_tag
            anchor_of = event.anchor
            count = 1
            merges = None
            continue
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            value = value_of
            ei = event.end_mark.index
            if event.start_mark.index != ei:
                # A flow collection ends at its bracket; a block one at its last child.
                end = bisect_right(starts, ei - 1)
                if end < last_end:
                    end = last_end
            else:
                end = last_end
            if merges:
                for merged, m_start, m_end in merges:
                    for source in (merged if isinstance(merged, list) else [merged]):
                        if not isinstance(source, dict):
                            raise TemplateError("a merge key needs a mapping", m_start)
                        for k, v in source.items():
                            if k not in value:
                                value[k] = v
                                lines[path + (k,)] = (m_start, m_end)
            if fn is not None:
                if fn == "Fn::GetAtt":
                    value = [v if isinstance(v, str) else str(v) for v in value] \
                        if isinstance(value, list) else value
                value = {fn: value}
                lines[path] = (start, end)
            begin, nodes, anchor = start, count, anchor_of
            is_map, value_of, path, start, last_end, key, key_line, fn, anchor_of, count, merges = pop()
            depth -= 1
            # (attached below)
        elif cls is AliasEvent:
            line = event.start_mark.line + 1
            if event.anchor not in anchors:
                raise TemplateError("unknown or recursive alias *%s" % event.anchor, line)
            value, nodes = anchors[event.anchor]
            alias_nodes += nodes
            if alias_nodes > _limits.CURRENT.max_yaml_nodes:
                raise RefusedInput("YAML aliases expand to more than %d nodes" % _limits.CURRENT.max_yaml_nodes, line)
            end = _end_line(text, index, event.end_mark.index, line)
            begin = line
            anchor = None
            # (attached below)
        elif cls is StreamStartEvent or cls is DocumentEndEvent:
            continue
        elif cls is DocumentStartEvent:
            documents += 1
            if documents > 1:
                # CloudFormation reads one document; the caller decides what a stream of them is.
                raise MultipleDocuments(Decoded(root, lines, warnings), event.start_mark.line + 1)
            continue
        elif cls is StreamEndEvent:
            break
        else:
            raise TemplateError("unexpected YAML event %s" % cls.__name__,  # pragma: no cover
                                event.start_mark.line + 1)
        # A tagged scalar, a collection or an alias is attached to the open collection:
        # `value`, from line `begin` to `end`, holding `nodes` nodes, with its `anchor`.
        if anchor is not None:
            anchors[anchor] = (value, nodes)
        if not depth:
            root = value
            have_root = True
            continue
        count += nodes
        if end > last_end:
            last_end = end
        if is_map:
            if key is None:
                if isinstance(value, (dict, list)):
                    raise TemplateError("a mapping key must be a scalar", begin)
                key = value
                key_line = begin
                continue
            if key == "<<" and isinstance(value, (dict, list)):
                if merges is None:
                    merges = []
                merges.append((value, key_line, end))
                key = None
                continue
            entry = path + (key,)
            if key in value_of:
                duplicate_key(lines, warnings, entry, key, key_line)
            value_of[key] = value
            lines[entry] = (key_line, end)
            key = None
        else:
            lines[path + (len(value_of),)] = (begin, end)
            value_of.append(value)
    return Decoded(root if have_root else None, lines, warnings), multiline
