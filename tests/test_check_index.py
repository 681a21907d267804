"""The check index (iacguard/catalogue.py): the built-in checks' metadata, where each check's code
is, and the resource types each can report on, kept in the package folder by the `iacguard`
executable so that a scan imports and runs only the checks its graph needs, with the report it
gives when every check runs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from iacguard import catalogue
from iacguard.catalogue import asked_types
from iacguard.check import Check
from iacguard.core.model import Finding
from iacguard.engine import build_graph
from iacguard.facts import Facts

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="module")
def registry():
    from iacguard.checks import REGISTRY

    return REGISTRY


@pytest.fixture(scope="module")
def types(registry):
    graphs: list = []
    return {c.id: asked_types(c, graphs) for c in registry}


def _folders() -> list:
    """Every check fixture folder, the IAM and relation fixtures and the sample trees."""
    out = sorted(p.parent for p in (FIXTURES / "checks").glob("*/*/expected.json"))
    for base in (FIXTURES / "iam", FIXTURES / "relations", ROOT / "sample_iac"):
        out += sorted({p.parent for p in base.rglob("*") if p.is_file() and p.suffix in (".tf", ".yaml", ".yml", ".json", ".template")})
    return out


def _skipped_that_yield(registry, types, graphs) -> list:
    bad = []
    for folder, graph in graphs:
        facts = Facts(graph)
        for check in registry:
            kinds = types[check.id]
            if kinds is not None and not graph.holds_type(kinds):
                got = list(check.evaluate(facts))
                if got:
                    bad.append((check.id, str(folder.relative_to(ROOT)), got[0]))
    return bad


@pytest.fixture(scope="module")
def fixture_graphs():
    return [(folder, build_graph([str(folder)]).graph) for folder in _folders()]


def test_every_check_the_index_would_skip_on_a_fixture_graph_yields_nothing_there(registry, types, fixture_graphs):
    assert len(fixture_graphs) > 340
    assert _skipped_that_yield(registry, types, fixture_graphs) == []
    # What the test measures: most checks are skipped on a fixture's graph, and the types are
    # what decides (checks told to ask for a type no graph holds would be skipped where they report).
    skipped = sum(1 for _, g in fixture_graphs for c in registry if types[c.id] is not None and not g.holds_type(types[c.id]))
    assert skipped > len(fixture_graphs) * len(registry) // 2
    assert _skipped_that_yield(registry, {c.id: ("NoSuch::Type",) for c in registry}, fixture_graphs[:40])


def test_the_types_are_both_languages_and_companions_of_what_a_check_reads(types):
    assert {"aws_s3_bucket", "AWS::S3::Bucket", "aws_s3_bucket_server_side_encryption_configuration"} <= set(types["AWS-S3-001"])
    assert {"aws_security_group", "aws_security_group_rule", "AWS::EC2::SecurityGroupIngress"} <= set(types["AWS-EC2-001"])
    # Project-level checks (per root) and the IAM engine (which reads every resource) always run.
    assert types["AWS-CT-100"] is None
    assert types["AWS-IAM-002"] is None


def _check(evaluate, kinds=("bucket",)) -> Check:
    return Check(id="AWS-TEST-001", title="t", severity="low", pillar="data", kinds=kinds, evaluate=evaluate, what="w", why="y",
                 fix_terraform="f", fix_cloudformation="f")


def test_what_a_check_asks_of_an_empty_graph_decides_its_types():
    def buckets(facts):
        for b in facts.of_kind("bucket"):
            yield Finding("AWS-TEST-001", b.resource, "m", b.resource.location)

    assert "aws_s3_bucket" in asked_types(_check(buckets))

    def in_root(facts):
        return facts.graph.of_type_in_root("r", "aws_sqs_queue")

    assert asked_types(_check(in_root)) == ("aws_sqs_queue",)


@pytest.mark.parametrize("evaluate", [
    lambda facts: [r for r in facts.graph.resources],  # reads every resource
    lambda facts: facts.graph.roots(),  # the roots
    lambda facts: facts.graph.of_type("aws_s3_bucket") + [facts.resource_count],  # a type, then something else
    lambda facts: ["a finding on nothing"],  # yields on an empty graph
    lambda facts: 1 / 0,  # raises
    lambda facts: [],  # asks nothing
    lambda facts: setattr(facts.graph, "_memo", 1) or facts.graph.of_type("aws_s3_bucket"),  # writes to the graph
])
def test_a_check_that_reads_anything_else_yields_raises_or_asks_nothing_always_runs(evaluate):
    assert asked_types(_check(evaluate)) is None


def test_a_memo_keyed_by_the_graph_cannot_answer_for_another_recording():
    memo: dict = {}

    def remembered(facts):
        key = id(facts.graph)
        if key not in memo:
            memo[key] = facts.graph.of_type("aws_sqs_queue")
        return memo[key]

    graphs: list = []
    first = asked_types(_check(remembered), graphs)
    assert first == ("aws_sqs_queue",)
    # Each recording's graph stays alive while the index is made: no later one takes its id.
    assert [asked_types(_check(remembered), graphs) for _ in range(20)] == [first] * 20


# -- the executable ---------------------------------------------------------------------------

RUNNER = """
import sys, json
from iacguard import _codecache, launch, scan_command
argv = sys.argv[1:]
index, out = argv.pop(0), argv.pop(0)
_codecache.CHECK_INDEX_PATH = index
real_exit = scan_command.exit_process
def record(code):
    open(out, "w").write(json.dumps(sorted(m for m in sys.modules if m.startswith("iacguard.checks."))))
    real_exit(code)  # (writes the index)
scan_command.exit_process = record
sys.argv = ["iacguard"] + argv
launch.run()
"""


@pytest.fixture
def cfn_tree(tmp_path):
    tree = tmp_path / "cfn"
    tree.mkdir()
    (tree / "template.yaml").write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Data:\n    Type: AWS::S3::Bucket\n'
                                        '    Properties:\n      BucketName: my-data\n  Queue:\n    Type: AWS::SQS::Queue\n'
                                        '    Properties:\n      SqsManagedSseEnabled: false\n')
    return tree


def _run(tmp_path, index: Path, *args) -> tuple:
    """(iacguard.checks modules imported, the report without its duration) of the executable
    with the check index at `index`."""
    modules = tmp_path / "modules.json"
    report = tmp_path / "report.out"
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(index), str(modules), "scan", *map(str, args), "-q", "--no-cache",
                           "--fail-on", "none", "-o", str(report)],
                          cwd=str(tmp_path), capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if not k.startswith("IACGUARD_")})
    assert proc.returncode == 0, proc.stderr
    text = "".join(line for line in report.read_text().splitlines(True) if '"duration' not in line and "Duration:" not in line)
    return set(json.loads(modules.read_text())), text


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_the_executable_writes_the_index_then_imports_only_the_checks_a_graph_needs(tmp_path, cfn_tree, fmt):
    index = tmp_path / "pycache" / "check-index.bin"
    first, want = _run(tmp_path, index, cfn_tree, "--format", fmt)
    assert index.is_file() and index.read_bytes().startswith(catalogue._index_header())
    second, got = _run(tmp_path, index, cfn_tree, "--format", fmt)
    assert got == want and "AWS-S3" in got and "AWS-SQS" in got
    assert '"AWS-EC2-001"' in got or fmt == "json"  # every rule is still in the SARIF run
    assert "iacguard.checks.data.s3_encryption" in second and "iacguard.checks.data.sqs_encryption" in second
    assert "iacguard.checks.infrastructure.security_group_admin_ports" in first
    assert "iacguard.checks.infrastructure.security_group_admin_ports" not in second
    assert len(second) < len(first) * 3 // 4


def test_a_check_asked_for_by_id_imports_that_check_only(tmp_path, cfn_tree):
    index = tmp_path / "check-index.bin"
    _, want = _run(tmp_path, index, cfn_tree, "--format", "json", "--check", "AWS-S3-001")
    modules, got = _run(tmp_path, index, cfn_tree, "--format", "json", "--check", "AWS-S3-001")
    assert got == want and "AWS-S3-001" in got
    assert [m for m in modules if m.count(".") == 3] == ["iacguard.checks.data.s3_encryption"]


def test_an_index_of_other_code_or_damaged_or_in_a_folder_not_writable_is_not_used(tmp_path, cfn_tree, monkeypatch):
    index = tmp_path / "check-index.bin"
    first, want = _run(tmp_path, index, cfn_tree, "--format", "json")
    good = index.read_bytes()
    # Another code's index (another fingerprint) is read as none, and written again.
    import marshal

    header = catalogue._index_header()
    fingerprint, rows, where, sources = marshal.loads(good[len(header):])
    index.write_bytes(header + marshal.dumps(("other", rows, where, {k: ("NoSuch::Type",) for k in sources})))
    modules, got = _run(tmp_path, index, cfn_tree, "--format", "json")
    assert got == want and modules == first and index.read_bytes() == good
    for damaged in (good[: len(good) // 2], b"not an index", header + marshal.dumps(("x",))):
        index.write_bytes(damaged)
        modules, got = _run(tmp_path, index, cfn_tree, "--format", "json")
        assert got == want and modules == first
    if os.geteuid() != 0:  # (root writes anywhere)
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        try:
            modules, got = _run(tmp_path, folder / "check-index.bin", cfn_tree, "--format", "json")
            assert got == want and not (folder / "check-index.bin").exists()
        finally:
            folder.chmod(0o700)


def test_an_index_naming_code_outside_the_checks_or_of_another_shape_is_not_read(tmp_path, monkeypatch, registry):
    import marshal

    from iacguard.cachebase import package_fingerprint

    header = catalogue._index_header()
    rows = catalogue.encode(registry)
    where = {c.id: ("iacguard.checks.data.s3_encryption", "CHECK", -1) for c in registry}
    sources = {c.id: None for c in registry}

    def read(w, s) -> object:
        path = tmp_path / "index.bin"
        path.write_bytes(header + marshal.dumps((package_fingerprint(), rows, w, s)))
        return catalogue._read_index(str(path))

    assert read(where, sources) is not None
    assert read(dict(where, **{"AWS-S3-001": ("os", "system", -1)}), sources) is None
    assert read(where, dict(sources, **{"AWS-S3-001": ("aws_s3_bucket", 3)})) is None
    assert read(where, dict(sources, **{"AWS-S3-001": ()})) is None
    assert read({}, sources) is None


def test_a_lazy_check_runs_its_own_code_or_else_the_catalogue_s(registry, monkeypatch):
    from iacguard.catalogue import _Lazy

    real = next(c for c in registry if c.id == "AWS-S3-001")
    lazy = _Lazy("AWS-S3-001", real.evaluate.__module__, None)
    lazy.where = ("iacguard.checks.data.s3_encryption", "CHECK", -1)
    assert lazy._real() is real
    lazy.where = ("iacguard.checks.data.s3_encryption", "CHECK", 3)  # not a tuple there: found by id instead
    assert lazy._real() is real
    lazy.where = ("iacguard.checks.data.s3_public_access_block", "CHECK", -1)  # another check there: found by id
    assert lazy._real() is real
    lazy.where = ("iacguard.checks.data.no_such_module", "CHECK", -1)  # a module gone: found by id
    assert lazy._real() is real
