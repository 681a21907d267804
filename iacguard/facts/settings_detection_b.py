"""Table kinds of the catalogue slice "detection_b" (issue 13): `TableKind` rows as in
`iacguard.facts.settings`, which adds them to the table.

Logging and tracing settings of services that log per resource: CloudFront, API Gateway stages,
Lambda, EKS, RDS, CloudWatch Logs, Amazon MQ and Classic Load Balancers. Every default below is
what the service does when the source leaves the setting out: nothing is logged unless asked for.
"""
from __future__ import annotations

from .table import ENUM, FLAG, PRESENT, Setting, TableKind

# A log destination written as a reference to one of these counts as set (never empty once created).
_LOG_DESTINATIONS = (
    "aws_cloudwatch_log_group", "aws_s3_bucket", "aws_kinesis_firehose_delivery_stream",
    "AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::KinesisFirehose::DeliveryStream",
)

# CloudFront standard logging: the `logging_config` block (its `bucket` is required) /
# DistributionConfig.Logging (its `Bucket` is required). Left out, nothing is logged.
CLOUDFRONT_LOGGING = TableKind(
    "cloudfront_logging", "CloudFrontLogging",
    terraform=("aws_cloudfront_distribution",),
    cloudformation=("AWS::CloudFront::Distribution",),
    settings=(
        Setting("log_bucket", ("logging_config", 0, "bucket"), ("DistributionConfig", "Logging", "Bucket"), PRESENT, set_by=_LOG_DESTINATIONS),
    ),
    doc="A CloudFront distribution: whether standard access logs go to a bucket (`log_bucket`).",
)

# API Gateway REST API stages: access logs only with `access_log_settings` / AccessLogSetting
# (destination required); X-Ray tracing is off unless `xray_tracing_enabled` / TracingEnabled.
REST_API_STAGE = TableKind(
    "rest_api_stage", "RestApiStage",
    terraform=("aws_api_gateway_stage",),
    cloudformation=("AWS::ApiGateway::Stage",),
    settings=(
        Setting("access_log", ("access_log_settings", 0, "destination_arn"), ("AccessLogSetting", "DestinationArn"), PRESENT, set_by=_LOG_DESTINATIONS),
        Setting("xray", ("xray_tracing_enabled",), ("TracingEnabled",), FLAG, default=False),
    ),
    doc="An API Gateway REST API stage: access log destination (`access_log`) and X-Ray tracing (`xray`).",
)

# API Gateway v2 (HTTP and WebSocket API) stages: `access_log_settings` / AccessLogSettings.
HTTP_API_STAGE = TableKind(
    "http_api_stage", "HttpApiStage",
    terraform=("aws_apigatewayv2_stage",),
    cloudformation=("AWS::ApiGatewayV2::Stage",),
    settings=(
        Setting("access_log", ("access_log_settings", 0, "destination_arn"), ("AccessLogSettings", "DestinationArn"), PRESENT, set_by=_LOG_DESTINATIONS),
    ),
    doc="An API Gateway v2 (HTTP or WebSocket API) stage: access log destination (`access_log`).",
)

# Lambda: tracing mode PassThrough unless `tracing_config { mode = "Active" }` / TracingConfig.Mode.
LAMBDA_TRACING = TableKind(
    "lambda_tracing", "LambdaTracing",
    terraform=("aws_lambda_function",),
    cloudformation=("AWS::Lambda::Function",),
    settings=(
        Setting("mode", ("tracing_config", 0, "mode"), ("TracingConfig", "Mode"), ENUM, default="passthrough", choices=("active", "passthrough")),
    ),
    doc="A Lambda function's X-Ray tracing mode (`mode`: active or passthrough).",
)

# RDS / Aurora: no log is published to CloudWatch Logs unless listed in
# `enabled_cloudwatch_logs_exports` / EnableCloudwatchLogsExports. An instance of an Aurora
# cluster (CloudFormation DBClusterIdentifier) publishes what its cluster lists.
DB_LOG_EXPORTS = TableKind(
    "db_log_exports", "DbLogExports",
    terraform=("aws_db_instance", "aws_rds_cluster"),
    cloudformation=("AWS::RDS::DBInstance", "AWS::RDS::DBCluster"),
    settings=(
        Setting("exports", ("enabled_cloudwatch_logs_exports",), ("EnableCloudwatchLogsExports",), PRESENT),
        Setting("cluster_member", None, ("DBClusterIdentifier",), PRESENT, set_by=("AWS::RDS::DBCluster",)),
    ),
    doc="An RDS instance or cluster: whether it exports logs to CloudWatch Logs (`exports`), and for a CloudFormation instance whether it belongs to a cluster (`cluster_member`).",
)

# Amazon MQ: general and audit logs are off unless `logs { general = true, audit = true }` /
# Logs.General, Logs.Audit. Audit logs exist for ActiveMQ only; engine type is required.
MQ_BROKER_LOGS = TableKind(
    "mq_broker_logs", "MqBrokerLogs",
    terraform=("aws_mq_broker",),
    cloudformation=("AWS::AmazonMQ::Broker",),
    settings=(
        Setting("general", ("logs", 0, "general"), ("Logs", "General"), FLAG, default=False),
        Setting("audit", ("logs", 0, "audit"), ("Logs", "Audit"), FLAG, default=False),
        Setting("engine", ("engine_type",), ("EngineType",), ENUM, choices=("activemq", "rabbitmq")),
    ),
    doc="An Amazon MQ broker: general and audit logs to CloudWatch Logs, and its engine.",
)

# Classic Load Balancer access logs: Terraform's `access_logs` block (bucket required, `enabled`
# defaults to true within the block); CloudFormation's AccessLoggingPolicy (Enabled and
# S3BucketName required). No block / no policy: no access logs.
CLASSIC_LB_LOGS = TableKind(
    "classic_lb_logs", "ClassicLbLogs",
    terraform=("aws_elb",),
    cloudformation=("AWS::ElasticLoadBalancing::LoadBalancer",),
    settings=(
        Setting("bucket", ("access_logs", 0, "bucket"), ("AccessLoggingPolicy", "S3BucketName"), PRESENT, set_by=("aws_s3_bucket", "AWS::S3::Bucket")),
        Setting("enabled", ("access_logs", 0, "enabled"), ("AccessLoggingPolicy", "Enabled"), FLAG, default=True, cfn_default=False),
    ),
    doc="A Classic Load Balancer: its access log bucket (`bucket`) and whether the logs are on (`enabled`).",
)

KINDS: tuple = (
    CLOUDFRONT_LOGGING, REST_API_STAGE, HTTP_API_STAGE, LAMBDA_TRACING, DB_LOG_EXPORTS, MQ_BROKER_LOGS, CLASSIC_LB_LOGS,
)
