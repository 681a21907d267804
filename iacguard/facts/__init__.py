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
  backup_target, backup_vault (iacguard.facts.incident_backup: data stores of roots with an AWS Backup plan and whether a selection covers them; vaults and their locks)
  alert_topic (iacguard.facts.incident_topics: SNS topics alarms and EventBridge publish to, and their KMS key)
  trail_events (iacguard.facts.detection_a_events), vpc_flow_logs (iacguard.facts.detection_a_flowlogs),
  config_recorder (iacguard.facts.detection_a_config)
  guardduty_protection (iacguard.facts.detection_c_guardduty: GuardDuty detectors and their protection plans)
  rest_api_execution_logs (iacguard.facts.detection_c_logging: API Gateway REST stages' execution logging level)
  redshift_audit_logging (iacguard.facts.detection_c_logging: Redshift clusters' audit logging, inline or split)
  search_domain_logs (iacguard.facts.detection_c_logging: OpenSearch / Elasticsearch domains' audit and application logs)
  ecs_task_logging (iacguard.facts.detection_c_logging: ECS task definitions' containers without a log configuration)
  cfn_parameter (iacguard.facts.secrets_b_parameters: CloudFormation parameters, on stand-ins at their declarations)
  user_data_secret, embedded_secret (iacguard.facts.secrets_b_text: secrets in EC2 user data; access key ids,
    private keys and random-looking values named like secrets in any resource property)
  api_route (iacguard.facts.secrets_b_routes: API Gateway v2 routes, their authorization and their API's protocol)
  bucket_key (iacguard.facts.secrets_b_bucket_keys: the key an S3 bucket is encrypted with by default)
  trail_s3_selectors, data_event_bucket (iacguard.facts.detection_d_events: trails' S3 data-event selectors and
    which buckets and accesses they cover; buckets and their object ARN prefixes)
  cache_cluster_network (iacguard.facts.infra_c_network: ElastiCache clusters / replication groups and MemoryDB
    clusters, and whether their subnet group holds a subnet that routes to an internet gateway)
  entry_point (iacguard.facts.exposure: per root, the resources the internet reaches directly, with the ports they
    accept from it, why, and whether that is decided; issue 14's exposure model, read by no check yet)
  attack_path (iacguard.facts.attack_paths: from each entry point to the data stores it leads to, hop by hop,
    through compute, its role and the granting policy, or an SG-to-SG reference; read by no check yet)
A check reads only the kinds it declares (tests/test_check_kinds.py runs every check's fixtures
and compares).
"""
from __future__ import annotations

import importlib
from collections.abc import MutableMapping
from functools import cached_property
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time

if TYPE_CHECKING:
    from ..graph import ResourceGraph

# kind -> (adapter module, adapter function, module of its fact class, fact class). Imported on
# first use: a warm scan answered from the cache, `iacguard checks` and the check modules'
# own imports do not pay for every adapter (and the table's generated classes) at start-up.
_ADAPTERS = {
    "security_group_rule": ("iacguard.facts.network", "security_group_rules", "iacguard.facts.network", "SecurityGroupRule"),
    "load_balancer": ("iacguard.facts.network", "load_balancers", "iacguard.facts.network", "LoadBalancer"),
    "bucket": ("iacguard.facts.storage", "buckets", "iacguard.facts.storage", "Bucket"),
    "database": ("iacguard.facts.storage", "databases", "iacguard.facts.storage", "Database"),
    "volume": ("iacguard.facts.storage", "volumes", "iacguard.facts.storage", "Volume"),
    "policy_statement": ("iacguard.facts.iam", "policy_statements", "iacguard.facts.iam", "PolicyStatement"),
    "root": ("iacguard.facts.roots", "roots", "iacguard.facts.roots", "Root"),
    "iam_policy": ("iacguard.facts.iam_access", "iam_policies", "iacguard.iam.model", "Policy"),
    "iam_principal": ("iacguard.facts.iam_access", "iam_principals", "iacguard.iam.model", "Principal"),
    "iam_resource_policy": ("iacguard.facts.iam_access", "iam_resource_policies", "iacguard.iam.model", "ResourcePolicy"),
    "iam_credential": ("iacguard.facts.iam_credentials", "iam_credentials", "iacguard.facts.iam_credentials", "Credential"),
    "function_role": ("iacguard.facts.compute_roles", "function_roles", "iacguard.facts.compute_roles", "FunctionRole"),
    "network_acl_entry": ("iacguard.facts.infra_a_network", "network_acl_entries", "iacguard.facts.infra_a_network", "NetworkAclEntry"),
    "instance_launch": ("iacguard.facts.infra_a_compute", "instance_launches", "iacguard.facts.infra_a_compute", "InstanceLaunch"),
    "bucket_logging": ("iacguard.facts.detection_b_logging", "bucket_logging", "iacguard.facts.detection_b_logging", "BucketLogging"),
    "lb_access_logs": ("iacguard.facts.detection_b_logging", "lb_access_logs", "iacguard.facts.detection_b_logging", "LbAccessLogs"),
    "waf_logging": ("iacguard.facts.detection_b_logging", "waf_logging", "iacguard.facts.detection_b_logging", "WafLogging"),
    "bucket_versioning": ("iacguard.facts.data_b_storage", "bucket_versioning", "iacguard.facts.data_b_storage", "BucketVersioning"),
    "db_parameter_group_ssl": ("iacguard.facts.data_b_storage", "db_parameter_group_ssl", "iacguard.facts.data_b_storage", "DbParameterGroupSsl"),
    "public_share": ("iacguard.facts.data_b_storage", "public_shares", "iacguard.facts.data_b_storage", "PublicShare"),
    "lb_attributes": ("iacguard.facts.infra_b_edge", "lb_attributes", "iacguard.facts.infra_b_edge", "LoadBalancerAttributes"),
    "lb_listener": ("iacguard.facts.infra_b_edge", "lb_listeners", "iacguard.facts.infra_b_edge", "Listener"),
    "cdn_distribution": ("iacguard.facts.infra_b_edge", "distributions", "iacguard.facts.infra_b_edge", "Distribution"),
    "waf_target": ("iacguard.facts.infra_b_edge", "waf_targets", "iacguard.facts.infra_b_edge", "WafTarget"),
    "firewall_policy": ("iacguard.facts.infra_b_edge", "firewall_policies", "iacguard.facts.infra_b_edge", "FirewallPolicy"),
    "shield_entry_point": ("iacguard.facts.infra_b_edge", "shield_entry_points", "iacguard.facts.infra_b_edge", "ShieldEntryPoint"),
    "emr_cluster_network": ("iacguard.facts.infra_b_edge", "emr_cluster_networks", "iacguard.facts.infra_b_edge", "EmrClusterNetwork"),
    "secret_value": ("iacguard.facts.identity_secrets_literals", "secret_values", "iacguard.facts.identity_secrets_literals", "SecretValue"),
    "secret_rotation": ("iacguard.facts.identity_secrets_rotation", "secret_rotations", "iacguard.facts.identity_secrets_rotation", "SecretRotation"),
    "event_rule": ("iacguard.facts.incident_routing", "event_rules", "iacguard.facts.incident_routing", "EventRule"),
    "findings_service": ("iacguard.facts.incident_routing", "findings_services", "iacguard.facts.incident_routing", "FindingsService"),
    "trail_log_delivery": ("iacguard.facts.incident_alarms", "trail_log_deliveries", "iacguard.facts.incident_alarms", "TrailLogDelivery"),
    "log_metric_filter": ("iacguard.facts.incident_alarms", "log_metric_filters", "iacguard.facts.incident_alarms", "LogMetricFilter"),
    "log_bucket": ("iacguard.facts.incident_log_buckets", "log_buckets", "iacguard.facts.incident_log_buckets", "LogBucket"),
    "backup_target": ("iacguard.facts.incident_backup", "backup_targets", "iacguard.facts.incident_backup", "BackupTarget"),
    "backup_vault": ("iacguard.facts.incident_backup", "backup_vaults", "iacguard.facts.incident_backup", "BackupVault"),
    "alert_topic": ("iacguard.facts.incident_topics", "alert_topics", "iacguard.facts.incident_topics", "AlertTopic"),
    "trail_events": ("iacguard.facts.detection_a_events", "trail_events", "iacguard.facts.detection_a_events", "TrailEvents"),
    "vpc_flow_logs": ("iacguard.facts.detection_a_flowlogs", "vpc_flow_logs", "iacguard.facts.detection_a_flowlogs", "VpcFlowLogs"),
    "config_recorder": ("iacguard.facts.detection_a_config", "config_recorders", "iacguard.facts.detection_a_config", "ConfigRecorder"),
    "guardduty_protection": ("iacguard.facts.detection_c_guardduty", "guardduty_protections", "iacguard.facts.detection_c_guardduty", "GuardDutyProtection"),
    "rest_api_execution_logs": ("iacguard.facts.detection_c_logging", "rest_api_execution_logs", "iacguard.facts.detection_c_logging", "RestApiExecutionLogs"),
    "redshift_audit_logging": ("iacguard.facts.detection_c_logging", "redshift_audit_logging", "iacguard.facts.detection_c_logging", "RedshiftAuditLogging"),
    "search_domain_logs": ("iacguard.facts.detection_c_logging", "search_domain_logs", "iacguard.facts.detection_c_logging", "SearchDomainLogs"),
    "ecs_task_logging": ("iacguard.facts.detection_c_logging", "ecs_task_logging", "iacguard.facts.detection_c_logging", "EcsTaskLogging"),
    "cfn_parameter": ("iacguard.facts.secrets_b_parameters", "cfn_parameters", "iacguard.facts.secrets_b_parameters", "CfnParameter"),
    "user_data_secret": ("iacguard.facts.secrets_b_text", "user_data_secrets", "iacguard.facts.secrets_b_text", "TextSecret"),
    "embedded_secret": ("iacguard.facts.secrets_b_text", "embedded_secrets", "iacguard.facts.secrets_b_text", "TextSecret"),
    "api_route": ("iacguard.facts.secrets_b_routes", "api_routes", "iacguard.facts.secrets_b_routes", "ApiRoute"),
    "bucket_key": ("iacguard.facts.secrets_b_bucket_keys", "bucket_keys", "iacguard.facts.secrets_b_bucket_keys", "BucketKey"),
    "trail_s3_selectors": ("iacguard.facts.detection_d_events", "trail_s3_selectors", "iacguard.facts.detection_d_events", "TrailS3Selectors"),
    "data_event_bucket": ("iacguard.facts.detection_d_events", "data_event_buckets", "iacguard.facts.detection_d_events", "DataEventBucket"),
    "cache_cluster_network": ("iacguard.facts.infra_c_network", "cache_cluster_networks", "iacguard.facts.infra_c_network", "CacheClusterNetwork"),
    "entry_point": ("iacguard.facts.exposure", "entry_points", "iacguard.facts.exposure", "EntryPoint"),
    "attack_path": ("iacguard.facts.attack_paths", "attack_paths", "iacguard.facts.attack_paths", "AttackPath"),
}


def _table() -> dict:
    from .settings import TABLE  # table kinds are adapters too: TableKind(graph) -> facts

    return TABLE


class _LazyKinds(MutableMapping):
    """kind -> what `pick` takes from its adapter (resolved and kept on first access). Kinds may
    be added and removed at run time (tests add made-up kinds)."""

    def __init__(self, pick) -> None:
        self._pick = pick
        self._done: dict = {}
        self._extra: dict = {}

    def _names(self) -> list:
        return list(_ADAPTERS) + [k for k in _table() if k not in _ADAPTERS] + [k for k in self._extra if k not in _ADAPTERS]

    def __setitem__(self, kind: str, value) -> None:
        self._extra[kind] = value

    def __delitem__(self, kind: str) -> None:
        del self._extra[kind]

    def __getitem__(self, kind: str):
        if kind in self._extra:
            return self._extra[kind]
        if kind not in self._done:
            spec = _ADAPTERS.get(kind)
            if spec is not None:
                self._done[kind] = self._pick(spec, None)
            else:
                self._done[kind] = self._pick(None, _table()[kind])  # KeyError for an unknown kind
        return self._done[kind]

    def __iter__(self):
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, kind) -> bool:
        return kind in self._extra or kind in _ADAPTERS or kind in _table()


KINDS = _LazyKinds(lambda spec, table: getattr(importlib.import_module(spec[0]), spec[1]) if spec else table)

# kind -> the dataclass every fact of that kind is (typed access: `facts.of_kind(k)` is a list
# of KIND_TYPES[k]).
KIND_TYPES = _LazyKinds(lambda spec, table: getattr(importlib.import_module(spec[2]), spec[3]) if spec else table.cls)


class Facts:
    """The questions checks may ask. Each kind is computed once per scan, on first use."""

    def __init__(self, graph: "ResourceGraph") -> None:
        self.graph = graph
        self._cache: dict = {}
        # Nothing scanned (no node at all): every built-in kind is empty, so an empty scan loads
        # and runs no adapter (tests/test_import_floor.py asks each adapter to agree).
        store = getattr(graph, "g", None)
        self._empty = store is not None and len(store) == 0 and not graph.resources

    def of_kind(self, kind: str) -> list:
        if kind not in self._cache:
            if self._empty and kind not in KINDS._extra:
                self._cache[kind] = []
            else:
                self._cache[kind] = KINDS[kind](self.graph)
        return self._cache[kind]

    @cached_property
    def resource_count(self) -> int:
        return len(self.graph.resources)


__all__ = ["Facts", "KINDS", "KIND_TYPES"]
