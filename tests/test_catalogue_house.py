"""The house for the catalogue (issue 13): `iacguard checks --format json|markdown`, equivalent
ids on a check, and the `root` facts project-level checks report on."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from iacguard.check import Check
from iacguard.checks import REGISTRY
from iacguard.cli import main
from iacguard.engine import build_graph
from iacguard.facts import Facts

pytestmark = pytest.mark.catalogue("all")  # the catalogue's own tests run every check


def test_checks_json_lists_every_check_with_its_metadata():
    result = CliRunner().invoke(main, ["checks", "--format", "json"])
    assert result.exit_code == 0
    got = json.loads(result.stdout)
    assert [c["id"] for c in got] == sorted(c.id for c in REGISTRY)
    first = got[0]
    assert set(first) == {"id", "title", "severity", "pillar", "languages", "scope", "cwe", "equivalents"}


def test_checks_markdown_is_the_readme_table():
    result = CliRunner().invoke(main, ["checks", "--format", "markdown"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "| id | severity | pillar | languages | title | equivalent ids |"
    assert len(lines) == 2 + len(REGISTRY)


def _check(**kw):
    base = dict(id="X-1", title="t", severity="low", pillar="data", what="w", why="y", fix_terraform="f",
                fix_cloudformation="f", kinds=(), evaluate=lambda facts: ())
    base.update(kw)
    return Check(**base)


def test_equivalents_are_pairs_of_a_known_tool_and_an_id():
    c = _check(equivalents=(("checkov", "CKV_AWS_19"), ("trivy", "AVD-AWS-0088")))
    assert "## Equivalent ids" in c.markdown() and "- checkov: `CKV_AWS_19`" in c.markdown()
    assert c.summary()["equivalents"] == {"checkov": ["CKV_AWS_19"], "trivy": ["AVD-AWS-0088"]}
    for bad in (("checkov",), ("nessus", "1"), ("checkov", "")):
        with pytest.raises(ValueError):
            _check(equivalents=(bad,))


def test_root_facts_stand_for_each_root_at_its_first_file(tmp_path):
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "b.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    (tmp_path / "live" / "a.tf").write_text('module "m" {\n  source = "../modules/m"\n}\n')
    (tmp_path / "modules" / "m").mkdir(parents=True)
    (tmp_path / "modules" / "m" / "main.tf").write_text('resource "aws_cloudtrail" "t" {\n  name = "t"\n  s3_bucket_name = "x"\n}\n')
    (tmp_path / "stack.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    roots = Facts(build_graph([str(tmp_path)]).graph).of_kind("root")
    got = [(r.resource.type, r.resource.address, r.resource.location.path[len(str(tmp_path)) + 1:], r.resource.location.start_line) for r in roots]
    assert got == [("terraform_root_module", "(root module)", "live/b.tf", 1), ("cloudformation_stack", "(stack)", "stack.yaml", 1)]
    live = roots[0]
    assert [r.address for r in live.resources_of("aws_cloudtrail")] == ["module.m.aws_cloudtrail.t"]
    assert roots[1].resources_of("aws_cloudtrail") == []
