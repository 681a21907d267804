"""Hand-made mutants: proof that the check fixtures catch a flipped condition.

Each mutant rewrites one spot of the checks or facts (a comparison turned round, a provider default
flipped, a port bound made strict), by editing the syntax tree of one function and compiling it
again, puts it in place for the duration of one test, runs the fixtures of the checks that
depend on that spot in-process, and asserts that at least one fixture expectation FAILS. A mutant
that survives means the fixtures would not notice that bug: add a fixture case that kills it.

A mutant whose target cannot be found (the function was renamed or rewritten) fails too, saying
so: move the mutant to where the logic now lives rather than deleting it.

For a broader, slower hunt locally: `pip install mutmut` and run it on checks/ and
iacguard/facts/ with `pytest -x -q tests/test_check_fixtures.py` as the test command (see the
README, Development). It is not run in CI.
"""
from __future__ import annotations

import __future__
import ast
import dataclasses
import importlib
import inspect
import json
import textwrap
from dataclasses import dataclass
from typing import Callable

import pytest
from check_fixture_runner import CASES, fixture_problems

import iacguard.checks
import iacguard.facts
from iacguard.checks import REGISTRY

pytestmark = pytest.mark.catalogue("all")  # the catalogue's own tests run every check


# -- the mutation operators ----------------------------------------------------------------------

def in_source_order(tree: ast.AST) -> list:
    """The nodes of `tree` in the order they appear in the source (ast.walk goes breadth first)."""
    return sorted((n for n in ast.walk(tree) if hasattr(n, "lineno")), key=lambda n: (n.lineno, n.col_offset))


_FLIP = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.LtE: ast.Lt, ast.Lt: ast.LtE, ast.GtE: ast.Gt, ast.Gt: ast.GtE}


def flip_compare(match: Callable[[str], bool], op_index: int = 0):
    """Turn round operator `op_index` of the first comparison (in source order) whose source text satisfies `match`
    (== / !=, is / is not, in / not in, <= / <, >= / >)."""

    def transform(tree: ast.AST, source: str) -> bool:
        for node in in_source_order(tree):
            if isinstance(node, ast.Compare) and match(ast.get_source_segment(source, node) or ""):
                node.ops[op_index] = _FLIP[type(node.ops[op_index])]()
                return True
        return False

    return transform


def flip_default(setting: str, reader: str = "flag"):
    """In the first call (in source order) `flag(resource, (..., setting), default)` (or `value(...)`, with
    reader="value") whose default is a bool, replace the default by its negation: the provider
    default of that setting, turned round."""

    def transform(tree: ast.AST, source: str) -> bool:
        for node in in_source_order(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == reader
                and len(node.args) == 3
                and isinstance(node.args[1], ast.Tuple)
                and any(isinstance(e, ast.Constant) and e.value == setting for e in node.args[1].elts)
                and isinstance(node.args[2], ast.Constant)
                and isinstance(node.args[2].value, bool)
            ):
                node.args[2] = ast.copy_location(ast.Constant(not node.args[2].value), node.args[2])
                return True
        return False

    return transform


# -- applying a mutant -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    name: str
    module: str  # where the function is defined
    qualname: str  # "function" or "Class.method"
    transform: Callable  # (tree, source) -> True when it changed something
    checks: tuple  # the checks whose fixtures must notice


MUTANTS = [
    Mutant("Attr.is_false: `is False` -> `is not False`", "iacguard.facts.common", "Attr.is_false", flip_compare(lambda s: "is False" in s), ("AWS-S3-001", "AWS-CT-001", "AWS-EBS-001")),
    Mutant("EC2-001: `direction != 'ingress'` -> `==`", "iacguard.checks.infrastructure.security_group_admin_ports", "evaluate", flip_compare(lambda s: "direction" in s), ("AWS-EC2-001",)),
    Mutant("EC2-001: internet is prefix length `== 0` -> `!= 0`", "iacguard.facts.network", "Source.is_world", flip_compare(lambda s: "prefixlen" in s), ("AWS-EC2-001",)),
    Mutant("port range: `lo <= port` -> `lo < port`", "iacguard.facts.network", "SecurityGroupRule.covers_port", flip_compare(lambda s: s.startswith("lo <= port")), ("AWS-EC2-001",)),
    Mutant("port range: CloudFormation `-1` (every port) no longer read", "iacguard.facts.network", "_ports", flip_compare(lambda s: s == "lo == -1"), ("AWS-EC2-001",)),
    Mutant("IAM-001: `r == '*'` -> `r != '*'`", "iacguard.checks.identity.iam_admin_policy", "evaluate", flip_compare(lambda s: s == 'r == "*"'), ("AWS-IAM-001",)),
    Mutant("RDS default: storage_encrypted defaults to true", "iacguard.facts.storage", "databases", flip_default("storage_encrypted"), ("AWS-RDS-001",)),
    Mutant("RDS default: publicly_accessible defaults to true", "iacguard.facts.storage", "databases", flip_default("publicly_accessible"), ("AWS-RDS-002",)),
    Mutant("ALB default: internal defaults to true", "iacguard.facts.network", "load_balancers", flip_default("internal", reader="value"), ("AWS-ELB-001",)),
    Mutant("ALB: `Scheme == 'internet-facing'` -> `!=`", "iacguard.facts.network", "load_balancers", flip_compare(lambda s: "internet-facing" in s), ("AWS-ELB-001",)),
    Mutant("IAM-002: a method needs every action allowed, `d == ALLOWED` -> `!=`", "iacguard.checks.identity.iam_escalation", "_methods", flip_compare(lambda s: s == "d == ALLOWED"), ("AWS-IAM-002",)),
    Mutant("IAM-003: `\"iam\" in full` -> `not in`", "iacguard.checks.identity.iam_wide_access", "_admin", flip_compare(lambda s: s == '"iam" in full'), ("AWS-IAM-003",)),
]


def compile_mutant(mutant: Mutant, identity: bool = False):
    """(owner, attribute name, original function, mutated function)."""
    module = importlib.import_module(mutant.module)
    *owner_path, name = mutant.qualname.split(".")
    owner = module
    for part in owner_path:
        owner = getattr(owner, part)
    original = inspect.unwrap(getattr(owner, name))
    source = textwrap.dedent(inspect.getsource(original))
    tree = ast.parse(source)
    if not identity:
        assert mutant.transform(tree, source), "mutant %r: nothing to mutate in %s.%s any more; move the mutant to where this logic lives now" % (mutant.name, mutant.module, mutant.qualname)
    ast.fix_missing_locations(tree)
    namespace = dict(vars(module))
    if owner is not module:
        namespace[owner.__name__] = owner
    code = compile(tree, "<mutant %s>" % mutant.name, "exec", flags=__future__.annotations.compiler_flag, dont_inherit=True)
    exec(code, namespace)  # noqa: S102 - our own source, one node changed
    mutated = namespace[name]
    # Defaults and closures as in the original (none of today's targets has a closure).
    mutated.__defaults__, mutated.__kwdefaults__ = original.__defaults__, original.__kwdefaults__
    return owner, name, original, mutated


def install(mutant: Mutant, monkeypatch, identity: bool = False) -> dict:
    """Put the mutant in place everywhere the original is held; the checks to run, by id."""
    owner, name, original, mutated = compile_mutant(mutant, identity)
    monkeypatch.setattr(owner, name, mutated)
    for kind, builder in list(iacguard.facts.KINDS.items()):
        if builder is original:
            monkeypatch.setitem(iacguard.facts.KINDS, kind, mutated)
    # A check holds its evaluate function itself: run a copy holding the mutant.
    return {c.id: (dataclasses.replace(c, evaluate=mutated) if c.evaluate is original else c) for c in REGISTRY}


def fixtures_of(check_id: str) -> list:
    return [f for f in CASES if f.parent.name == check_id]


def first_failure(checks: dict, check_ids: tuple):
    """(folder, problems) of the first fixture of `check_ids` that fails, else None."""
    for check_id in check_ids:
        for folder in fixtures_of(check_id):
            problems = fixture_problems(folder, checks[check_id], json.loads((folder / "expected.json").read_text()))
            if problems:
                return folder, problems
    return None


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_fixtures_kill_the_mutant(mutant, monkeypatch):
    checks = install(mutant, monkeypatch)
    killed = first_failure(checks, mutant.checks)
    assert killed is not None, "mutant survived: %s; no fixture of %s notices it" % (mutant.name, ", ".join(mutant.checks))


@pytest.mark.parametrize("mutant", MUTANTS[:1] + MUTANTS[1:2] + MUTANTS[3:4] + MUTANTS[6:7], ids=lambda m: m.name)
def test_the_harness_alone_changes_nothing(mutant, monkeypatch):
    """Compiled again without a change, each kind of target (method, check function, fact
    method, fact builder) still passes its fixtures: failures above come from the mutation."""
    checks = install(mutant, monkeypatch, identity=True)
    assert first_failure(checks, mutant.checks[:1]) is None


def test_a_vanished_target_is_reported():
    gone = Mutant("gone", "iacguard.facts.common", "Attr.is_false", flip_compare(lambda s: "no such text" in s), ())
    with pytest.raises(AssertionError, match="nothing to mutate"):
        compile_mutant(gone)


# -- table rows: a provider default is data, so its mutant is a changed row ---------------------

ROW_MUTANTS = [
    ("CloudTrail default: is_multi_region_trail defaults to true", "trail", "multi_region", ("AWS-CT-002",)),
    ("CloudTrail default: log file validation defaults to true", "trail", "log_file_validation", ("AWS-CT-001",)),
    ("SQS default: SSE-SQS defaults to off", "queue", "sse_sqs", ("AWS-SQS-001",)),
]


@pytest.mark.parametrize("name, kind, setting, check_ids", ROW_MUTANTS, ids=[m[0] for m in ROW_MUTANTS])
def test_fixtures_kill_the_row_mutant(name, kind, setting, check_ids, monkeypatch):
    """The row's default for `setting` turned round: some fixture of the check must notice."""
    from iacguard.facts import settings

    row = settings.TABLE[kind]
    assert any(s.name == setting for s in row.settings), "row mutant %r: no setting %r in %r any more" % (name, setting, kind)
    flipped = tuple(dataclasses.replace(s, default=not s.default) if s.name == setting else s for s in row.settings)
    mutated = dataclasses.replace(row, settings=flipped)
    monkeypatch.setitem(settings.TABLE, kind, mutated)
    monkeypatch.setitem(iacguard.facts.KINDS, kind, mutated)
    checks = {c.id: c for c in REGISTRY}
    assert first_failure(checks, check_ids) is not None, "mutant survived: %s" % name


def test_a_row_put_back_unchanged_changes_nothing(monkeypatch):
    """The control for the row mutants: the same row, rebuilt, passes its fixtures."""
    from iacguard.facts import settings

    for kind, check_ids in (("trail", ("AWS-CT-001", "AWS-CT-002")), ("queue", ("AWS-SQS-001",))):
        same = dataclasses.replace(settings.TABLE[kind], settings=tuple(settings.TABLE[kind].settings))
        monkeypatch.setitem(settings.TABLE, kind, same)
        monkeypatch.setitem(iacguard.facts.KINDS, kind, same)
        assert first_failure({c.id: c for c in REGISTRY}, check_ids) is None
