"""The incident response checks (slice "incident" of issue 13) beyond their fixtures: the
Terraform roots that pass (a fixture folder is one Terraform root, and it fails), and the
interpretation the adapters do (event patterns, alarm links, log destinations)."""
from __future__ import annotations

import textwrap

from iacguard.checks import REGISTRY
from iacguard.core.model import Undecided
from iacguard.core.unknown import is_unknown
from iacguard.engine import scan
from iacguard.facts.incident_routing import _field_matches

BY_ID = {c.id: c for c in REGISTRY}


def _scan(tmp_path, text: str, *ids: str, name: str = "main.tf"):
    (tmp_path / name).write_text(textwrap.dedent(text))
    result = scan([str(tmp_path)], checks=[BY_ID[i] for i in ids], cwd=str(tmp_path))
    return result


ROUTED = """
resource "aws_guardduty_detector" "main" {}

module "alerts" {
  source = "./alerts"
}

resource "aws_cloudwatch_event_rule" "gd" {
  event_pattern = <<-JSON
    {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], "detail": {"severity": [{"numeric": [">=", 7]}]}}
  JSON
}

resource "aws_cloudwatch_event_target" "gd" {
  rule = aws_cloudwatch_event_rule.gd.name
  arn  = module.alerts.topic_arn
}
"""

ALERTS_MODULE = """
resource "aws_sns_topic" "t" {}

resource "aws_sns_topic_subscription" "s" {
  topic_arn = aws_sns_topic.t.arn
  protocol  = "email"
  endpoint  = "oncall@example.com"
}

output "topic_arn" {
  value = aws_sns_topic.t.arn
}
"""


def test_guardduty_routed_through_a_module_topic_with_a_subscription_passes(tmp_path):
    (tmp_path / "alerts").mkdir()
    (tmp_path / "alerts" / "main.tf").write_text(ALERTS_MODULE)
    result = _scan(tmp_path, ROUTED, "AWS-GD-801")
    assert result.findings == [] and not [u for u in result.undecided if u.check_id == "AWS-GD-801"]


def test_guardduty_target_arn_from_a_variable_without_default_is_undecided(tmp_path):
    text = ROUTED.replace("module.alerts.topic_arn", "var.topic").replace('module "alerts" {\n  source = "./alerts"\n}', 'variable "topic" {}')
    result = _scan(tmp_path, text, "AWS-GD-801")
    assert result.findings == []
    assert [u.check_id for u in result.undecided] == ["AWS-GD-801"]


def test_a_root_without_a_detector_is_not_reported(tmp_path):
    result = _scan(tmp_path, 'resource "aws_sqs_queue" "q" {}\n', "AWS-GD-801", "AWS-SH-802")
    assert result.findings == []


def test_event_pattern_fields():
    assert _field_matches(None, "aws.guardduty") is True
    assert _field_matches(["aws.guardduty"], "aws.guardduty") is True
    assert _field_matches([{"prefix": "aws."}], "aws.guardduty") is True
    assert _field_matches([{"anything-but": ["aws.securityhub"]}], "aws.guardduty") is True
    assert _field_matches([{"anything-but": "aws.guardduty"}], "aws.guardduty") is False
    assert _field_matches([{"wildcard": "GuardDuty *"}], "GuardDuty Finding") is True
    assert _field_matches(["aws.ec2"], "aws.guardduty") is False
    assert is_unknown(_field_matches([{"cidr": "10.0.0.0/8"}], "aws.guardduty"))


CIS_ROOT = """
resource "aws_cloudwatch_log_group" "trail" {
  name = "trail-events"
}

resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "logs"
  cloud_watch_logs_group_arn = "arn:aws:logs:eu-west-1:123456789012:log-group:trail-events:*"
}

resource "aws_cloudwatch_log_metric_filter" "root" {
  name           = "root"
  log_group_name = "trail-events"
  pattern        = "{ $.userIdentity.type = \\"Root\\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \\"AwsServiceEvent\\" }"
  metric_transformation {
    name      = "root-usage"
    namespace = "CIS"
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "root" {
  alarm_name          = "root"
  metric_name         = aws_cloudwatch_log_metric_filter.root.metric_transformation[0].name
  namespace           = "CIS"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  alarm_actions       = ["arn:aws:sns:eu-west-1:123456789012:security"]
}
"""


def test_cis_root_usage_through_a_literal_log_group_arn_passes(tmp_path):
    result = _scan(tmp_path, CIS_ROOT, "AWS-CW-805", "AWS-CW-803")
    assert [f.check_id for f in result.findings] == ["AWS-CW-803"]  # only the control it lacks
    assert "trail" in result.findings[0].message


def test_cis_alarm_with_actions_disabled_does_not_count(tmp_path):
    text = CIS_ROOT.replace('  alarm_actions       =', '  actions_enabled     = false\n  alarm_actions       =')
    result = _scan(tmp_path, text, "AWS-CW-805")
    assert [f.check_id for f in result.findings] == ["AWS-CW-805"]
    assert "no alarm with an action" in result.findings[0].message


def test_cis_root_without_a_trail_to_cloudwatch_logs_is_not_reported(tmp_path):
    text = CIS_ROOT.replace('  cloud_watch_logs_group_arn = "arn:aws:logs:eu-west-1:123456789012:log-group:trail-events:*"\n', "")
    result = _scan(tmp_path, text, "AWS-CW-803")
    assert result.findings == []


def test_log_bucket_named_by_an_unknown_variable_is_undecided(tmp_path):
    text = """
    variable "bucket" {}

    resource "aws_s3_bucket" "logs" {
      bucket = "acme-logs"
    }

    resource "aws_cloudtrail" "main" {
      name           = "main"
      s3_bucket_name = var.bucket
    }
    """
    result = _scan(tmp_path, text, "AWS-S3-817")
    assert result.findings == []
    assert [(u.check_id, u.resource.address) for u in result.undecided] == [("AWS-S3-817", "aws_s3_bucket.logs")]


def test_backup_not_reported_without_a_plan(tmp_path):
    text = """
    resource "aws_dynamodb_table" "t" {
      name     = "t"
      hash_key = "id"
      attribute {
        name = "id"
        type = "S"
      }
    }
    """
    assert _scan(tmp_path, text, "AWS-BACKUP-818").findings == []


def test_backup_tag_only_from_default_tags_is_undecided(tmp_path):
    text = """
    resource "aws_backup_plan" "p" {
      name = "p"
      rule {
        rule_name         = "daily"
        target_vault_name = "Default"
      }
    }

    resource "aws_backup_selection" "s" {
      name         = "s"
      plan_id      = aws_backup_plan.p.id
      iam_role_arn = "arn:aws:iam::123456789012:role/backup"
      selection_tag {
        type  = "STRINGEQUALS"
        key   = "backup"
        value = "daily"
      }
    }

    resource "aws_efs_file_system" "untagged" {}
    """
    result = _scan(tmp_path, text, "AWS-BACKUP-818")
    assert result.findings == []
    assert [u.check_id for u in result.undecided if isinstance(u, Undecided)] == ["AWS-BACKUP-818"]


def test_routing_in_a_stack_of_its_own_leaves_the_detector_stack_undecided(tmp_path):
    (tmp_path / "detector.yaml").write_text(textwrap.dedent("""
        Resources:
          Detector:
            Type: AWS::GuardDuty::Detector
            Properties:
              Enable: true
        """))
    (tmp_path / "routing.yaml").write_text(textwrap.dedent("""
        Resources:
          Rule:
            Type: AWS::Events::Rule
            Properties:
              EventPattern:
                source: [aws.guardduty]
              Targets:
                - Id: q
                  Arn: !GetAtt Queue.Arn
          Queue:
            Type: AWS::SQS::Queue
        """))
    result = scan([str(tmp_path)], checks=[BY_ID["AWS-GD-801"]], cwd=str(tmp_path))
    assert result.findings == []
    assert [(u.check_id, u.resource.address) for u in result.undecided] == [("AWS-GD-801", "(stack)")]
    assert "another root" in result.undecided[0].reason


def test_cis_filters_in_a_stack_of_their_own_leave_the_trail_stack_undecided(tmp_path):
    (tmp_path / "trail.yaml").write_text(textwrap.dedent("""
        Resources:
          Logs:
            Type: AWS::Logs::LogGroup
            Properties:
              LogGroupName: trail
          Trail:
            Type: AWS::CloudTrail::Trail
            Properties:
              IsLogging: true
              S3BucketName: logs
              CloudWatchLogsLogGroupArn: !GetAtt Logs.Arn
        """))
    (tmp_path / "alarms.yaml").write_text(textwrap.dedent("""
        Resources:
          Filter:
            Type: AWS::Logs::MetricFilter
            Properties:
              LogGroupName: trail
              FilterPattern: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
              MetricTransformations:
                - MetricName: unauthorised
                  MetricNamespace: CIS
                  MetricValue: "1"
          Alarm:
            Type: AWS::CloudWatch::Alarm
            Properties:
              MetricName: unauthorised
              Namespace: CIS
              Statistic: Sum
              Period: 300
              EvaluationPeriods: 1
              Threshold: 1
              ComparisonOperator: GreaterThanOrEqualToThreshold
              AlarmActions: [arn:aws:sns:eu-west-1:123456789012:security]
        """))
    result = scan([str(tmp_path)], checks=[BY_ID["AWS-CW-803"], BY_ID["AWS-CW-805"]], cwd=str(tmp_path))
    assert [f.check_id for f in result.findings] == ["AWS-CW-805"]  # nothing anywhere watches root usage
    assert [u.check_id for u in result.undecided] == ["AWS-CW-803"]
