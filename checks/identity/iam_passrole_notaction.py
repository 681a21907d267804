"""AWS-IAM-704 (`iam:PassRole` on every role) and AWS-IAM-705 (Allow with `NotAction`).

Both read the policy statements of the scan (the "iam_policy" kind): 704 identity policies, 705
identity and resource policies. A statement that is not known, or a document that is not known,
gives an undecided record, as do Unknown items that could decide.
"""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown
from iacguard.iam.basics import ALLOW, IDENTITY, RESOURCE, pieces

from .iam_common import action_glob, document_unknown

MAX_STATEMENTS = 4096
PASS_ROLE = "iam:PassRole"


def _where(policy, st):
    return st.location or policy.location or policy.resource.location


def _statements(facts, kinds):
    seen = 0
    for policy in facts.of_kind("iam_policy"):
        if policy.kind not in kinds or policy.resource is None:
            continue
        if policy.unknown is not None:
            yield policy, None
            continue
        for st in policy.statements:
            seen += 1
            if seen > MAX_STATEMENTS:
                return
            yield policy, st


def _open(check, policy, st):
    unknown = document_unknown(policy) if st is None else st.unknown
    where = (policy.location or policy.resource.location) if st is None else _where(policy, st)
    return undecided(check.id, policy.resource, "policy document" if st is None else "statement", unknown, where)


def _could_be_star(item) -> bool:
    return is_unknown(item) and not any(isinstance(p, str) and p not in ("", "*") for p in pieces(item))


def evaluate_pass_role(facts):
    for policy, st in _statements(facts, (IDENTITY,)):
        if st is None or st.unknown is not None:
            yield _open(PASS_ROLE_CHECK, policy, st)
            continue
        if st.actions is None or (st.effect != ALLOW and not is_unknown(st.effect)):
            continue  # NotAction is AWS-IAM-705's; Deny narrows
        items = st.actions[:256]
        if any(isinstance(a, str) and a in ("*", "*:*") for a in items):
            continue  # Action "*" is AWS-IAM-001's
        grants = [a for a in items if action_glob(a, PASS_ROLE) is True]
        unknown_action = next((a for a in items if is_unknown(a)), None)
        if not grants:
            if unknown_action is not None:
                yield undecided(PASS_ROLE_CHECK.id, policy.resource, "Action", unknown_action, _where(policy, st))
            continue
        if st.not_resources is not None:
            on_all = True
        else:
            resources = st.resources or ()
            on_all = True if any(isinstance(r, str) and r in ("*", "arn:aws:iam::*:role/*") for r in resources) else next((r for r in resources if _could_be_star(r)), False)
        if is_unknown(on_all):
            yield undecided(PASS_ROLE_CHECK.id, policy.resource, "Resource", on_all, _where(policy, st))
            continue
        if on_all is not True:
            continue
        if is_unknown(st.effect):
            yield undecided(PASS_ROLE_CHECK.id, policy.resource, "Effect", st.effect, _where(policy, st))
            continue
        yield Finding(PASS_ROLE_CHECK.id, policy.resource,
                      "IAM policy %s allows iam:PassRole%s on every role: whoever holds it can hand any role, an administrator's too, to a service it controls." % (
                          policy.name, "" if grants == [PASS_ROLE] else " (through %s)" % ", ".join(sorted(set(grants)))),
                      _where(policy, st))


def evaluate_not_action(facts):
    for policy, st in _statements(facts, (IDENTITY, RESOURCE)):
        if st is None or st.unknown is not None:
            yield _open(NOT_ACTION, policy, st)
            continue
        if st.not_actions is None:
            continue
        if is_unknown(st.effect):
            yield undecided(NOT_ACTION.id, policy.resource, "Effect", st.effect, _where(policy, st))
        elif st.effect == ALLOW:
            excluded = [a if isinstance(a, str) else "(not known)" for a in st.not_actions[:4]]
            more = " and %d more" % (len(st.not_actions) - 4) if len(st.not_actions) > 4 else ""
            yield Finding(NOT_ACTION.id, policy.resource,
                          "IAM policy %s allows every action except %s%s (Allow with NotAction), including actions added to AWS later." % (policy.name, ", ".join(excluded), more),
                          _where(policy, st))


PASS_ROLE_CHECK = Check(
    id="AWS-IAM-704",
    title="IAM policy allows iam:PassRole on every role",
    severity="high",
    pillar="identity",
    cwe=("CWE-269",),
    kinds=("iam_policy",),
    evaluate=evaluate_pass_role,
    what="""Reads identity policy statements (inline and customer managed, both languages) with
`Effect: Allow` whose `Action` grants `iam:PassRole` (`iam:PassRole`, `iam:Pass*`, `iam:*`) on
every role: `Resource: "*"`, `arn:aws:iam::*:role/*` or a `NotResource`. A condition such as
`iam:PassedToService` does not narrow which roles may be passed, so it does not stop a finding.
`Action: "*"` is AWS-IAM-001's and `NotAction` AWS-IAM-705's. Unknown items that could decide
give an undecided record.""",
    why="""Passing a role to a service (an EC2 instance profile, a Lambda function, a CloudFormation
stack, a Glue job) lets the service act as that role. Whoever may pass every role can launch a
workload running as the most privileged role of the account and so escalate to its permissions.""",
    fix_terraform="""Name the roles that may be passed, and to which service:

```hcl
data "aws_iam_policy_document" "deployer" {
  statement {
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.app.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com"]
    }
  }
}
```""",
    fix_cloudformation="""```yaml
PolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Action: iam:PassRole
      Resource: !GetAtt AppRole.Arn
      Condition:
        StringEquals:
          iam:PassedToService: lambda.amazonaws.com
```""",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    ),
)

NOT_ACTION = Check(
    id="AWS-IAM-705",
    title="IAM policy statement allows with NotAction",
    severity="medium",
    pillar="identity",
    cwe=("CWE-732",),
    kinds=("iam_policy",),
    evaluate=evaluate_not_action,
    what="""Reports every `Effect: Allow` statement that uses `NotAction`, in identity policies (inline
and customer managed) and resource policies (bucket, key, queue, topic policies...), whatever its
resources: such a statement grants every action of AWS but the listed ones, including actions and
services added later. A statement whose effect is not known is undecided. `NotAction` with
`Effect: Deny` is the usual way to write a guardrail and is not reported. AWS-IAM-003 reports,
besides, the `NotAction` statements on every resource that amount to administrator access.""",
    why="""An allow list that is written as an exception list grows silently: every new AWS action
and service is granted the day it is released, and a reviewer sees a short list of actions that
are *not* granted rather than what is.""",
    fix_terraform="""List the actions that are granted:

```hcl
data "aws_iam_policy_document" "reports" {
  statement {
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.reports.arn, "${aws_s3_bucket.reports.arn}/*"]
  }
}
```""",
    fix_cloudformation="""```yaml
PolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Action:
        - s3:GetObject
        - s3:ListBucket
      Resource:
        - !GetAtt ReportsBucket.Arn
        - !Sub "${ReportsBucket.Arn}/*"
```""",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    ),
)

CHECKS = (PASS_ROLE_CHECK, NOT_ACTION)
