"""Reports written in pieces (output.chunks, atomic.write_chunks): the same bytes as `render`,
the same safety as a whole-text write (a symlink at the target replaced, never followed; a
failure leaves no partial file), and never the whole report in memory."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.atomic import RefusedTarget, write_all, write_chunks, write_text
from iacguard.cli import main
from iacguard.engine import scan as run_scan
from iacguard.output import chunks, jsontext, render
from iacguard.output import json_report, sarif
from iacguard.output.jsontext import Lazy

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_iac"


@pytest.fixture(scope="module")
def sample_result():
    return run_scan([str(SAMPLE)], cwd=str(REPO))


# --- jsontext -------------------------------------------------------------------------------


def _lazy_copy(value):
    """`value` with every list inside it (at any depth of the skeleton) turned into a Lazy list."""
    if isinstance(value, dict):
        return {k: _lazy_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_lazy_copy(v) for v in value]
        return Lazy(lambda: iter(items))
    return value


@pytest.mark.parametrize("data", [
    {},
    [],
    {"a": []},
    {"a": [], "b": {"c": [1, 2, {"d": []}], "e": "x"}, "f": [[], [1.5, None, True]]},
    [{"x": [1]}, [], "s", {"k\u00e9y": ["\u2028", "\x00"]}],
    {"runs": [{"results": [{"a": 1}, {"b": [2, 3]}], "n": []}], 1: "int key", None: "null key"},
])
def test_chunks_are_dumps_in_pieces(data):
    lazy = {"top": _lazy_copy(data), "plain": data, "empty": Lazy(lambda: iter(())), "list": [Lazy(lambda: iter([1, {"a": 2}]))]}
    eager = {"top": data, "plain": data, "empty": [], "list": [[1, {"a": 2}]]}
    assert "".join(jsontext.chunks(lazy)) == jsontext.dumps(lazy) == jsontext.dumps(eager)
    assert "".join(jsontext.chunks(data)) == jsontext.dumps(data)


def test_a_lazy_list_makes_its_elements_one_at_a_time():
    alive = []

    def make():
        for i in range(5):
            assert not alive, "an element's data outlived its writing"
            element = {"i": i}
            alive.append(element)
            yield element
            alive.pop()  # the writer asks for the next one only once this one is written

    pieces = jsontext.chunks({"items": Lazy(make)})
    assert "".join(pieces) == jsontext.dumps({"items": [{"i": i} for i in range(5)]})


# --- the reports --------------------------------------------------------------------------


def test_json_chunks_are_render(sample_result):
    text = "".join(json_report.chunks(sample_result))
    assert text == json_report.render(sample_result) == render("json", sample_result)
    assert text == "".join(chunks("json", sample_result))
    assert len(list(json_report.chunks(sample_result))) > len(sample_result.findings)  # in pieces


@pytest.mark.parametrize("opts", [{}, {"include_suppressed": True}, {"category": "infra", "start_time": "2026-01-01T00:00:00Z"}])
def test_sarif_chunks_are_render(sample_result, opts):
    text = "".join(sarif.chunks(sample_result, **opts))
    assert text == sarif.render(sample_result, **opts) == "".join(chunks("sarif", sample_result, **opts))
    assert len(list(sarif.chunks(sample_result, **opts))) > len(sample_result.findings)


@pytest.mark.parametrize("fmt,opts", [
    ("gitlab", {}),
    ("gitlab", {"workspace": str(REPO)}),
    ("gitlab-sast", {"start_time": "2026-01-01T00:00:00Z", "end_time": "2026-01-01T00:00:05Z"}),
])
def test_gitlab_chunks_are_render(sample_result, fmt, opts):
    pieces = list(chunks(fmt, sample_result, **opts))
    assert "".join(pieces) == render(fmt, sample_result, **opts)
    assert len(pieces) > len(sample_result.findings)


def test_empty_result_chunks_are_render(empty_result):
    for fmt in ("text", "json", "sarif", "gitlab"):
        assert "".join(chunks(fmt, empty_result)) == render(fmt, empty_result)


@pytest.mark.parametrize("opts", [{}, {"color": True, "verbose": True, "fail_on_error": True}])
def test_text_chunks_are_render_line_by_line(sample_result, result, empty_result, opts):
    for res in (sample_result, result, empty_result):
        pieces = list(chunks("text", res, **opts))
        assert "".join(pieces) == render("text", res, **opts)
        assert all(p.endswith("\n") and p.count("\n") == 1 for p in pieces)  # a colour never spans two pieces


def test_other_formats_come_whole(result):
    for fmt in ("junit", "markdown"):
        assert list(chunks(fmt, result)) == [render(fmt, result)]


def test_unknown_options_raise_at_once(result):
    with pytest.raises(TypeError):
        chunks("json", result, colour=True)
    with pytest.raises(TypeError):
        chunks("sarif", result, colour=True)


# --- writing in pieces --------------------------------------------------------------------


def test_write_all_batches_pieces():
    written = []
    write_all(written.append, ("x" * 1000 for _ in range(200)))
    assert "".join(written) == "x" * 200_000
    assert 1 < len(written) < 200
    written.clear()
    write_all(written.append, iter(()))
    assert written == []


def test_write_chunks_writes_the_text(tmp_path):
    target = tmp_path / "r.json"
    write_chunks(str(target), iter(["a", "é\n", "b" * 100_000]))
    assert target.read_bytes() == ("aé\n" + "b" * 100_000).encode("utf-8")
    mask = os.umask(0o022)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # a normal new file's permissions, as write_text
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_write_chunks_replaces_a_symlink_without_following_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("secret\n")
    link = tmp_path / "report.json"
    link.symlink_to(victim)
    write_chunks(str(link), iter(["{", "}\n"]))
    assert not link.is_symlink()
    assert link.read_text() == "{}\n"
    assert victim.read_text() == "secret\n"


def test_a_failed_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old report\n")

    def failing():
        yield "x" * 200_000  # more than one batch: some of it reaches the temporary file
        raise RuntimeError("report failed half way")

    with pytest.raises(RuntimeError):
        write_chunks(str(target), failing())
    assert target.read_text() == "old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]

    def interrupted():
        yield "{"
        raise KeyboardInterrupt

    fresh = tmp_path / "new.json"
    with pytest.raises(KeyboardInterrupt):
        write_chunks(str(fresh), interrupted())
    assert not fresh.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_write_chunks_refuses_a_directory(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(RefusedTarget):
        write_chunks(str(tmp_path / "d"), iter(["x"]))


def test_write_text_is_write_chunks_of_one_piece(tmp_path):
    write_text(str(tmp_path / "a"), "text\n")
    assert (tmp_path / "a").read_text() == "text\n"


# --- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_cli_streams_the_same_bytes_to_a_file_and_stdout(tmp_path, monkeypatch, fmt):
    """(The bytes themselves are the golden files': tests/test_golden_reports.py.)"""
    monkeypatch.chdir(REPO)
    out = tmp_path / ("r." + fmt)
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    out.symlink_to(victim)
    runner = CliRunner()
    res = runner.invoke(main, ["scan", "sample_iac", "-q", "--format", fmt, "-o", str(out), "--fail-on", "none", "--no-cache", "-j", "1"])
    assert res.exit_code == 0, res.output
    assert not out.is_symlink() and victim.read_text() == "keep\n"
    written = out.read_text()
    assert json.loads(written) and written.endswith("}\n")
    res = runner.invoke(main, ["scan", "sample_iac", "-q", "--format", fmt, "--fail-on", "none", "--no-cache", "-j", "1"])
    assert res.exit_code == 0
    assert res.stdout == written
