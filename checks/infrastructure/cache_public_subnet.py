"""AWS-ELASTICACHE-450: ElastiCache / MemoryDB cluster placed in public subnets (issue 13, slice infra_c)."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for cluster in facts.of_kind("cache_cluster_network"):
        public = cluster.public_subnet
        if public.is_true():
            names = ", ".join(s.address for s in cluster.subnets)
            yield Finding(
                CHECK.id, cluster.resource,
                "%s %s is placed in public subnets: its subnet group %s holds %s, whose route table routes to an internet gateway."
                % (cluster.service, cluster.resource.address, cluster.group.address, names),
                public.location,
            )
        elif not public.known:
            yield undecided(CHECK.id, cluster.resource, cluster.what, public.value, public.location)


CHECK = Check(
    id="AWS-ELASTICACHE-450",
    title="ElastiCache or MemoryDB cluster is placed in public subnets",
    severity="low",
    pillar="infrastructure",
    cwe=("CWE-668",),
    kinds=("cache_cluster_network",),
    evaluate=evaluate,
    what="""Finds ElastiCache clusters and replication groups (`aws_elasticache_cluster`,
`aws_elasticache_replication_group`, `AWS::ElastiCache::CacheCluster`,
`AWS::ElastiCache::ReplicationGroup`) and MemoryDB clusters (`aws_memorydb_cluster`,
`AWS::MemoryDB::Cluster`) whose subnet group (`subnet_group_name`, `CacheSubnetGroupName`,
`SubnetGroupName`, followed through references, variables, module inputs and parameters, else
matched by its literal name in the same root) lists a subnet of the scan whose route table (its
explicit association, else in Terraform the VPC's main table) routes to an internet gateway: the
same test as AWS-EMR-402. A route to a NAT gateway does not make a subnet public.

Not judged: subnet groups and subnets outside the scan, and clusters that name no subnet group.
Those use the service's `default` subnet group (ElastiCache builds it from the default VPC's
subnets, which are public by construction), but whether the account still has a default VPC,
and what its route tables are, is account state the code does not show; AWS Config's `elasticache-subnet-group-check` (Security
Hub ElastiCache.7) asks for a custom subnet group in the account. A subnet group that is not known
(an unset variable or parameter), or whose subnet list is not known as a whole, is reported as
undecided.""",
    why="""Cache and MemoryDB nodes get private IP addresses only, so a public subnet does not by
itself put them on the internet: the internet gateway cannot reach an address it has no public IP
for. The severity is low for that reason. What the placement loses is segmentation: the data
store shares its subnet, its network ACL and its route table with the resources that are meant
to face the internet, a compromised public host sits next to it, and the route to the internet
gateway is already there for any later change (a network interface given a public or Elastic IP,
a NAT or proxy added in the subnet). Caches often hold sessions, tokens and copies of database
rows; AWS recommends private subnets for them, reached only from the application tier.""",
    fix_terraform="""```hcl
resource "aws_elasticache_subnet_group" "cache" {
  name       = "cache-private"
  subnet_ids = [aws_subnet.private_a.id, aws_subnet.private_b.id]
}

resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id = "sessions"
  description          = "Session store"
  node_type            = "cache.t4g.small"
  num_cache_clusters   = 2
  subnet_group_name    = aws_elasticache_subnet_group.cache.name
  security_group_ids   = [aws_security_group.cache.id]
}
```""",
    fix_cloudformation="""```yaml
CacheSubnetGroup:
  Type: AWS::ElastiCache::SubnetGroup
  Properties:
    Description: Private subnets for the session store
    SubnetIds:
      - !Ref PrivateSubnetA
      - !Ref PrivateSubnetB
SessionStore:
  Type: AWS::ElastiCache::ReplicationGroup
  Properties:
    ReplicationGroupDescription: Session store
    Engine: redis
    CacheNodeType: cache.t4g.small
    NumCacheClusters: 2
    CacheSubnetGroupName: !Ref CacheSubnetGroup
    SecurityGroupIds:
      - !Ref CacheSecurityGroup
```""",
    references=(
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/VPCs.html",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/SubnetGroups.html",
        "https://docs.aws.amazon.com/memorydb/latest/devguide/subnetgroups.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html",
    ),
)
