"""catalogue.closest_match (the "did you mean" search, bounded by quick_ratio) answers as
difflib.get_close_matches(word, possibilities, n=1, cutoff) does, which it replaces."""
from __future__ import annotations

import difflib
import random

from iacguard.iam.catalogue import CATALOGUE, closest_match


def _difflib(word, possibilities, cutoff):
    hits = difflib.get_close_matches(word, possibilities, n=1, cutoff=cutoff)
    return hits[0] if hits else None


def _typos(rng, word):
    out = {word, word.upper(), word[:-1], word + "s", word[1:], "", "x", word * 2}
    for _ in range(6):
        chars = list(word)
        if chars:
            i = rng.randrange(len(chars))
            op = rng.randrange(3)
            if op == 0:
                chars[i] = rng.choice("abcdeiostxz")
            elif op == 1:
                del chars[i]
            else:
                chars.insert(i, rng.choice("aeiou"))
        out.add("".join(chars))
    return sorted(out)


def test_answers_as_difflib_on_catalogue_actions_and_services():
    rng = random.Random(20)
    services = list(CATALOGUE.services())
    asked = 0
    for prefix in ("s3", "ec2", "iam", "kms", "lambda", "sts", "dynamodb", "logs"):
        svc = CATALOGUE.service(prefix)
        actions = list(svc.actions)
        for name in rng.sample(actions, 6):
            for word in _typos(rng, name.lower()):
                for cutoff in (0.6, 0.8, 0.0):
                    assert closest_match(word, actions, cutoff) == _difflib(word, actions, cutoff), (word, cutoff)
                    asked += 1
        for word in _typos(rng, prefix):
            assert closest_match(word, services, 0.6) == _difflib(word, services, 0.6), word
    assert asked > 300


def test_ties_and_duplicates_answer_as_difflib():
    rng = random.Random(7)
    alphabet = "abc"
    for _ in range(500):
        possibilities = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 6))) for _ in range(rng.randrange(0, 12))]
        word = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 6)))
        for cutoff in (0.0, 0.3, 0.6, 1.0):
            assert closest_match(word, possibilities, cutoff) == _difflib(word, possibilities, cutoff), (word, possibilities, cutoff)
