"""Progress of a long scan, on one terminal line of stderr.

Shown only when stderr is a terminal (never in CI logs or when piped), rewritten in place at most
ten times a second, and cleared before the report is printed.
"""
from __future__ import annotations

import time


class TerminalProgress:
    """A `progress(stage, done, total)` callback for `iacguard.engine.scan`."""

    INTERVAL = 0.1

    def __init__(self, stream) -> None:
        self.stream = stream
        self._last = 0.0
        self._shown = False

    @staticmethod
    def enabled(stream) -> bool:
        isatty = getattr(stream, "isatty", None)
        try:
            return bool(isatty and isatty())
        except (OSError, ValueError):
            return False

    def _text(self, stage: str, done: int, total: int) -> str:
        if stage == "parse":
            return "iacguard: parsing %d file%s" % (total, "" if total == 1 else "s") if done < total else "iacguard: parsed %d file%s" % (total, "" if total == 1 else "s")
        if stage == "evaluate":
            return "iacguard: evaluating values and building the resource graph"
        if stage == "check":
            return "iacguard: running checks %d/%d" % (done, total)
        return "iacguard: %s %d/%d" % (stage, done, total)

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        # Always show the start and end of a stage; throttle the steps between.
        if 0 < done < total and now - self._last < self.INTERVAL:
            return
        self._last = now
        self.stream.write("\r\033[K" + self._text(stage, done, total))
        self.stream.flush()
        self._shown = True

    def finish(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
