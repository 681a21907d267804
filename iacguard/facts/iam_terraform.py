"""IAM adapter for Terraform: every policy document of the scan as an `iacguard.iam.model.Policy`,
each role, user and group as a `Principal` with every policy that applies to it, and every
resource-based policy as a `ResourcePolicy` with the resource it governs.

Documents come in every form Terraform writes them: a JSON string (heredoc, `file()`,
`templatefile()`: already evaluated), `jsonencode({...})` (the statement lines are known: the
evaluator records the lines inside it), a partly known one (a template or jsonencode() with an
unknown piece: read as far as it is known, the unknown parts stay Unknown, see
`iam._partly_known`), and the `.json` of a `data.aws_iam_policy_document`, which the evaluator
does not compute: the data source is found through the reference and its document is built as
the provider builds it (statement blocks, then source documents merged under them and override
documents over them, statements with the same sid replaced in place, sid-less ones appended).

Nothing is guessed: a policy attached by an ARN that names nothing in the scan and is not a
shipped AWS managed policy, an unknown boundary, a guardrail whose targets may hold the
principal's account become Unknowns whose reason names them (`Principal.unresolved`...).

Names: the address of the resource holding the document, plus where in it when that is an
attribute of a larger resource ("aws_iam_role.app inline_policy \"s3\"", "aws_iam_role.app
assume_role_policy", "aws_s3_bucket.b policy"). `Collected.policies` holds each document of the
scan once (AWS managed documents are shipped data, not part of the scan: only principals hold
them); a customer managed policy used only as a permissions boundary is listed as a boundary.

Bounded: each document is built once (memoized per resource and attribute), a data source
merged into itself is cut (cycle guard, depth limit), and a document never holds more than
`MAX_STATEMENTS` statements.
"""
from __future__ import annotations

import dataclasses

import json
import re
from dataclasses import replace
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from . import arns
from .iam import _partly_known
from .iam_access import Collected, resolved
from iacguard.core.model import Resource
from iacguard.core.unknown import AttributeUnknown, PartialUnknown, Unknown, is_unknown
from iacguard.iam import documents, managed
from iacguard.iam import model as m

MAX_STATEMENTS = 1000  # per document: far above what AWS accepts (a policy is at most 10 KB)
MAX_DEPTH = 16  # data sources merged into data sources

ROLE, USER, GROUP = "aws_iam_role", "aws_iam_user", "aws_iam_group"
PRINCIPAL_KINDS = {ROLE: "role", USER: "user", GROUP: "group"}
POLICY = "aws_iam_policy"
DOCUMENT = ("aws_iam_policy_document",)

# Inline policy resources: type -> the attribute naming its principal.
_INLINE = {"aws_iam_role_policy": ("role", ROLE), "aws_iam_user_policy": ("user", USER), "aws_iam_group_policy": ("group", GROUP)}

# Attachments: type -> ((attribute naming principals, principal type), ...), attribute(s) holding policy ARNs.
_ATTACHMENTS = {
    "aws_iam_role_policy_attachment": ((("role", ROLE),), "policy_arn"),
    "aws_iam_user_policy_attachment": ((("user", USER),), "policy_arn"),
    "aws_iam_group_policy_attachment": ((("group", GROUP),), "policy_arn"),
    "aws_iam_policy_attachment": ((("roles", ROLE), ("users", USER), ("groups", GROUP)), "policy_arn"),
    "aws_iam_role_policy_attachments_exclusive": ((("role_name", ROLE),), "policy_arns"),
    "aws_iam_user_policy_attachments_exclusive": ((("user_name", USER),), "policy_arns"),
    "aws_iam_group_policy_attachments_exclusive": ((("group_name", GROUP),), "policy_arns"),
}

# Resource-based policies: (holder type, governing attribute or None when the holder is the
# governed resource, governed type, attribute of the governed resource holding its name).
_RESOURCE_POLICIES = (
    ("aws_s3_bucket_policy", "bucket", "aws_s3_bucket", "bucket"),
    ("aws_s3_bucket", None, "aws_s3_bucket", "bucket"),
    ("aws_kms_key_policy", "key_id", "aws_kms_key", None),
    ("aws_kms_key", None, "aws_kms_key", None),
    ("aws_sqs_queue_policy", "queue_url", "aws_sqs_queue", None),
    ("aws_sqs_queue", None, "aws_sqs_queue", None),
    ("aws_sns_topic_policy", "arn", "aws_sns_topic", None),
    ("aws_sns_topic", None, "aws_sns_topic", None),
    ("aws_secretsmanager_secret_policy", "secret_arn", "aws_secretsmanager_secret", None),
    ("aws_secretsmanager_secret", None, "aws_secretsmanager_secret", None),
    ("aws_ecr_repository_policy", "repository", "aws_ecr_repository", "name"),
)

_AWS_MANAGED = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ORG_ROOT, _ORG_UNIT, _ORG_ACCOUNT = "aws_organizations_organization", "aws_organizations_organizational_unit", "aws_organizations_account"


def collect(graph: ResourceGraph) -> Collected:
    return _Collector(graph).run()


class _Collector:
    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        self.out = Collected()
        self._policies: dict = {}  # (resource id, path) -> Policy
        self._documents: dict = {}  # data source id -> tuple of Statement | Unknown
        self._names: dict = {}  # (root, type, name attribute) -> {name: [Resource]}

    # -- the whole scan -------------------------------------------------------------------
    def run(self) -> Collected:
        graph = self.graph
        inline = self._inline_resources()
        attached = self._attachments()
        boundaries: set = set()  # ids of customer managed policies used as boundaries
        by_id: dict = {}
        members, unresolved_members = self._memberships()
        guardrails = self._guardrails()
        for type_ in (GROUP, USER, ROLE):  # groups first: users take their groups' policies
            for res in _managed(graph, type_):
                p = self._principal(res, inline, attached, by_id, members, unresolved_members, guardrails, boundaries)
                by_id[res.id] = p
                self.out.principals.append(p)
        # Every document once, in the order of the resources holding them.
        listed: set = set()
        attached_ids = {x.resource.id for p in self.out.principals for x in p.identity_policies if x.resource is not None}
        for res in _managed(graph, POLICY):
            pol = self._customer(res)
            if res.id in boundaries and res.id not in attached_ids:
                pol = replace(pol, kind=m.BOUNDARY)
            self._list(pol, listed)
        for type_ in _INLINE:
            for res in _managed(graph, type_):
                self._list(self._policy(res, ("policy",), m.IDENTITY, res.address), listed)
        for p in self.out.principals:
            for pol in p.identity_policies:
                if pol.resource is not None and pol.resource.id == p.resource.id:
                    self._list(pol, listed)  # inline_policy blocks
            if p.trust is not None:
                self._list(p.trust, listed)
            if p.boundary is not None and p.boundary.resource is not None and p.boundary.resource.id == p.resource.id:
                self._list(p.boundary, listed)  # an unknown boundary
        for pol in guardrails["policies"]:
            self._list(pol, listed)
        self._resource_policies(listed)
        return self.out

    def _list(self, pol, listed: set) -> None:
        if pol is not None and id(pol) not in listed:
            listed.add(id(pol))
            self.out.policies.append(pol)

    # -- principals -----------------------------------------------------------------------
    def _principal(self, res, inline, attached, by_id, members, unresolved_members, guardrails, boundaries) -> m.Principal:
        graph = self.graph
        name = res.get("name")
        if not isinstance(name, str) and not is_unknown(name):
            name = Unknown("the name of %s is chosen at apply" % res.address)
        identity: list = []
        unresolved: list = []
        for i, block in enumerate(res.blocks("inline_policy")):
            if block.get("policy") is None:
                continue  # `inline_policy {}`: no inline policies
            label = '"%s"' % block["name"] if isinstance(block.get("name"), str) else "[%d]" % i
            identity.append(self._policy(res, ("inline_policy", i, "policy"), m.IDENTITY, "%s inline_policy %s" % (res.address, label)))
        for holder in inline.get(res.id, ()):
            identity.append(self._policy(holder, ("policy",), m.IDENTITY, holder.address))
        items = list(attached.get(res.id, ()))
        if res.get("managed_policy_arns") is not None:
            items.extend(self._policy_refs(res, ("managed_policy_arns",)))
        for item in items:
            (unresolved if is_unknown(item) else identity).append(item)
        groups = []
        if res.type == USER:
            for gres in members.get(res.id, ()):
                group = by_id.get(gres.id)
                if group is not None and group not in groups:
                    groups.append(group)
                    identity.extend(group.identity_policies)
                    unresolved.extend(group.unresolved)
            unresolved.extend(unresolved_members.get(res.id, ()))
        boundary = None
        if res.get("permissions_boundary") is not None:
            refs = self._policy_refs(res, ("permissions_boundary",))
            first = refs[0] if refs else Unknown("permissions_boundary of %s is not a policy ARN" % res.address)
            if is_unknown(first):
                boundary = m.Policy(m.BOUNDARY, "%s permissions_boundary" % res.address, (), res, res.location_of("permissions_boundary"), first)
            else:
                boundary = replace(first, kind=m.BOUNDARY)
                if first.resource is not None:
                    boundaries.add(first.resource.id)
        trust = None
        if res.type == ROLE:
            trust = self._policy(res, ("assume_role_policy",), m.TRUST, "%s assume_role_policy" % res.address)
        account = arns.account_of(graph, res)
        applied, maybe = self._guardrails_of(res, account, guardrails)
        return m.Principal(
            resource=res,
            kind=PRINCIPAL_KINDS[res.type],
            name=name,
            arn=arns.arn_of(graph, res),
            account=account,
            identity_policies=tuple(_unique(identity)),
            boundary=boundary,
            trust=trust,
            groups=tuple(groups),
            guardrails=tuple(applied),
            unresolved=tuple(unresolved),
            unresolved_guardrails=tuple(maybe),
        )

    def _inline_resources(self) -> dict:
        """principal id -> the aws_iam_*_policy resources naming it."""
        out: dict = {}
        for type_, (attr, target) in _INLINE.items():
            for holder in _managed(self.graph, type_):
                for p in self._named(holder, attr, target):
                    out.setdefault(p.id, []).append(holder)
        return out

    def _attachments(self) -> dict:
        """principal id -> Policy | Unknown for every attachment resource naming it."""
        out: dict = {}
        for type_, (targets, arn_attr) in _ATTACHMENTS.items():
            for att in _managed(self.graph, type_):
                principals = [p for attr, target in targets for p in self._named(att, attr, target)]
                if not principals:
                    continue
                refs = self._policy_refs(att, (arn_attr,))
                for p in principals:
                    out.setdefault(p.id, []).extend(refs)
        return out

    def _memberships(self) -> tuple:
        """(user id -> [group Resource], user id -> [Unknown]): groups through
        aws_iam_group_membership and aws_iam_user_group_membership; a group named but not in the scan is unresolved."""
        members: dict = {}
        unresolved: dict = {}
        for mem in _managed(self.graph, "aws_iam_group_membership"):
            groups = self._named(mem, "group", GROUP)
            missing = self._unmatched(mem, "group", GROUP)
            for user in self._named(mem, "users", USER):
                members.setdefault(user.id, []).extend(groups)
                unresolved.setdefault(user.id, []).extend(missing)
        for mem in _managed(self.graph, "aws_iam_user_group_membership"):
            groups = self._named(mem, "groups", GROUP)
            missing = self._unmatched(mem, "groups", GROUP)
            for user in self._named(mem, "user", USER):
                members.setdefault(user.id, []).extend(groups)
                unresolved.setdefault(user.id, []).extend(missing)
        return members, unresolved

    # -- names and ARNs -------------------------------------------------------------------
    def _by_name(self, res: Resource, type_: str, attr: str = "name") -> dict:
        key = (self.graph.root_of(res), type_, attr)
        index = self._names.get(key)
        if index is None:
            index = {}
            for other in self.graph.of_type_in_root(key[0], type_):
                value = other.get(attr)
                if isinstance(value, str) and other.mode == "managed":
                    index.setdefault(value, []).append(other)
            self._names[key] = index
        return index

    def _named(self, holder: Resource, attr: str, type_: str, name_attr: str = "name") -> list:
        """Resources of `type_` that `holder.attr` names: through references, or by a literal
        name (a string or a list of them) equal to their known name, in the same root."""
        found = {r.id: r for r in self.graph.referenced_at(holder, ((attr,),), (type_,)) if r.mode == "managed"}
        for value in _items(holder.get(attr)):
            if isinstance(value, str):
                for r in self._by_name(holder, type_, name_attr).get(value, ()):
                    found.setdefault(r.id, r)
        return [found[k] for k in sorted(found)]

    def _unmatched(self, holder: Resource, attr: str, type_: str) -> list:
        """Unknowns for the names in `holder.attr` that match nothing of the scan."""
        out = []
        refs = self.graph.referenced_at(holder, ((attr,),), (type_,))
        values = _items(holder.get(attr))
        for value in values:
            if isinstance(value, str) and not self._by_name(holder, type_).get(value):
                out.append(Unknown("%s names %s %r, which is not in the scan" % (holder.address, type_, value)))
        unknowns = [v for v in values if is_unknown(v)]
        for u in unknowns[len(refs):]:
            out.append(Unknown("%s of %s is not known (%s)" % (attr, holder.address, u.reason)))
        return out

    def _policy_refs(self, holder: Resource, path: tuple) -> list:
        """The policies an attribute holding policy ARNs (one or a list) names, each a Policy or
        an Unknown naming what could not be found."""
        graph = self.graph
        value = holder.get(*path)
        values = _items(value)
        out: list = []
        referenced = [r for r in graph.referenced_at(holder, (path,), (POLICY,)) if r.mode == "managed"]
        out.extend(self._customer(r) for r in referenced)
        unknowns = [v for v in values if is_unknown(v)]
        for u in unknowns[len(referenced):]:  # more unknown ARNs than policies of the scan named
            out.append(Unknown("%s of %s is not known (%s)" % (".".join(map(str, path)), holder.address, u.reason)))
        for v in values:
            if not isinstance(v, str):
                continue
            if _AWS_MANAGED.match(v):
                out.append(self._aws_managed(v))
                continue
            match = [p for p in _managed(graph, POLICY) if graph.same_root(p, holder) and arns.arn_of(graph, p) == v]
            if match:
                out.append(self._customer(match[0]))
            else:
                out.append(Unknown("policy %s attached by %s is not in the scan" % (v, holder.address)))
        return _unique(out)

    def _aws_managed(self, arn: str):
        key = ("aws-managed", arn)
        if key not in self._policies:
            document = managed.document(arn)
            if document is None:
                self._policies[key] = Unknown("AWS managed policy %s is not shipped with iacguard" % arn)
            else:
                stmts = self._document_statements(None, (), document, arn)
                pol = m.Policy(m.IDENTITY, arn, (), None, None, stmts, arn) if is_unknown(stmts) else m.Policy(m.IDENTITY, arn, stmts, None, None, None, arn)
                self._policies[key] = pol
        return self._policies[key]

    def _customer(self, res: Resource) -> m.Policy:
        pol = self._policy(res, ("policy",), m.IDENTITY, res.address)
        arn = arns.arn_of(self.graph, res)
        if isinstance(arn, str) and pol.arn != arn:
            pol = replace(pol, arn=arn)
            self._policies[(res.id, ("policy",))] = pol
        return pol

    # -- documents ------------------------------------------------------------------------
    def _policy(self, res: Resource, path: tuple, kind: str, name: str):
        """The Policy of the document at `res.path` (memoized: one object per document), None
        when the attribute is absent."""
        key = (res.id, path)
        if key in self._policies:
            return self._policies[key]
        raw = res.get(*path)
        if raw is None:
            self._policies[key] = None
            return None
        location = res.location_of(*path)
        source = self._data_source(res, path, raw)
        if is_unknown(source):
            stmts = source
        elif source is not None:
            stmts = self._data_source_statements(source, ())
            location = source.location
        else:
            stmts = self._document_statements(res, path, _document(raw), name)
        if is_unknown(stmts):
            pol = m.Policy(kind, name, (), res, location, Unknown("%s is not known (%s)" % (name, stmts.reason)))
        else:
            pol = m.Policy(kind, name, stmts, res, location)
        self._policies[key] = pol
        return pol

    def _data_source(self, res: Resource, path: tuple, raw: Any):
        """The aws_iam_policy_document whose `.json` the value is, None when it is not one, an
        Unknown when it may be one of several (a conditional, a list)."""
        node = getattr(raw, "node", None)  # an AttributeUnknown names its resource
        if node is not None:
            target = self.graph.resource(node)
            return target if target is not None and target.type in DOCUMENT else None
        if not _is_json_attribute(raw):
            return None
        found = self.graph.referenced_at(res, (path,), DOCUMENT, exact=True)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return Unknown("%s of %s is one of %s" % (".".join(map(str, path)), res.address, ", ".join(r.address for r in found)))
        return None

    def _document_statements(self, res, path: tuple, document: Any, name: str):
        """The statements of a document (a dict, or an Unknown), located in `res` at `path`."""
        if is_unknown(document):
            return document
        if not isinstance(document, dict):
            return Unknown("%s is not a policy document" % name)
        stmts = document.get("Statement")
        if stmts is None:
            return ()
        if is_unknown(stmts):
            return stmts
        if isinstance(stmts, dict):
            items = [(("Statement",), stmts)]
        elif isinstance(stmts, list):
            items = [(("Statement", i), s) for i, s in enumerate(stmts)]
        else:
            return Unknown("Statement of %s is not a list" % name)
        if len(items) > MAX_STATEMENTS:
            return Unknown("%s has more than %d statements" % (name, MAX_STATEMENTS))
        return tuple(resolved(self.graph, documents.statement(s, res.location_of(*path, *where) if res is not None else None))
                     for where, s in items)

    def _strings(self, value: Any, what: str) -> tuple:
        """An element's value as a tuple of str | Unknown items, each resolved (arns.resolve)."""
        items = value if isinstance(value, list) else [value]
        out = []
        for v in items:
            if isinstance(v, str) or is_unknown(v):
                out.append(arns.resolve(self.graph, v))
            else:
                out.append(Unknown("an item of %s is not a string" % what))
        return tuple(out)

    def _values(self, values: Any) -> tuple:
        items = values if isinstance(values, list) else [values]
        out = []
        for v in items:
            if isinstance(v, str) or is_unknown(v):
                out.append(arns.resolve(self.graph, v))
            elif isinstance(v, (bool, int, float)):
                out.append(v)
            else:
                out.append(Unknown("a condition value is not a string, number or boolean"))
        return tuple(out)

    # -- aws_iam_policy_document ----------------------------------------------------------
    def _data_source_statements(self, ds: Resource, stack: tuple):
        """The statements of the document a data source renders, as the provider merges them;
        an Unknown when it cannot be known."""
        if ds.id in self._documents:
            return self._documents[ds.id]
        if ds.id in stack or len(stack) >= MAX_DEPTH:
            return Unknown("%s is merged into itself through source or override documents" % ds.address)
        stack = stack + (ds.id,)
        stmts: list = []
        for attr in ("source_json", "source_policy_documents"):
            for part in self._merged_documents(ds, attr, stack):
                if is_unknown(part):  # a source only adds statements: an unknown one is one unknown statement
                    stmts.append(m.Statement(effect=part, location=ds.location_of(attr), unknown=part))
                else:
                    stmts = _merge(stmts, part)
        blocks = ds.get("statement")
        if is_unknown(blocks):
            return self._remember(ds, Unknown("statement of %s is not known (%s)" % (ds.address, blocks.reason)))
        stmts = _merge(stmts, [self._block_statement(ds, i, b) for i, b in enumerate(ds.blocks("statement"))])
        overrides = []
        for attr in ("override_policy_documents", "override_json"):
            for part in self._merged_documents(ds, attr, stack):
                if is_unknown(part):
                    reason = "an override document of %s is not known (%s): any statement may be replaced" % (ds.address, part.reason)
                    return self._remember(ds, Unknown(reason))
                overrides.append(part)
        if _conflicting(overrides) and len(self.graph.referenced_at(ds, (("override_policy_documents",),), DOCUMENT)) > 1:
            # the order of data sources in a list of unknown values is not known: which wins is not either
            return self._remember(ds, Unknown("override documents of %s replace the same sid in an order that is not known" % ds.address))
        for part in overrides:
            stmts = _merge(stmts, part)
        if len(stmts) > MAX_STATEMENTS:
            return self._remember(ds, Unknown("%s has more than %d statements" % (ds.address, MAX_STATEMENTS)))
        return self._remember(ds, tuple(stmts))

    def _remember(self, ds: Resource, stmts):
        self._documents[ds.id] = stmts
        return stmts

    def _merged_documents(self, ds: Resource, attr: str, stack: tuple) -> list:
        """Each document of `ds.attr` (one string or a list of them) as a list of Statements,
        or an Unknown when it cannot be read."""
        raw = ds.get(attr)
        if raw is None:
            return []
        if is_unknown(raw) and getattr(raw, "partial_text", None) is None and getattr(raw, "partial_value", None) is None and not _is_json_attribute(raw):
            return [raw]  # the whole list is not known
        values = raw if isinstance(raw, list) else [raw]
        sources = [s for s in self.graph.referenced_at(ds, ((attr,),), DOCUMENT)]
        json_unknowns = [v for v in values if _is_json_attribute(v)]
        out: list = []
        # `.json` of data sources: matched to the data sources referred to (in address order)
        # when they are as many; otherwise which is which is not known.
        matched = len(json_unknowns) == len(sources)
        next_source = iter(sources)
        for v in values:
            if _is_json_attribute(v):
                node = getattr(v, "node", None)
                source = self.graph.resource(node) if node is not None else (next(next_source) if matched else None)
                if source is None or source.type not in DOCUMENT:
                    out.append(Unknown("a document in %s of %s is not known (%s)" % (attr, ds.address, v.reason)))
                    continue
                part = self._data_source_statements(source, stack)
                out.append(part if is_unknown(part) else list(part))
            else:
                part = self._document_statements(ds, (attr,), _document(v), "%s of %s" % (attr, ds.address))
                out.append(part if is_unknown(part) else list(part))
        return out

    def _block_statement(self, ds: Resource, i: int, block: dict) -> m.Statement:
        effect = block.get("effect")
        if effect is None:
            effect = m.ALLOW  # the provider's default
        sid = block.get("sid")
        return m.Statement(
            effect=effect if isinstance(effect, str) or is_unknown(effect) else Unknown("effect is not a string"),
            actions=self._set(block, "actions"),
            not_actions=self._set(block, "not_actions"),
            resources=self._set(block, "resources"),
            not_resources=self._set(block, "not_resources"),
            principals=self._block_principals(block.get("principals")),
            not_principals=self._block_principals(block.get("not_principals")),
            conditions=self._block_conditions(block.get("condition")),
            sid=sid if isinstance(sid, str) and sid else None,
            location=ds.location_of("statement", i),
        )

    def _set(self, block: dict, attr: str):
        value = block.get(attr)
        if value is None or value == []:
            return None  # the provider leaves an empty set out of the document
        return self._strings(value, attr)

    def _block_principals(self, blocks: Any):
        if blocks is None:
            return None
        if is_unknown(blocks):
            return blocks
        out: dict = {}
        for b in blocks if isinstance(blocks, list) else [blocks]:
            if not isinstance(b, dict):
                continue
            type_, ids = b.get("type"), b.get("identifiers")
            if is_unknown(type_):
                return type_
            if not isinstance(type_, str):
                return Unknown("a principals block has no type")
            if type_ == "*":
                return "*"  # `type = "*"`, identifiers ["*"]: "Principal": "*"
            if is_unknown(ids):
                out[type_] = out.get(type_, ()) + (ids,)
            else:
                out[type_] = out.get(type_, ()) + self._strings(ids if ids is not None else [], "identifiers")
        return out or None

    def _block_conditions(self, blocks: Any):
        if blocks is None:
            return ()
        if is_unknown(blocks):
            return blocks
        out = []
        for b in blocks if isinstance(blocks, list) else [blocks]:
            if not isinstance(b, dict):
                continue
            test, variable, values = b.get("test"), b.get("variable"), b.get("values")
            for part in (test, variable, values):
                if is_unknown(part):
                    return part
            if not isinstance(test, str) or not isinstance(variable, str):
                return Unknown("a condition block has no test or variable")
            out.append(m.Condition(test, variable, self._values(values if values is not None else [])))
        return tuple(out)

    # -- guardrails (service control policies) --------------------------------------------
    def _guardrails(self) -> dict:
        """Every SCP of the scan and its attachments: {"policies": [Policy], "attachments":
        [(Policy | Unknown, attachment Resource)]}."""
        graph = self.graph
        policies: dict = {}
        for res in _managed(graph, "aws_organizations_policy"):
            type_ = res.get("type")
            if type_ is None or type_ == "SERVICE_CONTROL_POLICY" or is_unknown(type_):
                pol = self._policy(res, ("content",), m.SCP, res.address)
                if is_unknown(type_):
                    pol = m.Policy(m.SCP, res.address, (), res, res.location, Unknown("type of %s is not known (%s)" % (res.address, type_.reason)))
                if pol is not None:
                    policies[res.id] = pol
        attachments = []
        for att in _managed(graph, "aws_organizations_policy_attachment"):
            for p in graph.referenced_at(att, (("policy_id",),), ("aws_organizations_policy",)):
                if p.id in policies:
                    attachments.append((policies[p.id], att))
        return {"policies": list(policies.values()), "attachments": attachments}

    def _guardrails_of(self, principal: Resource, account: Any, guardrails: dict) -> tuple:
        """(SCPs that apply to the principal's account, Unknowns for those that may)."""
        applied, maybe = [], []
        for pol, att in guardrails["attachments"]:
            verdict = self._applies(principal, account, att)
            level = self._level(att)
            if verdict is True:
                applied.append(dataclasses.replace(pol, level=level))
            elif is_unknown(verdict):
                why = Unknown("SCP %s may apply: %s" % (pol.name, verdict.reason))
                # A known document stays readable: it matters only where it would deny.
                maybe.append(why if pol.unknown is not None else dataclasses.replace(pol, level=level, applies=why))
        return _unique(applied), maybe

    def _level(self, att: Resource) -> str:
        """The level of the organization an attachment is at: "root", an OU, an account."""
        graph = self.graph
        if graph.referenced_at(att, (("target_id",),), (_ORG_ROOT,)):
            return "root"
        for target in graph.referenced_at(att, (("target_id",),), (_ORG_UNIT, _ORG_ACCOUNT)):
            return target.address
        target = att.get("target_id")
        if isinstance(target, str):
            return "account" if _ACCOUNT_ID.match(target) else ("root" if target.startswith("r-") else target)
        return att.address

    def _applies(self, principal: Resource, account: Any, att: Resource):
        graph = self.graph
        if not graph.same_root(att, principal):
            # Another root is another deployment: a root scanned alone must get the answers it
            # gets in a larger scan (tests/terraform/test_root_modules.py).
            return False
        for org in graph.referenced_at(att, (("target_id",),), (_ORG_ROOT,)):
            if not graph.same_root(org, principal):
                return Unknown("attached to the root of %s, an organization the account of %s may be in" % (org.address, principal.address))
            if _same_account(graph, org, principal):
                return False  # the management account: SCPs do not apply to it
            return True
        for target in graph.referenced_at(att, (("target_id",),), (_ORG_UNIT, _ORG_ACCOUNT)):
            return Unknown("attached to %s, which may hold the account of %s" % (target.address, principal.address))
        target = att.get("target_id")
        if isinstance(target, str):
            if _ACCOUNT_ID.match(target):
                if isinstance(account, str):
                    return account == target
                return Unknown("attached to account %s, and the account of %s is not known" % (target, principal.address))
            return Unknown("attached to %s, which may hold the account of %s" % (target, principal.address))
        return Unknown("target_id of %s is not known" % att.address)

    # -- resource-based policies ----------------------------------------------------------
    def _resource_policies(self, listed: set) -> None:
        graph = self.graph
        for holder_type, attr, governed_type, name_attr in _RESOURCE_POLICIES:
            for holder in _managed(graph, holder_type):
                name = holder.address if attr is not None else "%s policy" % holder.address
                pol = self._policy(holder, ("policy",), m.RESOURCE, name)
                if pol is None:
                    continue
                self._list(pol, listed)
                self.out.resource_policies.append(self._governed(holder, attr, governed_type, name_attr, pol))
        for holder in _managed(graph, "aws_lambda_permission"):
            pol = self._lambda_permission(holder)
            self._list(pol, listed)
            self.out.resource_policies.append(self._governed(holder, "function_name", "aws_lambda_function", "function_name", pol))
        for p in self.out.principals:
            if p.trust is not None:
                self.out.resource_policies.append(m.ResourcePolicy(p.resource, p.arn, p.account, p.trust))

    def _governed(self, holder: Resource, attr, governed_type: str, name_attr, pol) -> m.ResourcePolicy:
        graph = self.graph
        if attr is None:
            return m.ResourcePolicy(holder, arns.arn_of(graph, holder), arns.account_of(graph, holder), pol)
        found = self._named(holder, attr, governed_type, name_attr) if name_attr else [
            r for r in graph.referenced_at(holder, ((attr,),), (governed_type,)) if r.mode == "managed"]
        if found:
            return m.ResourcePolicy(found[0], arns.arn_of(graph, found[0]), arns.account_of(graph, found[0]), pol)
        value = holder.get(attr)
        if governed_type == "aws_s3_bucket" and isinstance(value, str):
            arn = "arn:aws:s3:::%s" % value  # a bucket ARN is its name
        else:
            arn = Unknown("%s of %s names no resource of the scan" % (attr, holder.address))
        return m.ResourcePolicy(holder, arn, arns.account_of(graph, holder), pol)

    def _lambda_permission(self, res: Resource) -> m.Policy:
        """aws_lambda_permission as the one statement AWS adds to the function's policy."""
        graph = self.graph
        principal = res.get("principal")
        if isinstance(principal, (AttributeUnknown, PartialUnknown)):
            principal = arns.resolve(graph, principal)  # a reference to a role's or account's ARN
        if is_unknown(principal) and not isinstance(principal, (AttributeUnknown, PartialUnknown)):
            principals = principal
        elif is_unknown(principal):
            principals = {"AWS": (principal,)}  # a reference to an ARN of the scan, still symbolic
        elif principal == "*":
            principals = "*"
        elif isinstance(principal, str):
            service = principal.endswith(".amazonaws.com") or principal.endswith(".amazonaws.com.cn")
            principals = {"Service" if service else "AWS": (arns.resolve(graph, principal),)}
        else:
            principals = Unknown("principal of %s is not set" % res.address)
        functions = self._named(res, "function_name", "aws_lambda_function", "function_name")
        function = res.get("function_name")
        if functions:
            resource = arns.arn_of(graph, functions[0])
        elif isinstance(function, str) and function.startswith("arn:"):
            resource = function
        else:
            resource = Unknown("function_name of %s names no function of the scan" % res.address)
        qualifier = res.get("qualifier")
        if qualifier is not None:
            resource = resource + ":" + qualifier if isinstance(resource, str) and isinstance(qualifier, str) else Unknown("the qualified function ARN of %s is not known" % res.address)
        conditions = []
        for attr, op, key in (
            ("source_arn", "ArnLike", "aws:SourceArn"),
            ("source_account", "StringEquals", "aws:SourceAccount"),
            ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
            ("function_url_auth_type", "StringEquals", "lambda:FunctionUrlAuthType"),
        ):
            value = res.get(attr)
            if value is not None:
                conditions.append(m.Condition(op, key, self._values(value)))
        action = res.get("action")
        statement = m.Statement(
            effect=m.ALLOW,
            actions=self._strings(action, "action") if action is not None else (Unknown("action of %s is not set" % res.address),),
            resources=(arns.resolve(graph, resource),),
            principals=principals,
            conditions=tuple(conditions),
            sid=res.get("statement_id") if isinstance(res.get("statement_id"), str) else None,
            location=res.location,
        )
        return m.Policy(m.RESOURCE, res.address, (statement,), res, res.location)


# -- helpers ------------------------------------------------------------------------------
def _same_account(graph: ResourceGraph, a: Resource, b: Resource) -> bool:
    """graph.same_account, except that two known account ids (provider allowed_account_ids)
    decide: the provider's account key tells accounts apart only by profile and assume_role."""
    ids = [(graph.provider_of(r) or {}).get("account_id") for r in (a, b)]
    if all(isinstance(i, str) for i in ids) and graph.same_root(a, b):
        return ids[0] == ids[1]
    return graph.same_account(a, b)


def _managed(graph: ResourceGraph, type_: str) -> list:
    return [r for r in graph.of_type(type_) if r.mode == "managed"]


def _items(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _unique(items: list) -> list:
    out, seen = [], set()
    for item in items:
        key = id(item) if not is_unknown(item) else ("u", item.reason)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _is_json_attribute(value: Any) -> bool:
    """Whether an Unknown is the `.json` (or `.minified_json`) of a data source, as far as the
    value says: an AttributeUnknown names its attribute, a plain Unknown says it in its reason."""
    if not is_unknown(value):
        return False
    attribute = getattr(value, "attribute", None)
    if attribute is not None:
        return attribute in ("json", "minified_json")
    return value.reason in ("attribute json is known only after apply", "attribute minified_json is known only after apply")


def _document(raw: Any) -> Any:
    """A policy document from an attribute's value: a dict, or an Unknown when it cannot be read."""
    if is_unknown(raw):
        return _partly_known(raw)
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python parses
            return Unknown("not valid JSON")
    return Unknown("not a policy document")


def _merge(base: list, new) -> list:
    """The provider's merge: a statement with a sid replaces the one with the same sid in place,
    any other is appended."""
    out = list(base)
    for st in new:
        sid = st.sid
        index = next((i for i, old in enumerate(out) if sid and old.sid == sid), None) if sid else None
        if index is None:
            out.append(st)
        else:
            out[index] = st
    return out


def _conflicting(parts: list) -> bool:
    seen: set = set()
    for part in parts:
        sids = {st.sid for st in part if st.sid}
        if sids & seen:
            return True
        seen |= sids
    return False
