"""Golden reports: every output format of `sample_iac/`, and the JSON report of every check fixture,
byte for byte, as the command line writes them. A refactor that changes any output fails here.

Each report comes from `iacguard scan` run in-process from the repository root (a fixed working
directory, so every path in a report is relative to it) with --no-config and --no-cache (nothing
from the user's settings or an old cache), and colours off. Only what truly varies between runs
is normalised, and only where it appears:

- text: the `Duration:` summary line (wall-clock time) reads `Duration: <normalised>`;
- SARIF: the `file://` URI of the working directory (invocations[].workingDirectory and
  originalUriBaseIds.%SRCROOT%) reads `file:///REPO/`; it names where the repository is checked out.

JSON, JUnit and Markdown need nothing: they hold no time and only relative paths.

Update after an intended change: `pytest --update-golden` (or IACGUARD_UPDATE_GOLDEN=1), then
review `git diff tests/golden`.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from golden_files import GOLDEN, REPO, assert_golden

from iacguard.cli import main

pytestmark = pytest.mark.catalogue("all")  # the reports of the sample show the whole catalogue

FORMATS = {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md"}
FIXTURES = REPO / "tests" / "fixtures" / "checks"
FIXTURE_FOLDERS = sorted(p.parent for p in FIXTURES.glob("*/*/expected.json"))
DURATION = re.compile(r"^  Duration: \d+\.\d\ds$", re.M)
PLACEHOLDER_URI = "file:///REPO/"


def report(fmt: str, *paths: str, tmp_path: Path) -> str:
    """The report `iacguard scan PATHS --format FMT` writes, run from the repository root."""
    out = tmp_path / ("report." + FORMATS[fmt])
    args = ["scan", *paths, "--format", fmt, "--output", str(out), "--no-config", "--no-cache", "--no-color", "-j", "1", "-q"]
    old = os.getcwd()
    os.chdir(REPO)
    try:
        res = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    assert res.exit_code in (0, 1), res.output
    return out.read_bytes().decode("utf-8")


def normalise(fmt: str, text: str) -> str:
    """Replace what varies from run to run or checkout to checkout, insisting it is there."""
    if fmt == "text":
        assert len(DURATION.findall(text)) == 1, "the text report has no single Duration line"
        text = DURATION.sub("  Duration: <normalised>", text)
    elif fmt == "sarif":
        here = REPO.as_uri() + "/"
        assert text.count(here) == 2, "the SARIF log names the working directory %d times, not 2" % text.count(here)
        text = text.replace(here, PLACEHOLDER_URI)
    assert str(REPO) not in text, "an absolute path of the checkout is left in the %s report" % fmt
    return text


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_sample_iac_report(fmt, tmp_path, update_golden):
    assert_golden(GOLDEN / "sample_iac" / ("report." + FORMATS[fmt]), normalise(fmt, report(fmt, "sample_iac", tmp_path=tmp_path)), update_golden)


@pytest.mark.parametrize("folder", FIXTURE_FOLDERS, ids=[f"{p.parent.name}/{p.name}" for p in FIXTURE_FOLDERS])
def test_check_fixture_report(folder, tmp_path, update_golden):
    """Every check runs on every fixture folder (so a change in any check's output shows)."""
    rel = folder.relative_to(REPO).as_posix()
    assert_golden(GOLDEN / "checks" / folder.parent.name / (folder.name + ".json"), normalise("json", report("json", rel, tmp_path=tmp_path)), update_golden)


def test_no_stale_golden_files():
    """A golden file no test writes any more (a fixture folder removed or renamed) must go too."""
    wanted = {GOLDEN / "sample_iac" / ("report." + ext) for ext in FORMATS.values()}
    wanted |= {GOLDEN / "checks" / f.parent.name / (f.name + ".json") for f in FIXTURE_FOLDERS}
    present = set((GOLDEN / "sample_iac").glob("*")) | set((GOLDEN / "checks").glob("*/*"))
    assert sorted(p.relative_to(REPO).as_posix() for p in present - wanted) == []


def test_normalise_touches_only_what_varies():
    text = "Summary\n  Resources: 3\n  Duration: 12.34s\n"
    assert normalise("text", text) == "Summary\n  Resources: 3\n  Duration: <normalised>\n"
    with pytest.raises(AssertionError, match="no single Duration line"):
        normalise("text", "Summary\n")
    with pytest.raises(AssertionError, match="absolute path"):
        normalise("json", '{"file": "%s/main.tf"}' % REPO)


def test_a_changed_output_fails_with_a_diff(tmp_path):
    from golden_files import assert_golden as check

    path = REPO / "tests" / "golden" / "sample_iac" / "report.txt"
    text = path.read_text()
    with pytest.raises(AssertionError, match=r"(?s)output differs from tests/golden/sample_iac/report.txt.*--update-golden.*\n-.*\n\+"):
        # one finding fewer than the golden says, whatever the catalogue makes the count
        check(path, re.sub(r"(\d+) findings", lambda m: "%d findings" % (int(m.group(1)) - 1), text, count=1), update=False)
    check(path, text, update=False)
