"""AWS-IAM-001: IAM policy that allows every action on every resource."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import first_unknown_item, is_unknown


def evaluate(facts):
    for stmt in facts.of_kind("policy_statement"):
        if stmt.has_principal or not (stmt.allows() or is_unknown(stmt.effect)):
            continue  # resource-based statements and Deny statements are not grants of admin
        # "*:*" is not documented IAM syntax but is accepted and matches every action.
        all_actions = any(not is_unknown(a) and a in ("*", "*:*") for a in stmt.actions)
        all_resources = any(not is_unknown(r) and r == "*" for r in stmt.resources)
        if not (all_actions and all_resources and stmt.allows()):
            # Undecided when unknown values (and nothing known) stand between it and admin.
            unknown_action, unknown_resource = first_unknown_item(stmt.actions), first_unknown_item(stmt.resources)
            if (all_actions or unknown_action is not None) and (all_resources or unknown_resource is not None):
                if is_unknown(stmt.effect) and unknown_action is stmt.effect:
                    yield undecided(CHECK.id, stmt.resource, "policy document", stmt.effect, stmt.location)
                elif is_unknown(stmt.effect):
                    yield undecided(CHECK.id, stmt.resource, "Effect", stmt.effect, stmt.location)
                elif not all_actions:
                    yield undecided(CHECK.id, stmt.resource, "Action", unknown_action, stmt.location)
                else:
                    yield undecided(CHECK.id, stmt.resource, "Resource", unknown_resource, stmt.location)
            continue
        extra = " (under a condition)" if stmt.has_condition else ""
        yield Finding(
            CHECK.id,
            stmt.resource,
            "IAM policy in %s allows every action (*) on every resource (*)%s." % (stmt.resource.address, extra),
            stmt.location,
        )


CHECK = Check(
    id="AWS-IAM-001",
    equivalents=(("checkov", "CKV_AWS_1"), ("checkov", "CKV_AWS_62"), ("trivy", "AVD-AWS-0057")),
    title="IAM policy allows all actions on all resources",
    severity="critical",
    pillar="identity",
    cwe=("CWE-269",),
    kinds=("policy_statement",),
    evaluate=evaluate,
    what="""Finds identity policy statements with `Effect: Allow`, `Action: "*"` and
`Resource: "*"`: managed and inline policies in both languages, whether the document is a JSON
string, a heredoc, a `jsonencode()` value, an `aws_iam_policy_document` data source or a
CloudFormation `PolicyDocument`. Deny statements and service wildcards such as `s3:*` are not
reported by this check.""",
    why="""Such a statement grants full administrator rights. Whoever holds the role, user or group
(or steals its credentials) can read every secret, delete every resource and grant themselves
anything else, which defeats least privilege and every other control in the account.""",
    fix_terraform="""Grant the actions the workload needs on the resources it uses:

```hcl
data "aws_iam_policy_document" "app" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
  }
}
```""",
    fix_cloudformation="""```yaml
PolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Action: s3:GetObject
      Resource: !Sub "${AssetsBucket.Arn}/*"
```""",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html",
    ),
)
