"""A nested setting read as left out may only be left out because a block around it is not known
before deploy (the table reads an Unknown block as absent): then its default does not apply."""
from __future__ import annotations


def unknown_parent(attr, *parents):
    """The first of `parents` (block settings around `attr`) that is not known, when `attr`
    itself is left to its default; else None."""
    if attr.explicit:
        return None
    return next((p for p in parents if not p.known), None)
