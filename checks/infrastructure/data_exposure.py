"""Data services reachable from the internet (issue 13, slice infra_b):
AWS-REDSHIFT-401 Redshift cluster publicly accessible,
AWS-DMS-401 DMS replication instance publicly accessible,
AWS-OPENSEARCH-401 OpenSearch / Elasticsearch domain outside a VPC,
AWS-NEPTUNE-401 Neptune instance publicly accessible,
AWS-EMR-401 EMR block public access turned off."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def _public(check, facts, kind, what):
    for fact in facts.of_kind(kind):
        pub = fact.publicly_accessible
        if pub.is_true():
            said = "is publicly accessible" if pub.explicit else "is publicly accessible (the default when not set)"
            yield Finding(check.id, fact.resource, "%s %s %s." % (what, fact.resource.address, said), pub.location)
        elif not pub.known:
            yield undecided(check.id, fact.resource, "publicly accessible", pub.value, pub.location)


def evaluate_redshift(facts):
    yield from _public(REDSHIFT, facts, "redshift_cluster", "Redshift cluster")


def evaluate_dms(facts):
    yield from _public(DMS, facts, "dms_exposure", "DMS replication instance")


def evaluate_neptune(facts):
    yield from _public(NEPTUNE, facts, "neptune_exposure", "Neptune instance")


def evaluate_emr(facts):
    for config in facts.of_kind("emr_block_public_access"):
        block = config.block_public_security_group_rules
        if block.is_false():
            yield Finding(EMR.id, config.resource, "EMR block public access configuration %s turns blocking public security group rules off." % config.resource.address, block.location)
        elif not block.known:
            yield undecided(EMR.id, config.resource, "block public security group rules", block.value, block.location)


def evaluate_search(facts):
    for domain in facts.of_kind("search_domain"):
        vpc = domain.vpc_options
        if vpc.is_true():
            continue
        if not vpc.known:
            yield undecided(SEARCH.id, domain.resource, "VPC options", vpc.value, vpc.location)
        else:
            yield Finding(SEARCH.id, domain.resource, "Search domain %s has no VPC options: its endpoint is public." % domain.resource.address, vpc.location)


REDSHIFT = Check(
    id="AWS-REDSHIFT-401",
    title="Redshift cluster is publicly accessible",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-668",),
    kinds=("redshift_cluster",),
    evaluate=evaluate_redshift,
    what="""Finds Redshift provisioned clusters (`aws_redshift_cluster`, `AWS::Redshift::Cluster`)
with `publicly_accessible` / `PubliclyAccessible` true, which gives them a public address. In
Terraform the AWS provider's default changed (true before version 6.0, false since) and a scan
does not know the provider version, so a cluster that leaves it out is undecided; in
CloudFormation an omitted value is the service's default, false.""",
    why="""A warehouse reachable from the internet is one leaked or weak password away from a breach
of everything loaded into it, and exposes the engine to scanning. Clients reach Redshift from
inside the VPC, through a VPN, or through the Redshift Data API.""",
    fix_terraform="""```hcl
resource "aws_redshift_cluster" "analytics" {
  cluster_identifier        = "analytics"
  node_type                 = "ra3.xlplus"
  publicly_accessible       = false
  cluster_subnet_group_name = aws_redshift_subnet_group.private.name
}
```""",
    fix_cloudformation="""```yaml
AnalyticsCluster:
  Type: AWS::Redshift::Cluster
  Properties:
    ClusterType: single-node
    NodeType: ra3.xlplus
    DBName: analytics
    MasterUsername: admin
    ManageMasterPassword: true
    PubliclyAccessible: false
    ClusterSubnetGroupName: !Ref PrivateSubnetGroup
```""",
    references=(
        "https://docs.aws.amazon.com/redshift/latest/mgmt/managing-clusters-vpc.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/redshift-controls.html#redshift-1",
    ),
    equivalents=(("checkov", "CKV_AWS_87"),),
)

DMS = Check(
    id="AWS-DMS-401",
    title="DMS replication instance is publicly accessible",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-668",),
    kinds=("dms_exposure",),
    evaluate=evaluate_dms,
    what="""Finds DMS replication instances (`aws_dms_replication_instance`,
`AWS::DMS::ReplicationInstance`) that are publicly accessible: `publicly_accessible` /
`PubliclyAccessible` true, or left out, since the service makes a new replication instance
publicly accessible unless told not to.""",
    why="""A replication instance holds credentials for the source and target databases and moves
their data. With a public address it is reachable from the internet and can be probed and
attacked; it needs no public address to replicate within AWS or over a VPN or Direct Connect.""",
    fix_terraform="""```hcl
resource "aws_dms_replication_instance" "migration" {
  replication_instance_id     = "migration"
  replication_instance_class  = "dms.t3.medium"
  publicly_accessible         = false
  replication_subnet_group_id = aws_dms_replication_subnet_group.private.id
}
```""",
    fix_cloudformation="""```yaml
MigrationInstance:
  Type: AWS::DMS::ReplicationInstance
  Properties:
    ReplicationInstanceClass: dms.t3.medium
    PubliclyAccessible: false
    ReplicationSubnetGroupIdentifier: !Ref PrivateReplicationSubnetGroup
```""",
    references=(
        "https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateReplicationInstance.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/dms-controls.html#dms-1",
    ),
    equivalents=(("checkov", "CKV_AWS_89"),),
)

SEARCH = Check(
    id="AWS-OPENSEARCH-401",
    title="OpenSearch or Elasticsearch domain is not in a VPC",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-668",),
    kinds=("search_domain",),
    evaluate=evaluate_search,
    what="""Finds OpenSearch and Elasticsearch domains (`aws_opensearch_domain`,
`aws_elasticsearch_domain`, `AWS::OpenSearchService::Domain`, `AWS::Elasticsearch::Domain`) with no
VPC options (`vpc_options` / `VPCOptions`): such a domain gets a public endpoint, guarded only by
its access policy and fine-grained access control.""",
    why="""A public search endpoint is exposed to the whole internet: one permissive access policy
(common, and easy to get wrong) exposes every index. A domain inside a VPC is reachable only
through its security groups. A public domain cannot be moved into a VPC later; it must be
recreated.""",
    fix_terraform="""```hcl
resource "aws_opensearch_domain" "search" {
  domain_name    = "search"
  engine_version = "OpenSearch_2.13"

  vpc_options {
    subnet_ids         = [aws_subnet.private_a.id]
    security_group_ids = [aws_security_group.search.id]
  }
}
```""",
    fix_cloudformation="""```yaml
SearchDomain:
  Type: AWS::OpenSearchService::Domain
  Properties:
    EngineVersion: OpenSearch_2.13
    VPCOptions:
      SubnetIds: [!Ref PrivateSubnetA]
      SecurityGroupIds: [!Ref SearchSecurityGroup]
```""",
    references=(
        "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/vpc.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/opensearch-controls.html#opensearch-2",
    ),
    equivalents=(("checkov", "CKV_AWS_137"),),
)

NEPTUNE = Check(
    id="AWS-NEPTUNE-401",
    title="Neptune instance is publicly accessible",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-668",),
    kinds=("neptune_exposure",),
    evaluate=evaluate_neptune,
    languages=("terraform",),
    what="""Finds Neptune cluster instances (`aws_neptune_cluster_instance`) with
`publicly_accessible = true` (the provider's default is false). Terraform only: CloudFormation's
`AWS::Neptune::DBInstance` has no such property.""",
    why="""A graph database reachable from the internet exposes its endpoint to scanning and to
credential and query attacks; applications reach Neptune from inside the VPC.""",
    fix_terraform="""```hcl
resource "aws_neptune_cluster_instance" "graph" {
  cluster_identifier  = aws_neptune_cluster.graph.id
  instance_class      = "db.r6g.large"
  publicly_accessible = false
}
```""",
    fix_cloudformation="""Not applicable: `AWS::Neptune::DBInstance` is private. For reference:

```yaml
GraphInstance:
  Type: AWS::Neptune::DBInstance
  Properties:
    DBClusterIdentifier: !Ref GraphCluster
    DBInstanceClass: db.r6g.large
```""",
    references=("https://docs.aws.amazon.com/neptune/latest/userguide/security-vpc.html",),
    equivalents=(("checkov", "CKV_AWS_102"),),
)

EMR = Check(
    id="AWS-EMR-401",
    title="EMR block public access is turned off",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-668",),
    kinds=("emr_block_public_access",),
    evaluate=evaluate_emr,
    languages=("terraform",),
    what="""Finds EMR block public access configurations
(`aws_emr_block_public_access_configuration`) with `block_public_security_group_rules = false`.
The setting is per account and Region, on by default; a configuration that turns it off lets any
EMR cluster start with security groups open to the internet. Terraform only: CloudFormation has
no resource for it.""",
    why="""EMR master nodes run web interfaces and services (YARN, Spark history, Jupyter, Livy)
that were not built for the internet and have been a common way into clusters and the data and
roles behind them. Block public access refuses to launch a cluster whose security groups allow
inbound traffic from anywhere on ports other than the permitted ones (22 by default).""",
    fix_terraform="""```hcl
resource "aws_emr_block_public_access_configuration" "this" {
  block_public_security_group_rules = true

  permitted_public_security_group_rule_range {
    min_range = 22
    max_range = 22
  }
}
```""",
    fix_cloudformation="""Not available in CloudFormation: keep the account's setting on (the default), and give
clusters private subnets:

```yaml
Instances:
  Ec2SubnetId: !Ref PrivateSubnetA
```""",
    references=(
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-block-public-access.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/emr-controls.html#emr-2",
    ),
)
