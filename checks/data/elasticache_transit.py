"""AWS-ELASTICACHE-601: ElastiCache replication group without encryption in transit (or
accepting unencrypted connections)."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for group in facts.of_kind("elasticache_replication_group"):
        enabled, mode = group.transit_encryption, group.transit_mode
        if not enabled.known:
            yield undecided(CHECK.id, group.resource, "transit encryption", enabled.value, enabled.location)
        elif enabled.is_false():
            yield Finding(CHECK.id, group.resource, "ElastiCache replication group %s does not encrypt connections in transit%s." % (
                group.resource.address, "" if enabled.explicit else " (in-transit encryption is off unless enabled)"), enabled.location)
        elif not mode.known:
            yield undecided(CHECK.id, group.resource, "transit encryption mode", mode.value, mode.location)
        elif mode.value == "preferred":
            yield Finding(CHECK.id, group.resource, "ElastiCache replication group %s encrypts in transit in mode \"preferred\", which also accepts unencrypted connections." % group.resource.address, mode.location)


CHECK = Check(
    id="AWS-ELASTICACHE-601",
    title="ElastiCache replication group accepts unencrypted connections",
    severity="medium",
    pillar="data",
    cwe=("CWE-319",),
    kinds=("elasticache_replication_group",),
    evaluate=evaluate,
    equivalents=(("checkov", "CKV_AWS_30"), ("trivy", "AVD-AWS-0051")),
    what="""Finds ElastiCache (Redis OSS / Valkey) replication groups (`aws_elasticache_replication_group`,
`AWS::ElastiCache::ReplicationGroup`) that do not encrypt connections in transit:
`transit_encryption_enabled` / `TransitEncryptionEnabled` false or left out (it is off unless
turned on), or on with `transit_encryption_mode` / `TransitEncryptionMode` set to `preferred`,
the migration mode that still accepts plaintext clients. Left out with encryption on, the mode is
`required` and the group passes.""",
    why="""Without in-transit encryption, cached session data, tokens and query results cross the
network in clear text between clients and nodes and between the nodes themselves, readable by
anyone who can capture traffic in the VPC. An AUTH token sent over such a connection is exposed
too.""",
    fix_terraform="""```hcl
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "sessions"
  node_type                  = "cache.t4g.small"
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
}
```""",
    fix_cloudformation="""```yaml
Sessions:
  Type: AWS::ElastiCache::ReplicationGroup
  Properties:
    ReplicationGroupDescription: sessions
    CacheNodeType: cache.t4g.small
    TransitEncryptionEnabled: true
    TransitEncryptionMode: required
```""",
    references=(
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticache-replicationgroup.html",
    ),
)
