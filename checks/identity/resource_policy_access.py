"""AWS-IAM-750, 751 and 752: who a resource-based policy lets in from outside the account.

Read from the IAM engine's "iam_resource_policy" facts (S3 bucket, SQS queue, SNS topic, KMS key,
Secrets Manager secret, ECR repository and Lambda permission policies, in both languages; role
trust policies are AWS-IAM-005/006's and are skipped here):

- 750: an Allow statement for anyone (`"*"`, `{"AWS": "*"}`, or a NotPrincipal) with no condition
  that narrows the caller (organization, account, source ARN/account/VPC/endpoint/IP).
- 751: an Allow statement of a Lambda, SNS or SQS policy for an AWS service principal
  (`*.amazonaws.com`) with no aws:SourceArn / aws:SourceAccount condition (confused deputy).
- 752: an Allow statement for another AWS account without aws:PrincipalOrgID/PrincipalOrgPaths.

Only known values decide; an unknown document, effect, principal or condition gives an
undecided record.
"""
from __future__ import annotations

import re

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown
from iacguard.iam.basics import TRUST

from iacguard.core.lazy import lazy_module

_catalogue = lazy_module("iacguard.iam.catalogue")  # loaded when a check runs

from .iam_common import ALLOW, document_unknown, effect_of, foreign_accounts, guarded as _guarded, listed, location_of

# Condition keys that narrow who may call (750), compared with a positive operator and a
# value other than "*" (aws:SecureTransport says how, never who, so it is not one of them).
NARROWING = frozenset(k.lower() for k in (
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceOwner",
    "aws:SourceVpce", "aws:SourceVpc", "aws:SourceIp", "aws:userid", "aws:PrincipalServiceName",
    "kms:CallerAccount",
))
SERVICE_GUARDS = frozenset(k.lower() for k in (
    "aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceOwner"))
ORG_GUARDS = frozenset(k.lower() for k in ("aws:PrincipalOrgID", "aws:PrincipalOrgPaths"))
# Resource types whose policies 751 reads (the governed resource or the policy's holder).
_SERVICE_TYPES = frozenset((
    "aws_lambda_function", "aws_lambda_permission", "AWS::Lambda::Function", "AWS::Lambda::Permission",
    "aws_sns_topic", "aws_sns_topic_policy", "AWS::SNS::Topic", "AWS::SNS::TopicPolicy",
    "aws_sqs_queue", "aws_sqs_queue_policy", "AWS::SQS::Queue", "AWS::SQS::QueuePolicy",
))
_ACCOUNT = re.compile(r"^(?:(\d{12})|arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):.*)$")
_ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):")
_ARN_HEAD = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::$")



def _allows(rp, check_id):
    """(statement, location) of the Allow statements of a resource policy, and the undecided
    records of its unknown document or effects."""
    policy = rp.policy
    fallback = rp.resource.location
    if policy.unknown is not None:
        return [], [undecided(check_id, rp.resource, "policy", document_unknown(policy), policy.location or fallback)]
    out, open_ = [], []
    for st in policy.statements[:512]:
        where = location_of(st, policy, fallback)
        effect = effect_of(st)
        if is_unknown(effect):
            open_.append(undecided(check_id, rp.resource, "Effect", effect, where))
        elif effect == ALLOW:
            out.append((st, where))
    return out, open_


def _policies(facts):
    for rp in facts.of_kind("iam_resource_policy"):
        if rp.policy.kind != TRUST:
            yield rp


def _items(block, kind):
    if block == "*":
        return ("*",) if kind == "AWS" else ()
    if isinstance(block, dict):
        value = block.get(kind)
        if value is None:
            return ()
        return tuple(value) if isinstance(value, (list, tuple)) else (value,)
    return ()


def _actions(st) -> str:
    if st.actions is not None:
        names = [a if isinstance(a, str) else "(not known)" for a in st.actions[:256]]
        return listed(names)
    names = [a if isinstance(a, str) else "(not known)" for a in (st.not_actions or ())[:256]]
    return "every action except " + listed(names)


def _writes(st) -> bool:
    """Whether the statement grants some write or permissions-management action (the action
    catalogue's access levels); an unknown part counts, as the message only words the finding."""
    return _catalogue.grants(st, ("Write", "Permissions management")) is not False


def evaluate_public(facts):
    for rp in _policies(facts):
        allows, open_ = _allows(rp, PUBLIC.id)
        yield from open_
        for st, where in allows:
            if st.not_principals is not None:
                how = "every principal except those of its NotPrincipal"
            elif is_unknown(st.principals):
                yield undecided(PUBLIC.id, rp.resource, "Principal", st.principals, where)
                continue
            else:
                items = _items(st.principals, "AWS")
                if not any(i == "*" for i in items if isinstance(i, str)):
                    unknown = next((i for i in items if is_unknown(i) and not hasattr(i, "node") and not getattr(i, "partial_text", None)), None)
                    if unknown is not None:
                        yield undecided(PUBLIC.id, rp.resource, "Principal", unknown, where)
                    continue
                how = "anyone (*)"
            guarded = _guarded(st, NARROWING)
            if is_unknown(guarded):
                yield undecided(PUBLIC.id, rp.resource, "Condition", guarded, where)
            elif not guarded:
                kind = "write actions" if _writes(st) else "actions"
                yield Finding(PUBLIC.id, rp.resource,
                              "%s lets %s call %s (%s) on %s with no condition on the caller's organization, account, source or network." % (
                                  rp.policy.name, how, kind, _actions(st), rp.resource.address), where)


def evaluate_service(facts):
    for rp in _policies(facts):
        if rp.resource.type not in _SERVICE_TYPES and getattr(rp.policy.resource, "type", None) not in _SERVICE_TYPES:
            continue
        allows, open_ = _allows(rp, SERVICE.id)
        yield from open_
        for st, where in allows:
            if is_unknown(st.principals):
                yield undecided(SERVICE.id, rp.resource, "Principal", st.principals, where)
                continue
            services, unknown = [], None
            for item in _items(st.principals, "Service")[:256]:
                if isinstance(item, str):
                    if item.lower().endswith((".amazonaws.com", ".amazonaws.com.cn")):
                        services.append(item)
                elif is_unknown(item):
                    unknown = item if unknown is None else unknown
            if not services and unknown is None:
                continue
            guarded = _guarded(st, SERVICE_GUARDS)
            if guarded is True:
                continue
            if is_unknown(guarded):
                yield undecided(SERVICE.id, rp.resource, "Condition", guarded, where)
            elif services:
                yield Finding(SERVICE.id, rp.resource,
                              "%s grants the service principal %s access to %s without an aws:SourceArn or aws:SourceAccount condition: any account's use of that service can reach it." % (
                                  rp.policy.name, listed(services), rp.resource.address), where)
            else:
                yield undecided(SERVICE.id, rp.resource, "Principal", unknown, where)


def _same_symbol(a, b) -> bool:
    return hasattr(a, "node") and hasattr(b, "node") and (a.node, a.attribute) == (b.node, b.attribute)


def _account_of(item, own):
    """(account, unknown): the account a principal item names (None when it names none, or the
    resource's own account by the same deploy-time symbol), or the Unknown that leaves it open."""
    if isinstance(item, str):
        m = _ACCOUNT.match(item)
        return (m.group(1) or m.group(2) if m else None), None
    pieces = getattr(item, "partial_text", None)
    if pieces:
        pieces = tuple(pieces)
        if len(pieces) >= 2 and isinstance(pieces[0], str) and _ARN_HEAD.match(pieces[0]) and is_unknown(pieces[1]):
            if _same_symbol(pieces[1], own):
                return None, None
            return None, pieces[1]
        m = _ARN_ACCOUNT.match(pieces[0]) if isinstance(pieces[0], str) else None
        if m:
            return m.group(1), None
        return None, item
    if _same_symbol(item, own):
        return None, None
    if hasattr(item, "node"):
        return None, None  # a principal of the scan, named by reference
    return None, item if is_unknown(item) else None


def evaluate_cross_account(facts):
    for rp in _policies(facts):
        allows, open_ = _allows(rp, CROSS_ACCOUNT.id)
        yield from open_
        for st, where in allows:
            if st.not_principals is not None or is_unknown(st.principals):
                continue  # 750 reports these
            items = [i for i in _items(st.principals, "AWS")[:256] if i != "*"]  # "*" is 750's
            others, unknown = foreign_accounts(items, rp.account, lambda item: _account_of(item, rp.account))
            if not others and unknown is None:
                continue
            guarded = _guarded(st, ORG_GUARDS)
            if guarded is True:
                continue
            if is_unknown(guarded):
                yield undecided(CROSS_ACCOUNT.id, rp.resource, "Condition", guarded, where)
            elif others:
                yield Finding(CROSS_ACCOUNT.id, rp.resource,
                              "%s grants account%s %s access to %s without an aws:PrincipalOrgID or aws:PrincipalOrgPaths condition." % (
                                  rp.policy.name, "s" if len(others) > 1 else "", listed(others), rp.resource.address), where)
            else:
                yield undecided(CROSS_ACCOUNT.id, rp.resource, "Principal account", unknown, where)


_REFS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
)
_KINDS = ("iam_resource_policy",)

PUBLIC = Check(
    id="AWS-IAM-750",
    title="Resource policy allows any principal without a condition on the caller",
    severity="high",
    pillar="identity",
    cwe=("CWE-284",),
    kinds=_KINDS,
    evaluate=evaluate_public,
    equivalents=(("checkov", "CKV_AWS_70"), ("checkov", "CKV_AWS_33"), ("checkov", "CKV_AWS_301"),
                 ("cfn_nag", "F16"), ("cfn_nag", "F13"), ("cfn_nag", "F76")),
    what="""Reads the resource-based policies of S3 buckets, SQS queues, SNS topics, KMS keys,
Secrets Manager secrets, ECR repositories and Lambda permissions, and reports an Allow statement
for `"*"`, `{"AWS": "*"}` or a `NotPrincipal` when no condition narrows the caller: a positive
comparison (not `...IfExists`, not `*`, not `0.0.0.0/0`) of `aws:PrincipalOrgID`,
`aws:PrincipalOrgPaths`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceArn`,
`aws:SourceAccount`, `aws:SourceOwner`, `aws:SourceOrgID`, `aws:SourceOrgPaths`,
`aws:SourceVpce`, `aws:SourceVpc`, `aws:SourceIp`, `aws:userid`, `aws:PrincipalServiceName` or
`kms:CallerAccount`. `aws:SecureTransport` alone does not narrow who calls. The message names the
actions and says when they include write actions. Role trust policies are AWS-IAM-005's. An
unknown document, effect, principal or condition gives an undecided record.""",
    why="""A statement for every principal opens the resource to anyone with AWS credentials in any
account (and, for S3, to anonymous requests): write actions let strangers change or delete the
data, read actions leak it.""",
    fix_terraform="""Name the principals, or narrow the caller with a condition:

```hcl
resource "aws_sqs_queue_policy" "jobs" {
  queue_url = aws_sqs_queue.jobs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.jobs.arn
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-exampleorgid" } }
    }]
  })
}
```""",
    fix_cloudformation="""```yaml
JobsPolicy:
  Type: AWS::SQS::QueuePolicy
  Properties:
    Queues: [!Ref Jobs]
    PolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {AWS: "*"}
          Action: sqs:SendMessage
          Resource: !GetAtt Jobs.Arn
          Condition:
            StringEquals:
              aws:PrincipalOrgID: o-exampleorgid
```""",
    references=_REFS + ("https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",),
)

SERVICE = Check(
    id="AWS-IAM-751",
    title="Lambda, SNS or SQS policy grants an AWS service without aws:SourceArn or aws:SourceAccount",
    severity="medium",
    pillar="identity",
    cwe=("CWE-441",),
    kinds=_KINDS,
    evaluate=evaluate_service,
    equivalents=(("checkov", "CKV_AWS_364"), ("trivy", "AVD-AWS-0067")),
    what="""Reads Lambda permissions (`aws_lambda_permission`, `AWS::Lambda::Permission`) and SNS
topic and SQS queue policies, and reports an Allow statement for a service principal
(`*.amazonaws.com`) unless a condition compares `aws:SourceArn`, `aws:SourceAccount`,
`aws:SourceOwner`, `aws:SourceOrgID` or `aws:SourceOrgPaths` with a positive operator and a
value other than `*` (a Lambda permission's `source_arn` / `SourceArn` and `source_account` /
`SourceAccount` are those conditions). An unknown principal or condition gives an undecided
record.""",
    why="""A service principal acts for every AWS customer. Without a source condition, a resource
of another account using the same service (an S3 bucket's notifications, an EventBridge rule, an
SNS topic) can be pointed at this function, topic or queue: the confused deputy.""",
    fix_terraform="""```hcl
resource "aws_lambda_permission" "from_bucket" {
  statement_id   = "AllowS3"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.worker.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.uploads.arn
  source_account = "111122223333"
}
```""",
    fix_cloudformation="""```yaml
FromBucket:
  Type: AWS::Lambda::Permission
  Properties:
    Action: lambda:InvokeFunction
    FunctionName: !Ref Worker
    Principal: s3.amazonaws.com
    SourceArn: !GetAtt Uploads.Arn
    SourceAccount: !Ref AWS::AccountId
```""",
    references=_REFS + ("https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html",),
)

CROSS_ACCOUNT = Check(
    id="AWS-IAM-752",
    title="Resource policy grants another account without an organization condition",
    severity="medium",
    pillar="identity",
    cwe=("CWE-284",),
    kinds=_KINDS,
    evaluate=evaluate_cross_account,
    what="""Reads the resource-based policies of S3 buckets, SQS queues, SNS topics, KMS keys,
Secrets Manager secrets, ECR repositories and Lambda permissions, and reports an Allow statement
for an account (an account id, or an IAM/STS ARN in that account) other than the resource's own,
when both are known (or when the statement names several accounts: at most one is the
resource's), unless a condition compares `aws:PrincipalOrgID` or `aws:PrincipalOrgPaths` with a
positive operator. A principal written as the deployment's own account
(`data.aws_caller_identity`, `AWS::AccountId`) is the resource's account. An account that is not
known gives an undecided record. Role trust policies are AWS-IAM-006's.""",
    why="""Granting another account hands the choice of who may use the resource to that account's
administrators; an organization condition keeps the grant inside the accounts you govern.""",
    fix_terraform="""```hcl
data "aws_iam_policy_document" "shared" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.shared.arn}/*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::444455556666:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-exampleorgid"]
    }
  }
}
```""",
    fix_cloudformation="""```yaml
SharedPolicy:
  Type: AWS::S3::BucketPolicy
  Properties:
    Bucket: !Ref Shared
    PolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {AWS: "arn:aws:iam::444455556666:root"}
          Action: s3:GetObject
          Resource: !Sub "${Shared.Arn}/*"
          Condition:
            StringEquals:
              aws:PrincipalOrgID: o-exampleorgid
```""",
    references=_REFS,
)

CHECKS = (PUBLIC, SERVICE, CROSS_ACCOUNT)
