"""Property-based tests: mutated real templates never make a parser or evaluator raise, and
never produce an internal error; each mutated file is either scanned or named with a reason."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iacguard.engine import scan
from iacguard.core.model import ScanOptions

SAMPLES = sorted(p for p in (Path(__file__).resolve().parents[2] / "sample_iac").rglob("*") if p.suffix in (".tf", ".yaml", ".json", ".tfvars"))
SEEDS = [(p.name, p.read_bytes()) for p in SAMPLES]

TOKENS = [b"{", b"}", b"[", b"]", b"(", b")", b'"', b"${", b"%{", b"<<EOF\n", b"!Ref ", b"!If [", b"&a ", b"*a", b":", b"\n", b"\t", b"#", b"\\", b"\x00", b"\xff", b"=", b"count = ", b"for_each = ", b"Fn::Sub: ", b"module \"x\" {\n source = \"../..\"\n}\n"]


@st.composite
def mutated(draw):
    name, data = draw(st.sampled_from(SEEDS))
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(("insert", "delete", "flip", "truncate")))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "insert":
            data[pos:pos] = draw(st.sampled_from(TOKENS))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 40))]
        elif op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[pos:]
    return name, bytes(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_templates_never_crash(case):
    name, data = case
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data)
        result = scan([d], ScanOptions(), cwd=d)
        internal = [n for n in result.notifications if "internal error" in n.message]
        assert not internal, internal
