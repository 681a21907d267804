"""Incident response facts: data stores and whether an AWS Backup selection of their root covers them.

Kind `backup_target`: one `BackupTarget` per data store (RDS instances that are not Aurora
members, RDS/Aurora clusters, DynamoDB tables, EFS file systems, EBS volumes) in a root that
declares at least one AWS Backup plan (`aws_backup_plan`, `AWS::Backup::BackupPlan`): a root
without one is left alone, as backups may come from an organization backup policy or the
services' own automated backups. `covered` is True when a selection (`aws_backup_selection`,
`AWS::Backup::BackupSelection`) of a plan with a rule selects it:
  - by reference or literal ARN in `resources` / `Resources` ("*" and ARN wildcards of its
    service count), unless `not_resources` / `NotResources` excludes it;
  - by tag (`selection_tag` / `ListOfTags`, STRINGEQUALS): the store's own tags are compared;
    a store that does not set the key at all may still get it from the provider's
    `default_tags` or the stack's tags, which the scan does not see: Unknown.
A selection with `condition` / `Conditions` narrows what it selects: a match through it is Unknown.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import Unknown, is_unknown
from .common import Attr, managed

# type -> (ARN pattern a wildcard must match, the attribute holding its name)
STORES = {
    "aws_db_instance": ("arn:aws:rds:*:*:db:%s", "identifier"),
    "aws_rds_cluster": ("arn:aws:rds:*:*:cluster:%s", "cluster_identifier"),
    "aws_dynamodb_table": ("arn:aws:dynamodb:*:*:table/%s", "name"),
    "aws_efs_file_system": ("arn:aws:elasticfilesystem:*:*:file-system/%s", None),
    "aws_ebs_volume": ("arn:aws:ec2:*:*:volume/%s", None),
    "AWS::RDS::DBInstance": ("arn:aws:rds:*:*:db:%s", "DBInstanceIdentifier"),
    "AWS::RDS::DBCluster": ("arn:aws:rds:*:*:cluster:%s", "DBClusterIdentifier"),
    "AWS::DynamoDB::Table": ("arn:aws:dynamodb:*:*:table/%s", "TableName"),
    "AWS::EFS::FileSystem": ("arn:aws:elasticfilesystem:*:*:file-system/%s", None),
    "AWS::EC2::Volume": ("arn:aws:ec2:*:*:volume/%s", None),
}
PLAN_TYPES = ("aws_backup_plan", "AWS::Backup::BackupPlan")
SELECTION_TYPES = ("aws_backup_selection", "AWS::Backup::BackupSelection")


@dataclass(frozen=True, slots=True)
class BackupTarget:
    """A resource that AWS Backup plans may cover, and the plans that do."""

    resource: Resource
    covered: Attr  # True / False / Unknown, located at the selection that decides (or the store)
    plans: tuple  # the backup plans of its root (Resources)


def _tags(res: Resource) -> Any:
    """The store's own tags as a dict, or an Unknown."""
    key = "tags" if res.language == "terraform" else ("FileSystemTags" if res.type == "AWS::EFS::FileSystem" else "Tags")
    raw = res.properties.get(key)
    if raw is None:
        return {}
    if is_unknown(raw):
        return raw
    if isinstance(raw, dict):
        return raw
    out: dict = {}
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict):
            k, v = item.get("Key"), item.get("Value")
            if is_unknown(k):
                return k
            if isinstance(k, str):
                out[k] = v
        elif is_unknown(item):
            return item
    return out


def _arn_match(store: Resource, arn: Any) -> Any:
    if is_unknown(arn):
        return arn
    if not isinstance(arn, str):
        return False
    if arn == "*":
        return True
    pattern, name_key = STORES[store.type]
    name = store.properties.get(name_key) if name_key else None
    if isinstance(name, str):
        return fnmatch.fnmatchcase(pattern % name, arn) or fnmatch.fnmatchcase(arn, pattern % name)
    # The store's name is not known: an ARN for its service might be it, a wildcard of its service is it.
    service_any = pattern % "*"
    if fnmatch.fnmatchcase(service_any, arn):
        return True
    if fnmatch.fnmatchcase(arn, service_any):
        return Unknown("%s's name is not known" % store.address)
    return False


class _Selection:
    def __init__(self, graph: ResourceGraph, sel: Resource):
        self.res = sel
        tf = sel.language == "terraform"
        body = sel.properties if tf else sel.properties.get("BackupSelection", {})
        self.body = body if isinstance(body, dict) else {}
        self.unknown_body = body if is_unknown(body) else None
        self.tf = tf
        self.graph = graph
        key = "resources" if tf else "Resources"
        nkey = "not_resources" if tf else "NotResources"
        path = (key,) if tf else ("BackupSelection", key)
        npath = (nkey,) if tf else ("BackupSelection", nkey)
        types = tuple(STORES)
        self.named = {r.id for r in graph.referenced_at(sel, (path,), types)}
        self.excluded = {r.id for r in graph.referenced_at(sel, (npath,), types)}
        self.resources = self.body.get(key)
        self.not_resources = self.body.get(nkey)
        conds = self.body.get("condition" if tf else "Conditions")
        self.conditions = is_unknown(conds) or bool(conds)
        raw = self.body.get("selection_tag" if tf else "ListOfTags")
        names = ("type", "key", "value") if tf else ("ConditionType", "ConditionKey", "ConditionValue")
        tags = [tuple(t.get(n) for n in names) for t in (raw if isinstance(raw, list) else []) if isinstance(t, dict)]
        if is_unknown(raw):
            tags.append((raw, raw, raw))
        tags += [(t, t, t) for t in (raw if isinstance(raw, list) else []) if is_unknown(t)]
        self.tags = tags

    def selects(self, store: Resource) -> Any:
        if self.unknown_body is not None:
            return self.unknown_body
        if store.id in self.excluded:
            return False
        answers = []
        if store.id in self.named:
            answers.append(True)
        items = self.resources if isinstance(self.resources, list) else ([self.resources] if self.resources is not None else [])
        for arn in items:
            answers.append(_arn_match(store, arn) if not (is_unknown(arn) and self.named) else False)
        tags = _tags(store)
        for ctype, key, value in self.tags:
            if is_unknown(ctype) or is_unknown(key) or is_unknown(value) or is_unknown(tags):
                answers.append(next(v for v in (ctype, key, value, tags) if is_unknown(v)))
            elif str(ctype).upper() != "STRINGEQUALS":
                answers.append(Unknown("a %s tag condition" % ctype))
            elif key not in tags:
                answers.append(Unknown("%s does not set the tag %r itself; provider default tags or stack tags may" % (store.address, key)))
            else:
                answers.append(tags[key] == value if not is_unknown(tags[key]) else tags[key])
        answer = True if True in answers else next((a for a in answers if is_unknown(a)), False)
        if answer is True:
            nots = self.not_resources if isinstance(self.not_resources, list) else ([self.not_resources] if self.not_resources is not None else [])
            for arn in nots:
                m = _arn_match(store, arn)
                if m is True:
                    return False
                if is_unknown(m):
                    return m
            if self.conditions:
                return Unknown("%s narrows its selection with conditions" % self.res.address)
        return answer


def _plan_has_rule(plan: Resource) -> Any:
    if plan.language == "terraform":
        rules = plan.properties.get("rule")
    else:
        rules = plan.get("BackupPlan", "BackupPlanRule", default=None)
    if is_unknown(rules):
        return rules
    return bool(rules)


def backup_targets(graph: ResourceGraph) -> list:
    plans: dict = {}  # root -> [plan]
    for p in managed(graph, *PLAN_TYPES):
        plans.setdefault(graph.root_of(p), []).append(p)
    if not plans:
        return []
    selections: dict = {}  # root -> [(_Selection, plan ok)]
    for s in managed(graph, *SELECTION_TYPES):
        key = ("plan_id",) if s.language == "terraform" else ("BackupPlanId",)
        linked = graph.referenced_at(s, (key,), PLAN_TYPES)
        if linked:
            ok = _plan_has_rule(linked[0])
        else:
            ok = Unknown("the backup plan of %s is not one of the scan" % s.address)
        selections.setdefault(graph.root_of(s), []).append((_Selection(graph, s), ok))
    out = []
    for store in managed(graph, *STORES):
        root = graph.root_of(store)
        if root not in plans:
            continue
        if store.type == "AWS::RDS::DBInstance" and store.properties.get("DBClusterIdentifier"):
            continue  # an Aurora member: its cluster is what is backed up
        covered: Attr = Attr(False, store.location, False)
        for sel, ok in selections.get(root, ()):
            answer = sel.selects(store)
            if answer is True and ok is True:
                covered = Attr(True, sel.res.location, True)
                break
            if answer is not False and ok is not False and covered.value is False:
                covered = Attr(answer if is_unknown(answer) else ok, sel.res.location, True)
        out.append(BackupTarget(store, covered, tuple(plans[root])))
    return out


@dataclass(frozen=True, slots=True)
class BackupVault:
    """A backup vault and its vault lock."""

    resource: Resource
    lock: Attr  # True when a vault lock applies (`aws_backup_vault_lock_configuration`, `LockConfiguration`)


def backup_vaults(graph: ResourceGraph) -> list:
    """Kind `backup_vault`: AWS Backup vaults and whether a vault lock protects their recovery
    points. Terraform: an `aws_backup_vault_lock_configuration` naming the vault by reference or
    by literal name in the same root (one whose vault name is not known may be any vault of its
    root: Unknown); CloudFormation: the vault's `LockConfiguration`."""
    locks: dict = {}  # vault id -> lock resource
    by_name: dict = {}
    maybe: dict = {}  # root -> Unknown
    vaults = managed(graph, "aws_backup_vault")
    for v in vaults:
        if isinstance(v.properties.get("name"), str):
            by_name[(graph.root_of(v), v.properties["name"])] = v
    for lock in managed(graph, "aws_backup_vault_lock_configuration"):
        named = graph.referenced_at(lock, (("backup_vault_name",),), ("aws_backup_vault",))
        name = lock.properties.get("backup_vault_name")
        if not named and isinstance(name, str) and (graph.root_of(lock), name) in by_name:
            named = [by_name[(graph.root_of(lock), name)]]
        if not named and is_unknown(name):
            maybe.setdefault(graph.root_of(lock), (name, lock))  # the vault it locks is not known
        for v in named:
            locks.setdefault(v.id, lock)
    out = []
    for v in vaults:
        if v.id in locks:
            out.append(BackupVault(v, Attr(True, locks[v.id].location, True)))
        elif graph.root_of(v) in maybe:
            why, lock = maybe[graph.root_of(v)]
            out.append(BackupVault(v, Attr(why, lock.location_of("backup_vault_name"), True)))
        else:
            out.append(BackupVault(v, Attr(False, v.location, False)))
    for v in managed(graph, "AWS::Backup::BackupVault"):
        conf = v.properties.get("LockConfiguration")
        if conf is None:
            out.append(BackupVault(v, Attr(False, v.location, False)))
        elif is_unknown(conf):
            out.append(BackupVault(v, Attr(conf, v.location_of("LockConfiguration"), True)))
        else:
            out.append(BackupVault(v, Attr(True, v.location_of("LockConfiguration"), True)))
    return out

