"""Findings that carry an attack path (`Finding.path`), in every report format: SARIF code flows
(one location per step, in order, whole block regions, GitHub's cap), the chain on one line in
text, Markdown and JUnit, the `path` array in JSON; redaction of path messages; fingerprints from
the entry point and the asset. Findings without a path read as before."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path


from iacguard.core.model import Finding, PathStep, ScanResult
from iacguard.core.fingerprint import fingerprints
from iacguard.output import json_report, junit, markdown, sarif, text
from iacguard.post.redact import MASK, redact

from test_output_sarif import SCHEMA, load_json, schema_errors, schema_validator

NETWORK_TF = """\
resource "aws_lb" "web" {
  internal = false
}

resource "aws_instance" "app" {
  ami = "ami-1"
}

resource "aws_iam_role" "app" {
  name = "app"
}
"""

DATA_TF = """\
resource "aws_iam_role_policy" "read" {
  role = aws_iam_role.app.id
}

resource "aws_s3_bucket" "media" {
  bucket = "media"
}
"""

CHAIN = "aws_lb.web -> aws_instance.app -> aws_iam_role.app -> aws_iam_role_policy.read -> aws_s3_bucket.media"
PATH_CHECK = "AWS-PATH-001"


def path_result(root: Path, scan, *, secret_message: str = "") -> ScanResult:
    """The conftest scan plus one finding with a five-step path across two files."""
    result = scan.build(root)
    root = root.resolve()
    net, data = root / "network.tf", root / "data" / "store.tf"
    data.parent.mkdir(exist_ok=True)
    net.write_text(NETWORK_TF)
    data.write_text(DATA_TF)
    lb = scan.resource("aws_lb.web", "aws_lb", "terraform", str(net), 1, 3)
    app = scan.resource("aws_instance.app", "aws_instance", "terraform", str(net), 5, 7)
    role = scan.resource("aws_iam_role.app", "aws_iam_role", "terraform", str(net), 9, 11)
    policy = scan.resource("aws_iam_role_policy.read", "aws_iam_role_policy", "terraform", str(data), 1, 3)
    bucket = scan.resource("aws_s3_bucket.media", "aws_s3_bucket", "terraform", str(data), 5, 7)
    steps = (
        PathStep(lb, "ALB aws_lb.web forwards 443 to aws_instance.app", lb.location),
        PathStep(app, "instance aws_instance.app runs as role aws_iam_role.app", app.location),
        PathStep(role, "role aws_iam_role.app has policy aws_iam_role_policy.read", role.location),
        PathStep(policy, secret_message or "policy aws_iam_role_policy.read allows s3:GetObject", policy.location),
        PathStep(bucket, "bucket aws_s3_bucket.media is the asset", bucket.location),
    )
    f = Finding(PATH_CHECK, lb, "Internet path to aws_s3_bucket.media lacks waf, tls.", lb.location, path=steps)
    result.checks = sorted(result.checks + [scan.make_check(PATH_CHECK, "Internet path to a data store lacks layers", "high", "infrastructure", (), ("terraform",))],
                           key=lambda c: c.id)
    result.findings = sorted(result.findings + [f], key=lambda f: f.sort_key)
    result.files = sorted(result.files + [str(net), str(data)])
    return result


def the_path_finding(items):
    return next(x for x in items if x["ruleId" if "ruleId" in x else "check_id"] == PATH_CHECK)


# -- SARIF --------------------------------------------------------------------------------------
def test_sarif_code_flow_one_location_per_step_in_order(tmp_path, scan):
    result = path_result(tmp_path, scan)
    log = json.loads(sarif.render(result))
    res = the_path_finding(log["runs"][0]["results"])
    assert len(res["codeFlows"]) == 1 and len(res["codeFlows"][0]["threadFlows"]) == 1
    locs = [x["location"] for x in res["codeFlows"][0]["threadFlows"][0]["locations"]]
    got = [(x["physicalLocation"]["artifactLocation"]["uri"], x["physicalLocation"]["region"]["startLine"],
            x["physicalLocation"]["region"]["endLine"]) for x in locs]
    assert got == [("network.tf", 1, 3), ("network.tf", 5, 7), ("network.tf", 9, 11), ("data/store.tf", 1, 3), ("data/store.tf", 5, 7)]
    assert locs[0]["message"]["text"] == "ALB aws_lb.web forwards 443 to aws_instance.app"
    assert all(x["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%" for x in locs)
    # The whole block: its end column is where the block's last line ends.
    assert locs[0]["physicalLocation"]["region"]["endColumn"] == 2
    assert res["properties"]["pathSteps"] == 5 and res["properties"]["pathStepsShown"] == 5
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 1  # located at the entry point
    # The other findings carry no code flows.
    assert all("codeFlows" not in r for r in log["runs"][0]["results"] if r["ruleId"] != PATH_CHECK)


def test_sarif_without_paths_is_unchanged(result):
    """A finding without a path: byte for byte what the report was before paths existed."""
    before = sarif.render(result)
    assert "codeFlows" not in before and "pathSteps" not in before
    again = dataclasses.replace(result, findings=[dataclasses.replace(f, path=()) for f in result.findings])
    assert sarif.render(again) == before


def test_sarif_with_paths_is_schema_valid_and_accepted(tmp_path, scan):
    validator = schema_validator(load_json(SCHEMA))
    log = json.loads(sarif.render(path_result(tmp_path, scan)))
    assert schema_errors(validator, log) == []
    oasis = Path(SCHEMA).with_name("sarif-schema-2.1.0.oasis-errata01.json")
    if oasis.is_file():
        assert schema_errors(schema_validator(load_json(oasis)), log) == []


def test_sarif_with_paths_passes_the_shared_checker(tmp_path, scan, sarif_checker):
    result = path_result(tmp_path, scan)
    assert sarif_checker(json.loads(sarif.render(result)), result.cwd) == []


def test_sarif_long_path_is_capped_for_github(tmp_path, scan):
    result = path_result(tmp_path, scan)
    f = next(f for f in result.findings if f.path)
    first, last = f.path[0], f.path[-1]
    long = (first,) + tuple(dataclasses.replace(first, message="hop %d" % i) for i in range(1, 1500)) + (last,)
    result.findings = [dataclasses.replace(f, path=long) if x is f else x for x in result.findings]
    res = the_path_finding(json.loads(sarif.render(result))["runs"][0]["results"])
    locs = res["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(locs) == sarif.MAX_FLOW_LOCATIONS == 1000
    assert locs[-2]["location"]["message"]["text"] == "hop 998"
    assert locs[-1]["location"]["message"]["text"].startswith("bucket aws_s3_bucket.media is the asset (501 steps before this one left out")
    assert res["properties"]["pathSteps"] == 1501
    assert res["properties"]["pathStepsShown"] == 1000
    assert res["codeFlows"][0]["message"]["text"] == "Path from aws_lb.web to aws_s3_bucket.media (1501 steps)"


def test_sarif_step_messages_cannot_inject_links_or_controls(tmp_path, scan):
    result = path_result(tmp_path, scan, secret_message="see [here](1)\x1b[31m")
    res = the_path_finding(json.loads(sarif.render(result))["runs"][0]["results"])
    text_ = res["codeFlows"][0]["threadFlows"][0]["locations"][3]["location"]["message"]["text"]
    assert "\x1b" not in text_ and "[here](1)" not in text_


# -- text, Markdown, JUnit ---------------------------------------------------------------------
def test_text_shows_the_chain_on_one_line(tmp_path, scan):
    out = text.render(path_result(tmp_path, scan))
    lines = out.splitlines()
    i = next(n for n, line in enumerate(lines) if PATH_CHECK in line)
    assert "lacks waf, tls" in lines[i]
    assert lines[i + 1].strip() == "path: " + CHAIN
    assert out.count("path: ") == 1


def test_text_without_paths_has_no_path_line(result):
    assert "path: " not in text.render(result)


def test_markdown_shows_the_chain_in_the_message_cell(tmp_path, scan):
    out = markdown.render(path_result(tmp_path, scan))
    row = next(line for line in out.splitlines() if PATH_CHECK in line)
    assert row.endswith("Path: `%s` |" % CHAIN)
    assert row.count("|") == 6


def test_markdown_long_chain_is_shortened(tmp_path, scan):
    result = path_result(tmp_path, scan)
    f = next(f for f in result.findings if f.path)
    long = f.path[:1] * 30 + f.path[-1:]
    result.findings = [dataclasses.replace(f, path=long) if x is f else x for x in result.findings]
    row = next(line for line in markdown.render(result).splitlines() if PATH_CHECK in line)
    assert "… (19 more) -> aws_s3_bucket.media`" in row
    assert row.count("aws_lb.web") == 1 + 11  # the Resource cell, then 11 steps before the gap


def test_junit_failure_names_the_chain(tmp_path, scan):
    out = junit.render(path_result(tmp_path, scan))
    assert "path: " + CHAIN.replace(">", "&gt;") in out


# -- JSON ---------------------------------------------------------------------------------------
def test_json_path_array(tmp_path, scan):
    data = json_report.report(path_result(tmp_path, scan))
    f = the_path_finding(data["findings"])
    assert [s["address"] for s in f["path"]] == CHAIN.split(" -> ")
    assert f["path"][3] == {
        "address": "aws_iam_role_policy.read", "end_line": 3, "file": "data/store.tf",
        "message": "policy aws_iam_role_policy.read allows s3:GetObject", "missing": [], "start_line": 1, "type": "aws_iam_role_policy",
    }
    assert list(f) == sorted(f)
    assert all("path" not in x for x in data["findings"] if x["check_id"] != PATH_CHECK)


# -- redaction, fingerprints, changed files -----------------------------------------------------
def test_redaction_covers_path_messages_and_step_addresses(tmp_path, scan):
    result = path_result(tmp_path, scan, secret_message="policy grants to s3cr3t-token")
    f = next(f for f in result.findings if f.path)
    original = f.path[3]
    redact(result, ["s3cr3t-token", "aws_instance.app"])
    f = next(f for f in result.findings if f.path)
    assert f.path[3].message == "policy grants to " + MASK
    assert f.path[1].resource.address == MASK
    assert original.message == "policy grants to s3cr3t-token"  # a copy, never the original
    for render in (text.render, markdown.render, json_report.render, sarif.render, junit.render):
        assert "s3cr3t-token" not in render(result)
    (tmp_path / "b").mkdir()
    unchanged = path_result(tmp_path / "b", scan)
    before = [(s.message, s.resource.address) for f in unchanged.findings for s in f.path]
    redact(unchanged, ["nothing-like-this"])
    assert [(s.message, s.resource.address) for f in unchanged.findings for s in f.path] == before


def test_fingerprint_from_entry_point_and_asset(tmp_path, scan):
    result = path_result(tmp_path, scan)
    f = next(f for f in result.findings if f.path)
    other_asset = dataclasses.replace(f.path[-1], resource=dataclasses.replace(f.path[-1].resource, address="aws_s3_bucket.other"))
    g = dataclasses.replace(f, path=f.path[:-1] + (other_asset,))
    other_middle = dataclasses.replace(f, path=f.path[:1] + f.path[2:])
    fps = fingerprints(result, [f, g])
    assert fps[0] != fps[1] and ":" not in fps[1]  # two assets, two identities, not ":2"
    assert fingerprints(result, [other_middle]) == fingerprints(result, [f])  # the hops between do not count
    plain = dataclasses.replace(f, path=())
    assert fingerprints(result, [plain]) != fingerprints(result, [f])
    # A path that ends at the entry point itself (a public database) fingerprints like a plain finding.
    self_path = dataclasses.replace(f, path=f.path[:1])
    assert fingerprints(result, [self_path]) == fingerprints(result, [plain])


def test_changed_files_keep_a_path_through_a_changed_file(tmp_path, scan):
    from iacguard.post.changed_files import ChangedFilesFilter

    result = path_result(tmp_path, scan)
    ChangedFilesFilter([str(tmp_path / "data" / "store.tf")])(result)
    assert [f.check_id for f in result.findings] == [PATH_CHECK]
    assert result.outside_changes == 4


def test_paths_that_read_the_same_sort_by_the_addresses_they_pass(tmp_path, scan):
    result = path_result(tmp_path, scan)
    f = next(f for f in result.findings if f.path)
    g = dataclasses.replace(f, path=f.path[:1] + f.path[2:])  # lb -> role -> policy -> bucket
    assert sorted([f, g], key=lambda x: x.sort_key) == sorted([g, f], key=lambda x: x.sort_key) == [g, f]  # aws_iam_role < aws_instance
    assert f.sort_key[:5] == dataclasses.replace(f, path=()).sort_key


def test_hostile_step_text_stays_inert_in_every_format(tmp_path, scan):
    """Addresses and messages of steps come from scanned files: no terminal escapes, no
    Markdown links or mentions, no broken XML, whatever they hold."""
    result = path_result(tmp_path, scan, secret_message="x\x1b]8;;http://evil\x07 @team [a](http://evil) </failure>\u202e")
    f = next(f for f in result.findings if f.path)
    bad = dataclasses.replace(f.path[2], resource=dataclasses.replace(f.path[2].resource, address="aws_iam_role.a|`b`\x1b[2J"))
    result.findings = [dataclasses.replace(x, path=x.path[:2] + (bad,) + x.path[3:]) if x is f else x for x in result.findings]
    out = text.render(result)
    assert "\x1b" not in out and "\u202e" not in out
    md = markdown.render(result)
    row = next(line for line in md.splitlines() if PATH_CHECK in line)
    assert "\x1b" not in row and row.count(" | ") == 4  # the pipe in the address stays inside its cell
    import xml.etree.ElementTree as ET

    ET.fromstring(junit.render(result))
    data = json.loads(json_report.render(result))
    assert the_path_finding(data["findings"])["path"][2]["address"] == "aws_iam_role.a|`b`\x1b[2J"  # JSON keeps the data, escaped
