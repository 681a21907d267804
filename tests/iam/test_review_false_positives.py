"""False positives found by the accuracy review of real repositories (docs/finding-review.md),
each reproduced on a small self-written template."""
from __future__ import annotations

from iacguard.checks import REGISTRY
from iacguard.engine import scan

SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Policies:
        # SAM's own SQSPollerPolicy lists sqs:ChangeMessageVisibilityBatch and
        # sqs:DeleteMessageBatch, which the Service Authorization Reference does not define
        # (SQS authorises batches with the single actions): AWS's text, not the author's.
        - SQSPollerPolicy:
            QueueName: !GetAtt Jobs.QueueName
        # The same action written by the author is still reported.
        - Statement:
            - Effect: Allow
              Action: sqs:SendMessageBatch
              Resource: !GetAtt Jobs.Arn
"""


def _findings(tmp_path, text, check_id):
    (tmp_path / "template.yaml").write_text(text)
    check = next(c for c in REGISTRY if c.id == check_id)
    result = scan([str(tmp_path)], checks=[check], cwd=str(tmp_path))
    return result.findings


def test_sam_policy_template_is_not_validated(tmp_path):
    got = _findings(tmp_path, SAM, "AWS-IAM-010")
    assert [f.message.split(": ", 1)[1] for f in got] == [
        "action 'sqs:SendMessageBatch': sqs has no action 'SendMessageBatch'; did you mean 'sqs:SendMessage'?"]
    assert all("Policy1" in f.message for f in got)


def test_sam_policy_template_under_fn_if_is_not_validated(tmp_path):
    text = SAM.replace("""        - SQSPollerPolicy:
            QueueName: !GetAtt Jobs.QueueName
""", """        - !If
          - Poll
          - SQSPollerPolicy:
              QueueName: !GetAtt Jobs.QueueName
          - !Ref AWS::NoValue
""").replace("Resources:\n", "Conditions:\n  Poll: !Equals [a, a]\nResources:\n")
    got = _findings(tmp_path, text, "AWS-IAM-010")
    assert len(got) == 1 and "SendMessageBatch" in got[0].message


def test_sam_policy_template_grants_still_count(tmp_path):
    """Only the validation leaves SAM's text out: what it grants is still read (AWS-IAM-004 here)."""
    text = SAM.replace("""        - SQSPollerPolicy:
            QueueName: !GetAtt Jobs.QueueName
""", """        - VPCAccessPolicy: {}
""")
    got = _findings(tmp_path, text, "AWS-IAM-004")
    assert got and all("Worker" in f.resource.address for f in got)
