"""The replay memo (iacguard/replay.py): the `iacguard` executable answers a scan of an unchanged
tree, by the same command, with what the last one wrote; anything it read that changed, and
anything that makes a scan's output depend on the moment, runs the scan in full.

Each run is a fresh interpreter running the executable's code; whether a run was replayed is
seen from the modules it loaded (a replay loads no engine)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from iacguard import replay

RUNNER = """
import sys
from iacguard import launch, scan_command
argv = sys.argv[1:]
out = argv.pop(0)
import json
def exit_process(code):
    sys.stdout.flush()
    open(out, "w").write(json.dumps({"code": code, "modules": sorted(sys.modules)}))
    sys.exit(code)
scan_command.exit_process = exit_process
sys.argv = ["iacguard"] + argv
try:
    launch.run()
except SystemExit as exc:  # (a command line click reads)
    if not __import__("os").path.exists(out):
        exit_process(exc.code)
    raise
"""

MAIN = 'resource "aws_s3_bucket" "b" {\n  bucket = "my-bucket"\n}\n'


@pytest.fixture
def tree(tmp_path):
    t = tmp_path / "tf"
    t.mkdir()
    (t / "main.tf").write_text(MAIN)
    (t / "variables.tf").write_text('variable "name" {\n  default = "x"\n}\n')
    return t


class Runner:
    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.cache = tmp_path / "cache"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("IACGUARD_", "TF_VAR_"))}

    def __call__(self, *args, env=None, cache=True):
        out = self.tmp / "run.json"
        if out.exists():
            out.unlink()
        argv = ["scan", *map(str, args)] + ([] if "--verbose" in args else ["-q"]) + (["--cache-dir", str(self.cache)] if cache else [])
        proc = subprocess.run([sys.executable, "-c", RUNNER, str(out), *argv], cwd=str(self.tmp), capture_output=True, text=True,
                              env={**self.env, **(env or {})}, timeout=120)
        info = json.loads(out.read_text())
        return {"code": info["code"], "replayed": "iacguard.engine" not in info["modules"], "modules": info["modules"],
                "stdout": proc.stdout, "stderr": proc.stderr}


@pytest.fixture
def run(tmp_path):
    return Runner(tmp_path)


def report(tmp_path, name="report.json"):
    return (tmp_path / name).read_text()


def test_the_second_scan_of_an_unchanged_tree_is_replayed_byte_for_byte(tree, tmp_path, run):
    args = (tree, "--format", "json", "-o", tmp_path / "report.json", "--fail-on", "high")
    first = run(*args)
    text = report(tmp_path)
    (tmp_path / "report.json").write_text("stale")
    second = run(*args)
    assert not first["replayed"] and second["replayed"]
    assert report(tmp_path) == text and "AWS-S3" in text
    assert second["code"] == first["code"]
    assert run(*args)["replayed"]


def test_a_replayed_scan_loads_no_finding_check_report_or_cache_code(tree, tmp_path, run):
    args = (tree, "--format", "sarif", "-o", tmp_path / "report.sarif")
    run(*args)
    second = run(*args)
    assert second["replayed"]
    heavy = ("iacguard.engine", "iacguard.cache", "iacguard.catalogue", "iacguard.checks", "iacguard.output", "iacguard.post",
             "iacguard.graph", "iacguard.parse", "iacguard.terraform", "hashlib")
    assert [m for m in second["modules"] if m in heavy or m.startswith(tuple(h + "." for h in heavy))] == []


def test_the_exit_code_and_standard_output_are_replayed(tree, tmp_path, run):
    args = (tree, "--format", "sarif", "--fail-on", "low")
    first, second = run(*args), run(*args)
    assert first["code"] == second["code"] == 1
    assert second["replayed"] and second["stdout"] == first["stdout"] and '"ruleId"' in first["stdout"]


def test_a_changed_file_is_scanned_again(tree, tmp_path, run):
    args = (tree, "--format", "json", "-o", tmp_path / "report.json")
    run(*args)
    assert "aws_s3_bucket.b" in report(tmp_path)
    # Other bytes of the same size and modification time: only the files' content keys see it.
    main = tree / "main.tf"
    st = main.stat()
    changed = MAIN.replace('"b"', '"c"')
    main.write_text(changed)
    os.utime(main, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert main.stat().st_size == st.st_size and main.stat().st_mtime_ns == st.st_mtime_ns
    assert not run(*args)["replayed"]
    assert "aws_s3_bucket.c" in report(tmp_path) and "aws_s3_bucket.b" not in report(tmp_path)
    assert run(*args)["replayed"]


def test_a_new_file_and_a_file_read_only_by_a_function_are_inputs(tree, tmp_path, run):
    args = (tree, "--format", "json", "-o", tmp_path / "report.json")
    run(*args)
    (tree / "extra.tf").write_text('resource "aws_s3_bucket" "c" {\n  bucket = "c"\n}\n')
    assert not run(*args)["replayed"]
    assert '"aws_s3_bucket.c"' in report(tmp_path)
    assert run(*args)["replayed"]
    (tree / "policy.json.tpl").write_text("{}")  # no IaC file, but under the root (templatefile(), file())
    assert not run(*args)["replayed"]


def test_another_command_line_or_environment_is_another_memo(tree, tmp_path, run):
    base = (tree, "--format", "json", "-o", tmp_path / "report.json")
    run(*base)
    assert not run(*base, "--fail-on", "none")["replayed"]
    assert not run(*base, env={"TF_VAR_name": "y"})["replayed"]
    assert not run(*base, env={"GITHUB_WORKSPACE": str(tmp_path)})["replayed"]
    assert run(*base)["replayed"]


def test_variable_files_the_baseline_and_the_configuration_are_inputs(tree, tmp_path, run):
    varfile = tmp_path / "prod.tfvars"
    varfile.write_text('name = "a"\n')
    args = (tree, "--format", "json", "-o", tmp_path / "report.json", "--var-file", varfile)
    run(*args)
    assert run(*args)["replayed"]
    varfile.write_text('name = "b"\n')
    assert not run(*args)["replayed"]

    base = (tree, "--format", "json", "-o", tmp_path / "report.json")
    run(*base)
    assert run(*base)["replayed"]
    # A configuration in the working directory (outside the scanned tree: only the key sees it).
    config = tmp_path / ".iacguard.toml"
    config.write_text('fail-on = "none"\n')
    first = run(*base)
    assert not first["replayed"] and first["code"] == 0
    assert run(*base)["replayed"]
    config.write_text('fail-on = "low"\n')
    again = run(*base)
    assert not again["replayed"] and again["code"] == 1
    config.unlink()

    baseline = tmp_path / "baseline.json"
    subprocess.run([sys.executable, "-c", "import sys; from iacguard.cli import main; sys.argv[0] = 'iacguard'; main()", "baseline", str(tree), "-q", "--no-cache", "-o", str(baseline)], cwd=str(tmp_path),
                   env=run.env, check=True, timeout=120)
    with_baseline = base + ("--baseline", baseline)
    first = run(*with_baseline)
    assert json.loads(report(tmp_path))["summary"]["baseline"]["matched"] > 0
    assert run(*with_baseline)["replayed"]
    baseline.write_text(baseline.read_text().replace('"findings"', ' "findings"', 1))  # other bytes, same entries
    assert not run(*with_baseline)["replayed"]
    assert first["code"] == 0


@pytest.mark.parametrize("extra", [("--format", "text"), ("--format", "gitlab"), ("--format", "json", "--output-file", "text=t.txt"),
                                   ("--format", "json", "--no-cache")])
def test_output_that_depends_on_the_moment_is_never_replayed(tree, tmp_path, run, extra):
    run(tree, *extra)
    assert not run(tree, *extra)["replayed"]


def test_without_a_cache_folder_nothing_is_kept(tree, tmp_path, run):
    assert not run(tree, "--format", "json", "--no-cache", cache=False)["replayed"]
    assert not run(tree, "--format", "json", "--no-cache", cache=False)["replayed"]


def _memos(cache):
    return [p for p in cache.rglob("*.pickle") if b"\0replay\0" in p.read_bytes()[:40]]


def test_a_forged_memo_writes_nothing_else_and_the_scan_runs(tree, tmp_path, run):
    import pickle

    from iacguard.cache import _header

    args = (tree, "--format", "json", "-o", tmp_path / "report.json")
    run(*args)
    (memo,) = _memos(run.cache)
    value = pickle.loads(memo.read_bytes()[len(_header("replay")):])
    victim = tmp_path / "victim.txt"
    ops = value[4] + (("write", str(victim), "owned"),)
    memo.write_bytes(_header("replay") + pickle.dumps(value[:4] + (ops,) + value[5:]))
    again = run(*args)
    assert not again["replayed"] and not victim.exists()
    memo.write_bytes(_header("replay") + b"garbage")
    assert not run(*args)["replayed"]
    assert json.loads(report(tmp_path))["findings"]


def test_text_for_a_terminal_may_not_drive_it():
    class Tty:
        def isatty(self):
            return True

    class Pipe:
        def isatty(self):
            return False

    assert replay._safe_for(Tty(), '{"a": 1}\n\t')
    assert not replay._safe_for(Tty(), "\x1b]0;title\x07")
    assert not replay._safe_for(Tty(), "a\rb")
    assert replay._safe_for(Pipe(), "\x1b[31m")  # (echo strips escapes from a stream that is not a terminal)


def test_a_large_output_is_not_kept(monkeypatch):
    monkeypatch.setattr(replay, "MAX_OUTPUT_CHARS", 10)
    rec = replay.Recorder("k", "/nonexistent", {"out"})
    assert list(rec.tee("out", ["12345", "678901"])) == ["12345", "678901"]  # written all the same
    assert not rec.ok and rec.ops == []
    rec = replay.Recorder("k", "/nonexistent", {"out"})
    list(rec.tee("elsewhere", "text"))
    assert not rec.ok  # a file the command line does not name


def test_eligibility():
    p = {"fmt": "json", "output_files": (), "no_cache": False, "diff_base": None, "verbose": False}
    assert replay.eligible(("x",), p)
    assert not replay.eligible(("-",), p)
    assert not replay.eligible(("x",), {**p, "diff_base": "main"})
    assert not replay.eligible(("x",), {**p, "output_files": ("text=a.txt",)})
    assert replay.eligible(("x",), {**p, "output_files": ("sarif=a.sarif",)})


def test_a_report_written_inside_the_scanned_tree_counts_by_its_content(tree, tmp_path, run):
    args = (tree, "--format", "json", "-o", tree / "report.json")
    runs = [run(*args) for _ in range(4)]
    # The first scans see the report appear and change (it is a file of the tree); then the
    # same report is written again, and its new modification time is not a change.
    assert runs[-1]["replayed"]
    assert json.loads((tree / "report.json").read_text())["findings"]
    # The scan cache too (--verbose is never replayed): from the third scan on, the checks' code
    # is not loaded.
    verbose = (tree, "--format", "sarif", "-o", tree / "report.sarif", "--verbose")
    runs = [run(*verbose) for _ in range(4)]
    assert not runs[-1]["replayed"] and "iacguard.checks" not in runs[-1]["modules"]


def test_tree_fingerprint_counts_named_files_by_content(tmp_path):
    from iacguard.cachebase import tree_fingerprint

    (tmp_path / "main.tf").write_text("x")
    out = tmp_path / "report.json"
    out.write_text("same")
    exact = frozenset([str(out)])
    first = tree_fingerprint(str(tmp_path), exact)
    os.utime(out, ns=(1, 1))
    assert tree_fingerprint(str(tmp_path), exact) == first  # rewritten with the same text
    assert tree_fingerprint(str(tmp_path)) != tree_fingerprint(str(tmp_path), exact)
    out.write_text("other")
    os.utime(out, ns=(1, 1))
    assert tree_fingerprint(str(tmp_path), exact) != first
    before = tree_fingerprint(str(tmp_path), exact)
    os.utime(tmp_path / "main.tf", ns=(5, 5))
    assert tree_fingerprint(str(tmp_path), exact) != before  # other files still count by size and time


def test_a_memo_written_after_a_scan_that_measured_the_cache_does_not_walk_it_again(tree, tmp_path, monkeypatch):
    from iacguard import cache
    from iacguard.engine import scan

    folder = str(tmp_path / "cache")
    scan([str(tree)], cache_dir=folder)  # a cold scan: it writes entries, so it measured the folder
    walks = []
    monkeypatch.setattr(cache, "prune", lambda *a, **k: walks.append(a) or 0)
    replay._cache(folder).put("ab" * 32, ("value",))
    assert walks == []
    assert replay._cache(folder).get("ab" * 32) == ("value",)


def test_a_scan_cut_short_by_a_bound_is_not_replayed(tmp_path, run):
    """What the scan cache does not keep (a bound that ran out, a timeout: a fact of that run,
    not of the tree) is not replayed either."""
    t = tmp_path / "big"
    t.mkdir()
    (t / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  count  = 50\n  bucket = "x${count.index}"\n}\n')
    args = (t, "--format", "json", "-o", tmp_path / "report.json", "--max-instances", "1")
    run(*args)
    assert "evaluation cut short" in report(tmp_path)
    assert not run(*args)["replayed"]


def test_a_named_file_counts_the_files_beside_it(tmp_path, run):
    """`iacguard scan main.tf` reads the files of its folder too (file(), the module's other
    files): a change there is a change for the scan cache and the replay memo."""
    t = tmp_path / "mod"
    t.mkdir()
    (t / "main.tf").write_text('resource "aws_iam_policy" "p" {\n  name   = "p"\n  policy = file("${path.module}/policy.json")\n}\n')
    narrow = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}'
    admin = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    (t / "policy.json").write_text(narrow)
    for extra in ((), ("--verbose",)):  # replayed; scan cache only
        args = (t / "main.tf", "--format", "json", "-o", tmp_path / "report.json", "--fail-on", "none") + extra
        (t / "policy.json").write_text(narrow)
        run(*args)
        before = {f["check_id"] for f in json.loads(report(tmp_path))["findings"]}
        (t / "policy.json").write_text(admin)
        assert not run(*args)["replayed"]
        after = {f["check_id"] for f in json.loads(report(tmp_path))["findings"]}
        assert after > before, (before, after)
