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
CFN = FIXTURES / "cloudformation" / "accounts"
CFN_MAIN = "tests/fixtures/iam/simulate/cloudformation/accounts/main/template.yaml"
CFN_PARTNER = "tests/fixtures/iam/simulate/cloudformation/accounts/partner/template.yaml"


@pytest.fixture(scope="module")
def tf():
    return _Asker(TF)


@pytest.fixture(scope="module")
def cfn():
    return _Asker(CFN)


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


# -- the table -------------------------------------------------------------------------------------
# (principal, action, resource, --context values, decision, deciding statements). A statement is
# (file, start_line, end_line, effect, sid, policy); file None: a shipped AWS managed policy.
MAIN, PARTNER = TF_MAIN, TF_PARTNER

TERRAFORM_ROWS = [
    ('aws_iam_role.app', 's3:PutObject', 'arn:aws:s3:::corp-data/a.csv', (), 'allow', [(MAIN, 56, 73, 'Allow', 'CorpData', 'aws_iam_role_policy.app_main')]),
    ('aws_iam_role.app', 's3:DeleteObject', 'arn:aws:s3:::corp-data/a.csv', (), 'explicit-deny', [(MAIN, 56, 73, 'Deny', 'NoDelete', 'aws_iam_role_policy.app_main')]),
    ('aws_iam_role.app', 's3:GetObject', 'arn:aws:s3:::logs-2024/a.txt', (), 'allow', [(MAIN, 56, 73, 'Allow', 'ReadLogs', 'aws_iam_role_policy.app_main')]),
    ('aws_iam_role.app', 's3:getobjectversion', 'arn:aws:s3:::logs-2024/a.txt', (), 'allow', [(MAIN, 56, 73, 'Allow', 'ReadLogs', 'aws_iam_role_policy.app_main')]),
    ('aws_iam_role.app', 's3:PutObject', 'arn:aws:s3:::logs-2024/a.txt', (), 'implicit-deny', []),
    ('aws_iam_role.app', 's3:GetObject', 'arn:aws:s3:::data-2024/a.txt', (), 'implicit-deny', []),
    ('aws_iam_role.app', 's3:ListBucket', 'arn:aws:s3:::corp-data', ('aws:SourceIp=10.1.2.3',), 'allow', [(MAIN, 56, 73, 'Allow', 'ListFromOffice', 'aws_iam_role_policy.app_main')]),
    ('aws_iam_role.app', 's3:ListBucket', 'arn:aws:s3:::corp-data', ('aws:SourceIp=192.168.1.1',), 'implicit-deny', []),
    ('aws_iam_role.app', 's3:ListBucket', 'arn:aws:s3:::corp-data', (), 'implicit-deny', []),
    ('aws_iam_role.app', 'ec2:StopInstances', '*', ('aws:MultiFactorAuthPresent=true',), 'allow', [(MAIN, 56, 73, 'Allow', 'StopWithMfa', 'aws_iam_role_policy.app_main')]),
    ('aws_iam_role.app', 'ec2:StopInstances', '*', ('aws:MultiFactorAuthPresent=false',), 'implicit-deny', []),
    ('aws_iam_role.app', 'ec2:StopInstances', '*', (), 'implicit-deny', []),
    ('aws_iam_role.app', 's3:PutObject', 'arn:aws:s3:::reports/r1', ('aws:RequestedRegion=eu-west-1',), 'allow', [(MAIN, 56, 73, 'Allow', 'ReportsInRegion', 'aws_iam_role_policy.app_main')]),
    ('aws_iam_role.app', 's3:PutObject', 'arn:aws:s3:::reports/r1', ('aws:RequestedRegion=us-east-1',), 'implicit-deny', []),
    ('aws_iam_role.app', 's3:PutObject', 'arn:aws:s3:::reports/r1', (), 'allow', [(MAIN, 56, 73, 'Allow', 'ReportsInRegion', 'aws_iam_role_policy.app_main')]),
    ('aws_iam_role.app', 'ec2:TerminateInstances', '*', (), 'explicit-deny', [(MAIN, 33, 33, 'Deny', 'NoTerminate', 'aws_organizations_policy.guardrail')]),
    ('aws_iam_role.app', 'dynamodb:GetItem', '*', (), 'implicit-deny', [(MAIN, 29, 35, None, None, 'aws_organizations_policy.guardrail')]),
    ('aws_iam_role.app', 's3:GetObject', 'aws_s3_bucket.partner_shared/x', (), 'allow', [(MAIN, 56, 73, 'Allow', 'Partner', 'aws_iam_role_policy.app_main'), (PARTNER, 14, 20, 'Allow', 'AppOfA', 'aws_s3_bucket_policy.partner_shared')]),
    ('aws_iam_role.reader', 's3:GetObject', 'aws_s3_bucket.partner_shared/x', (), 'implicit-deny', []),
    ('aws_iam_role.ci', 's3:GetObject', 'aws_s3_bucket.partner_shared/x', (), 'implicit-deny', []),
    ('aws_iam_role.reader', 's3:PutObject', 'aws_s3_bucket.uploads/in/x', (), 'allow', [(MAIN, 102, 102, 'Allow', 'ReaderWrites', 'aws_s3_bucket_policy.uploads')]),
    ('aws_iam_role.app', 's3:PutObject', 'aws_s3_bucket.uploads/in/x', (), 'implicit-deny', []),
    ('aws_iam_role.reader', 'lambda:InvokeFunction', 'aws_lambda_function.worker', (), 'allow', [(MAIN, 114, 119, 'Allow', 'ReaderInvokes', 'aws_lambda_permission.reader_invokes')]),
    ('aws_iam_role.app', 'lambda:InvokeFunction', 'aws_lambda_function.worker', (), 'implicit-deny', []),
    ('aws_iam_role.app', 'kms:Decrypt', 'aws_kms_key.main', (), 'allow', [(MAIN, 127, 127, 'Allow', 'AppDecrypts', 'aws_kms_key.main policy')]),
    ('aws_iam_role.reader', 'kms:Decrypt', 'aws_kms_key.main', (), 'implicit-deny', []),
    ('aws_iam_role.admin', 'kms:Encrypt', 'aws_kms_key.main', (), 'allow', [(None, None, None, 'Allow', None, 'arn:aws:iam::aws:policy/AdministratorAccess'), (MAIN, 126, 126, 'Allow', 'Account', 'aws_kms_key.main policy')]),
    ('aws_iam_role.ci', 'sts:AssumeRole', 'aws_iam_role.app', (), 'allow', [(MAIN, 85, 85, 'Allow', 'AssumeAny', 'aws_iam_role_policy.ci'), (MAIN, 49, 49, 'Allow', 'FromCi', 'aws_iam_role.app assume_role_policy')]),
    ('aws_iam_role.reader', 'sts:AssumeRole', 'aws_iam_role.app', (), 'implicit-deny', []),
    ('aws_iam_role.admin', 'sts:AssumeRole', 'aws_iam_role.app', (), 'implicit-deny', []),
    ('aws_iam_role.admin', 'dynamodb:GetItem', '*', (), 'implicit-deny', [(MAIN, 29, 35, None, None, 'aws_organizations_policy.guardrail')]),
    ('aws_iam_role.admin', 's3:GetObject', 'arn:aws:s3:::any/x', (), 'allow', [(None, None, None, 'Allow', None, 'arn:aws:iam::aws:policy/AdministratorAccess')]),
    ('aws_iam_role.auditor', 's3:GetObject', 'arn:aws:s3:::any/x', (), 'allow', [(None, None, None, 'Allow', 'ReadOnlyActions', 'arn:aws:iam::aws:policy/ReadOnlyAccess')]),
    ('aws_iam_role.auditor', 's3:PutObject', 'arn:aws:s3:::any/x', (), 'implicit-deny', []),
    ('aws_iam_role.notaction', 'ec2:DescribeInstances', '*', (), 'allow', [(MAIN, 156, 156, 'Allow', 'AllButIam', 'aws_iam_role.notaction inline_policy "all-but-iam"')]),
    ('aws_iam_role.notaction', 'iam:CreateUser', '*', (), 'implicit-deny', []),
    ('aws_iam_role.notresource', 's3:GetObject', 'arn:aws:s3:::public-bucket/x', (), 'allow', [(MAIN, 165, 165, 'Allow', 'NotSecret', 'aws_iam_role.notresource inline_policy "not-secret"')]),
    ('aws_iam_role.notresource', 's3:GetObject', 'arn:aws:s3:::secret-bucket/x', (), 'implicit-deny', []),
    ('aws_iam_role.bounded', 's3:GetObject', 'arn:aws:s3:::any/x', (), 'allow', [(MAIN, 183, 183, 'Allow', 'S3Ec2', 'aws_iam_policy.s3_and_ec2')]),
    ('aws_iam_role.bounded', 'ec2:DescribeInstances', '*', (), 'implicit-deny', [(MAIN, 172, 172, None, None, 'aws_iam_policy.boundary')]),
    ('aws_iam_user.alice', 's3:GetObject', 'arn:aws:s3:::home-bucket/home/alice/notes.txt', (), 'allow', [(MAIN, 205, 205, 'Allow', 'OwnHome', 'aws_iam_user_policy.home')]),
    ('aws_iam_user.alice', 's3:GetObject', 'arn:aws:s3:::home-bucket/home/bob/notes.txt', (), 'implicit-deny', []),
    ('aws_iam_role.docs', 'lambda:InvokeFunction', 'arn:aws:lambda:eu-west-1:111122223333:function:report', (), 'allow', [(MAIN, 239, 243, 'Allow', 'Invoke', 'aws_iam_role_policy.docs')]),
    ('aws_iam_role.docs', 'lambda:InvokeFunction', 'arn:aws:lambda:eu-west-1:111122223333:function:other', (), 'implicit-deny', []),
    ('aws_iam_role.docs', 'sqs:ReceiveMessage', 'arn:aws:sqs:eu-west-1:111122223333:jobs', (), 'allow', [(MAIN, 231, 235, 'Allow', 'Queue', 'aws_iam_role_policy.docs')]),
    ('aws_iam_role.docs', 'dynamodb:Query', 'arn:aws:dynamodb:eu-west-1:111122223333:table/docs', (), 'implicit-deny', [(MAIN, 29, 35, None, None, 'aws_organizations_policy.guardrail')]),
    ('aws_iam_role.vague', 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:111122223333:jobs', (), 'unknown', [(MAIN, 279, 279, 'Allow', 'FromVariable', 'aws_iam_role_policy.vague')]),
    ('aws_iam_role.vague', 's3:GetObject', 'arn:aws:s3:::photos/x', (), 'unknown', [(MAIN, 280, 280, 'Allow', 'SomeBucket', 'aws_iam_role_policy.vague')]),
    ('aws_iam_role.vague', 'ec2:DescribeInstances', '*', (), 'implicit-deny', []),
    ('aws_iam_role.unshipped', 's3:GetObject', 'arn:aws:s3:::any/x', (), 'unknown', [(None, None, None, None, None, 'AWS managed policy arn:aws:iam::aws:policy/AmazonSageMakerFullAccess is not shipped with iacguard')]),
    ('aws_iam_user.bob', 's3:PutObject', 'arn:aws:s3:::team-drop/a', (), 'allow', [(MAIN, 216, 216, 'Allow', 'SendJobs', 'aws_iam_group_policy.devs')]),
    ('aws_iam_user.alice', 's3:PutObject', 'arn:aws:s3:::team-drop/a', (), 'implicit-deny', []),
    ('aws_iam_user.alice', 's3:PutObject', 'arn:aws:s3:::home-bucket/home/alice/x', (), 'allow', [(MAIN, 205, 205, 'Allow', 'OwnHome', 'aws_iam_user_policy.home')]),
]

MAIN, PARTNER = CFN_MAIN, CFN_PARTNER

CLOUDFORMATION_ROWS = [
    ('App', 's3:PutObject', 'arn:aws:s3:::corp-data/a.csv', (), 'allow', [(MAIN, 43, 46, 'Allow', 'CorpData', 'App Policies "main"')]),
    ('App', 's3:DeleteObject', 'arn:aws:s3:::corp-data/a.csv', (), 'explicit-deny', [(MAIN, 47, 50, 'Deny', 'NoDelete', 'App Policies "main"')]),
    ('App', 's3:GetObject', 'arn:aws:s3:::logs-2024/a.txt', (), 'allow', [(MAIN, 51, 54, 'Allow', 'ReadLogs', 'App Policies "main"')]),
    ('App', 's3:getobjectversion', 'arn:aws:s3:::logs-2024/a.txt', (), 'allow', [(MAIN, 51, 54, 'Allow', 'ReadLogs', 'App Policies "main"')]),
    ('App', 's3:PutObject', 'arn:aws:s3:::logs-2024/a.txt', (), 'implicit-deny', []),
    ('App', 's3:GetObject', 'arn:aws:s3:::data-2024/a.txt', (), 'implicit-deny', []),
    ('App', 's3:ListBucket', 'arn:aws:s3:::corp-data', ('aws:SourceIp=10.1.2.3',), 'allow', [(MAIN, 55, 59, 'Allow', 'ListFromOffice', 'App Policies "main"')]),
    ('App', 's3:ListBucket', 'arn:aws:s3:::corp-data', ('aws:SourceIp=192.168.1.1',), 'implicit-deny', []),
    ('App', 's3:ListBucket', 'arn:aws:s3:::corp-data', (), 'implicit-deny', []),
    ('App', 'ec2:StopInstances', '*', ('aws:MultiFactorAuthPresent=true',), 'allow', [(MAIN, 60, 64, 'Allow', 'StopWithMfa', 'App Policies "main"')]),
    ('App', 'ec2:StopInstances', '*', ('aws:MultiFactorAuthPresent=false',), 'implicit-deny', []),
    ('App', 'ec2:StopInstances', '*', (), 'implicit-deny', []),
    ('App', 's3:PutObject', 'arn:aws:s3:::reports/r1', ('aws:RequestedRegion=eu-west-1',), 'allow', [(MAIN, 65, 69, 'Allow', 'ReportsInRegion', 'App Policies "main"')]),
    ('App', 's3:PutObject', 'arn:aws:s3:::reports/r1', ('aws:RequestedRegion=us-east-1',), 'implicit-deny', []),
    ('App', 's3:PutObject', 'arn:aws:s3:::reports/r1', (), 'allow', [(MAIN, 65, 69, 'Allow', 'ReportsInRegion', 'App Policies "main"')]),
    ('App', 'ec2:TerminateInstances', '*', (), 'explicit-deny', [(MAIN, 23, 26, 'Deny', 'NoTerminate', 'Guardrail')]),
    ('App', 'dynamodb:GetItem', '*', (), 'implicit-deny', [(MAIN, 16, 26, None, None, 'Guardrail')]),
    ('App', 's3:GetObject', 'PartnerShared/x', (), 'unknown', [(PARTNER, 15, 19, 'Allow', 'AppOfA', 'PartnerSharedPolicy')]),
    ('Reader', 's3:GetObject', 'PartnerShared/x', (), 'unknown', [(PARTNER, 15, 19, 'Allow', 'AppOfA', 'PartnerSharedPolicy')]),
    ('Ci', 's3:GetObject', 'PartnerShared/x', (), 'implicit-deny', []),
    ('Reader', 's3:PutObject', 'Uploads/in/x', (), 'allow', [(MAIN, 113, 117, 'Allow', 'ReaderWrites', 'UploadsPolicy')]),
    ('App', 's3:PutObject', 'Uploads/in/x', (), 'implicit-deny', []),
    ('Reader', 'lambda:InvokeFunction', 'Worker', (), 'allow', [(MAIN, 126, 131, 'Allow', None, 'ReaderInvokes')]),
    ('App', 'lambda:InvokeFunction', 'Worker', (), 'implicit-deny', []),
    ('App', 'kms:Decrypt', 'MainKey', (), 'allow', [(MAIN, 144, 148, 'Allow', 'AppDecrypts', 'MainKey KeyPolicy')]),
    ('Reader', 'kms:Decrypt', 'MainKey', (), 'implicit-deny', []),
    ('Admin', 'kms:Encrypt', 'MainKey', (), 'allow', [(None, None, None, 'Allow', None, 'arn:aws:iam::aws:policy/AdministratorAccess'), (MAIN, 139, 143, 'Allow', 'Account', 'MainKey KeyPolicy')]),
    ('Ci', 'sts:AssumeRole', 'App', (), 'allow', [(MAIN, 93, 96, 'Allow', 'AssumeAny', 'Ci Policies "assume"'), (MAIN, 34, 37, 'Allow', 'FromCi', 'App AssumeRolePolicyDocument')]),
    ('Reader', 'sts:AssumeRole', 'App', (), 'implicit-deny', []),
    ('Admin', 'sts:AssumeRole', 'App', (), 'implicit-deny', []),
    ('Admin', 'dynamodb:GetItem', '*', (), 'implicit-deny', [(MAIN, 16, 26, None, None, 'Guardrail')]),
    ('Admin', 's3:GetObject', 'arn:aws:s3:::any/x', (), 'allow', [(None, None, None, 'Allow', None, 'arn:aws:iam::aws:policy/AdministratorAccess')]),
    ('Auditor', 's3:GetObject', 'arn:aws:s3:::any/x', (), 'allow', [(None, None, None, 'Allow', 'ReadOnlyActions', 'arn:aws:iam::aws:policy/ReadOnlyAccess')]),
    ('Auditor', 's3:PutObject', 'arn:aws:s3:::any/x', (), 'implicit-deny', []),
    ('NotActionRole', 'ec2:DescribeInstances', '*', (), 'allow', [(MAIN, 171, 174, 'Allow', 'AllButIam', 'NotActionRole Policies "all-but-iam"')]),
    ('NotActionRole', 'iam:CreateUser', '*', (), 'implicit-deny', []),
    ('NotResourceRole', 's3:GetObject', 'arn:aws:s3:::public-bucket/x', (), 'allow', [(MAIN, 185, 188, 'Allow', 'NotSecret', 'NotResourceRole Policies "not-secret"')]),
    ('NotResourceRole', 's3:GetObject', 'arn:aws:s3:::secret-bucket/x', (), 'implicit-deny', []),
    ('Bounded', 's3:GetObject', 'arn:aws:s3:::any/x', (), 'allow', [(MAIN, 208, 211, 'Allow', 'S3Ec2', 'S3AndEc2')]),
    ('Bounded', 'ec2:DescribeInstances', '*', (), 'implicit-deny', [(MAIN, 193, 199, None, None, 'Boundary')]),
    ('Alice', 's3:GetObject', 'arn:aws:s3:::home-bucket/home/alice/notes.txt', (), 'allow', [(MAIN, 227, 230, 'Allow', 'OwnHome', 'Alice Policies "home"')]),
    ('Alice', 's3:GetObject', 'arn:aws:s3:::home-bucket/home/bob/notes.txt', (), 'implicit-deny', []),
    ('Docs', 'lambda:InvokeFunction', 'arn:aws:lambda:eu-west-1:111122223333:function:report', (), 'unknown', []),
    ('Docs', 'lambda:InvokeFunction', 'arn:aws:lambda:eu-west-1:111122223333:function:other', (), 'implicit-deny', []),
    ('Docs', 'sqs:ReceiveMessage', 'arn:aws:sqs:eu-west-1:111122223333:jobs', (), 'unknown', []),
    ('Docs', 'dynamodb:Query', 'arn:aws:dynamodb:eu-west-1:111122223333:table/docs', (), 'implicit-deny', [(MAIN, 16, 26, None, None, 'Guardrail')]),
    ('Vague', 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:111122223333:jobs', (), 'unknown', [(MAIN, 284, 287, 'Allow', 'FromParameter', 'Vague Policies "vague"')]),
    ('Vague', 's3:GetObject', 'arn:aws:s3:::photos/x', (), 'unknown', [(MAIN, 288, 291, 'Allow', 'SomeBucket', 'Vague Policies "vague"')]),
    ('Vague', 'ec2:DescribeInstances', '*', (), 'implicit-deny', []),
    ('Unshipped', 's3:GetObject', 'arn:aws:s3:::any/x', (), 'unknown', [(None, None, None, None, None, 'AWS managed policy arn:aws:iam::aws:policy/AmazonSageMakerFullAccess is not shipped with iacguard')]),
    ('Bob', 's3:PutObject', 'arn:aws:s3:::team-drop/a', (), 'allow', [(MAIN, 245, 248, 'Allow', 'SendJobs', 'Devs Policies "queues"')]),
    ('Alice', 's3:PutObject', 'arn:aws:s3:::team-drop/a', (), 'implicit-deny', []),
    ('Alice', 's3:PutObject', 'arn:aws:s3:::home-bucket/home/alice/x', (), 'allow', [(MAIN, 227, 230, 'Allow', 'OwnHome', 'Alice Policies "home"')]),
]

# What each row is about, in the order of the table (the two tables ask the same questions).
ABOUT = [
    "identity allow", "explicit deny beats allow", "action wildcard s3:Get*, ARN wildcard logs-*",
    "action matched case-insensitively", "wildcard action does not cover PutObject", "ARN wildcard does not match",
    "IpAddress met", "IpAddress unmet", "IpAddress key missing", "Bool MFA met", "Bool MFA unmet",
    "Bool MFA key missing", "IfExists met", "IfExists unmet", "IfExists key missing",
    "SCP explicit deny", "SCP without an allow", "other account: identity and bucket policy allow",
    "other account: bucket policy only", "other account: neither", "same account: bucket policy grants",
    "same account: bucket policy names another role", "Lambda permission grants", "Lambda permission names another role",
    "KMS key policy names the role", "KMS key policy: account delegation without identity allow",
    "KMS key policy: account delegation with AdministratorAccess", "trust policy: named role with identity allow",
    "trust policy: role not named", "trust policy: admin not named", "SCP stops AdministratorAccess",
    "AWS managed AdministratorAccess", "AWS managed ReadOnlyAccess allows GetObject",
    "AWS managed ReadOnlyAccess does not allow PutObject", "NotAction allows", "NotAction excludes",
    "NotResource allows", "NotResource excludes", "boundary allows", "boundary denies",
    "policy variable: own home", "policy variable: another user's home", "override document narrows Invoke",
    "override document: other function", "source document statement", "SCP stops a data source statement",
    "unknown variable in Action", "unknown variable in Resource", "unknown parts that do not matter",
    "unshipped AWS managed policy", "group policy reaches its user", "group policy: not a member",
    "policy variable: PutObject in own home",
]


def _expected(rows):
    return [(p, a, r, c, d, [dict(zip(("file", "start_line", "end_line", "effect", "sid", "policy"), s)) for s in st])
            for p, a, r, c, d, st in rows]


@pytest.mark.parametrize("row", _expected(TERRAFORM_ROWS), ids=ABOUT)
def test_terraform_table(tf, row):
    principal, action, resource, context, decision, statements = row
    got = tf.ask(principal, action, resource, context)
    assert (got["decision"], got["statements"]) == (decision, statements), got["reason"]
    assert got["reason"]


@pytest.mark.parametrize("row", _expected(CLOUDFORMATION_ROWS), ids=ABOUT)
def test_cloudformation_table(cfn, row):
    principal, action, resource, context, decision, statements = row
    got = cfn.ask(principal, action, resource, context)
    assert (got["decision"], got["statements"]) == (decision, statements), got["reason"]
    assert got["reason"]


def test_the_tables_ask_the_same_questions():
    assert len(TERRAFORM_ROWS) == len(CLOUDFORMATION_ROWS) == len(ABOUT) >= 50
    assert [r[1:4] for r in TERRAFORM_ROWS if not r[2].startswith("aws_")] == \
        [r[1:4] for r in CLOUDFORMATION_ROWS if "arn:" in r[2] or r[2] == "*"]


# Where the two languages answer differently, and why (every other row answers alike).
LANGUAGE_DIFFERENCES = {
    # CloudFormation cannot name the account a template deploys to (Terraform: allowed_account_ids):
    # whether role app and the partner's bucket share an account is not known.
    "other account: identity and bucket policy allow": ("allow", "unknown"),
    "other account: bucket policy only": ("implicit-deny", "unknown"),
    # A literal ARN of account 111122223333 asked of a role whose account is known only at deploy.
    "override document narrows Invoke": ("allow", "unknown"),
    "source document statement": ("allow", "unknown"),
}


def test_the_languages_differ_only_where_explained():
    differ = {about: (t[4], c[4]) for about, t, c in zip(ABOUT, TERRAFORM_ROWS, CLOUDFORMATION_ROWS) if t[4] != c[4]}
    assert differ == LANGUAGE_DIFFERENCES


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


# -- through the command ----------------------------------------------------------------------------

REPO = FIXTURES.parent.parent.parent.parent
# Rows asked through `iacguard iam simulate --format json`: one of each kind of answer.
THROUGH_THE_COMMAND = [
    "explicit deny beats allow", "IpAddress met", "IfExists key missing", "SCP without an allow",
    "other account: identity and bucket policy allow", "same account: bucket policy grants",
    "Lambda permission grants", "trust policy: named role with identity allow", "boundary denies",
    "unknown variable in Action", "AWS managed ReadOnlyAccess allows GetObject",
]


def _command(args):
    from iacguard.cli import main

    return CliRunner().invoke(main, ["iam", "simulate", *args, "--format", "json"])


@pytest.mark.parametrize("language,path,rows", [
    ("terraform", TF, TERRAFORM_ROWS), ("cloudformation", CFN, CLOUDFORMATION_ROWS)])
def test_rows_through_the_command(monkeypatch, language, path, rows):
    monkeypatch.chdir(REPO)
    for about in THROUGH_THE_COMMAND:
        principal, action, resource, context, decision, statements = _expected([rows[ABOUT.index(about)]])[0]
        args = [str(path.relative_to(REPO)), "--principal", principal, "--action", action, "--resource", resource]
        for c in context:
            args += ["--context", c]
        result = _command(args)
        assert result.exit_code == 0, (about, result.output)
        got = json.loads(result.stdout)
        assert set(got) == {"decision", "statements", "reason"}
        assert (got["decision"], got["statements"]) == (decision, statements), (about, got["reason"])


@pytest.mark.parametrize("path,principal,scp,expected", [
    ("terraform/ou", "aws_iam_role.dev", "aws_organizations_policy.dev", "SCP aws_organizations_policy.dev may apply: attached to "
     "aws_organizations_organizational_unit.dev, which may hold the account of aws_iam_role.dev"),
    ("cloudformation/ou", "Dev", "DevScp", "SCP DevScp may apply to this account (it is attached to an organizational "
     "unit or an account that may hold this principal)"),
])
def test_an_scp_on_an_organizational_unit_leaves_the_answer_open(monkeypatch, path, principal, scp, expected):
    """The OU's SCP allows only s3:List*: whether s3:GetObject is allowed depends on whether the
    account is in that OU, which the scan cannot tell. Where the identity policy allows nothing
    (s3:ListBucket here), the SCP cannot change the answer: implicit deny."""
    monkeypatch.chdir(REPO)
    result = _command([str((FIXTURES / path).relative_to(REPO)), "--principal", principal,
                       "--action", "s3:GetObject", "--resource", "arn:aws:s3:::x/y"])
    got = json.loads(result.stdout)
    assert result.exit_code == 0
    assert (got["decision"], got["reason"]) == (
        "unknown", "not known before deploy: SCP %s does not allow s3:GetObject, and %s" % (scp, expected))
    assert [s["policy"] for s in got["statements"]] == [scp]
    assert got["statements"][0]["file"].endswith(("main.tf", "template.yaml"))
    result = _command([str((FIXTURES / path).relative_to(REPO)), "--principal", principal,
                       "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::x"])
    assert json.loads(result.stdout)["decision"] == "implicit-deny"
