"""GuardDuty protection plans of a detector (kind "guardduty_protection", catalogue slice
"detection_c", issue 13).

What a detector protects is said in three places: the detector's legacy `datasources` block /
`DataSources` property (S3 logs, Kubernetes audit logs, malware protection of EBS volumes), its
`Features` list (CloudFormation: `Name` / `Status`), and in Terraform the split
`aws_guardduty_detector_feature` resources naming the detector by `detector_id`. A feature
declared by a companion or in `Features` wins over the legacy data source of the same plan.

Defaults (GuardDuty API reference, CreateDetector): a new detector has every optional feature
enabled when the request leaves it out, Runtime Monitoring excepted. So a plan left out is ON and
only a plan declared off (`enable = false`, `status = "DISABLED"`, `Status: DISABLED`) is False.
Runtime Monitoring (and EKS Runtime Monitoring) is opt-in and not one of the plans read here.

Nothing is matched across root modules: a feature resource whose detector cannot be known (an
unknown `detector_id` that refers to no detector of the scan) leaves the plan it names Unknown for
the detectors of its own root and module; a literal detector id matches no declared detector.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import Attr, managed

# Feature names of the GuardDuty API for the plans that are on by default.
S3 = "S3_DATA_EVENTS"
EKS_AUDIT = "EKS_AUDIT_LOGS"
EBS_MALWARE = "EBS_MALWARE_PROTECTION"
RDS_LOGIN = "RDS_LOGIN_EVENTS"
LAMBDA_NETWORK = "LAMBDA_NETWORK_LOGS"
PLANS = (S3, EKS_AUDIT, EBS_MALWARE, RDS_LOGIN, LAMBDA_NETWORK)
PLAN_TITLES = {
    S3: "S3 Protection (S3 data events)",
    EKS_AUDIT: "EKS Protection (EKS audit logs)",
    EBS_MALWARE: "Malware Protection for EC2 (EBS volumes)",
    RDS_LOGIN: "RDS Protection (RDS login events)",
    LAMBDA_NETWORK: "Lambda Protection (Lambda network logs)",
}

# The legacy data sources: plan -> the path of its boolean in each language.
_DATASOURCES_TF = {
    S3: ("datasources", "s3_logs", "enable"),
    EKS_AUDIT: ("datasources", "kubernetes", "audit_logs", "enable"),
    EBS_MALWARE: ("datasources", "malware_protection", "scan_ec2_instance_with_findings", "ebs_volumes", "enable"),
}
_DATASOURCES_CFN = {
    S3: ("DataSources", "S3Logs", "Enable"),
    EKS_AUDIT: ("DataSources", "Kubernetes", "AuditLogs", "Enable"),
    EBS_MALWARE: ("DataSources", "MalwareProtection", "ScanEc2InstanceWithFindings", "EbsVolumes"),
}
_FEATURE_TF = "aws_guardduty_detector_feature"
_MAX_FEATURES = 64


@dataclass(frozen=True, slots=True)
class GuardDutyProtection:
    """A GuardDuty detector: whether it is enabled, and its protection plans."""

    resource: Resource  # the detector
    enabled: Attr  # the detector itself (`enable` / `Enable`)
    # plan (a name of PLANS) -> Attr: True (on, declared or by default), False (declared off), Unknown
    plans: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)  # plan -> the resource that declares it (detector or feature)

    def plan(self, name: str) -> Attr:
        return self.plans[name]


def _walk(res: Resource, path: tuple):
    """(value, concrete path) of `path` in `res`, a Terraform block (a list of one object) taken
    as its object; value None when left out, an Unknown when a step is not known."""
    cur = res.properties
    concrete: tuple = ()
    for step in path:
        if isinstance(cur, list):
            if not cur:
                return None, concrete
            cur = cur[0]
            concrete += (0,)
        if is_unknown(cur):
            return cur, concrete
        if not isinstance(cur, dict) or step not in cur:
            return None, concrete
        cur = cur[step]
        concrete += (step,)
    if isinstance(cur, list) and len(cur) == 1 and not isinstance(cur[0], (dict, list)):
        cur = cur[0]
    return cur, concrete


def _status(raw) -> object:
    """A feature's status: True (ENABLED), False (DISABLED) or Unknown."""
    if is_unknown(raw):
        return raw
    text = str(raw).strip().upper() if isinstance(raw, str) else None
    if text == "ENABLED":
        return True
    if text == "DISABLED":
        return False
    return Unknown("feature status %r" % (raw,))


def _legacy(res: Resource, plan: str) -> Attr | None:
    paths = _DATASOURCES_TF if res.language == "terraform" else _DATASOURCES_CFN
    path = paths.get(plan)
    if path is None:
        return None
    raw, concrete = _walk(res, path)
    if raw is None:
        return None
    if is_unknown(raw):
        return Attr(raw, res.location_of(*concrete), True)
    return Attr(as_bool(raw), res.location_of(*concrete), True)


def _cfn_features(res: Resource) -> tuple:
    """({plan: Attr} declared in `Features`, an Attr when the list itself is not known)."""
    raw = res.properties.get("Features")
    if raw is None:
        return {}, None
    if is_unknown(raw):
        return {}, Attr(raw, res.location_of("Features"), True)
    out: dict = {}
    whole = None
    for i, item in enumerate(raw[:_MAX_FEATURES] if isinstance(raw, list) else []):
        if is_unknown(item):
            whole = whole or Attr(item, res.location_of("Features", i), True)
            continue
        if not isinstance(item, dict):
            continue
        name = item.get("Name")
        if is_unknown(name):
            whole = whole or Attr(name, res.location_of("Features", i, "Name"), True)
            continue
        if name in PLANS:
            out[name] = Attr(_status(item.get("Status")), res.location_of("Features", i, "Status"), True)
    return out, whole


def guardduty_protections(graph: ResourceGraph) -> list:
    companions: dict = {}  # detector id -> {plan: (Attr, feature resource)}
    unresolved: dict = {}  # (root, module) -> [(plan or None, Attr)]: features naming no known detector
    for feature in managed(graph, _FEATURE_TF):
        name = feature.properties.get("name")
        if is_unknown(name):
            plan, attr = None, Attr(name, feature.location_of("name"), True)
        elif name in PLANS:
            plan, attr = name, Attr(_status(feature.properties.get("status")), feature.location_of("status"), True)
        else:
            continue  # Runtime Monitoring and the like: not a plan read here
        detectors = graph.referenced_at(feature, (("detector_id",),), ("aws_guardduty_detector",))
        if detectors:
            for det in detectors:
                if plan is None:
                    for p in PLANS:
                        companions.setdefault(det.id, {}).setdefault(p, (attr, feature))
                else:
                    companions.setdefault(det.id, {})[plan] = (attr, feature)
        elif is_unknown(feature.properties.get("detector_id")):
            unresolved.setdefault((graph.root_of(feature), feature.module), []).append((plan, attr))
    out = []
    for res in managed(graph, "aws_guardduty_detector", "AWS::GuardDuty::Detector"):
        if res.language == "terraform":
            raw = res.properties.get("enable")
            enabled = Attr(True, res.location, False) if raw is None else Attr(as_bool(raw), res.location_of("enable"), True)
            features, whole = {}, None
            block = res.properties.get("datasources")
            if is_unknown(block):
                whole = Attr(block, res.location_of("datasources"), True)
        else:
            raw = res.properties.get("Enable")
            enabled = Attr(Unknown("Enable not set"), res.location, False) if raw is None else Attr(as_bool(raw), res.location_of("Enable"), True)
            features, whole = _cfn_features(res)
            block = res.properties.get("DataSources")
            if whole is None and is_unknown(block):
                whole = Attr(block, res.location_of("DataSources"), True)
        mine = companions.get(res.id, {})
        maybe = unresolved.get((graph.root_of(res), res.module), ())
        plans, sources = {}, {}
        for plan in PLANS:
            if plan in mine:
                plans[plan], sources[plan] = mine[plan]
                continue
            attr = features.get(plan) or _legacy(res, plan)
            if attr is None and whole is not None:
                attr = whole
            if attr is None or attr.is_true():
                other = next((a for p, a in maybe if p in (plan, None)), None)
                if other is not None and not other.is_true():
                    attr = other if not other.known else Attr(Unknown("a detector feature turns %s off for a detector that cannot be known" % plan), other.location, True)
            plans[plan] = attr if attr is not None else Attr(True, res.location, False)
            sources[plan] = res
        out.append(GuardDutyProtection(res, enabled, plans, sources))
    return out
