"""IAM adapter for CloudFormation (and SAM, whose functions and state machines arrive as the
AWS::IAM::Role the transform generates): every policy document and the principal or resource
it governs, as the IAM model (iacguard.iam.model).

- Principals: AWS::IAM::Role / User / Group, one per resource (per variant when a condition is
  undecided). Identity policies: `Policies` (inline), AWS::IAM::Policy / RolePolicy / UserPolicy /
  GroupPolicy and AWS::IAM::ManagedPolicy attached to it (the graph's attached_policy relation),
  `ManagedPolicyArns` (a managed policy of the scan, or a shipped AWS managed one); a user's
  groups' policies too. `PermissionsBoundary` and `AssumeRolePolicyDocument` (trust).
- Guardrails: AWS::Organizations::Policy of Type SERVICE_CONTROL_POLICY, by its TargetIds: the
  organization root applies to every principal; an account id applies when it is the principal's
  (known) account; an OU, or an account that may be the principal's, leaves the SCP in
  `unresolved_guardrails`.
- Resource policies: S3 bucket policies, KMS key policies, SQS queue and SNS topic policies,
  Lambda permissions (one synthesized statement), Secrets Manager resource policies, ECR
  repository policies and role trust policies.

What cannot be known stays an Unknown with its reason: an attached policy whose ARN is not known
or an AWS managed policy iacguard does not ship goes to `unresolved`; a document that cannot be
read is a Policy with `unknown` set. Statements are located at their own lines where the document
is YAML/JSON structure, at the property where it is a JSON string.
"""
from __future__ import annotations

import dataclasses
import re
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from . import arns
from .iam_access import Collected, resolved
from iacguard.core.model import CLOUDFORMATION, Resource
from iacguard.core.unknown import Unknown, is_unknown
from iacguard.iam import managed
from iacguard.iam.documents import document_unknown, read_document, statements_of
from iacguard.iam.model import (ALLOW, BOUNDARY, IDENTITY, RESOURCE, SCP, TRUST, Condition, Policy, Principal,
                                ResourcePolicy, Statement, pieces)

_KINDS = {"AWS::IAM::Role": "role", "AWS::IAM::User": "user", "AWS::IAM::Group": "group"}
_NAME_PROPERTY = {"AWS::IAM::Role": "RoleName", "AWS::IAM::User": "UserName", "AWS::IAM::Group": "GroupName"}
_ATTACHED = ("AWS::IAM::Policy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy",
             "AWS::IAM::ManagedPolicy")
_MANAGED = ("AWS::IAM::ManagedPolicy",)
_AWS_MANAGED = re.compile(r"arn:[a-z-]+:iam::aws:policy/")
_ACCOUNT_ID = re.compile(r"\d{12}")
_ORG = "AWS::Organizations::"
_SCP_TYPE = "SERVICE_CONTROL_POLICY"


def collect(graph: ResourceGraph) -> Collected:
    out = Collected()
    cfn = [r for r in graph.resources if r.language == CLOUDFORMATION]
    by_type: dict = {}
    for res in cfn:
        by_type.setdefault(res.type, []).append(res)
    c = _Collector(graph, out)
    # Documents held by policy resources, each read once and shared by every principal it is attached to.
    for type_ in _ATTACHED:
        for res in by_type.get(type_, ()):
            c.attached_policy(res)
    c.scps(by_type)
    for type_ in ("AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::User"):  # groups first: users take theirs
        for res in by_type.get(type_, ()):
            c.principal(res)
    c.resource_policies(by_type)
    return out


class _Collector:
    def __init__(self, graph: ResourceGraph, out: Collected) -> None:
        self.graph = graph
        self.out = out
        self.by_policy_resource: dict = {}  # resource id -> Policy (AWS::IAM::Policy, ManagedPolicy...)
        self.group_principals: dict = {}  # resource id -> Principal
        self.scp_list: list = []  # (Policy, scp resource)

    # -- documents -----------------------------------------------------------------------------

    def policy(self, kind: str, name: str, res: Resource, path: tuple, arn=None, generated_by: str = "") -> Policy:
        """The document at `path` of `res` as a Policy, recorded in `Collected.policies`."""
        raw = res.get(*path)
        location = res.location_of(*path)
        document = read_document(raw) if raw is not None else Unknown("%s has no %s" % (res.address, path[-1]))
        why = document_unknown(document)
        if why is not None:
            p = Policy(kind, name, (), res, location, unknown=why, arn=arn, generated_by=generated_by)
        else:
            locate = None
            if isinstance(raw, dict):  # a JSON string has no lines of its own: the property's
                def locate(index):
                    return res.location_of(*path, "Statement", *(() if index is None else (index,)))
            statements = statements_of(document, location, locate)
            p = Policy(kind, name, tuple(self.resolve(s) for s in statements), res, location, arn=arn,
                       generated_by=generated_by)
        self.out.policies.append(p)
        return p

    def resolve(self, st: Statement) -> Statement:
        """Every string of a statement through arns.resolve (ARNs of the scan's resources)."""
        return resolved(self.graph, st)

    def attached_policy(self, res: Resource) -> None:
        arn = arns.arn_of(self.graph, res) if res.type in _MANAGED else None
        name = res.address
        if res.type != "AWS::IAM::ManagedPolicy" and isinstance(res.get("PolicyName"), str):
            name = '%s "%s"' % (res.address, res.get("PolicyName"))
        self.by_policy_resource[res.id] = self.policy(IDENTITY, name, res, ("PolicyDocument",),
                                                      arn if isinstance(arn, str) else None)

    # -- principals ----------------------------------------------------------------------------

    def principal(self, res: Resource) -> None:
        g = self.graph
        kind = _KINDS[res.type]
        policies: list = []
        unresolved: list = []
        policies.extend(self.inline(res))
        seen: set = set()
        for other in g.related(res, "attached_policy", _ATTACHED):
            p = self.by_policy_resource.get(other.id)
            if p is not None and other.id not in seen:
                seen.add(other.id)
                policies.append(p)
        covered = {path[1] for other, path in g.referenced(res, _MANAGED)
                   if len(path) >= 2 and path[0] == "ManagedPolicyArns" and isinstance(path[1], int)}
        known_arns = {p.arn for p in policies if p.arn is not None}
        arns_value = res.get("ManagedPolicyArns")
        items = [arns_value] if is_unknown(arns_value) else (arns_value if isinstance(arns_value, list) else [])
        for index, value in enumerate(items):
            if index in covered or (isinstance(value, str) and value in known_arns):
                continue
            got = self.managed_arn(value, IDENTITY)
            (policies if isinstance(got, Policy) else unresolved).append(got)
        groups: tuple = ()
        if kind == "user":
            groups = tuple(self.group_principals[gr.id] for gr in g.related(res, "member_of", ("AWS::IAM::Group",))
                           if gr.id in self.group_principals)
            for group in groups:
                policies.extend(p for p in group.identity_policies if all(p is not q for q in policies))
                unresolved.extend(group.unresolved)
        trust = None
        if kind == "role":
            trust = self.policy(TRUST, "%s AssumeRolePolicyDocument" % res.address, res, ("AssumeRolePolicyDocument",))
        account = arns.account_of(g, res)
        guardrails, unresolved_guardrails = self.guardrails(account, res)
        name = res.get(_NAME_PROPERTY[res.type])
        principal = Principal(
            resource=res, kind=kind,
            name=name if isinstance(name, str) or is_unknown(name) else Unknown(
                "name of %s is generated by CloudFormation at deploy" % res.address),
            arn=arns.arn_of(g, res), account=account, identity_policies=tuple(policies),
            boundary=self.boundary(res), trust=trust, groups=groups, guardrails=guardrails,
            unresolved=tuple(unresolved), unresolved_guardrails=unresolved_guardrails)
        if kind == "group":
            self.group_principals[res.id] = principal
        if trust is not None:
            self.out.resource_policies.append(ResourcePolicy(res, principal.arn, account, trust))
        self.out.principals.append(principal)

    def inline(self, res: Resource) -> list:
        value = res.get("Policies")
        if value is None:
            return []
        if is_unknown(value) or not isinstance(value, list):
            why = value if is_unknown(value) else Unknown("Policies is not a list")
            p = Policy(IDENTITY, "%s Policies" % res.address, (), res, res.location_of("Policies"), unknown=why)
            self.out.policies.append(p)
            return [p]
        out = []
        generated = set(res.meta.get("sam_template_policies") or ())
        for index, item in enumerate(value):
            pname = item.get("PolicyName") if isinstance(item, dict) else None
            where = '"%s"' % pname if isinstance(pname, str) else "[%d]" % index
            name = "%s Policies %s" % (res.address, where)
            if isinstance(item, dict):
                out.append(self.policy(IDENTITY, name, res, ("Policies", index, "PolicyDocument"),
                                       generated_by="SAM policy template" if index in generated else ""))
            else:
                why = item if is_unknown(item) else Unknown("Policies item is not a mapping")
                p = Policy(IDENTITY, name, (), res, res.location_of("Policies", index), unknown=why)
                self.out.policies.append(p)
                out.append(p)
        return out

    def managed_arn(self, value: Any, kind: str) -> Policy | Unknown:
        """An ARN in ManagedPolicyArns / PermissionsBoundary that names no policy of the scan:
        a shipped AWS managed policy, or an Unknown naming it."""
        if is_unknown(value):
            return Unknown("managed policy ARN is not known (%s)" % (value.reason or "no reason given"))
        if not isinstance(value, str):
            return Unknown("managed policy ARN is not a string")
        if _AWS_MANAGED.match(value):
            p = managed.policy(value, kind)
            return p if p is not None else Unknown("AWS managed policy %s is not shipped with iacguard" % value)
        for p in self.by_policy_resource.values():
            if p.arn == value:
                return p if kind == IDENTITY else dataclasses.replace(p, kind=kind)
        return Unknown("managed policy %s is not in the scan" % value)

    def boundary(self, res: Resource) -> Policy | None:
        value = res.get("PermissionsBoundary")
        if value is None:
            return None
        for other, path in self.graph.referenced(res, _MANAGED):
            if path[:1] == ("PermissionsBoundary",) and other.id in self.by_policy_resource:
                return dataclasses.replace(self.by_policy_resource[other.id], kind=BOUNDARY)
        got = self.managed_arn(value, BOUNDARY)
        if isinstance(got, Policy):
            return got
        return Policy(BOUNDARY, "%s PermissionsBoundary" % res.address, (), res, res.location_of("PermissionsBoundary"),
                      unknown=got, arn=value if isinstance(value, str) else None)

    # -- guardrails ----------------------------------------------------------------------------

    def scps(self, by_type: dict) -> None:
        for res in by_type.get(_ORG + "Policy", ()):
            type_ = res.get("Type")
            if isinstance(type_, str) and type_ != _SCP_TYPE:
                continue  # tag, backup, AI opt-out policies: no permissions
            p = self.policy(SCP, res.address, res, ("Content",))
            if is_unknown(type_):
                p = dataclasses.replace(p, unknown=type_)
            self.scp_list.append((p, res))

    def guardrails(self, account: Any, principal: Resource | None = None) -> tuple:
        applied, unresolved = [], []
        for p, res in self.scp_list:
            if principal is not None and not self.graph.same_root(res, principal):
                continue  # another template is another deployment: a root alone answers the same
            verdict = self.applies(res, account)
            if verdict is True:
                applied.append(dataclasses.replace(p, level=self.level(res, account)))
            elif verdict is None:
                why = Unknown("SCP %s may apply to this account (%s)" % (p.name, self.why_open(res, account)))
                # A known document stays readable: it matters only where it would deny.
                unresolved.append(why if p.unknown is not None else dataclasses.replace(p, level="maybe", applies=why))
        return tuple(applied), tuple(unresolved)

    def level(self, res: Resource, account: Any) -> str:
        """The level of the organization the SCP reaches the account at: "root" or "account"."""
        if self.governed(res, "TargetIds", (_ORG + "Organization",)):
            return "root"
        targets = res.get("TargetIds")
        items = targets if isinstance(targets, list) else [targets]
        return "root" if any(isinstance(t, str) and t.startswith("r-") for t in items) else "account"

    def applies(self, res: Resource, account: Any) -> bool | None:
        """Whether the SCP `res` applies to `account`: True, False, or None when it may."""
        if is_unknown(res.get("Type")):
            return None
        roots = self.governed(res, "TargetIds", (_ORG + "Organization",))
        if roots:
            return True  # TargetIds names the organization's root (Fn::GetAtt Org.RootId)
        targets = res.get("TargetIds")
        items = targets if isinstance(targets, list) else [targets]
        maybe = False
        for t in items:
            if isinstance(t, str) and t.startswith("r-"):
                return True
            if isinstance(t, str) and _ACCOUNT_ID.fullmatch(t):
                if isinstance(account, str):
                    if account == t:
                        return True
                    continue
                maybe = True
            elif t is not None:
                maybe = True  # an OU, an account created in the template, a value not known
        return None if maybe else False

    @staticmethod
    def why_open(res: Resource, account: Any) -> str:
        if is_unknown(res.get("Type")):
            return "its Type is not known"
        return "it is attached to an organizational unit or an account that may hold this principal"

    # -- resource policies ---------------------------------------------------------------------

    def governed(self, res: Resource, prop: str, types: tuple) -> list:
        """Resources of `types` that property `prop` of `res` refers to (graph.referenced keeps
        the property path of each reference)."""
        found = {}
        for other, path in self.graph.referenced(res, types):
            if path[:1] == (prop,):
                found.setdefault(other.id, other)
        return list(found.values())

    def add_resource_policy(self, governed: list, holder: Resource, policy: Policy, literal: Any = None) -> None:
        g = self.graph
        if not governed:
            # The governed resource is not in the scan: keep the policy, its ARN what is written.
            arn = literal if isinstance(literal, str) and literal.startswith("arn:") else Unknown(
                "the resource %s governs is not in the scan" % holder.address)
            self.out.resource_policies.append(ResourcePolicy(holder, arn, arns.account_of(g, holder), policy))
            return
        for target in governed:
            self.out.resource_policies.append(
                ResourcePolicy(target, arns.arn_of(g, target), arns.account_of(g, target), policy))

    def resource_policies(self, by_type: dict) -> None:
        for res in by_type.get("AWS::S3::BucketPolicy", ()):
            p = self.policy(RESOURCE, res.address, res, ("PolicyDocument",))
            bucket = res.get("Bucket")
            literal = "arn:aws:s3:::" + bucket if isinstance(bucket, str) and not bucket.startswith("arn:") else bucket
            self.add_resource_policy(self.governed(res, "Bucket", ("AWS::S3::Bucket",)), res, p, literal)
        for res in by_type.get("AWS::KMS::Key", ()):
            if res.get("KeyPolicy") is not None:
                p = self.policy(RESOURCE, "%s KeyPolicy" % res.address, res, ("KeyPolicy",))
                self.add_resource_policy([res], res, p)
        for res in by_type.get("AWS::SQS::QueuePolicy", ()):
            p = self.policy(RESOURCE, res.address, res, ("PolicyDocument",))
            self.add_resource_policy(self.governed(res, "Queues", ("AWS::SQS::Queue",)), res, p)
        for res in by_type.get("AWS::SNS::TopicPolicy", ()):
            p = self.policy(RESOURCE, res.address, res, ("PolicyDocument",))
            topics = res.get("Topics")
            literal = topics[0] if isinstance(topics, list) and len(topics) == 1 else None
            self.add_resource_policy(self.governed(res, "Topics", ("AWS::SNS::Topic",)), res, p, literal)
        for res in by_type.get("AWS::SecretsManager::ResourcePolicy", ()):
            p = self.policy(RESOURCE, res.address, res, ("ResourcePolicy",))
            self.add_resource_policy(self.governed(res, "SecretId", ("AWS::SecretsManager::Secret",)), res, p,
                                     res.get("SecretId"))
        for res in by_type.get("AWS::ECR::Repository", ()):
            if res.get("RepositoryPolicyText") is not None:
                p = self.policy(RESOURCE, "%s RepositoryPolicyText" % res.address, res, ("RepositoryPolicyText",))
                self.add_resource_policy([res], res, p)
        for res in by_type.get("AWS::Lambda::Permission", ()):
            self.lambda_permission(res)

    def lambda_permission(self, res: Resource) -> None:
        """AWS::Lambda::Permission as the one statement Lambda adds to the function's policy."""
        g = self.graph
        functions = self.governed(res, "FunctionName", ("AWS::Lambda::Function",))
        fname = res.get("FunctionName")
        if len(functions) == 1:
            resource_arn = arns.arn_of(g, functions[0])
        elif isinstance(fname, str) and fname.startswith("arn:"):
            resource_arn = fname
        else:
            resource_arn = Unknown("function of %s is not known" % res.address)
        conditions = []
        for prop, operator, key in (("SourceArn", "ArnLike", "aws:SourceArn"),
                                    ("SourceAccount", "StringEquals", "aws:SourceAccount"),
                                    ("PrincipalOrgID", "StringEquals", "aws:PrincipalOrgID"),
                                    ("FunctionUrlAuthType", "StringEquals", "lambda:FunctionUrlAuthType")):
            value = res.get(prop)
            if value is not None:
                conditions.append(Condition(operator, key, (arns.resolve(g, value),)))
        action = res.get("Action")
        statement = Statement(
            effect=ALLOW,
            actions=(action if isinstance(action, str) or is_unknown(action) else Unknown("Action is not a string"),),
            resources=(arns.resolve(g, resource_arn),),
            principals=_permission_principal(arns.resolve(g, res.get("Principal"))),
            conditions=tuple(conditions),
            location=res.location)
        p = Policy(RESOURCE, res.address, (statement,), res, res.location)
        self.out.policies.append(p)
        self.add_resource_policy(functions, res, p, fname)


def _permission_principal(value: Any) -> Any:
    """Lambda's Principal: "*", an account id or ARN (AWS), or a service principal."""
    if value is None:
        return Unknown("Lambda permission has no Principal")
    if is_unknown(value) and any(isinstance(p, str) and p.startswith("arn:") for p in pieces(value)):
        return {"AWS": (value,)}  # an ARN of the scan (!GetAtt Role.Arn), resolved to its pieces
    if is_unknown(value) or value == "*":
        return value
    if not isinstance(value, str):
        return Unknown("Principal is not a string")
    if _ACCOUNT_ID.fullmatch(value) or value.startswith("arn:"):
        return {"AWS": (value,)}
    return {"Service": (value,)}
