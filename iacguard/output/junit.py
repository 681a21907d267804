"""The JUnit XML report, for CI systems that show test results (GitLab, Jenkins, Azure DevOps).

One `<testsuite>` per check that ran; in it one `<testcase>` per check, file and resource the check
reported on (classname `iacguard.CHECK_ID`, name `FILE: RESOURCE`), so resources of the same name
in two files stay two test cases. A failing one has a `<failure>` whose text lists every finding
as `file:line: message` (and, for a finding with an attack path, "path: a -> b -> c" on the same
line); a suppressed one is `<skipped>` with the reason. A check with nothing to report has a
single passing testcase, so the report still shows what was checked.

Files that could not be scanned (a parse error, an evaluation cut short: the error-level
notifications that name a file, which --fail-on-error fails on) each have one `<testcase>` named
by the file with an `<error>` in a last suite, "iacguard: scan errors", and are counted in
`errors`; error notifications that name no file are one more test case there, "(no file)".

The document validates against the JUnit schema of Jenkins' xUnit plugin
(tests/data/junit/junit-10.xsd): it has no `file` or `line` attribute on a test case (nor
`skipped` on `<testsuites>`), so the file is in the test case's name and the line in the
failure's text.

Output is deterministic: times are "0" (the scan's duration would make every report differ).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from iacguard.check import SEVERITY_RANK, severity_of
from iacguard.core.model import ScanResult

from .findings import checks_by_id, finding_message, path_chain, shown_address
from .escape import visible
from .paths import display_path

def _clean(text) -> str:
    # XML 1.0 cannot hold most C0 characters, even escaped, nor lone surrogates; CI pages show
    # the rest. Every control, bidirectional or invisible character becomes a visible escape.
    return visible(text)


def _lines(lines) -> str:
    """Lines of scanned text joined by newlines (the only control character kept)."""
    return "".join(visible(line) + "\n" for line in lines)


def _where(f, cwd: str) -> str:
    return "%s:%d" % (display_path(f.location.path, cwd), f.location.start_line)


def _group(findings, key) -> dict:
    out: dict = {}
    for item in findings:
        out.setdefault(key(item), []).append(item)
    return out


def report(result: ScanResult) -> ET.Element:
    checks = checks_by_id(result)
    failing = _group(result.findings, lambda f: f.check_id)
    skipped = _group(result.suppressed, lambda s: s.finding.check_id)
    undecided = _group(result.undecided, lambda u: u.check_id)
    ids = sorted(set(checks) | set(failing) | set(skipped))
    root = ET.Element("testsuites", name="iacguard")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for cid in ids:
        check = checks.get(cid)
        title = check.title if check is not None else cid
        suite = ET.SubElement(root, "testsuite", name=_clean("%s: %s" % (cid, title)))
        _configuration_properties(suite, result)
        _undecided_property(suite, undecided.get(cid, []))
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        classname = "iacguard.%s" % cid
        for (path, address), findings in _group(failing.get(cid, []), lambda f: (f.location.path, shown_address(f))).items():
            case = ET.SubElement(
                suite, "testcase", classname=_clean(classname), name=_clean(_case_name(path, address, result.cwd)), time="0",
            )
            severity = max((severity_of(f, check) for f in findings), key=lambda s: SEVERITY_RANK.get(s, 0))
            messages = [finding_message(f, fallback=title) for f in findings]
            failure = ET.SubElement(case, "failure", message=_clean(messages[0]), type=severity)
            failure.text = _lines(
                "%s: %s [%s %s]%s" % (_where(f, result.cwd), m, severity, cid, " path: %s" % path_chain(f) if f.path else "")
                for f, m in zip(findings, messages)
            )
            counts["tests"] += 1
            counts["failures"] += 1
        for (path, address), items in _group(skipped.get(cid, []), lambda s: (s.finding.location.path, shown_address(s.finding))).items():
            case = ET.SubElement(
                suite, "testcase", classname=_clean(classname), name=_clean(_case_name(path, address, result.cwd) + " (suppressed)"), time="0",
            )
            reason = items[0].suppression.reason or "no reason given"
            ET.SubElement(case, "skipped", message=_clean("suppressed: %s" % reason))
            counts["tests"] += 1
            counts["skipped"] += 1
        if counts["tests"] == 0:
            ET.SubElement(suite, "testcase", classname=_clean(classname), name="no findings", time="0")
            counts["tests"] = 1
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        suite.set("time", "0")
        for k in totals:
            totals[k] += counts[k]
    errors = _not_scanned_suite(root, result)
    # The testsuites element has no `skipped` in the JUnit schema: the suites count them.
    root.set("tests", str(totals["tests"] + errors))
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(errors))
    root.set("time", "0")
    return root


def _case_name(path: str, address: str, cwd: str) -> str:
    """A test case's name: the file, then the resource (`templates/a.yaml: S3Bucket`)."""
    return "%s: %s" % (display_path(path, cwd), address)


def _not_scanned_suite(root, result: ScanResult) -> int:
    """The suite of scan errors: one test case with an `<error>` per file
    named by error-level notifications (all its errors in the text), one for those naming no
    file. Returns how many test cases it holds (none: no suite)."""
    errors = sorted(
        (n for n in result.notifications if n.level == "error"),
        key=lambda n: (n.path == "", n.path, n.line, n.message),
    )
    if not errors:
        return 0
    by_file = _group(errors, lambda n: n.path)
    suite = ET.SubElement(root, "testsuite", name="iacguard: scan errors")
    for path, notes in by_file.items():
        name = display_path(path, result.cwd) if path else "(no file)"
        case = ET.SubElement(suite, "testcase", classname="iacguard.scan", name=_clean(name), time="0")
        error = ET.SubElement(case, "error", message=_clean(notes[0].message), type="scan error")
        error.text = _lines(
            "%s%s: %s" % (name, ":%d" % n.line if n.line > 0 else "", n.message) for n in notes
        )
    count = len(by_file)
    for key, value in (("tests", count), ("failures", 0), ("errors", count), ("skipped", 0), ("time", "0")):
        suite.set(key, str(value))
    return count


def _undecided_property(suite, records: list) -> None:
    """`<property name="iacguard.undecided">`: how many resources unknown values left this
    check undecided on (not a test case: nothing failed or passed)."""
    if not records:
        return
    props = suite.find("properties")
    if props is None:
        props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="iacguard.undecided", value=str(len(records)))


def _configuration_properties(suite, result: ScanResult) -> None:
    """`<properties>` naming the configuration file used, what it changed and, with
    --diff-base, how it changed since the base (JUnit has no other place for notes)."""
    conf = result.configuration
    if not conf:
        return
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="iacguard.configuration", value=_clean(display_path(conf["path"], result.cwd)))
    changes = "; ".join(conf.get("changes") or ()) or "no change from the defaults"
    ET.SubElement(props, "property", name="iacguard.configuration.changes", value=_clean(changes))
    if conf.get("warning"):
        ET.SubElement(props, "property", name="iacguard.configuration.warning", value=_clean(conf["warning"]))


def render(result: ScanResult) -> str:
    """The JUnit XML document, indented, ending in a newline."""
    root = report(result)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
