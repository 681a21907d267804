"""AWS-CLOUDFRONT-201: CloudFront distribution without standard access logging."""
from __future__ import annotations

from iacguard.check import Check
from .logging_common import require


def evaluate(facts):
    yield from require(CHECK.id, facts.of_kind("cloudfront_logging"), "log_bucket", "access log bucket",
                       "CloudFront distribution %s writes no access logs (no logging bucket).")


CHECK = Check(
    id="AWS-CLOUDFRONT-201",
    title="CloudFront distribution has no access logging",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("cloudfront_logging",),
    evaluate=evaluate,
    what="""Finds CloudFront distributions (`aws_cloudfront_distribution`,
`AWS::CloudFront::Distribution`) without standard logging: no `logging_config` block /
`DistributionConfig.Logging` naming a bucket. A bucket that is not known before deploy leaves the
check undecided; a `dynamic "logging_config"` block counts when it produces a block.""",
    why="""A distribution is often the public front door of an application. Its access logs record
every viewer request (client address, path, status, edge location): without them scans, abuse
of an origin and data pulled through the CDN cannot be traced after the fact.""",
    fix_terraform="""```hcl
resource "aws_cloudfront_distribution" "site" {
  # ... origins, cache behaviours, certificate ...
  logging_config {
    bucket          = aws_s3_bucket.cdn_logs.bucket_domain_name
    prefix          = "site/"
    include_cookies = false
  }
}
```""",
    fix_cloudformation="""```yaml
SiteDistribution:
  Type: AWS::CloudFront::Distribution
  Properties:
    DistributionConfig:
      Enabled: true
      Logging:
        Bucket: !GetAtt CdnLogs.DomainName
        Prefix: site/
        IncludeCookies: false
```""",
    references=("https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/AccessLogs.html",),
    equivalents=(("checkov", "CKV_AWS_86"), ("trivy", "AVD-AWS-0010"), ("cfn_nag", "W10")),
)
