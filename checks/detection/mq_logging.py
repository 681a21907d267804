"""AWS-MQ-201/202: Amazon MQ broker without general or audit logs."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding

from .logging_common import require


def _general(facts):
    yield from require(GENERAL.id, facts.of_kind("mq_broker_logs"), "general", "general logs",
                       "Amazon MQ broker %s does not publish its general logs to CloudWatch Logs.")


def _audit(facts):
    for broker in facts.of_kind("mq_broker_logs"):
        engine, attr = broker.engine, broker.audit
        if engine.value == "rabbitmq" or attr.is_true():
            continue  # RabbitMQ brokers have no audit log
        unknown = next((a for a in (engine, attr) if not a.known), None)
        if unknown is not None:
            yield undecided(AUDIT.id, broker.resource, "engine type" if unknown is engine else "audit logs", unknown.value, unknown.location)
        else:
            yield Finding(AUDIT.id, broker.resource, "ActiveMQ broker %s does not publish its audit logs to CloudWatch Logs." % broker.resource.address, attr.location)


_FIX_TF = """```hcl
resource "aws_mq_broker" "events" {
  broker_name        = "events"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"

  user {
    username = "app"
    password = var.mq_password
  }

  logs {
    general = true
    audit   = true # ActiveMQ only
  }
}
```"""

_FIX_CFN = """```yaml
EventsBroker:
  Type: AWS::AmazonMQ::Broker
  Properties:
    BrokerName: events
    EngineType: ACTIVEMQ
    EngineVersion: "5.18"
    HostInstanceType: mq.m5.large
    DeploymentMode: SINGLE_INSTANCE
    PubliclyAccessible: false
    AutoMinorVersionUpgrade: true
    Users:
      - Username: app
        Password: !Sub "{{resolve:secretsmanager:${BrokerSecret}:SecretString:password}}"
    Logs:
      General: true
      Audit: true
```"""

GENERAL = Check(
    id="AWS-MQ-201",
    title="Amazon MQ broker does not publish general logs",
    severity="low",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("mq_broker_logs",),
    evaluate=_general,
    what="""Finds Amazon MQ brokers (`aws_mq_broker`, `AWS::AmazonMQ::Broker`) whose general logs
(`logs.general` / `Logs.General`) are off or left out (the default is off).""",
    why="""The general log records connections, authentication failures and broker errors: the
first trace of a client guessing passwords or of a broker being misused. Without it nothing of
this reaches CloudWatch Logs.""",
    fix_terraform=_FIX_TF,
    fix_cloudformation=_FIX_CFN,
    references=("https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/security-logging-monitoring-cloudwatch.html",),
    equivalents=(("checkov", "CKV_AWS_48"), ("trivy", "AVD-AWS-0071")),
)

AUDIT = Check(
    id="AWS-MQ-202",
    title="ActiveMQ broker does not publish audit logs",
    severity="low",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("mq_broker_logs",),
    evaluate=_audit,
    what="""Finds ActiveMQ brokers (`aws_mq_broker`, `AWS::AmazonMQ::Broker` with engine
ActiveMQ) whose audit logs (`logs.audit` / `Logs.Audit`) are off or left out (the default is
off). RabbitMQ brokers have no audit log and are not reported; an engine or a setting that is not
known before deploy leaves the check undecided.""",
    why="""The ActiveMQ audit log records management actions made through JMX and the web console
(queues created or purged, destinations deleted, users changed): who changed the broker and
when.""",
    fix_terraform=_FIX_TF,
    fix_cloudformation=_FIX_CFN,
    references=("https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/security-logging-monitoring-cloudwatch.html",),
    equivalents=(("trivy", "AVD-AWS-0070"),),
)
