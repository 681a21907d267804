"""One template read from standard input (`iacguard scan -`).

The pipeline reads files by path, so the bytes go to a private temporary folder (mode 0700, the
file 0600, named by what the content looks like: `template.json`, `template.yaml`, `main.tf`,
`main.tf.json` or `plan.json`), are scanned there, and the folder is deleted when the scan is
done (`with StdinTemplate.read(...) as t:`). Nothing else is written. Reports name the file
"<stdin>" (`rename`). The input is refused, never truncated, above the size limit.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile

STDIN_NAME = "<stdin>"

# A Terraform block at the start of a line: `resource "aws_s3_bucket" "b" {`, `locals {`, ...
_HCL_BLOCK = re.compile(
    r'^[ \t]*(?:resource|data|module|variable|output|provider|terraform|locals|check|import|moved|removed)'
    r'(?:[ \t]+(?:"[^"\n]*"|[A-Za-z_][\w-]*))*[ \t]*\{',
    re.MULTILINE,
)
_TF_JSON_KEYS = {"resource", "data", "module", "variable", "output", "provider", "terraform", "locals"}


class StdinError(Exception):
    """Standard input cannot be scanned (empty, too large, a terminal, unreadable)."""


def file_name(data: bytes) -> str:
    """The name the content is scanned under, chosen from the content alone."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            return "template.json"  # reported as a parse error by the pipeline
        if isinstance(doc, dict):
            if "planned_values" in doc and "format_version" in doc:
                return "plan.json"
            if "Resources" not in doc and "AWSTemplateFormatVersion" not in doc and _TF_JSON_KEYS & set(doc):
                return "main.tf.json"
        return "template.json"
    if _HCL_BLOCK.search(text) and not re.search(r"^(?:Resources|AWSTemplateFormatVersion)[ \t]*:", text, re.MULTILINE):
        return "main.tf"
    return "template.yaml"


class StdinTemplate:
    """The temporary copy of standard input; a context manager that deletes it."""

    def __init__(self, data: bytes):
        self.folder = tempfile.mkdtemp(prefix="iacguard-stdin-")  # mode 0700
        self.path = os.path.join(self.folder, file_name(data))
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except BaseException:
            self.close()
            raise

    @classmethod
    def read(cls, stream, max_bytes: int) -> "StdinTemplate":
        """Read `stream` (binary) whole, refusing more than `max_bytes` and empty input."""
        try:
            if stream.isatty():
                raise StdinError("- reads a template from standard input, which is a terminal: pipe one in (cat template.yaml | iacguard scan -)")
        except (AttributeError, ValueError, OSError):
            pass
        try:
            data = stream.read(max_bytes + 1)
        except OSError as exc:
            raise StdinError("cannot read standard input: %s" % (exc.strerror or exc)) from None
        if data is None:
            data = b""
        if isinstance(data, str):
            data = data.encode("utf-8")
        if len(data) > max_bytes:
            raise StdinError("standard input is larger than the file size limit (%d bytes, --max-file-size)" % max_bytes)
        if not data.strip():
            raise StdinError("standard input is empty: nothing to scan")
        return cls(data)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "StdinTemplate":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def rename(self, result) -> None:
        """Name the temporary file "<stdin>" everywhere in `result` (paths and messages)."""
        _Renamer({self.path: STDIN_NAME, self.folder: STDIN_NAME}).fix(result, skip=("checks",))


class _Renamer:
    def __init__(self, mapping: dict):
        # Longest first: the file's path holds the folder's.
        self.pairs = sorted(mapping.items(), key=lambda kv: -len(kv[0]))
        self.seen = {}

    def text(self, s: str) -> str:
        for old, new in self.pairs:
            if old in s:
                s = s.replace(old, new)
        return s

    def fix(self, obj, skip=()):
        if isinstance(obj, str):
            return self.text(obj)
        if obj is None or isinstance(obj, (int, float, bool, bytes)):
            return obj
        key = id(obj)
        if key in self.seen:
            return self.seen[key]
        if isinstance(obj, list):
            self.seen[key] = obj
            obj[:] = [self.fix(v) for v in obj]
            return obj
        if isinstance(obj, dict):
            self.seen[key] = obj
            items = [(self.fix(k), self.fix(v)) for k, v in obj.items()]
            obj.clear()
            obj.update(items)
            return obj
        if isinstance(obj, (tuple, set, frozenset)):
            values = [self.fix(v) for v in obj]
            if isinstance(obj, tuple) and hasattr(obj, "_fields"):
                new = type(obj)(*values)
            else:
                new = type(obj)(values)
            self.seen[key] = new
            return new
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            self.seen[key] = obj
            for f in dataclasses.fields(obj):
                if f.name in skip:
                    continue
                old = getattr(obj, f.name, None)
                new = self.fix(old)
                if new is not old:
                    object.__setattr__(obj, f.name, new)
            return obj
        return obj
