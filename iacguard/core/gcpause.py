"""Pausing Python's cyclic garbage collector over a whole scan.

A scan allocates millions of objects that live until it ends (parse trees, evaluated values,
the graph, facts, findings, reports) and no stage leaves cyclic garbage in proportion to its
input: the parser breaks its closures' cycles (terraform.fastparse `dispose`) and the evaluator
its module trees' (terraform.evaluate `_release`); tests/test_gc_garbage.py holds them to it.
Each full collection the allocator would trigger meanwhile walks every live object and frees
nothing: on the 100,000-resource benchmark collections took a sixth to a quarter of the scan.
Reference counting still frees everything else at once; the collector runs again when the scan
ends (a library caller gets it back as it was).

What the scan made is moved into the oldest generation as the collector comes back (`gc.freeze`
then `gc.unfreeze`: two list splices). Left in the youngest, where the pause had left it, the
first allocation after the scan walked all of it: 1.5 s after a scan of 100,000 resources.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """Run the block with the cyclic collector off, then restore it as it was."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if gc.get_freeze_count() == 0:  # (never unfreeze what the caller froze)
                gc.freeze()
                gc.unfreeze()
            gc.enable()
