"""Pausing Python's cyclic garbage collector over phases that allocate much and free little.

Building the graph, running the checks, merging their findings and writing a report allocate
millions of objects that live until the phase ends, and make no reference cycle (measured: a
collection after them finds nothing of theirs to free). Each full collection the allocator
triggers in the meantime walks every live object (the whole graph) and frees nothing: on the
100,000-resource benchmark they cost a quarter of the scan. Reference counting still frees
everything else at once; the collector runs again when the phase ends.
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
            gc.enable()
