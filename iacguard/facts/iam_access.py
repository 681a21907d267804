"""Every IAM policy of the scan, linked to the principal or resource it governs, in both
languages: the facts kinds "iam_policy", "iam_principal" and "iam_resource_policy".

Each language's adapter (`iam_terraform`, `iam_cloudformation`) fills one `Collected`; this
module joins them and keeps the result on the graph, so the three kinds are built once per scan.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ..graph import ResourceGraph
from . import arns
from iacguard.iam.model import Condition, Statement
from iacguard.core.model import CLOUDFORMATION, TERRAFORM
from iacguard.core.unknown import AttributeUnknown, PartialUnknown, is_unknown

# What arns.resolve may replace or copy inside a statement element (see _plain).
_RESOLVABLE = (AttributeUnknown, PartialUnknown, list, tuple)


@dataclass
class Collected:
    """The IAM policies, principals and resource policies read from a scan's resources."""

    policies: list = field(default_factory=list)  # iacguard.iam.model.Policy: every document found
    principals: list = field(default_factory=list)  # iacguard.iam.model.Principal
    resource_policies: list = field(default_factory=list)  # iacguard.iam.model.ResourcePolicy

    def extend(self, other: "Collected") -> None:
        self.policies.extend(other.policies)
        self.principals.extend(other.principals)
        self.resource_policies.extend(other.resource_policies)


def _plain(values) -> bool:
    """Whether `arns.resolve` leaves every item of a statement element as it is: None, a whole
    Unknown, or a tuple of items none of which is an AttributeUnknown or PartialUnknown (the only
    values it replaces) or a nested list or tuple (which it would copy)."""
    if values is None:
        return True
    if values.__class__ is tuple:
        for v in values:
            if v.__class__ is not str and isinstance(v, _RESOLVABLE):
                return False
        return True
    return is_unknown(values)


def _plain_principal(value) -> bool:
    if isinstance(value, dict):
        for v in value.values():
            if not _plain(v):
                return False
    return True


def resolved(graph: ResourceGraph, st):
    """A statement with every string of it through `arns.resolve` (the ARNs and names of the
    scan's resources that can be computed), as both languages' adapters build them."""
    conditions = st.conditions
    if (_plain(st.actions) and _plain(st.not_actions) and _plain(st.resources) and _plain(st.not_resources)
            and _plain_principal(st.principals) and _plain_principal(st.not_principals)
            and (not isinstance(conditions, tuple) or all(_plain(c.values) for c in conditions))):
        # Nothing to resolve (most statements): the statement itself, equal to what the copy
        # below would make.
        return st
    def items(values):
        if values is None or is_unknown(values):
            return values
        if values.__class__ is tuple and _plain(values):
            return values  # no item arns.resolve replaces: what the copy below gives back
        out = tuple(arns.resolve(graph, v) for v in values)
        # A tuple nothing was replaced in stays itself (equal to the copy).
        return values if values.__class__ is tuple and all(a is b for a, b in zip(out, values)) else out

    def principal(value):
        if isinstance(value, dict):
            out = {k: items(v) for k, v in value.items()}
            return value if all(out[k] is v for k, v in value.items()) else out
        return value

    if isinstance(conditions, tuple):
        new = []
        for c in conditions:
            values = items(c.values)
            new.append(c if values is c.values else Condition(c.operator, c.key, values))
        new = tuple(new)
        conditions = conditions if all(a is b for a, b in zip(new, conditions)) else new
    changes = {}
    for name in ("actions", "not_actions", "resources", "not_resources"):
        old = getattr(st, name)
        value = items(old)
        if value is not old:
            changes[name] = value
    for name in ("principals", "not_principals"):
        old = getattr(st, name)
        value = principal(old)
        if value is not old:
            changes[name] = value
    if conditions is not st.conditions:
        changes["conditions"] = conditions
    # Only what changed is replaced: a statement nothing resolved in is returned as it is.
    if not changes:
        return st
    if st.__class__ is Statement:
        # What dataclasses.replace gives, without its walk over the fields (60,000 statements at
        # 100,000 resources).
        get = changes.get
        return Statement(get("effect", st.effect), get("actions", st.actions), get("not_actions", st.not_actions),
                         get("resources", st.resources), get("not_resources", st.not_resources),
                         get("principals", st.principals), get("not_principals", st.not_principals),
                         get("conditions", st.conditions), st.sid, st.location, st.unknown)
    return dataclasses.replace(st, **changes)


def collect(graph: ResourceGraph) -> Collected:
    done = getattr(graph, "_iam_collected", None)
    if done is not None:
        return done
    from . import arns

    out = Collected()
    # Each reader looks at its own language's resources only: a tree without one never loads it.
    languages = {r.language for r in graph.resources}
    with arns.remembered(graph):  # a resource's ARN is read by each policy naming it and by its own policy
        if TERRAFORM in languages:
            from . import iam_terraform

            out.extend(iam_terraform.collect(graph))
        if CLOUDFORMATION in languages:
            from . import iam_cloudformation

            out.extend(iam_cloudformation.collect(graph))
    graph._iam_collected = out
    return out


def iam_policies(graph: ResourceGraph) -> list:
    return collect(graph).policies


def iam_principals(graph: ResourceGraph) -> list:
    return collect(graph).principals


def iam_resource_policies(graph: ResourceGraph) -> list:
    return collect(graph).resource_policies


class LookupFailed(LookupError):
    """A principal or resource named on the command line is not in the scan (or names several)."""

    def __init__(self, message: str, closest: tuple = ()) -> None:
        super().__init__(message)
        self.closest = closest


# How many close names a failed lookup suggests.
_CLOSEST = 5


def _closest(name: str, names) -> tuple:
    import difflib

    return tuple(difflib.get_close_matches(name, sorted(set(names)), n=_CLOSEST, cutoff=0.5))


def _instance_base(address: str) -> str:
    """`aws_iam_role.app[0]` -> `aws_iam_role.app` (the last index only)."""
    return address[: address.rindex("[")] if address.endswith("]") and "[" in address else address


@dataclass(frozen=True)
class Target:
    """The resource a question is about: its ARN (str, or an Unknown keeping what is known),
    its account, the resource policies that govern it, and the resource of the scan when the
    question named one."""

    arn: object
    account: object
    resource_policies: tuple
    resource: object = None


class Authorization:
    """The questions `iacguard iam` and the IAM checks ask of a scan: who is this principal, what
    is this resource, may this principal do this action on it, who may."""

    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        self.collected = collect(graph)

    # -- naming things -------------------------------------------------------------------------
    def actors(self) -> list:
        """The principals that make requests: roles and users (groups only hold policies)."""
        return [p for p in self.collected.principals if p.kind in ("role", "user")]

    def principal(self, address: str):
        """The principal with this Terraform address or CloudFormation logical id (a single
        counted instance may be named without its index)."""
        principals = self.collected.principals
        found = [p for p in principals if p.address == address]
        if not found:
            found = [p for p in principals if _instance_base(p.address) == address]
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(sorted({p.address + self._where(p) for p in found}))
            raise LookupFailed("%s names several principals: %s" % (address, names))
        raise LookupFailed("no IAM role, user or group %s in the scan" % address, _closest(address, [p.address for p in principals]))

    @staticmethod
    def _where(principal) -> str:
        root = principal.resource.meta.get("root_module") if isinstance(principal.resource.meta, dict) else None
        return " (in %s)" % root if root else ""

    def target(self, name: str) -> Target:
        """The resource named by an ARN, "*", or the address of a resource of the scan
        (`aws_s3_bucket.data`, `DataBucket`), optionally followed by a path
        (`aws_s3_bucket.data/reports/x.csv`: an object of that bucket)."""
        from iacguard.core.unknown import PartialUnknown, is_unknown

        from . import arns

        if name == "*" or name.startswith("arn:"):
            account = _arn_account(name)
            return Target(name, account, tuple(rp for rp in self.collected.resource_policies if _governs(rp.arn, name)))
        address, slash, rest = name.partition("/")
        matches = [r for r in self.graph.resources if r.mode == "managed" and (r.address == address or _instance_base(r.address) == address)]
        exact = [r for r in matches if r.address == address]
        matches = exact or matches
        if len(matches) != 1:
            if matches:
                raise LookupFailed("%s names several resources: %s" % (address, ", ".join(sorted(r.address for r in matches))))
            names = [r.address for r in self.graph.resources if r.mode == "managed"]
            raise LookupFailed("%s is neither an ARN nor a resource of the scan" % name, _closest(address, names))
        res = matches[0]
        arn = arns.arn_of(self.graph, res)
        if slash:
            suffix = "/" + rest
            if isinstance(arn, str):
                arn = arn + suffix
            else:
                parts = tuple(getattr(arn, "partial_text", None) or (arn,)) + (suffix,)
                arn = PartialUnknown(arn.reason if is_unknown(arn) else "", partial_text=parts)
        policies = tuple(rp for rp in self.collected.resource_policies if rp.resource.id == res.id)
        return Target(arn, arns.account_of(self.graph, res), policies, res)

    # -- questions -----------------------------------------------------------------------------
    def simulate(self, principal, action: str, target: Target, context: dict | None = None):
        from iacguard.iam.evaluate import simulate
        from iacguard.iam.model import Request

        request = Request(action=action, resource=target.arn, resource_account=target.account, context=dict(context or {}))
        return simulate(principal, request, target.resource_policies)

    def granted_outside(self, action: str, target: Target, context: dict | None = None) -> list:
        """(label, decision) for every principal outside the scan that a resource policy of the
        target names in a statement granting `action` on it: "anyone (*)", another account, a
        service. Such a grant is the resource's half of the answer: a principal of another
        account also needs its own account's identity policies to allow (not in the scan)."""
        import dataclasses

        from iacguard.iam.evaluate import statement_matches
        from iacguard.iam.model import ALLOW, DENY, UNKNOWN, ALLOWED, Decided, Decision, Request

        scan_arns = {p.arn for p in self.collected.principals if isinstance(p.arn, str)}
        scan_nodes = {p.resource.id for p in self.collected.principals}
        request = Request(action=action, resource=target.arn, context=dict(context or {}))
        out: dict = {}
        for rp in target.resource_policies:
            if rp.policy.kind == "trust" and not action.lower().startswith("sts:"):
                continue
            denies = []
            for st in rp.policy.statements:
                if st.effect == DENY and (st.principals == "*" or st.principals == {"AWS": ("*",)}):
                    m = statement_matches(dataclasses.replace(st, principals=None), request)
                    if m is not False:
                        denies.append((st, m))
            for st in rp.policy.statements:
                if st.effect != ALLOW or st.principals is None:
                    continue
                core = statement_matches(dataclasses.replace(st, principals=None), request)
                if core is False:
                    continue
                for label in _outside_entries(st.principals, scan_arns, scan_nodes):
                    decided = Decided(rp.policy, st)
                    if any(m is True for _, m in denies):
                        continue
                    if core is True and not denies:
                        decision = Decision(ALLOWED, (decided,), "granted by %s%s" % (
                            rp.policy.name, " (%s)" % st.sid if st.sid else ""))
                    else:
                        why = getattr(core, "reason", "") or "; ".join(getattr(m, "reason", "") for _, m in denies)
                        decision = Decision(UNKNOWN, (decided,), "not known before deploy: %s" % (why or "a condition"))
                    out.setdefault(label, decision)
        return sorted(out.items())

    def who_can(self, action: str, target: Target, context: dict | None = None) -> list:
        """(principal, decision) for every role and user of the scan, in address order."""
        out = []
        for principal in sorted(self.actors(), key=lambda p: (p.address, p.resource.id)):
            out.append((principal, self.simulate(principal, action, target, context)))
        return out


_ROOT_ARN = __import__("re").compile(r"arn:aws[a-z-]*:iam::(\d{12}):root\Z")
_KIND_LABEL = {"AWS": "", "Service": "service ", "Federated": "identity provider ", "CanonicalUser": "canonical user "}


def _outside_entries(block, scan_arns: set, scan_nodes: set) -> list:
    """The entries of a Principal block that name no principal of the scan, as labels."""
    if block == "*":
        return ["anyone (*)"]
    if not isinstance(block, dict):
        return []
    out = []
    for kind, values in block.items():
        for v in values if isinstance(values, (list, tuple)) else (values,):
            if v == "*":
                out.append("anyone (*)" if kind == "AWS" else "any %s(*)" % _KIND_LABEL.get(kind, kind + " "))
            elif isinstance(v, str):
                if v in scan_arns:
                    continue
                root = _ROOT_ARN.match(v)
                if v.isdigit() or root:
                    out.append("account %s" % (root.group(1) if root else v))
                else:
                    out.append(_KIND_LABEL.get(kind, kind + " ") + v)
            elif getattr(v, "node", None) in scan_nodes:
                continue  # a principal of the scan, named by reference
    return list(dict.fromkeys(out))


def _arn_account(arn: str):
    parts = arn.split(":", 5)
    if len(parts) >= 5 and parts[4].isdigit():
        return parts[4]
    return None


def _governs(policy_arn, requested: str) -> bool:
    """Whether a resource policy of the resource `policy_arn` applies to a request for the
    literal ARN `requested`: the same ARN, or an object under an S3 bucket's ARN."""
    if not isinstance(policy_arn, str):
        return False
    if requested == policy_arn:
        return True
    return policy_arn.startswith("arn:") and ":s3:::" in policy_arn and requested.startswith(policy_arn + "/")
