"""Unit tests of the slice identity_secrets: which names are secrets, what a message may show of
a secret, and that a finding's message never holds the value."""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.checks.data import secrets_in_code
from iacguard.engine import scan
from iacguard.facts.identity_secrets_literals import placeholder, secret_name, shown


@pytest.mark.parametrize("name", ["DB_PASSWORD", "password", "apiKey", "API_KEY", "GITHUB_TOKEN", "client-secret",
                                  "clientSecret", "STRIPE_SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "db_pwd", "/app/db/password"])
def test_secret_names(name):
    assert secret_name(name)


@pytest.mark.parametrize("name", ["TOKEN_URL", "PASSWORD_POLICY", "API_KEY_SECRET_ARN", "SECRET_NAME", "DB_HOST",
                                  "LOG_LEVEL", "/app/db/host", "KMS_KEY_ID", "secret_arn", "", None, 42])
def test_not_secret_names(name):
    assert not secret_name(name)


def test_shown_keeps_four_characters_and_the_length():
    assert shown("Sup3rS3cretPassw0rd") == '"Sup3..." (19 characters)'
    assert shown("abcd") == "(4 characters)"  # a short value shows its length only
    assert "S3cret" not in shown("Sup3rS3cretPassw0rd")


@pytest.mark.parametrize("value", ["changeme", "<password>", "****", "{{resolve:secretsmanager:db:SecretString:pw}}",
                                   "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db", ""])
def test_placeholders_are_not_secrets(value):
    assert placeholder(value)


def test_no_message_holds_a_secret_value():
    fixtures = Path(__file__).parent.parent / "fixtures" / "checks"
    values = ("Sup3rS3cretPassw0rd", "TfvarsPassw0rd!", "LambdaLiteralPw99", "EcsLiteralPassw0rd", "SsmLiteralPassw0rd",
              "LiteralAuthToken0123456789", "ModuleArgPassw0rd", "ServerlessLiteral42", "sk_live_EcsCfnLiteral")
    for check in secrets_in_code.CHECKS:
        for lang in check.languages:
            folder = fixtures / check.id / lang
            result = scan([str(folder)], checks=[check], cwd=str(folder))
            assert result.findings, (check.id, lang)
            for finding in result.findings:
                assert not any(v[4:] in finding.message for v in values), finding.message
