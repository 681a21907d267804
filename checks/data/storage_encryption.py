"""Data stores whose encryption at rest is off unless turned on:
AWS-EFS-501 (EFS file systems), AWS-DOCDB-501 (DocumentDB clusters), AWS-NEP-501 (Neptune
clusters), AWS-ES-501 (OpenSearch / Elasticsearch domains), AWS-EC-501 (ElastiCache replication
groups)."""
from __future__ import annotations

from dataclasses import replace

from iacguard.check import Check
from iacguard.core.unknown import Unknown

from .at_rest import how, verdict


def evaluate_efs(facts):
    for fs in facts.of_kind("efs_file_system"):
        found = verdict(EFS.id, fs.resource, fs.encrypted.is_true(), (("encrypted", fs.encrypted),),
                        "EFS file system %s %s." % (fs.resource.address, how(fs.encrypted, "sets encrypted to false", "is not encrypted (encrypted is off by default)")),
                        fs.encrypted.location)
        if found is not None:
            yield found


def _cluster(check_id, kind, service):
    def evaluate(facts):
        for cluster in facts.of_kind(kind):
            enc = cluster.storage_encrypted
            if not enc.is_true():
                # Restored from a snapshot, the cluster takes the snapshot's encryption.
                if cluster.snapshot.is_true():
                    enc = replace(enc, value=Unknown("encryption inherited from the snapshot it is restored from"))
                elif not cluster.snapshot.known:
                    enc = replace(enc, value=cluster.snapshot.value, location=cluster.snapshot.location)
            found = verdict(check_id, cluster.resource, enc.is_true(), (("storage encryption", enc),),
                            "%s cluster %s %s." % (service, cluster.resource.address, how(enc, "sets storage encryption to false", "does not enable storage encryption (off by default)")),
                            enc.location)
            if found is not None:
                yield found
    return evaluate


def evaluate_search(facts):
    for domain in facts.of_kind("search_domain"):
        enc = domain.encrypt_at_rest
        found = verdict(SEARCH.id, domain.resource, enc.is_true(), (("encryption at rest", enc),),
                        "Search domain %s %s." % (domain.resource.address, how(enc, "turns encryption at rest off", "does not enable encryption at rest (off by default)")),
                        enc.location)
        if found is not None:
            yield found


def evaluate_elasticache(facts):
    for group in facts.of_kind("elasticache_replication_group"):
        enc = group.at_rest_encryption
        if not enc.explicit and enc.is_false():
            engine = group.engine.value
            if not group.engine.known:
                enc = replace(enc, value=engine, location=group.engine.location)
            elif isinstance(engine, str) and engine.lower() == "valkey":
                continue  # Valkey replication groups are encrypted at rest unless told otherwise
        found = verdict(ELASTICACHE.id, group.resource, enc.is_true(), (("at-rest encryption", enc),),
                        "ElastiCache replication group %s %s." % (group.resource.address, how(enc, "turns at-rest encryption off", "does not enable at-rest encryption (off by default for Redis OSS)")),
                        enc.location)
        if found is not None:
            yield found


EFS = Check(
    id="AWS-EFS-501",
    title="EFS file system is not encrypted at rest",
    severity="high",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("efs_file_system",),
    evaluate=evaluate_efs,
    what="""Finds EFS file systems (`aws_efs_file_system`, `AWS::EFS::FileSystem`) with `encrypted` /
`Encrypted` false or left out. The console ticks encryption by default, but the API, the AWS
provider and CloudFormation create an unencrypted file system when it is left out, and it cannot
be turned on afterwards.""",
    why="""File systems shared by many instances and containers often hold application data, uploads
and exports. Without encryption at rest the data, its metadata and backups are stored in clear,
which most compliance frameworks reject; fixing it later means creating a new file system and
copying the data.""",
    fix_terraform="""```hcl
resource "aws_efs_file_system" "shared" {
  creation_token = "shared"
  encrypted      = true
  kms_key_id     = aws_kms_key.efs.arn
}
```""",
    fix_cloudformation="""```yaml
SharedFileSystem:
  Type: AWS::EFS::FileSystem
  Properties:
    Encrypted: true
    KmsKeyId: !GetAtt EfsKey.Arn
```""",
    references=("https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html",),
    equivalents=(("checkov", "CKV_AWS_42"), ("trivy", "AVD-AWS-0037")),
)


def _cluster_check(check_id, title, kind, service, tf_type, cfn_type, doc_url, equivalents, block):
    return Check(
        id=check_id,
        title=title,
        severity="high",
        pillar="data",
        cwe=("CWE-311",),
        kinds=(kind,),
        evaluate=_cluster(check_id, kind, service),
        what="""Finds %s clusters (`%s`, `%s`) with `storage_encrypted` / `StorageEncrypted` false
or left out (the default is off). A cluster restored from a snapshot takes the snapshot's
encryption, which cannot be known here: it is left undecided unless it turns encryption on.""" % (service, tf_type, cfn_type),
        why="""Storage encryption also covers the cluster's automated backups, snapshots and
replicas, and it can only be chosen when the cluster is created: an unencrypted cluster has to be
restored from a snapshot into a new, encrypted one.""",
        fix_terraform="""```hcl
%s
```""" % block[0],
        fix_cloudformation="""```yaml
%s
```""" % block[1],
        references=(doc_url,),
        equivalents=equivalents,
    )


DOCDB = _cluster_check(
    "AWS-DOCDB-501", "DocumentDB cluster storage is not encrypted", "docdb_cluster", "DocumentDB",
    "aws_docdb_cluster", "AWS::DocDB::DBCluster",
    "https://docs.aws.amazon.com/documentdb/latest/developerguide/encryption-at-rest.html",
    (("checkov", "CKV_AWS_74"), ("trivy", "AVD-AWS-0021")),
    ('''resource "aws_docdb_cluster" "catalog" {
  cluster_identifier = "catalog"
  storage_encrypted  = true
  kms_key_id         = aws_kms_key.docdb.arn
}''', '''CatalogCluster:
  Type: AWS::DocDB::DBCluster
  Properties:
    StorageEncrypted: true
    KmsKeyId: !GetAtt DocDbKey.Arn'''),
)

NEPTUNE = _cluster_check(
    "AWS-NEP-501", "Neptune cluster storage is not encrypted", "neptune_cluster", "Neptune",
    "aws_neptune_cluster", "AWS::Neptune::DBCluster",
    "https://docs.aws.amazon.com/neptune/latest/userguide/encrypt.html",
    (("checkov", "CKV_AWS_44"), ("trivy", "AVD-AWS-0076")),
    ('''resource "aws_neptune_cluster" "graph" {
  cluster_identifier = "graph"
  storage_encrypted  = true
  kms_key_arn        = aws_kms_key.neptune.arn
}''', '''GraphCluster:
  Type: AWS::Neptune::DBCluster
  Properties:
    StorageEncrypted: true
    KmsKeyId: !GetAtt NeptuneKey.Arn'''),
)

SEARCH = Check(
    id="AWS-ES-501",
    title="OpenSearch domain is not encrypted at rest",
    severity="high",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("search_domain",),
    evaluate=evaluate_search,
    what="""Finds OpenSearch and Elasticsearch domains (`aws_opensearch_domain`,
`aws_elasticsearch_domain`, `AWS::OpenSearchService::Domain`, `AWS::Elasticsearch::Domain`) whose
`encrypt_at_rest.enabled` / `EncryptionAtRestOptions.Enabled` is false or left out (off unless
turned on).""",
    why="""Search domains index documents, logs and user data. Encryption at rest covers indices,
logs, swap files and automated snapshots; without it they are stored in clear. Fine-grained access
control requires it.""",
    fix_terraform="""```hcl
resource "aws_opensearch_domain" "search" {
  domain_name = "search"
  encrypt_at_rest {
    enabled    = true
    kms_key_id = aws_kms_key.search.key_id
  }
}
```""",
    fix_cloudformation="""```yaml
SearchDomain:
  Type: AWS::OpenSearchService::Domain
  Properties:
    EncryptionAtRestOptions:
      Enabled: true
      KmsKeyId: !Ref SearchKey
```""",
    references=("https://docs.aws.amazon.com/opensearch-service/latest/developerguide/encryption-at-rest.html",),
    equivalents=(("checkov", "CKV_AWS_5"), ("trivy", "AVD-AWS-0048")),
)

ELASTICACHE = Check(
    id="AWS-EC-501",
    title="ElastiCache replication group is not encrypted at rest",
    severity="medium",
    pillar="data",
    cwe=("CWE-311",),
    kinds=("elasticache_replication_group",),
    evaluate=evaluate_elasticache,
    what="""Finds ElastiCache replication groups (`aws_elasticache_replication_group`,
`AWS::ElastiCache::ReplicationGroup`) with `at_rest_encryption_enabled` /
`AtRestEncryptionEnabled` false, or left out for the Redis OSS engine (the default engine, whose
at-rest encryption is off unless turned on). A Valkey group that leaves it out is encrypted and is
not reported; one whose engine is not known is left undecided.""",
    why="""At-rest encryption covers the data on disk during syncs and swaps and the backups in S3.
Caches often hold session tokens and copies of database rows; the setting can only be chosen when
the group is created.""",
    fix_terraform="""```hcl
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "sessions"
  engine                     = "redis"
  node_type                  = "cache.t4g.small"
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.cache.arn
}
```""",
    fix_cloudformation="""```yaml
SessionsCache:
  Type: AWS::ElastiCache::ReplicationGroup
  Properties:
    ReplicationGroupDescription: sessions
    Engine: redis
    CacheNodeType: cache.t4g.small
    AtRestEncryptionEnabled: true
    KmsKeyId: !Ref CacheKey
```""",
    references=("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html",),
    equivalents=(("checkov", "CKV_AWS_29"), ("trivy", "AVD-AWS-0045")),
)
