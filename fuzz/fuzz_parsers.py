"""Coverage-guided fuzzing of every parser and evaluator with atheris.

    pip install atheris
    mkdir -p /tmp/iacguard-corpus && cp sample_iac/*/* /tmp/iacguard-corpus/   # seeds
    python fuzz/fuzz_parsers.py -max_total_time=600 /tmp/iacguard-corpus      # ten minutes
    python fuzz/fuzz_parsers.py -runs=100000                                  # a fixed number of inputs

(The corpus folder is written to by the fuzzer, so keep it outside the repository.)

Without atheris, `TestOneInput` still works (fuzz/fdp.py stands in for FuzzedDataProvider):
tests/hostile/test_fuzz_targets.py runs it over seeded inputs in the ordinary test run.

Each input is fed, as text, to the HCL parser (native and JSON syntax), the CloudFormation loader
and the Terraform/CloudFormation evaluators through the engine's per-file entry point. Any
exception that escapes `parse_source` (which must turn every failure into a notification) is a
bug and stops the fuzzer with the input saved as crash-*.
"""
from __future__ import annotations

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import atheris
except ImportError:  # the ordinary test run: no instrumentation, the stand-in provider
    atheris = None

from fdp import instrumented, provider  # noqa: E402

with instrumented(atheris):
    from iacguard.discover import SourceFile
    from iacguard.engine import parse_source
    from iacguard.core.model import LanguageResult, ScanOptions

FuzzedDataProvider = provider(atheris)

ROOT = tempfile.mkdtemp(prefix="iacguard-fuzz-")
NAMES = ("main.tf", "main.tf.json", "template.yaml", "template.json", "vars.tfvars")


def one_input(data: bytes) -> None:
    fdp = FuzzedDataProvider(data)
    name = NAMES[fdp.ConsumeIntInRange(0, len(NAMES) - 1)]
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    path = os.path.join(ROOT, name)
    with open(path, "wb") as fh:
        fh.write(body)
    kind = "terraform" if ".tf" in name else "data"
    result = None
    parsed = parse_source(SourceFile(path, ROOT, kind))
    if parsed.kind == "terraform":
        from iacguard.terraform.evaluate import evaluate_configuration

        result = evaluate_configuration({path: parsed.data}, ROOT, ScanOptions())
        assert isinstance(result, LanguageResult)
    elif parsed.kind == "cloudformation":
        from iacguard.cloudformation import evaluate_templates

        result = evaluate_templates({path: parsed.data}, ROOT, ScanOptions())
        assert isinstance(result, LanguageResult)
    internal = [n for n in parsed.notifications + list(getattr(result, "notifications", [])) if "internal error" in n.message]
    assert not internal, internal


TestOneInput = one_input  # atheris's name, the same in both targets


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
