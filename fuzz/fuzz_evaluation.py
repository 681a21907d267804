"""Coverage-guided fuzzing of evaluation with atheris: the input bytes choose a random Terraform
expression, a Terraform module tree or a CloudFormation tree (fuzz/evalgen.py), which is written
to a temporary folder and scanned through the engine, the cache off.

    pip install atheris
    python fuzz/fuzz_evaluation.py -max_total_time=600      # ten minutes
    python fuzz/fuzz_evaluation.py -runs=20000              # a fixed number of inputs

Without atheris, `TestOneInput` still works (fuzz/fdp.py stands in for FuzzedDataProvider):
tests/hostile/test_fuzz_targets.py runs it over seeded random inputs in the ordinary test run.

Properties (an AssertionError stops the fuzzer with the input saved as crash-*):
  * nothing raises and no notification says "internal error";
  * the same tree scanned twice gives the same findings, notifications and resource count;
  * an expression evaluates to the same value twice.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import atheris
except ImportError:  # the ordinary test run: no instrumentation, the stand-in provider
    atheris = None

import evalgen  # noqa: E402
from fdp import instrumented, provider  # noqa: E402

with instrumented(atheris):
    import iacguard.checks  # noqa: F401
    from iacguard.engine import scan
    from iacguard.core.model import ScanOptions
    from iacguard.terraform.expressions import Scope, evaluate
    from iacguard.terraform.parser import HclSyntaxError, parse_expression

from iacguard.core.unknown import Unknown  # noqa: E402

FuzzedDataProvider = provider(atheris)
ENV = ["var.a", "var.b", "local.l", "local.m", "count.index", "each.key", "path.module", "var.missing", "aws_s3_bucket.b"]
VARIABLES = {"var": {"a": 3, "b": ["x", "0.0.0.0/0"]}, "local": {"l": {"a": 1, "b": [True]}, "m": Unknown("no value")},
             "count": {"index": 0}, "each": {"key": "k"}, "path": {"module": "."}}


def _summary(result, root: str) -> tuple:
    def rel(p: str) -> str:
        return os.path.relpath(p, root) if p else ""

    return (
        [(f.check_id, f.resource.address, rel(f.location.path), f.location.start_line, f.message.replace(root, "<root>"))
         for f in result.findings],
        [(n.level, n.message.replace(root, "<root>"), rel(n.path), n.line) for n in result.notifications],
        result.resources,
    )


def _scan_files(files: dict) -> None:
    root = os.path.realpath(tempfile.mkdtemp(prefix="iacguard-fuzz-eval-"))
    try:
        evalgen.write_tree(root, files)
        first = scan([root], ScanOptions(), cwd=root)
        internal = [n for n in first.notifications if "internal error" in n.message]
        assert not internal, (internal, files)
        again = scan([root], ScanOptions(), cwd=root)
        assert _summary(first, root) == _summary(again, root), ("two scans differ", files)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _expression(c) -> None:
    text = evalgen.tf_expression(c, 4, ENV)
    try:
        expr = parse_expression(text)
    except HclSyntaxError:
        return
    values = [repr(evaluate(expr, Scope({k: dict(v) for k, v in VARIABLES.items()}, base_dir=ROOT, root_dir=ROOT))) for _ in range(2)]
    assert values[0] == values[1] or "nan" in values[0], (text, values)


ROOT = os.path.realpath(tempfile.mkdtemp(prefix="iacguard-fuzz-files-"))
evalgen.write_tree(ROOT, {"main.tf": "# x\n", "a.txt": "hello ${v0}", "sub/x": "{\"a\": 1}"})


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris's name
    c = evalgen.FdpChooser(FuzzedDataProvider(data))
    what = c.int(0, 2)
    if what == 0:
        _expression(c)
    elif what == 1:
        _scan_files(evalgen.tf_tree(c)[0])
    else:
        _scan_files(evalgen.cfn_tree(c))


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
