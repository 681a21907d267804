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


# --- secrets in text (AWS-EC2-900, AWS-CODE-900) ---------------------------------------------

import base64  # noqa: E402
import gzip  # noqa: E402

import pytest  # noqa: E402

from iacguard.checks.data import text_secrets  # noqa: E402
from iacguard.facts.secrets_b_text import decode_base64, high_entropy, scan_text  # noqa: E402


@pytest.mark.parametrize("text", [
    "export AWS_ACCESS_KEY_ID=AKIAZ7QWERTYUIOPASDF",
    "DB_PASSWORD=Tr0ub4dor3",
    "export API_TOKEN=\"abc123def456\"",
    "password: CloudInitPassw0rd",
    '{"client_secret": "s3cr3t-value"}',
    "mysql --password=RootPassw0rd -h db",
    "aws_secret_access_key = Zq8rT2vLp9Kw4Zq8rT2vLp9Kw4Zq8rT2vLp9Kw4a",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----",
])
def test_text_secrets(text):
    assert scan_text(text)


@pytest.mark.parametrize("text", [
    "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",  # AWS's documented example
    "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id db --query SecretString --output text)",
    "DB_PASSWORD=\"$DB_PASSWORD\"",
    "TOKEN_URL=https://auth.example.com/token",
    "PASSWORD_FILE=/run/secrets/db",
    "password: changeme",
    "ENABLE_TOKEN=true",
    "grep -q 'BEGIN RSA PRIVATE KEY' /etc/ssl/app.key",
    "pwd=abc",  # fewer than 4 characters
    "AKIAZ7QWERTYUIOPASDFX",  # 21 characters: not a key id
])
def test_text_without_secrets(text):
    assert scan_text(text) == []


def test_messages_show_four_characters_at_most():
    hits = scan_text("DB_PASSWORD=Tr0ub4dor3-literal AKIAZ7QWERTYUIOPASDF")
    assert all("literal" not in h and "QWERTY" not in h for h in hits), hits


def test_base64_and_gzip_are_decoded_bounded():
    plain = "#!/bin/bash\nPASSWORD=Sup3rSecret99\n"
    assert decode_base64(base64.b64encode(plain.encode()).decode()) == plain
    assert decode_base64(base64.b64encode(gzip.compress(plain.encode())).decode()) == plain
    assert decode_base64("not base64 at all!") is None
    assert decode_base64(base64.b64encode(b"\x00\xff\xfe binary").decode()) is None
    bomb = base64.b64encode(gzip.compress(b"A" * (50 * 1024 * 1024))).decode()
    decoded = decode_base64(bomb)
    assert decoded is not None and len(decoded) <= 1024 * 1024


def test_random_looking_values():
    assert high_entropy("x9#Kq2!vLm8$Wz4@pR7t")
    assert not high_entropy("ALLOW_USER_PASSWORD_AUTH")  # a constant's name
    assert not high_entropy("https://example.com/a8Fk3j29dKs0Qp1z")
    assert not high_entropy("short1!")


def test_text_findings_hold_no_secret_value():
    values = ("QWERTYUIOP", "Tr0ub4dor", "CloudInitPassw0rd", "bootstrap_token", "CfnLiteralPassw0rd", "vLm8$Wz4", "MIIEvQIBADAN")
    for check in text_secrets.CHECKS:
        for lang in check.languages:
            folder = FIXTURES / check.id / lang
            result = _scan(folder, check)
            assert result.findings
            for finding in result.findings:
                assert not any(v in finding.message for v in values), finding.message


def test_user_data_from_a_tfvars_file_points_at_the_tfvars_line(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "script" {}\nresource "aws_instance" "app" {\n  ami = "ami-1"\n  instance_type = "t3.micro"\n  user_data = var.script\n}\n')
    (tmp_path / "terraform.tfvars").write_text('script = "#!/bin/bash\\nexport API_KEY=TfvarsApiKey123\\n"\n')
    result = _scan(tmp_path, text_secrets.USER_DATA)
    assert [(Path(f.location.path).name, f.location.start_line) for f in result.findings] == [("terraform.tfvars", 1)]
    assert "TfvarsApiKey" not in result.findings[0].message


def test_an_unevaluated_function_over_literals_is_undecided(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_instance" "app" {\n  ami = "ami-1"\n  instance_type = "t3.micro"\n'
        '  user_data = no_such_function("PASSWORD=x")\n  tags = { Note = no_such_function("AKIA") }\n}\n')
    result = _scan(tmp_path, *text_secrets.CHECKS)
    assert not result.findings
    assert sorted(u.check_id for u in result.undecided) == ["AWS-CODE-900", "AWS-EC2-900"]


def test_athena_enforcement_from_a_variable_without_value_is_undecided(tmp_path):
    from iacguard.checks.data import athena_enforce

    (tmp_path / "main.tf").write_text('variable "enforce" { type = bool }\nresource "aws_athena_workgroup" "w" {\n  name = "w"\n'
                                      '  configuration {\n    enforce_workgroup_configuration = var.enforce\n  }\n}\n')
    result = _scan(tmp_path, athena_enforce.CHECK)
    assert not result.findings and [u.check_id for u in result.undecided] == ["AWS-ATH-900"]


def test_a_default_route_of_an_api_out_of_the_scan_is_undecided(tmp_path):
    from iacguard.checks.infrastructure import api_v2_routes

    (tmp_path / "main.tf").write_text(
        'resource "aws_apigatewayv2_route" "d" {\n  api_id    = "a1b2c3"\n  route_key = "$default"\n}\n'
        'resource "aws_apigatewayv2_route" "c" {\n  api_id    = "a1b2c3"\n  route_key = "$connect"\n}\n'
        'resource "aws_apigatewayv2_route" "m" {\n  api_id    = "a1b2c3"\n  route_key = "sendmessage"\n}\n')
    result = _scan(tmp_path, api_v2_routes.CHECK)
    # $connect exists only in WebSocket APIs; "sendmessage" names no HTTP route but its API is unknown: not reported.
    assert [f.resource.address for f in result.findings] == ["aws_apigatewayv2_route.c"]
    assert [u.resource.address for u in result.undecided] == ["aws_apigatewayv2_route.d"]


# --- AWS-S3-900: configured by customer-key-buckets ------------------------------------------

def test_s3_customer_key_is_off_without_configuration():
    from iacguard.checks.data import s3_customer_key

    result = _scan(FIXTURES / "AWS-S3-900" / "terraform", s3_customer_key.CHECK)
    assert not result.findings and not result.undecided


def test_s3_customer_key_through_the_cli_configuration_and_cache(tmp_path):
    import shutil

    from click.testing import CliRunner

    from iacguard.cli import main

    work = tmp_path / "repo"
    shutil.copytree(FIXTURES / "AWS-S3-900" / "terraform", work)
    (work / ".git").mkdir()
    cache = tmp_path / "cache"
    runner = CliRunner()

    def addresses(*extra):
        out = runner.invoke(main, ["scan", str(work), "--check", "AWS-S3-900", "--format", "json", "--cache-dir", str(cache), *extra])
        return sorted(f["resource"]["address"] for f in json.loads(out.output)["findings"])

    assert addresses() == ["aws_s3_bucket.audit_logs", "aws_s3_bucket.customer_data", "aws_s3_bucket.payments_inline"]
    (work / ".iacguard.toml").write_text('customer-key-buckets = ["acme-audit-*"]\n')
    assert addresses() == ["aws_s3_bucket.audit_logs"]  # other patterns: not answered from the cache
    assert addresses("--no-config") == []


def test_s3_customer_key_name_not_known_is_undecided(tmp_path):
    from iacguard.checks.data import s3_customer_key

    (tmp_path / "main.tf").write_text('variable "name" {}\nresource "aws_s3_bucket" "b" {\n  bucket = var.name\n}\n')
    check = s3_customer_key.configured(s3_customer_key.CHECK, ["*-logs"])
    result = _scan(tmp_path, check)
    assert not result.findings and [u.check_id for u in result.undecided] == ["AWS-S3-900"]


def test_parameters_that_name_a_secret_store_or_default_to_a_placeholder_are_not_secrets(tmp_path):
    """Found on serverless-patterns and aws-cloudformation-templates: a parameter for the ARN of a
    Secrets Manager secret is named like a secret but holds none; a NoEcho token parameter whose
    Default is the placeholder "none" has no secret written in the template."""
    (tmp_path / "stack.yaml").write_text(
        "Parameters:\n"
        "  SecretsManagerSecretForMQ:\n"
        "    Type: String\n"
        "    Description: The ARN of the secret that has the broker's user name and password\n"
        "    Default: RABBITMQ_SECRET_ARN\n"
        "  DbPasswordSsmParameter:\n"
        "    Type: String\n"
        "    Default: /app/db/password\n"
        "  RepositoryToken:\n"
        "    Type: String\n"
        "    NoEcho: true\n"
        "    Default: none\n"
        "  MyAPIKeyValue:\n"
        "    Type: String\n"
        "    NoEcho: true\n"
        "    Default: '<<Enter your APIKeyValue>>'\n"
        "  ApiToken:\n"
        "    Type: String\n"
        "    NoEcho: true\n"
        "    Default: s3cr3t-t0ken-value\n"
        "Resources:\n"
        "  Topic:\n"
        "    Type: AWS::SNS::Topic\n")
    result = _scan(tmp_path, cfn_secret_parameters.NO_ECHO, cfn_secret_parameters.DEFAULT)
    assert sorted((f.check_id, f.resource.address) for f in result.findings) == [("AWS-CFN-901", "Parameters.ApiToken")]


def test_values_known_at_deploy_or_packaging_leave_nothing_undecided(tmp_path):
    """Found on serverless-patterns: a pseudo parameter (AWS::StackName) and a SAM CodeUri
    uploaded at package time are not text of the code: AWS-CODE-900 has nothing to decide there."""
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      CodeUri: src/\n"
        "      Handler: app.handler\n"
        "      Runtime: python3.12\n"
        "      Tags:\n"
        "        Stack: !Ref AWS::StackName\n")
    result = _scan(tmp_path, text_secrets.EMBEDDED)
    assert not result.findings and not result.undecided
