"""Counting the children iacguard.core.forked makes, for the tests of work shared with forked
processes (a plain module: tests/ is on the path)."""
from __future__ import annotations

from iacguard.core import forked


def alone(monkeypatch) -> None:
    """Let the tests fork although the test session may run other threads (the browser tests'
    Chromium reader lives for the whole session): the children run only iacguard's code."""
    monkeypatch.setattr(forked, "_one_thread", lambda: True)


def count_children(monkeypatch) -> list:
    """Make every forked.Child record its pid in the list returned (and let the tests fork)."""
    alone(monkeypatch)
    made: list = []
    real = forked.Child

    class Counted(real):
        def __init__(self, fn):
            super().__init__(fn)
            made.append(self.pid)

    monkeypatch.setattr(forked, "Child", Counted)
    return made
