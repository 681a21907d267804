"""`--format gitlab` (Code Quality) and `--format gitlab-sast` (SAST report), validated against
GitLab's published SAST schema (vendored in tests/data/gitlab/) and the Code Quality fields its
documentation requires."""
from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from iacguard import output
from iacguard.cli import main
from iacguard.core.model import Finding, Location
from iacguard.output import gitlab

DATA = Path(__file__).resolve().parents[1] / "data" / "gitlab"
REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
END = datetime(2026, 1, 2, 3, 4, 9, 700000, tzinfo=timezone.utc)

TF = """\
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""


def _validator(name: str):
    schema = json.loads((DATA / name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture(scope="module")
def sast_schema():
    return _validator("sast-report-format-15.0.6.json")


@pytest.fixture(scope="module")
def quality_schema():
    return _validator("codequality-report.schema.json")


@pytest.fixture(scope="module")
def gitlab_issue_schema():
    """GitLab's own schema for one Code Quality issue (app/validators/json_schemas/codeclimate.json)."""
    return _validator("codeclimate.json")


def _valid(validator, data):
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join("%s: %s" % (list(e.path), e.message) for e in errors[:10])


def test_vendored_schema_is_gitlabs_15_0_6():
    schema = json.loads((DATA / "sast-report-format-15.0.6.json").read_text())
    assert schema["self"]["version"] == gitlab.SAST_VERSION == "15.0.6"
    assert schema["title"] == "Report format for GitLab SAST"
    assert "MIT" in (DATA / "README.md").read_text()


# ----------------------------------------------------------------------------- Code Quality


def test_code_quality_issues_pass_gitlabs_own_schema(result, gitlab_issue_schema):
    issues = json.loads(output.render("gitlab", result))
    assert issues
    for issue in issues:
        _valid(gitlab_issue_schema, issue)


def test_code_quality_report(result, quality_schema):
    issues = json.loads(output.render("gitlab", result))
    _valid(quality_schema, issues)
    findings = [i for i in issues if i["check_name"].startswith("AWS-")]
    assert len(findings) == 4
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    sev = {(i["check_name"], i["location"]["path"]): i["severity"] for i in findings}
    assert sev[("AWS-EC2-001", "main.tf")] == "blocker"  # critical
    assert sev[("AWS-S3-001", "main.tf")] == "critical"  # high
    assert sev[("AWS-S3-002", "main.tf")] == "major"  # medium
    cfn = [i for i in findings if i["location"]["path"] == "my stacks/store bucket.yaml"][0]
    assert cfn["location"]["lines"] == {"begin": 4, "end": 6}
    assert "condition IsProd is true" in cfn["description"] and "Bucket" in cfn["description"]
    # The file that failed to parse is an issue of its own; the skipped large file (a warning) is not.
    broken = [i for i in issues if i["check_name"] == gitlab.NOT_SCANNED]
    assert [(b["location"]["path"], b["location"]["lines"]["begin"], b["severity"]) for b in broken] == [("broken.tf", 3, "major")]


def test_code_quality_low_is_minor_and_fingerprints_follow_the_code(tmp_path, scan):
    (tmp_path / "a").mkdir()
    a = scan.build(tmp_path / "a")
    b = scan.build(tmp_path / "a", shift=5)  # the same tree, lines moved down
    fa = {i["fingerprint"] for i in gitlab.code_quality(a)}
    fb = {i["fingerprint"] for i in gitlab.code_quality(b)}
    assert fa == fb  # fingerprints name check, file and resource, not lines
    bucket = [f for f in a.findings if f.resource.language == "cloudformation"][0]
    a.findings.append(Finding("AWS-S3-003", bucket.resource, "No versioning.", bucket.location))
    low = [i for i in gitlab.code_quality(a) if i["check_name"] == "AWS-S3-003"]
    assert [i["severity"] for i in low] == ["minor"]


def test_code_quality_same_check_twice_on_one_resource_keeps_both(tmp_path, scan, quality_schema):
    res = scan.build(tmp_path)
    f = res.findings[0]
    res.findings.insert(1, Finding(f.check_id, f.resource, "Also port 3389.", Location(f.location.path, 8, 8)))
    issues = gitlab.code_quality(res)
    _valid(quality_schema, issues)
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_empty_reports_are_valid(empty_result, quality_schema, sast_schema):
    assert json.loads(output.render("gitlab", empty_result)) == []
    data = json.loads(output.render("gitlab-sast", empty_result, start_time=START, end_time=END))
    _valid(sast_schema, data)
    assert data["vulnerabilities"] == []


# ----------------------------------------------------------------------------- SAST


def test_sast_report(result, sast_schema):
    data = json.loads(output.render("gitlab-sast", result, start_time=START, end_time=END))
    _valid(sast_schema, data)
    assert data["version"] == "15.0.6" and data["schema"].endswith("/v15.0.6/dist/sast-report-format.json")
    scan = data["scan"]
    assert (scan["type"], scan["status"], scan["start_time"], scan["end_time"]) == ("sast", "success", "2026-01-02T03:04:05", "2026-01-02T03:04:09")
    assert scan["analyzer"]["id"] == scan["scanner"]["id"] == "iacguard"
    assert [m["level"] for m in scan["messages"]] == ["warn", "warn"]
    assert any(m["value"].startswith("broken.tf:3: ") for m in scan["messages"])
    vulns = data["vulnerabilities"]
    assert len(vulns) == 4
    assert len({v["id"] for v in vulns}) == 4
    for v in vulns:
        assert uuid.UUID(v["id"]).version == 5
    ec2 = [v for v in vulns if v["identifiers"][0]["value"] == "AWS-EC2-001"][0]
    assert ec2["severity"] == "Critical"
    assert ec2["name"] == "Security group allows ingress from the internet to SSH"  # no finding details in the name
    assert "allows 0.0.0.0/0 to port 22" in ec2["description"]
    assert ec2["location"] == {"file": "main.tf", "start_line": 7, "end_line": 7}
    assert ec2["identifiers"][0] == {"type": "iacguard_check_id", "name": "iacguard AWS-EC2-001", "value": "AWS-EC2-001"}
    assert {"type": "cwe", "name": "CWE-284", "value": "284", "url": "https://cwe.mitre.org/data/definitions/284.html"} in ec2["identifiers"]
    assert ec2["links"][0]["url"].startswith("https://")
    assert "sse_algorithm" in ec2["solution"] and "```" not in ec2["solution"]
    sev = sorted(v["severity"] for v in vulns)
    assert sev == ["Critical", "High", "High", "Medium"]
    cfn = [v for v in vulns if v["location"]["file"] == "my stacks/store bucket.yaml"][0]
    assert (cfn["location"]["start_line"], cfn["location"]["end_line"]) == (4, 6)


def test_sast_is_deterministic_and_ids_follow_the_code(tmp_path, scan):
    (tmp_path / "a").mkdir()
    a = scan.build(tmp_path / "a")
    first = output.render("gitlab-sast", a, start_time=START, end_time=END)
    assert output.render("gitlab-sast", a, start_time=START, end_time=END) == first
    b = scan.build(tmp_path / "a", shift=3)
    ids_a = {v["id"] for v in json.loads(first)["vulnerabilities"]}
    ids_b = {v["id"] for v in json.loads(output.render("gitlab-sast", b, start_time=START, end_time=END))["vulnerabilities"]}
    assert ids_a == ids_b


def test_sast_default_times_are_now(result, sast_schema):
    before = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    data = gitlab.sast_report(result)
    _valid(sast_schema, data)
    end = datetime.fromisoformat(data["scan"]["end_time"])
    start = datetime.fromisoformat(data["scan"]["start_time"])
    assert before <= end and start <= end
    # Strings are read too, and a bad one falls back to now rather than failing.
    data = gitlab.sast_report(result, start_time="2026-01-02T03:04:05Z", end_time="not a time")
    assert data["scan"]["start_time"] == "2026-01-02T03:04:05"
    _valid(sast_schema, data)


def test_hostile_text_is_made_visible(tmp_path, scan, sast_schema, quality_schema):
    res = scan.build(tmp_path)
    f = res.findings[0]
    res.findings[0] = Finding(f.check_id, f.resource, "evil \x1b]8;;x\x07link\u202e end\nsecond line", f.location)
    sast = output.render("gitlab-sast", res, start_time=START, end_time=END)
    quality = output.render("gitlab", res)
    descriptions = [v["description"] for v in json.loads(sast)["vulnerabilities"]] + [i["description"] for i in json.loads(quality)]
    for text in descriptions:
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    hits = [t for t in descriptions if "evil \\x1b]8;;x\\x07link\\u202e end" in t]  # written as visible escapes
    assert len(hits) == 2
    assert "\nsecond line" in hits[0]  # the SAST description keeps its line breaks (Markdown)
    _valid(sast_schema, json.loads(sast))
    _valid(quality_schema, json.loads(quality))


def test_workspace_paths(result, tmp_path):
    issues = gitlab.code_quality(result, workspace=str(tmp_path / "my stacks"))
    assert "store bucket.yaml" in {i["location"]["path"] for i in issues}
    vulns = gitlab.sast_report(result, workspace=str(tmp_path / "my stacks"), start_time=START, end_time=END)["vulnerabilities"]
    assert "store bucket.yaml" in {v["location"]["file"] for v in vulns}


def _scan(args, cwd, env=None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, env=env or {}, catch_exceptions=False)
    finally:
        os.chdir(old)


def test_cli_formats_and_output_files(tmp_path, sast_schema, quality_schema):
    project = tmp_path / "project"
    (project / "infra").mkdir(parents=True)
    (project / "infra" / "main.tf").write_text(TF)
    quality = tmp_path / "gl-code-quality-report.json"
    sast = tmp_path / "gl-sast-report.json"
    # Run from a subfolder: report paths follow CI_PROJECT_DIR, not the working directory.
    res = _scan(["scan", "--format", "gitlab", "--output-file", "gitlab-sast=%s" % sast,
                 "--output-file", "gitlab=%s" % quality, "."], project / "infra", env={"CI_PROJECT_DIR": str(project)})
    assert res.exit_code == 1, res.output
    issues = json.loads(res.stdout)
    _valid(quality_schema, issues)
    assert issues and {i["location"]["path"] for i in issues} == {"infra/main.tf"}
    assert json.loads(quality.read_text()) == issues
    data = json.loads(sast.read_text())
    _valid(sast_schema, data)
    assert {v["location"]["file"] for v in data["vulnerabilities"]} == {"infra/main.tf"}
    assert {v["severity"] for v in data["vulnerabilities"]} <= {"Critical", "High", "Medium", "Low"}
    assert any(v["identifiers"][0]["value"].startswith("AWS-EC2") for v in data["vulnerabilities"])


def test_sample_iac_reports_are_valid(tmp_path, sast_schema, quality_schema):
    sast = tmp_path / "sast.json"
    res = _scan(["scan", "sample_iac", "--format", "gitlab", "--output-file", "gitlab-sast=%s" % sast], REPO)
    assert res.exit_code == 1, res.output
    issues = json.loads(res.stdout)
    _valid(quality_schema, issues)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert all(i["location"]["path"].startswith("sample_iac/") for i in issues)
    data = json.loads(sast.read_text())
    _valid(sast_schema, data)
    assert len(data["vulnerabilities"]) == len([i for i in issues if i["check_name"] != gitlab.NOT_SCANNED])
    assert len({v["id"] for v in data["vulnerabilities"]}) == len(data["vulnerabilities"])


def test_configuration_outputs_table(tmp_path, sast_schema, quality_schema):
    project = tmp_path / "project"
    project.mkdir()
    (project / "main.tf").write_text(TF)
    (project / ".iacguard.toml").write_text('[outputs]\ngitlab = "gl-code-quality-report.json"\ngitlab-sast = "gl-sast-report.json"\n')
    res = _scan(["scan", "."], project)
    assert res.exit_code == 1, res.output
    _valid(quality_schema, json.loads((project / "gl-code-quality-report.json").read_text()))
    _valid(sast_schema, json.loads((project / "gl-sast-report.json").read_text()))


def test_readme_documents_the_formats():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for phrase in ("- **github**:", "- **gitlab**:", "- **gitlab-sast**:", "10 error and 10 warning", "codequality: gl-code-quality-report.json", "sast: gl-sast-report.json"):
        assert phrase in text, phrase
