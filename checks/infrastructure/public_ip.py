"""AWS-EC2-307: instance, launch template or launch configuration asking for a public IP.
AWS-VPC-308: subnet assigning public IPs on launch."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding

_NOUN = {
    "aws_instance": "EC2 instance", "AWS::EC2::Instance": "EC2 instance",
    "aws_launch_template": "Launch template", "AWS::EC2::LaunchTemplate": "Launch template",
    "aws_launch_configuration": "Launch configuration", "AWS::AutoScaling::LaunchConfiguration": "Launch configuration",
}


def evaluate_launch(facts):
    for launch in facts.of_kind("instance_launch"):
        ip = launch.public_ip
        if ip.is_true():
            noun = _NOUN.get(launch.resource.type, "Resource")
            yield Finding(LAUNCH.id, launch.resource, "%s %s associates a public IP address." % (noun, launch.resource.address), ip.location)
        elif not ip.known:
            yield undecided(LAUNCH.id, launch.resource, "associate public IP address", ip.value, ip.location)


LAUNCH = Check(
    id="AWS-EC2-307",
    title="EC2 instance or launch template associates a public IP address",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-668",),
    kinds=("instance_launch",),
    evaluate=evaluate_launch,
    what="""Finds `aws_instance` and `aws_launch_configuration` with
`associate_public_ip_address = true`, `aws_launch_template` with a network interface that sets
it, `AWS::EC2::Instance` and `AWS::EC2::LaunchTemplate` with a network interface whose
`AssociatePublicIpAddress` is true, and `AWS::AutoScaling::LaunchConfiguration` with
`AssociatePublicIpAddress: true`. When the setting is left out the subnet decides (AWS-VPC-308
reads `map_public_ip_on_launch`), so such resources are not reported here.""",
    why="""An instance with a public address is directly reachable from the internet whenever a
security group rule allows it, and its address appears in scans immediately. Keep instances in
private subnets behind a load balancer, NAT gateway or Session Manager, and give a public
address only to what must be an internet endpoint.""",
    fix_terraform="""```hcl
resource "aws_instance" "app" {
  # ...
  subnet_id                   = aws_subnet.private.id
  associate_public_ip_address = false
}
```""",
    fix_cloudformation="""```yaml
NetworkInterfaces:
  - DeviceIndex: "0"
    SubnetId: !Ref PrivateSubnet
    AssociatePublicIpAddress: false
```""",
    references=(
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html#concepts-public-addresses",
    ),
    equivalents=(("checkov", "CKV_AWS_88"), ("trivy", "AVD-AWS-0009")),
)


def evaluate_subnet(facts):
    for subnet in facts.of_kind("subnet"):
        attr = subnet.map_public_ip
        if attr.is_true():
            yield Finding(SUBNET.id, subnet.resource, "Subnet %s assigns a public IP address to every instance launched in it." % subnet.resource.address, attr.location)
        elif not attr.known:
            yield undecided(SUBNET.id, subnet.resource, "map public IP on launch", attr.value, attr.location)


SUBNET = Check(
    id="AWS-VPC-308",
    title="Subnet assigns public IP addresses on launch",
    severity="low",
    pillar="infrastructure",
    cwe=("CWE-668",),
    kinds=("subnet",),
    evaluate=evaluate_subnet,
    what="""Finds `aws_subnet` with `map_public_ip_on_launch = true` and `AWS::EC2::Subnet` with
`MapPublicIpOnLaunch: true`. Both default to false.""",
    why="""Every instance, container host or network interface launched into such a subnet gets
a public address unless it opts out, so a workload meant to be private becomes reachable from
the internet by where it was placed. Load balancers and NAT gateways in public subnets do not
need it; give public addresses explicitly where one is meant.""",
    fix_terraform="""```hcl
resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = false
}
```""",
    fix_cloudformation="""```yaml
PublicSubnet:
  Type: AWS::EC2::Subnet
  Properties:
    VpcId: !Ref Vpc
    CidrBlock: 10.0.1.0/24
    MapPublicIpOnLaunch: false
```""",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/modify-subnets.html",),
    equivalents=(("checkov", "CKV_AWS_130"), ("trivy", "AVD-AWS-0164"), ("cfn_nag", "W33")),
)
