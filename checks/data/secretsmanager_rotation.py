"""AWS-SECRETSMANAGER-701: Secrets Manager secret without automatic rotation."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for item in facts.of_kind("secret_rotation"):
        if item.rotation.is_false():
            yield Finding(CHECK.id, item.resource,
                          "Secrets Manager secret %s has no rotation: no rotation resource of the scan names it." % item.resource.address,
                          item.rotation.location)
        elif not item.rotation.known:
            yield undecided(CHECK.id, item.resource, "rotation", item.rotation.value, item.rotation.location)


CHECK = Check(
    id="AWS-SECRETSMANAGER-701",
    title="Secrets Manager secret has no automatic rotation",
    severity="medium",
    pillar="data",
    cwe=("CWE-324",),
    kinds=("secret_rotation",),
    evaluate=evaluate,
    what="""Finds Secrets Manager secrets (`aws_secretsmanager_secret`, `AWS::SecretsManager::Secret`)
that no rotation resource of the scan rotates: `aws_secretsmanager_secret_rotation` (`secret_id`)
or `AWS::SecretsManager::RotationSchedule` (`SecretId`), naming the secret by reference (also
through variables, modules and parameters) or by its literal name or ARN in the same root module
or stack. A rotation resource whose secret cannot be known may rotate any secret of its module,
and a literal name compared with a secret whose name is not known cannot be decided: both are
undecided. Secrets that RDS or Redshift manage for a database (`manage_master_user_password`)
are not resources of the scan and rotate on their own.""",
    why="""A secret that never changes stays valid for as long as whoever copied it keeps it: a leaked
database password or API key is usable until someone notices. Rotation limits that window and
proves that the applications read the secret at run time.""",
    fix_terraform="""```hcl
resource "aws_secretsmanager_secret_rotation" "db" {
  secret_id           = aws_secretsmanager_secret.db.id
  rotation_lambda_arn = aws_lambda_function.rotate_db.arn
  rotation_rules {
    automatically_after_days = 30
  }
}
```""",
    fix_cloudformation="""```yaml
DbSecretRotation:
  Type: AWS::SecretsManager::RotationSchedule
  Properties:
    SecretId: !Ref DbSecret
    RotationLambdaARN: !GetAtt RotateDbFunction.Arn
    RotationRules:
      AutomaticallyAfterDays: 30
```""",
    references=(
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html",
    ),
    equivalents=(("checkov", "CKV2_AWS_57"),),
)
