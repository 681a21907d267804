"""Decisions of the detection_a checks (issue 13) that their fixtures cannot show: controls that
may not exist (an unknown `count`, an undecided CloudFormation condition), which no value of the
resource decides (see TESTED_ELSEWHERE in tests/test_undecided_meta.py), and the event selectors
of CloudTrail trails."""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.checks.detection import cloudtrail_events, cloudtrail_present, config_recorder, securityhub, vpc_flow_logs
from iacguard.engine import build_graph, scan
from iacguard.facts import Facts

pytestmark = pytest.mark.catalogue("all")  # the catalogue's own tests run every check


def _tree(tmp_path: Path, files: dict) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _decisions(root: Path, check) -> tuple:
    result = scan([str(root)], cwd=str(root), checks=[check])
    findings = sorted((f.resource.address, f.location.start_line) for f in result.findings)
    undecided = sorted((u.resource.address, u.what, u.reason) for u in result.undecided)
    return findings, undecided


CONTROLS_TF = {
    "AWS-SH-100": 'resource "aws_securityhub_account" "main" {\n  count = var.n\n}\n',
    "AWS-CFG-100": 'resource "aws_config_configuration_recorder" "main" {\n  count    = var.n\n  name     = "default"\n  role_arn = "arn:aws:iam::111122223333:role/config"\n}\n',
    "AWS-CT-100": 'resource "aws_cloudtrail" "main" {\n  count          = var.n\n  name           = "t"\n  s3_bucket_name = "b"\n}\n',
}
CONTROLS_CFN = {
    "AWS-SH-100": "  Hub:\n    Type: AWS::SecurityHub::Hub\n    Condition: Enabled\n",
    "AWS-CFG-100": "  Recorder:\n    Type: AWS::Config::ConfigurationRecorder\n    Condition: Enabled\n    Properties:\n      RoleARN: arn:aws:iam::111122223333:role/config\n",
    "AWS-CT-100": "  Trail:\n    Type: AWS::CloudTrail::Trail\n    Condition: Enabled\n    Properties:\n      S3BucketName: b\n      IsLogging: true\n",
}
CHECKS = {"AWS-SH-100": securityhub.PRESENT, "AWS-CFG-100": config_recorder.PRESENT, "AWS-CT-100": cloudtrail_present.CHECK}


@pytest.mark.parametrize("check_id", sorted(CONTROLS_TF))
def test_a_control_with_an_unknown_count_leaves_the_root_undecided(tmp_path, check_id):
    root = _tree(tmp_path, {"main.tf": 'variable "n" {}\n\n' + CONTROLS_TF[check_id]})
    findings, undecided = _decisions(root, CHECKS[check_id])
    assert findings == []
    assert len(undecided) == 1 and undecided[0][0] == "(root module)"
    assert "unknown number of instances" in undecided[0][2]


@pytest.mark.parametrize("check_id", sorted(CONTROLS_CFN))
def test_a_control_under_an_undecided_condition_leaves_the_root_undecided(tmp_path, check_id):
    template = "Parameters:\n  Flag:\n    Type: String\nConditions:\n  Enabled: !Equals [!Ref Flag, \"yes\"]\nResources:\n" + CONTROLS_CFN[check_id]
    root = _tree(tmp_path, {"stack.yaml": template})
    findings, undecided = _decisions(root, CHECKS[check_id])
    assert findings == []
    assert undecided and {u[0] for u in undecided} == {"(stack)"}
    assert all("Enabled is true" in u[2] for u in undecided)


def test_a_delivery_channel_that_may_not_exist_leaves_the_recorder_undecided(tmp_path):
    tf = _tree(tmp_path / "tf", {"main.tf": """\
variable "n" {}

resource "aws_config_configuration_recorder" "main" {
  name     = "default"
  role_arn = "arn:aws:iam::111122223333:role/config"
}

resource "aws_config_delivery_channel" "main" {
  count          = var.n
  s3_bucket_name = "acme-config"
}
"""})
    findings, undecided = _decisions(tf, config_recorder.DELIVERY)
    assert findings == [] and [u[:2] for u in undecided] == [("aws_config_configuration_recorder.main", "delivery channel")]
    cfn = _tree(tmp_path / "cfn", {"stack.yaml": """\
Parameters:
  Flag:
    Type: String
Conditions:
  Enabled: !Equals [!Ref Flag, "yes"]
Resources:
  Recorder:
    Type: AWS::Config::ConfigurationRecorder
    Properties:
      RoleARN: arn:aws:iam::111122223333:role/config
  Channel:
    Type: AWS::Config::DeliveryChannel
    Condition: Enabled
    Properties:
      S3BucketName: acme-config
"""})
    findings, undecided = _decisions(cfn, config_recorder.DELIVERY)
    assert findings == [] and {u[:2] for u in undecided} == {("Recorder", "delivery channel")}


def test_standards_subscribed_only_under_a_condition_leave_the_hub_undecided(tmp_path):
    root = _tree(tmp_path, {"stack.yaml": """\
Parameters:
  Flag:
    Type: String
Conditions:
  Enabled: !Equals [!Ref Flag, "yes"]
Resources:
  Hub:
    Type: AWS::SecurityHub::Hub
    Properties:
      EnableDefaultStandards: false
  Cis:
    Type: AWS::SecurityHub::Standard
    Condition: Enabled
    Properties:
      StandardsArn: arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0
"""})
    findings, undecided = _decisions(root, securityhub.STANDARDS)
    assert findings == [] and {u[0] for u in undecided} == {"Hub"}


def _events(tmp_path: Path, body: str) -> list:
    root = _tree(tmp_path, {"main.tf": body})
    facts = Facts(build_graph([str(root)]).graph)
    return [(f.resource.address, f.management_events.value, f.s3_data_events.value) for f in facts.of_kind("trail_events")]


def test_event_selectors_read_for_management_and_s3_data_events(tmp_path):
    got = _events(tmp_path, """\
resource "aws_cloudtrail" "plain" {
  name           = "plain"
  s3_bucket_name = "b"
}

resource "aws_cloudtrail" "lambda_data" {
  name           = "lambda-data"
  s3_bucket_name = "b"
  event_selector {
    include_management_events = false
    data_resource {
      type   = "AWS::Lambda::Function"
      values = ["arn:aws:lambda"]
    }
  }
}

resource "aws_cloudtrail" "advanced_both" {
  name           = "advanced-both"
  s3_bucket_name = "b"
  advanced_event_selector {
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }
  advanced_event_selector {
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
  }
}
""")
    assert sorted(got) == [
        ("aws_cloudtrail.advanced_both", True, True),
        ("aws_cloudtrail.lambda_data", False, False),
        ("aws_cloudtrail.plain", True, False),
    ]


def test_an_unknown_selector_list_leaves_management_events_undecided(tmp_path):
    root = _tree(tmp_path, {"main.tf": """\
variable "selectors" {}

resource "aws_cloudtrail" "dynamic" {
  name           = "dynamic"
  s3_bucket_name = "b"
  dynamic "event_selector" {
    for_each = var.selectors
    content {
      include_management_events = event_selector.value.management
    }
  }
}
"""})
    findings, undecided = _decisions(root, cloudtrail_events.CHECK)
    assert findings == []
    assert [u[:2] for u in undecided] == [("aws_cloudtrail.dynamic", "management events")]


def test_a_flow_log_whose_vpc_cannot_be_known_leaves_the_vpcs_of_its_root_undecided(tmp_path):
    root = _tree(tmp_path, {"main.tf": """\
variable "vpc_id" {}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_flow_log" "some" {
  vpc_id       = var.vpc_id
  traffic_type = "ALL"
}
"""})
    findings, undecided = _decisions(root, vpc_flow_logs.CHECK)
    assert findings == []
    assert [u[:2] for u in undecided] == [("aws_vpc.main", "flow log aws_flow_log.some, whose VPC cannot be known")]
