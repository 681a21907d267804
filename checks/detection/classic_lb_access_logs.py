"""AWS-ELB-202: Classic Load Balancer without access logs."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for lb in facts.of_kind("classic_lb_logs"):
        bucket, enabled = lb.bucket, lb.enabled
        if bucket.is_true() and enabled.is_true():
            continue
        if bucket.is_false() or enabled.is_false():
            off = bucket if bucket.is_false() else enabled
            why = "no access log bucket" if off is bucket else "access logs turned off"
            yield Finding(CHECK.id, lb.resource, "Classic Load Balancer %s writes no access logs (%s)." % (lb.resource.address, why), off.location)
        else:
            unknown = bucket if not bucket.known else enabled
            yield undecided(CHECK.id, lb.resource, "access logs", unknown.value, unknown.location)


CHECK = Check(
    id="AWS-ELB-202",
    title="Classic Load Balancer has no access logging",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("classic_lb_logs",),
    evaluate=evaluate,
    what="""Finds Classic Load Balancers (`aws_elb`, `AWS::ElasticLoadBalancing::LoadBalancer`)
without access logs: no `access_logs` block / `AccessLoggingPolicy`, or one with `enabled` /
`Enabled` false. In Terraform `enabled` defaults to true inside the block. A bucket or flag that
is not known before deploy leaves the check undecided.""",
    why="""Load balancer access logs record every request with the client address, the back end
that served it and the response: the record needed to trace scans, exploitation attempts and
data pulled through the load balancer.""",
    fix_terraform="""```hcl
resource "aws_elb" "web" {
  name            = "web"
  subnets         = var.public_subnet_ids
  security_groups = [aws_security_group.web.id]

  listener {
    instance_port      = 8080
    instance_protocol  = "http"
    lb_port            = 443
    lb_protocol        = "https"
    ssl_certificate_id = var.certificate_arn
  }

  access_logs {
    bucket        = aws_s3_bucket.lb_logs.bucket
    bucket_prefix = "web"
    interval      = 60
  }
}
```""",
    fix_cloudformation="""```yaml
WebLoadBalancer:
  Type: AWS::ElasticLoadBalancing::LoadBalancer
  Properties:
    Subnets: !Ref PublicSubnets
    Listeners:
      - LoadBalancerPort: "443"
        InstancePort: "8080"
        Protocol: HTTPS
        SSLCertificateId: !Ref CertificateArn
    AccessLoggingPolicy:
      Enabled: true
      S3BucketName: !Ref LbLogsBucket
      S3BucketPrefix: web
      EmitInterval: 60
```""",
    references=("https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html",),
    equivalents=(("checkov", "CKV_AWS_92"), ("cfn_nag", "W26")),
)
