"""The JUnit report through the CLI on real files: one test case per check, file and resource, an
`error` test case per file that could not be scanned, valid against the JUnit schema of Jenkins'
xUnit plugin (tests/data/junit/junit-10.xsd) and read back with junitparser."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.cli import main

REPO = Path(__file__).resolve().parents[2]
XSD = REPO / "tests" / "data" / "junit" / "junit-10.xsd"

# The same logical names in two templates and two Terraform files: before, these merged.
TEMPLATE = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Open:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: open
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
"""
BUCKET_TF = """\
# iacguard:ignore AWS-S3-002 | public site, reviewed
resource "aws_s3_bucket" "site" {
  bucket = "site-%s"
}
"""
TREE = {
    "a/template.yaml": TEMPLATE,
    "b/template.yaml": TEMPLATE,
    "one/main.tf": BUCKET_TF % "one",
    "two/main.tf": BUCKET_TF % "two",
}
BROKEN = {
    "broken/bad.yaml": "Resources: [\n  {Bucket\n",
    "broken/bad.tf": 'resource "aws_s3_bucket" "x" {\n',
    "broken/also.json": '{"Resources": {"B": {"Type": "AWS::S3::Bucket",}',
}


def write(root: Path, files: dict) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def run(cwd: Path, *args: str):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def junit(cwd: Path, *args: str) -> tuple:
    res = run(cwd, "scan", ".", "--format", "junit", *args)
    assert res.exit_code in (0, 1), res.output
    return res.stdout, ET.fromstring(res.stdout.encode("utf-8"))


def cases(root) -> list:
    return [(s, c) for s in root.findall("testsuite") for c in s.findall("testcase")]


def validate(xml_text: str) -> list:
    """The errors of the Jenkins xUnit JUnit schema against this document ([] when valid)."""
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.fromstring(xml_text.encode("utf-8"))
    schema.validate(doc)
    return [str(e) for e in schema.error_log]


def test_one_test_case_per_check_file_and_resource(tmp_path):
    write(tmp_path, TREE)
    report = json.loads(run(tmp_path, "scan", ".", "--format", "json").stdout)
    expected = sorted({(f["check_id"], f["file"], f["resource"]["address"]) for f in report["findings"]})
    assert len(expected) == len(report["findings"])  # one finding per check, file and resource here
    _, root = junit(tmp_path)
    failing = sorted(
        (c.get("classname").removeprefix("iacguard."),) + tuple(c.get("name").split(": ", 1))
        for _, c in cases(root) if c.find("failure") is not None
    )
    assert failing == expected
    # The same resource name in two files stays two test cases of the check.
    names = {c.get("name") for _, c in cases(root) if c.get("classname") == "iacguard.AWS-EC2-001"}
    assert {"a/template.yaml: Open", "b/template.yaml: Open"} <= names
    for suite in root.findall("testsuite"):
        keys = [(c.get("classname"), c.get("name")) for c in suite.findall("testcase")]
        assert len(keys) == len(set(keys)), suite.get("name")
    assert root.get("failures") == str(len(expected))


def test_failure_text_holds_file_and_line(tmp_path):
    write(tmp_path, TREE)
    _, root = junit(tmp_path)
    case = next(c for _, c in cases(root) if c.get("name") == "b/template.yaml: Open" and c.get("classname") == "iacguard.AWS-EC2-001")
    failure = case.find("failure")
    assert failure.get("type") in ("critical", "high", "medium", "low")
    assert failure.text.startswith("b/template.yaml:12: Security group rule in Open allows SSH")
    assert "file" not in case.attrib and "line" not in case.attrib  # not in the schema


def test_suppressed_resources_are_skipped_per_file(tmp_path):
    write(tmp_path, TREE)
    _, root = junit(tmp_path)
    skipped = sorted(c.get("name") for _, c in cases(root) if c.find("skipped") is not None)
    assert skipped == ["one/main.tf: aws_s3_bucket.site (suppressed)", "two/main.tf: aws_s3_bucket.site (suppressed)"]
    for suite in root.findall("testsuite"):
        assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped"))


def test_a_file_that_failed_to_parse_is_an_error_test_case(tmp_path):
    write(tmp_path, {**TREE, **BROKEN})
    _, root = junit(tmp_path)
    suite = root.find("testsuite[@name='iacguard: scan errors']")
    assert suite is not None
    errored = {c.get("name"): c.find("error") for c in suite.findall("testcase")}
    assert sorted(errored) == sorted(BROKEN)
    for name, error in errored.items():
        assert error is not None and error.get("message")
        assert error.text.startswith(name + ":")
    assert suite.get("errors") == suite.get("tests") == "3" and suite.get("failures") == "0"
    assert root.get("errors") == "3"
    tests = sum(int(s.get("tests")) for s in root.findall("testsuite"))
    assert root.get("tests") == str(tests) == str(len(cases(root)))
    # The files that did parse still report their findings.
    assert any(c.get("name") == "a/template.yaml: Open" for _, c in cases(root))


def test_a_clean_scan_has_no_error_suite(tmp_path):
    write(tmp_path, TREE)
    _, root = junit(tmp_path)
    assert root.get("errors") == "0"
    assert root.find("testsuite[@name='iacguard: scan errors']") is None


def test_a_path_that_does_not_exist_is_an_error_too(tmp_path):
    write(tmp_path, TREE)
    res = run(tmp_path, "scan", ".", "missing", "--format", "junit")
    root = ET.fromstring(res.stdout.encode("utf-8"))
    suite = root.find("testsuite[@name='iacguard: scan errors']")
    assert [c.get("name") for c in suite.findall("testcase")] == ["missing"]
    assert suite.find("testcase/error").get("message") == "path does not exist"


@pytest.mark.parametrize("files", [TREE, {**TREE, **BROKEN}], ids=["clean", "broken"])
def test_valid_against_the_jenkins_xunit_schema(tmp_path, files):
    write(tmp_path, files)
    text, _ = junit(tmp_path)
    assert validate(text) == []


def test_sample_iac_is_valid_against_the_jenkins_xunit_schema():
    res = run(REPO, "scan", "sample_iac", "--format", "junit")
    assert res.exit_code == 1, res.output
    assert validate(res.stdout) == []


def test_schema_rejects_what_it_should():
    """The validation is real: a test case with a `file` attribute or no name is refused."""
    bad = '<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase file="x"/></testsuite></testsuites>'
    errors = validate(bad)
    assert any("file" in e for e in errors) and any("name" in e for e in errors)


def test_read_with_junitparser(tmp_path):
    junitparser = pytest.importorskip("junitparser")
    write(tmp_path, {**TREE, **BROKEN})
    out = tmp_path / "out"
    out.mkdir()
    res = run(tmp_path, "scan", ".", "--output-file", "junit=out/report.xml", "-q")
    assert res.exit_code == 1, res.output
    xml = junitparser.JUnitXml.fromfile(str(out / "report.xml"))
    _, root = junit(tmp_path)
    assert (xml.tests, xml.failures, xml.errors) == tuple(int(root.get(k)) for k in ("tests", "failures", "errors"))
    results = {}
    for suite in xml:
        assert suite.tests == len(list(suite))
        for case in suite:
            kinds = [type(r).__name__ for r in case.result]
            results[(case.classname, case.name)] = (kinds, [r.type for r in case.result], [r.message for r in case.result])
    assert results[("iacguard.scan", "broken/bad.tf")][0] == ["Error"]
    assert results[("iacguard.scan", "broken/bad.tf")][2][0].startswith("parse error")
    assert results[("iacguard.AWS-EC2-001", "a/template.yaml: Open")][0] == ["Failure"]
    assert results[("iacguard.AWS-EC2-001", "b/template.yaml: Open")][0] == ["Failure"]
    assert results[("iacguard.AWS-S3-002", "one/main.tf: aws_s3_bucket.site (suppressed)")][0] == ["Skipped"]
    assert sum(1 for kinds, _, _ in results.values() if kinds == ["Error"]) == 3


def test_errors_naming_no_file_and_several_in_one_file():
    """Unit level: errors grouped by file (all in the text, the first as the message), errors
    naming no file one more case, warnings not counted."""
    from iacguard.core.model import Notification, ScanResult
    from iacguard.output import junit as junit_report

    notes = [
        Notification("error", "internal error in check X: ValueError: boom"),
        Notification("error", "parse error: unexpected token", "/p/a.tf", 3),
        Notification("error", "parse error: unclosed block", "/p/a.tf", 9),
        Notification("warning", "cannot resolve module", "/p/b.tf", 1),
    ]
    text = junit_report.render(ScanResult([], [], notes, ["/p/a.tf", "/p/b.tf"], cwd="/p"))
    assert validate(text) == []
    root = ET.fromstring(text.encode("utf-8"))
    suite = root.find("testsuite[@name='iacguard: scan errors']")
    errors = {c.get("name"): c.find("error") for c in suite.findall("testcase")}
    assert list(errors) == ["a.tf", "(no file)"]
    assert errors["a.tf"].get("message") == "parse error: unexpected token"
    assert errors["a.tf"].text == "a.tf:3: parse error: unexpected token\na.tf:9: parse error: unclosed block\n"
    assert errors["(no file)"].text == "(no file): internal error in check X: ValueError: boom\n"
    assert (root.get("tests"), root.get("errors"), root.get("failures")) == ("2", "2", "0")
