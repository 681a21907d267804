"""Shipped AWS managed policies (iacguard.iam.managed) and the statement reader (iacguard.iam.documents)."""
import pytest

from iacguard.core.unknown import is_unknown
from iacguard.iam import managed
from iacguard.iam.documents import document_unknown, read_document, statements_of
from iacguard.iam.model import ALLOW, BOUNDARY, DENY, Condition


def test_document_of_a_service_role_policy():
    doc = managed.document("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    assert doc["Statement"] == [{"Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                                 "Resource": "*", "Effect": "Allow"}]


def test_administrator_access_and_copy():
    doc = managed.document("arn:aws:iam::aws:policy/AdministratorAccess")
    assert doc["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    doc["Statement"].clear()  # callers get a copy
    assert managed.document("arn:aws:iam::aws:policy/AdministratorAccess")["Statement"]


def test_other_partition_moves_arns():
    doc = managed.document("arn:aws-cn:iam::aws:policy/AWSLambdaExecute")
    assert [s["Resource"] for s in doc["Statement"]] == ["arn:aws-cn:logs:*:*:*", "arn:aws-cn:s3:::*"]
    assert managed.document("arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess") is not None


@pytest.mark.parametrize("arn", [
    "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole",  # wrong path: AWS requires service-role/
    "arn:aws:iam::aws:policy/ViewOnlyAccess",  # it is under job-function/
    "arn:aws:iam::aws:policy/AmazonMQFullAccess",  # not shipped
    "arn:aws:iam::123456789012:policy/AdministratorAccess",  # a customer managed policy
    "AdministratorAccess", "", None, 42, ["arn:aws:iam::aws:policy/AdministratorAccess"],
    "arn:aws:iam::aws:policy/../AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess\n",
    "arn:aws:iam::aws:policy/" + "A" * 100000,
])
def test_not_shipped_or_hostile_is_none(arn):
    assert managed.document(arn) is None
    assert managed.policy(arn) is None


def test_policy_model():
    p = managed.policy("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", BOUNDARY)
    assert (p.kind, p.name, p.arn, p.resource, p.unknown) == (
        BOUNDARY, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        None, None)
    assert [(s.effect, s.actions, s.resources) for s in p.statements] == [
        (ALLOW, ("s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"), ("*",))]


REQUIRED = """AdministratorAccess PowerUserAccess IAMFullAccess ReadOnlyAccess job-function/ViewOnlyAccess SecurityAudit
AmazonS3FullAccess AmazonS3ReadOnlyAccess AmazonEC2FullAccess AmazonEC2ReadOnlyAccess AmazonDynamoDBFullAccess
AmazonDynamoDBReadOnlyAccess AmazonSQSFullAccess AmazonSNSFullAccess AWSLambda_FullAccess AWSLambda_ReadOnlyAccess
AWSLambdaExecute CloudWatchFullAccess CloudWatchLogsFullAccess AmazonECS_FullAccess AmazonEKSClusterPolicy
AmazonEKSWorkerNodePolicy AmazonEKS_CNI_Policy AmazonEC2ContainerRegistryReadOnly AmazonEC2ContainerRegistryFullAccess
AmazonSSMManagedInstanceCore AWSCloudFormationFullAccess SecretsManagerReadWrite AWSKeyManagementServicePowerUser
AmazonRDSFullAccess AmazonVPCFullAccess AWSCodeBuildAdminAccess service-role/AWSCodeDeployRole
service-role/AWSLambdaBasicExecutionRole service-role/AWSLambdaVPCAccessExecutionRole
service-role/AWSLambdaSQSQueueExecutionRole service-role/AWSLambdaKinesisExecutionRole
service-role/AWSLambdaDynamoDBExecutionRole service-role/AWSLambdaMSKExecutionRole
service-role/AmazonECSTaskExecutionRolePolicy service-role/AWSGlueServiceRole service-role/AmazonSSMAutomationRole
service-role/AWSConfigRole service-role/AWS_ConfigRole service-role/AmazonEC2RoleforSSM""".split()


def test_every_required_policy_is_shipped():
    assert {"arn:aws:iam::aws:policy/" + n for n in REQUIRED} <= set(managed.shipped())


def test_every_shipped_document_is_a_valid_policy():
    for arn in managed.shipped():
        p = managed.policy(arn)
        assert p.statements, arn
        for s in p.statements:
            assert s.effect in (ALLOW, DENY) and s.unknown is None, arn
            assert (s.actions is None) != (s.not_actions is None), arn
            assert all(isinstance(a, str) and ":" in a or a == "*" for a in s.actions or s.not_actions), arn
            assert s.principals is None and s.not_principals is None, arn
            assert isinstance(s.conditions, tuple), arn
    assert managed.source()["commit"] and "MAMIP" in managed.source()["from"]


def test_statement_reader_keeps_unknowns_and_shapes():
    from iacguard.core.unknown import Unknown

    u = Unknown("parameter X has no value")
    doc = {"Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*", u],
         "Principal": {"AWS": "123456789012"}, "Condition": {"Bool": {"aws:SecureTransport": False}}},
        u,
        {"Effect": "allow", "NotAction": [3], "NotResource": "*", "Principal": ["x"], "Condition": {"StringLike": u}},
        "junk",
    ]}
    a, b, c, d = statements_of(doc, None)
    assert (a.sid, a.effect, a.actions, a.resources, a.principals, a.conditions) == (
        "A", ALLOW, ("s3:GetObject",), ("arn:aws:s3:::b/*", u), {"AWS": ("123456789012",)},
        (Condition("Bool", "aws:SecureTransport", (False,)),))
    assert b.unknown is u and is_unknown(b.effect)
    assert is_unknown(c.effect) and "neither Allow nor Deny" in c.effect.reason
    assert is_unknown(c.not_actions[0]) and c.not_resources == ("*",)
    assert is_unknown(c.principals) and c.conditions is u
    assert d.unknown.reason == "statement is not a mapping"
    assert is_unknown(read_document("{not json")) and read_document('{"Statement": []}') == {"Statement": []}
    assert document_unknown({"Statement": u}) is u and document_unknown({"Statement": 3}).reason
    assert statements_of({"Statement": u}, None) == ()
