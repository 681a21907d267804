"""Services that always encrypt at rest, where the finding is the key: no customer managed KMS key
is named, so an AWS managed or AWS owned key protects the data.

AWS-RS-501 (Redshift clusters), AWS-MSK-501 (MSK clusters), AWS-BAK-501 (Backup vaults),
AWS-SM-501 (Secrets Manager secrets), AWS-SGM-501 (SageMaker notebook instances), AWS-CWL-501
(CloudWatch Logs log groups), AWS-ECR-501 (ECR repositories)."""
from __future__ import annotations

from iacguard.check import Check

from .at_rest import verdict


def _key_named(check_id: str, kind: str, noun: str, fallback: str):
    """Each fact of `kind` passes when its `kms_key` is set; `fallback` says what encrypts it
    otherwise."""
    def evaluate(facts):
        for fact in facts.of_kind(kind):
            found = verdict(check_id, fact.resource, fact.kms_key.is_true(), (("KMS key", fact.kms_key),),
                            "%s %s names no customer managed KMS key: %s." % (noun, fact.resource.address, fallback),
                            fact.kms_key.location)
            if found is not None:
                yield found
    return evaluate


def evaluate_ecr(facts):
    for repo in facts.of_kind("ecr_repository"):
        kind = repo.encryption_type
        good = kind.known and kind.value in ("kms", "kms_dsse")
        found = verdict(ECR.id, repo.resource, good, (("encryption type", kind),),
                        "ECR repository %s %s: its images are encrypted with S3-managed keys (AES256), not KMS." % (
                            repo.resource.address, "sets the encryption type to AES256" if kind.explicit else "leaves the encryption type to its default"),
                        kind.location)
        if found is not None:
            yield found


_WHY = """An AWS managed or AWS owned key encrypts the data, but its policy is not yours: you cannot
limit who may decrypt through the key policy, cannot separate duties between the people who manage
the %s and those who may read it, and cannot revoke access by disabling the key. Data that is
sensitive or regulated usually needs a key you control, with its use visible in CloudTrail."""


def _check(check_id, title, kind, noun, fallback, what, fix_tf, fix_cfn, refs, equivalents, subject, evaluate=None):
    return Check(
        id=check_id, title=title, severity="low", pillar="data", cwe=("CWE-320",), kinds=(kind,),
        evaluate=evaluate or _key_named(check_id, kind, noun, fallback),
        what=what, why=_WHY % subject,
        fix_terraform="```hcl\n%s\n```" % fix_tf, fix_cloudformation="```yaml\n%s\n```" % fix_cfn,
        references=refs, equivalents=equivalents,
    )


REDSHIFT = _check(
    "AWS-RS-501", "Redshift cluster is not encrypted with a customer managed KMS key", "redshift_cluster",
    "Redshift cluster", "it is encrypted with an AWS managed key (or not at all, if it was created unencrypted)",
    """Finds Redshift clusters (`aws_redshift_cluster`, `AWS::Redshift::Cluster`) that name no KMS
key (`kms_key_id` / `KmsKeyId`). Redshift encrypts new clusters by default since January 2025; a
cluster without a key of its own uses an AWS managed key, and an older one set up with `encrypted`
false is not encrypted at all. Both are reported.""",
    '''resource "aws_redshift_cluster" "warehouse" {
  cluster_identifier = "warehouse"
  node_type          = "ra3.xlplus"
  encrypted          = true
  kms_key_id         = aws_kms_key.redshift.arn
}''',
    '''WarehouseCluster:
  Type: AWS::Redshift::Cluster
  Properties:
    ClusterType: single-node
    NodeType: ra3.xlplus
    DBName: warehouse
    MasterUsername: admin
    ManageMasterPassword: true
    Encrypted: true
    KmsKeyId: !Ref RedshiftKey''',
    ("https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-db-encryption.html",),
    (("checkov", "CKV_AWS_142"), ("trivy", "AVD-AWS-0084")), "warehouse",
)

MSK = _check(
    "AWS-MSK-501", "MSK cluster is not encrypted with a customer managed KMS key", "msk_cluster",
    "MSK cluster", "its data volumes are encrypted with the AWS managed key aws/kafka",
    """Finds MSK clusters (`aws_msk_cluster`, `AWS::MSK::Cluster`) that name no KMS key for their
data volumes (`encryption_info.encryption_at_rest_kms_key_arn` /
`EncryptionInfo.EncryptionAtRest.DataVolumeKMSKeyId`). MSK always encrypts at rest; without a key
of yours it uses the AWS managed key `aws/kafka`.""",
    '''resource "aws_msk_cluster" "events" {
  cluster_name           = "events"
  kafka_version          = "3.6.0"
  number_of_broker_nodes = 3
  encryption_info {
    encryption_at_rest_kms_key_arn = aws_kms_key.msk.arn
  }
}''',
    '''EventsCluster:
  Type: AWS::MSK::Cluster
  Properties:
    ClusterName: events
    KafkaVersion: 3.6.0
    NumberOfBrokerNodes: 3
    EncryptionInfo:
      EncryptionAtRest:
        DataVolumeKMSKeyId: !GetAtt MskKey.Arn''',
    ("https://docs.aws.amazon.com/msk/latest/developerguide/msk-encryption.html",),
    (("trivy", "AVD-AWS-0179"),), "event streams",
)

BACKUP = _check(
    "AWS-BAK-501", "Backup vault is not encrypted with a customer managed KMS key", "backup_vault_encryption",
    "Backup vault", "its recovery points are encrypted with the AWS managed key aws/backup",
    """Finds AWS Backup vaults (`aws_backup_vault`, `AWS::Backup::BackupVault`) that name no KMS key
(`kms_key_arn` / `EncryptionKeyArn`): their recovery points of services that AWS Backup encrypts
itself are then encrypted with the AWS managed key `aws/backup`.""",
    '''resource "aws_backup_vault" "main" {
  name        = "main"
  kms_key_arn = aws_kms_key.backup.arn
}''',
    '''MainVault:
  Type: AWS::Backup::BackupVault
  Properties:
    BackupVaultName: main
    EncryptionKeyArn: !GetAtt BackupKey.Arn''',
    ("https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html",),
    (("checkov", "CKV_AWS_166"),), "backups",
)

SECRET = _check(
    "AWS-SM-501", "Secrets Manager secret is not encrypted with a customer managed KMS key", "secret_encryption",
    "Secret", "it is encrypted with the AWS managed key aws/secretsmanager",
    """Finds Secrets Manager secrets (`aws_secretsmanager_secret`, `AWS::SecretsManager::Secret`)
that name no KMS key (`kms_key_id` / `KmsKeyId`): Secrets Manager then uses the AWS managed key
`aws/secretsmanager`, which every principal of the account allowed to use Secrets Manager can
use, and which cannot be used to share the secret with another account.""",
    '''resource "aws_secretsmanager_secret" "db" {
  name       = "prod/db"
  kms_key_id = aws_kms_key.secrets.arn
}''',
    '''DbSecret:
  Type: AWS::SecretsManager::Secret
  Properties:
    Name: prod/db
    KmsKeyId: !Ref SecretsKey''',
    ("https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",),
    (("checkov", "CKV_AWS_149"), ("trivy", "AVD-AWS-0098")), "secrets",
)

SAGEMAKER = _check(
    "AWS-SGM-501", "SageMaker notebook instance is not encrypted with a customer managed KMS key", "sagemaker_notebook_encryption",
    "SageMaker notebook instance", "its ML storage volume is encrypted with an AWS managed key",
    """Finds SageMaker notebook instances (`aws_sagemaker_notebook_instance`,
`AWS::SageMaker::NotebookInstance`) that name no KMS key (`kms_key_id` / `KmsKeyId`) for the ML
storage volume attached to the instance.""",
    '''resource "aws_sagemaker_notebook_instance" "research" {
  name          = "research"
  role_arn      = aws_iam_role.sagemaker.arn
  instance_type = "ml.t3.medium"
  kms_key_id    = aws_kms_key.sagemaker.id
}''',
    '''ResearchNotebook:
  Type: AWS::SageMaker::NotebookInstance
  Properties:
    InstanceType: ml.t3.medium
    RoleArn: !GetAtt SageMakerRole.Arn
    KmsKeyId: !Ref SageMakerKey''',
    ("https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest-nbi.html",),
    (("checkov", "CKV_AWS_22"),), "notebooks",
)

LOG_GROUP = _check(
    "AWS-CWL-501", "CloudWatch log group is not encrypted with a KMS key", "log_group",
    "Log group", "its events are encrypted with keys CloudWatch Logs owns",
    """Finds CloudWatch Logs log groups (`aws_cloudwatch_log_group`, `AWS::Logs::LogGroup`) that name
no KMS key (`kms_key_id` / `KmsKeyId`). CloudWatch Logs always encrypts log data, with keys it
owns when no KMS key is associated.""",
    '''resource "aws_cloudwatch_log_group" "app" {
  name              = "/app/api"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.logs.arn
}''',
    '''AppLogGroup:
  Type: AWS::Logs::LogGroup
  Properties:
    LogGroupName: /app/api
    RetentionInDays: 365
    KmsKeyId: !GetAtt LogsKey.Arn''',
    ("https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",),
    (("checkov", "CKV_AWS_158"), ("trivy", "AVD-AWS-0017")), "logs",
)

ECR = _check(
    "AWS-ECR-501", "ECR repository is not encrypted with KMS", "ecr_repository",
    "ECR repository", "", 
    """Finds ECR repositories (`aws_ecr_repository`, `AWS::ECR::Repository`) whose encryption type
(`encryption_configuration.encryption_type` / `EncryptionConfiguration.EncryptionType`) is AES256
or left out (AES256 is the default): their images are then encrypted with S3-managed keys. KMS
(and KMS_DSSE) pass, with or without a key of your own.""",
    '''resource "aws_ecr_repository" "api" {
  name = "api"
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.ecr.arn
  }
}''',
    '''ApiRepository:
  Type: AWS::ECR::Repository
  Properties:
    RepositoryName: api
    EncryptionConfiguration:
      EncryptionType: KMS
      KmsKey: !GetAtt EcrKey.Arn''',
    ("https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html",),
    (("checkov", "CKV_AWS_136"), ("trivy", "AVD-AWS-0033")), "images",
    evaluate=evaluate_ecr,
)
