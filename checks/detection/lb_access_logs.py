"""AWS-ELB-201: Application or Network Load Balancer without access logs."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for lb in facts.of_kind("lb_access_logs"):
        kind, enabled = lb.lb_type, lb.enabled
        if kind.value == "gateway" or enabled.is_true():
            continue  # Gateway Load Balancers have no access logs
        unknown = next((a for a in (kind, enabled) if not a.known), None)
        if unknown is not None:
            yield undecided(CHECK.id, lb.resource, "load balancer type" if unknown is kind else "access logs", unknown.value, unknown.location)
        else:
            yield Finding(CHECK.id, lb.resource, "%s Load Balancer %s writes no access logs." % (kind.value.capitalize(), lb.resource.address), enabled.location)


CHECK = Check(
    id="AWS-ELB-201",
    title="Application or Network Load Balancer has no access logging",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("lb_access_logs",),
    evaluate=evaluate,
    what="""Finds Application and Network Load Balancers (`aws_lb`, `aws_alb`,
`AWS::ElasticLoadBalancingV2::LoadBalancer`) that deliver no access logs: no `access_logs` block,
or one whose `enabled` is false or left out (the provider's default is false, even with a bucket)
in Terraform; no `access_logs.s3.enabled` = `true` among the `LoadBalancerAttributes` in
CloudFormation. Gateway Load Balancers have no access logs and are not reported. A value that is
not known before deploy leaves the check undecided.""",
    why="""Access logs record every request (or TLS connection, for a Network Load Balancer) with
the client address, the target that served it and the result. Without them an investigation
cannot tell who reached the application behind the load balancer, or when.""",
    fix_terraform="""```hcl
resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids

  access_logs {
    bucket  = aws_s3_bucket.lb_logs.id
    prefix  = "web"
    enabled = true
  }
}
```""",
    fix_cloudformation="""```yaml
WebLoadBalancer:
  Type: AWS::ElasticLoadBalancingV2::LoadBalancer
  Properties:
    Type: application
    Subnets: !Ref PublicSubnets
    LoadBalancerAttributes:
      - Key: access_logs.s3.enabled
        Value: "true"
      - Key: access_logs.s3.bucket
        Value: !Ref LbLogsBucket
      - Key: access_logs.s3.prefix
        Value: web
```""",
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html",
    ),
    equivalents=(("checkov", "CKV_AWS_91"), ("cfn_nag", "W52")),
)
