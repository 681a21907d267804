# Account-wide detection and response (hardened): GuardDuty, Security Hub with a standard, an
# AWS Config recorder with its delivery channel, IAM Access Analyzer, and both services' findings
# routed by EventBridge to an encrypted SNS topic that someone is subscribed to.

resource "aws_guardduty_detector" "main" {
  enable = true
}

resource "aws_securityhub_account" "main" {}

resource "aws_securityhub_standards_subscription" "foundational" {
  standards_arn = "arn:aws:securityhub:${var.aws_region}::standards/aws-foundational-security-best-practices/v/1.0.0"
  depends_on    = [aws_securityhub_account.main]
}

resource "aws_accessanalyzer_analyzer" "account" {
  analyzer_name = "${var.project}-${var.environment}"
  type          = "ACCOUNT"
}

resource "aws_iam_role" "config" {
  name = "${var.project}-${var.environment}-config"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "config.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "config" {
  role       = aws_iam_role.config.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"
}

resource "aws_config_configuration_recorder" "main" {
  name     = "${var.project}-${var.environment}"
  role_arn = aws_iam_role.config.arn

  recording_group {
    all_supported                 = true
    include_global_resource_types = true
  }
}

resource "aws_config_delivery_channel" "main" {
  name           = "${var.project}-${var.environment}"
  s3_bucket_name = aws_s3_bucket.logs.id
  s3_key_prefix  = "config"
  depends_on     = [aws_config_configuration_recorder.main]
}

resource "aws_config_configuration_recorder_status" "main" {
  name       = aws_config_configuration_recorder.main.name
  is_enabled = true
  depends_on = [aws_config_delivery_channel.main]
}

# Findings of both services go to the security team's topic.
resource "aws_sns_topic" "security_findings" {
  name              = "${var.project}-${var.environment}-security-findings"
  kms_master_key_id = aws_kms_key.data.arn
}

resource "aws_sns_topic_subscription" "security_team" {
  topic_arn = aws_sns_topic.security_findings.arn
  protocol  = "email"
  endpoint  = var.security_email
}

resource "aws_cloudwatch_event_rule" "guardduty_findings" {
  name = "${var.project}-${var.environment}-guardduty-findings"
  event_pattern = jsonencode({
    source        = ["aws.guardduty"]
    "detail-type" = ["GuardDuty Finding"]
  })
}

resource "aws_cloudwatch_event_target" "guardduty_findings" {
  rule = aws_cloudwatch_event_rule.guardduty_findings.name
  arn  = aws_sns_topic.security_findings.arn
}

resource "aws_cloudwatch_event_rule" "securityhub_findings" {
  name = "${var.project}-${var.environment}-securityhub-findings"
  event_pattern = jsonencode({
    source        = ["aws.securityhub"]
    "detail-type" = ["Security Hub Findings - Imported"]
  })
}

resource "aws_cloudwatch_event_target" "securityhub_findings" {
  rule = aws_cloudwatch_event_rule.securityhub_findings.name
  arn  = aws_sns_topic.security_findings.arn
}

# EventBridge may publish to the topic, for this account's rules only.
resource "aws_sns_topic_policy" "security_findings" {
  arn = aws_sns_topic.security_findings.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EventBridgePublish"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sns:Publish"
      Resource  = aws_sns_topic.security_findings.arn
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
}
