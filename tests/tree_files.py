"""Writing a tree of source files for a test (tests/ is on the import path)."""
from __future__ import annotations

from pathlib import Path
from textwrap import dedent


def write(root: Path, files: dict) -> Path:
    """Write `files` (relative path -> text, dedented, leading blank lines dropped) under `root`."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text).lstrip("\n"))
    return root
