"""Integer literals of any length, read in bounded time.

Terraform numbers are arbitrary precision, and YAML and JSON put no bound on a number's length,
so a valid file may hold a 5000-digit literal. Python refuses `int(text)` beyond 4300 digits
(`sys.get_int_max_str_digits()`, a guard against quadratic conversion), and used to drop the
whole file with an "internal error". Lifting that guard is no answer: both directions are
quadratic (measured on CPython 3.11: int() of 50k digits 0.01 s, 500k 1 s, 8M - the file size
limit - 350 s; str() of 500k digits 3 s), and every message, template and report that prints the
number would pay again.

So an integer literal of at most MAX_DIGITS digits is read exactly (0.1 ms), and str() of the
result is always allowed, whatever reaches a report. A longer one - no cloud setting takes a
number of 4000 digits - is read in linear time as an `Unknown` whose reason names its length: the
rest of the file is parsed and checked, and a check never decides on a value it could not read.
Readers that can attach a note to a line (the CloudFormation readers) add one.

Fractions and exponents are read by float(), which is linear at any length (8M digits: 0.03 s).
"""
from __future__ import annotations

from .unknown import Unknown

MAX_DIGITS = 4000  # below Python's default int <-> str limit (4300), so str() always works


def too_long(digits: int) -> str:
    return "number of %d digits is too long to read exactly (more than %d)" % (digits, MAX_DIGITS)


def digit_count(text: str) -> int:
    return len(text) - (1 if text[:1] in ("+", "-") else 0)


def integer(text: str):
    """A decimal integer literal (optional sign): an exact int up to MAX_DIGITS digits, else an
    Unknown saying why. Never raises for a string of digits."""
    digits = digit_count(text)
    if digits <= MAX_DIGITS:
        try:
            return int(text)
        except ValueError:  # a lower limit set through PYTHONINTMAXSTRDIGITS
            pass
    return Unknown(too_long(digits))
