"""The attack-path check AWS-PATH-001 (issue 14) through the scan and the CLI: one finding per path
lacking a layer, at the entry point, its hops as the finding's path, graded severity (a configured
severity overrides the grades), SARIF code flows and result levels, undecided records for paths
that values leave open, and no finding for a fully layered path."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.checks.infrastructure.attack_paths import CHECK, grade
from iacguard.cli import main
from iacguard.core.model import ScanOptions
from iacguard.engine import scan
from iacguard.output import render

pytestmark = pytest.mark.catalogue("all")

FIXTURES = Path(__file__).parent.parent / "fixtures" / "checks" / "AWS-PATH-001"
PATHS = Path(__file__).parent / "fixtures" / "paths"


def _scan(folder: Path):
    return scan([str(folder)], ScanOptions(), cwd=str(folder), checks=[CHECK])


def _rows(result) -> list:
    return sorted((f.resource.address, f.location.start_line, f.severity, tuple(s.resource.address for s in f.path),
                   tuple(s.location.start_line for s in f.path)) for f in result.findings)


def test_terraform_paths_severities_and_hops():
    result = _scan(FIXTURES / "terraform")
    rows = _rows(result)
    assert ("aws_lb.web", 52, "low",
            ("aws_lb.web", "aws_lb_listener.https", "aws_lb_target_group.app", "aws_instance.app", "aws_iam_role.app",
             "aws_iam_role_policy.read", "aws_s3_bucket.media"),
            (52, 59, 69, 80, 93, 101, 109)) in rows
    assert ("aws_db_instance.public", 213, "high", ("aws_db_instance.public",), (213,)) in rows
    by_asset = {r[3][-1]: r for r in rows}
    assert by_asset["aws_db_instance.orders"][2] == "high"  # a database, two layers missing
    assert by_asset["aws_opensearch_domain.search"][2] == "medium"  # a store, one layer (waf) missing
    assert by_asset["aws_s3_bucket.site"][2] == "low"  # a CloudFront origin without a WAF
    assert by_asset["aws_dynamodb_table.orders"][3][0] in ("aws_lambda_function_url.api", "aws_api_gateway_stage.rest")
    # the defended twins give no finding: a WAF, HTTPS only, a private instance, a one-bucket grant
    entries = {r[0] for r in rows}
    assert "aws_lb.guarded" not in entries and "aws_apigatewayv2_stage.http" not in entries
    assert "aws_lb.internal" not in entries  # an internal load balancer is no entry point
    assert not any("aws_s3_bucket.other" in r[3] or "aws_s3_bucket.vault" in r[3] for r in rows)
    messages = {f.path[-1].resource.address: f.message for f in result.findings}
    assert messages["aws_db_instance.orders"] == (
        "Internet path from aws_lb.web to database aws_db_instance.orders (network) lacks 2 layers: waf (no WAFv2 web ACL "
        "is associated with aws_lb.web); encryption-at-rest (aws_db_instance.orders is not encrypted at rest (the default)).")
    assert messages["aws_db_instance.public"].startswith("Internet path to database aws_db_instance.public, reachable from the internet itself, lacks 2 layers: network-segmentation")
    # each missing layer is marked on the step it belongs to
    by_asset = {f.path[-1].resource.address: f for f in result.findings}
    orders = by_asset["aws_db_instance.orders"].path
    assert [(s.resource.address, s.missing) for s in orders if s.missing] == [
        ("aws_lb.web", ("waf",)), ("aws_db_instance.orders", ("encryption-at-rest",))]
    rest = next(f for f in result.findings if f.resource.address == "aws_api_gateway_stage.rest")
    assert "waf" in rest.message and "authentication (" in rest.message and rest.severity == "high"


def test_cloudformation_paths():
    rows = _rows(_scan(FIXTURES / "cloudformation"))
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("FnUrl", 153, "medium", ("FnUrl", "Fn", "FnRole", "OrdersTable")),
        ("Web", 62, "high", ("Web", "Https", "AppTargets", "App", "DbFromApp", "Orders")),
        ("Web", 62, "low", ("Web", "Https", "AppTargets", "App", "AppRole", "ReadMedia", "Media")),
    ]


@pytest.mark.parametrize("sensitive, count, severity", [
    (True, 1, "medium"), (True, 2, "high"), (True, 3, "critical"), (True, 5, "critical"),
    (False, 1, "low"), (False, 2, "medium"), (False, 3, "high"),
])
def test_grades(sensitive, count, severity):
    from iacguard.core.model import Location, Resource

    loc = Location("m.tf", 1, 2)
    asset = Resource("a", "x", "aws_db_instance" if sensitive else "aws_s3_bucket", "terraform", {}, loc)
    assert grade(asset, "read", count) == severity
    if not sensitive:  # write access makes any store sensitive
        assert grade(asset, "read/write", count) == grade(Resource("b", "y", "aws_db_instance", "terraform", {}, loc), "read", count)


def test_undecided_paths_are_records_not_findings():
    result = _scan(PATHS / "terraform" / "unknown")
    assert result.findings == []
    assert result.undecided and all(u.check_id == "AWS-PATH-001" for u in result.undecided)
    assert all(u.what.startswith("the path to ") or u.what.startswith("layer ") for u in result.undecided)


def test_sarif_code_flows_levels_and_graded_severity(tmp_path):
    result = _scan(FIXTURES / "terraform")
    sarif = json.loads(render("sarif", result))
    run = sarif["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "AWS-PATH-001")
    assert rule["properties"]["security-severity"] and rule["defaultConfiguration"]["level"] == "error"
    for res in run["results"]:
        flow = res["codeFlows"][0]["threadFlows"][0]["locations"]
        assert len(flow) >= 1 and res["properties"]["severity"] in ("low", "medium", "high", "critical")
        assert res["level"] == {"critical": "error", "high": "error", "medium": "warning", "low": "note"}[res["properties"]["severity"]]
        first = flow[0]["location"]["physicalLocation"]["region"]["startLine"]
        assert first == res["locations"][0]["physicalLocation"]["region"]["startLine"]  # the entry point first
    import sys

    sys.path.insert(0, str(Path(__file__).parent.parent / "output"))
    from test_output_sarif import SCHEMA, load_json, schema_errors, schema_validator

    assert schema_errors(schema_validator(load_json(SCHEMA)), sarif) == []


def _cli(args: list) -> tuple:
    res = CliRunner().invoke(main, args)
    return res.exit_code, res.output


def test_cli_severity_override_and_fail_on():
    folder = str(FIXTURES / "terraform")
    code, out = _cli(["scan", folder, "--check", "AWS-PATH-001", "--format", "json", "--fail-on", "critical", "--no-cache"])
    data = json.loads(out)
    assert code == 0  # the worst path is high
    assert {f["severity"] for f in data["findings"]} == {"low", "medium", "high"}
    assert data["summary"]["by_severity"]["high"] == 4  # two databases, a cache, the REST stage
    code, _ = _cli(["scan", folder, "--check", "AWS-PATH-001", "--format", "json", "--fail-on", "high", "--no-cache"])
    assert code == 1
    code, out = _cli(["scan", folder, "--check", "AWS-PATH-001", "--format", "json", "--severity", "AWS-PATH-001=low",
                      "--fail-on", "medium", "--no-cache"])
    assert code == 0 and {f["severity"] for f in json.loads(out)["findings"]} == {"low"}


def test_the_scan_keeps_every_entry_point_and_the_html_report_lists_them(tmp_path):
    """Entry points without a reported path (the defended twins) are listed too, with the number
    of paths reported from each; a warm whole-scan cache gives the same list."""
    import shutil

    from iacguard.output import render

    root = tmp_path / "tf"
    shutil.copytree(FIXTURES / "terraform", root)
    cold = scan([str(root)], ScanOptions(), cwd=str(root), checks=[CHECK], cache_dir=str(tmp_path / "cache"))
    warm = scan([str(root)], ScanOptions(), cwd=str(root), checks=[CHECK], cache_dir=str(tmp_path / "cache"))
    entries = [(s.resource.address, s.location.start_line) for s in cold.entry_points]
    assert ("aws_lb.guarded", 227) in entries and ("aws_lb.web", 52) in entries and ("aws_db_instance.public", 213) in entries
    assert [(s.resource.address, s.message) for s in warm.entry_points] == [(s.resource.address, s.message) for s in cold.entry_points]
    assert all("from the internet" in s.message for s in cold.entry_points)
    page = render("html", cold)
    assert 'data-address="aws_lb.guarded" data-paths="0"' in page and 'data-address="aws_lb.web" data-paths="4"' in page
    # no path check, no entry points
    from iacguard.checks import REGISTRY

    other = next(c for c in REGISTRY if c.id == "AWS-ELB-001")
    assert scan([str(root)], ScanOptions(), cwd=str(root), checks=[other]).entry_points == []
