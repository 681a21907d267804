"""Logging facts of catalogue slice "detection_c" (issue 13) that a table cannot say:

- `rest_api_execution_logs`: the execution logging level of an API Gateway REST API stage for all
  its methods (method path `*/*`), from the stage's `MethodSettings` (CloudFormation: an entry with
  `ResourcePath: /*` and `HttpMethod: "*"`) or from the split `aws_api_gateway_method_settings`
  resources naming the stage (Terraform: by a reference to the stage in `stage_name`, or by the
  same REST API and a literal stage name). Left out, a stage logs nothing (level OFF, the API
  Gateway default).

Nothing is matched across root modules: a companion whose stage cannot be known counts as Unknown
for the stages of its own root and module only.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import Attr, managed

_LEVELS = ("off", "error", "info")
_MAX_ITEMS = 256


def _level(raw, loc) -> Attr:
    if is_unknown(raw):
        return Attr(raw, loc, True)
    text = str(raw).strip().lower() if isinstance(raw, str) else None
    return Attr(text if text in _LEVELS else Unknown("logging level %r" % (raw,)), loc, True)


@dataclass(frozen=True, slots=True)
class RestApiExecutionLogs:
    """An API Gateway stage's execution logging level."""

    resource: Resource  # the stage
    level: Attr  # "off" | "error" | "info" for every method (`*/*`), or Unknown
    source: Resource | None  # the resource that sets it (the stage or a method settings companion)


def rest_api_execution_logs(graph: ResourceGraph) -> list:
    by_stage: dict = {}  # stage id -> [(Attr, companion)]
    by_name: dict = {}  # (root, api id, stage name) -> [(Attr, companion)]
    unresolved: dict = {}  # (root, module) -> Attr: a companion whose stage cannot be known
    for ms in managed(graph, "aws_api_gateway_method_settings"):
        path = ms.properties.get("method_path")
        if is_unknown(path):
            attr = Attr(path, ms.location_of("method_path"), True)
        elif path != "*/*":
            continue  # one method only: does not say what the others log
        else:
            blocks = ms.properties.get("settings")
            if is_unknown(blocks):
                attr = Attr(blocks, ms.location_of("settings"), True)
            else:
                block = ms.blocks("settings")[0] if ms.blocks("settings") else {}
                raw = block.get("logging_level")
                # The provider leaves an unset level to the service: OFF for a new stage.
                attr = Attr("off", ms.location_of("settings", 0) if block else ms.location, False) if raw is None else _level(raw, ms.location_of("settings", 0, "logging_level"))
        stages = graph.referenced_at(ms, (("stage_name",),), ("aws_api_gateway_stage",))
        if stages:
            for st in stages:
                by_stage.setdefault(st.id, []).append((attr, ms))
            continue
        name = ms.properties.get("stage_name")
        apis = graph.referenced_at(ms, (("rest_api_id",),), ("aws_api_gateway_rest_api",))
        if isinstance(name, str) and apis:
            for api in apis:
                by_name.setdefault((graph.root_of(ms), api.id, name), []).append((attr, ms))
        elif is_unknown(name) or is_unknown(ms.properties.get("rest_api_id")):
            unresolved.setdefault((graph.root_of(ms), ms.module), Attr(Unknown("method settings for a stage that cannot be known"), ms.location, True))
    out = []
    for st in managed(graph, "aws_api_gateway_stage"):
        found = list(by_stage.get(st.id, ()))
        name = st.properties.get("stage_name")
        if isinstance(name, str):
            for api in graph.referenced_at(st, (("rest_api_id",),), ("aws_api_gateway_rest_api",)):
                found += by_name.get((graph.root_of(st), api.id, name), [])
        out.append(_best(st, found, unresolved.get((graph.root_of(st), st.module))))
    for st in graph.of_type("AWS::ApiGateway::Stage"):
        out.append(_cfn_stage(st))
    return out


def _best(stage: Resource, found: list, maybe: Attr | None) -> RestApiExecutionLogs:
    """The level the companions give: a known logging level wins (several companions for the
    same path: any that logs), else an Unknown, else OFF."""
    logging = next(((a, s) for a, s in found if a.value in ("error", "info")), None)
    if logging:
        return RestApiExecutionLogs(stage, logging[0], logging[1])
    unknown = next(((a, s) for a, s in found if not a.known), None)
    if unknown:
        return RestApiExecutionLogs(stage, unknown[0], unknown[1])
    if maybe is not None:
        return RestApiExecutionLogs(stage, maybe, None)
    if found:
        return RestApiExecutionLogs(stage, found[0][0], found[0][1])
    return RestApiExecutionLogs(stage, Attr("off", stage.location, False), None)


def _cfn_stage(st: Resource) -> RestApiExecutionLogs:
    settings = st.properties.get("MethodSettings")
    if settings is None:
        return RestApiExecutionLogs(st, Attr("off", st.location, False), None)
    if is_unknown(settings):
        return RestApiExecutionLogs(st, Attr(settings, st.location_of("MethodSettings"), True), st)
    unknown = None
    for i, item in enumerate(settings[:_MAX_ITEMS] if isinstance(settings, list) else []):
        if is_unknown(item):
            unknown = unknown or Attr(item, st.location_of("MethodSettings", i), True)
            continue
        if not isinstance(item, dict):
            continue
        path, method = item.get("ResourcePath"), item.get("HttpMethod")
        if is_unknown(path) or is_unknown(method):
            unknown = unknown or Attr(path if is_unknown(path) else method, st.location_of("MethodSettings", i), True)
            continue
        if path != "/*" or method != "*":
            continue
        raw = item.get("LoggingLevel")
        if raw is None:
            return RestApiExecutionLogs(st, Attr("off", st.location_of("MethodSettings", i), False), st)
        return RestApiExecutionLogs(st, _level(raw, st.location_of("MethodSettings", i, "LoggingLevel")), st)
    if unknown is not None:
        return RestApiExecutionLogs(st, unknown, st)
    return RestApiExecutionLogs(st, Attr("off", st.location_of("MethodSettings"), False), st)


@dataclass(frozen=True, slots=True)
class RedshiftAuditLogging:
    """A Redshift cluster's audit logging, and the resource that sets it."""

    resource: Resource  # the cluster
    logging: Attr  # True: audit logging on (inline, by a companion, or LoggingProperties)
    source: Resource | None  # the resource that turns it on or off


def redshift_audit_logging(graph: ResourceGraph) -> list:
    """Redshift clusters and their audit logging (kind "redshift_audit_logging"): Terraform's
    `logging { enable }` block of `aws_redshift_cluster` (provider v5 and earlier) or the split
    `aws_redshift_logging` naming the cluster by `cluster_identifier` (a reference, or a literal
    name equal to the cluster's in the same root); CloudFormation's `LoggingProperties` (its
    presence turns logging on). Left out, a cluster keeps no audit log (the Redshift default)."""
    companions: dict = {}  # cluster id -> companion
    named: dict = {}  # (root, name) -> companion
    unresolved: dict = {}  # (root, module) -> Attr
    for comp in managed(graph, "aws_redshift_logging"):
        clusters = graph.referenced_at(comp, (("cluster_identifier",),), ("aws_redshift_cluster",))
        for cl in clusters:
            companions.setdefault(cl.id, comp)
        if clusters:
            continue
        ident = comp.properties.get("cluster_identifier")
        if isinstance(ident, str):
            named.setdefault((graph.root_of(comp), ident), comp)
        elif is_unknown(ident):
            unresolved.setdefault((graph.root_of(comp), comp.module), Attr(Unknown("a Redshift logging configuration names a cluster that cannot be known"), comp.location, True))
    out = []
    for res in managed(graph, "aws_redshift_cluster"):
        block = res.properties.get("logging")
        comp = companions.get(res.id)
        ident = res.properties.get("cluster_identifier")
        if comp is None and isinstance(ident, str):
            comp = named.get((graph.root_of(res), ident))
        if comp is not None:
            out.append(RedshiftAuditLogging(res, Attr(True, comp.location, True), comp))
        elif is_unknown(block):
            out.append(RedshiftAuditLogging(res, Attr(block, res.location_of("logging"), True), res))
        elif res.blocks("logging"):
            raw = res.blocks("logging")[0].get("enable")
            if raw is None:
                attr = Attr(Unknown("logging.enable not set"), res.location_of("logging", 0), True)
            else:
                attr = Attr(as_bool(raw), res.location_of("logging", 0, "enable"), True)
            maybe = unresolved.get((graph.root_of(res), res.module))
            out.append(RedshiftAuditLogging(res, maybe if (maybe is not None and attr.is_false()) else attr, res))
        else:
            maybe = unresolved.get((graph.root_of(res), res.module))
            out.append(RedshiftAuditLogging(res, maybe or Attr(False, res.location, False), None))
    for res in graph.of_type("AWS::Redshift::Cluster"):
        conf = res.properties.get("LoggingProperties")
        if conf is None:
            out.append(RedshiftAuditLogging(res, Attr(False, res.location, False), None))
        elif is_unknown(conf):
            out.append(RedshiftAuditLogging(res, Attr(conf, res.location_of("LoggingProperties"), True), res))
        else:
            out.append(RedshiftAuditLogging(res, Attr(True, res.location_of("LoggingProperties"), True), res))
    return out


@dataclass(frozen=True, slots=True)
class SearchDomainLogs:
    """An OpenSearch domain's audit and application logs."""

    resource: Resource  # the OpenSearch / Elasticsearch domain
    audit: Attr  # True: AUDIT_LOGS published to CloudWatch Logs
    application: Attr  # True: ES_APPLICATION_LOGS (error logs) published
    fine_grained: Attr  # fine-grained access control on (audit logs need it)


def search_domain_logs(graph: ResourceGraph) -> list:
    """OpenSearch and Elasticsearch domains and the logs they publish (kind "search_domain_logs").
    Terraform: `log_publishing_options` blocks by `log_type`, whose `enabled` defaults to true (AWS
    provider schema). CloudFormation: the `LogPublishingOptions` map keyed by log type, whose
    `Enabled` defaults to false (CloudFormation LogPublishingOption reference). No option for a
    type: that log is not published. Fine-grained access control: `advanced_security_options {
    enabled }` / `AdvancedSecurityOptions.Enabled`, off unless set."""
    out = []
    for res in managed(graph, "aws_opensearch_domain", "aws_elasticsearch_domain"):
        found: dict = {}
        whole = None
        blocks = res.properties.get("log_publishing_options")
        if is_unknown(blocks):
            whole = Attr(blocks, res.location_of("log_publishing_options"), True)
        else:
            for i, block in enumerate(blocks[:_MAX_ITEMS] if isinstance(blocks, list) else [blocks] if isinstance(blocks, dict) else []):
                loc = res.location_of("log_publishing_options", i)
                if is_unknown(block):
                    whole = whole or Attr(block, loc, True)
                    continue
                if not isinstance(block, dict):
                    continue
                kind = block.get("log_type")
                if is_unknown(kind):
                    whole = whole or Attr(kind, res.location_of("log_publishing_options", i, "log_type"), True)
                    continue
                raw = block.get("enabled")
                attr = Attr(True, loc, True) if raw is None else Attr(as_bool(raw), res.location_of("log_publishing_options", i, "enabled"), True)
                if kind not in found or attr.is_true():
                    found[kind] = attr
        fgac = res.get("advanced_security_options", 0, "enabled")
        fine = Attr(False, res.location, False) if fgac is None else Attr(as_bool(fgac), res.location_of("advanced_security_options", 0, "enabled"), True)
        out.append(SearchDomainLogs(res, _log(found, "AUDIT_LOGS", whole, res), _log(found, "ES_APPLICATION_LOGS", whole, res), fine))
    for res in graph.of_type("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"):
        found = {}
        whole = None
        options = res.properties.get("LogPublishingOptions")
        if is_unknown(options):
            whole = Attr(options, res.location_of("LogPublishingOptions"), True)
        elif isinstance(options, dict):
            for kind, option in options.items():
                if is_unknown(option):
                    found[kind] = Attr(option, res.location_of("LogPublishingOptions", kind), True)
                elif isinstance(option, dict):
                    raw = option.get("Enabled")
                    found[kind] = Attr(False, res.location_of("LogPublishingOptions", kind), False) if raw is None else Attr(as_bool(raw), res.location_of("LogPublishingOptions", kind, "Enabled"), True)
        fgac = res.get("AdvancedSecurityOptions", "Enabled")
        fine = Attr(False, res.location, False) if fgac is None else Attr(as_bool(fgac), res.location_of("AdvancedSecurityOptions", "Enabled"), True)
        out.append(SearchDomainLogs(res, _log(found, "AUDIT_LOGS", whole, res), _log(found, "ES_APPLICATION_LOGS", whole, res), fine))
    return out


def _log(found: dict, kind: str, whole: Attr | None, res: Resource) -> Attr:
    attr = found.get(kind)
    if attr is not None and (attr.is_true() or whole is None):
        return attr
    if whole is not None:
        return whole
    return Attr(False, res.location, False)


@dataclass(frozen=True, slots=True)
class EcsTaskLogging:
    """An ECS task definition: whether its containers send logs, and which do not."""

    resource: Resource  # the task definition
    logged: Attr  # True: every container has a log configuration; False: one at least has none
    missing: tuple = ()  # names of the containers without one


def ecs_task_logging(graph: ResourceGraph) -> list:
    """ECS task definitions and whether each container sends its output somewhere (kind
    "ecs_task_logging"): `logConfiguration` in Terraform's `container_definitions` (a JSON string,
    usually `jsonencode`; a partly known value is read as far as it is known), `LogConfiguration`
    in CloudFormation's `ContainerDefinitions`. A container without one has its stdout and stderr
    dropped (ECS keeps no logs by default)."""
    import json

    out = []
    for res in managed(graph, "aws_ecs_task_definition"):
        raw = res.properties.get("container_definitions")
        where = res.location_of("container_definitions")
        defs = raw
        if isinstance(raw, str):
            try:
                defs = json.loads(raw)
            except ValueError:
                defs = None
        elif is_unknown(raw):
            defs = getattr(raw, "partial_value", None)
            if defs is None:
                out.append(EcsTaskLogging(res, Attr(raw, where, True)))
                continue
        if not isinstance(defs, list):
            out.append(EcsTaskLogging(res, Attr(Unknown("container_definitions is not a list of containers"), where, True)))
            continue
        out.append(_containers(res, defs, "name", "logConfiguration", lambda i: where))
    for res in graph.of_type("AWS::ECS::TaskDefinition"):
        defs = res.properties.get("ContainerDefinitions")
        if is_unknown(defs):
            out.append(EcsTaskLogging(res, Attr(defs, res.location_of("ContainerDefinitions"), True)))
            continue
        if not isinstance(defs, list):
            out.append(EcsTaskLogging(res, Attr(True, res.location, False)))  # no container: nothing to log
            continue
        out.append(_containers(res, defs, "Name", "LogConfiguration", lambda i, r=res: r.location_of("ContainerDefinitions", i)))
    return out


def _containers(res: Resource, defs: list, name_key: str, log_key: str, loc) -> EcsTaskLogging:
    missing, first, unknown = [], None, None
    for i, container in enumerate(defs[:_MAX_ITEMS]):
        if is_unknown(container):
            unknown = unknown or Attr(container, loc(i), True)
            continue
        if not isinstance(container, dict):
            continue
        conf = container.get(log_key)
        if is_unknown(conf):
            unknown = unknown or Attr(conf, loc(i), True)
        elif not conf:
            name = container.get(name_key)
            missing.append(name if isinstance(name, str) else "#%d" % i)
            first = first or loc(i)
    if missing:
        return EcsTaskLogging(res, Attr(False, first, True), tuple(missing))
    if unknown is not None:
        return EcsTaskLogging(res, unknown)
    return EcsTaskLogging(res, Attr(True, res.location, False))
