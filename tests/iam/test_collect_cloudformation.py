"""iam_cloudformation.collect: principals, policies, trust, boundaries, guardrails and resource
policies of CloudFormation and SAM templates (fixtures in tests/fixtures/iam/cloudformation/)."""
from pathlib import Path

import pytest

from iacguard import engine
from iacguard.core.unknown import is_unknown
from iacguard.facts import iam_cloudformation
from iacguard.iam.model import ALLOW, BOUNDARY, DENY, IDENTITY, RESOURCE, SCP, TRUST, Condition

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "iam" / "cloudformation"


def _collect(case):
    got = {}
    engine.scan([str(FIXTURES / case)], postprocess=[lambda report, graph: got.setdefault("graph", graph)])
    return iam_cloudformation.collect(got["graph"])


@pytest.fixture(scope="module")
def principals_case():
    return _collect("yaml_principals")


def _lines(loc):
    return (loc.start_line, loc.end_line)


def _principal(collected, address):
    return {p.resource.id.split("#")[1]: p for p in collected.principals}[address]


def test_role_policies_and_statements(principals_case):
    app = _principal(principals_case, "App")
    assert (app.kind, app.name) == ("role", "app")
    assert [p.name for p in app.identity_policies] == [
        'App Policies "s3"', 'Extra "extra"', "Shared", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    inline, extra, shared, basic = app.identity_policies
    read, deny = inline.statements
    assert (read.sid, read.effect, read.actions, read.resources, _lines(read.location)) == (
        "ReadData", ALLOW, ("s3:GetObject", "s3:ListBucket"), ("arn:aws:s3:::data-bucket/*", "arn:aws:s3:::data-bucket"),
        (28, 36))
    assert read.conditions == (Condition("StringEquals", "aws:PrincipalTag/team", ("data", "ops")),)
    assert (deny.effect, deny.actions, deny.not_actions, deny.resources, _lines(deny.location)) == (
        DENY, None, ("s3:*",), ("*",), (37, 39))
    # A JSON string document: its statements are located at the property.
    assert [(s.actions, _lines(s.location)) for s in extra.statements] == [(("sns:Publish",), (54, 54))]
    assert [(s.actions, _lines(s.location)) for s in shared.statements] == [(("sqs:SendMessage",), (46, 48))]
    assert basic.resource is None and basic.statements[0].actions[0] == "logs:CreateLogGroup"
    assert {p.kind for p in app.identity_policies} == {IDENTITY}


def test_role_unresolved_boundary_and_trust(principals_case):
    app = _principal(principals_case, "App")
    assert [u.reason for u in app.unresolved] == [
        "AWS managed policy arn:aws:iam::aws:policy/AmazonMQFullAccess is not shipped with iacguard",
        "managed policy ARN is not known (value imported from another stack (other-stack-policy))"]
    assert (app.boundary.kind, app.boundary.name, app.boundary.unknown) == (
        BOUNDARY, "arn:aws:iam::aws:policy/PowerUserAccess", None)
    assert app.boundary.statements[0].not_actions[0] == "iam:*"
    trust = app.trust
    assert (trust.kind, trust.name, _lines(trust.location)) == (TRUST, "App AssumeRolePolicyDocument", (11, 16))
    [st] = trust.statements
    assert (st.effect, st.actions, st.principals, _lines(st.location)) == (
        ALLOW, ("sts:AssumeRole",), {"Service": ("ec2.amazonaws.com",)}, (14, 16))
    [rp] = [r for r in principals_case.resource_policies if r.policy is trust]
    assert rp.resource is app.resource


def test_groups_and_users(principals_case):
    devs = _principal(principals_case, "Devs")
    ops = _principal(principals_case, "Ops")
    alice = _principal(principals_case, "Alice")
    assert [p.name for p in devs.identity_policies] == ['DevPolicy "dev"']
    [st] = devs.identity_policies[0].statements  # Statement as a single mapping
    assert (st.actions, _lines(st.location)) == (("ec2:Describe*",), (65, 68))
    assert is_unknown(ops.name) and ops.identity_policies == ()
    # Groups (property) and AWS::IAM::UserToGroupAddition; a user gets its groups' policies.
    assert [g.resource.address for g in alice.groups] == ["Devs", "Ops"]
    assert alice.groups[0] is devs
    assert [p.name for p in alice.identity_policies] == ['DevPolicy "dev"']
    assert alice.trust is None and alice.boundary is None


def test_resource_policies_and_guardrails():
    c = _collect("json_resource_policies")
    by = {(rp.resource.address, rp.policy.name): rp for rp in c.resource_policies}
    assert sorted(by) == [("Fn", "FnPermission"), ("Key", "Key KeyPolicy"), ("Logs", "LogsPolicy"),
                          ("Queue", "QueuePolicy"), ("Repo", "Repo RepositoryPolicyText"),
                          ("Secret", "SecretPolicy"), ("Topic", "TopicPolicy")]
    [public] = by["Logs", "LogsPolicy"].policy.statements
    assert (public.sid, public.principals, public.resources, _lines(public.location)) == (
        "Public", "*", ("arn:aws:s3:::logs-bucket/*",), (11, 17))
    [queue] = by["Queue", "QueuePolicy"].policy.statements
    assert queue.principals == {"Service": ("sns.amazonaws.com",)}
    assert queue.conditions[0].key == "aws:SourceArn" and is_unknown(queue.conditions[0].values[0])
    assert by["Key", "Key KeyPolicy"].policy.statements[0].principals == {"AWS": ("arn:aws:iam::111122223333:root",)}
    assert by["Secret", "SecretPolicy"].policy.statements[0].effect == DENY
    assert by["Repo", "Repo RepositoryPolicyText"].policy.statements[0].principals == {"AWS": ("444455556666",)}
    [perm] = by["Fn", "FnPermission"].policy.statements
    assert (perm.effect, perm.actions, perm.principals, perm.conditions) == (
        ALLOW, ("lambda:InvokeFunction",), {"Service": ("s3.amazonaws.com",)},
        (Condition("ArnLike", "aws:SourceArn", ("arn:aws:s3:::logs-bucket",)),
         Condition("StringEquals", "aws:SourceAccount", ("111122223333",))))
    assert {rp.policy.kind for rp in c.resource_policies} == {RESOURCE}
    # SCPs: the root target applies, the OU target may; a tag policy is no guardrail.
    [deployer] = c.principals
    assert [g.name for g in deployer.guardrails] == ["DenyRegions"]
    assert deployer.guardrails[0].kind == SCP
    assert deployer.guardrails[0].statements[0].conditions == (
        Condition("StringNotEquals", "aws:RequestedRegion", ("eu-west-1",)),)
    assert deployer.guardrails[0].level == "root"
    # The OU's SCP may apply: kept as a Policy (its document is known), saying why it may.
    [maybe] = deployer.unresolved_guardrails
    assert (maybe.name, maybe.kind, maybe.applies.reason) == ("OuGuard", SCP,
        "SCP OuGuard may apply to this account (it is attached to an organizational unit or an account that may "
        "hold this principal)")
    assert sorted(p.name for p in c.policies if p.kind == SCP) == ["DenyRegions", "OuGuard"]


def test_sam_templates_managed_names_and_nested_if():
    c = _collect("sam_templates")
    roles = {p.resource.id.split("#")[1]: p for p in c.principals}
    assert sorted(roles) == ["WorkerRole?IsProd=false", "WorkerRole?IsProd=true"]
    prod, other = roles["WorkerRole?IsProd=true"], roles["WorkerRole?IsProd=false"]
    names = ['WorkerRole Policies "WorkerRolePolicy0"', 'WorkerRole Policies "WorkerRolePolicy1"',
             'WorkerRole Policies "WorkerRolePolicy2"',
             "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
             "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    assert [p.name for p in prod.identity_policies] == names + ["arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess"]
    assert [p.name for p in other.identity_policies] == names
    dynamo, sqs, missing = prod.identity_policies[:3]
    # Policy templates from SAM's data, located at the SAM source lines.
    [st] = dynamo.statements
    assert st.actions == ("dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem",
                          "dynamodb:DescribeTable")
    assert _lines(st.location) == (20, 21) and len(st.resources) == 2
    assert sqs.statements[0].actions[0] == "sqs:ChangeMessageVisibility" and _lines(sqs.statements[0].location) == (22, 22)
    assert missing.unknown.reason == "SAM policy template NoSuchTemplatePolicy is not expanded"
    assert _lines(missing.location) == (23, 24) and missing.statements == ()
    assert prod.trust.statements[0].principals == {"Service": ("lambda.amazonaws.com",)}
    assert prod.unresolved == () and other.unresolved == ()


def test_sam_template_parameter_not_given_stays_unknown():
    from iacguard.cloudformation.sam import _policy_template

    [st] = _policy_template("SQSPollerPolicy", {})
    queue = st["Resource"]["Fn::Sub"][1]["queueName"]
    assert is_unknown(queue) and queue.reason == "policy template parameter QueueName not given"
    [st] = _policy_template("S3ReadPolicy", {"BucketName": "b"})[:1]
    assert st["Resource"][0] == {"Fn::Sub": ["arn:${AWS::Partition}:s3:::${bucketName}", {"bucketName": "b"}]}
    assert _policy_template("NoSuch", {}) is None and _policy_template(["x"], {}) is None


def test_arns_remembered_while_collecting():
    """arns.remembered: an ARN computed once per resource inside the span, as it is computed
    outside it; the table goes when the span ends."""
    from iacguard.facts import arns

    got = {}
    engine.scan([str(FIXTURES / "yaml_principals")], postprocess=[lambda report, graph: got.setdefault("graph", graph)])
    graph = got["graph"]
    plain = [(r.id, arns.arn_of(graph, r)) for r in graph.resources]
    with arns.remembered(graph):
        with arns.remembered(graph):  # nested: shares the outer table
            once = [(r.id, arns.arn_of(graph, r)) for r in graph.resources]
        again = [arns.arn_of(graph, r) for r in graph.resources]
        assert all(a is b for (_, a), b in zip(once, again))
    assert getattr(graph, "_arns_memo", None) is None
    assert [(i, str(a), getattr(a, "partial_text", None) and len(a.partial_text)) for i, a in once] == \
        [(i, str(a), getattr(a, "partial_text", None) and len(a.partial_text)) for i, a in plain]
    assert iam_cloudformation.collect(graph) is not None and getattr(graph, "_arns_memo", None) is None
