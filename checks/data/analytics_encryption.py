"""Analytics metadata and results without encryption at rest: AWS-GLUE-501 (the Glue Data
Catalog), AWS-GLUE-502 (Glue security configurations), AWS-ATH-501 (Athena workgroup query
results)."""
from __future__ import annotations

from iacguard.check import Check

from iacguard.core.model import Finding

from .at_rest import verdict


def evaluate_glue(facts):
    for settings in facts.of_kind("glue_catalog_encryption"):
        mode = settings.catalog_encryption_mode
        good = mode.known and mode.value in ("sse-kms", "sse-kms-with-service-role")
        found = verdict(GLUE.id, settings.resource, good, (("catalog encryption mode", mode),),
                        "Glue Data Catalog encryption settings %s %s: the catalog's metadata is not encrypted." % (
                            settings.resource.address, "set the catalog encryption mode to DISABLED" if mode.explicit else "set no catalog encryption mode"),
                        mode.location)
        if found is not None:
            yield found


_GLUE_TARGETS = (("S3 data", "s3_mode"), ("CloudWatch logs", "cloudwatch_mode"), ("job bookmarks", "job_bookmarks_mode"))


def evaluate_glue_security(facts):
    for conf in facts.of_kind("glue_security_configuration"):
        modes = [(label, getattr(conf, name)) for label, name in _GLUE_TARGETS]
        off = [(label, mode) for label, mode in modes if mode.known and mode.value == "disabled"]
        if off:
            yield Finding(GLUE_SECURITY.id, conf.resource, "Glue security configuration %s does not encrypt %s." % (
                conf.resource.address, ", ".join(label for label, _ in off)), off[0][1].location)
            continue
        found = verdict(GLUE_SECURITY.id, conf.resource, all(mode.known for _, mode in modes),
                        tuple(("%s encryption mode" % label, mode) for label, mode in modes), "", conf.resource.location)
        if found is not None:
            yield found


def evaluate_athena(facts):
    for group in facts.of_kind("athena_workgroup_encryption"):
        option = group.result_encryption
        good = option.known and option.value in ("sse_s3", "sse_kms", "cse_kms")
        found = verdict(ATHENA.id, group.resource, good, (("result encryption", option),),
                        "Athena workgroup %s configures no encryption of query results." % group.resource.address,
                        option.location)
        if found is not None:
            yield found


GLUE = Check(
    id="AWS-GLUE-501",
    title="Glue Data Catalog is not encrypted at rest",
    severity="medium",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("glue_catalog_encryption",),
    evaluate=evaluate_glue,
    what="""Finds Glue Data Catalog encryption settings (`aws_glue_data_catalog_encryption_settings`,
`AWS::Glue::DataCatalogEncryptionSettings`) whose catalog encryption mode
(`data_catalog_encryption_settings.encryption_at_rest.catalog_encryption_mode` /
`DataCatalogEncryptionSettings.EncryptionAtRest.CatalogEncryptionMode`) is DISABLED or left out.
These settings exist once per account and region; a project that declares none is not reported
here.""",
    why="""The Data Catalog holds the schemas, locations and connection details of a data lake:
enough to find and read the data. Encrypting it with KMS protects the metadata and lets the key
policy decide who may read it.""",
    fix_terraform="""```hcl
resource "aws_glue_data_catalog_encryption_settings" "this" {
  data_catalog_encryption_settings {
    encryption_at_rest {
      catalog_encryption_mode = "SSE-KMS"
      sse_aws_kms_key_id      = aws_kms_key.glue.arn
    }
    connection_password_encryption {
      return_connection_password_encrypted = true
      aws_kms_key_id                       = aws_kms_key.glue.arn
    }
  }
}
```""",
    fix_cloudformation="""```yaml
CatalogEncryption:
  Type: AWS::Glue::DataCatalogEncryptionSettings
  Properties:
    CatalogId: !Ref AWS::AccountId
    DataCatalogEncryptionSettings:
      EncryptionAtRest:
        CatalogEncryptionMode: SSE-KMS
        SseAwsKmsKeyId: !Ref GlueKey
      ConnectionPasswordEncryption:
        ReturnConnectionPasswordEncrypted: true
        KmsKeyId: !Ref GlueKey
```""",
    references=("https://docs.aws.amazon.com/glue/latest/dg/encrypt-glue-data-catalog.html",),
    equivalents=(("checkov", "CKV_AWS_94"),),
)

GLUE_SECURITY = Check(
    id="AWS-GLUE-502",
    title="Glue security configuration leaves data unencrypted",
    severity="medium",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("glue_security_configuration",),
    evaluate=evaluate_glue_security,
    what="""Finds Glue security configurations (`aws_glue_security_configuration`,
`AWS::Glue::SecurityConfiguration`) that leave any of their three targets unencrypted: the data
jobs write to S3 (`s3_encryption_mode` / `S3Encryptions[].S3EncryptionMode`), the logs they send
to CloudWatch (`cloudwatch_encryption_mode` / `CloudWatchEncryption.CloudWatchEncryptionMode`) and
job bookmarks (`job_bookmarks_encryption_mode` /
`JobBookmarksEncryption.JobBookmarksEncryptionMode`). A mode left out is DISABLED. One finding
per configuration names every target left unencrypted.""",
    why="""Jobs, crawlers and development endpoints that use the configuration write their output,
logs and bookmarks as it says: a DISABLED target leaves copies of the processed data unencrypted
even when the source is encrypted.""",
    fix_terraform="""```hcl
resource "aws_glue_security_configuration" "etl" {
  name = "etl"
  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = aws_kms_key.glue.arn
    }
    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = aws_kms_key.glue.arn
    }
    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = aws_kms_key.glue.arn
    }
  }
}
```""",
    fix_cloudformation="""```yaml
EtlSecurityConfiguration:
  Type: AWS::Glue::SecurityConfiguration
  Properties:
    Name: etl
    EncryptionConfiguration:
      CloudWatchEncryption:
        CloudWatchEncryptionMode: SSE-KMS
        KmsKeyArn: !GetAtt GlueKey.Arn
      JobBookmarksEncryption:
        JobBookmarksEncryptionMode: CSE-KMS
        KmsKeyArn: !GetAtt GlueKey.Arn
      S3Encryptions:
        - S3EncryptionMode: SSE-KMS
          KmsKeyArn: !GetAtt GlueKey.Arn
```""",
    references=("https://docs.aws.amazon.com/glue/latest/dg/encryption-security-configuration.html",),
    equivalents=(("checkov", "CKV_AWS_99"),),
)

ATHENA = Check(
    id="AWS-ATH-501",
    title="Athena workgroup does not encrypt query results",
    severity="medium",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("athena_workgroup_encryption",),
    evaluate=evaluate_athena,
    what="""Finds Athena workgroups (`aws_athena_workgroup`, `AWS::Athena::WorkGroup`) whose result
configuration names no encryption option
(`configuration.result_configuration.encryption_configuration.encryption_option` /
`WorkGroupConfiguration.ResultConfiguration.EncryptionConfiguration.EncryptionOption`): SSE_S3,
SSE_KMS and CSE_KMS pass.""",
    why="""Query results are copies of the data queried, written to S3 for every query. Encrypting
them in the workgroup (and enforcing the workgroup's configuration) keeps them protected whatever
the client asks for.""",
    fix_terraform="""```hcl
resource "aws_athena_workgroup" "analysts" {
  name = "analysts"
  configuration {
    enforce_workgroup_configuration = true
    result_configuration {
      output_location = "s3://example-athena-results/"
      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = aws_kms_key.athena.arn
      }
    }
  }
}
```""",
    fix_cloudformation="""```yaml
AnalystsWorkGroup:
  Type: AWS::Athena::WorkGroup
  Properties:
    Name: analysts
    WorkGroupConfiguration:
      EnforceWorkGroupConfiguration: true
      ResultConfiguration:
        OutputLocation: s3://example-athena-results/
        EncryptionConfiguration:
          EncryptionOption: SSE_KMS
          KmsKey: !GetAtt AthenaKey.Arn
```""",
    references=("https://docs.aws.amazon.com/athena/latest/ug/encrypting-query-results-stored-in-s3.html",),
    equivalents=(("checkov", "CKV_AWS_159"), ("trivy", "AVD-AWS-0006")),
)
