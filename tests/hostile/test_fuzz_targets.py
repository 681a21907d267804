"""The atheris fuzz targets, run without atheris over a few hundred seeded inputs, so that CI
runs them with a small budget (fuzz/fdp.py stands in for atheris's FuzzedDataProvider).

A failing input is printed (its seed and bytes); to keep it, write the bytes to a file and run
`python fuzz/<target>.py that-file` with atheris installed.
"""
from __future__ import annotations

import importlib.util
import random
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FUZZ = REPO / "fuzz"
SAMPLES = sorted(p for p in (REPO / "sample_iac").rglob("*") if p.suffix in (".tf", ".yaml", ".json", ".tfvars"))
TOKENS = [b"${", b"%{", b"}", b"[", b"]", b"(", b")", b'"', b"\n", b"!Ref ", b"Fn::Sub: ", b"count = 3\n", b"for_each = ", b"*", b"\x00"]


def _load(name: str):
    spec = importlib.util.spec_from_file_location("iacguard_fuzz_%s" % name, FUZZ / ("%s.py" % name))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def target(request):
    mod = _load(request.param)
    yield mod
    shutil.rmtree(mod.ROOT, ignore_errors=True)


def _run(mod, inputs) -> None:
    for seed, data in inputs:
        try:
            mod.TestOneInput(data)
        except BaseException as exc:  # noqa: BLE001 - name the input, then fail
            raise AssertionError("input %d (%r) failed: %s: %s" % (seed, data, type(exc).__name__, exc)) from exc


def _mutated(rng: random.Random) -> bytes:
    data = bytearray(rng.choice(SAMPLES).read_bytes())
    for _ in range(rng.randint(0, 4)):
        pos = rng.randint(0, max(len(data) - 1, 0))
        op = rng.randint(0, 3)
        if op == 0:
            data[pos:pos] = rng.choice(TOKENS)
        elif op == 1:
            del data[pos : pos + rng.randint(1, 30)]
        elif op == 2 and data:
            data[pos] = rng.randint(0, 255)
        else:
            del data[pos:]
    return bytes(data)


@pytest.mark.parametrize("target", ["fuzz_parsers"], indirect=True)
def test_parser_target_over_seeded_inputs(target):
    inputs = []
    for seed in range(300):
        rng = random.Random(seed)
        body = _mutated(rng) if seed % 4 else rng.randbytes(rng.randint(0, 300))
        inputs.append((seed, bytes([rng.randint(0, 255)]) + body))
    _run(target, inputs)


@pytest.mark.parametrize("target", ["fuzz_evaluation"], indirect=True)
def test_evaluation_target_over_seeded_inputs(target):
    inputs = []
    for seed in range(200):
        rng = random.Random(seed)
        inputs.append((seed, rng.randbytes(rng.randint(0, 400))))
    _run(target, inputs)


def test_targets_need_no_atheris():
    """Both targets expose TestOneInput and import without atheris (when it is not installed)."""
    for name in ("fuzz_parsers", "fuzz_evaluation"):
        mod = _load(name)
        try:
            assert callable(mod.TestOneInput)
        finally:
            shutil.rmtree(mod.ROOT, ignore_errors=True)
