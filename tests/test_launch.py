"""The `iacguard` executable reads a scan command line without click (iacguard.launch): the flags
it gives the scan are click's, option by option, and a command line it does not take is left to
click, whose output is then the one users get. Run end to end, both ways give the same output,
report files and exit code."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import click
import pytest

from iacguard import cli, launch, scan_command

TF = 'resource "aws_s3_bucket" "b" {\n  bucket = "my-bucket"\n}\n'


@pytest.fixture
def tree(tmp_path):
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "main.tf").write_text(TF)
    (tmp_path / "vars.tfvars").write_text('region = "eu-west-1"\n')
    (tmp_path / "params.json").write_text("[]\n")
    (tmp_path / "cfg.toml").write_text("fail-on = \"high\"\n")
    return tmp_path


def _click(args: list) -> tuple:
    """The PATHS and flags click gives `iacguard.cli.scan` for ARGS."""
    ctx = cli.scan.make_context("scan", list(args))
    params = dict(ctx.params)
    return tuple(params.pop("paths")), params


def test_the_table_is_clicks_declaration_of_scan():
    declared = {}
    for param in cli.scan.params:
        if param.name == "paths" or param.name == "help":
            continue
        declared[param.name] = param
    assert set(declared) == set(launch.OPTIONS)
    for name, param in declared.items():
        opts, kind, check, _default = launch.OPTIONS[name]
        assert tuple(param.opts) + tuple(param.secondary_opts) == opts or set(param.opts) | set(param.secondary_opts) == set(opts), name
        if kind == "pair":
            assert param.secondary_opts and opts[1] in param.secondary_opts, name
        assert (kind == "flag") == (param.is_flag and not param.secondary_opts), name
        assert (kind == "many") == param.multiple, name
        if isinstance(param.type, click.Choice):
            assert check[0] == "choice" and launch._choices(check[1]) == tuple(param.type.choices), name
        elif isinstance(param.type, click.IntRange):
            assert check == ("int", param.type.min, param.type.max), name
        elif isinstance(param.type, click.Path):
            assert check == ("path", param.type.exists, param.type.file_okay, param.type.dir_okay), name
        elif name == "sarif_category":
            assert check == ("sarif_category",) and param.callback is not None
        else:
            assert check is None, name
        assert param.callback is None or name == "sarif_category", name


@pytest.mark.parametrize("args", [
    ["tf"],
    ["tf", "tf/main.tf"],
    ["tf", "-q", "--format", "json"],
    ["--format=sarif", "tf", "-o", "out.sarif", "--fail-on", "none"],
    ["tf", "--output-file", "json=a.json", "--output-file", "sarif=b.sarif", "--format", "text", "--format", "json"],
    ["tf", "--fail-on-error", "--no-fail-on-error", "--min-severity", "high", "--baseline", "base.json"],
    ["tf", "--include-suppressed", "--sarif-category", "My Scan", "--color"],
    ["tf", "--no-color", "--diff-base", "main", "--config", "cfg.toml"],
    ["tf", "--no-config", "--exclude", "a/*", "--exclude=b", "--var", "x=1", "--var-file", "vars.tfvars"],
    ["tf", "--tf-vars-from-env", "--cfn-param", "K=V", "--cfn-params", "params.json", "--check", "AWS-S3-001,AWS-S3-002"],
    ["tf", "--skip-check", "AWS-S3-001", "--severity", "AWS-S3-001=low", "--whole-project-checks", "--no-whole-project-checks"],
    ["tf", "--require-reason", "--max-file-size", "100", "-j", "2", "--jobs=0", "--cache-dir", "cache", "--no-cache"],
    ["tf", "--time-per-file", "0", "--max-depth", "8", "--max-yaml-nodes", "1000", "--max-instances", "1", "--max-value-size", "1000"],
    ["tf", "--max-depth", "400", "--output=", "--diff-base="],
    ["tf", "--sarif-category", ""], ["tf", "--sarif-category", "./infra/"],
    ["", "tf"],
])
def test_flags_are_the_ones_click_gives(tree, monkeypatch, args):
    monkeypatch.chdir(tree)
    for key in list(os.environ):
        if key.startswith("IACGUARD_"):
            monkeypatch.delenv(key)
    assert launch.read_scan(args, {}) == _click(args)


@pytest.mark.parametrize("args", [
    [],  # no PATHS
    ["tf", "--help"], ["tf", "-h"], ["-", ], ["tf", "--", "x"], ["tf", "-qj2"], ["tf", "-ofile"], ["tf", "-j2"],
    ["tf", "--verbose"], ["tf", "-v"], ["tf", "--nope"], ["tf", "--form", "json"],
    ["tf", "--format", "yaml"], ["tf", "--format"], ["tf", "--format", "-q"], ["tf", "-o", "--quiet"],
    ["tf", "--quiet=yes"], ["tf", "--no-cache=1"], ["tf", "--jobs", "-1"], ["tf", "--jobs", "x"],
    ["tf", "--max-depth", "401"], ["tf", "--max-depth", "7"], ["tf", "--max-yaml-nodes", "999"],
    ["tf", "--config", "missing.toml"], ["tf", "--config", "tf"], ["tf", "--var-file", "nope"],
    ["tf", "--output", "tf"], ["tf", "--cache-dir", "cfg.toml"], ["tf", "--baseline", "tf"],
    ["tf", "--sarif-category", "a\x01b"], ["tf", "--fail-on", "HIGH"], ["tf", "--min-severity", "none"],
])
def test_command_lines_left_to_click(tree, monkeypatch, args):
    monkeypatch.chdir(tree)
    with pytest.raises(launch._NotMine):
        launch.read_scan(args, {})


def test_an_option_set_in_the_environment_is_left_to_click(tree, monkeypatch):
    monkeypatch.chdir(tree)
    for env in ({"IACGUARD_FAIL_ON": "none"}, {"IACGUARD_OUTPUT": ""}, {"_IACGUARD_COMPLETE": "bash_source"}):
        with pytest.raises(launch._NotMine):
            launch.read_scan(["tf"], env)
    assert launch.read_scan(["tf"], {"HOME": "/x", "TF_VAR_x": "1"})[0] == ("tf",)
    # A variable click does not read for `scan` (another tool's, another command's) changes nothing.
    assert launch.read_scan(["tf"], {"IACGUARD_SARIF_MULTITOOL_PREFIX": "/x", "IACGUARD_BASELINE_OUTPUT": "b"})[0] == ("tf",)


def test_the_variables_left_to_click_are_the_ones_click_reads_for_scan():
    assert launch._CLICK_VARIABLES == {p.envvar for p in cli.scan.params if getattr(p, "envvar", None)} | {"_IACGUARD_COMPLETE"}


def test_an_unreadable_path_is_left_to_click(tree, monkeypatch):
    monkeypatch.chdir(tree)
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(launch._NotMine):
        launch.read_scan(["tf"], {})


# -- end to end ---------------------------------------------------------------------------------

FAST = """
import os, sys
from iacguard import launch, scan_command
real_exit = scan_command.exit_process
def leave(code):
    sys.stderr.write("[click %s]" % ("click" in sys.modules))
    real_exit(code)
scan_command.exit_process = leave
sys.argv = ["iacguard"] + sys.argv[1:]
launch.run()
"""
SLOW = "import sys; from iacguard.cli import run; sys.argv = ['iacguard'] + sys.argv[1:]; run()"


def _both(tree, args, files=()) -> tuple:
    out = []
    for code in (FAST, SLOW):
        env = {k: v for k, v in os.environ.items() if not k.startswith("IACGUARD_")}
        env["PYTHONIOENCODING"] = "utf-8"
        proc = subprocess.run([sys.executable, "-c", code, *args], cwd=str(tree), env=env, capture_output=True, text=True, timeout=300)
        written = {}
        for name in files:
            path = tree / name
            written[name] = path.read_text() if path.exists() else None
            if path.exists():
                path.unlink()
        out.append((proc.returncode, proc.stdout, proc.stderr, written))
    return out


def _clean(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "Duration:" not in line)


@pytest.mark.parametrize("args, files", [
    (["scan", "tf", "--no-cache", "--format", "json", "--fail-on", "none"], ()),
    (["scan", "tf", "--no-cache"], ()),
    (["scan", "tf", "--no-cache", "--format", "sarif", "-o", "r.sarif", "--output-file", "json=r.json"], ("r.sarif", "r.json")),
    (["scan", "tf", "--no-cache", "--config", "cfg.toml", "--format", "json"], ()),
    (["scan", "tf", "--no-cache", "--check", "AWS-NOPE-1"], ()),  # a usage error found in the settings
    (["scan", "tf", "--no-cache", "--var", "novalue"], ()),
    (["scan", "missing", "--no-cache"], ()),  # a fatal error
    (["scan", "tf", "--cache-dir", "c", "--format", "json", "-q"], ()),
])
def test_the_executable_answers_as_click_does(tree, args, files):
    (fast_code, fast_out, fast_err, fast_files), (slow_code, slow_out, slow_err, slow_files) = _both(tree, args, files)
    assert fast_err.endswith("[click False]") or "Usage:" in fast_err, fast_err  # click only for a usage error
    fast_err = fast_err.replace("[click False]", "").replace("[click True]", "")
    assert (fast_code, _clean(fast_out), fast_err, fast_files) == (slow_code, _clean(slow_out), slow_err, slow_files)
    assert slow_code in (0, 1, 2)


def test_a_usage_error_found_in_the_settings_is_shown_by_click(tree):
    (code, out, err, _), _ = _both(tree, ["scan", "tf", "--no-cache", "--skip-check", "AWS-NOPE-1"])
    assert code == 2 and "Usage: iacguard scan" in err and "unknown check id 'AWS-NOPE-1'" in err and "[click True]" in err and out == ""


def test_an_interrupt_and_a_closed_pipe_end_as_with_click(monkeypatch, capsys):
    class Raises:
        UsageProblem = scan_command.UsageProblem
        echo = staticmethod(scan_command.echo)
        exit_code_of = staticmethod(scan_command.exit_code_of)

        def __init__(self, exc):
            self.exc = exc

        def scan(self, paths, p):
            raise self.exc

    assert launch._scan(Raises(KeyboardInterrupt()), ("x",), {}) == 1
    assert capsys.readouterr().err == "\nAborted!\n"
    assert launch._scan(Raises(BrokenPipeError(32, "Broken pipe")), ("x",), {}) == 1
    assert capsys.readouterr().err == ""
    assert launch._scan(Raises(SystemExit(3)), ("x",), {}) == 3
    with pytest.raises(PermissionError):
        launch._scan(Raises(PermissionError(13, "denied")), ("x",), {})


@pytest.mark.parametrize("text, color, tty, expected", [
    ("plain", None, False, "plain\n"),
    ("\x1b[31mred\x1b[0m", None, False, "red\n"),
    ("\x1b[31mred\x1b[0m", None, True, "\x1b[31mred\x1b[0m\n"),
    ("\x1b[31mred\x1b[0m", True, False, "\x1b[31mred\x1b[0m\n"),
    ("\x1b[31mred\x1b[0m", False, True, "red\n"),
    ("", None, False, "\n"),
])
def test_echo_writes_as_click_echo(monkeypatch, text, color, tty, expected):
    for nl in (True, False):
        want = expected if nl else expected[:-1]
        for writer in (lambda s: scan_command.echo(text, nl=nl, color=color), lambda s: click.echo(text, nl=nl, color=color, file=s)):
            stream = io.StringIO()
            stream.isatty = lambda: tty
            monkeypatch.setattr(sys, "stdout", stream)
            writer(stream)
            assert stream.getvalue() == want


def test_the_fast_path_reports_json_identical_to_click(tree):
    (fast_code, fast_out, _, _), (slow_code, slow_out, _, _) = _both(tree, ["scan", "tf", "--no-cache", "--format", "json"])
    assert json.loads(fast_out)["findings"] and fast_out == slow_out and fast_code == slow_code


GC_RUN = """
import gc, json, sys
from iacguard import launch, scan_command
seen = {}
def scan(paths, p):
    seen["enabled_in_scan"] = gc.isenabled()
    raise SystemExit(0)
scan_command.scan = scan
def exit_process(code):
    print(json.dumps(dict(seen, code=code, enabled_at_start=enabled_at_start)))
    sys.exit(0)
scan_command.exit_process = exit_process
sys.argv = ["iacguard", "scan", sys.argv[1], "-q", "--no-cache"]
enabled_at_start = gc.isenabled()
launch.run()
"""


def test_the_executable_runs_without_the_cyclic_collector(tree):
    # Off from the command's first line, so the modules it loads are not walked again and again.
    env = {k: v for k, v in os.environ.items() if not k.startswith("IACGUARD_")}  # (a variable of an option goes to click)
    out = subprocess.run([sys.executable, "-c", GC_RUN, str(tree)], capture_output=True, text=True, timeout=120, check=True, env=env)
    got = json.loads(out.stdout)
    assert got == {"enabled_at_start": True, "enabled_in_scan": False, "code": 0}


def test_a_large_graph_is_emptied_before_the_report_and_a_small_one_left_to_the_exit(monkeypatch):
    from iacguard.graph import ResourceGraph

    def graph_of(n):
        graph = ResourceGraph()
        for i in range(n):
            graph.g.add_node("n%d" % i)
        return graph

    small, large = graph_of(3), graph_of(5)
    monkeypatch.setattr(scan_command, "RELEASE_MIN_NODES", 5)
    scan_command._release_graph(None, small)
    scan_command._release_graph(None, large)
    assert len(small.g) == 3 and len(large.g) == 0
    scan_command._release_graph(None, object())  # a graph from the cache: nothing to empty
