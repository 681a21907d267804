"""AWS-SH-100: Security Hub not enabled in the project; AWS-SH-101: Security Hub with no security
standard subscribed."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding

from .detection_a_common import always, by_root, present, roots_lacking


def evaluate_present(facts):
    # A standards subscription needs Security Hub enabled in the account: it counts too (the
    # account itself may be enabled elsewhere, e.g. by the organization's administrator).
    yield from roots_lacking(
        PRESENT.id, facts, "securityhub", always, "Security Hub",
        "Security Hub is not enabled in this project (root module or stack).",
    )


def evaluate_standards(facts):
    standards = by_root(facts.of_kind("securityhub_standard"))
    for hub in facts.of_kind("securityhub"):
        attr = hub.default_standards
        if attr.is_true():
            continue
        subscribed = present(standards.get(hub.resource.meta.get("root_module", ""), ()))
        if subscribed.is_true():
            continue
        if attr.is_false() and not subscribed.known:
            attr = subscribed
        if attr.is_false():
            yield Finding(STANDARDS.id, hub.resource, "Security Hub %s subscribes no security standard: default standards are off and no standards subscription is declared." % hub.resource.address, attr.location)
        else:
            yield undecided(STANDARDS.id, hub.resource, "default standards", attr.value, attr.location)


PRESENT = Check(
    id="AWS-SH-100",
    title="Security Hub is not enabled in the project",
    severity="medium",
    pillar="detection",
    scope="project",
    cwe=("CWE-778",),
    kinds=("root", "securityhub"),
    evaluate=evaluate_present,
    what="""Reports each Terraform root module and top-level CloudFormation stack that does not
enable Security Hub (`aws_securityhub_account` / `AWS::SecurityHub::Hub`, in the root or its
modules and nested stacks). A hub with `count = 0` or a false condition does not count; one under an
undecided condition leaves the root undecided. The finding sits on the root's first file, line 1.
Turn project-level checks off with `--no-whole-project-checks` when Security Hub is enabled
centrally by the organization.""",
    why="""Security Hub gathers the findings of GuardDuty, Inspector, Macie, IAM Access Analyzer and
Config in one place and runs the security standards' automated controls against the account.
Without it each service's findings stay in its own console and nobody sees the whole.""",
    fix_terraform="""```hcl
resource "aws_securityhub_account" "main" {
  enable_default_standards = true
}
```""",
    fix_cloudformation="""```yaml
SecurityHub:
  Type: AWS::SecurityHub::Hub
  Properties:
    EnableDefaultStandards: true
```""",
    references=("https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-settingup.html",),
)

STANDARDS = Check(
    id="AWS-SH-101",
    title="Security Hub subscribes no security standard",
    severity="low",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("securityhub", "securityhub_standard"),
    evaluate=evaluate_standards,
    what="""Finds Security Hub accounts declared with `enable_default_standards = false` /
`EnableDefaultStandards: false` (both default to true) in a root module or stack that declares no
standards subscription (`aws_securityhub_standards_subscription` / `AWS::SecurityHub::Standard`).""",
    why="""Without a standard, Security Hub only collects other services' findings: none of its own
automated controls (public buckets, unencrypted volumes, root access keys...) run against the
account.""",
    fix_terraform="""```hcl
resource "aws_securityhub_standards_subscription" "fsbp" {
  standards_arn = "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0"
  depends_on    = [aws_securityhub_account.main]
}
```""",
    fix_cloudformation="""```yaml
FoundationalStandard:
  Type: AWS::SecurityHub::Standard
  Properties:
    StandardsArn: !Sub arn:${AWS::Partition}:securityhub:${AWS::Region}::standards/aws-foundational-security-best-practices/v/1.0.0
```""",
    references=("https://docs.aws.amazon.com/securityhub/latest/userguide/standards-reference.html",),
)
