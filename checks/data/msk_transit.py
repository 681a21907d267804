"""AWS-MSK-605/606: MSK cluster accepting plaintext clients; MSK cluster not encrypting traffic
between its brokers."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding

KIND = ("msk_cluster",)


def client_broker(facts):
    for cluster in facts.of_kind("msk_cluster"):
        attr = cluster.client_broker
        if not attr.known:
            yield undecided(CLIENT_BROKER.id, cluster.resource, "client_broker", attr.value, attr.location)
        elif attr.value != "tls":
            yield Finding(CLIENT_BROKER.id, cluster.resource, "MSK cluster %s accepts plaintext connections from clients (client-broker encryption %s)." % (
                cluster.resource.address, attr.value.upper()), attr.location)


def in_cluster(facts):
    for cluster in facts.of_kind("msk_cluster"):
        attr = cluster.in_cluster
        if not attr.known:
            yield undecided(IN_CLUSTER.id, cluster.resource, "in_cluster", attr.value, attr.location)
        elif attr.is_false():
            yield Finding(IN_CLUSTER.id, cluster.resource, "MSK cluster %s does not encrypt data sent between its brokers." % cluster.resource.address, attr.location)


_TF_FIX = """```hcl
resource "aws_msk_cluster" "events" {
  cluster_name           = "events"
  kafka_version          = "3.6.0"
  number_of_broker_nodes = 3
  broker_node_group_info {
    instance_type   = "kafka.m5.large"
    client_subnets  = var.subnets
    security_groups = [var.security_group]
  }
  encryption_info {
    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }
}
```"""

_CFN_FIX = """```yaml
Events:
  Type: AWS::MSK::Cluster
  Properties:
    ClusterName: events
    KafkaVersion: 3.6.0
    NumberOfBrokerNodes: 3
    BrokerNodeGroupInfo:
      InstanceType: kafka.m5.large
      ClientSubnets: !Ref Subnets
    EncryptionInfo:
      EncryptionInTransit:
        ClientBroker: TLS
        InCluster: true
```"""

CLIENT_BROKER = Check(
    id="AWS-MSK-605",
    title="MSK cluster accepts plaintext connections from clients",
    severity="medium",
    pillar="data",
    cwe=("CWE-319",),
    kinds=KIND,
    evaluate=client_broker,
    equivalents=(("checkov", "CKV_AWS_81"), ("trivy", "AVD-AWS-0073")),
    what="""Finds MSK clusters (`aws_msk_cluster`, `AWS::MSK::Cluster`) whose client-broker
encryption (`encryption_info.encryption_in_transit.client_broker` /
`EncryptionInfo.EncryptionInTransit.ClientBroker`) is `PLAINTEXT` or `TLS_PLAINTEXT`. Left out
it is `TLS`, which passes.""",
    why="""With `PLAINTEXT` or `TLS_PLAINTEXT` the brokers accept unencrypted Kafka connections:
messages produced and consumed, and SASL/SCRAM credentials exchanged, can then be read on the
network by anyone who reaches the brokers' subnets.""",
    fix_terraform=_TF_FIX,
    fix_cloudformation=_CFN_FIX,
    references=("https://docs.aws.amazon.com/msk/latest/developerguide/msk-encryption.html",),
)

IN_CLUSTER = Check(
    id="AWS-MSK-606",
    title="MSK cluster does not encrypt traffic between its brokers",
    severity="medium",
    pillar="data",
    cwe=("CWE-319",),
    kinds=KIND,
    evaluate=in_cluster,
    equivalents=(("checkov", "CKV_AWS_81"), ("trivy", "AVD-AWS-0073")),
    what="""Finds MSK clusters (`aws_msk_cluster`, `AWS::MSK::Cluster`) with in-cluster
encryption turned off (`encryption_info.encryption_in_transit.in_cluster` /
`EncryptionInfo.EncryptionInTransit.InCluster` false). Left out it is true, which passes.""",
    why="""Brokers replicate every partition to each other. With in-cluster encryption off, that
replication traffic, which is all of the cluster's data, crosses the network in clear text; it
cannot be turned on later without creating a new cluster.""",
    fix_terraform=_TF_FIX,
    fix_cloudformation=_CFN_FIX,
    references=("https://docs.aws.amazon.com/msk/latest/developerguide/msk-encryption.html",),
)
