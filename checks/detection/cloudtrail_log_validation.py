"""AWS-CT-001: CloudTrail trail without log file validation."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for trail in facts.of_kind("trail"):
        attr = trail.log_file_validation
        if attr.is_false():
            yield Finding(CHECK.id, trail.resource, "CloudTrail trail %s does not validate its log files." % trail.resource.address, attr.location)
        elif not attr.known:
            yield undecided(CHECK.id, trail.resource, "log file validation", attr.value, attr.location)


CHECK = Check(
    id="AWS-CT-001",
    title="CloudTrail log file validation is disabled",
    severity="medium",
    pillar="detection",
    cwe=("CWE-354",),
    kinds=("trail",),
    evaluate=evaluate,
    what="""Finds CloudTrail trails whose `enable_log_file_validation` /
`EnableLogFileValidation` is false or left out (the default is off).""",
    why="""With validation on, CloudTrail writes signed digest files that prove whether log files
were changed or deleted after delivery. Without it, an intruder who reaches the log bucket can
edit the record of what they did, and investigators cannot tell.""",
    fix_terraform="""```hcl
resource "aws_cloudtrail" "main" {
  # ...
  enable_log_file_validation = true
}
```""",
    fix_cloudformation="""```yaml
EnableLogFileValidation: true
```""",
    references=("https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",),
    equivalents=(("checkov", "CKV_AWS_36"), ("trivy", "AVD-AWS-0016")),
)
