"""The simulation table of issue 12 ("Done when"): the same principals, policies and resources in
a Terraform tree and a CloudFormation template (tests/fixtures/iam/simulate/), each row a question
-> the expected decision and the deciding statements exactly as `iacguard iam simulate --format
json` gives them (file, start_line, end_line, effect, sid, policy).

The graph is built once per language and most rows ask `Authorization` directly through the same
renderer the command uses (iacguard.iam_commands._Output); a sample of rows goes through the real
command (click's CliRunner), so the command, the lookup, the collectors and the evaluator are all
exercised.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.core.limits import Limits
from iacguard.engine import build_graph
from iacguard.facts.iam_access import Authorization

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "iam" / "simulate"
TF = FIXTURES / "terraform" / "accounts"
TF_MAIN = "tests/fixtures/iam/simulate/terraform/accounts/main/main.tf"
TF_PARTNER = "tests/fixtures/iam/simulate/terraform/accounts/partner/main.tf"


@pytest.fixture(scope="module")
def tf():
    return _Asker(TF)


class _Asker:
    def __init__(self, path: Path) -> None:
        from iacguard.iam_commands import _Output

        self.analysis = build_graph([str(path)], limits=Limits())
        self.auth = Authorization(self.analysis.graph)
        self.out = _Output(self.analysis, str(FIXTURES.parent.parent.parent.parent))

    def ask(self, principal: str, action: str, resource: str, context=()) -> dict:
        ctx: dict = {}
        for item in context:
            key, _, value = item.partition("=")
            ctx.setdefault(key.lower(), []).append(value)
        decision = self.auth.simulate(self.auth.principal(principal), action, self.auth.target(resource),
                                      {k: tuple(v) for k, v in ctx.items()})
        return self.out.decision(decision)


# -- bugs found while building the table ---------------------------------------------------------

def test_terraform_principal_given_as_a_reference_is_resolved(tf):
    """`Principal = { AWS = aws_iam_role.reader.arn }` (a single reference, not a list) is the
    role's ARN once the table computes it, not an Unknown standing for the whole Principal."""
    policy = next(rp.policy for rp in tf.auth.collected.resource_policies if rp.policy.name == "aws_s3_bucket_policy.uploads")
    assert policy.statements[0].principals == {"AWS": ("arn:aws:iam::111122223333:role/reader",)}


def test_terraform_scp_on_the_root_applies_to_a_member_account_of_the_same_root(tf):
    """The organization is managed with provider aws.mgmt (allowed_account_ids 999900001111), the
    role deploys to 111122223333: a member account, so the SCP on the root applies to it (SCPs
    spare only the management account)."""
    app = tf.auth.principal("aws_iam_role.app")
    assert [p.name for p in app.guardrails] == ["aws_organizations_policy.guardrail"]
    assert app.unresolved_guardrails == ()


def test_reasons_read_as_one_sentence(tf):
    """Unknown and implicit-deny reasons name the policy and what is missing once, without the
    Unknown's reason repeated inside the value it stands for."""
    ask = tf.ask
    assert ask("aws_iam_role.vague", "sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:jobs")["reason"] == (
        "not known before deploy: aws_iam_role_policy.vague (FromVariable): the action is not known "
        "(variable extra_action has no value)")
    assert ask("aws_iam_role.vague", "s3:GetObject", "arn:aws:s3:::photos/x")["reason"] == (
        "not known before deploy: aws_iam_role_policy.vague (SomeBucket): the resource arn:aws:s3:::?/* is not "
        "known (variable home_bucket has no value)")
    assert ask("aws_iam_role.unshipped", "s3:GetObject", "arn:aws:s3:::any/x")["reason"] == (
        "not known before deploy: AWS managed policy arn:aws:iam::aws:policy/AmazonSageMakerFullAccess is not "
        "shipped with iacguard")
    assert ask("aws_iam_role.reader", "s3:GetObject", "aws_s3_bucket.partner_shared/x")["reason"] == (
        "across accounts both an identity policy and the resource policy must allow s3:GetObject; "
        "no identity policy does")
    assert ask("aws_iam_role.reader", "kms:Decrypt", "aws_kms_key.main")["reason"] == (
        "no statement allows kms:Decrypt on arn:aws:kms:eu-west-1:111122223333:key/?")


def test_a_region_not_known_is_one_symbol_per_provider_configuration(tmp_path):
    """The Lambda permission and the question name the same function, whose region comes from
    the environment: both ARNs hold the same unknown region, so the permission applies."""
    (tmp_path / "main.tf").write_text('''
provider "aws" {
  allowed_account_ids = ["111122223333"]
}
resource "aws_iam_role" "caller" {
  name               = "caller"
  assume_role_policy = "{}"
}
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = aws_iam_role.caller.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}
resource "aws_lambda_permission" "caller" {
  statement_id  = "CallerInvokes"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = aws_iam_role.caller.arn
}
''')
    auth = Authorization(build_graph([str(tmp_path)], limits=Limits()).graph)
    d = auth.simulate(auth.principal("aws_iam_role.caller"), "lambda:InvokeFunction", auth.target("aws_lambda_function.fn"))
    assert (d.decision, d.reason) == ("allow", "allowed by aws_lambda_permission.caller (CallerInvokes)")


def test_a_principal_entry_with_the_requesters_own_unknown_account_names_it():
    """{"AWS": !GetAtt Reader.Arn} in a template whose account is known only at deploy: the entry
    and the requester's ARN hold the same account symbol, so the entry names the requester; the
    key policy's arn:aws:iam::<that account>:root names its account."""
    from iacguard.core.unknown import AttributeUnknown, PartialUnknown
    from iacguard.iam.matching import ACCOUNT, PRINCIPAL, principal_entries
    from iacguard.iam.model import Request

    acct = AttributeUnknown("account id of Reader is known at deploy", "account:t", "account_id")
    other = AttributeUnknown("account id of Other is known at deploy", "account:u", "account_id")
    reader = PartialUnknown("", partial_text=("arn:aws:iam::", acct, ":role/reader"))
    root = PartialUnknown("", partial_text=("arn:aws:iam::", acct, ":root"))
    request = Request("s3:PutObject", "arn:aws:s3:::b/x", principal_arn=reader, principal_account=acct)
    assert principal_entries({"AWS": (reader,)}, request) == [(PRINCIPAL, True)]
    assert principal_entries({"AWS": (root,)}, request) == [(ACCOUNT, True)]
    ci = PartialUnknown("", partial_text=("arn:aws:iam::", acct, ":role/ci"))
    assert principal_entries({"AWS": (ci,)}, request) == [(PRINCIPAL, False)]
    elsewhere = PartialUnknown("", partial_text=("arn:aws:iam::", other, ":role/reader"))
    [(how, match)] = principal_entries({"AWS": (elsewhere,)}, request)
    assert how == PRINCIPAL and match.__class__.__name__.endswith("Unknown") and "Other" in match.reason


def test_cloudformation_lambda_permission_principal_from_getatt_names_the_role():
    """AWS::Lambda::Permission with `Principal: !GetAtt Reader.Arn`: the role, resolved to its
    (symbolic) ARN, not a Principal that is not known."""
    asker = _Asker(FIXTURES / "cloudformation" / "accounts")
    policy = next(rp.policy for rp in asker.auth.collected.resource_policies if rp.policy.name == "ReaderInvokes")
    [entry] = policy.statements[0].principals["AWS"]
    assert asker.auth.principal("Reader").arn == entry


def test_a_key_policy_delegating_to_the_account_does_not_decide_without_an_identity_allow(tf):
    """Role app has no identity policy for KMS: the key policy's statement naming the role
    allows; the statement naming the account only delegates to IAM policies, so it is not one of
    the deciding statements."""
    d = tf.ask("aws_iam_role.app", "kms:Decrypt", "aws_kms_key.main")
    assert (d["decision"], [s["sid"] for s in d["statements"]]) == ("allow", ["AppDecrypts"])
