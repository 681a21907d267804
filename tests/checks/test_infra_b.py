"""Logic of the infra_b checks (issue 13) that the fixtures do not pin down alone: which load
balancer security policies are outdated, WAF associations whose target is not known, viewer
certificates and load balancer attributes that are not known."""
from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from iacguard.checks.infrastructure import api_edge, cloudfront_edge, elb_hardening
from iacguard.engine import scan
from iacguard.facts import Facts


def _run(tmp_path: Path, files: dict, check) -> list:
    for name, text in files.items():
        (tmp_path / name).write_text(dedent(text).lstrip("\n"))
    seen: dict = {}
    scan([str(tmp_path)], checks=[check], cwd=str(tmp_path), postprocess=[lambda result, graph: seen.setdefault("graph", graph)])
    items = list(check.evaluate(Facts(seen["graph"])))
    return sorted((type(i).__name__, i.resource.address) for i in items)


@pytest.mark.parametrize("name, modern", [
    ("ELBSecurityPolicy-2016-08", False),
    ("ELBSecurityPolicy-2015-05", False),
    ("ELBSecurityPolicy-TLS-1-0-2015-04", False),
    ("ELBSecurityPolicy-TLS-1-1-2017-01", False),
    ("ELBSecurityPolicy-FS-2018-06", False),
    ("ELBSecurityPolicy-FS-1-1-2019-08", False),
    ("ELBSecurityPolicy-TLS13-1-0-2021-06", False),
    ("ELBSecurityPolicy-TLS13-1-1-2021-06", False),
    ("ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04", False),
    ("ELBSecurityPolicy-TLS-1-2-2017-01", True),
    ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", True),
    ("ELBSecurityPolicy-FS-1-2-2019-08", True),
    ("ELBSecurityPolicy-FS-1-2-Res-2020-10", True),
    ("ELBSecurityPolicy-TLS13-1-2-2021-06", True),
    ("ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", True),
    ("ELBSecurityPolicy-TLS13-1-3-2021-06", True),
    ("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04", True),
])
def test_load_balancer_policies(name, modern):
    assert elb_hardening.is_modern_policy(name) is modern


def test_a_waf_association_with_an_unknown_target_leaves_stages_undecided(tmp_path):
    got = _run(tmp_path, {"main.tf": '''
        variable "protected_stage_arn" {
          type = string
        }
        resource "aws_api_gateway_stage" "prod" {
          rest_api_id   = "a1b2c3"
          deployment_id = "d4e5f6"
          stage_name    = "prod"
        }
        resource "aws_wafv2_web_acl_association" "api" {
          resource_arn = var.protected_stage_arn
          web_acl_arn  = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/api/1"
        }
        '''}, api_edge.STAGE_WAF)
    assert got == [("Undecided", "aws_api_gateway_stage.prod")]


def test_a_waf_association_naming_a_known_other_resource_does_not_protect_a_stage(tmp_path):
    got = _run(tmp_path, {"main.tf": '''
        resource "aws_api_gateway_stage" "prod" {
          rest_api_id   = "a1b2c3"
          deployment_id = "d4e5f6"
          stage_name    = "prod"
        }
        resource "aws_lb" "web" {
          name    = "web"
          subnets = ["subnet-1"]
        }
        resource "aws_wafv2_web_acl_association" "web" {
          resource_arn = aws_lb.web.arn
          web_acl_arn  = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/api/1"
        }
        '''}, api_edge.STAGE_WAF)
    assert got == [("Finding", "aws_api_gateway_stage.prod")]


def test_a_viewer_certificate_that_is_not_known_is_undecided(tmp_path):
    files = {"main.tf": '''
        variable "use_default_certificate" {
          type = bool
        }
        resource "aws_cloudfront_distribution" "site" {
          enabled = true
          default_cache_behavior {
            target_origin_id       = "site"
            viewer_protocol_policy = "https-only"
            allowed_methods        = ["GET", "HEAD"]
            cached_methods         = ["GET", "HEAD"]
          }
          viewer_certificate {
            cloudfront_default_certificate = var.use_default_certificate
          }
        }
        '''}
    assert _run(tmp_path, files, cloudfront_edge.DEFAULT_CERTIFICATE) == [("Undecided", "aws_cloudfront_distribution.site")]
    assert _run(tmp_path, files, cloudfront_edge.MINIMUM_TLS) == [("Undecided", "aws_cloudfront_distribution.site")]


def test_an_attribute_list_with_an_unknown_key_is_undecided(tmp_path):
    got = _run(tmp_path, {"template.yaml": '''
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          AttributeKey:
            Type: String
        Resources:
          Web:
            Type: AWS::ElasticLoadBalancingV2::LoadBalancer
            Properties:
              Subnets: [subnet-1, subnet-2]
              LoadBalancerAttributes:
                - Key: !Ref AttributeKey
                  Value: "true"
        '''}, elb_hardening.HEADERS)
    assert got == [("Undecided", "Web")]


def test_an_attribute_list_naming_it_after_an_unknown_key_decides(tmp_path):
    got = _run(tmp_path, {"template.yaml": '''
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          AttributeKey:
            Type: String
        Resources:
          Web:
            Type: AWS::ElasticLoadBalancingV2::LoadBalancer
            Properties:
              Subnets: [subnet-1, subnet-2]
              LoadBalancerAttributes:
                - Key: !Ref AttributeKey
                  Value: "60"
                - Key: routing.http.drop_invalid_header_fields.enabled
                  Value: "true"
        '''}, elb_hardening.HEADERS)
    assert got == []


SHIELD_LB = '''
    resource "aws_lb" "web" {
      name    = "web"
      subnets = ["subnet-1"]
    }
    '''


def test_shield_is_asked_for_only_where_the_project_declares_it(tmp_path):
    from iacguard.checks.infrastructure import shield_coverage

    assert _run(tmp_path, {"main.tf": SHIELD_LB}, shield_coverage.CHECK) == []


def test_a_shield_protection_with_an_unknown_target_leaves_entry_points_undecided(tmp_path):
    from iacguard.checks.infrastructure import shield_coverage

    got = _run(tmp_path, {"main.tf": SHIELD_LB + '''
    variable "protected_arn" {
      type = string
    }
    resource "aws_shield_protection" "somewhere" {
      name         = "somewhere"
      resource_arn = var.protected_arn
    }
    '''}, shield_coverage.CHECK)
    assert got == [("Undecided", "aws_lb.web")]
