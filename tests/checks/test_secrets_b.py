"""Unit tests of the slice secrets_b (issue 13): what the checks decide beyond their fixtures, and
that no message holds a secret value."""
from __future__ import annotations

import json
from pathlib import Path

from iacguard.checks import registry_secrets_b
from iacguard.checks.data import cfn_secret_parameters
from iacguard.engine import scan

FIXTURES = Path(__file__).parent.parent / "fixtures" / "checks"


def _scan(folder: Path, *checks):
    return scan([str(folder)], checks=list(checks), cwd=str(folder))


def test_parameter_findings_never_show_the_default():
    """Parameter declarations are literal: these checks decide on every parameter and never show
    the default (the stand-in of the meta-test's TESTED_ELSEWHERE for AWS-CFN-900/901)."""
    for check in cfn_secret_parameters.CHECKS:
        folder = FIXTURES / check.id / "cloudformation"
        result = _scan(folder, check)
        assert result.findings and not result.undecided
        for finding in result.findings:
            assert "notarealtoken" not in finding.message and "hunter2" not in finding.message
            assert finding.resource.type == "cloudformation_parameter"


def test_a_nested_stack_parameter_is_named_with_its_stack(tmp_path):
    (tmp_path / "child.yaml").write_text(
        "Parameters:\n  AdminPassword:\n    Type: String\n    Default: notreal-child-pw\n"
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    (tmp_path / "parent.yaml").write_text(
        "Parameters:\n  AdminPassword:\n    Type: String\n    NoEcho: true\n"
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
        "      TemplateURL: ./child.yaml\n      Parameters:\n        AdminPassword: !Ref AdminPassword\n")
    result = _scan(tmp_path, *cfn_secret_parameters.CHECKS)
    got = sorted((f.check_id, f.resource.address, Path(f.location.path).name, f.location.start_line) for f in result.findings)
    # The child's declaration has no NoEcho and a Default: both, on the child's line 2; the
    # parent's NoEcho parameter without a default passes.
    assert [g[0] for g in got] == ["AWS-CFN-900", "AWS-CFN-901"]
    assert all(g[2:] == ("child.yaml", 2) and g[1].endswith("Parameters.AdminPassword") and g[1] != "Parameters.AdminPassword" for g in got), got


def test_registry_ids_are_in_the_slice_range():
    for check in registry_secrets_b.CHECKS:
        assert 900 <= int(check.id.rsplit("-", 1)[1]) <= 949, check.id


def test_json_report_of_a_parameter_finding(tmp_path):
    (tmp_path / "t.yaml").write_text("Parameters:\n  ApiToken:\n    Type: String\n    Default: tok_notreal_123456\n"
                                     "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    result = _scan(tmp_path, *cfn_secret_parameters.CHECKS)
    assert {f.check_id for f in result.findings} == {"AWS-CFN-900", "AWS-CFN-901"}
    assert "tok_notreal" not in json.dumps([f.message for f in result.findings])
