"""AWS-VPC-100: a VPC that no flow log of the scan names."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for vpc in facts.of_kind("vpc_flow_logs"):
        attr = vpc.flow_log
        if attr.is_false():
            yield Finding(CHECK.id, vpc.resource, "VPC %s has no flow log." % vpc.resource.address, attr.location)
        elif not attr.known:
            yield undecided(CHECK.id, vpc.resource, "flow log %s, whose VPC cannot be known" % vpc.flow_log_resource.address, attr.value, attr.location)


CHECK = Check(
    id="AWS-VPC-100",
    title="VPC has no flow log",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("vpc_flow_logs",),
    evaluate=evaluate,
    what="""Finds VPCs (`aws_vpc` / `AWS::EC2::VPC`) that no flow log of the same root names:
`aws_flow_log` with `vpc_id`, or `AWS::EC2::FlowLog` with `ResourceType: VPC` and a `ResourceId`
referring to the VPC, through variables, module inputs and outputs or parameters. A flow log on a
subnet or a network interface does not cover the VPC; a flow log whose VPC cannot be known leaves
the VPCs of its root undecided.""",
    why="""Flow logs are the only record of which addresses talked to which inside a VPC: without
them, data exfiltration, a scan from a compromised instance or traffic to a command-and-control
host leave no trace to investigate, and GuardDuty-style analysis has nothing of your own to work
on.""",
    fix_terraform="""```hcl
resource "aws_flow_log" "main" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = aws_s3_bucket.flow_logs.arn
}
```""",
    fix_cloudformation="""```yaml
VpcFlowLog:
  Type: AWS::EC2::FlowLog
  Properties:
    ResourceType: VPC
    ResourceId: !Ref Vpc
    TrafficType: ALL
    LogDestinationType: s3
    LogDestination: !GetAtt FlowLogBucket.Arn
```""",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html",),
    equivalents=(("checkov", "CKV2_AWS_11"), ("trivy", "AVD-AWS-0178")),
)
