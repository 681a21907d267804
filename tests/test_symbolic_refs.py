"""Unknown values that remember which resource attribute they stand for (AttributeUnknown), in
both languages: direct references, template pieces, count/for_each instances, module outputs,
jsonencode(), data.aws_iam_policy_document.json, CloudFormation Ref/GetAtt/Sub/Join."""
from __future__ import annotations

import pickle

from iacguard.core.unknown import AttributeUnknown, PartialUnknown, Unknown
from iacguard.engine import scan
from iacguard.terraform import expressions


def _graph(tmp_path, files: dict):
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    found = []
    scan([str(tmp_path)], postprocess=[lambda result, graph: found.append(graph)])
    return found[0]


def _props(graph, node):
    res = graph.resource(node)
    assert res is not None, node
    return res.properties


def au(node, attribute):
    return ("AU", node, attribute)


def shape(v):
    """A comparable picture of a value: AttributeUnknown as ("AU", node, attribute), a
    PartialUnknown's text as ("PT", pieces...), other Unknowns as "U"."""
    if type(v) is AttributeUnknown:
        return au(v.node, v.attribute)
    if type(v) is PartialUnknown:
        if v.partial_text is not None:
            return ("PT",) + tuple(shape(p) for p in v.partial_text)
        return ("PV", shape(v.partial_value))
    if isinstance(v, Unknown):
        return "U"
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [shape(x) for x in v]
    return v


TF = {
    "main.tf": """
resource "aws_s3_bucket" "data" {}
resource "aws_s3_bucket" "many" {
  count = 2
}
resource "aws_s3_bucket" "each" {
  for_each = toset(["a", "b"])
}
data "aws_iam_policy_document" "doc" {
  statement {
    resources = ["${aws_s3_bucket.data.arn}/*", aws_s3_bucket.many[1].arn, aws_s3_bucket.each["b"].arn]
  }
}
module "m" {
  source = "./mod"
  target = aws_s3_bucket.data.arn
}
locals {
  arn = aws_s3_bucket.data.arn
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Resource = [local.arn, module.m.out, "${module.m.out}/x", module.m.q, upper(aws_s3_bucket.data.arn)] })
  description = data.aws_iam_policy_document.doc.json
  name = aws_s3_bucket.data.tags.x
}
resource "aws_iam_role_policy" "rp" {
  role   = aws_s3_bucket.data.arn == "x" ? "a" : "b"
  policy = aws_s3_bucket.data.versioning[0].enabled
  name   = [for b in aws_s3_bucket.many : b.arn]
}
""",
    "mod/main.tf": """
variable "target" {
  type = string
}
resource "aws_sqs_queue" "q" {}
output "out" { value = var.target }
output "q" { value = aws_sqs_queue.q.arn }
""",
}

DATA = "tf:.:aws_s3_bucket.data"


def test_terraform_references_keep_the_resource_and_attribute(tmp_path):
    graph = _graph(tmp_path, TF)
    doc = _props(graph, "tf:.:data.aws_iam_policy_document.doc")
    # a template suffix, a count instance, a for_each instance
    assert shape(doc["statement"][0]["resources"]) == [
        ("PT", au(DATA, "arn"), "/*"),
        au("tf:.:aws_s3_bucket.many[1]", "arn"),
        au('tf:.:aws_s3_bucket.each["b"]', "arn"),
    ]
    p = _props(graph, "tf:.:aws_iam_policy.p")
    # jsonencode keeps its argument; a local, a module output fed by a variable, a module's own
    # resource; a function of the attribute is no longer the attribute.
    assert shape(p["policy"]) == ("PV", {"Resource": [
        au(DATA, "arn"),
        au(DATA, "arn"),
        ("PT", au(DATA, "arn"), "/x"),
        au("tf:.:module.m.aws_sqs_queue.q", "arn"),
        "U",
    ]})
    assert shape(p["description"]) == au("tf:.:data.aws_iam_policy_document.doc", "json")
    assert shape(p["name"]) == "U"  # an attribute of an attribute is not that attribute


def test_operations_on_an_attribute_give_a_plain_unknown(tmp_path):
    graph = _graph(tmp_path, TF)
    rp = _props(graph, "tf:.:aws_iam_role_policy.rp")
    assert shape(rp["role"]) == "U"  # a condition on an attribute
    assert shape(rp["policy"]) == "U"  # a nested block (no node) read from the resource
    assert shape(rp["name"]) == [au("tf:.:aws_s3_bucket.many[0]", "arn"), au("tf:.:aws_s3_bucket.many[1]", "arn")]


def test_nested_blocks_have_no_node():
    obj = expressions.PartialObject({"b": [expressions.PartialObject()]})
    obj.node = "tf:.:aws_x.y"
    scope = expressions.Scope({"r": obj})
    from iacguard.terraform.parser import parse_expression

    v = expressions.evaluate(parse_expression("r.arn"), scope)
    assert type(v) is AttributeUnknown and (v.node, v.attribute) == ("tf:.:aws_x.y", "arn")
    v = expressions.evaluate(parse_expression('r["id"]'), scope)
    assert type(v) is AttributeUnknown and v.attribute == "id"
    v = expressions.evaluate(parse_expression("r.b[0].arn"), scope)
    assert type(v) is Unknown and v.reason == "attribute arn is known only after apply"


def test_attribute_unknown_is_an_unknown_and_pickles():
    u = AttributeUnknown("r", "tf:.:aws_s3_bucket.b", "arn")
    assert u == Unknown() and u != "x"
    try:
        bool(u)
    except TypeError:
        pass
    else:
        raise AssertionError("AttributeUnknown must have no truth value")
    back = pickle.loads(pickle.dumps(u))
    assert type(back) is AttributeUnknown and (back.reason, back.node, back.attribute) == ("r", "tf:.:aws_s3_bucket.b", "arn")
    assert expressions.PartialUnknown is PartialUnknown  # still importable from expressions


def test_cache_allows_the_symbolic_unknowns():
    from iacguard import cache

    assert ("iacguard.core.unknown", "AttributeUnknown") in cache._ALLOWED_NAMES
    assert ("iacguard.core.unknown", "PartialUnknown") in cache._ALLOWED_NAMES


CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Named:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
  Pol:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Description: !Ref Bucket
      PolicyDocument:
        Statement:
          - Effect: Allow
            Resource:
              - !Sub "${Bucket.Arn}/*"
              - !GetAtt Role.Arn
              - !Join ["", [!GetAtt Bucket.Arn, "/a/", !Ref Bucket, "/x"]]
              - !Sub "${Named.Arn}/*"
              - !Sub "arn:${AWS::Partition}:s3:::${Bucket}/${AWS::AccountId}"
              - !Join ["/", [!Sub "${Bucket.Arn}/p", !Ref Bucket]]
              - !Sub ["${X}-${Role}", {X: !GetAtt Role.RoleId}]
"""


def test_cloudformation_ref_getatt_sub_join(tmp_path):
    graph = _graph(tmp_path, {"t.yaml": CFN})
    b, r = "cfn:t.yaml#Bucket", "cfn:t.yaml#Role"
    pol = _props(graph, "cfn:t.yaml#Pol")
    assert shape(pol["Description"]) == au(b, "Ref")
    assert shape(pol["PolicyDocument"]["Statement"][0]["Resource"]) == [
        ("PT", au(b, "Arn"), "/*"),
        au(r, "Arn"),
        ("PT", au(b, "Arn"), "/a/", au(b, "Ref"), "/x"),
        "arn:aws:s3:::logs/*",
        ("PT", "arn:aws:s3:::", au(b, "Ref"), "/", "U"),
        ("PT", au(b, "Arn"), "/p/", au(b, "Ref")),
        ("PT", au(r, "RoleId"), "-", au(r, "Ref")),
    ]
    first = pol["PolicyDocument"]["Statement"][0]["Resource"][0]
    assert first.reason == "attribute Bucket.Arn is known after deploy"
