"""AWS-CFG-100: no AWS Config recorder in the project; AWS-CFG-101: a recorder that does not
record every supported resource type; AWS-CFG-102: a recorder without a delivery channel."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding

from .detection_a_common import always, by_root, present, roots_lacking


def evaluate_present(facts):
    yield from roots_lacking(
        PRESENT.id, facts, "config_recorder", always, "an AWS Config recorder",
        "No AWS Config configuration recorder is declared in this project (root module or stack).",
    )


def evaluate_all_supported(facts):
    for recorder in facts.of_kind("config_recorder"):
        attr = recorder.all_supported
        if attr.is_false():
            yield Finding(ALL_SUPPORTED.id, recorder.resource, "AWS Config recorder %s records a chosen list of resource types, not every supported type." % recorder.resource.address, attr.location)
        elif not attr.known:
            yield undecided(ALL_SUPPORTED.id, recorder.resource, "all supported", attr.value, attr.location)


def evaluate_delivery(facts):
    channels = by_root(facts.of_kind("config_delivery_channel"))
    for recorder in facts.of_kind("config_recorder"):
        channel = present(channels.get(recorder.resource.meta.get("root_module", ""), ()))
        if not channel.known:
            yield undecided(DELIVERY.id, recorder.resource, "delivery channel", channel.value, channel.location)
        elif channel.is_false():
            yield Finding(DELIVERY.id, recorder.resource, "AWS Config recorder %s has no delivery channel in its project: it cannot start recording." % recorder.resource.address, recorder.resource.location)


_TF_FIX = """```hcl
resource "aws_config_configuration_recorder" "main" {
  name     = "default"
  role_arn = aws_iam_role.config.arn
  recording_group {
    all_supported                 = true
    include_global_resource_types = true
  }
}

resource "aws_config_delivery_channel" "main" {
  name           = "default"
  s3_bucket_name = aws_s3_bucket.config.bucket
  depends_on     = [aws_config_configuration_recorder.main]
}

resource "aws_config_configuration_recorder_status" "main" {
  name       = aws_config_configuration_recorder.main.name
  is_enabled = true
  depends_on = [aws_config_delivery_channel.main]
}
```"""
_CFN_FIX = """```yaml
ConfigRecorder:
  Type: AWS::Config::ConfigurationRecorder
  Properties:
    RoleARN: !GetAtt ConfigRole.Arn
    RecordingGroup:
      AllSupported: true
      IncludeGlobalResourceTypes: true
DeliveryChannel:
  Type: AWS::Config::DeliveryChannel
  Properties:
    S3BucketName: !Ref ConfigBucket
```"""

PRESENT = Check(
    id="AWS-CFG-100",
    title="No AWS Config recorder is declared in the project",
    severity="medium",
    pillar="detection",
    scope="project",
    cwe=("CWE-778",),
    kinds=("root", "config_recorder"),
    evaluate=evaluate_present,
    what="""Reports each Terraform root module and top-level CloudFormation stack that declares no
AWS Config configuration recorder (`aws_config_configuration_recorder` /
`AWS::Config::ConfigurationRecorder`, in the root or its modules and nested stacks). A recorder
with `count = 0` or a false condition does not count; one under an undecided condition leaves the
root undecided. The finding sits on the root's first file, line 1. Turn project-level checks off
with `--no-whole-project-checks` when Config is set up centrally (Control Tower, StackSets).""",
    why="""AWS Config keeps the history of every resource's configuration and evaluates Config
rules against it. Without a recorder there is no answer to "what did this security group look like
last Tuesday, and who changed it", and Security Hub's controls that rely on Config do not run.""",
    fix_terraform=_TF_FIX,
    fix_cloudformation=_CFN_FIX,
    references=("https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html",),
)

ALL_SUPPORTED = Check(
    id="AWS-CFG-101",
    title="AWS Config recorder does not record all supported resource types",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("config_recorder",),
    evaluate=evaluate_all_supported,
    what="""Finds AWS Config recorders whose recording group sets `all_supported = false` /
`AllSupported: false`. Left out, the recording group records every supported resource type (the
AWS Config API's default, in both languages).""",
    why="""A recorder limited to a list of types silently misses every other type, including the
types AWS adds later: changes to those resources leave no configuration history and no Config rule
evaluates them.""",
    fix_terraform=_TF_FIX,
    fix_cloudformation=_CFN_FIX,
    references=("https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html",),
    equivalents=(("checkov", "CKV2_AWS_48"),),
)

DELIVERY = Check(
    id="AWS-CFG-102",
    title="AWS Config recorder has no delivery channel",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("config_recorder", "config_delivery_channel"),
    evaluate=evaluate_delivery,
    what="""Finds AWS Config recorders in a root module or stack that declares no delivery channel
(`aws_config_delivery_channel` / `AWS::Config::DeliveryChannel`, in the root or its modules and
nested stacks).""",
    why="""AWS Config cannot start a recorder without a delivery channel: the recorder exists but
records nothing, and no configuration snapshot or history reaches S3.""",
    fix_terraform=_TF_FIX,
    fix_cloudformation=_CFN_FIX,
    references=("https://docs.aws.amazon.com/config/latest/developerguide/manage-delivery-channel.html",),
)
