"""The JSON report: the documented structure, field by field."""
from __future__ import annotations

import hashlib
import json

import iacguard
from iacguard.output import json_report


def test_structure(result):
    out = json_report.render(result)
    data = json.loads(out)
    assert list(data) == ["schema_version", "tool", "findings", "suppressed", "summary", "errors", "notifications", "unknowns", "undecided"]
    assert data["schema_version"] == 1
    assert data["tool"] == {"name": "iacguard", "version": iacguard.__version__}
    assert data["summary"] == {
        "by_pillar": {"identity": 0, "detection": 1, "infrastructure": 1, "data": 2, "incident": 0},
        "by_severity": {"critical": 1, "high": 2, "medium": 1, "low": 0},
        "files": 2,
        "findings": 4,
        "resources": 3,
        "unknown_values": 1,
        "undecided": 0,
        "undecided_left_out": 0,
        "suppressed": 0,
        "baseline": None,
        "outside_changes": 0,
    }
    assert data["suppressed"] == []
    error = {"file": "broken.tf", "level": "error", "line": 3, "message": "Unexpected token '}'"}
    assert data["errors"] == [error]
    assert data["notifications"] == [
        {"file": "big.json", "level": "warning", "line": None, "message": "Skipped a file larger than 5 MB"},
        error,
    ]
    assert data["unknowns"] == [
        {"file": "main.tf", "line": 12, "reason": "variable name has no value", "what": "aws_s3_bucket.logs.bucket"}
    ]


def test_findings(result):
    findings = json.loads(json_report.render(result))["findings"]
    assert [(f["check_id"], f["file"], f["start_line"]) for f in findings] == [
        ("AWS-EC2-001", "main.tf", 7),
        ("AWS-S3-001", "main.tf", 11),
        ("AWS-S3-002", "main.tf", 11),
        ("AWS-S3-001", "my stacks/store bucket.yaml", 4),
    ]
    last = findings[-1]
    fingerprint = last.pop("fingerprint")
    # The documented recipe (iacguard.output.findings.fingerprints): sha256 of check id, file
    # relative to cwd and address, 32 hex digits. Baselines depend on it staying the same.
    recipe = "\0".join(("AWS-S3-001", "my stacks/store bucket.yaml", "Bucket"))
    assert fingerprint == hashlib.sha256(recipe.encode("utf-8")).hexdigest()[:32]
    assert len({f["fingerprint"] for f in findings[:-1]} | {fingerprint}) == len(findings)  # all distinct
    assert last == {
        "check_id": "AWS-S3-001",
        "conditions": [{"name": "IsProd", "value": True}],
        "end_line": 6,
        "file": "my stacks/store bucket.yaml",
        "message": "Bucket Bucket has no default encryption (only when condition IsProd is true).",
        "pillar": "data",
        "related": [],
        "resource": {"address": "Bucket", "language": "cloudformation", "type": "AWS::S3::Bucket"},
        "severity": "high",
        "start_line": 4,
        "title": "S3 bucket has no default encryption",
    }
    assert findings[0]["conditions"] == []


def test_fingerprint_matches_sarif(result):
    from iacguard.output import sarif

    json_prints = [f["fingerprint"] for f in json.loads(json_report.render(result))["findings"]]
    sarif_prints = [r["partialFingerprints"]["iacguard/v1"] for r in json.loads(sarif.render(result))["runs"][0]["results"]]
    assert json_prints == sarif_prints


def test_deterministic_and_indented(result):
    out = json_report.render(result)
    assert out == json_report.render(result)
    assert out.startswith('{\n  "schema_version": 1,\n') and out.endswith("}\n")


def test_empty(empty_result):
    data = json.loads(json_report.render(empty_result))
    assert data["findings"] == [] and data["errors"] == [] and data["unknowns"] == []
    assert data["summary"]["findings"] == 0
    assert data["summary"]["by_severity"] == {"critical": 0, "high": 0, "medium": 0, "low": 0}
