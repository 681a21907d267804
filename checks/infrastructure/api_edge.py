"""API entry points (issue 13, slice infra_b):
AWS-APIGW-401 API Gateway custom domain accepting TLS 1.0,
AWS-APIGW-402 API Gateway REST stage without a WAF web ACL,
AWS-APPSYNC-401 AppSync GraphQL API without a WAF web ACL."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate_domain_tls(facts):
    for domain in facts.of_kind("api_custom_domain"):
        policy = domain.security_policy
        if not policy.known:
            yield undecided(DOMAIN_TLS.id, domain.resource, "security policy", policy.value, policy.location)
        elif str(policy.value).strip().upper() == "TLS_1_0":
            said = "security policy TLS_1_0" if policy.explicit else "no security policy, so the default TLS_1_0"
            yield Finding(DOMAIN_TLS.id, domain.resource, "API Gateway custom domain %s sets %s, which accepts TLS 1.0 and 1.1." % (domain.resource.address, said), policy.location)


def _unprotected(check, facts, service, what):
    for target in facts.of_kind("waf_target"):
        if target.service != service or target.associations or target.private.is_true():
            continue
        if not target.private.known:
            yield undecided(check.id, target.resource, "endpoint type" if service == "api_stage" else "visibility", target.private.value, target.private.location)
        elif target.pending:
            pending = target.pending[0]
            yield undecided(check.id, target.resource, "a WAF association's target", pending.value, pending.location)
        else:
            yield Finding(check.id, target.resource, "%s %s has no WAF web ACL associated." % (what, target.resource.address), target.resource.location)


def evaluate_stage_waf(facts):
    yield from _unprotected(STAGE_WAF, facts, "api_stage", "API Gateway stage")


def evaluate_appsync_waf(facts):
    yield from _unprotected(APPSYNC_WAF, facts, "appsync", "AppSync GraphQL API")


DOMAIN_TLS = Check(
    id="AWS-APIGW-401",
    title="API Gateway custom domain accepts TLS 1.0",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-326", "CWE-327"),
    kinds=("api_custom_domain",),
    evaluate=evaluate_domain_tls,
    what="""Finds API Gateway custom domain names for REST APIs (`aws_api_gateway_domain_name`,
`AWS::ApiGateway::DomainName`) whose security policy (`security_policy` / `SecurityPolicy`) is
`TLS_1_0`, or is left out, in which case API Gateway uses `TLS_1_0`. (Custom domains of HTTP and
WebSocket APIs, `aws_apigatewayv2_domain_name`, only offer TLS 1.2.)""",
    why="""The `TLS_1_0` policy accepts TLS 1.0 and 1.1, deprecated by RFC 8996, and their weaker
cipher suites: a client or an attacker in the path can negotiate down to them. `TLS_1_2` (or one
of the newer enhanced policies) removes them.""",
    fix_terraform="""```hcl
resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.example.com"
  regional_certificate_arn = aws_acm_certificate.api.arn
  security_policy          = "TLS_1_2"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}
```""",
    fix_cloudformation="""```yaml
ApiDomain:
  Type: AWS::ApiGateway::DomainName
  Properties:
    DomainName: api.example.com
    RegionalCertificateArn: !Ref ApiCertificate
    SecurityPolicy: TLS_1_2
    EndpointConfiguration:
      Types: [REGIONAL]
```""",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-custom-domain-tls-version.html",
    ),
    equivalents=(("checkov", "CKV_AWS_206"), ("trivy", "AVD-AWS-0005")),
)

STAGE_WAF = Check(
    id="AWS-APIGW-402",
    title="API Gateway REST API stage has no WAF web ACL",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-693",),
    kinds=("waf_target",),
    evaluate=evaluate_stage_waf,
    what="""Finds API Gateway REST API stages (`aws_api_gateway_stage`, `AWS::ApiGateway::Stage`)
that no WAF web ACL association (`aws_wafv2_web_acl_association` /
`AWS::WAFv2::WebACLAssociation`, or the WAF Classic regional ones) refers to. The association is
found through the resource graph (the "protects" relation), also when it builds the stage ARN
with `!Sub` from the stage. Stages of an API whose only endpoint type is `PRIVATE` are not
reported. An association of the same root whose target is not known before deploy may be the
stage's, so it leaves the check undecided. Stages that an `AWS::ApiGateway::Deployment` creates
implicitly (`StageName`) are not seen.""",
    why="""A REST API stage is a public entry point to the functions and services behind it. A web
ACL filters common exploits (injection, known bad inputs, bots) and rate-limits abuse before
requests reach the integrations, which matters most where the API is not behind CloudFront.""",
    fix_terraform="""```hcl
resource "aws_wafv2_web_acl_association" "api" {
  resource_arn = aws_api_gateway_stage.prod.arn
  web_acl_arn  = aws_wafv2_web_acl.api.arn
}
```""",
    fix_cloudformation="""```yaml
ApiWebAclAssociation:
  Type: AWS::WAFv2::WebACLAssociation
  Properties:
    ResourceArn: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/${ProdStage}"
    WebACLArn: !GetAtt ApiWebAcl.Arn
```""",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/apigateway-controls.html#apigateway-4",
    ),
    equivalents=(("checkov", "CKV2_AWS_29"),),
)

APPSYNC_WAF = Check(
    id="AWS-APPSYNC-401",
    title="AppSync GraphQL API has no WAF web ACL",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-693",),
    kinds=("waf_target",),
    evaluate=evaluate_appsync_waf,
    what="""Finds AppSync GraphQL APIs (`aws_appsync_graphql_api`, `AWS::AppSync::GraphQLApi`) that no
WAF web ACL association (`aws_wafv2_web_acl_association` / `AWS::WAFv2::WebACLAssociation`)
refers to, through the resource graph. APIs with `PRIVATE` visibility are not reported; an
association of the same root whose target is not known before deploy leaves the check undecided.""",
    why="""A GraphQL endpoint accepts arbitrarily deep and wide queries from the internet. A web ACL
rate-limits and filters abusive requests (query floods, injection in arguments, bots) before they
reach the resolvers and the data sources behind them.""",
    fix_terraform="""```hcl
resource "aws_wafv2_web_acl_association" "graphql" {
  resource_arn = aws_appsync_graphql_api.main.arn
  web_acl_arn  = aws_wafv2_web_acl.api.arn
}
```""",
    fix_cloudformation="""```yaml
GraphqlWebAclAssociation:
  Type: AWS::WAFv2::WebACLAssociation
  Properties:
    ResourceArn: !GetAtt GraphqlApi.Arn
    WebACLArn: !GetAtt ApiWebAcl.Arn
```""",
    references=(
        "https://docs.aws.amazon.com/appsync/latest/devguide/WAFIntegration.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/appsync-controls.html",
    ),
    equivalents=(("checkov", "CKV2_AWS_33"),),
)
