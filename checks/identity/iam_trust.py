"""AWS-IAM-005 and AWS-IAM-006: who may assume a role, read from its trust policy.

A trust policy is the role's resource policy for sts:AssumeRole*. An Allow statement granting an
assume action to any principal ("*", {"AWS": "*"}, or a NotPrincipal) lets anyone with AWS
credentials assume the role unless a condition narrows the caller (005). A statement trusting
another account lets every principal that account's administrators allow: without
sts:ExternalId or an organization condition that is the confused-deputy case (006). Only known
values decide; an unknown effect, principal or condition block gives an undecided record.
"""
from __future__ import annotations

import re

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown

from .iam_common import ALLOW, document_unknown, effect_of, foreign_accounts, grants_action, guarded as _guarded, location_of

ASSUME = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
# Condition keys that narrow who may call, when compared with a positive operator.
NARROWING = frozenset(k.lower() for k in (
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths", "sts:ExternalId",
    "aws:userid", "aws:PrincipalServiceName",
))
# The conditions that answer the confused deputy for a trusted account (006).
CROSS_ACCOUNT_GUARDS = frozenset(k.lower() for k in ("sts:ExternalId", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths"))
_ACCOUNT = re.compile(r"^(?:\d{12}|arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):.*)$")


def _assumes(statement):
    """True/False/Unknown: the statement allows an sts:AssumeRole* action."""
    answers = [grants_action(statement, a) for a in ASSUME]
    if any(a is True for a in answers):
        return True
    return next((a for a in answers if is_unknown(a)), False)


def _statements(principal):
    """(statement, policy) of the Allow statements of a role's trust policy that grant an assume
    action, and the undecided records' material (statement, policy, what, unknown)."""
    trust = principal.trust
    if principal.kind != "role" or trust is None:
        return [], []
    if trust.unknown is not None:
        return [], [(None, trust, "assume_role_policy", document_unknown(trust))]
    allows, open_ = [], []
    for st in trust.statements[:512]:
        effect = effect_of(st)
        if is_unknown(effect):
            open_.append((st, trust, "Effect", effect))
            continue
        if effect != ALLOW:
            continue
        assumes = _assumes(st)
        if is_unknown(assumes):
            open_.append((st, trust, "Action", assumes))
        elif assumes:
            allows.append((st, trust))
    return allows, open_


def _aws_items(block):
    """The "AWS" principal items of a Principal block ("*" counts as {"AWS": "*"})."""
    if block == "*":
        return ("*",)
    if isinstance(block, dict):
        return tuple(block.get("AWS") or ())
    return ()


def evaluate_open(facts):
    for principal in facts.of_kind("iam_principal"):
        allows, open_ = _statements(principal)
        for st, policy, what, unknown in open_:
            yield undecided(OPEN_CHECK.id, principal.resource, what, unknown, location_of(st, policy, principal.resource.location) if st else policy.location or principal.resource.location)
        for st, policy in allows:
            where = location_of(st, policy, principal.resource.location)
            if st.not_principals is not None:
                anyone, how = True, "every principal except those of its NotPrincipal"
            elif is_unknown(st.principals):
                yield undecided(OPEN_CHECK.id, principal.resource, "Principal", st.principals, where)
                continue
            else:
                items = _aws_items(st.principals)
                anyone, how = any(i == "*" for i in items if isinstance(i, str)), "any AWS principal (*)"
                if not anyone:
                    unknown = next((i for i in items if is_unknown(i)), None)
                    if unknown is not None:
                        yield undecided(OPEN_CHECK.id, principal.resource, "Principal", unknown, where)
                    continue
            guarded = _guarded(st, NARROWING)
            if is_unknown(guarded):
                yield undecided(OPEN_CHECK.id, principal.resource, "Condition", guarded, where)
            elif not guarded:
                yield Finding(OPEN_CHECK.id, principal.resource,
                              "Role %s can be assumed by %s: its trust policy has no condition on the caller's organization, account, source or external id." % (principal.address, how), where)


def _account_of(item):
    m = _ACCOUNT.match(item)
    if not m:
        return None
    return m.group(1) or item


def _trusted_account(item) -> tuple:
    if is_unknown(item):
        return None, item
    return (_account_of(item) if isinstance(item, str) else None), None


def evaluate_cross_account(facts):
    for principal in facts.of_kind("iam_principal"):
        allows, open_ = _statements(principal)
        for st, policy, what, unknown in open_:
            where = location_of(st, policy, principal.resource.location) if st is not None else policy.location or principal.resource.location
            yield undecided(CROSS_ACCOUNT_CHECK.id, principal.resource, what, unknown, where)
        for st, policy in allows:
            if st.not_principals is not None or is_unknown(st.principals):
                continue  # 005 reports these
            where = location_of(st, policy, principal.resource.location)
            others, unknown = foreign_accounts(_aws_items(st.principals)[:256], principal.account, _trusted_account)
            if not others and unknown is None:
                continue
            guarded = _guarded(st, CROSS_ACCOUNT_GUARDS)
            if guarded is True:
                continue
            if is_unknown(guarded):
                yield undecided(CROSS_ACCOUNT_CHECK.id, principal.resource, "Condition", guarded, where)
            elif others:
                yield Finding(CROSS_ACCOUNT_CHECK.id, principal.resource,
                              "Role %s trusts account%s %s without an sts:ExternalId or aws:PrincipalOrgID/aws:PrincipalOrgPaths condition." % (principal.address, "s" if len(others) > 1 else "", ", ".join(sorted(others))), where)
            else:
                yield undecided(CROSS_ACCOUNT_CHECK.id, principal.resource, "Principal account", unknown, where)


_REFS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
)

OPEN_CHECK = Check(
    id="AWS-IAM-005",
    equivalents=(("checkov", "CKV_AWS_60"),),
    title="IAM role trust policy allows any principal to assume the role",
    severity="critical",
    pillar="identity",
    cwe=("CWE-284",),
    kinds=("iam_principal",),
    evaluate=evaluate_open,
    what="""Reads each role's trust policy (`assume_role_policy`, `AssumeRolePolicyDocument`) and
reports an Allow statement that grants `sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity` or
`sts:AssumeRoleWithSAML` (directly or through a wildcard) to `"*"`, to `{"AWS": "*"}` or through
`NotPrincipal`, when no condition narrows the caller: a positive comparison (`StringEquals`,
`StringLike`, `ArnEquals`, `ArnLike`, not `...IfExists`, not `*`) of `aws:PrincipalOrgID`,
`aws:PrincipalOrgPaths`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceAccount`,
`aws:SourceArn`, `aws:SourceOrgID`, `aws:SourceOrgPaths`, `aws:userid`,
`aws:PrincipalServiceName` or `sts:ExternalId`. An unknown effect, action, principal or
condition gives an undecided record.""",
    why="""A role that trusts every AWS principal can be assumed by anyone with AWS credentials in
any account: the role's permissions become public.""",
    fix_terraform="""Name the principals that may assume the role, or narrow the caller with a condition:

```hcl
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
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
AssumeRolePolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Principal:
        AWS: "*"
      Action: sts:AssumeRole
      Condition:
        StringEquals:
          aws:PrincipalOrgID: o-exampleorgid
```""",
    references=_REFS,
)

CROSS_ACCOUNT_CHECK = Check(
    id="AWS-IAM-006",
    title="IAM role trusts another account without an external id or organization condition",
    severity="medium",
    pillar="identity",
    cwe=("CWE-441",),
    kinds=("iam_principal",),
    evaluate=evaluate_cross_account,
    what="""Reads each role's trust policy and reports an Allow statement granting an
`sts:AssumeRole*` action to an account (an account id, or an IAM ARN in that account) other than
the role's own, when both account ids are known (or when it names several accounts: at most one
is the role's), unless a condition compares `sts:ExternalId`,
`aws:PrincipalOrgID` or `aws:PrincipalOrgPaths` with a positive operator. A trusted principal or
the role's own account that is not known gives an undecided record.""",
    why="""Trusting another account delegates the choice of who may assume the role to that account's
administrators. When the other account is a third party acting for several customers, a request
made for another customer can use this role (the confused deputy); `sts:ExternalId` or an
organization condition ties the trust to the intended caller.""",
    fix_terraform="""```hcl
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}
```""",
    fix_cloudformation="""```yaml
AssumeRolePolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Principal:
        AWS: arn:aws:iam::111122223333:root
      Action: sts:AssumeRole
      Condition:
        StringEquals:
          sts:ExternalId: !Ref ExternalId
```""",
    references=_REFS,
)
