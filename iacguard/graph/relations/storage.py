"""Storage relations: S3 companions -> their bucket ("configures"), resource policies -> the
resource they govern ("resource_policy_of").

Terraform S3 companions name their bucket by reference or by a literal name; a literal name is
matched to the bucket of that name in the same module of the same root only."""
from __future__ import annotations

from .common import Link, draw, paths

S3_BUCKET_TF = ("aws_s3_bucket",)
S3_COMPANIONS_TF = (
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_cors_configuration",
    "aws_s3_bucket_website_configuration",
    "aws_s3_bucket_notification",
    "aws_s3_bucket_object_lock_configuration",
    "aws_s3_bucket_replication_configuration",
    "aws_s3_bucket_accelerate_configuration",
    "aws_s3_bucket_request_payment_configuration",
    "aws_s3_bucket_intelligent_tiering_configuration",
    "aws_s3_bucket_analytics_configuration",
    "aws_s3_bucket_inventory",
    "aws_s3_bucket_metric",
)

ROWS = (
    Link("configures", S3_COMPANIONS_TF, paths("bucket"), S3_BUCKET_TF),
    # Terraform resource policies
    Link("resource_policy_of", ("aws_s3_bucket_policy",), paths("bucket"), S3_BUCKET_TF),
    Link("resource_policy_of", ("aws_sqs_queue_policy",), paths("queue_url"), ("aws_sqs_queue",)),
    Link("resource_policy_of", ("aws_sns_topic_policy",), paths("arn"), ("aws_sns_topic",)),
    Link("resource_policy_of", ("aws_ecr_repository_policy",), paths("repository"), ("aws_ecr_repository",)),
    Link("resource_policy_of", ("aws_kms_key_policy",), paths("key_id"), ("aws_kms_key",)),
    Link("resource_policy_of", ("aws_secretsmanager_secret_policy",), paths("secret_arn"), ("aws_secretsmanager_secret",)),
    Link("resource_policy_of", ("aws_lambda_permission",), paths("function_name"), ("aws_lambda_function",)),
    Link("resource_policy_of", ("aws_opensearch_domain_policy",), paths("domain_name"), ("aws_opensearch_domain",)),
    Link("resource_policy_of", ("aws_elasticsearch_domain_policy",), paths("domain_name"), ("aws_elasticsearch_domain",)),
    # CloudFormation resource policies
    Link("resource_policy_of", ("AWS::S3::BucketPolicy",), paths("Bucket"), ("AWS::S3::Bucket",)),
    Link("resource_policy_of", ("AWS::SQS::QueuePolicy",), paths("Queues"), ("AWS::SQS::Queue",)),
    Link("resource_policy_of", ("AWS::SNS::TopicPolicy",), paths("Topics"), ("AWS::SNS::Topic",)),
    Link("resource_policy_of", ("AWS::Lambda::Permission",), paths("FunctionName"), ("AWS::Lambda::Function", "AWS::Serverless::Function")),
    Link("resource_policy_of", ("AWS::SecretsManager::ResourcePolicy",), paths("SecretId"), ("AWS::SecretsManager::Secret",)),
)


def build(graph) -> None:
    draw(graph, ROWS)
    _by_bucket_name(graph, S3_COMPANIONS_TF, "configures")
    _by_bucket_name(graph, ("aws_s3_bucket_policy",), "resource_policy_of")


def _by_bucket_name(graph, types: tuple, kind: str) -> None:
    """Companions whose `bucket` is a literal name: the bucket of that name, same root and module."""
    named: dict = {}
    for bucket in graph.of_type(*S3_BUCKET_TF):
        name = bucket.properties.get("bucket")
        if isinstance(name, str):
            named.setdefault((graph.root_of(bucket), bucket.module, name), []).append(bucket)
    if not named:
        return
    for other in graph.of_type(*types):
        name = other.properties.get("bucket")
        if isinstance(name, str):
            for bucket in named.get((graph.root_of(other), other.module, name), ()):
                graph.add_relation(other, bucket, kind, by_name=True)
