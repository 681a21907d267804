"""AWS-ELB-001: internet-facing application load balancer with no WAFv2 web ACL."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown


def evaluate(facts):
    for lb in facts.of_kind("load_balancer"):
        if lb.web_acl_associations:
            continue
        app, facing = lb.lb_type.value, lb.internet_facing.value
        if (app != "application" and not is_unknown(app)) or facing is False:
            continue  # known not to be an internet-facing application load balancer
        if is_unknown(app):
            yield undecided(CHECK.id, lb.resource, "load balancer type", app, lb.lb_type.location)
        elif is_unknown(facing):
            yield undecided(CHECK.id, lb.resource, "internal", facing, lb.internet_facing.location)
        elif facing is True:
            yield Finding(
                CHECK.id,
                lb.resource,
                "Internet-facing application load balancer %s has no WAFv2 web ACL associated." % lb.resource.address,
                lb.resource.location,
            )


CHECK = Check(
    id="AWS-ELB-001",
    title="Internet-facing application load balancer has no WAF",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-693",),
    kinds=("load_balancer",),
    evaluate=evaluate,
    what="""Finds internet-facing application load balancers (`aws_lb`/`aws_alb` with
`internal` false or left out, `AWS::ElasticLoadBalancingV2::LoadBalancer` with the default
`internet-facing` scheme) that no `aws_wafv2_web_acl_association` /
`AWS::WAFv2::WebACLAssociation` refers to. The association is found through the resource graph,
also when it sits in another module or template of the scan.""",
    why="""An application load balancer is the front door of a web application. A web ACL in front
of it filters common exploits (injection, known bad inputs, bots) and rate-limits abuse before
requests reach the application.""",
    fix_terraform="""```hcl
resource "aws_wafv2_web_acl_association" "web" {
  resource_arn = aws_lb.web.arn
  web_acl_arn  = aws_wafv2_web_acl.web.arn
}
```""",
    fix_cloudformation="""```yaml
WebAclAssociation:
  Type: AWS::WAFv2::WebACLAssociation
  Properties:
    ResourceArn: !Ref LoadBalancer
    WebACLArn: !GetAtt WebAcl.Arn
```""",
    references=("https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html",),
    equivalents=(("checkov", "CKV2_AWS_28"),),
)
