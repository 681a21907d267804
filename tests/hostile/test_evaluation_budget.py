"""One evaluation budget per Terraform root module and per CloudFormation top-level stack (issue 9,
point 5). Each bomb of benchmarks/hostile.py is built in tmp_path, in one root, beside an open S3
bucket in another root; the CLI runs in a subprocess under a 2.5 GiB address-space cap with a
hang guard. The scan must finish without a traceback, name the bomb root in one "evaluation cut
short" error, and still report the other root's bucket (AWS-S3-002).

Most cases run with small budgets (the options) to stay fast; d and g run with the defaults.
benchmarks/hostile.py runs every case with the defaults and prints time and memory.
"""
from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys

import pytest

from iacguard.core import limits
from iacguard.core.model import ScanOptions
from iacguard.terraform import parse_file
from iacguard.terraform import functions as F
from iacguard.terraform.evaluate import evaluate_configuration

_HERE = os.path.dirname(os.path.abspath(__file__))
_REPO = os.path.dirname(os.path.dirname(_HERE))
_spec = importlib.util.spec_from_file_location("hostile_cases", os.path.join(_REPO, "benchmarks", "hostile.py"))
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)

MEMORY_CAP = int(2.5 * 1024 ** 3)
HANG_GUARD = 90  # seconds; every case ends in a few


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def scan(folder, *options, cache=None):
    cmd = [sys.executable, "-m", "iacguard.cli", "scan", str(folder), "--format", "json", "--fail-on", "none", "--quiet"]
    cmd += ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    proc = subprocess.run(cmd + list(options), capture_output=True, text=True, timeout=HANG_GUARD, preexec_fn=_cap_memory, cwd=str(folder))
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def cut_short(report) -> list:
    return [n for n in report["notifications"] if n["message"].startswith("evaluation cut short: ")]


def open_bucket_reported(report, address) -> bool:
    return any(f["check_id"] == "AWS-S3-002" and f["resource"]["address"] == address for f in report["findings"])


CASES = [
    # case, options (small budgets keep the test fast; None: the defaults), budget named
    ("a", ["--max-instances", "2000"], "2000 instances (--max-instances)"),
    ("b", ["--max-instances", "2000"], "2000 instances (--max-instances)"),
    ("c", ["--max-value-size", "200000"], "200000 units of values built (--max-value-size)"),
    ("d", [], "4000000 units of values built (--max-value-size)"),
    ("e", ["--max-value-size", "200000"], "200000 units of values built (--max-value-size)"),
    ("f", ["--time-per-file", "5"], "0.5 s of pattern matching (a tenth of --time-per-file)"),
    ("g", [], "4000000 units of values built (--max-value-size)"),
    ("h", ["--max-instances", "2000"], "2000 instances (--max-instances)"),
    ("i", ["--max-value-size", "200000"], "200000 units of values built (--max-value-size)"),
]


@pytest.mark.parametrize("case,options,budget", CASES, ids=[c[0] for c in CASES])
def test_bomb_is_cut_short_and_the_other_root_is_reported(tmp_path, case, options, budget):
    builder, root, other = hostile.CASES[case]
    builder(str(tmp_path))
    report = scan(tmp_path, *options)
    notes = cut_short(report)
    assert len(notes) == 1, report["notifications"]
    note = notes[0]
    assert note["level"] == "error"
    assert note["message"] == "evaluation cut short: %s exceeded %s; it is left unevaluated (Unknown) and none of its resources are checked" % (root, budget)
    bomb_path = tmp_path / ("bomb" if root.startswith("root module") else root.split(" ", 1)[1])
    assert os.path.realpath(os.path.join(str(tmp_path), note["file"])) == os.path.realpath(str(bomb_path))
    assert open_bucket_reported(report, other), [f["resource"]["address"] for f in report["findings"]]
    # Nothing of the bomb root is reported: only the other root's resources are counted.
    assert report["summary"]["resources"] == 1


def test_defaults_leave_room_for_a_large_benign_root(tmp_path):
    """10,000 buckets through count = 1000 in ten module calls, each with a for-expression and
    templates: far below the default budget, so not cut short."""
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(
        'variable "n" {}\n'
        'resource "aws_s3_bucket" "b" {\n  count  = 1000\n  bucket = "b-${var.n}-${count.index}"\n'
        '  tags   = { for k in ["a", "b", "c"] : k => "${k}-${count.index}" }\n}\n')
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "main.tf").write_text("".join(
        'module "m%d" {\n  source = "../mod"\n  n      = %d\n}\n' % (i, i) for i in range(10)))
    report = scan(tmp_path)
    assert not cut_short(report)
    assert report["summary"]["resources"] == 10_000


def test_a_cut_short_root_is_not_cached(tmp_path):
    """The evaluation and scan caches keep neither a cut-short root nor a result made under
    other budgets: a larger budget evaluates again."""
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    tree.mkdir()
    hostile.CASES["b"][0](str(tree))
    assert cut_short(scan(tree, "--max-instances", "500", cache=cache))
    report = scan(tree, "--max-instances", "500", cache=cache)
    assert cut_short(report)  # still said on the second run, from scratch
    (tree / "bomb" / "l3" / "main.tf").write_text(hostile.BUCKET_TF % '"leaf"')
    (tree / "bomb" / "l2" / "main.tf").write_text('module "l3" {\n  source = "../l3"\n  count  = 2\n}\n')
    (tree / "bomb" / "l1" / "main.tf").write_text('module "l2" {\n  source = "../l2"\n  count  = 2\n}\n')
    (tree / "bomb" / "main.tf").write_text('module "l1" {\n  source = "./l1"\n  count  = 2\n}\n')
    assert cut_short(scan(tree, "--max-instances", "5", cache=cache))
    report = scan(tree, "--max-instances", "50", cache=cache)
    assert not cut_short(report)
    assert report["summary"]["resources"] == 9  # 8 leaves and the open bucket


# -- in-process: the last resorts ----------------------------------------------------------------


def _two_roots(tmp_path, bomb_text):
    files = {}
    for name, text in (("bomb", bomb_text), ("ok", hostile.OK_TF)):
        folder = tmp_path / name
        folder.mkdir()
        path = str(folder / "main.tf")
        (folder / "main.tf").write_text(text)
        files[path] = parse_file(text, path)
    return files


def test_a_memory_error_in_a_function_cuts_the_root_short(tmp_path, monkeypatch):
    """Not an Unknown to carry on with (as any other failure of a function is)."""
    def explode(*args):
        raise MemoryError()

    monkeypatch.setitem(F.FUNCTIONS, "upper", explode)
    files = _two_roots(tmp_path, 'resource "aws_s3_bucket" "b" {\n  bucket = upper(var.x)\n}\nvariable "x" {\n  default = "x"\n}\n')
    result = evaluate_configuration(files, str(tmp_path), ScanOptions())
    notes = [n.message for n in result.notifications if n.message.startswith(limits.CUT_SHORT)]
    assert notes == ["evaluation cut short: root module bomb ran out of memory; it is left unevaluated (Unknown) and none of its resources are checked"]
    assert [r.address for r in result.resources] == ["aws_s3_bucket.open"]


@pytest.mark.parametrize("error", [MemoryError, RecursionError])
def test_memory_and_recursion_errors_cut_the_root_short(tmp_path, monkeypatch, error):
    """The last resort: whatever raises them in the evaluator, the root stops with a note."""
    from iacguard.terraform.evaluate import ModuleInstance

    original = ModuleInstance._record_unknowns

    def explode(self, res):
        if res.address == "aws_s3_bucket.b":
            raise error()
        return original(self, res)

    monkeypatch.setattr(ModuleInstance, "_record_unknowns", explode)
    files = _two_roots(tmp_path, 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    result = evaluate_configuration(files, str(tmp_path), ScanOptions())
    notes = [n for n in result.notifications if n.message.startswith(limits.CUT_SHORT)]
    assert [n.path for n in notes] == [str(tmp_path / "bomb")]
    assert notes[0].level == "error"
    assert [r.address for r in result.resources] == ["aws_s3_bucket.open"]


def test_budget_counts_instances_and_values():
    budget = limits.Budget(max_instances=3, max_size=100)
    budget.instance()
    budget.grow_str(16 * 10)  # 11 units
    assert (budget.instances, budget.size) == (1, 12)
    budget.instance(2)
    with pytest.raises(limits.BudgetExceeded) as exc:
        budget.instance()
    assert exc.value.what == "3 instances (--max-instances)"
    assert not isinstance(exc.value, Exception)  # no `except Exception` swallows it


def test_regex_under_count_shares_the_roots_time(tmp_path, monkeypatch):
    """Without a budget each backtracking match gets its own second; under a root's budget they
    share a tenth of the root's time and the root is cut short, not slowed 1,000 times."""
    monkeypatch.setattr(limits, "CURRENT", limits.Limits(time_per_file=2))
    files = _two_roots(tmp_path, 'resource "aws_s3_bucket" "b" {\n  count  = 1000\n'
                                 '  bucket = can(regex("^(a+)+$", "%s!")) ? "x" : "y"\n}\n' % ("a" * 40))
    result = evaluate_configuration(files, str(tmp_path), ScanOptions())
    notes = [n.message for n in result.notifications if n.message.startswith(limits.CUT_SHORT)]
    if not limits._timer_free():  # pragma: no cover - no SIGALRM here: inputs are bounded instead
        assert notes == []
        return
    assert notes == ["evaluation cut short: root module bomb exceeded 0.2 s of pattern matching (a tenth of --time-per-file); "
                     "it is left unevaluated (Unknown) and none of its resources are checked"]
    assert [r.address for r in result.resources] == ["aws_s3_bucket.open"]
