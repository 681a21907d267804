"""The SARIF report: schema-valid, accepted by our GitHub code scanning checks, stable fingerprints."""
from __future__ import annotations

import dataclasses
import importlib.util
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

import iacguard
from iacguard.core.model import Notification
from iacguard.output import sarif

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
SCHEMA = SHARED / "sarif" / "sarif-schema-2.1.0.json"
OASIS_SCHEMA = SHARED / "sarif" / "sarif-schema-2.1.0.oasis-errata01.json"
CHECKER = SHARED / "tools" / "sarif_check.py"


def load_json(path: Path) -> dict:
    if not path.is_file():
        pytest.skip("%s is absent (CI places shared/ beside the repository)" % path)
    return json.loads(path.read_text(encoding="utf-8"))


def schema_validator(schema: dict):
    """An offline validator; GitHub's copy has a stray region anyOf inside `properties` that
    GitHub does not enforce, so it is dropped first (as shared/tools/sarif_check.py does)."""
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    from referencing.exceptions import NoSuchResource

    def refuse(uri):
        raise NoSuchResource(ref=uri)

    schema = json.loads(json.dumps(schema))
    schema.get("definitions", {}).get("region", {}).get("properties", {}).pop("anyOf", None)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    uri = schema.get("$id") or schema.get("id")
    resources = [(uri, referencing.Resource.from_contents(schema))] if uri else []
    return cls(schema, registry=referencing.Registry(retrieve=refuse).with_resources(resources))


@pytest.fixture(scope="module")
def github_validator():
    return schema_validator(load_json(SCHEMA))


@pytest.fixture(scope="module")
def sarif_check():
    if not CHECKER.is_file():
        pytest.skip("%s is absent (CI places shared/ beside the repository)" % CHECKER)
    spec = importlib.util.spec_from_file_location("sarif_check", CHECKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def log_of(result) -> dict:
    return json.loads(sarif.render(result))


def schema_errors(validator, log) -> list:
    return ["%s at %s" % (e.message, "/".join(map(str, e.absolute_path))) for e in validator.iter_errors(log)]


def test_valid_against_githubs_schema(result, empty_result, github_validator):
    assert schema_errors(github_validator, log_of(result)) == []
    assert schema_errors(github_validator, log_of(empty_result)) == []


def test_validator_is_not_vacuous(result, github_validator):
    log = log_of(result)
    log["runs"][0]["results"][0]["level"] = "fatal"
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert len(schema_errors(github_validator, log)) == 2


def test_valid_against_the_stricter_oasis_schema(result):
    validator = schema_validator(load_json(OASIS_SCHEMA))
    assert schema_errors(validator, log_of(result)) == []


def test_passes_the_github_code_scanning_checks(result, empty_result, sarif_check):
    schema = load_json(SCHEMA)
    assert sarif_check.problems(log_of(result), result.cwd, schema) == []
    assert sarif_check.problems(log_of(empty_result), empty_result.cwd, schema) == []


def test_no_findings_still_has_results_array(empty_result):
    run = log_of(empty_result)["runs"][0]
    assert run["results"] == []
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["AWS-EC2-001", "AWS-S3-001", "AWS-S3-002", "AWS-S3-003"]


def test_log_and_run_metadata(result):
    log = log_of(result)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "iacguard"
    assert driver["semanticVersion"] == iacguard.__version__
    assert driver["informationUri"] == "https://github.com/iacguard/iacguard"
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["automationDetails"] == {"id": "iacguard/"}
    root_uri = Path(result.cwd).as_uri() + "/"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": root_uri}}
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert invocation["workingDirectory"] == {"uri": root_uri}
    assert "startTimeUtc" not in invocation and "endTimeUtc" not in invocation


def test_rule_from_check_metadata(result):
    rules = log_of(result)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(c.id for c in result.checks)
    rule = rules[1]
    assert rule["id"] == "AWS-S3-001"
    assert rule["name"] == "S3BucketHasNoDefaultEncryption"
    assert rule["shortDescription"] == {"text": "S3 bucket has no default encryption"}
    assert rule["fullDescription"] == {
        "text": "Checks that the bucket encrypts objects at rest. Unencrypted objects can be read from stolen media."
    }
    assert rule["help"]["markdown"] == result.checks[1].markdown()
    assert "```" not in rule["help"]["text"] and 'sse_algorithm = "aws:kms"' in rule["help"]["text"]
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"] == {
        "tags": ["security", "iac", "data", "terraform", "cloudformation", "external/cwe/cwe-311"],
        "precision": "high",
        "security-severity": "8.0",
    }
    assert "helpUri" not in rule
    by_id = {r["id"]: r for r in rules}
    assert [(by_id[i]["defaultConfiguration"]["level"], by_id[i]["properties"]["security-severity"])
            for i in ("AWS-EC2-001", "AWS-S3-001", "AWS-S3-002", "AWS-S3-003")] == [
        ("error", "9.5"), ("error", "8.0"), ("warning", "5.5"), ("note", "3.0")]
    assert by_id["AWS-S3-003"]["properties"]["tags"] == ["security", "iac", "data", "cloudformation"]


def test_rule_limits(scan):
    check = scan.make_check(title="x " * 600, cwe=tuple("CWE-%d" % n for n in range(20)))
    rule = sarif.rule(check)
    assert len(rule["properties"]["tags"]) == 10
    assert len(rule["shortDescription"]["text"]) <= 1024
    long_why = sarif.rule(dataclasses.replace(check, why="word " * 400))["fullDescription"]["text"]
    assert len(long_why) <= 1024 and long_why.endswith("word…")


def test_results(result):
    run = log_of(result)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("AWS-EC2-001", "error"), ("AWS-S3-001", "error"), ("AWS-S3-002", "warning"), ("AWS-S3-001", "error")]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert len(r["locations"]) == 1
        fp = r["partialFingerprints"]
        assert fp["primaryLocationLineHash"] == fp["iacguard/v1"]
        assert len(fp["iacguard/v1"]) == 32
    first = results[0]
    assert first["message"] == {"text": "Security group web allows 0.0.0.0/0 to port 22."}
    # Line 7 of main.tf is `    cidr_blocks = ["0.0.0.0/0"]` (31 characters): endColumn is exclusive.
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "main.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7, "startColumn": 5, "endLine": 7, "endColumn": 32},
    }
    assert first["properties"] == {
        "resourceAddress": "aws_security_group.web", "resourceType": "aws_security_group", "language": "terraform"}
    # Lines 11-13: the last is "}".
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 11, "startColumn": 1, "endLine": 13, "endColumn": 2}


def test_conditions_in_message_and_properties(result):
    last = log_of(result)["runs"][0]["results"][-1]
    assert last["message"]["text"] == "Bucket Bucket has no default encryption (only when condition IsProd is true)."
    assert last["properties"]["conditions"] == [{"name": "IsProd", "value": True}]


def test_uri_of_path_with_spaces_is_percent_encoded(result, sarif_check):
    location = log_of(result)["runs"][0]["results"][-1]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "my%20stacks/store%20bucket.yaml", "uriBaseId": "%SRCROOT%"}
    # Line 6 is `    Condition: IsProd` (21 characters).
    assert location["region"] == {"startLine": 4, "startColumn": 1, "endLine": 6, "endColumn": 22}
    # upload-sarif decodes the uri and joins it to the checkout: it must name the real file.
    assert sarif_check.problems(log_of(result), result.cwd) == []


def test_fingerprints_ignore_lines_inserted_above(tmp_path, scan):
    def prints(result):
        return [(r["ruleId"], r["partialFingerprints"]) for r in log_of(result)["runs"][0]["results"]]

    before = scan.build(tmp_path)
    after = scan.build(tmp_path, shift=5)
    assert [f.location.start_line for f in after.findings][:3] == [12, 16, 16]
    assert prints(before) == prints(after)
    assert len({str(p) for _, p in prints(before)}) == len(before.findings)


def test_same_check_twice_on_one_resource_gets_distinct_fingerprints(result, scan):
    sg = result.findings[0].resource
    result.findings[1:1] = [scan.finding("AWS-EC2-001", sg, "Security group web allows 0.0.0.0/0 to port 3389.", 8)]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in log_of(result)["runs"][0]["results"]]
    assert hashes[1] == hashes[0] + ":2"


def test_deterministic(result, tmp_path, scan):
    text = sarif.render(result)
    assert text == sarif.render(result)
    assert text == sarif.render(scan.build(tmp_path))
    assert text.endswith("\n")


def test_end_column_comes_from_the_location_not_the_file(result):
    """The report is built from the scan alone: a source file gone (or changed) since the scan
    changes nothing, and a location without an end column ("end of line") leaves endColumn out,
    which SARIF reads as the end of the line."""
    before = sarif.render(result)
    Path(result.findings[0].location.path).unlink()
    assert sarif.render(result) == before
    sg = result.findings[0].resource
    result.findings[0] = dataclasses.replace(result.findings[0], location=dataclasses.replace(result.findings[0].location, end_col=0))
    region = log_of(result)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7, "startColumn": 5, "endLine": 7}
    assert sg.location.end_col == 2  # line 9 is "}"


def test_render_opens_no_file(result, monkeypatch):
    """SARIF output never re-reads a scanned file (the parsers recorded the end columns)."""
    import builtins
    import io
    import os

    opened = []
    real_open, real_io_open, real_os_open = builtins.open, io.open, os.open

    def spy(real):
        def wrapper(file, *args, **kwargs):
            opened.append(str(file))
            return real(file, *args, **kwargs)
        return wrapper

    monkeypatch.setattr(builtins, "open", spy(real_open))
    monkeypatch.setattr(io, "open", spy(real_io_open))
    monkeypatch.setattr(os, "open", spy(real_os_open))
    result.suppressed = []
    text = sarif.render(result, include_suppressed=True)
    monkeypatch.undo()
    scanned = set(result.files) | {f.location.path for f in result.findings}
    assert not scanned & set(opened), opened
    assert '"endColumn": 32' in text


def test_file_outside_cwd_gets_absolute_file_uri(result, tmp_path, github_validator):
    result.cwd = str(tmp_path.resolve() / "my stacks")
    log = log_of(result)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (tmp_path.resolve() / "main.tf").as_uri()}
    assert artifact["uri"].startswith("file:///")
    inside = log["runs"][0]["results"][-1]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert inside == {"uri": "store%20bucket.yaml", "uriBaseId": "%SRCROOT%"}
    assert schema_errors(github_validator, log) == []


def test_notifications(result):
    notes = log_of(result)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes == [
        {"level": "warning", "message": {"text": "Skipped a file larger than 5 MB"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "big.json", "uriBaseId": "%SRCROOT%"}}}]},
        {"level": "error", "message": {"text": "Unexpected token '}'"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "broken.tf", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 3}}}]},
    ]
    result.notifications.append(Notification("note", "No Terraform files found"))
    notes = log_of(result)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert {"level": "note", "message": {"text": "No Terraform files found"}} in notes


def test_timestamps_only_when_passed(result):
    start = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
    log = json.loads(sarif.render(result, start_time=start, end_time="2024-05-01T12:00:03.000Z"))
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["startTimeUtc"] == "2024-05-01T12:00:00.000Z"
    assert invocation["endTimeUtc"] == "2024-05-01T12:00:03.000Z"


def test_include_suppressed_is_accepted(result):
    assert sarif.render(result, include_suppressed=True) == sarif.render(result)


def test_message_that_looks_like_an_embedded_link_is_escaped(result, scan):
    sg = result.findings[0].resource
    result.findings[0] = scan.finding("AWS-EC2-001", sg, "Rule ingress[0](1) is open.", 7)
    assert log_of(result)["runs"][0]["results"][0]["message"]["text"] == "Rule ingress\\[0\\](1) is open."


def test_finding_of_unregistered_check_keeps_log_valid(result, github_validator):
    result.checks = result.checks[1:]  # drop AWS-EC2-001
    log = log_of(result)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["AWS-EC2-001", "AWS-S3-001", "AWS-S3-002", "AWS-S3-003"]
    assert log["runs"][0]["results"][0]["ruleIndex"] == 0
    assert schema_errors(github_validator, log) == []


def test_rule_name():
    assert sarif.rule_name("S3 bucket has no default encryption") == "S3BucketHasNoDefaultEncryption"
    assert sarif.rule_name("IAM policy allows '*' on KMS") == "IAMPolicyAllowsOnKMS"


def test_scan_result_without_cwd_uses_file_uris(result, github_validator):
    result.cwd = ""
    log = log_of(result)
    run = log["runs"][0]
    assert "originalUriBaseIds" not in run and "workingDirectory" not in run["invocations"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("file:///")
    assert schema_errors(github_validator, log) == []
