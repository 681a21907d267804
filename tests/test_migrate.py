"""`iacguard migrate --from checkov|tfsec|trivy FILE`: the equivalent .iacguard.toml, read back by
iacguard's own configuration loader, and used in a real scan."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from iacguard.checks import REGISTRY
from iacguard.cli import main
from iacguard.config import load

KNOWN = [c.id for c in REGISTRY]


def run(args, cwd):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def migrated(tmp_path, tool, name, text):
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text)
    res = run(["migrate", "--from", tool, name], tmp_path)
    assert res.exit_code == 0, res.output
    (tmp_path / ".iacguard.toml").write_text(res.stdout)
    return res.stdout, load(str(tmp_path / ".iacguard.toml"), KNOWN)


CHECKOV = """\
check:
  - CKV_AWS_24
  - CKV_AWS_19
skip-check: CKV_AWS_25,CKV_AWS_99999, LOW
soft-fail: true
framework:
  - terraform
  - kubernetes
directory: [infra]
skip-path:
  - examples/
  - ^test/.*\\.tf$
var-file: [prod.tfvars, /etc/x.tfvars]
api-key: SECRET-VALUE-1234
compact: true
"""


def test_checkov(tmp_path):
    text, config = migrated(tmp_path, "checkov", ".checkov.yaml", CHECKOV)
    assert config.checks == ["AWS-EC2-001", "AWS-S3-001"]
    assert config.skip_checks == ["AWS-EC2-001"]
    assert config.fail_on == "none"
    assert config.exclude == ["examples"]
    assert [os.path.basename(p) for p in config.var_files] == ["prod.tfvars"]
    comments = [line for line in text.splitlines() if line.startswith("#")]
    for named in ("CKV_AWS_99999", "LOW", "`framework`", "`directory`", "^test/", "/etc/x.tfvars", "`api-key`", "`compact`"):
        assert any(named in c for c in comments), named
    # AWS-EC2-001 stands for more Checkov ids than the one skipped: said so.
    assert any("AWS-EC2-001 also covers checkov CKV_AWS_24, CKV_AWS_277" in c for c in comments)
    assert "SECRET-VALUE-1234" not in text


def test_checkov_hard_fail_on_and_output_file(tmp_path):
    (tmp_path / ".checkov.yml").write_text("hard-fail-on: [HIGH, CRITICAL]\nskip-check: [CKV2_AWS_6]\n")
    res = run(["migrate", "--from", "checkov", ".checkov.yml", "-o", "out/.iacguard.toml"], tmp_path)
    assert res.exit_code == 1 or res.exit_code == 2 or res.exit_code == 0
    if res.exit_code:  # the folder does not exist: a clear error, no traceback
        assert "cannot write" in res.output
        (tmp_path / "out").mkdir()
        res = run(["migrate", "--from", "checkov", ".checkov.yml", "-o", "out/.iacguard.toml"], tmp_path)
    assert res.exit_code == 0 and res.stdout == ""
    config = load(str(tmp_path / "out" / ".iacguard.toml"), KNOWN)
    assert config.fail_on == "high" and config.skip_checks == ["AWS-S3-002"]


def test_tfsec_yaml_and_json(tmp_path):
    text, config = migrated(tmp_path, "tfsec", ".tfsec/config.yml", (
        "exclude:\n  - aws-ec2-no-public-ingress-sgr\n  - AWS018\n"
        "severity_overrides:\n  AVD-AWS-0088: LOW\n  aws-s3-enable-versioning: URGENT\n"
        "minimum_severity: HIGH\n"))
    assert "AWS-EC2-001" in config.skip_checks
    assert config.severity == {"AWS-S3-001": "low"}
    assert "AWS018" in text and "`minimum_severity`" in text and "URGENT" in text
    # the same configuration as JSON
    text2, config2 = migrated(tmp_path, "tfsec", ".tfsec/config.json", json.dumps({
        "exclude": ["aws-ec2-no-public-ingress-sgr", "AWS018"], "severity_overrides": {"AVD-AWS-0088": "LOW"}}))
    assert config2.skip_checks == config.skip_checks and config2.severity == config.severity


def test_trivy(tmp_path):
    text, config = migrated(tmp_path, "trivy", "trivy.yaml", (
        "exit-code: 0\nseverity: [HIGH, CRITICAL]\nscan:\n  skip-dirs: [vendor, '**/*.bak']\n"
        "misconfiguration:\n  terraform:\n    vars: [env/prod.tfvars]\n"))
    assert config.fail_on == "none" and config.exclude == ["vendor"]
    assert [os.path.relpath(p, tmp_path) for p in config.var_files] == [os.path.join("env", "prod.tfvars")]
    assert "`severity`" in text and "**/*.bak" in text


def test_migrated_configuration_drives_a_scan(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "x.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = "x"\n}\n')
    migrated(tmp_path, "checkov", ".checkov.yaml", "skip-check: [CKV2_AWS_6]\nskip-path: [examples]\nsoft-fail: true\n")
    res = run(["scan", ".", "--format", "json", "--no-cache"], tmp_path)
    assert res.exit_code == 0, res.output  # soft-fail -> fail-on none
    report = json.loads(res.stdout)
    assert not [f for f in report["findings"] if f["check_id"] == "AWS-S3-002"]
    assert all(not f["file"].startswith("examples") for f in report["findings"])
    assert [f for f in report["findings"] if f["resource"]["address"] == "aws_s3_bucket.b"]


@pytest.mark.parametrize("name, text, message", [
    ("list.yaml", "- a\n- b\n", "must hold a mapping"),
    ("broken.yaml", "a: [\n", "is not valid YAML"),
    ("broken.json", "{", "is not valid JSON"),
    ("evil.yaml", '!!python/object/apply:os.system ["echo pwned"]\n', "is not valid YAML"),
    ("deep.yaml", "[" * 5000 + "]" * 5000, ""),
])
def test_bad_input_is_an_error_not_a_crash(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    res = run(["migrate", "--from", "checkov", name], tmp_path)
    assert res.exit_code == 2, res.output
    assert "iacguard: error:" in res.output and message in res.output
    assert "Traceback" not in res.output


def test_empty_and_missing_files(tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    res = run(["migrate", "--from", "trivy", "empty.yaml"], tmp_path)
    assert res.exit_code == 0 and res.stdout.startswith("# iacguard configuration migrated from trivy")
    res = run(["migrate", "--from", "checkov", "nothere.yaml"], tmp_path)
    assert res.exit_code == 2 and "cannot read" in res.output
    res = run(["migrate", "--from", "kics", "empty.yaml"], tmp_path)
    assert res.exit_code == 2


def test_odd_values_are_named_not_crashed_on(tmp_path):
    text, config = migrated(tmp_path, "checkov", ".checkov.yaml", (
        "check: 42\nskip-check: {a: 1}\nsoft-fail: 'yes'\nskip-path: [1, null]\nvar-file: 7\n"
        "framework: 3\n"))
    assert config.checks == [] and config.skip_checks == [] and config.fail_on is None


def test_alias_bomb_is_bounded(tmp_path):
    levels = ["a0: &a0 {x: 1, y: 2}"] + ["a%d: &a%d {p: *a%d, q: *a%d, r: *a%d}" % (i, i, i - 1, i - 1, i - 1) for i in range(1, 25)]
    (tmp_path / "trivy.yaml").write_text("\n".join(levels) + "\n")
    res = run(["migrate", "--from", "trivy", "trivy.yaml"], tmp_path)
    assert res.exit_code == 0
    assert "only the first were read" in res.stdout
    assert len(res.stdout) < 200_000
