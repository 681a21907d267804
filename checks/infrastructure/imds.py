"""AWS-EC2-312: instance metadata service version 1 (IMDSv1) allowed."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown


def evaluate(facts):
    for launch in facts.of_kind("instance_launch"):
        endpoint, tokens = launch.http_endpoint, launch.http_tokens
        if endpoint.value == "disabled" or tokens.value == "required" or launch.from_template:
            continue  # no metadata service, IMDSv2 only, or the launch template decides
        if is_unknown(endpoint.value):
            yield undecided(CHECK.id, launch.resource, "http_endpoint", endpoint.value, endpoint.location)
        elif is_unknown(tokens.value):
            yield undecided(CHECK.id, launch.resource, "http_tokens", tokens.value, tokens.location)
        else:
            how = "sets http_tokens to optional" if tokens.explicit else "leaves http_tokens out (optional unless the AMI or the account asks for IMDSv2)"
            yield Finding(CHECK.id, launch.resource, "%s %s allows IMDSv1: it %s." % (launch.resource.type, launch.resource.address, how), tokens.location)


CHECK = Check(
    id="AWS-EC2-312",
    title="EC2 instance metadata service allows IMDSv1",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-918",),
    kinds=("instance_launch",),
    evaluate=evaluate,
    what="""Finds instances, launch templates and launch configurations whose metadata service
is on (`http_endpoint`/`HttpEndpoint` not `disabled`) and does not require session tokens
(`http_tokens`/`HttpTokens` not `required`): `aws_instance`, `aws_launch_template`,
`aws_launch_configuration`, `AWS::EC2::LaunchTemplate`, `AWS::AutoScaling::LaunchConfiguration`
and `AWS::EC2::Instance` (which has no metadata options property: one not launched from a
launch template is reported). Left out, `http_tokens` is `optional` unless the scan declares an
account default (`aws_ec2_instance_metadata_defaults` with `http_tokens = "required"`), which is
then honoured; an instance launched from a launch template that leaves it out is judged on the
template.""",
    why="""IMDSv1 answers any HTTP GET from the instance, so a server-side request forgery in an
application (or a misconfigured proxy) hands out the instance role's temporary credentials, as in
the Capital One breach. IMDSv2 requires a session token obtained with a PUT and a hop limit,
which such requests cannot produce.""",
    fix_terraform="""```hcl
resource "aws_launch_template" "app" {
  # ...
  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }
}
```""",
    fix_cloudformation="""```yaml
LaunchTemplate:
  Type: AWS::EC2::LaunchTemplate
  Properties:
    LaunchTemplateData:
      MetadataOptions:
        HttpEndpoint: enabled
        HttpTokens: required
```""",
    references=(
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html",
    ),
    equivalents=(("checkov", "CKV_AWS_79"), ("trivy", "AVD-AWS-0028"), ("trivy", "AVD-AWS-0130")),
)
