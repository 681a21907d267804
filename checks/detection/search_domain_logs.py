"""AWS-OPENSEARCH-150: an OpenSearch / Elasticsearch domain that publishes no audit logs;
AWS-OPENSEARCH-151: one that publishes no application (error) logs."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate_audit(facts):
    for domain in facts.of_kind("search_domain_logs"):
        attr = domain.audit
        if attr.is_false():
            note = "" if not domain.fine_grained.is_false() else " (audit logs need fine-grained access control, which is off too)"
            yield Finding(AUDIT.id, domain.resource, "OpenSearch domain %s publishes no audit logs (AUDIT_LOGS)%s." % (domain.resource.address, note), attr.location)
        elif not attr.known:
            yield undecided(AUDIT.id, domain.resource, "AUDIT_LOGS", attr.value, attr.location)


def evaluate_application(facts):
    for domain in facts.of_kind("search_domain_logs"):
        attr = domain.application
        if attr.is_false():
            yield Finding(APPLICATION.id, domain.resource, "OpenSearch domain %s publishes no application (error) logs (ES_APPLICATION_LOGS)." % domain.resource.address, attr.location)
        elif not attr.known:
            yield undecided(APPLICATION.id, domain.resource, "ES_APPLICATION_LOGS", attr.value, attr.location)


def _fix_tf(log_type: str, extra: str = "") -> str:
    return """```hcl
resource "aws_opensearch_domain" "search" {
  domain_name = "search"
  # ...%s
  log_publishing_options {
    log_type                 = "%s"
    cloudwatch_log_group_arn = aws_cloudwatch_log_group.search.arn
  }
}
```

The log group needs a resource policy letting `es.amazonaws.com` write to it
(`aws_cloudwatch_log_resource_policy`).""" % (extra, log_type)


def _fix_cfn(log_type: str, extra: str = "") -> str:
    return """```yaml
SearchDomain:
  Type: AWS::OpenSearchService::Domain
  Properties:%s
    LogPublishingOptions:
      %s:
        CloudWatchLogsLogGroupArn: !GetAtt SearchLogs.Arn
        Enabled: true
```""" % (extra, log_type)


_TF_FGAC = """
  advanced_security_options {
    enabled                        = true
    internal_user_database_enabled = false
    master_user_options {
      master_user_arn = aws_iam_role.search_admin.arn
    }
  }
"""
_CFN_FGAC = """
    AdvancedSecurityOptions:
      Enabled: true
      MasterUserOptions:
        MasterUserARN: !GetAtt SearchAdmin.Arn"""

_WHERE = """Terraform: `log_publishing_options` blocks of `aws_opensearch_domain` /
`aws_elasticsearch_domain` (a block's `enabled` defaults to true); CloudFormation: the
`LogPublishingOptions` map of `AWS::OpenSearchService::Domain` / `AWS::Elasticsearch::Domain`
(an option's `Enabled` defaults to false). No option for the log type: the log is not
published."""

AUDIT = Check(
    id="AWS-OPENSEARCH-150",
    title="OpenSearch domain does not publish audit logs",
    severity="medium",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("search_domain_logs",),
    evaluate=evaluate_audit,
    what="""Finds OpenSearch and Elasticsearch domains that publish no `AUDIT_LOGS` to CloudWatch
Logs. """ + _WHERE + """ Audit logs need fine-grained access control
(`advanced_security_options` / `AdvancedSecurityOptions`); the message says when it is off too.""",
    why="""Audit logs record who authenticated to the cluster, which indices and documents they read
or changed, and which requests were refused. Without them a leaked credential or an over-broad
role mapping leaves no trace of what was read from the domain.""",
    fix_terraform=_fix_tf("AUDIT_LOGS", _TF_FGAC),
    fix_cloudformation=_fix_cfn("AUDIT_LOGS", _CFN_FGAC),
    references=(
        "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/audit-logs.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-opensearchservice-domain-logpublishingoption.html",
    ),
    equivalents=(("checkov", "CKV_AWS_317"), ("trivy", "AVD-AWS-0042")),
)

APPLICATION = Check(
    id="AWS-OPENSEARCH-151",
    title="OpenSearch domain does not publish application (error) logs",
    severity="low",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("search_domain_logs",),
    evaluate=evaluate_application,
    what="""Finds OpenSearch and Elasticsearch domains that publish no `ES_APPLICATION_LOGS` (the
error logs) to CloudWatch Logs. """ + _WHERE,
    why="""Application logs hold the cluster's errors and warnings: failed authentication
plugins, rejected requests, snapshot and shard failures. They are the first place to look when a
domain misbehaves after a change or under an attack, and they are lost when the nodes are
replaced.""",
    fix_terraform=_fix_tf("ES_APPLICATION_LOGS"),
    fix_cloudformation=_fix_cfn("ES_APPLICATION_LOGS"),
    references=(
        "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/createdomain-configure-slow-logs.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-opensearchservice-domain-logpublishingoption.html",
    ),
)
