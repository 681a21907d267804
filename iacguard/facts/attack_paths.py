"""Attack paths (issue 14, part B): from every entry point of the exposure model
(`iacguard.facts.exposure`, kind "entry_point") to the data stores it leads to, hop by hop.

Kind "attack_path", one `AttackPath` per (entry point, way through, asset): `hops` is a tuple of
`Hop(resource, message)` from the entry point (first) to the asset (last), in order, with the
plumbing that decides each step in between (listeners, target groups, the role, the policy that
grants, the security group rule that admits); `asset` is the data store; `access` says how the
last step reaches it ("read", "write", "read/write", "network", "origin", "itself"); `decided` is
True, or the Unknown that leaves the path open (the entry point's own, else the first hop's that
is not known). An Unknown never makes a path by itself: a step known not to be taken (a role that
may not read this bucket, a group rule that admits another group) gives no path. Sorted by root,
entry point address, then asset address. The check AWS-PATH-001
(checks/infrastructure/attack_paths.py) reads this kind and the layers of each path.

Hops, walked from each entry point (decided or undecided):

- entry -> compute:
  * "load_balancer": ALB / NLB -> its listeners (`listener_of`, against the relation) and their
    listener rules (`rule_of`) -> target groups (`forwards_to`) -> targets (`target_of`, against
    the relation): instances, functions, auto scaling groups, ECS services. A classic load
    balancer -> the instances it names (`instances` / `Instances`).
  * "api_gateway": the stage -> the functions integrated into its API (`integration_of`); an
    API defined by an OpenAPI body (Terraform `body`, SAM's implicit APIs) -> the functions its
    body refers to (its methods are not resources: the authentication layer is undecided).
  * "cloudfront": the distribution -> its origins (`origin_of`): an S3 bucket origin IS the asset
    (access "origin"); a load balancer origin is walked on as a load balancer.
  * "function_url": the URL -> its function (`EntryPoint.fronts`); a function that is not known
    (a variable or parameter without a value): each function of its root, undecided.
  * "instance": the instance, the auto scaling group or the ECS service (tasks with public IPs)
    is itself the compute (an auto scaling group's role and security groups are its launch
    template's, an ECS service's role its task definition's; each appears as a hop).
  * "database": a public database is itself the asset (a one-hop path, access "itself").
  * "eks_endpoint": not walked (the cluster's workloads are not modelled).
- compute -> role -> data store: the compute's role (`attached_role`; an auto scaling group's
  through its launch template / configuration, an ECS service's through its task definition's
  task role); for every IAM data store of the same root (`STORE_ACTIONS`: S3 buckets, DynamoDB
  tables, Secrets Manager secrets, SQS queues), the IAM engine (`iam_access.Authorization`,
  `simulate`, resource policies of the store included) is asked whether the role may do the
  store's read and write actions on it (S3 on "bucket/*"). Allowed: a path through the role and
  the policy resource whose statement allows (its own hop: "aws_iam_role_policy.read allows
  s3:GetObject on aws_s3_bucket.media"); "unknown": an undecided path with the engine's reason;
  implicit or explicit deny: no path.
- compute -> data store over the network: a store's security group (`NETWORK_STORES`: RDS /
  Aurora, ElastiCache, Redshift, OpenSearch in a VPC) admits the store's port from a security
  group the compute uses (an SG-to-SG reference: an inline ingress block's `security_groups` /
  `SourceSecurityGroupId`, `self = true`, or a separate rule resource's
  `source_security_group_id` / `referenced_security_group_id` / `SourceSecurityGroupId`). A port
  or protocol that is not known makes the path undecided.

Linear: the rules are indexed once by source group, the stores once by group and by root, each
role's reachable stores and each compute's tails are memoised, so each entry point walks its
neighbourhood once. The role step asks the engine once per (role, action, IAM store of its root
that the role's Resource patterns may reach, by their literal start on a sorted index of the
root's store ARNs; plus the stores with a resource policy or an ARN not known; every store when a
pattern has no known start): proportional to the role's grants, not to the stores of its root
(`_candidates`). Paths are capped per entry point
(`MAX_PATHS`); when the cap is hit, every kept path of that entry point has `capped` True.

Generated names (the IAM engine's matching, iacguard.iam.matching): a store whose name is
generated at deploy (a CloudFormation bucket without `BucketName`, a Terraform bucket without
`bucket` or with `bucket_prefix`) has an ARN whose name is a symbolic piece of that store
(`arns.NameUnknown`). A policy that names a store of the scan by reference (`${aws_s3_bucket.a.arn}/*`,
`!GetAtt A.Arn`, `!Sub "${A.Arn}/*"`, `!Ref A`) gives a decided path to that store and no path
to another store of the scan, generated or named (two resources of one scan are two AWS
objects). Known limit: a policy whose resource has unknown parts that are not such a reference
(`arn:aws:s3:::${var.bucket}/*`), or that puts a wildcard before the name or right after it
(`${aws_s3_bucket.a.bucket}*`), still gives undecided paths to the stores it may name.

Not yet: EFS (mount targets), KMS keys as assets, Kinesis / SNS, rds-db:connect, prefix lists
and CIDR ranges between compute and store (only SG-to-SG references make a network hop), ECS
services in EKS, Lambda event sources, API Gateway HTTP integrations to load balancers.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Resource
from iacguard.core.unknown import PartialUnknown, Unknown, is_unknown
from .exposure import ASG_LAUNCH, LAUNCH_TEMPLATES, EntryPoint, Port, covers_port, db_port, entry_points
from .network import _ports, normalize_protocol

MAX_PATHS = 50  # per entry point
# Ways through one entry point looked at before the MAX_PATHS shown are chosen: listeners x target
# groups x targets x stores multiply, so a tree written to multiply them stays bounded (the kept
# paths are then marked capped).
MAX_CANDIDATES = 20 * MAX_PATHS

_SG = ("aws_security_group", "aws_default_security_group", "AWS::EC2::SecurityGroup")
_ROLE = ("aws_iam_role", "AWS::IAM::Role")
_LISTENER_RULE = ("aws_lb_listener_rule", "aws_alb_listener_rule", "AWS::ElasticLoadBalancingV2::ListenerRule")
_LB = ("aws_lb", "aws_alb", "AWS::ElasticLoadBalancingV2::LoadBalancer")
_CLASSIC_LB = ("aws_elb", "AWS::ElasticLoadBalancing::LoadBalancer")
_BUCKETS = ("aws_s3_bucket", "AWS::S3::Bucket")
_INSTANCES = ("aws_instance", "AWS::EC2::Instance")
_FUNCTIONS = ("aws_lambda_function", "AWS::Lambda::Function", "AWS::Serverless::Function")
_ASGS = ("aws_autoscaling_group", "AWS::AutoScaling::AutoScalingGroup")
_ECS_SERVICES = ("aws_ecs_service", "AWS::ECS::Service")
_COMPUTE = _INSTANCES + _FUNCTIONS + _ASGS + _ECS_SERVICES
_TASK_DEFINITIONS = ("aws_ecs_task_definition", "AWS::ECS::TaskDefinition")
_APIS = ("aws_api_gateway_rest_api", "aws_apigatewayv2_api", "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")
_STAGE_API = (("rest_api_id",), ("api_id",), ("RestApiId",), ("ApiId",))
_BODY = (("body",), ("Body",))

# store type -> (what it is, ((access, action, suffix of the ARN), ...))
STORE_ACTIONS = {
    "aws_s3_bucket": ("S3 bucket", (("read", "s3:GetObject", "/*"), ("write", "s3:PutObject", "/*"))),
    "AWS::S3::Bucket": ("S3 bucket", (("read", "s3:GetObject", "/*"), ("write", "s3:PutObject", "/*"))),
    "aws_dynamodb_table": ("DynamoDB table", (("read", "dynamodb:GetItem", ""), ("write", "dynamodb:PutItem", ""))),
    "AWS::DynamoDB::Table": ("DynamoDB table", (("read", "dynamodb:GetItem", ""), ("write", "dynamodb:PutItem", ""))),
    "aws_secretsmanager_secret": ("secret", (("read", "secretsmanager:GetSecretValue", ""), ("write", "secretsmanager:PutSecretValue", ""))),
    "AWS::SecretsManager::Secret": ("secret", (("read", "secretsmanager:GetSecretValue", ""), ("write", "secretsmanager:PutSecretValue", ""))),
    "aws_sqs_queue": ("SQS queue", (("read", "sqs:ReceiveMessage", ""), ("write", "sqs:SendMessage", ""))),
    "AWS::SQS::Queue": ("SQS queue", (("read", "sqs:ReceiveMessage", ""), ("write", "sqs:SendMessage", ""))),
}

# store type -> (what it is, where it names its security groups, its default port)
NETWORK_STORES = {
    "aws_db_instance": ("database", (("vpc_security_group_ids",),), None),
    "aws_rds_cluster": ("database", (("vpc_security_group_ids",),), None),
    "aws_rds_cluster_instance": ("database", (), None),  # a public Aurora member; its groups are its cluster's
    "AWS::RDS::DBInstance": ("database", (("VPCSecurityGroups",),), None),
    "AWS::RDS::DBCluster": ("database", (("VpcSecurityGroupIds",),), None),
    "aws_elasticache_cluster": ("cache", (("security_group_ids",),), 6379),
    "aws_elasticache_replication_group": ("cache", (("security_group_ids",),), 6379),
    "AWS::ElastiCache::CacheCluster": ("cache", (("VpcSecurityGroupIds",),), 6379),
    "AWS::ElastiCache::ReplicationGroup": ("cache", (("SecurityGroupIds",),), 6379),
    "aws_redshift_cluster": ("Redshift cluster", (("vpc_security_group_ids",),), 5439),
    "AWS::Redshift::Cluster": ("Redshift cluster", (("VpcSecurityGroupIds",),), 5439),
    "aws_opensearch_domain": ("search domain", (("vpc_options", "security_group_ids"),), 443),
    "aws_elasticsearch_domain": ("search domain", (("vpc_options", "security_group_ids"),), 443),
    "AWS::OpenSearchService::Domain": ("search domain", (("VPCOptions", "SecurityGroupIds"),), 443),
    "AWS::Elasticsearch::Domain": ("search domain", (("VPCOptions", "SecurityGroupIds"),), 443),
}


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of an attack path: a resource, and what leads from it to the next."""

    resource: Resource
    message: str


@dataclass(frozen=True, slots=True)
class AttackPath:
    """A path from an internet entry point to a data store, hop by hop, with the access the last hop
    gives."""

    entry: EntryPoint
    hops: tuple  # tuple[Hop], from the entry point's resource to the asset, in order
    asset: Resource
    access: str  # "read", "write", "read/write", "network", "origin", "itself"
    decided: Any  # True, or the Unknown that leaves the path open
    root: str
    capped: bool = False  # the entry point has more paths than MAX_PATHS
    # The IAM statement (`iam.model.Statement`) that grants the role the asset (the allowing one,
    # or the one whose unknown parts leave it open), for the least-privilege layer; None for a
    # network hop, an origin or an entry point that is itself the asset.
    grant: Any = None

    @property
    def resource(self) -> Resource:
        """The entry point's resource (where a finding about the path is located)."""
        return self.entry.resource

    @property
    def addresses(self) -> tuple:
        return tuple(h.resource.address for h in self.hops)


@dataclass(frozen=True, slots=True)
class _Tail:
    """The rest of an attack path from one resource on: its hops, the store reached and the access."""

    hops: tuple  # from (and including) the compute to the asset
    asset: Resource
    access: str
    decided: Any
    grant: Any = None


def _ports_text(entry: EntryPoint) -> str:
    return ", ".join(sorted({str(p) for p in entry.ports})) or "?"


def _and(a: Any, b: Any) -> Any:
    return a if a is not True else b


def entry_words(entry: EntryPoint) -> str:
    """What an entry point is and what the internet reaches it on, as the first hop of a path
    (and the reports' list of entry points) say it: "ALB aws_lb.web accepts tcp 443 from the
    internet"."""
    res = entry.resource
    what = {"load_balancer": "load balancer", "api_gateway": "API stage", "cloudfront": "CloudFront distribution",
            "instance": "instance", "function_url": "function URL", "database": "database",
            "eks_endpoint": "EKS endpoint"}.get(entry.entry, entry.entry)
    if entry.entry == "load_balancer" and res.type in _LB:
        kind = res.get("load_balancer_type") if res.language == "terraform" else res.get("Type")
        what = {"network": "NLB", "gateway": "GWLB"}.get(kind, "ALB") if not is_unknown(kind) else "load balancer"
    if entry.entry == "instance" and res.type in _ASGS:
        what = "auto scaling group"
    if entry.entry == "instance" and res.type in _ECS_SERVICES:
        what = "ECS service"
    if entry.ports or entry.entry != "database":
        words = "%s %s accepts %s from the internet" % (what, res.address, _ports_text(entry))
    else:  # a DMS replication instance listens on no port of its own
        words = "%s %s is reachable from the internet" % (what, res.address)
    if entry.decided is not True:
        words += " (undecided: %s)" % (getattr(entry.decided, "reason", "") or "not known")
    return words


class _Walker:
    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        self._auth = None
        self._principals: dict | None = None
        self._resource_policies: dict | None = None
        self._rules: dict | None = None  # source SG id -> [(store SG, rule resource, protocol, lo, hi)]
        self._stores_by_sg: dict | None = None
        self._iam_stores: dict = {}  # root -> [stores]
        self._role_memo: dict = {}
        self._compute_memo: dict = {}
        self._targets: dict = {}  # (store id, suffix) -> Target
        self._store_keys_memo: dict = {}  # root -> (sorted (ARN, store index), always-candidate indexes)

    # -- entry -> compute ------------------------------------------------------------------
    def paths(self, entry: EntryPoint) -> list:
        res = entry.resource
        first = Hop(res, entry_words(entry))
        out: list = []
        if entry.entry == "database":
            out.append(_Tail((first,), res, "itself", True))
            return self._finish(entry, [((), t) for t in out])
        found: list = []  # (hops before the compute's tail, tail)
        open_target = self._open_target(entry)
        for prefix, compute in self._fronted(entry, first):
            if len(found) >= MAX_CANDIDATES:  # a tree built to multiply paths: bounded, reported as capped
                break
            for tail in self._compute(compute)[:MAX_CANDIDATES]:
                if open_target is not None:  # the entry point's function is not known: any of its root's may be it
                    tail = _Tail(tail.hops, tail.asset, tail.access, open_target, tail.grant)
                if not prefix and tail.hops and tail.hops[0].resource.id == res.id:  # the entry point is the compute
                    tail = _Tail((Hop(res, first.message + "; it runs the requests"),) + tail.hops[1:], tail.asset, tail.access, tail.decided, tail.grant)
                found.append((prefix, tail))
        return self._finish(entry, found)

    def _finish(self, entry: EntryPoint, found: list) -> list:
        out = []
        seen = set()
        for prefix, tail in found:
            hops = prefix + tail.hops
            key = tuple(h.resource.id for h in hops)
            if key in seen:
                continue
            seen.add(key)
            decided = _and(entry.decided, tail.decided)
            out.append(AttackPath(entry, hops, tail.asset, tail.access, decided, entry.root, grant=tail.grant))
        out.sort(key=lambda p: (p.asset.address, p.addresses))
        if len(out) > MAX_PATHS or len(found) >= MAX_CANDIDATES:
            import dataclasses

            out = [dataclasses.replace(p, capped=True) for p in out[:MAX_PATHS]]
        return out

    def _fronted(self, entry: EntryPoint, first: Hop) -> list:
        """(hops from the entry point up to the compute, compute) pairs; S3 origins are assets
        and are returned as computes whose tail is the bucket itself."""
        g, res = self.graph, entry.resource
        if entry.entry == "instance":
            return [((), res)]
        if entry.entry == "load_balancer":
            return self._behind_lb(res, (first,))
        if entry.entry == "api_gateway":
            functions = g.related(res, "integration_of") or [f for f in entry.fronts if f.type in _FUNCTIONS]
            if not functions:  # an API defined by an OpenAPI body (Terraform `body`, SAM's implicit APIs)
                functions = [f for api in g.referenced_at(res, _STAGE_API, _APIS) for f in g.referenced_at(api, _BODY, _FUNCTIONS)]
            return [((Hop(res, first.message + "; its API invokes %s" % f.address),), f) for f in functions]
        if entry.entry == "function_url":
            functions = [f for f in entry.fronts if f.type in _FUNCTIONS]
            unknown = self._open_target(entry)
            if unknown is not None:
                # bounded per entry point (the paths are capped at MAX_PATHS anyway)
                functions = [f for f in g.of_type_in_root(entry.root, *_FUNCTIONS) if f.mode == "managed"][:MAX_PATHS]
                return [((Hop(res, first.message + "; it may invoke %s (its function is not known: %s)" % (f.address, unknown.reason or "not known")),), f)
                        for f in functions]
            return [((Hop(res, first.message + "; it invokes %s" % f.address),), f) for f in functions]
        if entry.entry == "cloudfront":
            out = []
            origins = g.related(res, "origin_of") or list(entry.fronts)
            for origin in origins:
                hop = Hop(res, first.message + "; its origin is %s" % origin.address)
                if origin.type in _BUCKETS:
                    out.append(((hop,), origin))
                elif origin.type in _LB:
                    out.extend(self._behind_lb(origin, (hop, Hop(origin, "load balancer %s receives CloudFront's requests" % origin.address))))
            return out
        return []

    def _open_target(self, entry: EntryPoint) -> Any:
        """The Unknown naming a function URL's function when it names none of the scan (a
        variable or parameter without a value), else None."""
        if entry.entry != "function_url" or any(f.type in _FUNCTIONS for f in entry.fronts):
            return None
        res = entry.resource
        raw = res.get("function_name") if res.language == "terraform" else res.get("TargetFunctionArn")
        return raw if is_unknown(raw) else None

    def _behind_lb(self, lb: Resource, prefix: tuple) -> list:
        g = self.graph
        out = []
        if lb.type in _CLASSIC_LB:
            for inst in g.referenced_at(lb, (("instances",), ("Instances",)), _INSTANCES):
                out.append(((Hop(lb, prefix[-1].message + "; it sends to %s" % inst.address),) if len(prefix) == 1 else prefix, inst))
            return out
        for listener in g.related_from(lb, "listener_of"):
            port = listener.get("port") if listener.language == "terraform" else listener.get("Port")
            port = "?" if port is None or is_unknown(port) else port
            groups = list(g.related(listener, "forwards_to"))
            for rule in g.related_from(listener, "rule_of", _LISTENER_RULE):
                groups.extend(x for x in g.related(rule, "forwards_to") if x not in groups)
            for tg in groups:
                for target in g.related_from(tg, "target_of"):
                    if target.type not in _COMPUTE:
                        continue
                    hops = prefix + (
                        Hop(listener, "listener %s forwards %s to %s" % (listener.address, port, tg.address)),
                        Hop(tg, "target group %s sends to %s" % (tg.address, target.address)),
                    )
                    out.append((hops, target))
        return out

    # -- compute -> data --------------------------------------------------------------------
    def _compute(self, compute: Resource) -> list:
        done = self._compute_memo.get(compute.id)
        if done is not None:
            return done
        if compute.type in _BUCKETS:  # an S3 origin: the asset itself
            done = [_Tail((Hop(compute, "S3 bucket %s serves the distribution's requests" % compute.address),), compute, "origin", True)]
            self._compute_memo[compute.id] = done
            return done
        g = self.graph
        carriers = [compute]  # what holds the role and the security groups
        if compute.type in _ASGS:
            carriers = [t for t in g.referenced_at(compute, ASG_LAUNCH, LAUNCH_TEMPLATES) if t.mode == "managed"] or carriers
        elif compute.type in _ECS_SERVICES:
            carriers = [compute] + g.referenced_at(compute, (("task_definition",), ("TaskDefinition",)), _TASK_DEFINITIONS)
        first = Hop(compute, "%s runs the requests" % compute.address)
        out: list = []
        roles: list = []  # (carrier, role)
        for carrier in carriers:
            roles.extend((carrier, r) for r in g.related(carrier, "attached_role", _ROLE) if r not in [x for _, x in roles])
        for carrier, role in roles:
            role_hop = Hop(role, "%s runs as role %s" % (compute.address, role.address))
            via = ()
            if carrier.id != compute.id:  # a launch template / task definition holds the role
                via = (Hop(carrier, "%s runs with %s, which names role %s" % (compute.address, carrier.address, role.address)),)
            for tail in self._role(role):
                hops = tail.hops
                if hops and hops[0].resource.id == role.id:  # the grant is inline in the role: one hop
                    hops = (Hop(role, role_hop.message + "; " + hops[0].message),) + hops[1:]
                else:
                    hops = (role_hop,) + hops
                out.append(_Tail((first,) + via + hops, tail.asset, tail.access, tail.decided, tail.grant))
        groups: list = []
        held: list = []  # launch templates that hold the groups: a hop, so their groups' layers are read
        for carrier in carriers:
            mine = g.related(carrier, "uses_security_group", _SG)
            groups.extend(s for s in mine if s not in groups)
            if mine and carrier.id != compute.id:
                held.append(Hop(carrier, "%s launches its instances with %s, which names their security groups" % (compute.address, carrier.address)))
        for tail in self._network(compute, groups):
            out.append(_Tail((first,) + tuple(held) + tail.hops, tail.asset, tail.access, tail.decided))
        self._compute_memo[compute.id] = out
        return out

    def _role(self, role: Resource) -> list:
        done = self._role_memo.get(role.id)
        if done is not None:
            return done
        out: list = []
        principal = self._principal_index().get(role.id)
        if principal is not None:
            for store in self._candidates(principal, self.graph.root_of(role)):
                tail = self._grant(principal, store)
                if tail is not None:
                    out.append(tail)
        self._role_memo[role.id] = out
        return out

    def _candidates(self, principal, root: str) -> list:
        """The IAM stores of `root` the role may be granted, in `_stores_of_root`'s order: every
        store with a resource policy or whose ARN is not known, and those whose ARN (with its
        suffix) starts with the literal text before the first wildcard, variable or unknown piece of
        a Resource pattern of an identity statement that may allow. Anything not known (a policy,
        a statement, an effect, a pattern with no known start, a NotResource) makes every store a
        candidate. Only the
        stores the engine would answer with an implicit deny are left out, so the answers are
        the same; the role step costs the role's patterns and their matches, not every store of
        its root (roles x stores: 850,400 engine calls on the 100k benchmark with networks)."""
        from iacguard.iam.model import DENY

        stores = self._stores_of_root(root)
        if principal.unresolved:
            return stores
        prefixes: set = set()
        for policy in principal.identity_policies:
            if policy.unknown is not None:
                return stores
            for st in policy.statements:
                if isinstance(st.effect, str) and st.effect == DENY and st.unknown is None:
                    continue
                if st.unknown is not None or st.not_resources is not None or st.resources is None:
                    return stores
                for pattern in st.resources:
                    prefix = _literal_prefix(pattern)
                    if not prefix:
                        return stores
                    prefixes.add(prefix.lower())
        keys, always = self._store_keys(root)
        chosen = set(always)
        for prefix in prefixes:
            i = bisect.bisect_left(keys, (prefix,))
            while i < len(keys) and keys[i][0].startswith(prefix):
                chosen.add(keys[i][1])
                i += 1
        return [s for i, s in enumerate(stores) if i in chosen] if len(chosen) < len(stores) else stores

    def _store_keys(self, root: str) -> tuple:
        """([(lowercased target ARN, index in `_stores_of_root`)] sorted, {indexes of the stores
        that are always candidates}), once per root."""
        done = self._store_keys_memo.get(root)
        if done is None:
            keys: list = []
            always: set = set()
            for i, store in enumerate(self._stores_of_root(root)):
                for suffix in dict.fromkeys(suffix for _, _, suffix in STORE_ACTIONS[store.type][1]):
                    target = self._target(store, suffix)
                    if target.resource_policies or not isinstance(target.arn, str):
                        always.add(i)
                    else:
                        keys.append((target.arn.lower(), i))
            keys.sort()
            done = self._store_keys_memo[root] = (keys, always)
        return done

    def _grant(self, principal, store: Resource):
        from iacguard.iam.model import ALLOWED, UNKNOWN

        what, actions = STORE_ACTIONS[store.type]
        allowed: list = []  # (access, action, policy, statement)
        unknown: list = []  # (Unknown, access, action, policy, statement)
        for access, action, suffix in actions:
            try:
                decision = self._auth_engine().simulate(principal, action, self._target(store, suffix))
            except Exception as exc:  # a policy the engine cannot read: undecided, never a crash
                unknown.append((Unknown("the IAM engine could not decide %s: %s" % (action, exc)), access, action, None, None))
                continue
            first = decision.statements[0] if decision.statements else None
            policy = first.policy if first is not None else None
            statement = getattr(first, "statement", None)
            if decision.decision == ALLOWED:
                allowed.append((access, action, policy, statement))
            elif decision.decision == UNKNOWN:
                unknown.append((Unknown(decision.reason or "the IAM decision is not known"), access, action, policy, statement))
        if allowed:
            access = "/".join(a for a, _, _, _ in allowed)
            _, action, policy, statement = allowed[0]
            decided = True
            verb, why = "allows", ""
        elif unknown:
            decided, _, action, policy, statement = unknown[0]
            access = "/".join(a for _, a, _, _, _ in unknown)
            verb, why = "may allow", " (undecided: %s)" % decided.reason
        else:
            return None
        holder = getattr(policy, "resource", None) if policy is not None else None
        name = getattr(policy, "name", None) or "a policy"
        hops = []
        if holder is not None and holder.id != principal.resource.id:
            hops.append(Hop(holder, "%s %s %s on %s%s" % (holder.address, verb, action, store.address, why)))
        else:  # inline in the role, AWS managed, or not known: the role's hop says which
            hops.append(Hop(principal.resource, "%s (%s) %s %s on %s%s" % (principal.resource.address, name, verb, action, store.address, why)))
        hops.append(Hop(store, "%s %s (%s)" % (what, store.address, access)))
        return _Tail(tuple(hops), store, access, decided, statement)

    def _network(self, compute: Resource, groups: list) -> list:
        out: list = []
        rules = self._rule_index()
        stores_by_sg = self._store_index()
        for group in groups:
            for store_sg, rule_res, protocol, lo, hi in rules.get(group.id, ()):
                for store in stores_by_sg.get(store_sg.id, ()):
                    if store.id == compute.id:
                        continue
                    port = self._store_port(store)
                    covers = covers_port(Port(protocol, lo, hi), Port("tcp", port, port))
                    if covers is False:
                        continue
                    what = NETWORK_STORES[store.type][0]
                    port_text = "?" if is_unknown(port) else port
                    holder = rule_res if rule_res.id != store_sg.id else store_sg
                    into = "" if holder.id == store_sg.id else " into %s" % store_sg.address
                    hops = (
                        Hop(holder, "%s admits %s %s%s from %s, a group %s uses" % (
                            holder.address, "tcp" if is_unknown(protocol) else protocol, port_text, into, group.address, compute.address)),
                        Hop(store, "%s %s listens on %s" % (what, store.address, port_text)),
                    )
                    out.append(_Tail(hops, store, "network", covers))
        return out

    # -- indexes (each built once per scan) ---------------------------------------------------
    def _auth_engine(self):
        if self._auth is None:
            from .iam_access import Authorization

            self._auth = Authorization(self.graph)
        return self._auth

    def _principal_index(self) -> dict:
        if self._principals is None:
            self._principals = {p.resource.id: p for p in self._auth_engine().collected.principals if p.kind == "role"}
        return self._principals

    def _target(self, store: Resource, suffix: str):
        from . import arns
        from .iam_access import Target

        if self._resource_policies is None:
            self._resource_policies = {}
            for rp in self._auth_engine().collected.resource_policies:
                self._resource_policies.setdefault(rp.resource.id, []).append(rp)
        key = (store.id, suffix)
        done = self._targets.get(key)
        if done is not None:
            return done
        arn = arns.arn_of(self.graph, store)
        if suffix:
            if isinstance(arn, str):
                arn = arn + suffix
            else:
                parts = tuple(getattr(arn, "partial_text", None) or (arn,)) + (suffix,)
                arn = PartialUnknown(arn.reason if is_unknown(arn) else "", partial_text=parts)
        done = self._targets[key] = Target(arn, arns.account_of(self.graph, store), tuple(self._resource_policies.get(store.id, ())), store)
        return done

    def _stores_of_root(self, root: str) -> list:
        done = self._iam_stores.get(root)
        if done is None:
            done = [s for s in self.graph.of_type_in_root(root, *STORE_ACTIONS) if s.mode == "managed"]
            done.sort(key=lambda s: (s.address, s.id))
            self._iam_stores[root] = done
        return done

    def _store_index(self) -> dict:
        if self._stores_by_sg is None:
            g = self.graph
            index: dict = {}
            for store in g.of_type(*NETWORK_STORES):
                if store.mode != "managed":
                    continue
                groups = g.related(store, "uses_security_group", _SG) or g.referenced_at(store, NETWORK_STORES[store.type][1], _SG)
                for sg in groups:
                    index.setdefault(sg.id, []).append(store)
            self._stores_by_sg = index
        return self._stores_by_sg

    def _store_port(self, store: Resource) -> Any:
        default = NETWORK_STORES[store.type][2]
        if default is None:
            return db_port(store, None)
        raw = store.get("port") if store.language == "terraform" else store.get("Port")
        if raw is None:
            engine = store.get("engine") if store.language == "terraform" else store.get("Engine")
            if isinstance(engine, str) and engine.lower() == "memcached":
                return 11211
            return default
        if is_unknown(raw):
            return raw
        try:
            return int(raw)
        except (TypeError, ValueError):
            return Unknown("the port of %s is not a number" % store.address)

    def _rule_index(self) -> dict:
        """Source security group id -> [(the group admitting it, the rule's resource, protocol,
        from port, to port)], over every ingress rule that names a group as its source."""
        if self._rules is not None:
            return self._rules
        g = self.graph
        index: dict = {}

        def add(sources, group, holder, protocol, lo, hi):
            protocol = normalize_protocol(protocol)
            lo, hi = _ports(protocol, lo, hi)
            for source in sources:
                index.setdefault(source.id, []).append((group, holder, protocol, lo, hi))

        for sg in g.of_type(*_SG):
            tf = sg.language == "terraform"
            blocks = sg.get("ingress") if tf else sg.get("SecurityGroupIngress")
            if not isinstance(blocks, list):
                continue
            for i, block in enumerate(blocks):
                if not isinstance(block, dict):
                    continue
                at = ((("ingress", i, "security_groups"),) if tf else (("SecurityGroupIngress", i, "SourceSecurityGroupId"),))
                sources = list(g.referenced_at(sg, at, _SG, exact=True))
                if tf and block.get("self") is True:
                    sources.append(sg)
                if tf:
                    add(sources, sg, sg, block.get("protocol"), block.get("from_port"), block.get("to_port"))
                else:
                    add(sources, sg, sg, block.get("IpProtocol"), block.get("FromPort"), block.get("ToPort"))
        separate = (
            ("aws_security_group_rule", (("source_security_group_id",),), ("protocol", "from_port", "to_port")),
            ("aws_vpc_security_group_ingress_rule", (("referenced_security_group_id",),), ("ip_protocol", "from_port", "to_port")),
            ("AWS::EC2::SecurityGroupIngress", (("SourceSecurityGroupId",),), ("IpProtocol", "FromPort", "ToPort")),
        )
        for type_, at, keys in separate:
            for rule in g.of_type(type_):
                if type_ == "aws_security_group_rule" and rule.get("type") != "ingress":
                    continue
                sources = list(g.referenced_at(rule, at, _SG))
                if type_ == "aws_security_group_rule" and rule.get("self") is True:
                    sources.extend(g.related(rule, "rule_of", _SG))
                if not sources:
                    continue
                for group in g.related(rule, "rule_of", _SG):
                    add(sources, group, rule, *(rule.get(k) for k in keys))
        self._rules = index
        return index


def _literal_prefix(pattern: Any) -> str:
    """The text every ARN a Resource pattern matches starts with: up to its first wildcard,
    policy variable or unknown piece (a partly known ARN: its known start); "" when none."""
    from iacguard.iam.basics import pieces

    out = ""
    for piece in pieces(pattern):
        if not isinstance(piece, str):
            return out
        cut = min((i for i in (piece.find(c) for c in "*?$") if i >= 0), default=-1)
        if cut >= 0:
            return out + piece[:cut]
        out += piece
    return out


def attack_paths(graph: ResourceGraph) -> list:
    walker = _Walker(graph)
    out: list = []
    for entry in entry_points(graph):
        # No catch-all here: an error is a bug, and the engine reports it as an internal error of
        # the check that asked (a silently dropped path would read as "no path").
        out.extend(walker.paths(entry))
    return sorted(out, key=lambda p: (p.root, p.entry.resource.address, p.asset.address, p.addresses))


__all__ = ["MAX_CANDIDATES", "entry_words", "MAX_PATHS", "NETWORK_STORES", "STORE_ACTIONS", "AttackPath", "Hop", "attack_paths"]
