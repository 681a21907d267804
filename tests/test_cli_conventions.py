"""The command-line conventions users expect (issue 16, point 6): comma lists for check ids, an
IACGUARD_<OPTION> environment variable for every scan option (flag > environment > configuration
file > default), --min-severity, `iacguard checks --format json|markdown`, and `-` reading one
template from standard input."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.cli import main
from iacguard.discover.stdin import file_name

pytestmark = pytest.mark.catalogue("all")  # the whole catalogue: sample_iac's findings as users see them

REPO = Path(__file__).resolve().parent.parent
WEB_APP = REPO / "sample_iac" / "cloudformation" / "web-app.yaml"
TF_MAIN = REPO / "sample_iac" / "terraform" / "security.tf"

# Checks of web-app.yaml and their severities (see sample_iac).
RDS_LOW = ("AWS-RDS-201", "AWS-RDS-612")
RDS_HIGH = ("AWS-RDS-001", "AWS-RDS-002")

S3_TEMPLATE_YAML = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: my-bucket
"""
S3_TEMPLATE_JSON = json.dumps({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "my-bucket"}}}})
S3_TERRAFORM = """resource "aws_s3_bucket" "b" {
  bucket = "my-bucket"
}
"""
S3_TERRAFORM_JSON = json.dumps({"resource": {"aws_s3_bucket": {"b": {"bucket": "my-bucket"}}}})


def clean_env() -> dict:
    """Every IACGUARD_ variable unset (CliRunner's env: None removes a variable)."""
    return {k: None for k in os.environ if k.startswith("IACGUARD_")}


def run(args, env=None, input=None):
    runner = CliRunner()
    full_env = clean_env()
    full_env.update(env or {})
    result = runner.invoke(main, args, env=full_env, input=input, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def scan_json(args, env=None, input=None):
    result = run(["scan", *args, "--format", "json", "--no-cache", "-q"], env=env, input=input)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def check_ids(doc) -> set:
    return {f["check_id"] for f in doc["findings"]}


# -- comma lists ------------------------------------------------------------------------------

def test_check_takes_a_comma_list_like_repeated_flags():
    _, repeated = scan_json([str(WEB_APP), "--no-config", "--check", RDS_HIGH[0], "--check", RDS_HIGH[1]])
    _, comma = scan_json([str(WEB_APP), "--no-config", "--check", "%s, %s" % RDS_HIGH])
    _, lower = scan_json([str(WEB_APP), "--no-config", "--check", ",".join(RDS_HIGH).lower() + ","])
    assert check_ids(repeated) == check_ids(comma) == check_ids(lower) == set(RDS_HIGH)


def test_skip_check_takes_a_comma_list():
    _, all_ = scan_json([str(WEB_APP), "--no-config"])
    _, doc = scan_json([str(WEB_APP), "--no-config", "--skip-check", ",".join(RDS_HIGH + RDS_LOW)])
    assert set(RDS_HIGH + RDS_LOW) <= check_ids(all_)
    assert not (set(RDS_HIGH + RDS_LOW) & check_ids(doc))
    assert check_ids(doc) == check_ids(all_) - set(RDS_HIGH + RDS_LOW)


def test_severity_takes_a_comma_list():
    _, doc = scan_json([str(WEB_APP), "--no-config", "--check", ",".join(RDS_HIGH), "--severity", "%s=low,%s=critical" % RDS_HIGH])
    got = {f["check_id"]: f["severity"] for f in doc["findings"]}
    assert got == {RDS_HIGH[0]: "low", RDS_HIGH[1]: "critical"}


def test_unknown_id_in_a_comma_list_is_a_usage_error():
    result = run(["scan", str(WEB_APP), "--no-config", "--check", "%s,NOPE-999" % RDS_HIGH[0]])
    assert result.exit_code == 2
    assert "NOPE-999" in result.output


# -- environment variables --------------------------------------------------------------------

def test_fail_on_from_the_environment():
    assert run(["scan", str(WEB_APP), "--no-config", "--no-cache", "-q"]).exit_code == 1
    assert run(["scan", str(WEB_APP), "--no-config", "--no-cache", "-q"], env={"IACGUARD_FAIL_ON": "none"}).exit_code == 0


def test_flag_beats_environment_beats_configuration_beats_default(tmp_path):
    config = tmp_path / "iacguard.toml"
    config.write_text('fail-on = "none"\n')
    base = ["scan", str(WEB_APP), "--no-cache", "-q", "--check", ",".join(RDS_LOW)]  # low findings only
    # default (low): fails
    assert run(base + ["--no-config"]).exit_code == 1
    # configuration (none) over the default
    assert run(base + ["--config", str(config)]).exit_code == 0
    # environment (low) over the configuration
    assert run(base + ["--config", str(config)], env={"IACGUARD_FAIL_ON": "low"}).exit_code == 1
    # flag (none) over the environment
    assert run(base + ["--config", str(config), "--fail-on", "none"], env={"IACGUARD_FAIL_ON": "low"}).exit_code == 0
    # the configuration file itself can come from the environment
    assert run(base, env={"IACGUARD_CONFIG": str(config)}).exit_code == 0


def test_list_options_from_the_environment():
    _, doc = scan_json([str(WEB_APP), "--no-config"], env={"IACGUARD_CHECK": ",".join(RDS_HIGH)})
    assert check_ids(doc) == set(RDS_HIGH)
    _, doc = scan_json([str(WEB_APP), "--no-config"], env={"IACGUARD_CHECK": " ".join(RDS_HIGH)})
    assert check_ids(doc) == set(RDS_HIGH)
    # the flag replaces the variable
    _, doc = scan_json([str(WEB_APP), "--no-config", "--check", RDS_LOW[0]], env={"IACGUARD_CHECK": ",".join(RDS_HIGH)})
    assert check_ids(doc) == {RDS_LOW[0]}
    _, doc = scan_json([str(WEB_APP), "--no-config"], env={"IACGUARD_SKIP_CHECK": ",".join(RDS_HIGH)})
    assert not (check_ids(doc) & set(RDS_HIGH))


@pytest.mark.parametrize("value,whole_project", [("false", False), ("0", False), ("true", True), ("1", True)])
def test_boolean_flags_from_the_environment(value, whole_project):
    _, doc = scan_json([str(WEB_APP)], env={"IACGUARD_NO_CONFIG": "1", "IACGUARD_WHOLE_PROJECT_CHECKS": value})
    assert ("AWS-CT-100" in check_ids(doc)) is whole_project


@pytest.mark.parametrize("value,quiet", [("true", True), ("1", True), ("false", False), ("0", False)])
def test_is_flag_options_from_the_environment(value, quiet, tmp_path):
    out = tmp_path / "r.json"
    result = run(["scan", str(WEB_APP), "--no-config", "--no-cache", "--format", "json", "-o", str(out)], env={"IACGUARD_QUIET": value})
    assert ("report written to" in result.stderr) is (not quiet)


def test_bad_boolean_in_the_environment_is_a_usage_error():
    result = run(["scan", str(WEB_APP), "--no-config"], env={"IACGUARD_QUIET": "maybe"})
    assert result.exit_code == 2
    assert "IACGUARD_QUIET" in result.output


def test_every_scan_option_has_an_environment_variable():
    from iacguard.cli import baseline, pre_commit, scan

    for command in (scan, baseline, pre_commit):
        for param in command.params:
            if param.param_type_name == "option" and param.name not in ("help",):
                assert param.envvar and param.envvar.startswith("IACGUARD_"), (command.name, param.name)
    names = {p.name: p.envvar for p in scan.params}
    assert names["fail_on"] == "IACGUARD_FAIL_ON"
    assert names["only"] == "IACGUARD_CHECK"
    assert names["min_severity"] == "IACGUARD_MIN_SEVERITY"
    assert names["color"] == "IACGUARD_COLOR"
    assert "IACGUARD_FAIL_ON" in run(["scan", "--help"]).output
    assert {p.name: p.envvar for p in baseline.params}["output"] == "IACGUARD_BASELINE_OUTPUT"


# -- --min-severity ---------------------------------------------------------------------------

def test_min_severity_leaves_lower_findings_out_and_counts_them():
    _, all_ = scan_json([str(WEB_APP), "--no-config"])
    _, doc = scan_json([str(WEB_APP), "--no-config", "--min-severity", "high"])
    assert doc["findings"] and all(f["severity"] in ("high", "critical") for f in doc["findings"])
    below = [f for f in all_["findings"] if f["severity"] in ("low", "medium")]
    assert below
    assert doc["summary"]["below_min_severity"] == {"level": "high", "count": len(below)}
    assert len(doc["findings"]) == len(all_["findings"]) - len(below)
    assert "below_min_severity" not in all_["summary"]  # reports without it are unchanged


def test_min_severity_drives_the_exit_code_separately_from_fail_on():
    args = ["scan", str(WEB_APP), "--no-config", "--no-cache", "-q", "--check", ",".join(RDS_LOW)]
    assert run(args).exit_code == 1
    assert run(args + ["--min-severity", "high"]).exit_code == 0
    # fail-on is separate: a high finding kept by min-severity medium still fails at fail-on high
    args_high = ["scan", str(WEB_APP), "--no-config", "--no-cache", "-q", "--check", ",".join(RDS_LOW + RDS_HIGH)]
    assert run(args_high + ["--min-severity", "medium", "--fail-on", "high"]).exit_code == 1
    assert run(args_high + ["--min-severity", "medium", "--fail-on", "critical"]).exit_code == 0


@pytest.mark.parametrize("fmt,needle", [("text", "below min-severity high: 2"), ("markdown", "Below min-severity high:** 2"), ("html", "Below min-severity high")])
def test_min_severity_count_is_in_every_summary(fmt, needle):
    result = run(["scan", str(WEB_APP), "--no-config", "--no-cache", "-q", "--format", fmt, "--check", ",".join(RDS_LOW + RDS_HIGH), "--min-severity", "high"])
    assert needle in result.stdout
    for cid in RDS_LOW:
        assert cid + "]" not in result.stdout and (" " + cid + " ") not in result.stdout


def test_min_severity_in_sarif_and_junit_leaves_findings_out():
    import xml.etree.ElementTree as ET

    args = ["scan", str(WEB_APP), "--no-config", "--no-cache", "-q", "--check", ",".join(RDS_LOW + RDS_HIGH), "--min-severity", "high"]
    sarif = json.loads(run(args + ["--format", "sarif"]).stdout)
    rules = {r["ruleId"] for run_ in sarif["runs"] for r in run_["results"]}
    assert rules == set(RDS_HIGH)
    junit = ET.fromstring(run(args + ["--format", "junit"]).stdout)
    failing = {case.get("classname", "") + " " + case.get("name", "") for case in junit.iter("testcase") if case.find("failure") is not None}
    assert any(cid in name for name in failing for cid in RDS_HIGH)
    assert not any(cid in name for name in failing for cid in RDS_LOW)


def test_min_severity_from_configuration_and_environment(tmp_path):
    config = tmp_path / ".iacguard.toml"
    config.write_text('min-severity = "critical"\n')
    _, doc = scan_json([str(WEB_APP), "--config", str(config)])
    assert {f["severity"] for f in doc["findings"]} == {"critical"}
    assert "min-severity critical" in doc["configuration"]["changes"]  # every report says what the file changed
    _, doc = scan_json([str(WEB_APP), "--config", str(config)], env={"IACGUARD_MIN_SEVERITY": "high"})
    assert {f["severity"] for f in doc["findings"]} == {"critical", "high"}
    _, doc = scan_json([str(WEB_APP), "--config", str(config), "--min-severity", "low"], env={"IACGUARD_MIN_SEVERITY": "high"})
    assert "low" in {f["severity"] for f in doc["findings"]}


def test_min_severity_bad_values(tmp_path):
    config = tmp_path / ".iacguard.toml"
    config.write_text('min-severity = "none"\n')
    result = run(["scan", str(WEB_APP), "--config", str(config)])
    assert result.exit_code == 2 and "min-severity" in result.output
    result = run(["scan", str(WEB_APP), "--no-config", "--min-severity", "urgent"])
    assert result.exit_code == 2


def test_pre_commit_takes_min_severity(tmp_path, monkeypatch):
    (tmp_path / "t.yaml").write_text(WEB_APP.read_text())
    monkeypatch.chdir(tmp_path)
    args = ["pre-commit", "t.yaml", "--no-config", "--no-cache", "-q", "--check", ",".join(RDS_LOW)]
    assert run(args).exit_code == 1
    result = run(args + ["--min-severity", "high"])
    assert result.exit_code == 0 and "below min-severity high: 2" in result.stdout


# -- iacguard checks --format ----------------------------------------------------------------

def test_checks_format_json():
    from iacguard.checks import REGISTRY

    result = run(["checks", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert sorted(r["id"] for r in rows) == sorted(c.id for c in REGISTRY)
    assert {"id", "severity", "pillar", "title"} <= set(rows[0])


def test_checks_format_markdown():
    from iacguard.checks import REGISTRY

    result = run(["checks", "--format", "markdown"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("| id | severity |") and lines[1].startswith("|---")
    assert len(lines) == 2 + len(REGISTRY)


def test_checks_ignores_the_scan_environment():
    result = run(["checks"], env={"IACGUARD_FORMAT": "sarif"})
    assert result.exit_code == 0 and result.stdout.startswith("ID")


# -- standard input ---------------------------------------------------------------------------

@pytest.mark.parametrize("content,name", [
    (S3_TEMPLATE_YAML, "template.yaml"),
    (S3_TEMPLATE_JSON, "template.json"),
    (S3_TERRAFORM, "main.tf"),
    (S3_TERRAFORM_JSON, "main.tf.json"),
    ('{"format_version": "1.2", "planned_values": {}}', "plan.json"),
    ("Resources:\n  X:\n    Type: AWS::S3::Bucket\n", "template.yaml"),
    ("{not json", "template.json"),
    ("\ufeff" + S3_TERRAFORM, "main.tf"),
])
def test_stdin_kind_is_told_from_the_content(content, name):
    assert file_name(content.encode("utf-8")) == name


@pytest.mark.parametrize("content", [S3_TEMPLATE_YAML, S3_TEMPLATE_JSON, S3_TERRAFORM, S3_TERRAFORM_JSON])
def test_stdin_is_scanned_and_reported_as_stdin(content, tmp_path, monkeypatch):
    import tempfile

    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    code, doc = scan_json(["-", "--no-config"], input=content)
    assert code == 1
    assert doc["findings"], doc
    assert {f["file"] if "file" in f else f["location"]["path"] for f in doc["findings"]} == {"<stdin>"}
    assert "iacguard-stdin" not in json.dumps(doc)
    assert list(private.iterdir()) == []  # the temporary copy is gone


def test_stdin_text_report_and_suppression():
    result = run(["scan", "-", "--no-config", "--no-cache"], input=WEB_APP.read_text())
    assert result.exit_code == 1
    assert result.stdout.startswith("<stdin>")
    assert "iacguard-stdin" not in result.output


def test_stdin_same_findings_as_the_file():
    _, from_file = scan_json([str(WEB_APP), "--no-config"])
    _, from_stdin = scan_json(["-", "--no-config"], input=WEB_APP.read_text())
    key = lambda doc: sorted((f["check_id"], f["resource"] if isinstance(f["resource"], str) else json.dumps(f["resource"], sort_keys=True)) for f in doc["findings"])  # noqa: E731
    assert len(from_file["findings"]) == len(from_stdin["findings"])
    assert [k[0] for k in key(from_file)] == [k[0] for k in key(from_stdin)]


def test_stdin_refusals():
    for args, data, needle in [
        (["-"], "", "empty"),
        (["-"], "   \n", "empty"),
        (["-", "--max-file-size", "10"], S3_TEMPLATE_YAML, "larger"),
        (["-", str(WEB_APP)], S3_TEMPLATE_YAML, "cannot be combined"),
        (["-", "--diff-base", "HEAD"], S3_TEMPLATE_YAML, "--diff-base"),
    ]:
        result = run(["scan", *args, "--no-config", "--no-cache"], input=data)
        assert result.exit_code == 2, (args, result.output)
        assert needle in result.output


@pytest.mark.parametrize("data", [b"\x00\xff\xfe garbage \x00", b"{" * 5000, b"a: [", "Resources: {X: {Type: 'AWS::S3::Bucket', Properties: ".encode()])
def test_stdin_bad_input_never_crashes(data):
    result = CliRunner().invoke(main, ["scan", "-", "--no-config", "--no-cache"], input=data, env=clean_env())
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_stdin_through_a_real_pipe(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IACGUARD_")}
    proc = subprocess.run([sys.executable, "-m", "iacguard.cli", "scan", "-", "--no-config", "--no-cache", "--format", "json"],
                          input=WEB_APP.read_bytes(), capture_output=True, cwd=str(tmp_path), env=env, timeout=300)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["findings"]
    assert b"iacguard-stdin" not in proc.stdout


def test_stdin_inline_suppressions_are_honoured():
    text = WEB_APP.read_text()
    _, before = scan_json(["-", "--no-config", "--check", RDS_HIGH[1]], input=text)
    assert check_ids(before) == {RDS_HIGH[1]}
    lines = text.splitlines(keepends=True)
    line = before["findings"][0]["line"] if "line" in before["findings"][0] else before["findings"][0]["start_line"]
    lines.insert(line - 1, "    # iacguard:ignore %s reviewed, test database\n" % RDS_HIGH[1])
    code, after = scan_json(["-", "--no-config", "--check", RDS_HIGH[1]], input="".join(lines))
    assert code == 0 and not after["findings"]
    assert len(after["suppressed"]) == 1
    assert "iacguard-stdin" not in json.dumps(after)


def test_empty_environment_variables_count_as_unset():
    # A CI that passes an unset input as "" must not change anything.
    env = {name: "" for name in ("IACGUARD_CHECK", "IACGUARD_FAIL_ON", "IACGUARD_MIN_SEVERITY", "IACGUARD_FORMAT",
                                 "IACGUARD_OUTPUT", "IACGUARD_CONFIG", "IACGUARD_QUIET", "IACGUARD_MAX_FILE_SIZE")}
    code, doc = scan_json([str(WEB_APP), "--no-config"], env=env)
    _, plain = scan_json([str(WEB_APP), "--no-config"])
    assert code == 1 and check_ids(doc) == check_ids(plain)


def test_baseline_command_reads_the_environment(tmp_path):
    out = tmp_path / "base.json"
    result = run(["baseline", str(WEB_APP), "--no-config", "--no-cache", "-o", str(out)], env={"IACGUARD_CHECK": ",".join(RDS_HIGH)})
    assert result.exit_code == 0, result.output
    assert "baseline of 2 finding(s)" in result.stderr


def test_report_says_whether_a_flag_or_the_environment_replaced_the_configuration(tmp_path):
    config = tmp_path / ".iacguard.toml"
    config.write_text('fail-on = "none"\n')
    _, doc = scan_json([str(WEB_APP), "--config", str(config)], env={"IACGUARD_FAIL_ON": "high"})
    assert doc["configuration"]["changes"] == ["fail-on none (overridden by the environment (IACGUARD_FAIL_ON))"]
    _, doc = scan_json([str(WEB_APP), "--config", str(config), "--fail-on", "high"])
    assert doc["configuration"]["changes"] == ["fail-on none (overridden by the command line)"]
