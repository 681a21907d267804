"""The floor stays low: what a scan with little to do imports (no timing here; the figures are in
benchmarks/floor.py).

Each case runs the command line in a fresh interpreter and lists the modules loaded by the end.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

RUNNER = """
import sys
from iacguard.cli import main
argv = sys.argv[1:]
out = argv.pop(0)
import atexit, json
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["iacguard"] + argv
main()
"""

# Never needed by a scan of a Terraform tree with nothing unusual in it.
# hashlib loads OpenSSL (about 4 ms): the caches' keys and the fingerprints use CPython's own
# hash modules (iacguard/core/digests.py).
NOT_FOR_A_SCAN = ("networkx", "jinja2", "markupsafe", "yaml", "cfn_tools", "cfn_flip", "importlib.metadata", "importlib.resources", "email",
                  "iacguard.graph_commands", "iacguard.iam_commands", "iacguard.output.html", "iacguard.cloudformation",
                  "iacguard.facts.iam_cloudformation", "hashlib", "_hashlib")


def _modules(tmp_path, *args) -> set:
    out = tmp_path / "modules.json"
    env = dict(os.environ)
    env.pop("IACGUARD_OUTPUT", None)
    subprocess.run([sys.executable, "-c", RUNNER, str(out), *args], cwd=str(tmp_path), env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    return set(json.loads(out.read_text()))


def _loaded(modules: set, names) -> list:
    return sorted(m for m in modules for name in names if m == name or m.startswith(name + "."))


@pytest.fixture
def tf_tree(tmp_path):
    tree = tmp_path / "tf"
    tree.mkdir()
    (tree / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "my-bucket"\n}\n')
    return tree


def test_an_empty_scan_imports_no_graph_template_yaml_metadata_or_subcommand(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    modules = _modules(tmp_path, "scan", str(empty), "-q", "--no-cache")
    assert "iacguard.engine" in modules  # the scan did run
    assert _loaded(modules, NOT_FOR_A_SCAN) == []


def test_a_one_file_terraform_scan_imports_no_networkx_jinja2_yaml_or_subcommand(tmp_path, tf_tree):
    modules = _modules(tmp_path, "scan", str(tf_tree), "-q", "--no-cache")
    assert "iacguard.graph" in modules and "iacguard.terraform.evaluate" in modules  # the scan did run
    assert _loaded(modules, NOT_FOR_A_SCAN) == []


def test_workflows_and_configuration_beside_terraform_load_no_yaml(tmp_path, tf_tree):
    # Neither key of a template in them, nor an escape that could spell one: not even PyYAML loads.
    wf = tf_tree / ".github" / "workflows"
    wf.mkdir(parents=True)
    (wf / "ci.yml").write_text('on: push\njobs:\n  test:\n    steps:\n      - run: echo "a \\"quoted\\" word" C:\\dir\n')
    (tf_tree / ".releaserc.json").write_text('{"branches": ["main"], "plugins": ["x"]}\n')
    modules = _modules(tmp_path, "scan", str(tf_tree), "-q", "--no-cache")
    assert "iacguard.terraform.evaluate" in modules  # the scan did run
    assert _loaded(modules, NOT_FOR_A_SCAN) == []


def test_the_text_and_json_reports_need_no_template_engine(tmp_path, tf_tree):
    out = tmp_path / "report.json"
    modules = _modules(tmp_path, "scan", str(tf_tree), "-q", "--no-cache", "--output-file", "json=%s" % out)
    assert out.exists()
    assert _loaded(modules, ("jinja2", "networkx")) == []


def test_version_loads_no_check(tmp_path):
    modules = _modules(tmp_path, "--version")
    assert _loaded(modules, ("iacguard.checks", "iacguard.engine", "iacguard.graph_commands", "iacguard.iam_commands", "networkx")) == []


def test_a_subcommand_loads_when_it_runs(tmp_path):
    modules = _modules(tmp_path, "iam", "--help")
    assert "iacguard.iam_commands" in modules and "iacguard.graph_commands" not in modules


def test_every_built_in_kind_is_empty_on_an_empty_graph():
    """`Facts` answers [] for every kind when nothing was scanned, without running the adapters:
    this holds only while each adapter agrees."""
    from iacguard.facts import KINDS, Facts
    from iacguard.graph import ResourceGraph

    assert Facts(ResourceGraph.build([]))._empty
    for kind in list(KINDS):
        assert KINDS[kind](ResourceGraph.build([])) == [], kind


def test_a_scan_answered_from_the_cache_walks_no_cache_folder(tmp_path, tf_tree, monkeypatch):
    """The cache folder is measured (one walk of every entry) only before a scan's first write:
    a warm scan writes nothing, so it never walks it, however large the cache."""
    from iacguard import cache as cache_mod
    from iacguard.engine import scan

    cache = str(tmp_path / "cache")
    first = scan([str(tf_tree)], cache_dir=cache)
    walks = []
    real = cache_mod.prune
    monkeypatch.setattr(cache_mod, "prune", lambda *a, **k: walks.append(a) or real(*a, **k))
    again = scan([str(tf_tree)], cache_dir=cache)
    assert walks == []
    assert [f.check_id for f in again.findings] == [f.check_id for f in first.findings] and first.findings
    (tf_tree / "other.tf").write_text('resource "aws_sqs_queue" "q" {}\n')
    scan([str(tf_tree)], cache_dir=cache)  # a changed tree writes, so it measures the folder first
    assert walks


def test_a_wheel_install_is_fingerprinted_by_its_record(tmp_path):
    from iacguard.cache import _wheel_record

    pkg = tmp_path / "site" / "iacguard"
    (pkg / "checks").mkdir(parents=True)
    (pkg / "checks" / "__init__.py").write_text("")
    assert _wheel_record(str(pkg)) is None  # no dist-info beside it: an editable install
    info = tmp_path / "site" / "iacguard-1.0.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("iacguard/cache.py,sha256=x,1\niacguard/checks/__init__.py,sha256=y,2\n")
    assert _wheel_record(str(pkg)).startswith(b"iacguard/cache.py")
    (info / "RECORD").write_text("iacguard/cache.py,sha256=x,1\n")  # the checks are elsewhere
    assert _wheel_record(str(pkg)) is None


# Not needed by a scan answered from the scan cache: the checks' code (their metadata is read from
# the cache), the facts, the parsers, the evaluators, the formats not asked for.
NOT_FOR_A_WARM_SCAN = NOT_FOR_A_SCAN + ("iacguard.checks", "iacguard.facts", "iacguard.iam", "iacguard.terraform", "iacguard.cloudformation",
                                        "iacguard.output.sarif", "iacguard.output.html", "iacguard.output.junit", "iacguard.output.markdown",
                                        "iacguard.output.github", "iacguard.output.gitlab", "iacguard.output.pathsvg", "lark")


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_scan_answered_from_the_cache_imports_no_check_fact_or_parser(tmp_path, tf_tree, fmt):
    cache = tmp_path / "cache"
    reports, runs = [], []
    # The first scan writes the scan entry; the second, answered from it, still imports the
    # checks (and writes their metadata entry: a cold scan never pays for it); the third reads both.
    for i in range(3):
        out = tmp_path / ("report%d" % i)
        modules = _modules(tmp_path, "scan", str(tf_tree), "-q", "--cache-dir", str(cache), "--format", fmt, "--output-file", "%s=%s" % (fmt, out))
        runs.append(modules)
        reports.append("".join(line for line in out.read_text().splitlines(True) if "Duration:" not in line and '"duration' not in line))
        if i == 0:
            assert not any(b"catalogue" in p.read_bytes()[:64] for p in cache.rglob("*.pickle"))
    assert "iacguard.checks" in runs[1] and "iacguard.catalogue" in runs[1]
    assert "iacguard.checks" in _modules(tmp_path, "scan", str(tf_tree), "-q", "--no-cache")
    assert "iacguard.engine" in modules  # the scan did run
    assert _loaded(modules, NOT_FOR_A_WARM_SCAN) == []
    assert reports[0] == reports[1] == reports[2] and "AWS-S3" in reports[0]


LAUNCH_RUNNER = """
import sys
from iacguard import launch, scan_command
argv = sys.argv[1:]
out = argv.pop(0)
import atexit, json
def exit_process(code):
    open(out, "w").write(json.dumps(sorted(m for m, v in sys.modules.items() if type(v).__name__ == "module")))
    sys.exit(code)
scan_command.exit_process = exit_process
sys.argv = ["iacguard"] + argv
launch.run()
"""

# What the executable's own scan path leaves out of a scan the cache answers (click imports some
# of these itself): the timers' modules, `inspect` and what it imports (loaded only on first use,
# see iacguard/_codecache.py), the text report for a JSON one.
NOT_FOR_A_WARM_EXECUTABLE = NOT_FOR_A_WARM_SCAN + ("click", "signal", "threading", "inspect", "ast", "dis", "tokenize", "iacguard.output.text")


def test_the_executable_answered_from_the_cache_loads_no_timer_inspect_or_other_report(tmp_path, tf_tree):
    cache = tmp_path / "cache"
    for i in range(3):
        out = tmp_path / "modules.json"
        # (another report file each time: the same command again would be replayed, iacguard/replay.py)
        subprocess.run([sys.executable, "-c", LAUNCH_RUNNER, str(out), "scan", str(tf_tree), "-q", "--cache-dir", str(cache),
                        "--format", "json", "-o", str(tmp_path / ("report%d.json" % i)), "--fail-on", "none"],
                       cwd=str(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
                       env={k: v for k, v in os.environ.items() if not k.startswith("IACGUARD_")})  # (an option's variable goes to click)
        modules = set(json.loads(out.read_text()))
    assert "iacguard.engine" in modules and "iacguard.catalogue" in modules  # the scan did run, from the cache
    assert _loaded(modules, NOT_FOR_A_WARM_EXECUTABLE) == []
    assert "AWS-S3" in (tmp_path / "report2.json").read_text()
