"""`Notification`, in a module of its own: discovery (and so the replay memo, which discovers
the tree again) reports skipped files with it without importing the whole model
(iacguard/core/model.py, which re-exports it)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Notification:
    """Something the user should know that is not a finding: a parse error, a skipped file."""

    level: str  # "error" | "warning" | "note"
    message: str
    path: str = ""  # absolute path of the file concerned, "" when none
    line: int = 0

    def __reduce__(self):
        return (Notification, (self.level, self.message, self.path, self.line))
