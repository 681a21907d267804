"""Secrets written in code (issue 13, "Secrets in code"): AWS-RDS-701, AWS-REDSHIFT-701,
AWS-DOCDB-701, AWS-ELASTICACHE-701, AWS-LAMBDA-701, AWS-ECS-701, AWS-SSM-701.

All read the facts kind "secret_value" (iacguard.facts.identity_secrets_literals), which says
for each secret property whether its value is written in the scanned code (in the resource, a
local, a module argument or a .tfvars file) or comes from outside (a variable left to its caller,
a parameter, another resource, a dynamic reference). A message shows at most the first four
characters of the value and its length.
"""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.facts import identity_secrets_literals as lit

_WHERE = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/intro.html"
_DYNREF = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html"
_WHAT_LITERAL = """A value counts as written in the code when it is known: a literal in the resource,
in a `local`, in a module argument, in a `.tfvars` file of the scan (the finding then points at
that line), or a variable's `default` / a parameter's `Default` (a default is in the repository
like any literal). A value from a Terraform variable (plain or `sensitive`) or a CloudFormation
parameter given no value in the scan, from another resource (`random_password.db.result`), a
dynamic reference (`{{resolve:secretsmanager:...}}`) or an SSM or Secrets Manager ARN is not
reported; a placeholder (`changeme`, `<password>`, `****`) neither. A value that is not known and
that nothing explains is reported as undecided. The message shows at most the first four
characters of the value and its length."""


def _evaluator(category: str, check_id: str, noun: str):
    def evaluate(facts):
        for fact in facts.of_kind("secret_value"):
            if fact.category != category or fact.setting is None:
                continue
            if fact.literal is True:
                origin = " (%s)" % fact.origin if fact.origin else ""
                yield Finding(check_id, fact.resource,
                              "%s has %s written in the code%s: %s %s." % (fact.resource.address, noun, origin, fact.setting, fact.shown),
                              fact.location)
            elif fact.literal is not False:
                yield undecided(check_id, fact.resource, fact.setting, fact.literal, fact.location)
    return evaluate


def _check(check_id, category, title, noun, severity, what, why, fix_tf, fix_cfn, refs, equivalents=()):
    return Check(
        id=check_id, title=title, severity=severity, pillar="data", cwe=("CWE-798",),
        kinds=("secret_value",), evaluate=_evaluator(category, check_id, noun),
        what=what.strip() + "\n\n" + _WHAT_LITERAL, why=why, fix_terraform=fix_tf, fix_cloudformation=fix_cfn,
        references=refs, equivalents=equivalents,
    )


_DB_WHY = """A master password in the code is in every clone of the repository, in its history, in
CI logs and in the Terraform state or the CloudFormation template kept by AWS; it cannot be
rotated without a commit, and whoever reads the repository can sign in to the database as its
administrator."""

RDS = _check(
    "AWS-RDS-701", lit.DB_PASSWORD, "RDS database master password is written in the code",
    "a master password", "high",
    """Finds RDS instances and Aurora/RDS clusters (`aws_db_instance.password`,
`aws_rds_cluster.master_password`, `MasterUserPassword` of `AWS::RDS::DBInstance` and
`AWS::RDS::DBCluster`) whose master password is written in the scanned code.""",
    _DB_WHY,
    """Let RDS keep the password in Secrets Manager:

```hcl
resource "aws_db_instance" "main" {
  identifier                  = "main"
  engine                      = "postgres"
  instance_class              = "db.t3.micro"
  allocated_storage           = 20
  username                    = "app"
  manage_master_user_password = true
}
```""",
    """Let RDS keep the password in Secrets Manager, or resolve it from there:

```yaml
Database:
  Type: AWS::RDS::DBInstance
  Properties:
    Engine: postgres
    DBInstanceClass: db.t3.micro
    AllocatedStorage: "20"
    MasterUsername: app
    ManageMasterUserPassword: true
```""",
    ("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html", _DYNREF, _WHERE),
)

REDSHIFT = _check(
    "AWS-REDSHIFT-701", lit.REDSHIFT_PASSWORD, "Redshift cluster master password is written in the code",
    "a master password", "high",
    """Finds Redshift clusters (`aws_redshift_cluster.master_password`, `MasterUserPassword` of
`AWS::Redshift::Cluster`) whose master password is written in the scanned code.""",
    _DB_WHY,
    """```hcl
resource "aws_redshift_cluster" "dw" {
  cluster_identifier          = "dw"
  node_type                   = "ra3.xlplus"
  master_username             = "admin"
  manage_master_password      = true
}
```""",
    """```yaml
Warehouse:
  Type: AWS::Redshift::Cluster
  Properties:
    ClusterType: single-node
    NodeType: ra3.xlplus
    DBName: dw
    MasterUsername: admin
    ManageMasterPassword: true
```""",
    ("https://docs.aws.amazon.com/redshift/latest/mgmt/redshift-secrets-manager-integration.html", _DYNREF),
)

DOCDB = _check(
    "AWS-DOCDB-701", lit.DOCDB_PASSWORD, "DocumentDB cluster master password is written in the code",
    "a master password", "high",
    """Finds DocumentDB clusters (`aws_docdb_cluster.master_password`, `MasterUserPassword` of
`AWS::DocDB::DBCluster`) whose master password is written in the scanned code.""",
    _DB_WHY,
    """```hcl
resource "aws_docdb_cluster" "docs" {
  cluster_identifier = "docs"
  master_username    = "app"
  master_password    = var.docdb_password # or manage_master_user_password = true
}
```""",
    """```yaml
Docs:
  Type: AWS::DocDB::DBCluster
  Properties:
    MasterUsername: app
    MasterUserPassword: "{{resolve:secretsmanager:docs-master:SecretString:password}}"
```""",
    ("https://docs.aws.amazon.com/documentdb/latest/developerguide/docdb-secrets-manager.html", _DYNREF),
)

CACHE = _check(
    "AWS-ELASTICACHE-701", lit.CACHE_TOKEN, "ElastiCache auth token is written in the code",
    "an auth token", "high",
    """Finds ElastiCache replication groups and clusters (`auth_token` of
`aws_elasticache_replication_group` / `aws_elasticache_cluster`, `AuthToken` of
`AWS::ElastiCache::ReplicationGroup`) whose Redis AUTH token is written in the scanned code.""",
    """The AUTH token is the password of the cache: whoever reads it in the repository, its
history or the state can read and change every key.""",
    """```hcl
resource "aws_elasticache_replication_group" "cache" {
  replication_group_id       = "cache"
  description                = "cache"
  transit_encryption_enabled = true
  auth_token                 = random_password.cache.result
}
```""",
    """```yaml
Cache:
  Type: AWS::ElastiCache::ReplicationGroup
  Properties:
    ReplicationGroupDescription: cache
    TransitEncryptionEnabled: true
    AuthToken: "{{resolve:secretsmanager:cache-auth:SecretString:token}}"
```""",
    ("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html", _DYNREF),
)

LAMBDA = _check(
    "AWS-LAMBDA-701", lit.FUNCTION_ENV, "Lambda function environment holds a secret written in the code",
    "a secret in its environment", "high",
    """Finds Lambda functions (`aws_lambda_function`, `AWS::Lambda::Function`,
`AWS::Serverless::Function`) with an environment variable named like a secret (`DB_PASSWORD`,
`API_KEY`, `githubToken`, `CLIENT_SECRET`; not `TOKEN_URL` or `SECRET_ARN`, which say where a
secret is) whose value is written in the scanned code.""",
    """Environment variables are shown in the console and returned by `GetFunctionConfiguration` to
anyone with read access to the function; a secret written in the code is also in the repository,
its history and the state.""",
    """Pass where the secret is and read it at run time:

```hcl
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.api.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "api.zip"
  environment {
    variables = {
      API_KEY_SECRET_ARN = aws_secretsmanager_secret.api_key.arn
    }
  }
}
```""",
    """```yaml
Api:
  Type: AWS::Lambda::Function
  Properties:
    Handler: app.handler
    Runtime: python3.12
    Role: !GetAtt ApiRole.Arn
    Code:
      S3Bucket: code
      S3Key: api.zip
    Environment:
      Variables:
        API_KEY_SECRET_ARN: !Ref ApiKeySecret
```""",
    ("https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html", "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html"),
    (("checkov", "CKV_AWS_45"),),
)

ECS = _check(
    "AWS-ECS-701", lit.CONTAINER_ENV, "ECS task definition environment holds a secret written in the code",
    "a secret in a container's environment", "high",
    """Finds ECS task definitions (`container_definitions` of `aws_ecs_task_definition`,
`ContainerDefinitions` of `AWS::ECS::TaskDefinition`) with a container `environment` entry named
like a secret whose value is written in the scanned code. Secrets belong in the container's
`secrets` list (Secrets Manager or SSM Parameter Store), which this check does not report.""",
    """Environment values of a task definition are plain text to anyone who can describe it; a
secret written in the code is also in the repository, its history and the state.""",
    """```hcl
resource "aws_ecs_task_definition" "web" {
  family = "web"
  container_definitions = jsonencode([{
    name  = "web"
    image = "web:1"
    secrets = [{ name = "DB_PASSWORD", valueFrom = aws_secretsmanager_secret.db.arn }]
  }])
}
```""",
    """```yaml
Web:
  Type: AWS::ECS::TaskDefinition
  Properties:
    ContainerDefinitions:
      - Name: web
        Image: web:1
        Secrets:
          - Name: DB_PASSWORD
            ValueFrom: !Ref DbSecret
```""",
    ("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html",),
)

SSM = _check(
    "AWS-SSM-701", lit.SSM_PARAMETER, "SSM parameter named like a secret is a plain String written in the code",
    "a plain-text secret", "medium",
    """Finds SSM parameters (`aws_ssm_parameter`, `AWS::SSM::Parameter`) of type `String` whose name
says they hold a secret (`/app/db/password`, `api-token`) and whose value is written in the
scanned code. A `SecureString` parameter is encrypted with KMS and is not reported (CloudFormation
cannot create one; create it outside the template).""",
    """A `String` parameter is stored and returned unencrypted, to anyone allowed
`ssm:GetParameter`; its value in the code is also in the repository and its history.""",
    """```hcl
resource "aws_ssm_parameter" "db_password" {
  name  = "/app/db/password"
  type  = "SecureString"
  value = random_password.db.result
}
```""",
    """CloudFormation cannot create a `SecureString`: keep the secret in Secrets Manager instead.

```yaml
DbPassword:
  Type: AWS::SecretsManager::Secret
  Properties:
    Name: /app/db/password
    GenerateSecretString:
      PasswordLength: 32
```""",
    ("https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-securestring.html",),
)

CHECKS = (RDS, REDSHIFT, DOCDB, CACHE, LAMBDA, ECS, SSM)
