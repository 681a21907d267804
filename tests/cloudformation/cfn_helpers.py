"""Helpers for the CloudFormation front-end tests: parse fixture folders and evaluate them.

A plain module, not a conftest: other test folders have their own conftest.py, and importing
"conftest" by name would be ambiguous.
"""
from __future__ import annotations

import os
from pathlib import Path

from iacguard.cloudformation import evaluate_templates, parse_template
from iacguard.core.model import ScanOptions

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load(path: Path):
    return parse_template(str(path), path.read_text(encoding="utf-8"))


def scan_folder(folder: Path, name: str | None = None, **options):
    """Parse every template under `folder` (optionally only the files called `name`); evaluate them."""
    templates = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".yaml", ".yml", ".json") and (name is None or path.name == name):
            template = load(path)
            if template is not None:
                templates[os.path.realpath(path)] = template
    return evaluate_templates(templates, str(folder), ScanOptions(**options))


def by_address(result) -> dict:
    """address -> the single Resource (fails if an address has variants)."""
    out = {}
    for resource in result.resources:
        assert resource.address not in out, "variants of %s" % resource.address
        out[resource.address] = resource
    return out
