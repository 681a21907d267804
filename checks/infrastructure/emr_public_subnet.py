"""AWS-EMR-402: EMR cluster launched in a public subnet (issue 13, slice infra_b)."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for cluster in facts.of_kind("emr_cluster_network"):
        public = cluster.public_subnet
        if public.is_true():
            names = ", ".join(s.address for s in cluster.subnets)
            yield Finding(CHECK.id, cluster.resource, "EMR cluster %s is launched in a public subnet (%s: its route table routes to an internet gateway)." % (cluster.resource.address, names), public.location)
        elif not public.known:
            yield undecided(CHECK.id, cluster.resource, "subnet", public.value, public.location)


CHECK = Check(
    id="AWS-EMR-402",
    title="EMR cluster is launched in a public subnet",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-668",),
    kinds=("emr_cluster_network",),
    evaluate=evaluate,
    what="""Finds EMR clusters (`aws_emr_cluster`, `AWS::EMR::Cluster`) whose subnet
(`ec2_attributes.subnet_id` / `subnet_ids`, `Instances.Ec2SubnetId` / `Ec2SubnetIds`) is a subnet
of the scan whose route table (its explicit association, else in Terraform the VPC's main table)
routes to an internet gateway. Subnets outside the scan are not judged.""",
    why="""In a public subnet the master node gets a public IP address and DNS name: its web
interfaces and services (YARN, Spark history, Jupyter, Livy) are one security group rule away from
the internet, and block public access is the only remaining guard. Clusters belong in private
subnets, reached through Session Manager, a VPN or EMR Studio.""",
    fix_terraform="""```hcl
resource "aws_emr_cluster" "analytics" {
  name          = "analytics"
  release_label = "emr-7.1.0"
  service_role  = aws_iam_role.emr_service.arn

  ec2_attributes {
    subnet_id        = aws_subnet.private_a.id
    instance_profile = aws_iam_instance_profile.emr.arn
  }

  master_instance_group {
    instance_type = "m5.xlarge"
  }
}
```""",
    fix_cloudformation="""```yaml
AnalyticsCluster:
  Type: AWS::EMR::Cluster
  Properties:
    Name: analytics
    ReleaseLabel: emr-7.1.0
    JobFlowRole: !Ref EmrInstanceProfile
    ServiceRole: !Ref EmrServiceRole
    Instances:
      Ec2SubnetId: !Ref PrivateSubnetA
      MasterInstanceGroup:
        InstanceCount: 1
        InstanceType: m5.xlarge
```""",
    references=(
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-clusters-in-a-vpc.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/emr-controls.html#emr-1",
    ),
)
