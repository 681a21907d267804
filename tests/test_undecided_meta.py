"""Meta-test: no check drops an Unknown silently.

For every check and every fixture it fails on, each known scalar value of each resource is
replaced, one at a time, by an Unknown; the check is run again on the graph built from the
changed resources. Every resource that failed must then still fail, or the check must yield an
`Undecided` record for it: a finding may turn undecided, never vanish. And for every check, at least one
such replacement must give an undecided record, so the test cannot pass by never reaching a
check's unknown branch.
"""
from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest

from iacguard.checks import REGISTRY
from iacguard.discover import discover
from iacguard.engine import _evaluate_cloudformation, _evaluate_terraform, parse_source
from iacguard.facts import Facts
from iacguard.graph import ResourceGraph
from iacguard.core.model import LanguageResult, ScanOptions, Undecided, walk
from iacguard.core.unknown import Unknown

pytestmark = pytest.mark.catalogue("all")  # the catalogue's own tests run every check

FIXTURES = Path(__file__).parent / "fixtures" / "checks"

# Unknowns the facts layer (not the check) passes over, each with its reason.
# Not yet reported as undecided (see the report of issue 10): a whole list of inline rules or
# policies that is not known is read as no rules or policies by the facts layer.
EXEMPT = {
    # A rule whose direction is not known is neither ingress nor egress for the facts layer.
    ("aws_security_group_rule", ("type",)),
    ("aws_security_group", ("ingress",)),
    ("AWS::EC2::SecurityGroup", ("SecurityGroupIngress",)),
    ("aws_security_group", ("egress",)),  # the same for egress lists (AWS-EC2-303)
    ("AWS::EC2::SecurityGroup", ("SecurityGroupEgress",)),
    ("aws_iam_role", ("inline_policy",)),
    ("AWS::IAM::Role", ("Policies",)),
    ("AWS::IAM::User", ("Policies",)),
    ("AWS::IAM::Group", ("Policies",)),
    ("aws_iam_policy_document", ("statement",)),
}
# Checks whose fixtures reach no unknown branch by replacing one value (the graph still links a
# companion whose `bucket` is replaced): their undecided records are tested in test_undecided.py.
TESTED_ELSEWHERE = {
    ("AWS-S3-001", "terraform"): "test_split_encryption_naming_an_unknown_bucket_is_undecided",
    # No Terraform value decides these: every policy a user holds is a finding whatever its
    # document, and an aws_iam_user_login_profile is a password whatever its settings; the
    # undecided records are those of the CloudFormation fixtures (a ManagedPolicyArns list, a
    # LoginProfile that may be AWS::NoValue).
    ("AWS-IAM-007", "terraform"): "AWS-IAM-007/cloudformation",
    ("AWS-IAM-009", "terraform"): "AWS-IAM-009/cloudformation",
    # Whether a Security Hub, a Config recorder or a delivery channel exists depends on no value of
    # it: only an unknown count / for_each or an undecided CloudFormation condition leaves it open
    # (tests/checks/test_detection_a.py).
    ("AWS-SH-100", "terraform"): "test_a_control_with_an_unknown_count_leaves_the_root_undecided",
    ("AWS-SH-100", "cloudformation"): "test_a_control_under_an_undecided_condition_leaves_the_root_undecided",
    ("AWS-CFG-100", "terraform"): "test_a_control_with_an_unknown_count_leaves_the_root_undecided",
    ("AWS-CFG-100", "cloudformation"): "test_a_control_under_an_undecided_condition_leaves_the_root_undecided",
    ("AWS-CFG-102", "terraform"): "test_a_delivery_channel_that_may_not_exist_leaves_the_recorder_undecided",
    ("AWS-CFG-102", "cloudformation"): "test_a_delivery_channel_that_may_not_exist_leaves_the_recorder_undecided",
    # Parameter declarations are literal (no intrinsic function is allowed in Parameters): no
    # Unknown can decide these, and parameters are not resources the meta-test replaces values of.
    ("AWS-CFN-900", "cloudformation"): "test_parameter_findings_never_show_the_default",
    ("AWS-CFN-901", "cloudformation"): "test_parameter_findings_never_show_the_default",
}


def _results(folder: Path) -> list:
    disc = discover([str(folder)])
    root = disc.roots[0]
    tf, cfn = {}, {}
    for src in disc.files:
        parsed = parse_source(src)
        if parsed.kind == "terraform":
            tf[parsed.path] = parsed.data
        elif parsed.kind == "cloudformation":
            cfn[parsed.path] = parsed.data
    out = []
    if tf:
        out.append(_evaluate_terraform(tf, root, ScanOptions()))
    if cfn:
        out.append(_evaluate_cloudformation(cfn, root, ScanOptions()))
    return out


def _run(check, results: list) -> list:
    return list(check.evaluate(Facts(ResourceGraph.build(results))))


def _replaced(results: list, res_id: str, path: tuple) -> list:
    out = []
    for r in results:
        resources = []
        for res in r.resources:
            if res.id == res_id:
                props = copy.deepcopy(res.properties)
                cur = props
                for step in path[:-1]:
                    cur = cur[step]
                cur[path[-1]] = Unknown("replaced by the meta-test")
                res = dataclasses.replace(res, properties=props)
            resources.append(res)
        out.append(LanguageResult(resources, r.references, r.symbols, r.notifications, r.unknowns, r.files))
    return out


CASES = [(c, lang) for c in REGISTRY for lang in c.languages]


@pytest.mark.parametrize("check,lang", CASES, ids=["%s/%s" % (c.id, lang) for c, lang in CASES])
def test_unknown_values_never_silently_drop_a_finding(check, lang):
    from check_fixture_runner import configured_for

    check = configured_for(FIXTURES / check.id / lang, check)  # a fixture's own configuration (AWS-S3-900)
    results = _results(FIXTURES / check.id / lang)
    before = _run(check, results)
    failing = {item.resource.id: item.resource for item in before if not isinstance(item, Undecided)}
    assert failing, "the fixture must fail somewhere"
    turned_undecided = 0
    everything = {res.id: res for r in results for res in r.resources}
    for res_id, res in sorted(everything.items()):
        for path, value in walk(res.properties):
            if not path or (len(path) > 1 and not isinstance(value, (str, int, float, bool))) or (res.type, path) in EXEMPT:
                continue  # scalars, and whole top-level properties
            after = _run(check, _replaced(results, res_id, path))
            for failed_id, failed in failing.items():
                on_res = [item for item in after if item.resource.id == failed_id]
                assert on_res, "%s: %s of %s became Unknown and the check said nothing of %s" % (check.id, path, res.address, failed.address)
            turned_undecided += sum(1 for item in after if isinstance(item, Undecided) and item.reason == "replaced by the meta-test")
    assert turned_undecided or (check.id, lang) in TESTED_ELSEWHERE, "%s: no value replaced by an Unknown left the check undecided" % check.id
