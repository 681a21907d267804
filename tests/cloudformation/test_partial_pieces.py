"""intrinsics._partial (the pieces of a Fn::Sub / Fn::Join with an unknown part) gives what it
gave before its text parts skipped the partial_text lookup: the long way is kept here."""
from __future__ import annotations

import random

from iacguard.cloudformation.intrinsics import _partial
from iacguard.core import limits as _limits
from iacguard.core.unknown import AttributeUnknown, PartialUnknown, Unknown


def _partial_long_way(unknown, parts):
    pieces = []
    for p in parts:
        inner = getattr(p, "partial_text", None)
        for q in (inner if inner is not None else (p,)):
            if isinstance(q, str):
                if not q:
                    continue
                if pieces and isinstance(pieces[-1], str):
                    q = pieces.pop() + q
            elif type(q) is PartialUnknown:
                q = Unknown(q.reason)
            pieces.append(q)
    return PartialUnknown(unknown.reason, partial_text=tuple(pieces))


class _Text(str):
    """A str subclass: takes the general path."""


def _shape(value):
    return (value.reason, tuple((type(p).__name__, p if isinstance(p, str) else getattr(p, "reason", repr(p)))
                                for p in value.partial_text))


def test_pieces_as_the_long_way():
    rng = random.Random(20)
    nested = PartialUnknown("inner", partial_text=("a", AttributeUnknown("x", "n", "Arn"), "", "b"))
    shaped = PartialUnknown("shape", partial_value={"k": Unknown("v")})
    deep = PartialUnknown("deep", partial_text=(PartialUnknown("d2", partial_text=("q",)), "r"))
    choices = ["", "arn:", "/", "x", _Text("t"), _Text(""), Unknown("u"), AttributeUnknown("a", "node", "Arn"),
               nested, shaped, deep, ["list"], 7]
    for _ in range(3000):
        parts = [rng.choice(choices) for _ in range(rng.randrange(0, 8))]
        budget = _limits.Budget.of()
        with _limits.evaluation_budget(budget):
            got = _partial(Unknown("why"), list(parts))
        want = _partial_long_way(Unknown("why"), list(parts))
        assert type(got) is PartialUnknown and _shape(got) == _shape(want), parts
        # Pieces that are not text are the parts' own objects (or a plain Unknown for a shaped one).
        for a, b in zip(got.partial_text, want.partial_text):
            if not isinstance(b, str) and type(b) is not Unknown:
                assert a is b
