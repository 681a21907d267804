"""AWS-IAM-701 (password policy minimum length), AWS-IAM-702 (password reuse), AWS-IAM-703
(character classes): the account password policy (`aws_iam_account_password_policy`, the
"password_policy" table kind). CloudFormation has no resource for the account password policy, so
these checks are Terraform only."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import as_int, is_unknown

MIN_LENGTH = 14  # CIS AWS Foundations 1.8
MIN_REUSE = 24  # CIS AWS Foundations 1.9 (the IAM maximum)
CLASSES = (("require_symbols", "symbols"), ("require_numbers", "numbers"), ("require_uppercase", "uppercase letters"), ("require_lowercase", "lowercase letters"))


def _number(attr):
    value = attr.value if is_unknown(attr.value) else as_int(attr.value)
    return value


def _below(check, setting, minimum, noun):
    def evaluate(facts):
        for policy in facts.of_kind("password_policy"):
            attr = getattr(policy, setting)
            value = _number(attr)
            if is_unknown(value):
                yield undecided(check().id, policy.resource, attr_name(setting), value, attr.location)
            elif value < minimum:
                said = "" if attr.explicit else " (left out)"
                yield Finding(check().id, policy.resource,
                              "Password policy %s %s %d%s; at least %d is recommended." % (policy.resource.address, noun, value, said, minimum),
                              attr.location)
    return evaluate


def attr_name(setting):
    return {"minimum_length": "minimum_password_length", "reuse_prevention": "password_reuse_prevention"}.get(setting, setting)


def evaluate_classes(facts):
    for policy in facts.of_kind("password_policy"):
        attrs = [(getattr(policy, name), noun) for name, noun in CLASSES]
        missing = [noun for attr, noun in attrs if attr.is_false()]
        unknown = next((attr for attr, _ in attrs if not attr.known), None)
        if missing:
            first = next(attr for attr, _ in attrs if attr.is_false())
            yield Finding(CLASSES_CHECK.id, policy.resource,
                          "Password policy %s does not require %s." % (policy.resource.address, ", ".join(missing)),
                          first.location)
        elif unknown is not None:
            yield undecided(CLASSES_CHECK.id, policy.resource, "character classes", unknown.value, unknown.location)


_REFS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",
    "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_account_password_policy",
)
_CFN = """CloudFormation has no resource for the account password policy: this check reads Terraform
only. Set the policy with Terraform, the console or `aws iam update-account-password-policy`,
and let AWS Config watch it from a template:

```yaml
PasswordPolicyRule:
  Type: AWS::Config::ConfigRule
  Properties:
    Source:
      Owner: AWS
      SourceIdentifier: IAM_PASSWORD_POLICY
    InputParameters:
      MinimumPasswordLength: "14"
      PasswordReusePrevention: "24"
      RequireSymbols: "true"
      RequireNumbers: "true"
      RequireUppercaseCharacters: "true"
      RequireLowercaseCharacters: "true"
```"""

LENGTH = Check(
    id="AWS-IAM-701",
    title="IAM password policy allows passwords shorter than 14 characters",
    severity="medium",
    pillar="identity",
    cwe=("CWE-521",),
    kinds=("password_policy",),
    evaluate=_below(lambda: LENGTH, "minimum_length", MIN_LENGTH, "allows passwords of"),
    languages=("terraform",),
    what="""Reads the account password policy (`aws_iam_account_password_policy`) and reports it when
`minimum_password_length` is below 14 (the CIS AWS Foundations Benchmark's minimum). Left out,
the provider sends 6 (IAM's own minimum is 8 when a policy sets no length): both are reported.""",
    why="""Console passwords of IAM users are guessed or cracked far more easily when they are short;
length adds more strength than any character-class rule.""",
    fix_terraform="""```hcl
resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length      = 14
  password_reuse_prevention    = 24
  require_symbols              = true
  require_numbers              = true
  require_uppercase_characters = true
  require_lowercase_characters = true
}
```""",
    fix_cloudformation=_CFN,
    references=_REFS,
    equivalents=(("checkov", "CKV_AWS_10"), ("trivy", "AVD-AWS-0063")),
)

REUSE = Check(
    id="AWS-IAM-702",
    title="IAM password policy does not prevent password reuse",
    severity="medium",
    pillar="identity",
    cwe=("CWE-262",),
    kinds=("password_policy",),
    evaluate=_below(lambda: REUSE, "reuse_prevention", MIN_REUSE, "remembers previous passwords:"),
    languages=("terraform",),
    what="""Reads the account password policy (`aws_iam_account_password_policy`) and reports it when
`password_reuse_prevention` is left out (no reuse prevention) or below 24, the CIS AWS
Foundations Benchmark's value and the IAM maximum.""",
    why="""Without reuse prevention a user told to change a leaked or expired password can set the same
one again, so the change protects nothing.""",
    fix_terraform="""```hcl
resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length   = 14
  password_reuse_prevention = 24
}
```""",
    fix_cloudformation=_CFN,
    references=_REFS,
    equivalents=(("checkov", "CKV_AWS_13"), ("trivy", "AVD-AWS-0056")),
)

CLASSES_CHECK = Check(
    id="AWS-IAM-703",
    title="IAM password policy does not require every character class",
    severity="low",
    pillar="identity",
    cwe=("CWE-521",),
    kinds=("password_policy",),
    evaluate=evaluate_classes,
    languages=("terraform",),
    what="""Reads the account password policy (`aws_iam_account_password_policy`) and reports it when it
does not require symbols, numbers, uppercase and lowercase letters (`require_symbols`,
`require_numbers`, `require_uppercase_characters`, `require_lowercase_characters`; each is off
when left out). The message names the classes not required.""",
    why="""Required character classes rule out the most common dictionary passwords of a given length
(the CIS AWS Foundations Benchmark asked for all four before it moved to length alone).""",
    fix_terraform="""```hcl
resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length      = 14
  require_symbols              = true
  require_numbers              = true
  require_uppercase_characters = true
  require_lowercase_characters = true
}
```""",
    fix_cloudformation=_CFN,
    references=_REFS,
    equivalents=(("checkov", "CKV_AWS_11"), ("checkov", "CKV_AWS_12"), ("checkov", "CKV_AWS_14"), ("checkov", "CKV_AWS_15"), ("trivy", "AVD-AWS-0059"), ("trivy", "AVD-AWS-0060")),
)

CHECKS = (LENGTH, REUSE, CLASSES_CHECK)
