"""Edge relations: WAF association (or web ACL) -> the resource it protects ("protects"),
CloudFront distribution -> its origins ("origin_of")."""
from __future__ import annotations

from .common import Link, draw, paths

PROTECTABLE = (
    "aws_lb", "aws_alb", "aws_api_gateway_stage", "aws_appsync_graphql_api", "aws_cognito_user_pool",
    "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ApiGateway::Stage", "AWS::AppSync::GraphQLApi", "AWS::Cognito::UserPool",
)
WEB_ACL = ("aws_wafv2_web_acl", "aws_waf_web_acl", "AWS::WAFv2::WebACL", "AWS::WAF::WebACL")
DISTRIBUTION = ("aws_cloudfront_distribution", "AWS::CloudFront::Distribution")
ORIGINS = ("aws_s3_bucket", "aws_lb", "aws_alb", "AWS::S3::Bucket", "AWS::ElasticLoadBalancingV2::LoadBalancer")

ROWS = (
    Link("protects", ("aws_wafv2_web_acl_association", "aws_wafregional_web_acl_association"), paths("resource_arn"), PROTECTABLE),
    Link("protects", ("AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation"), paths("ResourceArn"), PROTECTABLE),
    # A distribution names its web ACL itself: the web ACL protects it.
    Link("protects", ("aws_cloudfront_distribution",), paths("web_acl_id"), WEB_ACL, reverse=True),
    Link("protects", ("AWS::CloudFront::Distribution",), paths("DistributionConfig.WebACLId"), WEB_ACL, reverse=True),
    Link("origin_of", ("aws_cloudfront_distribution",), paths("origin.domain_name"), ORIGINS),
    Link("origin_of", ("AWS::CloudFront::Distribution",), paths("DistributionConfig.Origins.DomainName"), ORIGINS),
)


def build(graph) -> None:
    draw(graph, ROWS)
