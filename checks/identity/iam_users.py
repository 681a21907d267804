"""AWS-IAM-007, 008, 009: IAM users that hold permissions or long-term credentials.

People and workloads should get permissions through groups and roles and sign in through a
federated identity provider (IAM Identity Center) with temporary credentials. 007 reads the
policies of each IAM user (the user's own, not those it gets from its groups); 008 and 009 read
the credentials the scan creates for users (the "iam_credential" kind: an access key or a
console password is a credential whichever user holds it, so the finding is on the resource that
creates it).
"""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown

from .iam_common import listed


def _from_groups(principal) -> tuple:
    policies, reasons = [], set()
    for group in principal.groups[:256]:
        policies.extend(group.identity_policies)
        reasons.update(getattr(u, "reason", "") for u in group.unresolved)
    return policies, reasons


def _whole_list_unknown(principal):
    """The Unknown of a CloudFormation user's ManagedPolicyArns when the list as a whole is not
    known (an item that is not known is still a policy attached), else None."""
    if principal.resource.type != "AWS::IAM::User":
        return None
    raw = principal.resource.get("ManagedPolicyArns")
    return raw if is_unknown(raw) else None


def evaluate_user_policies(facts):
    for principal in facts.of_kind("iam_principal"):
        if principal.kind != "user":
            continue
        group_policies, group_reasons = _from_groups(principal)
        own = [p for p in principal.identity_policies if not any(p is g or p == g for g in group_policies)]
        # An attached policy whose document is not known is still a policy attached to the user.
        unresolved = [u for u in principal.unresolved if getattr(u, "reason", "") not in group_reasons]
        if not own and not unresolved:
            continue
        whole = _whole_list_unknown(principal)
        if not own and len(unresolved) == 1 and whole is not None:
            # The only "policy" is a ManagedPolicyArns list that is not known as a whole: it may
            # be empty (AWS::NoValue, an empty parameter list), so the user may have none.
            yield undecided(USER_POLICIES.id, principal.resource, "ManagedPolicyArns", whole, principal.resource.location_of("ManagedPolicyArns"))
            continue
        names = [p.name for p in own] + [getattr(u, "reason", "unknown policy") for u in unresolved]
        first = next((p for p in own if p.location is not None), None)
        where = first.location if first is not None else principal.resource.location
        related = tuple((p.location, "policy %s" % p.name) for p in own if p.location is not None and p is not first)
        yield Finding(USER_POLICIES.id, principal.resource,
                      "IAM user %s has %d polic%s attached directly: %s." % (principal.address, len(names), "y" if len(names) == 1 else "ies", listed(names, 3)),
                      where, related=related)


def _credentials(facts, kind, check):
    for cred in facts.of_kind("iam_credential"):
        if cred.kind != kind:
            continue
        if is_unknown(cred.active):
            yield undecided(check.id, cred.resource, "status" if kind == "access_key" else "LoginProfile", cred.active, cred.location)
        elif cred.active:
            yield cred


def evaluate_access_keys(facts):
    for item in _credentials(facts, "access_key", ACCESS_KEYS):
        if not hasattr(item, "kind"):
            yield item
            continue
        user = item.user.address if item.user is not None else "an IAM user"
        yield Finding(ACCESS_KEYS.id, item.resource, "%s creates a long-term access key for %s." % (item.resource.address, user), item.location)


def evaluate_login_profiles(facts):
    for item in _credentials(facts, "login_profile", LOGIN_PROFILES):
        if not hasattr(item, "kind"):
            yield item
            continue
        user = item.user.address if item.user is not None else "an IAM user"
        yield Finding(LOGIN_PROFILES.id, item.resource, "%s gives %s a console password." % (item.resource.address if item.resource is not item.user else "LoginProfile", user), item.location)


_REFS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-users-federation-idp",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles",
)

USER_POLICIES = Check(
    id="AWS-IAM-007",
    equivalents=(("checkov", "CKV_AWS_40"),),
    title="IAM user has policies attached directly",
    severity="low",
    pillar="identity",
    cwe=("CWE-732",),
    kinds=("iam_principal",),
    evaluate=evaluate_user_policies,
    what="""Reports each IAM user with an identity policy of its own: an inline policy
(`aws_iam_user_policy`, `Policies` of `AWS::IAM::User`, `AWS::IAM::Policy`/`AWS::IAM::UserPolicy`
naming the user) or a managed policy attached to the user (`aws_iam_user_policy_attachment`,
`aws_iam_policy_attachment` with `users`, `ManagedPolicyArns`, `AWS::IAM::ManagedPolicy` with
`Users`), including an attached policy whose document is not known. Policies the user gets from
its groups are not reported.""",
    why="""Permissions granted user by user drift apart and are hard to review or revoke. Granting them
to groups (for people) or roles (for workloads) keeps one place per job function.""",
    fix_terraform="""Attach the policy to a group and make the user a member:

```hcl
resource "aws_iam_group_policy_attachment" "deployers" {
  group      = aws_iam_group.deployers.name
  policy_arn = aws_iam_policy.deploy.arn
}

resource "aws_iam_user_group_membership" "ci" {
  user   = aws_iam_user.ci.name
  groups = [aws_iam_group.deployers.name]
}
```""",
    fix_cloudformation="""```yaml
Deployers:
  Type: AWS::IAM::Group
  Properties:
    ManagedPolicyArns:
      - !Ref DeployPolicy
CiUser:
  Type: AWS::IAM::User
  Properties:
    Groups:
      - !Ref Deployers
```""",
    references=_REFS,
)

ACCESS_KEYS = Check(
    id="AWS-IAM-008",
    title="IAM user has a long-term access key",
    severity="medium",
    pillar="identity",
    cwe=("CWE-798",),
    kinds=("iam_credential",),
    evaluate=evaluate_access_keys,
    what="""Reports each access key the scan creates (`aws_iam_access_key`, `AWS::IAM::AccessKey`)
unless its status is `Inactive`. An unknown status gives an undecided record.""",
    why="""An access key never expires on its own: once leaked (from a CI log, a laptop, a state file
that stores its secret) it works until someone deletes it. Roles give workloads temporary
credentials instead.""",
    fix_terraform="""Give the workload a role (an instance profile, a task role, OIDC federation for CI) and
remove the key:

```hcl
resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = data.aws_iam_policy_document.github_oidc.json
}
```""",
    fix_cloudformation="""```yaml
CiRole:
  Type: AWS::IAM::Role
  Properties:
    AssumeRolePolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal:
            Federated: !Ref GithubOidcProvider
          Action: sts:AssumeRoleWithWebIdentity
```""",
    references=_REFS + ("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",),
)

LOGIN_PROFILES = Check(
    id="AWS-IAM-009",
    title="IAM user has a console password",
    severity="low",
    pillar="identity",
    cwe=("CWE-308",),
    kinds=("iam_credential",),
    evaluate=evaluate_login_profiles,
    what="""Reports each console password the scan gives an IAM user: an
`aws_iam_user_login_profile`, or the `LoginProfile` of an `AWS::IAM::User` (an unknown
`LoginProfile`, e.g. under `Fn::If`, gives an undecided record).""",
    why="""People should sign in through a federated identity provider or IAM Identity Center, with
temporary credentials and central MFA and offboarding; a password per IAM user is a long-term
credential to rotate, protect with MFA and remember to remove.""",
    fix_terraform="""Remove the login profile and give people access through IAM Identity Center:

```hcl
resource "aws_ssoadmin_account_assignment" "dev" {
  instance_arn       = var.sso_instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.dev.arn
  principal_id       = var.developers_group_id
  principal_type     = "GROUP"
  target_id          = var.account_id
  target_type        = "AWS_ACCOUNT"
}
```""",
    fix_cloudformation="""```yaml
DevAssignment:
  Type: AWS::SSO::Assignment
  Properties:
    InstanceArn: !Ref SsoInstanceArn
    PermissionSetArn: !GetAtt DevPermissionSet.PermissionSetArn
    PrincipalId: !Ref DevelopersGroupId
    PrincipalType: GROUP
    TargetId: !Ref AWS::AccountId
    TargetType: AWS_ACCOUNT
```""",
    references=_REFS + ("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html",),
)
