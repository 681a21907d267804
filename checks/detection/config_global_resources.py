"""AWS-CFG-150: an AWS Config recorder that does not record global (IAM) resource types."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for recorder in facts.of_kind("config_recorder"):
        if recorder.all_supported.is_false():
            continue  # a chosen list of types is AWS-CFG-101's finding; the flag does not apply
        attr = recorder.include_global
        if attr.is_false():
            how = "sets include_global_resource_types false" if attr.explicit else "leaves include_global_resource_types out (false)"
            yield Finding(CHECK.id, recorder.resource, "AWS Config recorder %s does not record global resource types (IAM users, roles, groups, policies): it %s." % (recorder.resource.address, how), attr.location)
        elif not attr.known:
            yield undecided(CHECK.id, recorder.resource, "include global resource types", attr.value, attr.location)
        elif not recorder.all_supported.known:
            yield undecided(CHECK.id, recorder.resource, "all supported", recorder.all_supported.value, recorder.all_supported.location)


CHECK = Check(
    id="AWS-CFG-150",
    title="AWS Config recorder does not record global IAM resource types",
    severity="low",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("config_recorder",),
    evaluate=evaluate,
    what="""Finds AWS Config recorders that record every supported resource type but leave out
the global ones: `recording_group { include_global_resource_types = false }` /
`RecordingGroup.IncludeGlobalResourceTypes: false`, or left out (the AWS Config API's default is
false, with or without a recording group). A recorder limited to a list of types is AWS-CFG-101's
finding instead. Global types need recording in one region only: pass the recorders of the other
regions with an inline skip.""",
    why="""IAM users, roles, groups and policies are the resources an intruder changes first (a new
access key, a widened policy, a trusted account added to a role). A recorder without global types
keeps no configuration history of any of them, and the Config rules about IAM never run.""",
    fix_terraform="""```hcl
resource "aws_config_configuration_recorder" "main" {
  name     = "default"
  role_arn = aws_iam_role.config.arn
  recording_group {
    all_supported                 = true
    include_global_resource_types = true
  }
}
```""",
    fix_cloudformation="""```yaml
ConfigRecorder:
  Type: AWS::Config::ConfigurationRecorder
  Properties:
    RoleARN: !GetAtt ConfigRole.Arn
    RecordingGroup:
      AllSupported: true
      IncludeGlobalResourceTypes: true
```""",
    references=(
        "https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html",
        "https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingGroup.html",
    ),
)
