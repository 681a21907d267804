"""Counting the children iacguard.core.forked makes, for the tests of work shared with forked
processes (a plain module: tests/ is on the path)."""
from __future__ import annotations

from iacguard.core import forked


def count_children(monkeypatch) -> list:
    """Make every forked.Child record its pid in the list returned."""
    made: list = []
    real = forked.Child

    class Counted(real):
        def __init__(self, fn):
            super().__init__(fn)
            made.append(self.pid)

    monkeypatch.setattr(forked, "Child", Counted)
    return made
