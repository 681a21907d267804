"""AWS-GD-150: a GuardDuty detector with S3 Protection turned off; AWS-GD-151: a detector with
another default protection plan turned off (EKS audit logs, EBS malware scans, RDS login
events, Lambda network logs)."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding

# The plans' feature names in the GuardDuty API (the keys of the facts' `plans`).
S3, EKS_AUDIT, EBS_MALWARE, RDS_LOGIN, LAMBDA_NETWORK = (
    "S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS")
PLAN_TITLES = {
    S3: "S3 Protection (S3 data events)",
    EKS_AUDIT: "EKS Protection (EKS audit logs)",
    EBS_MALWARE: "Malware Protection for EC2 (EBS volumes)",
    RDS_LOGIN: "RDS Protection (RDS login events)",
    LAMBDA_NETWORK: "Lambda Protection (Lambda network logs)",
}
_OTHERS = (EKS_AUDIT, EBS_MALWARE, RDS_LOGIN, LAMBDA_NETWORK)


def _evaluate(check_id: str, plans: tuple, facts):
    for detector in facts.of_kind("guardduty_protection"):
        if detector.enabled.is_false():
            continue  # a suspended detector is AWS-GD-101's finding
        off, unknown = [], None
        for plan in plans:
            attr = detector.plan(plan)
            if attr.is_false():
                off.append((plan, attr))
            elif not attr.known and unknown is None:
                unknown = (plan, attr)
        if off:
            plan, attr = off[0]
            source = detector.sources.get(plan)
            names = ", ".join(PLAN_TITLES[p] for p, _ in off)
            via = "" if source is None or source is detector.resource else " by %s" % source.address
            yield Finding(check_id, detector.resource, "GuardDuty detector %s has %s turned off%s." % (detector.resource.address, names, via), attr.location)
        elif unknown is not None:
            plan, attr = unknown
            yield undecided(check_id, detector.resource, PLAN_TITLES[plan], attr.value, attr.location)


def evaluate_s3(facts):
    yield from _evaluate(S3_PROTECTION.id, (S3,), facts)


def evaluate_others(facts):
    yield from _evaluate(PROTECTION_PLANS.id, _OTHERS, facts)


_DEFAULTS = """A new detector has every optional protection plan on when the request leaves it out
(GuardDuty API reference, CreateDetector; Runtime Monitoring is the one exception and is not read
here), so a detector that says nothing about a plan passes: only a plan declared off is reported."""

S3_PROTECTION = Check(
    id="AWS-GD-150",
    title="GuardDuty detector has S3 Protection turned off",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("guardduty_protection",),
    evaluate=evaluate_s3,
    what="""Finds enabled GuardDuty detectors whose S3 Protection (analysis of CloudTrail S3 data
events) is declared off: `datasources { s3_logs { enable = false } }` or an
`aws_guardduty_detector_feature` named `S3_DATA_EVENTS` with `status = "DISABLED"` naming the
detector (Terraform); `DataSources.S3Logs.Enable: false` or a `Features` entry `S3_DATA_EVENTS`
with `Status: DISABLED` (CloudFormation). A feature resource or a `Features` entry wins over the
legacy data source. """ + _DEFAULTS,
    why="""Without S3 Protection GuardDuty sees bucket configuration calls only, not object access:
data exfiltration from a bucket (mass `GetObject` from an unusual network, access from a Tor exit
node, a disabled block-public-access followed by reads) raises no finding.""",
    fix_terraform="""```hcl
resource "aws_guardduty_detector" "main" {
  enable = true
}

resource "aws_guardduty_detector_feature" "s3" {
  detector_id = aws_guardduty_detector.main.id
  name        = "S3_DATA_EVENTS"
  status      = "ENABLED"
}
```""",
    fix_cloudformation="""```yaml
Detector:
  Type: AWS::GuardDuty::Detector
  Properties:
    Enable: true
    Features:
      - Name: S3_DATA_EVENTS
        Status: ENABLED
```""",
    references=(
        "https://docs.aws.amazon.com/guardduty/latest/ug/s3-protection.html",
        "https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html",
    ),
)

PROTECTION_PLANS = Check(
    id="AWS-GD-151",
    title="GuardDuty detector has a protection plan turned off (EKS, malware, RDS or Lambda)",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("guardduty_protection",),
    evaluate=evaluate_others,
    what="""Finds enabled GuardDuty detectors with one of the protection plans that are on by
default declared off: EKS audit logs (`EKS_AUDIT_LOGS`, legacy `kubernetes { audit_logs }` /
`Kubernetes.AuditLogs`), Malware Protection for EC2 (`EBS_MALWARE_PROTECTION`, legacy
`malware_protection { scan_ec2_instance_with_findings { ebs_volumes } }` /
`MalwareProtection.ScanEc2InstanceWithFindings.EbsVolumes`), RDS Protection (`RDS_LOGIN_EVENTS`)
and Lambda Protection (`LAMBDA_NETWORK_LOGS`), in the detector, its `Features` (CloudFormation) or
an `aws_guardduty_detector_feature` naming it (Terraform). One finding per detector lists every
plan turned off. """ + _DEFAULTS + """ A plan turned off because the account has no such workload
(no EKS cluster, no RDS) is a deliberate choice: pass it with an inline skip.""",
    why="""Each plan is the only GuardDuty view of its workload: EKS audit logs reveal anonymous
access and privilege escalation in clusters, malware scans find the payload behind a compromised
instance, RDS login events show brute force and anomalous logins to Aurora, Lambda network logs
show functions talking to command-and-control hosts. A plan turned off leaves that workload
unwatched while the detector looks enabled.""",
    fix_terraform="""```hcl
resource "aws_guardduty_detector" "main" {
  enable = true
}

resource "aws_guardduty_detector_feature" "eks_audit" {
  detector_id = aws_guardduty_detector.main.id
  name        = "EKS_AUDIT_LOGS"
  status      = "ENABLED"
}

resource "aws_guardduty_detector_feature" "malware" {
  detector_id = aws_guardduty_detector.main.id
  name        = "EBS_MALWARE_PROTECTION"
  status      = "ENABLED"
}
```""",
    fix_cloudformation="""```yaml
Detector:
  Type: AWS::GuardDuty::Detector
  Properties:
    Enable: true
    Features:
      - Name: EKS_AUDIT_LOGS
        Status: ENABLED
      - Name: EBS_MALWARE_PROTECTION
        Status: ENABLED
      - Name: RDS_LOGIN_EVENTS
        Status: ENABLED
      - Name: LAMBDA_NETWORK_LOGS
        Status: ENABLED
```""",
    references=(
        "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-features-activation-model.html",
        "https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html",
    ),
)
