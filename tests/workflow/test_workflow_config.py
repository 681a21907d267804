"""Configuration files: discovery, every key, precedence of flags, and errors naming the key."""
from __future__ import annotations

import json

import pytest
from workflow_support import REPO, BUCKET, SG_OPEN, cli, reported, scan_json, write

from iacguard import config as config_mod

pytestmark = pytest.mark.catalogue("core")  # asserts every finding: the checks it was written against


def test_iacguard_toml_keys_apply(tmp_path):
    write(tmp_path, {
        "main.tf": SG_OPEN + BUCKET % ("logs", "logs"),
        "examples/main.tf": SG_OPEN,
        "env/prod.tfvars": 'name = "prod"\n',
        "variables.tf": 'variable "name" {}\n',
        ".iacguard.toml": (
            'skip-checks = ["AWS-S3-002"]\n'
            'fail-on = "critical"\n'
            'exclude = ["examples"]\n'
            'var-files = ["env/prod.tfvars"]\n'
            "whole-project-checks = false\n"
            "[severity]\n"
            '"AWS-S3-001" = "critical"\n'
            "[outputs]\n"
            'sarif = "reports/iacguard.sarif"\n'
        ),
    })
    (tmp_path / "reports").mkdir()
    code, report = scan_json(tmp_path)
    assert reported(report) == [("AWS-EC2-001", "aws_security_group.web"), ("AWS-S3-001", "aws_s3_bucket.logs")]
    assert {f["check_id"]: f["severity"] for f in report["findings"]} == {"AWS-EC2-001": "high", "AWS-S3-001": "critical"}
    assert code == 1  # fail-on critical, and AWS-S3-001 is critical now
    sarif = json.loads((tmp_path / "reports" / "iacguard.sarif").read_text())
    rule = next(r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "AWS-S3-001")
    assert rule["properties"]["security-severity"] == "9.5"
    assert "AWS-S3-002" not in {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}


def test_command_line_overrides_the_file(tmp_path):
    write(tmp_path, {
        "main.tf": SG_OPEN + BUCKET % ("logs", "logs"),
        ".iacguard.toml": 'checks = ["AWS-S3-001"]\nfail-on = "none"\n[severity]\nAWS-S3-001 = "low"\n',
    })
    code, report = scan_json(tmp_path)
    assert (code, reported(report)) == (0, [("AWS-S3-001", "aws_s3_bucket.logs")])
    assert report["findings"][0]["severity"] == "low"
    code, report = scan_json(tmp_path, "--check", "AWS-EC2-001", "--fail-on", "high")
    assert (code, reported(report)) == (1, [("AWS-EC2-001", "aws_security_group.web")])
    code, report = scan_json(tmp_path, "--severity", "AWS-S3-001=high", "--fail-on", "high")
    assert code == 1 and report["findings"][0]["severity"] == "high"
    code, report = scan_json(tmp_path, "--no-config")
    assert len(report["findings"]) == 3 and code == 1


def test_pyproject_table_and_precedence(tmp_path):
    write(tmp_path, {
        "main.tf": SG_OPEN,
        "pyproject.toml": '[project]\nname = "x"\n\n[tool.iacguard]\nfail-on = "critical"\n',
    })
    code, _ = scan_json(tmp_path)
    assert code == 0
    # .iacguard.toml in the same folder wins over pyproject.toml.
    write(tmp_path, {".iacguard.toml": 'fail-on = "high"\n'})
    code, _ = scan_json(tmp_path)
    assert code == 1
    # --config names a file explicitly.
    code, _ = scan_json(tmp_path, "--config", "pyproject.toml")
    assert code == 0


def test_found_in_a_parent_folder_up_to_the_repository_root(tmp_path):
    write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", ".iacguard.toml": 'fail-on = "none"\n', "infra/main.tf": SG_OPEN})
    res = cli(["scan", ".", "--verbose"], tmp_path / "infra")
    assert res.exit_code == 0
    assert "iacguard: configuration: %s" % (tmp_path / ".iacguard.toml") in res.stderr
    # A pyproject.toml without [tool.iacguard] is passed over.
    write(tmp_path, {"infra/pyproject.toml": '[project]\nname = "x"\n'})
    assert cli(["scan", "."], tmp_path / "infra").exit_code == 0


@pytest.mark.parametrize(
    "text, message",
    [
        ('fail_on = "high"\n', "unknown key 'fail_on'"),
        ("[tool]\nx = 1\n", "unknown key 'tool'"),
        ('fail-on = "severe"\n', "'fail-on' must be one of critical, high, medium, low, none"),
        ('skip-checks = "AWS-S3-001"\n', "'skip-checks' must be a list of strings"),
        ('checks = ["NOPE-1"]\n', "unknown check id 'NOPE-1'"),
        ('[severity]\nAWS-S3-001 = "urgent"\n', "severity of AWS-S3-001 must be one of critical, high, medium, low"),
        ('[outputs]\nxml = "r.xml"\n', "unknown output format 'xml'"),
        ("whole-project-checks = 1\n", "'whole-project-checks' must be true or false"),
        ("fail-on = \n", "is not valid TOML"),
        ('plugins = ["my_module"]\n', "unknown key 'plugins'"),
    ],
)
def test_bad_configuration_exits_2_naming_the_key(tmp_path, text, message):
    write(tmp_path, {"main.tf": SG_OPEN, ".iacguard.toml": text})
    res = cli(["scan", "."], tmp_path)
    assert res.exit_code == 2
    assert message in res.stderr
    assert res.stdout == ""


def test_unknown_key_in_pyproject_names_the_table(tmp_path):
    write(tmp_path, {"main.tf": SG_OPEN, "pyproject.toml": "[tool.iacguard]\nfail-on = 'high'\nseverity-overrides = {}\n"})
    res = cli(["scan", "."], tmp_path)
    assert res.exit_code == 2
    assert "unknown key 'severity-overrides' in [tool.iacguard] in" in res.stderr


def test_every_key_is_documented_in_the_readme():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for key in config_mod.KEYS:
        assert "`%s`" % key in text, key


def test_cfn_parameter_files_from_config(tmp_path):
    template = (
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Encrypt:\n    Type: String\n"
        "Conditions:\n  Plain: !Equals [!Ref Encrypt, 'no']\nResources:\n  Vol:\n    Type: AWS::EC2::Volume\n"
        "    Properties:\n      AvailabilityZone: eu-west-1a\n      Size: 10\n      Encrypted: !If [Plain, false, true]\n"
    )
    write(tmp_path, {"stack.yaml": template, "params.json": json.dumps([{"ParameterKey": "Encrypt", "ParameterValue": "no"}]),
                     ".iacguard.toml": 'cfn-parameter-files = ["params.json"]\n'})
    _, report = scan_json(tmp_path)
    assert reported(report) == [("AWS-EBS-001", "Vol")]
    write(tmp_path, {".iacguard.toml": '[cfn-parameters]\nEncrypt = "yes"\n'})
    _, report = scan_json(tmp_path)
    assert reported(report) == []
