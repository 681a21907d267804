"""The account and region of one deployment are one symbol each: a policy naming
`${AWS::AccountId}` (CloudFormation) or `data.aws_caller_identity.current.account_id`
(Terraform) matches a resource of the same deployment whose name holds the same unknown
account, and does not match one of another template or root (which may deploy elsewhere)."""
from __future__ import annotations

from iacguard.engine import build_graph
from iacguard.facts.iam_access import Authorization

CFN = """
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "logs-${AWS::AccountId}-${AWS::Region}"
  Writer:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: write
          PolicyDocument:
            Statement:
              - Sid: WriteLogs
                Effect: Allow
                Action: s3:PutObject
                Resource: !Sub "arn:${AWS::Partition}:s3:::logs-${AWS::AccountId}-${AWS::Region}/*"
"""

OTHER = """
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "logs-${AWS::AccountId}-${AWS::Region}"
"""

TF = """
data "aws_caller_identity" "current" {}
resource "aws_s3_bucket" "logs" {
  bucket = "logs-${data.aws_caller_identity.current.account_id}"
}
resource "aws_iam_role" "writer" {
  name               = "writer"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}
resource "aws_iam_role_policy" "write" {
  role = aws_iam_role.writer.id
  policy = jsonencode({
    Statement = [{ Sid = "WriteLogs", Effect = "Allow", Action = "s3:PutObject",
                   Resource = "arn:aws:s3:::logs-${data.aws_caller_identity.current.account_id}/*" }]
  })
}
"""


def _ask(path, principal, resource, action="s3:PutObject"):
    auth = Authorization(build_graph([str(path)]).graph)
    return auth.simulate(auth.principal(principal), action, auth.target(resource))


def test_cloudformation_account_and_region_of_one_stack_match(tmp_path):
    (tmp_path / "t.yaml").write_text(CFN)
    decision = _ask(tmp_path, "Writer", "Logs/2026/app.log")
    assert decision.decision == "allow", decision.reason
    assert [d.statement.sid for d in decision.statements] == ["WriteLogs"]
    assert _ask(tmp_path, "Writer", "Logs/x", "s3:DeleteObject").decision == "implicit-deny"


def test_cloudformation_another_template_may_be_another_account(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "t.yaml").write_text(CFN)
    (tmp_path / "b.yaml").write_text(OTHER)
    auth = Authorization(build_graph([str(tmp_path)]).graph)
    other = next(r for r in auth.graph.resources if r.address == "Logs" and r.location.path.endswith("b.yaml"))
    # Both templates have a "Logs": build the target of b.yaml's bucket as `target()` would.
    from iacguard.facts import arns
    from iacguard.facts.iam_access import Target

    arn = arns.arn_of(auth.graph, other)
    target = Target(arn, arns.account_of(auth.graph, other), (), other)
    decision = auth.simulate(auth.principal("Writer"), "s3:PutObject", target)
    assert decision.decision == "unknown" and "AWS::AccountId" in decision.reason


def test_terraform_caller_identity_matches_the_same_root(tmp_path):
    (tmp_path / "main.tf").write_text(TF)
    decision = _ask(tmp_path, "aws_iam_role.writer", "aws_s3_bucket.logs/k")
    assert decision.decision == "allow", decision.reason
    assert [d.statement.sid for d in decision.statements] == ["WriteLogs"]
