"""Runs a check on one of its fixture folders (tests/fixtures/checks/<ID>/<language>/) and says
every way the result disagrees with the folder's expected.json. Used by test_check_fixtures.py
and by the mutants of test_mutants.py.

expected.json: {"fail": [{"address", "file", "line"}...], "pass": [addresses], "context":
[addresses, optional]}. Failing entries are the exact findings; passing resources must exist and
be read by the check (subjects of facts of its kinds) and have no finding; context resources must
exist and have no finding.
"""
from __future__ import annotations

import os
from pathlib import Path

from iacguard.engine import scan
from iacguard.facts import Facts

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
CASES = sorted(p.parent for p in FIXTURES.glob("*/*/expected.json"))


def configured_for(folder: Path, check):
    """`check` as the fixture's own configuration (`.iacguard.toml` in the folder, for checks the
    configuration parameterises: AWS-S3-900) makes it, else `check`."""
    conf = folder / ".iacguard.toml"
    if not conf.is_file():
        return check
    from iacguard import config as config_mod
    from iacguard.checks.data import s3_customer_key

    from iacguard.checks.detection import cloudtrail_s3_data_events

    loaded = config_mod.load(str(conf))
    check = cloudtrail_s3_data_events.configured(check, loaded.data_event_buckets)
    return s3_customer_key.configured(check, loaded.customer_key_buckets)


def run_fixture(folder: Path, check) -> tuple:
    """(findings as (address, file, line), addresses evaluated, addresses the check inspected,
    error notifications) for `check` on the fixture `folder`."""
    seen: dict = {}
    check = configured_for(folder, check)

    def keep_graph(result, graph):
        seen["graph"] = graph

    result = scan([str(folder)], checks=[check], cwd=str(folder), postprocess=[keep_graph])
    graph = seen["graph"]
    facts = Facts(graph)
    # Project-level findings sit on a root's stand-in ("(root module)", "(stack)"), not a resource.
    evaluated = {r.address for r in graph.resources} | {root.resource.address for root in facts.of_kind("root")}
    inspected = {fact.resource.address for kind in check.kinds for fact in facts.of_kind(kind)}
    # Project-level checks report on the stand-ins of roots (iacguard.facts.roots): they are part
    # of what the evaluation produced for a check that reads them.
    # CloudFormation parameters are not resources: their findings sit on stand-ins at their
    # declarations (iacguard.facts.secrets_b_parameters), part of what the evaluation produced.
    if "cfn_parameter" in check.kinds:
        evaluated |= {p.resource.address for p in facts.of_kind("cfn_parameter")}
    if "root" in check.kinds:
        evaluated |= {root.resource.address for root in facts.of_kind("root")}
    got = sorted((f.resource.address, os.path.basename(f.location.path), f.location.start_line) for f in result.findings)
    errors = [n for n in result.notifications if n.level == "error"]
    return got, evaluated, inspected, errors


def fixture_problems(folder: Path, check, expected: dict) -> list:
    """Every way the fixture's `expected.json` disagrees with the evaluation, as sentences."""
    got, evaluated, inspected, errors = run_fixture(folder, check)
    problems = ["error notification: %s" % (n,) for n in errors]
    want = sorted((e["address"], e["file"], e["line"]) for e in expected["fail"])
    if got != want:
        problems.append("findings differ:\n  got  %s\n  want %s" % (got, want))
    failing = {address for address, _, _ in got}
    for e in expected["fail"]:
        if e["address"] not in evaluated:
            problems.append("failing resource %r named in expected.json is not in the evaluated fixture" % e["address"])
    if not expected["pass"]:
        problems.append("expected.json names no passing resource")
    for address in expected["pass"]:
        if address not in evaluated:
            problems.append("passing resource %r named in expected.json is not in the evaluated fixture (evaluated: %s)" % (address, ", ".join(sorted(evaluated))))
        elif address not in inspected:
            problems.append("passing resource %r is not one %s reads (kinds %s), so its passing proves nothing" % (address, check.id, ", ".join(check.kinds)))
        if address in failing:
            problems.append("passing resource %r has a finding" % address)
    for address in expected.get("context", ()):
        if address not in evaluated:
            problems.append("context resource %r named in expected.json is not in the evaluated fixture" % address)
        if address in failing:
            problems.append("context resource %r has a finding" % address)
    overlap = set(expected["pass"]) & {e["address"] for e in expected["fail"]}
    if overlap:
        problems.append("named both passing and failing: %s" % ", ".join(sorted(overlap)))
    return problems
