"""embedded_secrets' `_covered` asks a table made once per resource type: the same answers as
asking every path table for every value."""
from __future__ import annotations

from iacguard.core.model import Location, Resource
from iacguard.facts import secrets_b_text as sb
from iacguard.facts.identity_secrets_literals import CONTAINER_TYPES, FUNCTION_TYPES, SSM_TYPES, _PATHS, secret_name


def _former(res, path):
    if any(path[: len(p)] == p for p in sb.USER_DATA_PATHS.get(res.type, ())):
        return True
    for paths in _PATHS.values():
        if any(path[: len(p)] == p for p in paths.get(res.type, ())):
            return True
    if res.type in SSM_TYPES:
        return path[:1] in (("value",), ("insecure_value",), ("Value",))
    if res.type in FUNCTION_TYPES or res.type in CONTAINER_TYPES:
        return any(isinstance(p, str) and secret_name(p) for p in path)
    return False


def test_same_answers_for_every_type_and_path():
    types = set(sb.USER_DATA_PATHS) | set(SSM_TYPES) | set(FUNCTION_TYPES) | set(CONTAINER_TYPES)
    for paths in _PATHS.values():
        types |= set(paths)
    types |= {"AWS::S3::Bucket", "aws_s3_bucket", "Custom::Thing"}
    paths = {("value",), ("Value",), ("insecure_value",), ("x",), ("Environment", "Variables", "DB_PASSWORD"),
             ("environment", 0, "value"), ("Tags", 0, "Value"), ("UserData",), ("user_data",), ()}
    for table in [sb.USER_DATA_PATHS] + list(_PATHS.values()):
        for found in table.values():
            for p in found:
                paths |= {tuple(p), tuple(p) + ("deeper", 0), tuple(p)[:-1]}
    loc = Location("t", 1, 1, 1, 1)
    asked = 0
    for type_ in sorted(types):
        res = Resource("id", "addr", type_, "terraform", {}, loc)
        for path in sorted(paths, key=repr):
            assert sb._covered(res, path) == _former(res, path), (type_, path)
            assert sb._covered(res, path) == _former(res, path)  # from the table the first call made
            asked += 1
    assert asked > 100


def test_resolved_keeps_plain_elements_without_asking_for_each_item():
    """iam_access.resolved: an element none of whose items arns.resolve would replace is kept
    as it is (the same object), next to an element that resolved."""
    from iacguard.core.unknown import AttributeUnknown
    from iacguard.facts import arns, iam_access
    from iacguard.iam.model import Condition, Statement

    bucket = Resource(id="cfn:t.yaml:Logs", address="Logs", type="AWS::S3::Bucket", language="cloudformation",
                      properties={"BucketName": "logs"}, location=Location("t.yaml", 1, 2))
    asked = []

    class Graph:
        resources = [bucket]

        def resource(self, node):
            asked.append(node)
            return bucket if node == bucket.id else None

    arn = AttributeUnknown("arn of Logs", node=bucket.id, attribute="Arn")
    actions = ("s3:GetObject", "s3:PutObject")
    principals = {"AWS": ("arn:aws:iam::123456789012:root",)}
    conditions = (Condition("StringEquals", "aws:username", ("a", "b")),)
    st = Statement("Allow", actions=actions, resources=(arn, "*"), principals=principals, conditions=conditions)
    out = iam_access.resolved(Graph(), st)
    assert out.actions is actions and out.conditions is conditions and out.principals is principals
    assert out.resources == (arns.resolve(Graph(), arn), "*") and out.resources[0] != arn
