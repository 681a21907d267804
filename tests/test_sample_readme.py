
"""sample_iac/README.md lists, in its "Expected findings" table, every finding the scanner reports
on the bundled example, and nothing else: the hardened parts have none, the intended ones are all
there. A new check that fires on the sample fails here until the finding is reviewed (and either
the sample is hardened or the table says why it is intended)."""
from __future__ import annotations

import pytest

import os
import re
from pathlib import Path


pytestmark = pytest.mark.catalogue("all")  # the catalogue's own tests run every check
from iacguard.engine import scan

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_iac"
ROW = re.compile(r"^\| (AWS-[A-Z0-9]+-\d{3}) \| ([^|]+?) \| (\d+) \| ([^|]+?) \|")


def table() -> list:
    text = (SAMPLE / "README.md").read_text()
    section = text.split("## Expected findings", 1)[1]
    return sorted((m.group(1), m.group(2), int(m.group(3)), m.group(4).strip("` ")) for m in map(ROW.match, section.splitlines()) if m)


def found() -> list:
    result = scan([str(SAMPLE)], cwd=str(REPO))
    return sorted((f.check_id, os.path.relpath(f.location.path, SAMPLE).replace(os.sep, "/"), f.location.start_line, f.resource.address) for f in result.findings)


def test_readme_lists_exactly_the_findings():
    expected, got = table(), found()
    assert len(expected) > 20
    missing = sorted(set(got) - set(expected))
    stale = sorted(set(expected) - set(got))
    assert not missing, "findings on sample_iac that its README does not list (review them): %s" % missing
    assert not stale, "README rows the scan no longer reports: %s" % stale
    assert len(expected) == len(got)


def test_hardened_resources_have_no_finding():
    """Resources the sources call hardened (and the whole security baseline file) are clean."""
    hardened = {"aws_lb.web", "aws_wafv2_web_acl.web", "aws_db_instance.app", "aws_s3_bucket.assets", "aws_vpc.main",
                "aws_subnet.public_a", "aws_subnet.public_b", "aws_guardduty_detector.main", "aws_sns_topic.security_findings",
                "aws_config_configuration_recorder.main", "(root module)",
                "WebLoadBalancer", "WebACL", "AssetsBucket", "Vpc", "PublicSubnetA", "PublicSubnetB", "AppRole"}
    # An attack path's finding sits on its entry point but is about the layer its path lacks
    # elsewhere (aws_lb.web's path to the unencrypted reporting cluster lacks encryption at rest).
    assert not [f for f in found() if f[3] in hardened and f[0] != "AWS-PATH-001"]
