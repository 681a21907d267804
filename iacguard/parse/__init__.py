"""The parse stage: one file's bytes -> a parse tree (or a note saying why not), never raising.

`parse_source` parses one discovered file in isolation; its result (`ParsedSource`) is picklable,
so the parse cache and the worker pool (iacguard.cache) can keep it and move it between
processes. `parse_one` does the same within a time limit, and `parse_folder` parses the
Terraform files of a folder discovery did not list (`.terraform/modules`, a plan's configuration)
through it, so every file iacguard reads is read by `discovery.read_text` (size bound, encoding,
refusals) and parsed under the same bounds.

This stage sits below evaluation: the Terraform evaluator (`Evaluation.load_module_dir`) and the
plan evaluator (`plan._SourceIndex`) ask `parse_folder` for files, and nothing here imports them
(a plan is read by `terraform.plan_parse`, the parse half of plan JSON).

Bounds: nesting depth and YAML alias expansion are read by the parsers from `iacguard.core.limits`
(`limits.current()`), which the caller sets for the scan (and for each worker process).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from iacguard.core import limits as _limits
from iacguard.discover import DEFAULT_MAX_FILE_BYTES, SourceFile, read_text
from iacguard.core.model import Notification


@dataclass(slots=True)
class ParsedSource:
    """The result of parsing one file: its data, notifications and content digest."""

    path: str
    root: str
    kind: str  # "terraform" | "cloudformation" | "plan" | "other" | "failed"
    data: object = None
    notifications: list = field(default_factory=list)
    digest: str = ""  # the parse cache key (content, path, versions), when the cache is on
    unread: bool = False  # the file could not be read (too large, not text, gone)


def parse_source(source: SourceFile, max_bytes: int = DEFAULT_MAX_FILE_BYTES, data: bytes | None = None) -> ParsedSource:
    """Read (unless its bytes are given) and parse one file. Never raises."""
    read = read_text(source.path, max_bytes, data)
    notes = list(read.notifications)
    if read.text is None:
        return ParsedSource(source.path, source.root, "failed", None, notes, unread=True)
    try:
        kind, data, more = _parse_text(source, read.text)
    except RecursionError:
        return ParsedSource(source.path, source.root, "failed", None, notes + [Notification("error", "parse error: nesting too deep", source.path)])
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the scan
        return ParsedSource(source.path, source.root, "failed", None, notes + [Notification("error", "internal error while parsing: %s: %s" % (type(exc).__name__, exc), source.path)])
    return ParsedSource(source.path, source.root, kind, data, notes + more)


def _parse_text(source: SourceFile, text: str):
    path = source.path
    if source.kind == "terraform":
        from iacguard.terraform import parse_file
        from iacguard.terraform.parser import HclSyntaxError

        try:
            return "terraform", parse_file(text, path), []
        except HclSyntaxError as exc:
            line = getattr(exc, "line", 0) or 0
            return "failed", None, [Notification("error", "parse error: %s" % _reason(exc), path, line)]
    # Data files: a Terraform plan, a CloudFormation template, or neither.
    stripped = text.lstrip()
    if path.lower().endswith(".json") and stripped.startswith("{") and '"planned_values"' in text and '"format_version"' in text[:4096]:
        from iacguard.terraform import plan_parse

        try:
            return "plan", plan_parse.parse_plan(text, path), []
        except plan_parse.PlanError as exc:
            return "failed", None, [Notification("error", "plan error: %s" % exc, path)]
    if "Resources" not in text and "AWSTemplateFormatVersion" not in text and not _LETTER_ESCAPE.search(text):
        # A template has one key or the other, and YAML or JSON can spell a key without its
        # letters only with an escape (\u, \U, \x, or a line break escaped inside a
        # double-quoted YAML string): this file is not one, so PyYAML and the template reader
        # are not even loaded for it (a Terraform repository's workflows and configuration).
        return "other", None, []
    from iacguard.cloudformation import TemplateError, looks_like_cloudformation, parse_template

    try:
        template = parse_template(path, text)
    except TemplateError as exc:
        line = getattr(exc, "line", 0) or 0
        return "failed", None, [Notification("error", "CloudFormation template error: %s" % _reason(exc), path, line)]
    if template is None:
        if looks_like_cloudformation(text):
            if _serverless_framework(path, text):
                return "other", None, [Notification("note", "not scanned: a Serverless Framework file; iacguard does not expand Serverless Framework configuration (its `resources:` section included)", path)]
            # Named, so a template that is wrongly shaped is not silently passed over.
            return "other", None, [Notification("note", "not scanned: looks like CloudFormation, but has no Resources mapping whose entries have an AWS:: Type", path)]
        return "other", None, []
    return "cloudformation", template, []


# The escapes that can stand for a letter in a YAML or JSON string.
_LETTER_ESCAPE = re.compile(r"\\[uUx\r\n]")

_SERVERLESS_NAMES = ("serverless.yml", "serverless.yaml", "serverless.json")
_SERVERLESS_KEYS = re.compile(r"^(?:service|provider|functions|plugins|frameworkVersion)\s*:", re.MULTILINE)


def _serverless_framework(path: str, text: str) -> bool:
    """A Serverless Framework file: named serverless.yml (or .yaml/.json), or holding its
    top-level `service:` and `provider:` keys (CloudFormation has neither)."""
    if os.path.basename(path).lower() in _SERVERLESS_NAMES:
        return True
    keys = {m.group(0).split(":")[0].strip() for m in _SERVERLESS_KEYS.finditer(text)}
    return {"service", "provider"} <= keys


def _reason(exc: Exception) -> str:
    return getattr(exc, "message", None) or (exc.args[0] if exc.args else str(exc))


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _timer_free() -> bool:
    """Whether no timer is pending: under an evaluation budget's timer (a folder parsed while a
    root is evaluated) the file is parsed under the root's time limit instead of one of its own."""
    import signal

    if not hasattr(signal, "getitimer"):
        return True
    return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def parse_one(source: SourceFile, max_bytes: int, time_limit: int, data: bytes | None = None) -> ParsedSource:
    """Parse one file (from `data` when its bytes were already read) within a time limit
    (enforced with SIGALRM where available, unless a timer of the caller already runs)."""
    import signal  # (here, not at the top: a scan the cache answers parses nothing)

    use_alarm = time_limit > 0 and hasattr(signal, "SIGALRM") and _timer_free()
    if use_alarm:
        try:
            old = signal.signal(signal.SIGALRM, _alarm)
        except ValueError:  # not the main thread
            use_alarm = False
    if use_alarm:
        signal.alarm(time_limit)
    try:
        return parse_source(source, max_bytes, data)
    except _Timeout:
        return ParsedSource(source.path, source.root, "failed", None, [Notification("error", "skipped: parsing took longer than %d s (--time-per-file)" % time_limit, source.path)])
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)


def parse_folder(folder: str, root: str, max_bytes: int | None = None, time_limit: int | None = None) -> list:
    """The `.tf` and `.tf.json` files of a folder that discovery did not list, parsed, in name
    order: one ParsedSource each (kind "terraform", or "failed" with its notes). Files whose real
    path leaves `root`, and anything not a regular file, are skipped; an unreadable folder gives
    nothing. Bounds default to the scan's (iacguard.core.limits)."""
    current = _limits.current()
    max_bytes = current.max_file_bytes if max_bytes is None else max_bytes
    time_limit = current.time_per_file if time_limit is None else time_limit
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    out = []
    for name in names:
        path = os.path.realpath(os.path.join(folder, name))
        if not name.endswith((".tf", ".tf.json")) or not _inside(path, root) or not os.path.isfile(path):
            continue
        out.append(parse_one(SourceFile(path, root, "terraform"), max_bytes, time_limit))
    return out


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
