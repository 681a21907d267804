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
  trail, queue (table)
  trail_events (iacguard.facts.detection_a_events), vpc_flow_logs (iacguard.facts.detection_a_flowlogs),
  config_recorder (iacguard.facts.detection_a_config)
A check reads only the kinds it declares (tests/test_check_kinds.py runs every check's fixtures
and compares).
"""
from __future__ import annotations

from functools import cached_property

from ..graph import ResourceGraph
from . import compute_roles, iam, iam_access, iam_credentials, network, roots, storage
from iacguard.iam import model as iam_model
from .settings import TABLE
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
