"""AWS-EC2-900 (secrets in EC2 user data) and AWS-CODE-900 (AWS access key ids, private keys and
random-looking values named like secrets in any resource property). Both read facts of
iacguard.facts.secrets_b_text, which decides what a text holds and whether it is written in the
code; a message shows at most the first four characters of a value and its length."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding

_ORIGIN = """A text counts as written in the code when it is known: a literal, a `local`, a module
argument, a `.tfvars` file of the scan (the finding then points at that line), `file()` or
`templatefile()` of a file of the repository, a variable's `default` or a parameter's `Default`.
A piece interpolated from a variable, a parameter or another resource (`${var.db_password}`,
`!Sub "PASSWORD=${DbPassword}"`) is not a literal and is not reported. A value that is not known
and that nothing explains (a function not evaluated offline) is reported as undecided."""


def _evaluator(kind: str, check_id: str, noun: str):
    def evaluate(facts):
        for fact in facts.of_kind(kind):
            if fact.setting is None:
                continue
            if fact.literal is True:
                origin = " (%s)" % fact.origin if fact.origin else ""
                yield Finding(check_id, fact.resource, "%s has %s written in the code%s: %s holds %s." % (
                    fact.resource.address, noun, origin, fact.setting, fact.found), fact.location)
            elif fact.literal is not False:
                yield undecided(check_id, fact.resource, fact.setting, fact.literal, fact.location)
    return evaluate


USER_DATA = Check(
    id="AWS-EC2-900",
    title="EC2 user data holds a secret written in the code",
    severity="high",
    pillar="data",
    cwe=("CWE-798",),
    kinds=("user_data_secret",),
    evaluate=_evaluator("user_data_secret", "AWS-EC2-900", "a secret in its user data"),
    what="""Finds EC2 instances, spot instance requests, launch templates and launch configurations
(`user_data` / `user_data_base64` of `aws_instance`, `aws_spot_instance_request`,
`aws_launch_configuration`, `aws_launch_template`; `UserData` of `AWS::EC2::Instance` and
`AWS::AutoScaling::LaunchConfiguration`, `LaunchTemplateData.UserData` of
`AWS::EC2::LaunchTemplate`) whose user data holds an AWS access key id (`AKIA...`, `ASIA...`), a
private key, or a literal value assigned to a name that says secret (`DB_PASSWORD=...`,
`export API_TOKEN=...`, `password: ...` in cloud-config, `aws_secret_access_key = ...`,
`--password=...`). Base64 user data (`base64encode()`, `base64gzip()`, `user_data_base64`) is
decoded first. AWS's documented example keys (`AKIAIOSFODNN7EXAMPLE`) are not secrets and are not
reported; nor are values read at boot (`$(aws secretsmanager get-secret-value ...)`, `$VAR`),
paths and URLs, placeholders, booleans and values of fewer than 4 characters.

""" + _ORIGIN,
    why="""User data is not protected: anyone allowed `ec2:DescribeInstanceAttribute` or
`ec2:DescribeLaunchTemplateVersions` reads it, and so does every process on the instance through
the instance metadata service (`http://169.254.169.254/latest/user-data`), including one reached
through a server-side request forgery. A secret there is also in the repository, its history and
the state, and cannot be rotated without replacing the instances.""",
    fix_terraform="""Give the instance a role and read the secret at boot:

```hcl
resource "aws_instance" "app" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.app.name
  user_data            = <<-EOT
    #!/bin/bash
    DB_PASSWORD="$(aws secretsmanager get-secret-value --secret-id app/db --query SecretString --output text)"
  EOT
}
```""",
    fix_cloudformation="""```yaml
App:
  Type: AWS::EC2::Instance
  Properties:
    ImageId: ami-0123456789abcdef0
    InstanceType: t3.micro
    IamInstanceProfile: !Ref AppProfile
    UserData:
      Fn::Base64: |
        #!/bin/bash
        DB_PASSWORD="$(aws secretsmanager get-secret-value --secret-id app/db --query SecretString --output text)"
```""",
    references=(
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
    ),
    equivalents=(("checkov", "CKV_AWS_46"), ("trivy", "AVD-AWS-0029"), ("trivy", "AVD-AWS-0129"), ("trivy", "AVD-AWS-0122")),
)

EMBEDDED = Check(
    id="AWS-CODE-900",
    title="Resource property holds an AWS access key, a private key or a random-looking secret",
    severity="high",
    pillar="data",
    cwe=("CWE-798",),
    kinds=("embedded_secret",),
    evaluate=_evaluator("embedded_secret", "AWS-CODE-900", "a secret in a property"),
    what="""Reads every string property of every resource (tags, policies, templates, configuration
documents, nested blocks) and reports:

- an AWS access key id (`AKIA` or `ASIA` and 16 letters or digits). AWS's documented example key
  `AKIAIOSFODNN7EXAMPLE` (and any key id ending in `EXAMPLE`) is not a secret: not reported;
- a private key (`-----BEGIN ... PRIVATE KEY-----` followed by key material), also when read from
  a file of the repository with `file()`;
- a random-looking value (at least 16 characters, no spaces, 3.5 bits of entropy per character
  or more, two kinds of characters) **only where the property's name says it is a secret**
  (`password`, `secret`, `token`, `api_key`...): across all properties such a test would report
  every hash, id and encoded document.

Values another secrets check reads are left to it, so that one value is reported once: user data
(AWS-EC2-900), database master passwords and cache auth tokens (AWS-RDS-701, AWS-REDSHIFT-701,
AWS-DOCDB-701, AWS-ELASTICACHE-701), Lambda and ECS environments named like secrets (AWS-LAMBDA-701,
AWS-ECS-701) and SSM parameter values (AWS-SSM-701).

""" + _ORIGIN,
    why="""An access key in the code gives whoever reads the repository, its history, CI logs or
the state the permissions of the IAM user it belongs to, from anywhere, until someone notices and
deactivates it; automated scanners harvest keys pushed to public repositories within minutes. A
private key in the code lets anyone impersonate the server or user it identifies.""",
    fix_terraform="""Never write credentials in the configuration: use roles (instance profiles,
execution roles), and keep other secrets in Secrets Manager:

```hcl
resource "aws_secretsmanager_secret" "partner_api" {
  name = "partner-api"
}

resource "aws_ssm_parameter" "partner_endpoint" {
  name  = "/app/partner/endpoint"
  type  = "String"
  value = "https://partner.example.com"
}
```""",
    fix_cloudformation="""Resolve secrets at deploy with a dynamic reference instead of writing them:

```yaml
Connection:
  Type: AWS::Events::Connection
  Properties:
    AuthorizationType: API_KEY
    AuthParameters:
      ApiKeyAuthParameters:
        ApiKeyName: x-api-key
        ApiKeyValue: "{{resolve:secretsmanager:partner-api:SecretString:key}}"
```""",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html",
    ),
    equivalents=(("checkov", "CKV_SECRET_2"), ("checkov", "CKV_SECRET_13"), ("checkov", "CKV_SECRET_6")),
)

CHECKS = (USER_DATA, EMBEDDED)
