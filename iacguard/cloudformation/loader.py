"""Parsing one CloudFormation template (YAML or JSON) into a `Template`.

Owns: choosing the syntax, recognising CloudFormation by content, and the `Template` record
(plain data + line spans + warnings + comments). `parse_template` is pure and its result pickles
cheaply, so it can be cached and run in worker processes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import accumulate

from iacguard.core import limits as _limits
from iacguard.core.model import line_end_columns
from . import json_reader
from .json_reader import read_json
from .source_lines import YAML_BREAKS, RefusedInput, TemplateError
from .yaml_reader import MultipleDocuments, read_yaml

__all__ = ["Template", "TemplateError", "parse_template", "looks_like_cloudformation", "is_cloudformation"]


@dataclass(slots=True)
class Template:
    """A CloudFormation template as read: its data, a line span per node path, warnings, comments,
    syntax and line ends."""

    path: str
    data: dict
    # Path from the document root (keys and list indexes) -> (start_line, end_line), 1-based.
    # A mapping entry starts at its key's line.
    lines: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)  # [(line, message)], e.g. duplicate keys
    comments: list = field(default_factory=list)  # [(line, text after '#', stripped)], YAML only
    syntax: str = "yaml"  # "yaml" | "json"
    # End column of every line, split on "\n" only (iacguard.core.model.line_end_columns): Locations
    # end at the end of their last line without anyone re-reading the file.
    line_ends: list = field(default_factory=list, compare=False)

    def line_span(self, *path) -> tuple[int, int] | None:
        return self.lines.get(tuple(path))

    def nearest_line(self, path: tuple) -> int:
        """The line of the deepest known prefix of `path`; 0 when none is known."""
        p = tuple(path)
        while p:
            span = self.lines.get(p)
            if span is not None:
                return span[0]
            p = p[:-1]
        return 0


# Resource types are namespaced "Org::Service::Type" (AWS::, Alexa::, registry types) or
# "Custom::Name"; other YAML files with a `Resources` key (Serverless Framework, k8s) do not match.
_TYPE = re.compile(r"^[A-Za-z0-9]+::[A-Za-z0-9_.@-]+")
_RESOURCES_KEY = re.compile(r"""Resources["']?\s*:""")
_RESOURCES_JSON_KEY = re.compile(r'"Resources"\s*:')
_TEXT_HINT = re.compile(r"""AWSTemplateFormatVersion|Type["']?\s*:\s*["']?[A-Za-z0-9]+::""")


def is_cloudformation(data: object) -> bool:
    """Whether decoded data is a CloudFormation (or SAM) template."""
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data:
        return True
    resources = data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return False
    for body in resources.values():
        if isinstance(body, dict) and isinstance(body.get("Type"), str) and _TYPE.match(body["Type"]):
            return True
    return False


def looks_like_cloudformation(text: str) -> bool:
    """A cheap pre-filter on raw text: never false for a text `parse_template` accepts."""
    return "Resources" in text and _TEXT_HINT.search(text) is not None or "AWSTemplateFormatVersion" in text


def parse_template(path: str, text: str) -> Template | None:
    """Parse a template; None when the document is valid YAML/JSON but not CloudFormation.

    Raises `TemplateError` for malformed or refused input.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    head = text.lstrip()
    if not head:
        return None
    if head[0] in "{[" and _plain_json_not_template(text):
        # Nothing in it to refuse or to scan: skip the parse with lines (vendored SDK models
        # and package locks are megabytes of JSON).
        return None
    try:
        return _parse(path, text, head)
    except RefusedInput:
        raise
    except TemplateError:
        # A broken file that shows no sign of CloudFormation (a tsconfig.json with comments, a
        # .sln.template, notes with a JSON sample) is some other file, not a broken template.
        if not _may_be_template(text):
            return None
        raise


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _may_be_template(text: str) -> bool:
    """Whether text, even broken, shows a sign of being meant as a template."""
    return "AWSTemplateFormatVersion" in text or _RESOURCES_KEY.search(text) is not None


def _plain_json_not_template(text: str) -> bool:
    """Whether text that starts like JSON shows no sign of a template (no AWSTemplateFormatVersion,
    no `"Resources":` key, no \\u escape that could spell either, no unquoted `Resources:` of
    flow-style YAML), nests no deeper than the limit and, outside its strings, holds nothing YAML
    could read as a tag or alias: then parsing it could neither find a template nor refuse anything."""
    if "AWSTemplateFormatVersion" in text or _RESOURCES_JSON_KEY.search(text) or "\\u" in text:
        return False  # (a key can be spelled with \u escapes: "\u0052esources" is Resources)
    outside = _JSON_STRING.sub("", text)
    if "!" in outside or "&" in outside or "*" in outside or _RESOURCES_KEY.search(outside):
        return False
    brackets = _NOT_BRACKET.sub("", outside)
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0) <= _limits.CURRENT.max_depth


def _parse(path: str, text: str, head: str) -> Template | None:
    multiline: list = []
    syntax = "yaml"
    if head[0] in "{[":
        try:
            decoded = read_json(text)
            syntax = "json"
        except TemplateError as json_error:
            # A flow-style YAML document (comments, unquoted keys) also starts with a brace.
            try:
                decoded, multiline = read_yaml(text)
            except RefusedInput:
                raise
            except TemplateError:
                raise json_error from None
    else:
        try:
            decoded, multiline = read_yaml(text)
        except MultipleDocuments as exc:
            # A Kubernetes manifest is not CloudFormation; a template followed by more is broken.
            if is_cloudformation(exc.first.data):
                raise TemplateError(exc.message, exc.line) from None
            return None
    if not is_cloudformation(decoded.data):
        return None
    comments = _comments(text, multiline) if syntax == "yaml" else []
    return Template(path, decoded.data, decoded.lines, decoded.warnings, comments, syntax, line_end_columns(text))


def _comments(text: str, multiline: list) -> list:
    """`#` comments by line. Lines inside multi-line scalars (scripts in UserData) are skipped."""
    if "#" not in text:
        return []  # (most generated templates): no line to split out
    inside = set()
    for start, end in multiline:
        inside.update(range(start + 1, end + 1))
    found = []
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        lines = YAML_BREAKS.split(text)
    else:
        lines = text.split("\n")  # the same lines when "\n" is the only break (several times faster)
    for number, line in enumerate(lines, start=1):
        if "#" not in line or number in inside:
            continue
        quote = None
        prev = " "
        for i, ch in enumerate(line):
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "'\"" and prev in " \t:[{,-":
                quote = ch
            elif ch == "#" and prev in " \t":
                found.append((number, line[i + 1:].strip()))
                break
            prev = ch
    return found
