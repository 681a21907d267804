"""A stand-in for atheris.FuzzedDataProvider, so the fuzz targets also run without atheris
(tests/hostile/test_fuzz_targets.py feeds them seeded random bytes in the ordinary test run).

Only the methods the targets use. Integers are taken from the front of the data, like atheris
does for ranges; once the data runs out every choice is the lowest value, so generation ends.
"""
from __future__ import annotations


class FuzzedDataProvider:
    def __init__(self, data: bytes) -> None:
        self._data = bytes(data)
        self._pos = 0

    def remaining_bytes(self) -> int:
        return len(self._data) - self._pos

    def ConsumeIntInRange(self, lo: int, hi: int) -> int:  # noqa: N802 - atheris's names
        span = hi - lo
        if span <= 0:
            return lo
        nbytes = (span.bit_length() + 7) // 8
        chunk = self._data[self._pos : self._pos + nbytes]
        self._pos += len(chunk)
        return lo + int.from_bytes(chunk, "little") % (span + 1) if chunk else lo

    def ConsumeBool(self) -> bool:  # noqa: N802
        return self.ConsumeIntInRange(0, 1) == 1

    def ConsumeBytes(self, count: int) -> bytes:  # noqa: N802
        chunk = self._data[self._pos : self._pos + max(count, 0)]
        self._pos += len(chunk)
        return chunk


def provider(atheris_module):
    """atheris's FuzzedDataProvider when atheris is there, else this stand-in."""
    return atheris_module.FuzzedDataProvider if atheris_module is not None else FuzzedDataProvider


def instrumented(atheris):
    """`with instrumented(atheris): import ...`: atheris's import instrumentation when it is
    installed, nothing otherwise (the ordinary test run)."""
    import contextlib

    return atheris.instrument_imports() if atheris is not None else contextlib.nullcontext()
