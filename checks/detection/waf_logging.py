"""AWS-WAF-201: WAFv2 web ACL without a logging configuration."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for acl in facts.of_kind("waf_logging"):
        attr = acl.logging
        if attr.is_true():
            continue
        if not attr.known:
            yield undecided(CHECK.id, acl.resource, "logging configuration", attr.value, attr.location)
        elif acl.conditional is not None:
            when = ", ".join("%s is %s" % (name, str(value).lower()) for name, value in acl.conditional.conditions)
            yield Finding(CHECK.id, acl.resource, "WAF web ACL %s is logged only when %s (%s): otherwise its decisions are not logged." % (
                acl.resource.address, when, acl.conditional.address), attr.location)
        else:
            yield Finding(CHECK.id, acl.resource, "WAF web ACL %s has no logging configuration: its decisions are not logged." % acl.resource.address, attr.location)


CHECK = Check(
    id="AWS-WAF-201",
    title="WAF web ACL has no logging configuration",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("waf_logging",),
    evaluate=evaluate,
    what="""Finds WAFv2 web ACLs (`aws_wafv2_web_acl`, `AWS::WAFv2::WebACL`) that no logging
configuration of the scan names (`aws_wafv2_web_acl_logging_configuration` /
`AWS::WAFv2::LoggingConfiguration`, by reference to the ACL's ARN, or by a literal ARN naming an
ACL of the same name in the same root). A CloudFormation logging configuration that exists only
under a condition the web ACL does not share is reported, naming the condition. A logging configuration whose ACL cannot be known leaves
the web ACLs of its module undecided. Classic WAF is not covered.""",
    why="""WAF logs record each request the web ACL inspected, the rule that matched and the
action taken. They show which attacks were blocked, which got through a count rule, and are the
only record of a false positive that blocked legitimate users.""",
    fix_terraform="""The destination's name must start with `aws-waf-logs-`:

```hcl
resource "aws_cloudwatch_log_group" "waf" {
  name              = "aws-waf-logs-web"
  retention_in_days = 365
}

resource "aws_wafv2_web_acl_logging_configuration" "web" {
  resource_arn            = aws_wafv2_web_acl.web.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]
}
```""",
    fix_cloudformation="""```yaml
WafLogs:
  Type: AWS::Logs::LogGroup
  Properties:
    LogGroupName: aws-waf-logs-web
    RetentionInDays: 365

WebAclLogging:
  Type: AWS::WAFv2::LoggingConfiguration
  Properties:
    ResourceArn: !GetAtt WebAcl.Arn
    LogDestinationConfigs:
      - !GetAtt WafLogs.Arn
```""",
    references=("https://docs.aws.amazon.com/waf/latest/developerguide/logging.html",),
    equivalents=(("checkov", "CKV2_AWS_31"),),
)
