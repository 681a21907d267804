"""Decisions of the detection_c checks (issue 13) that their fixtures do not show: companion
resources (GuardDuty features, API Gateway method settings, Redshift logging) whose target cannot
be known leave the resources of their module undecided, and a literal id matches nothing."""
from __future__ import annotations

from pathlib import Path

from iacguard.checks.detection import (
    api_gateway_execution_logs, ecs_task_logging, guardduty_protection, redshift_audit_logging,
)
from iacguard.engine import scan


def _decisions(tmp_path: Path, text: str, check) -> tuple:
    (tmp_path / "main.tf").write_text(text)
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=[check])
    findings = sorted((f.resource.address, f.location.start_line) for f in result.findings)
    undecided = sorted((u.resource.address, u.what) for u in result.undecided)
    return findings, undecided


def test_a_feature_naming_an_unknown_detector_leaves_the_detector_undecided(tmp_path):
    findings, undecided = _decisions(tmp_path, """
variable "detector" { type = string }
resource "aws_guardduty_detector" "main" { enable = true }
resource "aws_guardduty_detector_feature" "s3" {
  detector_id = var.detector
  name        = "S3_DATA_EVENTS"
  status      = "DISABLED"
}
""", guardduty_protection.S3_PROTECTION)
    assert findings == []
    assert undecided == [("aws_guardduty_detector.main", "S3 Protection (S3 data events)")]


def test_a_feature_naming_a_literal_detector_id_matches_no_declared_detector(tmp_path):
    findings, undecided = _decisions(tmp_path, """
resource "aws_guardduty_detector" "main" { enable = true }
resource "aws_guardduty_detector_feature" "eks" {
  detector_id = "12abc34d567e8fa901bc2d34e56789f0"
  name        = "EKS_AUDIT_LOGS"
  status      = "DISABLED"
}
""", guardduty_protection.PROTECTION_PLANS)
    assert (findings, undecided) == ([], [])


def test_an_unknown_feature_status_is_undecided_and_an_off_plan_is_listed_with_the_others(tmp_path):
    findings, undecided = _decisions(tmp_path, """
variable "status" { type = string }
resource "aws_guardduty_detector" "main" {
  datasources {
    kubernetes {
      audit_logs {
        enable = false
      }
    }
  }
}
resource "aws_guardduty_detector" "other" { enable = true }
resource "aws_guardduty_detector_feature" "rds" {
  detector_id = aws_guardduty_detector.other.id
  name        = "RDS_LOGIN_EVENTS"
  status      = var.status
}
""", guardduty_protection.PROTECTION_PLANS)
    assert findings == [("aws_guardduty_detector.main", 7)]
    assert undecided == [("aws_guardduty_detector.other", "RDS Protection (RDS login events)")]


def test_method_settings_for_a_stage_that_cannot_be_known_leave_stages_undecided(tmp_path):
    findings, undecided = _decisions(tmp_path, """
variable "stage" { type = string }
resource "aws_api_gateway_rest_api" "api" { name = "a" }
resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = "d"
  stage_name    = "prod"
}
resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  stage_name  = var.stage
  method_path = "*/*"
  settings {
    logging_level = "ERROR"
  }
}
""", api_gateway_execution_logs.CHECK)
    assert findings == []
    assert undecided == [("aws_api_gateway_stage.prod", "logging level")]


def test_a_redshift_logging_resource_for_an_unknown_cluster_leaves_clusters_undecided(tmp_path):
    findings, undecided = _decisions(tmp_path, """
variable "cluster" { type = string }
resource "aws_redshift_cluster" "main" {
  cluster_identifier     = "main"
  node_type              = "ra3.xlplus"
  master_username        = "admin"
  manage_master_password = true
}
resource "aws_redshift_logging" "main" {
  cluster_identifier   = var.cluster
  log_destination_type = "cloudwatch"
}
""", redshift_audit_logging.CHECK)
    assert findings == []
    assert undecided == [("aws_redshift_cluster.main", "audit logging")]


def test_container_definitions_not_known_at_all_are_undecided(tmp_path):
    findings, undecided = _decisions(tmp_path, """
variable "containers" { type = string }
resource "aws_ecs_task_definition" "app" {
  family                = "app"
  container_definitions = var.containers
}
""", ecs_task_logging.CHECK)
    assert findings == []
    assert undecided == [("aws_ecs_task_definition.app", "log configuration")]
