"""`iacguard iam simulate` and `iacguard iam who-can` as a user runs them: exit codes, the text and
JSON formats, what is never printed (a sensitive value, raw control characters) and hostile trees.

The trees are the simulation table's (tests/fixtures/iam/simulate/terraform/accounts) and
tests/fixtures/iam/simulate/terraform/cli (a sensitive role name, names with control characters);
hostile ones are written to tmp_path. Paths are given relative to the repository, which is the
working directory, so `file` reads as in the other reports.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.cli import main

REPO = Path(__file__).resolve().parent.parent.parent
ACCOUNTS = "tests/fixtures/iam/simulate/terraform/accounts"
MAIN = ACCOUNTS + "/main/main.tf"
CLI = "tests/fixtures/iam/simulate/terraform/cli"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch):
    monkeypatch.chdir(REPO)


def run(*args):
    return CliRunner().invoke(main, ["iam", *args])


def simulate(path, principal, action, resource, *more):
    return run("simulate", path, "--principal", principal, "--action", action, "--resource", resource, *more)


# -- exit codes --------------------------------------------------------------------------------

@pytest.mark.parametrize("principal,action,resource,decision", [
    ("aws_iam_role.app", "s3:PutObject", "arn:aws:s3:::corp-data/a", "allow"),
    ("aws_iam_role.app", "s3:DeleteObject", "arn:aws:s3:::corp-data/a", "explicit-deny"),
    ("aws_iam_role.app", "s3:PutObject", "arn:aws:s3:::logs-1/a", "implicit-deny"),
    ("aws_iam_role.vague", "sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:jobs", "unknown"),
])
def test_every_decision_exits_0(principal, action, resource, decision):
    for fmt in ("text", "json"):
        result = simulate(ACCOUNTS, principal, action, resource, "--format", fmt)
        assert result.exit_code == 0, result.output
        first = json.loads(result.stdout)["decision"] if fmt == "json" else result.stdout.split(":")[0]
        assert first == decision


def test_unknown_principal_exits_2_with_the_closest_names():
    result = simulate(ACCOUNTS, "aws_iam_role.ap", "s3:GetObject", "*")
    assert result.exit_code == 2 and result.stdout == ""
    assert "iacguard: error: no IAM role, user or group aws_iam_role.ap in the scan; closest: aws_iam_role.app" in result.stderr


def test_unknown_resource_address_exits_2():
    result = simulate(ACCOUNTS, "aws_iam_role.app", "s3:GetObject", "aws_s3_bucket.upload/x")
    assert result.exit_code == 2 and result.stdout == ""
    assert "aws_s3_bucket.upload/x is neither an ARN nor a resource of the scan; closest: aws_s3_bucket.uploads" in result.stderr
    result = run("who-can", ACCOUNTS, "--action", "s3:GetObject", "--resource", "aws_s3_bucket.nothing_like_it")
    assert result.exit_code == 2 and "is neither an ARN nor a resource of the scan" in result.stderr


@pytest.mark.parametrize("args,message", [
    (["--action", "s3GetObject"], "--action expects one action as service:Name"),
    (["--action", "s3:Get*"], "--action expects one action as service:Name"),
    (["--action", "s3:"], "--action expects one action as service:Name"),
    (["--action", "s3:GetObject", "--context", "aws:SourceIp"], "--context expects KEY=VALUE"),
    (["--action", "s3:GetObject", "--context", "=10.0.0.1"], "--context expects KEY=VALUE"),
])
def test_malformed_action_or_context_exits_2(args, message):
    for command in (["simulate", ACCOUNTS, "--principal", "aws_iam_role.app"], ["who-can", ACCOUNTS]):
        result = run(*command, *args, "--resource", "*")
        assert result.exit_code == 2 and message in result.stderr, result.output


def test_a_path_that_does_not_exist_exits_2():
    result = simulate("tests/fixtures/iam/simulate/no-such-dir", "aws_iam_role.app", "s3:GetObject", "*")
    assert result.exit_code == 2 and "does not exist" in result.stderr


# -- formats -----------------------------------------------------------------------------------

def test_text_format():
    result = simulate(ACCOUNTS, "aws_iam_role.app", "s3:DeleteObject", "arn:aws:s3:::corp-data/a")
    assert result.stdout.splitlines() == [
        "explicit-deny: aws_iam_role.app s3:DeleteObject on arn:aws:s3:::corp-data/a",
        "reason: explicitly denied by aws_iam_role_policy.app_main (NoDelete)",
        "deciding statements:",
        "  %s:56-73  Deny sid NoDelete  in aws_iam_role_policy.app_main" % MAIN,
    ]


def test_text_format_names_a_shipped_policy_and_a_guardrail():
    result = simulate(ACCOUNTS, "aws_iam_role.admin", "dynamodb:GetItem", "*")
    assert result.stdout.splitlines() == [
        "implicit-deny: aws_iam_role.admin dynamodb:GetItem on *",
        "reason: the service control policy aws_organizations_policy.guardrail does not allow dynamodb:GetItem",
        "deciding statements:",
        "  %s:29-35  ?  in aws_organizations_policy.guardrail" % MAIN,
    ]
    result = simulate(ACCOUNTS, "aws_iam_role.auditor", "s3:GetObject", "arn:aws:s3:::any/x")
    assert result.stdout.splitlines()[-1] == (
        "  (shipped AWS managed policy)  Allow sid ReadOnlyActions  in arn:aws:iam::aws:policy/ReadOnlyAccess")


def test_json_format_is_exactly_the_issues():
    result = simulate(ACCOUNTS, "aws_iam_role.app", "s3:ListBucket", "arn:aws:s3:::corp-data",
                      "--context", "aws:SourceIp=10.1.2.3", "--format", "json")
    assert json.loads(result.stdout) == {
        "decision": "allow",
        "statements": [{"file": MAIN, "start_line": 56, "end_line": 73, "effect": "Allow", "sid": "ListFromOffice",
                        "policy": "aws_iam_role_policy.app_main"}],
        "reason": "allowed by aws_iam_role_policy.app_main (ListFromOffice)",
    }


def test_file_is_relative_to_the_working_directory(monkeypatch):
    monkeypatch.chdir(REPO / "tests")
    result = simulate("fixtures/iam/simulate/terraform/accounts", "aws_iam_role.app", "s3:DeleteObject",
                      "arn:aws:s3:::corp-data/a", "--format", "json")
    assert json.loads(result.stdout)["statements"][0]["file"] == "fixtures/iam/simulate/terraform/accounts/main/main.tf"


def test_who_can_text():
    result = run("who-can", ACCOUNTS, "--action", "s3:PutObject", "--resource", "aws_s3_bucket.uploads/in/x")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "5 of 13 principals may s3:PutObject aws_s3_bucket.uploads/in/x",
        "allow: aws_iam_role.admin",
        "    (shipped AWS managed policy)  Allow  in arn:aws:iam::aws:policy/AdministratorAccess",
        "allow: aws_iam_role.bounded",
        "    %s:183-183  Allow sid S3Ec2  in aws_iam_policy.s3_and_ec2" % MAIN,
        "allow: aws_iam_role.notaction",
        '    %s:156-156  Allow sid AllButIam  in aws_iam_role.notaction inline_policy "all-but-iam"' % MAIN,
        "allow: aws_iam_role.notresource",
        '    %s:165-165  Allow sid NotSecret  in aws_iam_role.notresource inline_policy "not-secret"' % MAIN,
        "allow: aws_iam_role.reader",
        "    %s:102-102  Allow sid ReaderWrites  in aws_s3_bucket_policy.uploads" % MAIN,
        "1 more cannot be decided before deploy:",
        "unknown: aws_iam_role.unshipped: not known before deploy: AWS managed policy "
        "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess is not shipped with iacguard",
    ]


def test_who_can_json():
    result = run("who-can", ACCOUNTS, "--action", "s3:PutObject", "--resource", "aws_s3_bucket.uploads/in/x",
                 "--format", "json")
    got = json.loads(result.stdout)
    assert result.exit_code == 0
    assert set(got) == {"action", "resource", "allowed", "unknown", "principals_evaluated", "outside_the_scan"}
    assert (got["action"], got["resource"], got["principals_evaluated"]) == ("s3:PutObject", "aws_s3_bucket.uploads/in/x", 13)
    assert [a["principal"] for a in got["allowed"]] == [
        "aws_iam_role.admin", "aws_iam_role.bounded", "aws_iam_role.notaction", "aws_iam_role.notresource",
        "aws_iam_role.reader"]
    assert got["allowed"][4] == {
        "principal": "aws_iam_role.reader", "decision": "allow",
        "statements": [{"file": MAIN, "start_line": 102, "end_line": 102, "effect": "Allow", "sid": "ReaderWrites",
                        "policy": "aws_s3_bucket_policy.uploads"}],
        "reason": "allowed by aws_s3_bucket_policy.uploads (ReaderWrites)",
    }
    assert [u["principal"] for u in got["unknown"]] == ["aws_iam_role.unshipped"]


# -- what is never printed ---------------------------------------------------------------------

def test_a_sensitive_value_is_never_printed():
    outputs = []
    for fmt in ("text", "json"):
        outputs.append(simulate(CLI, "aws_iam_role.hidden", "s3:GetObject", "aws_s3_bucket.shared/x", "--format", fmt))
        outputs.append(simulate(CLI, "aws_iam_role.hidden", "sts:AssumeRole", "aws_iam_role.hidden", "--format", fmt))
        outputs.append(simulate(CLI, "aws_iam_role.odd", "s3:GetObject", "aws_iam_role.hidden", "--format", fmt))
        outputs.append(run("who-can", CLI, "--action", "iam:GetRole", "--resource", "aws_iam_role.hidden", "--format", fmt))
    for result in outputs:
        assert result.exit_code == 0, result.output
        assert "s3cr3t" not in result.output
    assert "arn:aws:iam::111122223333:role/(sensitive)" in outputs[1].stdout


def test_control_characters_are_escaped():
    text = run("who-can", CLI, "--action", "s3:GetObject", "--resource", "aws_s3_bucket.shared/x")
    assert not any(c in text.stdout for c in "\x07\x1b")
    assert '    %s/main.tf:27-27  Allow sid Esc\\x1b[2J  in aws_iam_role.odd inline_policy "bell\\x07\\x1b[31mred"' % CLI \
        in text.stdout.splitlines()
    js = simulate(CLI, "aws_iam_role.odd", "s3:GetObject", "aws_s3_bucket.shared/x", "--format", "json")
    assert not any(c in js.stdout for c in "\x07\x1b")
    got = json.loads(js.stdout)["statements"][0]
    assert (got["sid"], got["policy"]) == ("Esc\x1b[2J", 'aws_iam_role.odd inline_policy "bell\x07\x1b[31mred"')


# -- hostile trees -----------------------------------------------------------------------------

def _role_with_policy(tmp_path, document: str) -> str:
    (tmp_path / "policy.json").write_text(document)
    (tmp_path / "main.tf").write_text('''
provider "aws" {
  allowed_account_ids = ["111122223333"]
}
resource "aws_iam_role" "big" {
  name               = "big"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "big" {
  name   = "big"
  role   = aws_iam_role.big.id
  policy = file("${path.module}/policy.json")
}
''')
    return str(tmp_path)


def test_a_policy_of_10000_statements_answers(tmp_path):
    statements = [{"Sid": "S%d" % i, "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b%d/*" % i}
                  for i in range(10_000)]
    path = _role_with_policy(tmp_path, json.dumps({"Version": "2012-10-17", "Statement": statements}))
    result = simulate(path, "aws_iam_role.big", "s3:GetObject", "arn:aws:s3:::b9999/x", "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    # AWS accepts no such policy: the collector reads none of it, and says so
    assert (got["decision"], got["reason"]) == (
        "unknown", "not known before deploy: aws_iam_role_policy.big is not known "
        "(aws_iam_role_policy.big has more than 1000 statements)")


def test_a_deeply_nested_condition_answers(tmp_path):
    deep = "[" * 5_000 + '"10.0.0.0/8"' + "]" * 5_000
    path = _role_with_policy(tmp_path, '{"Version": "2012-10-17", "Statement": [{"Sid": "Deep", "Effect": "Allow", '
                             '"Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": %s}}}]}'
                             % deep)
    result = simulate(path, "aws_iam_role.big", "s3:GetObject", "arn:aws:s3:::b/x", "--context", "aws:SourceIp=10.0.0.1",
                      "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    # deeper than the JSON reader goes: the policy is not known, and the answer says so
    assert (got["decision"], got["reason"]) == ("unknown", "not known before deploy: aws_iam_role_policy.big is not known (not valid JSON)")
