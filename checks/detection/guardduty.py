"""AWS-GD-100: no enabled GuardDuty detector in the project; AWS-GD-101: a detector that is
disabled."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding

from .detection_a_common import roots_lacking


def evaluate_present(facts):
    yield from roots_lacking(
        PRESENT.id, facts, "guardduty_detector", lambda d: d.enabled, "an enabled GuardDuty detector",
        "No enabled GuardDuty detector is declared in this project (root module or stack).",
    )


def evaluate_enabled(facts):
    for detector in facts.of_kind("guardduty_detector"):
        attr = detector.enabled
        if attr.is_false():
            yield Finding(ENABLED.id, detector.resource, "GuardDuty detector %s is disabled." % detector.resource.address, attr.location)
        elif not attr.known:
            yield undecided(ENABLED.id, detector.resource, "enable", attr.value, attr.location)


_TF_FIX = """```hcl
resource "aws_guardduty_detector" "main" {
  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"
}
```"""
_CFN_FIX = """```yaml
Detector:
  Type: AWS::GuardDuty::Detector
  Properties:
    Enable: true
    FindingPublishingFrequency: FIFTEEN_MINUTES
```"""

PRESENT = Check(
    id="AWS-GD-100",
    title="No enabled GuardDuty detector is declared in the project",
    severity="medium",
    pillar="detection",
    scope="project",
    cwe=("CWE-778",),
    kinds=("root", "guardduty_detector"),
    evaluate=evaluate_present,
    what="""Reports each Terraform root module and top-level CloudFormation stack that declares no
enabled GuardDuty detector (`aws_guardduty_detector` / `AWS::GuardDuty::Detector`, in the root or
its modules and nested stacks). A detector with `enable = false` / `Enable: false`, `count = 0` or
a false condition does not count; one under an undecided condition leaves the root undecided. The
finding sits on the root's first file, line 1. Turn project-level checks off with
`--no-whole-project-checks` when GuardDuty is enabled by the organization's delegated
administrator.""",
    why="""GuardDuty analyses CloudTrail, VPC flow and DNS logs for known attack patterns
(credential exfiltration, crypto-mining, reconnaissance) at no engineering cost. Without a
detector in each account and region nothing raises these findings.""",
    fix_terraform=_TF_FIX,
    fix_cloudformation=_CFN_FIX,
    references=("https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_settingup.html",),
    equivalents=(("checkov", "CKV2_AWS_3"),),
)

ENABLED = Check(
    id="AWS-GD-101",
    title="GuardDuty detector is disabled",
    severity="high",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("guardduty_detector",),
    evaluate=evaluate_enabled,
    what="""Finds GuardDuty detectors declared with `enable = false` (Terraform; the provider's
default is true) or `Enable: false` (CloudFormation, where the property is required).""",
    why="""A suspended detector analyses nothing and raises no findings, while the account looks
covered to anyone who lists detectors. Suspending GuardDuty is also something an intruder does
first; declaring it suspended hides that.""",
    fix_terraform=_TF_FIX,
    fix_cloudformation=_CFN_FIX,
    references=(
        "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_suspend-disable.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-guardduty-detector.html",
    ),
)
