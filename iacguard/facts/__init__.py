"""Normalized facts: language-neutral views of resources, built from the graph.

Adapters map each language's resource types, their split companion resources and the provider
defaults onto one view per concept, with three-valued answers (True / False / Unknown) and the
location that justifies each answer. Checks read these views only; they never see a parser, the
graph library or an output format.

Two ways to write an adapter:
- a row in the table (`iacguard.facts.settings`, read by `iacguard.facts.table`) when the kind is
  plain settings at a path in each language, with the provider default: most kinds;
- a hand-written module (one per domain: network, storage, iam) for what a table cannot say:
  split companion resources, account-wide defaults, rules written five ways, policy documents.

Facts are about managed resources only (`common.managed`); Terraform data sources are not.

Kinds (the names checks declare in `Check.kinds`; `KIND_TYPES` names the class of each fact):
  security_group_rule, load_balancer, bucket, database, volume, policy_statement (hand-written)
  iam_policy, iam_principal, iam_resource_policy (iacguard.facts.iam_access: the IAM engine's model)
  root (iacguard.facts.roots: one per root module / top-level stack / plan, for project-level checks)
  iam_credential (iacguard.facts.iam_credentials: IAM users' access keys and console passwords)
  function_role (iacguard.facts.compute_roles: Lambda functions and the role each runs as)
  network_acl_entry (iacguard.facts.infra_a_network: network ACL entries in every form)
  instance_launch (iacguard.facts.infra_a_compute: instances, launch templates and configurations)
  bucket_logging, lb_access_logs, waf_logging (iacguard.facts.detection_b_logging: S3 server access
    logging, ALB/NLB access logs, WAFv2 web ACL logging configurations)
  bucket_versioning (iacguard.facts.data_b_storage: S3 versioning, inline, split or CloudFormation)
  db_parameter_group_ssl (iacguard.facts.data_b_storage: RDS parameter groups and whether they force TLS)
  public_share (iacguard.facts.data_b_storage: AMI launch permissions, DB snapshots, Image Builder
    distributions shared with all AWS accounts)
  secret_value (iacguard.facts.identity_secrets_literals: secrets written in code)
  secret_rotation (iacguard.facts.identity_secrets_rotation: Secrets Manager secrets and their rotation)
  trail, queue (table)
  lb_attributes, lb_listener, cdn_distribution, waf_target, firewall_policy, shield_entry_point,
    emr_cluster_network (iacguard.facts.infra_b_edge)
  event_rule, findings_service (iacguard.facts.incident_routing: EventBridge rules and their targets, finding sources)
  trail_log_delivery, log_metric_filter (iacguard.facts.incident_alarms: trails to CloudWatch Logs, metric filters and alarms)
  log_bucket (iacguard.facts.incident_log_buckets: buckets receiving CloudTrail / access logs, object lock, MFA delete)
  backup_target, backup_vault (iacguard.facts.incident_backup: data stores of roots with an AWS Backup plan and whether a selection covers them; vaults and their locks; table_recovery: DynamoDB point-in-time recovery)
  alert_topic (iacguard.facts.incident_topics: SNS topics alarms and EventBridge publish to, and their KMS key)
  trail_events (iacguard.facts.detection_a_events), vpc_flow_logs (iacguard.facts.detection_a_flowlogs),
  config_recorder (iacguard.facts.detection_a_config)
A check reads only the kinds it declares (tests/test_check_kinds.py runs every check's fixtures
and compares).
"""
from __future__ import annotations

from functools import cached_property

from ..graph import ResourceGraph
from . import compute_roles, iam, iam_access, iam_credentials, network, roots, storage
from . import detection_b_logging
from . import data_b_storage
from iacguard.iam import model as iam_model
from .settings import TABLE
from . import infra_a_compute, infra_a_network
from . import infra_b_edge
from . import identity_secrets_literals
from . import identity_secrets_rotation
from . import incident_routing
from . import incident_alarms
from . import incident_log_buckets
from . import incident_backup
from . import incident_topics
from . import detection_a_config, detection_a_events, detection_a_flowlogs

KINDS = {
    "security_group_rule": network.security_group_rules,
    "load_balancer": network.load_balancers,
    "bucket": storage.buckets,
    "database": storage.databases,
    "volume": storage.volumes,
    "policy_statement": iam.policy_statements,
    "root": roots.roots,
    "iam_policy": iam_access.iam_policies,
    "iam_principal": iam_access.iam_principals,
    "iam_resource_policy": iam_access.iam_resource_policies,
    "iam_credential": iam_credentials.iam_credentials,
    "function_role": compute_roles.function_roles,
    "network_acl_entry": infra_a_network.network_acl_entries,
    "instance_launch": infra_a_compute.instance_launches,
    "bucket_logging": detection_b_logging.bucket_logging,
    "lb_access_logs": detection_b_logging.lb_access_logs,
    "waf_logging": detection_b_logging.waf_logging,
    "bucket_versioning": data_b_storage.bucket_versioning,
    "db_parameter_group_ssl": data_b_storage.db_parameter_group_ssl,
    "public_share": data_b_storage.public_shares,
    "lb_attributes": infra_b_edge.lb_attributes,
    "lb_listener": infra_b_edge.lb_listeners,
    "cdn_distribution": infra_b_edge.distributions,
    "waf_target": infra_b_edge.waf_targets,
    "firewall_policy": infra_b_edge.firewall_policies,
    "shield_entry_point": infra_b_edge.shield_entry_points,
    "emr_cluster_network": infra_b_edge.emr_cluster_networks,
    "secret_value": identity_secrets_literals.secret_values,
    "secret_rotation": identity_secrets_rotation.secret_rotations,
    "event_rule": incident_routing.event_rules,
    "findings_service": incident_routing.findings_services,
    "trail_log_delivery": incident_alarms.trail_log_deliveries,
    "log_metric_filter": incident_alarms.log_metric_filters,
    "log_bucket": incident_log_buckets.log_buckets,
    "backup_target": incident_backup.backup_targets,
    "backup_vault": incident_backup.backup_vaults,
    "table_recovery": incident_backup.table_recoveries,
    "alert_topic": incident_topics.alert_topics,
    "trail_events": detection_a_events.trail_events,
    "vpc_flow_logs": detection_a_flowlogs.vpc_flow_logs,
    "config_recorder": detection_a_config.config_recorders,
    **TABLE,  # table kinds are adapters too: TableKind(graph) -> facts
}

# kind -> the dataclass every fact of that kind is (typed access: `facts.of_kind(k)` is a list
# of KIND_TYPES[k]).
KIND_TYPES = {
    "security_group_rule": network.SecurityGroupRule,
    "load_balancer": network.LoadBalancer,
    "bucket": storage.Bucket,
    "database": storage.Database,
    "volume": storage.Volume,
    "policy_statement": iam.PolicyStatement,
    "root": roots.Root,
    "iam_policy": iam_model.Policy,
    "iam_principal": iam_model.Principal,
    "iam_resource_policy": iam_model.ResourcePolicy,
    "iam_credential": iam_credentials.Credential,
    "function_role": compute_roles.FunctionRole,
    "network_acl_entry": infra_a_network.NetworkAclEntry,
    "instance_launch": infra_a_compute.InstanceLaunch,
    "bucket_logging": detection_b_logging.BucketLogging,
    "lb_access_logs": detection_b_logging.LbAccessLogs,
    "waf_logging": detection_b_logging.WafLogging,
    "bucket_versioning": data_b_storage.BucketVersioning,
    "db_parameter_group_ssl": data_b_storage.DbParameterGroupSsl,
    "public_share": data_b_storage.PublicShare,
    "lb_attributes": infra_b_edge.LoadBalancerAttributes,
    "lb_listener": infra_b_edge.Listener,
    "cdn_distribution": infra_b_edge.Distribution,
    "waf_target": infra_b_edge.WafTarget,
    "firewall_policy": infra_b_edge.FirewallPolicy,
    "shield_entry_point": infra_b_edge.ShieldEntryPoint,
    "emr_cluster_network": infra_b_edge.EmrClusterNetwork,
    "secret_value": identity_secrets_literals.SecretValue,
    "secret_rotation": identity_secrets_rotation.SecretRotation,
    "event_rule": incident_routing.EventRule,
    "findings_service": incident_routing.FindingsService,
    "trail_log_delivery": incident_alarms.TrailLogDelivery,
    "log_metric_filter": incident_alarms.LogMetricFilter,
    "log_bucket": incident_log_buckets.LogBucket,
    "backup_target": incident_backup.BackupTarget,
    "backup_vault": incident_backup.BackupVault,
    "table_recovery": incident_backup.TableRecovery,
    "alert_topic": incident_topics.AlertTopic,
    "trail_events": detection_a_events.TrailEvents,
    "vpc_flow_logs": detection_a_flowlogs.VpcFlowLogs,
    "config_recorder": detection_a_config.ConfigRecorder,
    **{name: kind.cls for name, kind in TABLE.items()},
}


class Facts:
    """The questions checks may ask. Each kind is computed once per scan, on first use."""

    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        self._cache: dict = {}

    def of_kind(self, kind: str) -> list:
        if kind not in self._cache:
            self._cache[kind] = KINDS[kind](self.graph)
        return self._cache[kind]

    @cached_property
    def resource_count(self) -> int:
        return len(self.graph.resources)


__all__ = ["Facts", "KINDS", "KIND_TYPES"]
