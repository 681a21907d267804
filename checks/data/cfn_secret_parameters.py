"""AWS-CFN-900 and AWS-CFN-901: CloudFormation parameters for secrets without `NoEcho`, or with
a `Default` (CloudFormation only). Read the facts kind "cfn_parameter"
(iacguard.facts.secrets_b_parameters); a finding sits on the parameter's stand-in
(`Parameters.<name>`) at its declaration. No message prints a parameter's value."""
from __future__ import annotations

from iacguard.check import Check
from iacguard.core.model import Finding

_PARAMS = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html"
_DYNREF = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html"
_NAMES = """A parameter holds a secret when its type is `String` and its name says so, by the rule
of the other secrets checks (AWS-LAMBDA-701): the name split into words holds `password`,
`secret`, `token`, `apikey`, `privatekey`, `credential`... (`DBPassword`, `GitHubToken`,
`ApiKey`), unless it ends with a word that names where a secret is rather than the secret
(`SecretArn`, `TokenUrl`, `PasswordParameterName`, `KeyName`). `AWS::SSM::Parameter::Value<...>`
parameters (they hold the name of an SSM parameter), AWS-specific types and `Number` are not
reported."""


def _no_echo(facts):
    for param in facts.of_kind("cfn_parameter"):
        if param.secret and not param.no_echo:
            yield Finding(NO_ECHO.id, param.resource,
                          "Parameter %s is named like a secret but has no NoEcho: true; its value is shown by the console and DescribeStacks." % param.name,
                          param.location)


def _default(facts):
    for param in facts.of_kind("cfn_parameter"):
        if param.secret and param.has_default:
            yield Finding(DEFAULT.id, param.resource,
                          "Parameter %s is named like a secret and has a Default written in the template (value not shown)." % param.name,
                          param.location)


NO_ECHO = Check(
    id="AWS-CFN-900",
    title="CloudFormation parameter for a secret has no NoEcho",
    severity="medium",
    pillar="data",
    cwe=("CWE-200",),
    kinds=("cfn_parameter",),
    languages=("cloudformation",),
    evaluate=_no_echo,
    what="""Finds template parameters that hold a secret and do not set `NoEcho: true`.

""" + _NAMES + """

`NoEcho` is a literal of the declaration (no intrinsic function is allowed there), so this check
is never undecided. Terraform has no such parameters: a variable's `sensitive = true` only hides
it from the plan output (Terraform only stores it in the state either way), so the check is for
CloudFormation only.""",
    why="""Without `NoEcho`, the value given to the parameter is shown in the CloudFormation console
and returned by `DescribeStacks` to anyone allowed to read the stack: a database password or
an API token passed as a parameter is then readable by every person and role with read-only
access to CloudFormation, and it lands in the stack events and change sets.""",
    fix_terraform="""Not applicable (CloudFormation only). In Terraform, mark the variable `sensitive`
and keep the value out of the code:

```hcl
variable "db_password" {
  type      = string
  sensitive = true
}
```""",
    fix_cloudformation="""Set `NoEcho: true`, or better, do not pass the secret as a parameter at all and
resolve it from Secrets Manager with a dynamic reference:

```yaml
Parameters:
  DBPassword:
    Type: String
    NoEcho: true
    MinLength: 16
```""",
    references=(_PARAMS, _DYNREF, "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/security-best-practices.html"),
)

DEFAULT = Check(
    id="AWS-CFN-901",
    title="CloudFormation parameter for a secret has a Default value",
    severity="high",
    pillar="data",
    cwe=("CWE-798",),
    kinds=("cfn_parameter",),
    languages=("cloudformation",),
    evaluate=_default,
    what="""Finds template parameters that hold a secret and declare a non-empty `Default`, with or
without `NoEcho`: the secret is then written in the template.

""" + _NAMES + """

The message never shows the default. An empty `Default: ""` is not reported (it is a way to make
the parameter optional, not a secret). Parameter declarations are literal, so this check is
never undecided. CloudFormation only: the Terraform equivalent, a variable's `default`, is
reported by the secrets checks of the properties it reaches (AWS-RDS-701 and its siblings).""",
    why="""A default is in the template, so in every clone of the repository, its history, CI logs
and the template CloudFormation keeps: `NoEcho` hides the value from the console but not from
whoever reads the template. A stack created without giving the parameter silently uses the
shared, known secret.""",
    fix_terraform="""Not applicable (CloudFormation only). In Terraform, give a secret variable no
`default`:

```hcl
variable "db_password" {
  type      = string
  sensitive = true
}
```""",
    fix_cloudformation="""Remove the `Default` (the value is then required at deploy), or resolve the
secret from Secrets Manager instead of a parameter:

```yaml
Parameters:
  DBPassword:
    Type: String
    NoEcho: true
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      MasterUsername: app
      MasterUserPassword: "{{resolve:secretsmanager:db-master:SecretString:password}}"
```""",
    references=(_PARAMS, _DYNREF),
)

CHECKS = (NO_ECHO, DEFAULT)
