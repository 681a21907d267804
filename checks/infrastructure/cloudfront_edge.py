"""CloudFront distributions at the edge (issue 13, slice infra_b):
AWS-CLOUDFRONT-401 a cache behavior lets viewers use plain HTTP,
AWS-CLOUDFRONT-402 a custom certificate with a minimum protocol version before TLSv1.2_2021,
AWS-CLOUDFRONT-403 the default *.cloudfront.net certificate (TLS 1.0 accepted),
AWS-CLOUDFRONT-404 no WAF web ACL."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding

# Security policies of CloudFront that accept TLS 1.2 and later only with strong ciphers
# (TLSv1.2_2018 and TLSv1.2_2019 still allow CBC ciphers with SHA-1).
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html
MODERN_VERSIONS = ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")


def evaluate_viewer_protocol(facts):
    for dist in facts.of_kind("cdn_distribution"):
        open_ = [(label, attr) for label, attr in dist.viewer_policies if attr.known and attr.value == "allow-all"]
        if open_:
            label, attr = open_[0]
            names = ", ".join(l for l, _ in open_)
            yield Finding(
                VIEWER.id, dist.resource,
                "CloudFront distribution %s lets viewers use plain HTTP (viewer protocol policy allow-all on %s)." % (dist.resource.address, names),
                attr.location,
            )
            continue
        unknown = next((attr for _, attr in dist.viewer_policies if not attr.known), None)
        if unknown is not None:
            yield undecided(VIEWER.id, dist.resource, "viewer protocol policy", unknown.value, unknown.location)


def evaluate_minimum_tls(facts):
    for dist in facts.of_kind("cdn_distribution"):
        default, minimum = dist.default_certificate, dist.minimum_protocol_version
        if default.is_true():
            continue  # AWS-CLOUDFRONT-403's concern
        if not default.known:
            yield undecided(MINIMUM_TLS.id, dist.resource, "viewer certificate", default.value, default.location)
        elif not minimum.known:
            yield undecided(MINIMUM_TLS.id, dist.resource, "minimum protocol version", minimum.value, minimum.location)
        elif str(minimum.value) not in MODERN_VERSIONS:
            said = "minimum protocol version %s" % minimum.value if minimum.explicit else "no minimum protocol version, so the default %s" % minimum.value
            yield Finding(
                MINIMUM_TLS.id, dist.resource,
                "CloudFront distribution %s sets %s (older than TLSv1.2_2021)." % (dist.resource.address, said),
                minimum.location,
            )


def evaluate_default_certificate(facts):
    for dist in facts.of_kind("cdn_distribution"):
        default = dist.default_certificate
        if default.is_true():
            yield Finding(
                DEFAULT_CERTIFICATE.id, dist.resource,
                "CloudFront distribution %s serves the default *.cloudfront.net certificate, which accepts TLS 1.0." % dist.resource.address,
                default.location,
            )
        elif not default.known:
            yield undecided(DEFAULT_CERTIFICATE.id, dist.resource, "viewer certificate", default.value, default.location)


def evaluate_waf(facts):
    for dist in facts.of_kind("cdn_distribution"):
        acl = dist.web_acl
        if acl.is_true():
            continue
        if not acl.known:
            yield undecided(WAF.id, dist.resource, "web ACL", acl.value, acl.location)
        else:
            yield Finding(WAF.id, dist.resource, "CloudFront distribution %s has no WAF web ACL." % dist.resource.address, acl.location)


_REFS = ("https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html",)

VIEWER = Check(
    id="AWS-CLOUDFRONT-401",
    title="CloudFront distribution lets viewers use plain HTTP",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-319",),
    kinds=("cdn_distribution",),
    evaluate=evaluate_viewer_protocol,
    what="""Finds CloudFront distributions (`aws_cloudfront_distribution`,
`AWS::CloudFront::Distribution`) with a cache behavior, the default one or an ordered one
(`ordered_cache_behavior` / `CacheBehaviors`), whose viewer protocol policy is `allow-all`:
requests over HTTP are served as they come. `redirect-to-https` and `https-only` pass. The finding
names every behavior concerned.""",
    why="""Over plain HTTP, content, cookies and tokens travel in clear text between the viewer and
the edge: anyone on the path reads them and can change the response (inject scripts, swap
downloads). Redirecting to HTTPS costs nothing and keeps old links working.""",
    fix_terraform="""```hcl
resource "aws_cloudfront_distribution" "site" {
  # ...
  default_cache_behavior {
    target_origin_id       = "site"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = data.aws_cloudfront_cache_policy.optimized.id
  }
}
```""",
    fix_cloudformation="""```yaml
SiteDistribution:
  Type: AWS::CloudFront::Distribution
  Properties:
    DistributionConfig:
      Enabled: true
      DefaultCacheBehavior:
        TargetOriginId: site
        ViewerProtocolPolicy: redirect-to-https
        CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
```""",
    references=_REFS + ("https://docs.aws.amazon.com/securityhub/latest/userguide/cloudfront-controls.html#cloudfront-3",),
    equivalents=(("checkov", "CKV_AWS_34"), ("trivy", "AVD-AWS-0012")),
)

MINIMUM_TLS = Check(
    id="AWS-CLOUDFRONT-402",
    title="CloudFront distribution accepts TLS versions or ciphers older than TLSv1.2_2021",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-326", "CWE-327"),
    kinds=("cdn_distribution",),
    evaluate=evaluate_minimum_tls,
    what="""Finds CloudFront distributions with a certificate of their own (ACM or IAM) whose
viewer certificate names a minimum protocol version older than `TLSv1.2_2021`
(`minimum_protocol_version` / `MinimumProtocolVersion`: `SSLv3`, `TLSv1`, `TLSv1_2016`,
`TLSv1.1_2016`, `TLSv1.2_2018`, `TLSv1.2_2019`), or none, in which case CloudFront uses `TLSv1`.
Distributions on the default `*.cloudfront.net` certificate are AWS-CLOUDFRONT-403's concern.""",
    why="""The minimum protocol version is the security policy between viewers and the edge: older
policies accept TLS 1.0 and 1.1 (deprecated by RFC 8996) or TLS 1.2 ciphers without forward
secrecy or with SHA-1, which a client or an attacker in the path can negotiate down to.""",
    fix_terraform="""```hcl
resource "aws_cloudfront_distribution" "site" {
  # ...
  viewer_certificate {
    acm_certificate_arn      = aws_acm_certificate.site.arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }
}
```""",
    fix_cloudformation="""```yaml
ViewerCertificate:
  AcmCertificateArn: !Ref SiteCertificate
  SslSupportMethod: sni-only
  MinimumProtocolVersion: TLSv1.2_2021
```""",
    references=(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html",
        "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html",
    ),
    equivalents=(("checkov", "CKV_AWS_174"), ("trivy", "AVD-AWS-0013"), ("cfn_nag", "W70")),
)

DEFAULT_CERTIFICATE = Check(
    id="AWS-CLOUDFRONT-403",
    title="CloudFront distribution uses the default *.cloudfront.net certificate",
    severity="low",
    pillar="infrastructure",
    cwe=("CWE-326",),
    kinds=("cdn_distribution",),
    evaluate=evaluate_default_certificate,
    what="""Finds CloudFront distributions served with the default `*.cloudfront.net` certificate:
`cloudfront_default_certificate = true` in Terraform; `CloudFrontDefaultCertificate: true`, or no
`ViewerCertificate` at all, in CloudFormation.""",
    why="""With the default certificate CloudFront fixes the minimum protocol version at TLSv1:
viewers may connect with TLS 1.0 and 1.1, and the minimum cannot be raised. The distribution is
also reachable only under a CloudFront name, not a domain the owner controls. A certificate of
your own (free in ACM) lets you set `TLSv1.2_2021`.""",
    fix_terraform="""```hcl
resource "aws_cloudfront_distribution" "site" {
  # ...
  aliases = ["www.example.com"]

  viewer_certificate {
    acm_certificate_arn      = aws_acm_certificate.site.arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }
}
```""",
    fix_cloudformation="""```yaml
DistributionConfig:
  Aliases:
    - www.example.com
  ViewerCertificate:
    AcmCertificateArn: !Ref SiteCertificate
    SslSupportMethod: sni-only
    MinimumProtocolVersion: TLSv1.2_2021
```""",
    references=(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-procedures.html",
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html",
    ),
    equivalents=(("checkov", "CKV2_AWS_42"),),
)

WAF = Check(
    id="AWS-CLOUDFRONT-404",
    title="CloudFront distribution has no WAF web ACL",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-693",),
    kinds=("cdn_distribution",),
    evaluate=evaluate_waf,
    what="""Finds CloudFront distributions that name no web ACL (`web_acl_id` /
`DistributionConfig.WebACLId`). A web ACL of the scan named through an expression counts, as does
any non-empty id or ARN; a value not known before deploy leaves the check undecided.""",
    why="""A distribution is a public entry point. A WAF web ACL at the edge filters common
exploits (injection, known bad inputs, bots) and rate-limits abuse before requests reach the
origin, and is where an emergency block rule goes when one is needed.""",
    fix_terraform="""```hcl
resource "aws_cloudfront_distribution" "site" {
  # ...
  web_acl_id = aws_wafv2_web_acl.edge.arn # a web ACL with scope CLOUDFRONT
}
```""",
    fix_cloudformation="""```yaml
DistributionConfig:
  WebACLId: !GetAtt EdgeWebAcl.Arn # a web ACL with Scope CLOUDFRONT
```""",
    references=(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-awswaf.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudfront-controls.html#cloudfront-6",
    ),
    equivalents=(("checkov", "CKV_AWS_68"), ("trivy", "AVD-AWS-0011")),
)
