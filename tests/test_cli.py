"""The command line end to end, as a user runs it."""
from __future__ import annotations

import json
import re
import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from iacguard.cli import main
import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_iac"

INSECURE_TF = """resource "aws_security_group" "web" {
  name = "web"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""


def run(args, cwd):
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def test_sample_sarif_both_languages_and_valid(tmp_path, sarif_checker):
    out = tmp_path / "out.sarif"
    res = run(["scan", "sample_iac", "--format", "sarif", "--output", str(out)], REPO)
    assert res.exit_code == 1, res.output
    sarif = json.loads(out.read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert any(u.startswith("sample_iac/terraform/") for u in uris)
    assert any(u.startswith("sample_iac/cloudformation/") for u in uris)
    assert sarif_checker(sarif, str(REPO)) == []


def test_same_input_same_output(tmp_path):
    a = run(["scan", "sample_iac", "--format", "sarif"], REPO).output
    b = run(["scan", "sample_iac", "--format", "sarif"], REPO).output
    assert a == b
    assert run(["scan", "sample_iac", "--format", "json"], REPO).output == run(["scan", "sample_iac", "--format", "json"], REPO).output


def test_parse_failure_beside_valid_file(tmp_path):
    (tmp_path / "main.tf").write_text(INSECURE_TF)
    (tmp_path / "broken.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n')
    (tmp_path / "broken.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    res = run(["scan", ".", "--format", "json"], tmp_path)
    assert res.exit_code == 1
    report = json.loads(res.output)
    assert [(f["check_id"], f["file"], f["start_line"]) for f in report["findings"]] == [("AWS-EC2-001", "main.tf", 8)]
    assert {e["file"] for e in report["errors"]} == {"broken.tf", "broken.yaml"}


def test_fingerprints_survive_inserted_lines(tmp_path):
    (tmp_path / "main.tf").write_text(INSECURE_TF)
    first = json.loads(run(["scan", ".", "--format", "sarif"], tmp_path).output)
    (tmp_path / "main.tf").write_text("# a comment\n\nlocals {\n  x = 1\n}\n\n" + INSECURE_TF)
    second = json.loads(run(["scan", ".", "--format", "sarif"], tmp_path).output)
    r1, r2 = first["runs"][0]["results"], second["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in r1] == [8]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in r2] == [14]
    assert [r["partialFingerprints"] for r in r1] == [r["partialFingerprints"] for r in r2]


def test_fail_on_threshold(tmp_path):
    (tmp_path / "main.tf").write_text(INSECURE_TF)  # one high finding
    assert run(["scan", ".", "--fail-on", "critical"], tmp_path).exit_code == 0
    assert run(["scan", ".", "--fail-on", "high"], tmp_path).exit_code == 1
    assert run(["scan", ".", "--fail-on", "none"], tmp_path).exit_code == 0
    assert run(["scan", ".", "--fail-on", "bogus"], tmp_path).exit_code == 2


def test_usage_errors_exit_2(tmp_path):
    assert run(["scan", "does-not-exist"], tmp_path).exit_code == 2
    assert run(["scan", ".", "--check", "NOPE-1"], tmp_path).exit_code == 2
    assert run(["scan", ".", "--var", "novalue"], tmp_path).exit_code == 2
    assert run(["checks", "explain", "NOPE-1"], tmp_path).exit_code == 2


def test_text_report_grouped_with_summary(tmp_path):
    (tmp_path / "main.tf").write_text(INSECURE_TF)
    out = run(["scan", "."], tmp_path).output
    assert re.search(r"^main\.tf\n +8 +HIGH +AWS-EC2-001 +aws_security_group\.web +", out, re.M), out
    assert "\x1b[" not in out  # not a terminal: no colours
    assert "high" in out.lower()


def test_checks_list_and_explain(tmp_path):
    listing = run(["checks"], tmp_path).output
    assert "AWS-S3-001" in listing and "AWS-IAM-001" in listing
    doc = run(["checks", "explain", "AWS-S3-001"], tmp_path).output
    # The check's own page (its fields are checked in tests/test_check_docs.py), not a copy.
    from iacguard.checks import REGISTRY

    assert doc == next(c for c in REGISTRY if c.id == "AWS-S3-001").markdown() + "\n"


def test_exclude_and_hidden_folders(tmp_path):
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "main.tf").write_text(INSECURE_TF)
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "main.tf").write_text(INSECURE_TF)
    assert run(["scan", ".", "--exclude", "examples"], tmp_path).exit_code == 0
    res = run(["scan", ".", "--format", "json"], tmp_path)
    assert [f["file"] for f in json.loads(res.output)["findings"]] == ["examples/main.tf"]


def test_link_out_of_root_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.tf").write_text(INSECURE_TF)
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside / "main.tf", root / "linked.tf")
    os.symlink(outside, root / "linkdir")
    res = run(["scan", ".", "--format", "json"], root)
    report = json.loads(res.output)
    assert report["findings"] == []
    assert any("outside the scanned root" in n["message"] for n in report["notifications"])


def test_files_that_look_like_cloudformation_but_are_not_are_named(tmp_path):
    (tmp_path / "shorthand.yaml").write_text("Resources:\n  - S3::Bucket: {Type: AWS::S3::Bucket}\n")
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    report = json.loads(run(["scan", ".", "--format", "json", "--no-cache"], tmp_path).output)
    named = {n["file"]: n["message"] for n in report["notifications"]}
    assert "not scanned: looks like CloudFormation" in named["shorthand.yaml"]
    assert "compose.yaml" not in named


@pytest.mark.catalogue("core")
def test_two_root_modules_calling_one_module_are_told_apart(tmp_path):
    (tmp_path / "modules" / "db").mkdir(parents=True)
    (tmp_path / "modules" / "db" / "main.tf").write_text('resource "aws_db_instance" "this" {\n  engine = "postgres"\n}\n')
    for name in ("a", "b"):
        (tmp_path / "examples" / name).mkdir(parents=True)
        (tmp_path / "examples" / name / "main.tf").write_text('module "db" {\n  source = "../../modules/db"\n}\n')
    report = json.loads(run(["scan", ".", "--format", "json", "--no-cache", "--check", "AWS-RDS-001"], tmp_path).output)
    msgs = sorted(f["message"] for f in report["findings"])
    assert [m.rsplit("(", 1)[1] for m in msgs] == ["via root module examples/a).", "via root module examples/b)."]
    fps = [f["fingerprint"] for f in report["findings"]]
    assert len(set(fps)) == 2 and not any(":" in fp for fp in fps)


def test_a_tree_with_nothing_to_scan_says_so(tmp_path):
    (tmp_path / "README.md").write_text("hello\n")
    res = run(["scan", ".", "--no-cache"], tmp_path)
    assert res.exit_code == 0
    assert "no Terraform or CloudFormation files found" in res.output


def test_bad_max_file_size_is_a_usage_error(tmp_path):
    (tmp_path / "main.tf").write_text(INSECURE_TF)
    for value in ("-5", "-1", "0"):
        assert run(["scan", ".", "--max-file-size", value], tmp_path).exit_code == 2


def test_color_can_be_forced_into_a_pipe(tmp_path):
    (tmp_path / "main.tf").write_text(INSECURE_TF)
    assert "\x1b[" in run(["scan", ".", "--no-cache", "--color"], tmp_path).output
    assert "\x1b[" not in run(["scan", ".", "--no-cache"], tmp_path).output


def test_baseline_kept_beside_the_scanned_folder_survives_a_move(tmp_path):
    first = tmp_path / "first"
    (first / "repo").mkdir(parents=True)
    (first / "baselines").mkdir()
    (first / "repo" / "main.tf").write_text(INSECURE_TF)
    assert run(["baseline", ".", "--output", "../baselines/b.json", "--no-cache"], first / "repo").exit_code == 0
    assert json.loads((first / "baselines" / "b.json").read_text())["findings"][0]["file"] == "../repo/main.tf"
    moved = tmp_path / "moved"
    shutil.copytree(first, moved)
    res = run(["scan", ".", "--baseline", "../baselines/b.json", "--no-cache", "--format", "json"], moved / "repo")
    assert res.exit_code == 0
    assert json.loads(res.output)["findings"] == []


def test_a_tree_whose_only_template_is_broken_does_not_claim_it_is_empty(tmp_path):
    (tmp_path / "bad.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    report = json.loads(run(["scan", ".", "--no-cache", "--format", "json"], tmp_path).output)
    messages = [n["message"] for n in report["notifications"]]
    assert not any("no Terraform or CloudFormation files found" in m for m in messages)
    assert [e["file"] for e in report["errors"]] == ["bad.yaml"]


def test_a_single_terraform_file_is_evaluated_with_its_folder(tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "s3.tf").write_text('resource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\n')
    (tmp_path / "infra" / "enc.tf").write_text(
        'resource "aws_s3_bucket_server_side_encryption_configuration" "a" {\n  bucket = aws_s3_bucket.a.id\n'
        '  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = "aws:kms"\n    }\n  }\n}\n\n'
        'resource "aws_ebs_volume" "v" {\n  availability_zone = "x"\n}\n'
    )
    (tmp_path / "infra" / "terraform.tfvars").write_text('unused = "x"\n')
    s3 = json.loads(run(["scan", "infra/s3.tf", "--no-cache", "--format", "json"], tmp_path).output)
    assert s3["findings"] == [] or all(f["file"] == "infra/s3.tf" for f in s3["findings"])
    assert not [f for f in s3["findings"] if f["check_id"] == "AWS-S3-001"]  # encrypted by enc.tf
    assert any("other Terraform file(s) of its folder" in n["message"] for n in s3["notifications"])
    enc = json.loads(run(["scan", "infra/enc.tf", "--no-cache", "--format", "json"], tmp_path).output)
    assert [(f["check_id"], f["file"]) for f in enc["findings"]] == [("AWS-EBS-001", "infra/enc.tf")]
