"""Golden files: today's output, byte for byte, compared with what is committed under tests/golden/.

`assert_golden(path, text, update)` fails with a unified diff when `text` differs from the file;
with `update` (pytest --update-golden, or IACGUARD_UPDATE_GOLDEN=1) it rewrites the file instead.
A changed golden file is a changed output: review its diff like code.
"""
from __future__ import annotations

import difflib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
HOW_TO_UPDATE = "if the change is intended: pytest --update-golden (or IACGUARD_UPDATE_GOLDEN=1 pytest), then review git diff tests/golden"


def assert_golden(path: Path, text: str, update: bool, max_diff_lines: int = 80) -> None:
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            path.write_bytes(text.encode("utf-8"))
        return
    name = path.relative_to(REPO).as_posix()
    assert path.is_file(), "%s is missing; %s" % (name, HOW_TO_UPDATE)
    want = path.read_bytes().decode("utf-8")
    if want == text:
        return
    diff = list(difflib.unified_diff(want.splitlines(keepends=True), text.splitlines(keepends=True), name + " (golden)", name + " (today)"))
    shown = "".join(diff[:max_diff_lines]) + ("... %d more diff lines\n" % (len(diff) - max_diff_lines) if len(diff) > max_diff_lines else "")
    if not diff:  # same lines, different line ends or a missing final newline
        shown = "(the difference is in line endings or the final newline)\n"
    raise AssertionError("output differs from %s; %s\n%s" % (name, HOW_TO_UPDATE, shown))
