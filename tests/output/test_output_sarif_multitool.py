"""The SARIF of sample_iac and of every check's test tree passes Microsoft's SARIF Multitool
`validate`, with its GitHub rules (`--rule-kind Gh`) and its SARIF rules (`--rule-kind Sarif`):
0 results at its default levels (error and warning).

The multitool comes from npm (@microsoft/sarif-multitool). .ci/run installs it with
`npm install --prefix DIR` and names DIR in IACGUARD_SARIF_MULTITOOL_PREFIX; the test runs it
with `npx --no-install` from DIR, so it never downloads anything. Without it (or without npx) the
test skips, except under CI (CI set), where it fails: CI must run it.

Two quirks of the multitool shape the command line: its npm wrapper runs the binary through a
shell, so an argument may not hold ';' or spaces (rule kinds go one run at a time, paths are
checked); and a list option such as --rule-kind swallows the plain words after it, so the file
to validate comes right after `validate`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.cli import main

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "@microsoft/sarif-multitool"
PREFIX_VARIABLE = "IACGUARD_SARIF_MULTITOOL_PREFIX"
RULE_KINDS = ("Gh", "Sarif")
_SHELL_SAFE = re.compile(r"[A-Za-z0-9_./+=:@%-]+")

pytestmark = pytest.mark.catalogue("all")  # every check: the test trees are the catalogue's


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str):
    if _under_ci():
        pytest.fail("CI must run the SARIF Multitool validation: " + reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def multitool():
    """A function (sarif_path, rule_kind, out_path) -> the multitool's own SARIF log."""
    npx = shutil.which("npx")
    if npx is None:
        _unavailable("npx is not installed")
    prefix = os.environ.get(PREFIX_VARIABLE, "")
    if not prefix:
        _unavailable("%s is not set (.ci/run installs %s with npm install --prefix and sets it)" % (PREFIX_VARIABLE, PACKAGE))
    if not (Path(prefix) / "node_modules" / ".bin" / "sarif-multitool").exists():
        _unavailable("%s is not installed in %s/node_modules" % (PACKAGE, prefix))

    def validate(sarif_path: Path, rule_kind: str, out: Path) -> dict:
        for arg in (str(sarif_path), str(out), rule_kind):
            assert _SHELL_SAFE.fullmatch(arg), "the multitool's npm wrapper passes arguments through a shell: %r" % arg
        proc = subprocess.run(
            [npx, "--no-install", PACKAGE, "validate", str(sarif_path), "--rule-kind", rule_kind, "--output", str(out)],
            cwd=prefix, capture_output=True, text=True, timeout=600,
            env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1", "DOTNET_NOLOGO": "1"},
        )
        assert proc.returncode == 0 and out.is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
        return json.loads(out.read_text(encoding="utf-8-sig"))

    return validate


@pytest.fixture
def workdir(tmp_path):
    if _SHELL_SAFE.fullmatch(str(tmp_path)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="iacguard-multitool-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def scan_to_sarif(out: Path, *args) -> Path:
    old = os.getcwd()
    os.chdir(REPO)  # locations relative to the repository, as in a workflow
    try:
        res = CliRunner().invoke(main, ["scan", *args, "--no-cache", "-q", "--format", "sarif", "--output", str(out)], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert res.exit_code in (0, 1), res.output
    return out


def results_of(log: dict) -> list:
    return [(r.get("ruleId"), r.get("level"), (r.get("message") or {}).get("text") or (r.get("message") or {}).get("arguments"))
            for run in log.get("runs", []) for r in run.get("results") or []]


def test_sample_and_every_test_tree_pass_the_multitool(multitool, workdir):
    trees = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests" / "fixtures" / "checks").iterdir() if p.is_dir())
    assert len(trees) > 100
    logs = {
        "sample": scan_to_sarif(workdir / "sample.sarif", "sample_iac"),
        # One scan of every test tree, with suppressed findings and a category.
        "trees": scan_to_sarif(workdir / "trees.sarif", *trees, "--include-suppressed", "--sarif-category", "test-trees"),
    }
    assert json.loads(logs["trees"].read_text())["runs"][0]["automationDetails"]["id"] == "iacguard/test-trees/"
    for name, path in logs.items():
        assert json.loads(path.read_text())["runs"][0]["results"], name  # something to validate
        for kind in RULE_KINDS:
            log = multitool(path, kind, workdir / ("%s-%s.out.sarif" % (name, kind)))
            assert results_of(log) == [], (name, kind)


def test_the_multitool_is_not_vacuous(multitool, workdir):
    """The same command finds GitHub's problems in a log that has them."""
    path = scan_to_sarif(workdir / "sample.sarif", "sample_iac")
    log = json.loads(path.read_text())
    for result in log["runs"][0]["results"]:
        result.pop("locations")  # GitHub needs a location per result
        result.pop("partialFingerprints")
    path.write_text(json.dumps(log))
    out = multitool(path, "Gh", workdir / "broken.out.sarif")
    assert {rule for rule, _, _ in results_of(out)} and all(rule.startswith("GH") for rule, _, _ in results_of(out))
