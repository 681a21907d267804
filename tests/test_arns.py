"""iacguard.facts.arns: the ARN of each table row in both languages, with known and unknown
names, regions and accounts; resolve() of symbolic pieces."""
from __future__ import annotations

import os

import pytest

from iacguard.core.unknown import AttributeUnknown, PartialUnknown, Unknown
from iacguard.engine import scan
from iacguard.facts.arns import ROWS, account_of, arn_of, resolve



def au(node, attribute):
    return ("AU", node, attribute)


def shape(v):
    """AttributeUnknown as ("AU", node, attribute), a PartialUnknown's text as ("PT", pieces...),
    other Unknowns as "U"; lists item by item."""
    if type(v) is AttributeUnknown and v.attribute == "account_id" and v.node.startswith("account:"):
        return "U"  # an unknown account: its symbol is tested in test_unknown_account_is_shared_per_deployment
    if type(v) is AttributeUnknown and v.attribute == "region" and v.node.startswith("region:"):
        return "U"  # an unknown region: one symbol per provider configuration (tests/iam/test_simulate_table.py)
    if isinstance(v, AttributeUnknown):  # a NameUnknown too (a name inside an ARN)
        return au(v.node, v.attribute)
    if type(v) is PartialUnknown:
        return ("PT",) + tuple(shape(p) for p in v.partial_text)
    if isinstance(v, Unknown):
        return "U"
    if isinstance(v, list):
        return [shape(x) for x in v]
    return v


def _graph(tmp_path, files: dict):
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    found = []
    scan([str(tmp_path)], postprocess=[lambda result, graph: found.append(graph)])
    return found[0]


# Terraform: type, name argument(s), expected ARN with provider us-east-1 / 111122223333.
TF_ROWS = [
    ("aws_s3_bucket", 'bucket = "alpha"', "arn:aws:s3:::alpha"),
    ("aws_iam_role", 'name = "app"\n path = "/svc/"', "arn:aws:iam::111122223333:role/svc/app"),
    ("aws_iam_user", 'name = "bob"', "arn:aws:iam::111122223333:user/bob"),
    ("aws_iam_group", 'name = "ops"', "arn:aws:iam::111122223333:group/ops"),
    ("aws_iam_policy", 'name = "p"\n policy = "{}"', "arn:aws:iam::111122223333:policy/p"),
    ("aws_iam_instance_profile", 'name = "ip"', "arn:aws:iam::111122223333:instance-profile/ip"),
    ("aws_sqs_queue", 'name = "jobs"', "arn:aws:sqs:us-east-1:111122223333:jobs"),
    ("aws_sns_topic", 'name = "news"', "arn:aws:sns:us-east-1:111122223333:news"),
    ("aws_kms_alias", 'name = "alias/k"', "arn:aws:kms:us-east-1:111122223333:alias/k"),
    ("aws_lambda_function", 'function_name = "fn"', "arn:aws:lambda:us-east-1:111122223333:function:fn"),
    ("aws_dynamodb_table", 'name = "t"', "arn:aws:dynamodb:us-east-1:111122223333:table/t"),
    ("aws_ecr_repository", 'name = "repo"', "arn:aws:ecr:us-east-1:111122223333:repository/repo"),
    ("aws_cloudwatch_log_group", 'name = "/app/logs"', "arn:aws:logs:us-east-1:111122223333:log-group:/app/logs"),
    ("aws_ssm_parameter", 'name = "cfg"', "arn:aws:ssm:us-east-1:111122223333:parameter/cfg"),
    ("aws_sfn_state_machine", 'name = "sm"', "arn:aws:states:us-east-1:111122223333:stateMachine:sm"),
    ("aws_kinesis_stream", 'name = "st"', "arn:aws:kinesis:us-east-1:111122223333:stream/st"),
    ("aws_cloudwatch_event_bus", 'name = "bus"', "arn:aws:events:us-east-1:111122223333:event-bus/bus"),
]

PROVIDER = 'provider "aws" {\n  region = "us-east-1"\n  allowed_account_ids = ["111122223333"]\n}\n'


@pytest.fixture(scope="module")
def tf_graph(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tf")
    text = PROVIDER + "".join('resource "%s" "x" {\n %s\n}\nresource "%s" "anon" {}\n' % (t, args, t) for t, args, _ in TF_ROWS)
    text += 'resource "aws_kms_key" "k" {}\nresource "aws_secretsmanager_secret" "s" {\n name = "db"\n}\n'
    text += 'resource "aws_s3_bucket" "pre" {\n bucket_prefix = "logs-"\n}\nresource "aws_vpc" "v" {}\n'
    return _graph(tmp, {"main.tf": text})


@pytest.mark.parametrize("rtype, args, expected", TF_ROWS, ids=[r[0] for r in TF_ROWS])
def test_terraform_arn_known(tf_graph, rtype, args, expected):
    res = tf_graph.resource("tf:.:%s.x" % rtype)
    assert arn_of(tf_graph, res) == expected
    assert type(arn_of(tf_graph, res)) is str
    # The ARN and the name read back through the attributes that give them.
    row = ROWS[rtype]
    assert resolve(tf_graph, AttributeUnknown("r", res.id, "arn")) == expected
    name = res.properties[row.name]
    if row.slash and not name.startswith("/"):
        name = "/" + name
    assert resolve(tf_graph, AttributeUnknown("r", res.id, row.name)) == name


@pytest.mark.parametrize("rtype, args, expected", TF_ROWS, ids=[r[0] for r in TF_ROWS])
def test_terraform_arn_generated_name_is_symbolic(tf_graph, rtype, args, expected):
    res = tf_graph.resource("tf:.:%s.anon" % rtype)
    row = ROWS[rtype]
    value = arn_of(tf_graph, res)
    assert type(value) is PartialUnknown
    # the known text before the name is the same as with a known name (no path: "/")
    named = tf_graph.resource("tf:.:%s.x" % rtype).properties[row.name]
    prefix = expected[: expected.rindex(named)].replace("/svc/", "/")
    if row.slash:
        prefix = prefix[:-1]  # an unknown name keeps its own leading "/"
    assert shape(value) == ("PT", prefix, au(res.id, row.symbol))


def test_terraform_generated_parts(tf_graph):
    key = tf_graph.resource("tf:.:aws_kms_key.k")
    assert shape(arn_of(tf_graph, key)) == ("PT", "arn:aws:kms:us-east-1:111122223333:key/", au(key.id, "key_id"))
    secret = tf_graph.resource("tf:.:aws_secretsmanager_secret.s")
    assert shape(arn_of(tf_graph, secret)) == ("PT", "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-", au(secret.id, "random_suffix"))
    pre = tf_graph.resource("tf:.:aws_s3_bucket.pre")
    assert shape(arn_of(tf_graph, pre)) == ("PT", "arn:aws:s3:::logs-", au(pre.id, "bucket"))
    # `id` of a key is its key id: the same symbol as `key_id`
    assert shape(resolve(tf_graph, AttributeUnknown("r", key.id, "id"))) == au(key.id, "key_id")
    # a type without a row stays the symbolic ARN of that resource
    vpc = tf_graph.resource("tf:.:aws_vpc.v")
    assert shape(arn_of(tf_graph, vpc)) == au(vpc.id, "arn")
    assert account_of(tf_graph, vpc) == "111122223333"


def test_terraform_unknown_region_and_account_partitions(tmp_path):
    graph = _graph(tmp_path, {"main.tf": """
provider "aws" {
  alias  = "cn"
  region = "cn-north-1"
  assume_role {
    role_arn = "arn:aws-cn:iam::444455556666:role/deploy"
  }
}
provider "aws" {
  alias  = "gov"
  region = "us-gov-west-1"
}
resource "aws_sqs_queue" "none" {
  name = "q"
}
resource "aws_sqs_queue" "cn" {
  provider = aws.cn
  name     = "q"
}
resource "aws_s3_bucket" "gov" {
  provider = aws.gov
  bucket   = "b"
}
"""})
    none = graph.resource("tf:.:aws_sqs_queue.none")
    value = arn_of(graph, none)
    assert shape(value) == ("PT", "arn:aws:sqs:", "U", ":", "U", ":q")
    assert value.partial_text[3].reason == "account id of aws_sqs_queue.none is known at deploy"
    assert value.partial_text[1].reason.startswith("region of aws_sqs_queue.none is not known")
    assert isinstance(account_of(graph, none), Unknown)
    assert arn_of(graph, graph.resource("tf:.:aws_sqs_queue.cn")) == "arn:aws-cn:sqs:cn-north-1:444455556666:q"
    assert arn_of(graph, graph.resource("tf:.:aws_s3_bucket.gov")) == "arn:aws-us-gov:s3:::b"


def test_resolve_terraform_policy_pieces(tmp_path):
    graph = _graph(tmp_path, {"main.tf": PROVIDER + """
resource "aws_s3_bucket" "a" {
  bucket = "alpha"
}
resource "aws_s3_bucket" "g" {}
resource "aws_iam_role" "r" {
  name = "app"
}
data "aws_caller_identity" "me" {}
data "aws_partition" "p" {}
resource "aws_iam_policy" "pol" {
  policy = jsonencode({ Resource = [
    "${aws_s3_bucket.a.arn}/*",
    "${aws_s3_bucket.g.arn}/*",
    "arn:${data.aws_partition.p.partition}:iam::${data.aws_caller_identity.me.account_id}:role/${aws_iam_role.r.name}",
    aws_s3_bucket.g.id,
    "plain",
  ] })
}
"""})
    items = graph.resource("tf:.:aws_iam_policy.pol").properties["policy"].partial_value["Resource"]
    out = resolve(graph, items)
    assert isinstance(out, list)
    g = "tf:.:aws_s3_bucket.g"
    assert shape(out) == [
        "arn:aws:s3:::alpha/*",
        ("PT", "arn:aws:s3:::", au(g, "bucket"), "/*"),
        "arn:aws:iam::111122223333:role/app",
        au(g, "bucket"),
        "plain",
    ]
    # nothing to resolve: the value itself comes back
    u = AttributeUnknown("r", "tf:.:nowhere", "arn")
    assert resolve(graph, u) is u
    plain = Unknown("x")
    assert resolve(graph, plain) is plain


def test_resolve_is_bounded(tf_graph):
    res = tf_graph.resource("tf:.:aws_sqs_queue.anon")  # each resolves to several pieces
    many = PartialUnknown("r", partial_text=tuple(AttributeUnknown("r", res.id, "arn") for _ in range(40)))
    out = resolve(tf_graph, many)
    assert len(out.partial_text) <= 64
    assert type(out.partial_text[-1]) is AttributeUnknown and out.partial_text[-1].attribute == "arn"  # left symbolic
    too_long = PartialUnknown("r", partial_text=tuple(["x", AttributeUnknown("r", res.id, "arn")] * 40))
    assert resolve(tf_graph, too_long) is too_long


# CloudFormation: type, name property, value, expected ARN (account and region unknown).
CFN_ROWS = [
    ("AWS::S3::Bucket", "BucketName", "alpha", ("arn:aws:s3:::alpha",)),
    ("AWS::IAM::Role", "RoleName", "app", ("arn:aws:iam::", "U", ":role/app")),
    ("AWS::IAM::User", "UserName", "bob", ("arn:aws:iam::", "U", ":user/bob")),
    ("AWS::IAM::Group", "GroupName", "ops", ("arn:aws:iam::", "U", ":group/ops")),
    ("AWS::IAM::ManagedPolicy", "ManagedPolicyName", "p", ("arn:aws:iam::", "U", ":policy/p")),
    ("AWS::IAM::InstanceProfile", "InstanceProfileName", "ip", ("arn:aws:iam::", "U", ":instance-profile/ip")),
    ("AWS::SQS::Queue", "QueueName", "jobs", ("arn:aws:sqs:", "U", ":", "U", ":jobs")),
    ("AWS::SNS::Topic", "TopicName", "news", ("arn:aws:sns:", "U", ":", "U", ":news")),
    ("AWS::KMS::Alias", "AliasName", "alias/k", ("arn:aws:kms:", "U", ":", "U", ":alias/k")),
    ("AWS::SecretsManager::Secret", "Name", "db", ("arn:aws:secretsmanager:", "U", ":", "U", ":secret:db-", "SUFFIX")),
    ("AWS::Lambda::Function", "FunctionName", "fn", ("arn:aws:lambda:", "U", ":", "U", ":function:fn")),
    ("AWS::DynamoDB::Table", "TableName", "t", ("arn:aws:dynamodb:", "U", ":", "U", ":table/t")),
    ("AWS::ECR::Repository", "RepositoryName", "repo", ("arn:aws:ecr:", "U", ":", "U", ":repository/repo")),
    ("AWS::Logs::LogGroup", "LogGroupName", "/app", ("arn:aws:logs:", "U", ":", "U", ":log-group:/app:*")),
    ("AWS::SSM::Parameter", "Name", "/cfg", ("arn:aws:ssm:", "U", ":", "U", ":parameter/cfg")),
    ("AWS::StepFunctions::StateMachine", "StateMachineName", "sm", ("arn:aws:states:", "U", ":", "U", ":stateMachine:sm")),
    ("AWS::Kinesis::Stream", "Name", "st", ("arn:aws:kinesis:", "U", ":", "U", ":stream/st")),
    ("AWS::Events::EventBus", "Name", "bus", ("arn:aws:events:", "U", ":", "U", ":event-bus/bus")),
]


def _logical(rtype: str) -> str:
    return rtype.replace("AWS::", "").replace("::", "")


@pytest.fixture(scope="module")
def cfn_graph(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cfn")
    lines = ["Resources:"]
    for rtype, prop, value, _ in CFN_ROWS:
        lines += ["  N%s:" % _logical(rtype), "    Type: %s" % rtype, "    Properties:", "      %s: %s" % (prop, value)]
        lines += ["  G%s:" % _logical(rtype), "    Type: %s" % rtype]
    lines += ["  Key:", "    Type: AWS::KMS::Key"]
    return _graph(tmp, {"t.yaml": "\n".join(lines) + "\n"})


@pytest.mark.parametrize("rtype, prop, value, expected", CFN_ROWS, ids=[r[0] for r in CFN_ROWS])
def test_cloudformation_arn(cfn_graph, rtype, prop, value, expected):
    res = cfn_graph.resource("cfn:t.yaml#N%s" % _logical(rtype))
    row = ROWS[rtype]
    want = tuple(au(res.id, row.suffix) if p == "SUFFIX" else p for p in expected)
    got = arn_of(cfn_graph, res)
    assert (got if isinstance(got, str) else shape(got)[1:]) == (want[0] if len(want) == 1 else want)
    if len(want) > 1 and "U" in want:
        account = next(p for p in got.partial_text if isinstance(p, Unknown) and "account" in p.reason)
        assert account.reason == "account id of %s is known at deploy" % res.address
    # GetAtt Arn (and Ref where Ref is the ARN) resolve to it
    assert shape(resolve(cfn_graph, AttributeUnknown("r", res.id, "Arn"))) == shape(got)
    for attr in row.arn_attrs:
        assert shape(resolve(cfn_graph, AttributeUnknown("r", res.id, attr))) == shape(got)
    for attr in row.name_attrs:
        assert resolve(cfn_graph, AttributeUnknown("r", res.id, attr)) == value


@pytest.mark.parametrize("rtype, prop, value, expected", CFN_ROWS, ids=[r[0] for r in CFN_ROWS])
def test_cloudformation_generated_name(cfn_graph, rtype, prop, value, expected):
    res = cfn_graph.resource("cfn:t.yaml#G%s" % _logical(rtype))
    row = ROWS[rtype]
    got = shape(arn_of(cfn_graph, res))
    assert au(res.id, row.symbol) in got
    assert got[1] == expected[0].replace("alpha", "")


def test_cloudformation_ref_meanings(cfn_graph):
    # Ref of a queue is its URL: not resolved; of a topic, a managed policy, a secret, a state
    # machine: the ARN; of a bucket or a role: the name.
    assert "Ref" not in ROWS["AWS::SQS::Queue"].arn_attrs + ROWS["AWS::SQS::Queue"].name_attrs
    for t in ("AWS::SNS::Topic", "AWS::IAM::ManagedPolicy", "AWS::SecretsManager::Secret", "AWS::StepFunctions::StateMachine"):
        assert "Ref" in ROWS[t].arn_attrs, t
    for t in ("AWS::S3::Bucket", "AWS::IAM::Role", "AWS::Lambda::Function"):
        assert "Ref" in ROWS[t].name_attrs, t
    q = cfn_graph.resource("cfn:t.yaml#NSQSQueue")
    u = AttributeUnknown("r", q.id, "Ref")
    assert resolve(cfn_graph, u) is u
    key = cfn_graph.resource("cfn:t.yaml#Key")
    assert shape(arn_of(cfn_graph, key)) == ("PT", "arn:aws:kms:", "U", ":", "U", ":key/", au(key.id, "Ref"))
    assert shape(resolve(cfn_graph, AttributeUnknown("r", key.id, "KeyId"))) == au(key.id, "Ref")


def test_unknown_account_is_shared_per_deployment(tmp_path):
    """Resources of one root and one provider account share the symbol of their unknown account
    (the evaluator then knows they are in one account); another root's resources do not."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "main.tf").write_text('resource "aws_sqs_queue" "q" { name = "q" }\nresource "aws_iam_role" "r" { name = "r" }\n')
    (tmp_path / "b" / "main.tf").write_text('resource "aws_iam_role" "r" { name = "r" }\n')
    found = []
    scan([str(tmp_path)], postprocess=[lambda result, graph: found.append(graph)])
    graph = found[0]
    by = {(os.path.basename(r.meta.get("root_module", "")), r.address): r for r in graph.resources}
    q, r, other = by[("a", "aws_sqs_queue.q")], by[("a", "aws_iam_role.r")], by[("b", "aws_iam_role.r")]
    aq, ar, ao = account_of(graph, q), account_of(graph, r), account_of(graph, other)
    assert type(aq) is AttributeUnknown and aq.attribute == "account_id"
    assert (aq.node, aq.attribute) == (ar.node, ar.attribute)
    assert ao.node != aq.node
    assert aq.reason == "account id of aws_sqs_queue.q is known at deploy"


def _join_long_way(pieces):
    """arns._join as it was written before the one-pass flags: merge adjacent text, then ask
    whether every piece is text."""
    from iacguard.core.unknown import PartialUnknown, Unknown

    out = []
    for p in pieces:
        if isinstance(p, str):
            if not p:
                continue
            if out and isinstance(out[-1], str):
                p = out.pop() + p
        out.append(p)
    if all(isinstance(p, str) for p in out):
        return "".join(out)
    if len(out) == 1:
        return out[0]
    first = next(p for p in out if isinstance(p, Unknown))
    return PartialUnknown(first.reason, partial_text=tuple(out))


def test_join_answers_as_the_long_way():
    import random

    from iacguard.core.unknown import AttributeUnknown, PartialUnknown, Unknown
    from iacguard.facts.arns import _join

    rng = random.Random(20)
    choices = ["", "arn:", "aws", ":", "/", Unknown("u"), AttributeUnknown("a", "node", "arn"),
               PartialUnknown("p", partial_text=("x", Unknown("q")))]
    for _ in range(2000):
        pieces = [rng.choice(choices) for _ in range(rng.randrange(0, 7))]
        got, want = _join(list(pieces)), _join_long_way(list(pieces))
        assert type(got) is type(want) and repr(got) == repr(want)
        if isinstance(want, str):
            assert got == want
        elif any(want is p for p in pieces):
            assert got is want  # a lone piece, returned as itself
        else:  # a PartialUnknown made of the pieces (Unknowns compare equal to any Unknown: by identity)
            assert got.reason == want.reason and len(got.partial_text) == len(want.partial_text)
            assert all(a == b if isinstance(b, str) else a is b for a, b in zip(got.partial_text, want.partial_text))
