"""Edge relations: WAF association (or web ACL) -> the resource it protects ("protects"),
CloudFront distribution -> its origins ("origin_of")."""
from __future__ import annotations

import re

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


_ASSOCIATIONS = (("aws_wafv2_web_acl_association", "resource_arn"), ("aws_wafregional_web_acl_association", "resource_arn"),
                 ("AWS::WAFv2::WebACLAssociation", "ResourceArn"), ("AWS::WAFRegional::WebACLAssociation", "ResourceArn"))
_REST_APIS = ("aws_api_gateway_rest_api", "AWS::ApiGateway::RestApi", "AWS::Serverless::Api")
_STAGES = (("aws_api_gateway_stage", "rest_api_id", "stage_name"), ("AWS::ApiGateway::Stage", "RestApiId", "StageName"))
_STAGE_TAIL = re.compile(r"/stages/([A-Za-z0-9_-]+)$")


def _stage_named(graph) -> None:
    """An association whose resource ARN is written as text naming an API of the scan and a stage
    by name (`!Sub "arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/dev"`, the region
    or account not known offline) protects that API's stage of that name."""
    stages: dict | None = None
    for type_, key in _ASSOCIATIONS:
        for assoc in graph.of_type(type_):
            if graph.related(assoc, "protects"):
                continue
            raw = assoc.get(key)
            pieces = getattr(raw, "partial_text", None) or ((raw,) if isinstance(raw, str) else ())
            last = pieces[-1] if pieces else None
            match = _STAGE_TAIL.search(last) if isinstance(last, str) else None
            if match is None:
                continue
            apis = graph.referenced_at(assoc, ((key,),), _REST_APIS)
            if not apis:
                continue
            if stages is None:
                stages = {}
                for stage_type, api_key, name_key in _STAGES:
                    for stage in graph.of_type(stage_type):
                        name = stage.get(name_key)
                        if isinstance(name, str):
                            for api in graph.referenced_at(stage, ((api_key,),), _REST_APIS):
                                stages.setdefault((api.id, name), []).append(stage)
            for api in apis:
                for stage in stages.get((api.id, match.group(1)), ()):
                    graph.add_relation(assoc, stage, "protects")


def build(graph) -> None:
    draw(graph, ROWS)
    _stage_named(graph)
