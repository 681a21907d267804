"""Load balancer hardening (issue 13, slice infra_b):
AWS-ELB-401 application load balancer passes invalid header fields on,
AWS-ELB-402 HTTPS/TLS listener with an outdated TLS security policy,
AWS-ELB-403 load balancer without deletion protection,
AWS-ELB-404 HTTP listener that does not redirect to HTTPS."""
from __future__ import annotations

import re

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown

# Security policies that allow TLS 1.2 and later only: ELBSecurityPolicy-TLS-1-2-*,
# -TLS13-1-2-* / -TLS13-1-3-* (including FIPS, Res, Ext and PQ variants) and -FS-1-2-*. Every
# other policy (ELBSecurityPolicy-2016-08, -2015-05, -TLS-1-0-2015-04, -TLS-1-1-2017-01,
# -FS-2018-06, -FS-1-1-2019-08, -TLS13-1-0-*, -TLS13-1-1-*) still accepts TLS 1.0 or 1.1.
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
MODERN_POLICY = re.compile(r"(?:^|-)(?:TLS-1-2|TLS13-1-[23]|FS-1-2)(?:-|$)", re.I)
TLS_PROTOCOLS = ("HTTPS", "TLS")


def is_modern_policy(name: str) -> bool:
    return bool(MODERN_POLICY.search(name))


def evaluate_headers(facts):
    for lb in facts.of_kind("lb_attributes"):
        kind, drop = lb.lb_type, lb.drop_invalid_headers
        if kind.known and kind.value != "application":
            continue
        if drop.is_true():
            continue
        if not kind.known:
            yield undecided(HEADERS.id, lb.resource, "load balancer type", kind.value, kind.location)
        elif not drop.known:
            yield undecided(HEADERS.id, lb.resource, "drop invalid header fields", drop.value, drop.location)
        else:
            how = "turns dropping invalid header fields off" if drop.explicit else "does not drop invalid header fields (off unless set)"
            yield Finding(HEADERS.id, lb.resource, "Application load balancer %s %s." % (lb.resource.address, how), drop.location)


def evaluate_tls_policy(facts):
    for listener in facts.of_kind("lb_listener"):
        protocol, policy = listener.protocol, listener.ssl_policy
        if protocol.known and protocol.value not in TLS_PROTOCOLS:
            continue
        if not policy.known:
            yield undecided(TLS_POLICY.id, listener.resource, "ssl_policy", policy.value, policy.location)
            continue
        name = str(policy.value).strip()
        if is_modern_policy(name):
            continue
        if not protocol.known:
            yield undecided(TLS_POLICY.id, listener.resource, "protocol", protocol.value, protocol.location)
            continue
        said = "security policy %s" % name if policy.explicit else "no security policy, so the default %s" % name
        yield Finding(
            TLS_POLICY.id, listener.resource,
            "%s listener %s uses %s, which accepts TLS versions before 1.2." % (protocol.value, listener.resource.address, said),
            policy.location,
        )


def evaluate_deletion(facts):
    for lb in facts.of_kind("lb_attributes"):
        protection = lb.deletion_protection
        if protection.is_true():
            continue
        if not protection.known:
            yield undecided(DELETION.id, lb.resource, "deletion protection", protection.value, protection.location)
        else:
            yield Finding(DELETION.id, lb.resource, "Load balancer %s has deletion protection off." % lb.resource.address, protection.location)


def evaluate_http(facts):
    for listener in facts.of_kind("lb_listener"):
        protocol, redirect = listener.protocol, listener.redirects_to_https
        if redirect.is_true() or (protocol.known and protocol.value != "HTTP"):
            continue
        if not protocol.known:
            yield undecided(HTTP.id, listener.resource, "protocol", protocol.value, protocol.location)
        elif not redirect.known:
            yield undecided(HTTP.id, listener.resource, "default action", redirect.value, redirect.location)
        else:
            said = "" if protocol.explicit else " (HTTP, the default protocol)"
            yield Finding(HTTP.id, listener.resource, "Listener %s serves plain HTTP%s and does not redirect to HTTPS." % (listener.resource.address, said), protocol.location)


HEADERS = Check(
    id="AWS-ELB-401",
    title="Application load balancer does not drop invalid HTTP header fields",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-444",),
    kinds=("lb_attributes",),
    evaluate=evaluate_headers,
    what="""Finds application load balancers (`aws_lb` / `aws_alb` of type `application`, the
default; `AWS::ElasticLoadBalancingV2::LoadBalancer`) that do not drop invalid header fields:
`drop_invalid_header_fields` false or left out in Terraform, the
`routing.http.drop_invalid_header_fields.enabled` attribute false or absent from
`LoadBalancerAttributes` in CloudFormation. The attribute is off unless set. Network and gateway
load balancers have no such attribute and are not reported.""",
    why="""Header fields that are not valid HTTP (names with characters outside the standard set)
are passed through to the targets unless the load balancer drops them. Front end and back end
then parse the same request differently, which is the ground for HTTP request smuggling and
desync attacks and for header-based exploits of the application.""",
    fix_terraform="""```hcl
resource "aws_lb" "web" {
  name                       = "web"
  load_balancer_type         = "application"
  drop_invalid_header_fields = true
  subnets                    = var.public_subnet_ids
}
```""",
    fix_cloudformation="""```yaml
WebLoadBalancer:
  Type: AWS::ElasticLoadBalancingV2::LoadBalancer
  Properties:
    Subnets: !Ref PublicSubnetIds
    LoadBalancerAttributes:
      - Key: routing.http.drop_invalid_header_fields.enabled
        Value: "true"
```""",
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html#elb-4",
    ),
    equivalents=(("checkov", "CKV_AWS_131"), ("trivy", "AVD-AWS-0052")),
)

TLS_POLICY = Check(
    id="AWS-ELB-402",
    title="Load balancer listener uses a TLS policy that allows TLS 1.0 or 1.1",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-326", "CWE-327"),
    kinds=("lb_listener",),
    evaluate=evaluate_tls_policy,
    what="""Finds HTTPS and TLS listeners (`aws_lb_listener` / `aws_alb_listener`,
`AWS::ElasticLoadBalancingV2::Listener`) whose security policy (`ssl_policy` / `SslPolicy`)
still accepts TLS 1.0 or 1.1. A listener that names no policy gets the Elastic Load Balancing
API's default, `ELBSecurityPolicy-2016-08`, which accepts TLS 1.0, and is reported too. Policies
of the `ELBSecurityPolicy-TLS-1-2-*`, `-TLS13-1-2-*`, `-TLS13-1-3-*` and `-FS-1-2-*` families pass.
Plain HTTP, TCP and UDP listeners are not this check's concern.""",
    why="""TLS 1.0 and 1.1 are deprecated (RFC 8996): they rely on weak constructions (CBC with
MAC-then-encrypt, SHA-1) and known attacks against them exist. A load balancer that accepts them
lets a client or an attacker in the path negotiate down to them, and fails PCI DSS and most
compliance baselines.""",
    fix_terraform="""```hcl
resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate.web.arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
```""",
    fix_cloudformation="""```yaml
HttpsListener:
  Type: AWS::ElasticLoadBalancingV2::Listener
  Properties:
    LoadBalancerArn: !Ref WebLoadBalancer
    Port: 443
    Protocol: HTTPS
    SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
    Certificates:
      - CertificateArn: !Ref WebCertificate
    DefaultActions:
      - Type: forward
        TargetGroupArn: !Ref WebTargetGroup
```""",
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html",
    ),
    equivalents=(("checkov", "CKV_AWS_103"), ("trivy", "AVD-AWS-0047")),
)

DELETION = Check(
    id="AWS-ELB-403",
    title="Load balancer has deletion protection turned off",
    severity="low",
    pillar="infrastructure",
    cwe=("CWE-693",),
    kinds=("lb_attributes",),
    evaluate=evaluate_deletion,
    what="""Finds load balancers (`aws_lb` / `aws_alb`, `AWS::ElasticLoadBalancingV2::LoadBalancer`,
every type) without deletion protection: `enable_deletion_protection` false or left out, the
`deletion_protection.enabled` attribute false or absent from `LoadBalancerAttributes`. It is off
unless set.""",
    why="""A load balancer is the entry point of a service: deleting it, by a mistaken change, a
destroyed stack or a compromised principal, takes the service off the air and frees its DNS name.
Deletion protection makes a deletion a deliberate two-step act.""",
    fix_terraform="""```hcl
resource "aws_lb" "web" {
  name                       = "web"
  enable_deletion_protection = true
  subnets                    = var.public_subnet_ids
}
```""",
    fix_cloudformation="""```yaml
WebLoadBalancer:
  Type: AWS::ElasticLoadBalancingV2::LoadBalancer
  Properties:
    Subnets: !Ref PublicSubnetIds
    LoadBalancerAttributes:
      - Key: deletion_protection.enabled
        Value: "true"
```""",
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#deletion-protection",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html#elb-6",
    ),
    equivalents=(("checkov", "CKV_AWS_150"),),
)

HTTP = Check(
    id="AWS-ELB-404",
    title="Load balancer listener serves HTTP without redirecting to HTTPS",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-319",),
    kinds=("lb_listener",),
    evaluate=evaluate_http,
    what="""Finds load balancer listeners (`aws_lb_listener` / `aws_alb_listener`,
`AWS::ElasticLoadBalancingV2::Listener`) on plain HTTP (`protocol` / `Protocol` HTTP, or left out,
which is HTTP; a listener of a gateway load balancer of the scan takes no protocol and is not
reported) whose default action is not a redirect to HTTPS. Listener rules that forward some
paths over HTTP in front of a redirecting default action are not read.""",
    why="""Over plain HTTP, requests, cookies and session tokens travel in clear text between the
client and the load balancer: anyone on the path reads and changes them. A listener on port 80
should only redirect to HTTPS (HTTP 301), so old links keep working and nothing is served
unencrypted.""",
    fix_terraform="""```hcl
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
```""",
    fix_cloudformation="""```yaml
HttpListener:
  Type: AWS::ElasticLoadBalancingV2::Listener
  Properties:
    LoadBalancerArn: !Ref WebLoadBalancer
    Port: 80
    Protocol: HTTP
    DefaultActions:
      - Type: redirect
        RedirectConfig:
          Protocol: HTTPS
          Port: "443"
          StatusCode: HTTP_301
```""",
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#redirect-actions",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html#elb-1",
    ),
    equivalents=(("checkov", "CKV_AWS_2"), ("checkov", "CKV2_AWS_20"), ("trivy", "AVD-AWS-0054")),
)
