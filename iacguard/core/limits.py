"""Bounds on what one file may cost, in one place.

`apply()` makes them the scan's bounds and `current()` gives them: the parsers read nesting depth
and YAML alias expansion from `current()` when a parse starts (this module imports no parser);
the parse stage calls `apply()` in the scanning process and in every worker process.

Each bound is configurable on the command line and documented in the README ("Bounds"):
  max_file_bytes   larger files are skipped with a note                    (--max-file-size)
  max_depth        deeper nesting is a parse error, in every syntax        (--max-depth)
  max_yaml_nodes   YAML aliases expanding to more nodes are refused        (--max-yaml-nodes)
  time_per_file    parsing a file longer than this is stopped with a note  (--time-per-file)
                   and so is evaluating one root (below)
  max_instances    instances one root may create                            (--max-instances)
  max_value_size   size of the values one root may build                    (--max-value-size)

Evaluation budget. Each bound of the evaluators holds per level (1,000 instances per resource,
module depth 32, 1 s per regex match...), but small files multiply them: a module calling
itself twice, `count = 1000` three modules deep, nested `for` over `range(1000)`, locals each
doubling a string. So evaluating one root -- a Terraform root module with its module instances,
a CloudFormation top-level template with its nested stacks -- runs under one `Budget`:

- instances: resources, module instances and nested stacks created, in total;
- value size: what expressions build, counted as it is produced (one unit per list element, map
  entry, for-expression iteration or string, plus one per 16 characters of a built string);
- time: `time_per_file` seconds of wall clock, enforced by a SIGALRM timer when the evaluation
  runs in the main thread (and checked along the way in any case); matches under a timer
  (`run_timed`: `regex()`, glob patterns) share one tenth of it, so a backtracking pattern under
  `count = 1000` costs seconds in total, not 1 s per call.

Past any of them `BudgetExceeded` (a BaseException, so that no evaluator's `except Exception`
turns it into an Unknown and carries on) unwinds to the root, which stops. So does a MemoryError
or RecursionError. The root is then left unevaluated (Unknown): none of what it produced is
reported -- an arbitrary part of it, and checking 100,000 instances of a bomb would cost more
than building them -- and one error note, starting with `CUT_SHORT`, names the root and the
budget. The other roots are evaluated as usual; `--fail-on-error` makes the scan fail.
"""
from __future__ import annotations

import gc
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any, Callable


@dataclass(frozen=True)
class Limits:
    """The bounds of a scan: file size, nesting depth, YAML nodes, time per file, instances and
    value size."""

    max_file_bytes: int = 8 * 1024 * 1024
    # 128: deep enough for any real configuration, and shallow enough that parsed trees still
    # pickle (for the parse cache and worker processes) under Python's default recursion limit.
    max_depth: int = 128
    max_yaml_nodes: int = 100_000
    time_per_file: int = 60
    # 100,000 instances: over 100 times the whole terraform-aws-modules/eks tree (872 instances
    # in 11 roots, 209 in the largest), as many as the synthetic benchmark's 100,000-resource
    # tree would have in one root, yet a bomb stops within seconds.
    max_instances: int = 100_000
    # 4,000,000 units: the largest eks root builds 35,000, the benchmark ~16 per instance (a
    # 100,000-resource root ~2,000,000); a billion-iteration for-expression stops in seconds.
    max_value_size: int = 4_000_000


CURRENT = Limits()


def apply(limits: Limits) -> None:
    """Make `limits` the bounds of what follows in this process (parsers and budgets read them)."""
    global CURRENT
    CURRENT = limits


def current() -> Limits:
    """The bounds in force (the defaults until `apply()`)."""
    return CURRENT


# -- evaluation budget ---------------------------------------------------------------------------

CUT_SHORT = "evaluation cut short: "  # every note of a root stopped by its budget starts so
_TIME_CHECK_EVERY = 4096  # value-size charges between two looks at the clock
_TIMED_SHARE = 0.1  # of the root's time, for matches under `run_timed` in total


class BudgetExceeded(BaseException):
    """An evaluation budget ran out; `what` says which ("200000 instances (--max-instances)")."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class TimedOut(Exception):
    """A match under `run_timed` took longer than its own limit (the root goes on)."""


class Budget:
    """What evaluating one root may still cost. `instance()` and `grow()` are called as things
    are built and raise `BudgetExceeded` past a bound; they are cheap (two additions and a
    comparison; the clock is read every few thousand calls)."""

    __slots__ = ("max_instances", "max_size", "seconds", "instances", "size", "deadline", "timed_left", "_ticks", "_armed", "_in_timed", "exceeded")

    def __init__(self, max_instances: int = 0, max_size: int = 0, seconds: float = 0) -> None:
        self.max_instances = max_instances if max_instances > 0 else math.inf
        self.max_size = max_size if max_size > 0 else math.inf
        self.seconds = seconds if seconds > 0 else 0
        self.instances = 0
        self.size = 0
        self.deadline = time.monotonic() + seconds if seconds > 0 else math.inf
        self.timed_left = seconds * _TIMED_SHARE if seconds > 0 else math.inf
        self._ticks = _TIME_CHECK_EVERY
        self._armed = False
        self._in_timed = False
        self.exceeded = ""

    @classmethod
    def of(cls, limits: Limits | None = None) -> "Budget":
        limits = limits or CURRENT
        return cls(limits.max_instances, limits.max_value_size, limits.time_per_file)

    def instance(self, n: int = 1) -> None:
        self.instances += n
        if self.instances > self.max_instances:
            self.fail("%d instances (--max-instances)" % self.max_instances)
        self.grow(n)

    def grow(self, n: int) -> None:
        self.size += n
        if self.size > self.max_size:
            self.fail("%d units of values built (--max-value-size)" % self.max_size)
        self._ticks -= 1
        if self._ticks <= 0:
            self._ticks = _TIME_CHECK_EVERY
            if time.monotonic() > self.deadline:
                self.fail_time()

    def grow_str(self, n_chars: int) -> None:
        self.grow(1 + (n_chars >> 4))

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            self.fail_time()

    def fail_time(self) -> None:
        self.fail("%g s of evaluation (--time-per-file)" % self.seconds)

    def fail(self, what: str) -> None:
        self.exceeded = self.exceeded or what
        raise BudgetExceeded(self.exceeded)

    # -- the timer -------------------------------------------------------------------------------
    def _arm(self) -> None:
        if self.seconds and _timer_free():
            import signal

            signal.signal(signal.SIGALRM, _on_alarm)
            self._armed = True
            signal.setitimer(signal.ITIMER_REAL, max(self.deadline - time.monotonic(), 0.001))

    def _disarm(self) -> None:
        if self._armed:
            import signal

            self._armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)


UNLIMITED = Budget()
ACTIVE = UNLIMITED  # the budget of the root being evaluated; evaluators charge it


@contextmanager
def evaluation_budget(budget: Budget):
    """Make `budget` the one charged while the block runs (and arm its timer if it can).

    The cyclic garbage collector is off meanwhile, as while parsing (terraform.fastparse): an
    evaluation keeps nearly all it builds until the root is done, and the collector would only
    walk it again and again (it took 40-65% of evaluating a 100,000-instance root). What a
    root may build is bounded by the budget."""
    global ACTIVE
    previous = ACTIVE
    ACTIVE = budget
    gc_was_enabled = gc.isenabled()
    if previous is UNLIMITED:
        budget._arm()
        gc.disable()
    try:
        yield budget
    finally:
        budget._disarm()
        ACTIVE = previous
        if gc_was_enabled:
            gc.enable()


def _timer_free() -> bool:
    """A SIGALRM timer is ours to use: main thread, no timer armed, no handler installed."""
    import signal  # (here and below, not at the top: a scan the cache answers times nothing)
    import threading

    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    try:
        return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
    except (ValueError, OSError):
        return False


def _on_alarm(_signum: int, _frame: Any) -> None:
    budget = ACTIVE
    if budget._in_timed:
        raise TimedOut()
    if budget is not UNLIMITED:
        budget.exceeded = budget.exceeded or "%g s of evaluation (--time-per-file)" % budget.seconds
        raise BudgetExceeded(budget.exceeded)


def timer_usable() -> bool:
    """Whether `run_timed` can stop a match (else callers must bound its input themselves)."""
    return ACTIVE._armed or _timer_free()


def run_timed(action: Callable[[], Any], seconds: float) -> Any:
    """`action()`, stopped after `seconds` with `TimedOut` (check `timer_usable()` first).

    For a pattern match that may backtrack (`regex()`, glob patterns): C code that checks for
    signals. Under a root's budget the limit is also what is left of the root's time and of its
    share for such matches: when either runs out, the root is cut short (`BudgetExceeded`)."""
    import signal

    budget = ACTIVE
    if budget._armed:
        limit = min(seconds, budget.deadline - time.monotonic(), budget.timed_left)
        if limit <= 0:
            _timed_over(budget)
        started = time.monotonic()
        budget._in_timed = True
        try:
            signal.setitimer(signal.ITIMER_REAL, limit)
            return action()
        finally:
            budget._in_timed = False
            spent = time.monotonic() - started
            budget.timed_left -= spent
            left = budget.deadline - time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
            if spent >= limit and limit < seconds:
                _timed_over(budget)  # the root's time ran out, not the match's own limit
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    budget._in_timed = True
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return action()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        budget._in_timed = False
        signal.signal(signal.SIGALRM, previous)


def _timed_over(budget: Budget) -> None:
    if time.monotonic() > budget.deadline:
        budget.fail_time()
    budget.fail("%g s of pattern matching (a tenth of --time-per-file)" % (budget.seconds * _TIMED_SHARE))


def cut_short_message(root: str, exc: BaseException) -> str:
    """The note of a root whose evaluation stopped: `root` names it ("root module live/app",
    "template stacks/main.yaml"), `exc` says why (BudgetExceeded, MemoryError, RecursionError)."""
    if isinstance(exc, BudgetExceeded):
        why = "exceeded " + exc.what
    elif isinstance(exc, MemoryError):
        why = "ran out of memory"
    else:
        why = "nested values deeper than Python's recursion limit"
    return CUT_SHORT + "%s %s; it is left unevaluated (Unknown) and none of its resources are checked" % (root, why)
