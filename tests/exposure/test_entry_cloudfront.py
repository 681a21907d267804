"""Entry kind "cloudfront" for AWS-PATH-001 (issue 14, "Done when"): fixture networks in
Terraform and CloudFormation (YAML and JSON) under fixtures/entries/cloudfront/.

- vulnerable: a distribution with an S3 origin (origin access control) and a load balancer origin
  in front of an instance whose role may do anything with the uploads bucket; no web ACL, the
  default behavior allows plain HTTP. Three findings: CloudFront -> site bucket (origin),
  CloudFront -> load balancer -> ... -> uploads, and the internet-facing load balancer's own path.
- defended: the same network with a web ACL and HTTPS on the distribution, a WAF on the load
  balancer, a one-bucket read grant: the paths exist, no finding, no undecided record.
- traps: the defended network plus (1) a disabled distribution, (2) a bucket no role of a
  reachable compute is granted, (3) an unused SSH-open security group, (4) an internal load
  balancer, (5) an instance with a public IP in a NAT-only subnet, (6) one in a subnet with no
  route to the internet gateway; and a distribution enabled by a variable / parameter without a
  value: an undecided record, never a finding.

Expected hops are literal: (address, file basename, line) per hop, in order.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from iacguard.checks.infrastructure.attack_paths import CHECK
from entry_harness import facts_of as _facts, missing_by_path, rows_of as _rows, scan_path as _scan

pytestmark = pytest.mark.catalogue("all")

HERE = Path(__file__).parent / "fixtures" / "entries" / "cloudfront"
TF = HERE / "terraform"
CFN = HERE / "cloudformation"






def _layers(target: Path) -> dict:
    return missing_by_path(_facts(target))


# --- Terraform ------------------------------------------------------------------------------

def test_terraform_vulnerable():
    e = "edge.tf"
    app = (("aws_lb_listener.https", e, 63), ("aws_lb_target_group.app", e, 74), ("aws_instance.app", e, 85),
           ("aws_iam_role.app", e, 97), ("aws_iam_role_policy.uploads", e, 105), ("aws_s3_bucket.uploads", e, 113))
    assert _rows(TF / "vulnerable") == {
        ("aws_cloudfront_distribution.cdn", 11, "medium",
         (("aws_cloudfront_distribution.cdn", e, 11), ("aws_s3_bucket.site", e, 51)), ("waf", "tls")),
        ("aws_cloudfront_distribution.cdn", 11, "critical",
         (("aws_cloudfront_distribution.cdn", e, 11), ("aws_lb.web", e, 55)) + app, ("waf", "tls", "least-privilege")),
        ("aws_lb.web", 55, "high", (("aws_lb.web", e, 55),) + app, ("waf", "least-privilege")),
    }
    assert _scan(TF / "vulnerable").undecided == []


def test_terraform_defended_paths_exist_without_findings():
    result = _scan(TF / "defended")
    assert result.findings == [] and [u for u in result.undecided if u.check_id == CHECK.id] == []
    paths = {p.addresses: p for p in _facts(TF / "defended").of_kind("attack_path")}
    assert set(paths) == {
        ("aws_cloudfront_distribution.cdn", "aws_s3_bucket.site"),
        ("aws_cloudfront_distribution.cdn", "aws_lb.web", "aws_lb_listener.https", "aws_lb_target_group.app", "aws_instance.app",
         "aws_iam_role.app", "aws_iam_role_policy.uploads", "aws_s3_bucket.uploads"),
        ("aws_lb.web", "aws_lb_listener.https", "aws_lb_target_group.app", "aws_instance.app", "aws_iam_role.app",
         "aws_iam_role_policy.uploads", "aws_s3_bucket.uploads"),
    }
    # The load balancer's group admits CloudFront's origin-facing prefix list only, named by id
    # (not a resource of the scan): whether the internet reaches it directly is undecided.
    own = next(p for p in paths.values() if p.addresses[0] == "aws_lb.web")
    assert "prefix list pl-4fa04526" in own.decided.reason
    assert all(p.decided is True for p in paths.values() if p is not own)
    assert set(_layers(TF / "defended").values()) == {()}


# Trap resources, by trap: (1) disabled distribution, (2) a bucket no reachable role is granted,
# (3) unused open SG, (4) internal load balancer, (5) NAT-only subnet, (6) no IGW route.
TF_TRAPS = {
    "disabled distribution": ("aws_cloudfront_distribution.disabled", "aws_s3_bucket.archive"),
    "a role that can read a different bucket": ("aws_s3_bucket.reports",),
    "unused open security group": ("aws_security_group.unused",),
    "internal load balancer": ("aws_lb.internal", "aws_lb_listener.internal", "aws_lb_target_group.batch"),
    "NAT-only subnet": ("aws_instance.batch", "aws_iam_role.batch"),
    "no route to the internet gateway": ("aws_instance.isolated", "aws_subnet.isolated"),
}


def test_terraform_traps():
    target = TF / "traps"
    result = _scan(target)
    assert result.findings == []  # the rest of the network is the defended twin
    facts = _facts(target)
    on_paths = {a for p in facts.of_kind("attack_path") for a in p.addresses}
    entries = {e.resource.address for e in facts.of_kind("entry_point")}
    for trap, resources in TF_TRAPS.items():
        assert not set(resources) & on_paths, trap
        assert not set(resources) & entries, trap
    assert entries == {"aws_cloudfront_distribution.cdn", "aws_lb.web", "aws_cloudfront_distribution.preview"}
    # the variable without a value: an undecided record at the distribution, not a finding
    [u] = [u for u in result.undecided if u.check_id == CHECK.id]
    assert (u.resource.address, u.what, u.reason, os.path.basename(u.location.path), u.location.start_line) == (
        "aws_cloudfront_distribution.preview", "the path to S3 bucket aws_s3_bucket.preview",
        "variable preview_enabled has no value", "traps.tf", 155)


# --- CloudFormation (YAML and JSON: the same network, lines per file) -------------------------

def _app(name: str, lines: tuple) -> tuple:
    return tuple((a, name, line) for a, line in zip(("Https", "AppTargets", "App", "AppRole", "UploadsPolicy", "Uploads"), lines))


CFN_VULNERABLE = {
    "vulnerable.yaml": (109, 138, 142, (150, 161, 169, 181, 191, 202)),
    "vulnerable.json": (196, 265, 271, (292, 315, 332, 360, 378, 401)),
}


@pytest.mark.parametrize("name", sorted(CFN_VULNERABLE))
def test_cloudformation_vulnerable(name):
    cdn, site, web, rest = CFN_VULNERABLE[name]
    app = _app(name, rest)
    assert _rows(CFN / name) == {
        ("Cdn", cdn, "medium", (("Cdn", name, cdn), ("Site", name, site)), ("waf", "tls")),
        ("Cdn", cdn, "critical", (("Cdn", name, cdn), ("Web", name, web)) + app, ("waf", "tls", "least-privilege")),
        ("Web", web, "high", (("Web", name, web),) + app, ("waf", "least-privilege")),
    }


@pytest.mark.parametrize("name", ["defended.yaml", "defended.json"])
def test_cloudformation_defended(name):
    result = _scan(CFN / name)
    assert result.findings == [] and [u for u in result.undecided if u.check_id == CHECK.id] == []
    paths = {p.addresses for p in _facts(CFN / name).of_kind("attack_path")}
    assert paths == {("Cdn", "Site"), ("Cdn", "Web", "Https", "AppTargets", "App", "AppRole", "UploadsPolicy", "Uploads"),
                     ("Web", "Https", "AppTargets", "App", "AppRole", "UploadsPolicy", "Uploads")}
    assert set(_layers(CFN / name).values()) == {()}


CFN_TRAPS = {
    "disabled distribution": ("Disabled", "Archive"),
    "a role that can read a different bucket": ("Reports",),
    "unused open security group": ("UnusedGroup",),
    "internal load balancer": ("Internal", "InternalHttp", "BatchTargets"),
    "NAT-only subnet": ("Batch", "BatchRole"),
    "no route to the internet gateway": ("IsolatedHost", "Isolated"),
}


@pytest.mark.parametrize("name, undecided_line", [("traps.yaml", 387), ("traps.json", 731)])
def test_cloudformation_traps(name, undecided_line):
    result = _scan(CFN / name)
    assert result.findings == []
    facts = _facts(CFN / name)
    on_paths = {a for p in facts.of_kind("attack_path") for a in p.addresses}
    entries = {e.resource.address for e in facts.of_kind("entry_point")}
    for trap, resources in CFN_TRAPS.items():
        assert not set(resources) & on_paths, trap
        assert not set(resources) & entries, trap
    assert entries == {"Cdn", "Web", "Preview"}
    [u] = [u for u in result.undecided if u.check_id == CHECK.id]
    assert (u.resource.address, u.what, u.reason, u.location.start_line) == (
        "Preview", "the path to S3 bucket PreviewBucket", "parameter PreviewEnabled has no value", undecided_line)
