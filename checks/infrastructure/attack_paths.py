"""AWS-PATH-001: a path from the internet to a data store that lacks defense layers (issue 14).

The check joins two facts kinds: "attack_path" (`iacguard.facts.attack_paths`: from each entry
point of the exposure model to the data stores it leads to, hop by hop, access decided by the IAM
engine) and the layers of `iacguard.facts.layers` (`missing_layers`). One finding per path that
is decided and misses at least one layer, located at the entry point's block, with the path's hops
as `Finding.path` (SARIF code flows, the one-line chain of text and Markdown, JSON `path`).

What is not known never makes a finding by itself:

- a path that is decided, with no missing layer but undecided ones: an undecided record naming
  the first undecided layer;
- a path that is not decided (an entry point or a hop a value leaves open) and lacks or may lack
  a layer: an undecided record naming the path, with the reason of what is not known;
- a decided path with every layer present: nothing (a fully layered path is not a finding).

Severity is graded per finding (`Check.graded`): what the path exposes (a database, a cache, a
secret, a DynamoDB table, or write access: sensitive) and how many distinct layers it lacks:

    lacks      sensitive asset   other asset
    1 layer    medium            low
    2 layers   high              medium
    3 or more  critical          high
"""
from __future__ import annotations

from functools import lru_cache

from iacguard.check import Check
from iacguard.core.lazy import lazy_module
from iacguard.core.model import Finding, PathStep, Undecided

# The analysis (and the graph behind it) is loaded when the check runs, not when it is listed.
_paths = lazy_module("iacguard.facts.attack_paths")
_layers = lazy_module("iacguard.facts.layers")

# Assets that are only ever public databases (the stores a hop reaches: NETWORK_STORES).
_PUBLIC_DATABASES = {
    "aws_neptune_cluster_instance": "Neptune instance", "AWS::Neptune::DBInstance": "Neptune instance",
    "aws_dms_replication_instance": "DMS replication instance", "AWS::DMS::ReplicationInstance": "DMS replication instance",
}


@lru_cache(maxsize=1)
def _sensitive_types() -> frozenset:
    return frozenset(_paths.NETWORK_STORES) | frozenset(_PUBLIC_DATABASES) | frozenset(
        t for t, (what, _) in _paths.STORE_ACTIONS.items() if what in ("secret", "DynamoDB table"))
_GRADES = {
    True: ("medium", "high", "critical"),  # sensitive asset: 1, 2, 3+ missing layers
    False: ("low", "medium", "high"),
}


def _what(asset) -> str:
    if asset.type in _paths.STORE_ACTIONS:
        return _paths.STORE_ACTIONS[asset.type][0]
    if asset.type in _paths.NETWORK_STORES:
        return _paths.NETWORK_STORES[asset.type][0]
    if asset.type in _PUBLIC_DATABASES:
        return _PUBLIC_DATABASES[asset.type]
    return "S3 bucket" if asset.type in ("aws_s3_bucket", "AWS::S3::Bucket") else asset.type


def grade(asset, access: str, missing_count: int) -> str:
    """The severity of a path that lacks `missing_count` (>= 1) distinct layers."""
    sensitive = asset.type in _sensitive_types() or "write" in access.split("/")
    return _GRADES[sensitive][min(missing_count, 3) - 1]


def _layers_text(missing: list) -> tuple:
    """(distinct layer names in path order, "layer (reason); ..." text)."""
    reasons: dict = {}
    for layer, reason, _ in missing:
        reasons.setdefault(layer, []).append(reason)
    parts = []
    for layer, why in reasons.items():
        more = " and %d more" % (len(why) - 1) if len(why) > 1 else ""
        parts.append("%s (%s%s)" % (layer, why[0], more))
    return list(reasons), "; ".join(parts)


def _steps(path, missing: list) -> tuple:
    """The path's hops as PathSteps, each with the layers missing at it (`hop_of_layer`)."""
    resources = [h.resource for h in path.hops]
    at: dict = {}
    for layer, _, location in missing:
        names = at.setdefault(_layers.hop_of_layer(layer, location, resources), [])
        if layer not in names:
            names.append(layer)
    return tuple(PathStep(h.resource, h.message, h.resource.location, tuple(at.get(i, ()))) for i, h in enumerate(path.hops))


def evaluate(facts):
    for path in facts.of_kind("attack_path"):
        entry = path.entry.resource
        hops = _layers.Hops.of([h.resource for h in path.hops], path.grant)
        missing, undecided_layers = _layers.missing_layers(facts, hops)
        target = "%s %s" % (_what(path.asset), path.asset.address)
        if path.decided is not True:
            if missing or undecided_layers:
                reason = getattr(path.decided, "reason", "") or "not known before deploy"
                yield Undecided(CHECK.id, entry, "the path to %s" % target, reason, path.entry.location or entry.location)
            continue
        if not missing:
            if undecided_layers:
                layer, unknown, location = undecided_layers[0]
                reason = getattr(unknown, "reason", "") or "not known before deploy"
                yield Undecided(CHECK.id, entry, "layer %s of the path to %s" % (layer, target), reason, location)
            continue
        names, text = _layers_text(missing)
        lacks = "%d layers" % len(names) if len(names) > 1 else "a layer"
        if path.access == "itself":  # a public database: the entry point is the asset
            message = "Internet path to %s, reachable from the internet itself, lacks %s: %s." % (target, lacks, text)
        else:
            message = "Internet path from %s to %s (%s) lacks %s: %s." % (entry.address, target, path.access, lacks, text)
        if undecided_layers:
            message = message[:-1] + "; undecided: %s." % ", ".join(dict.fromkeys(layer for layer, _, _ in undecided_layers))
        if path.capped:
            message = message[:-1] + " (one of the first %d paths from this entry point; the rest are not listed)." % _paths.MAX_PATHS
        yield Finding(CHECK.id, entry, message, entry.location, path=_steps(path, missing),
                      severity=grade(path.asset, path.access, len(names)))


CHECK = Check(
    id="AWS-PATH-001",
    title="Internet path to a data store lacks defense layers",
    severity="high",
    graded=True,
    pillar="infrastructure",
    cwe=("CWE-284",),
    # The paths, and what the layers read (iacguard.facts.layers).
    kinds=("attack_path", "entry_point", "load_balancer", "lb_listener", "waf_target", "cdn_distribution", "api_method",
           "api_route", "function_url", "network_acl_entry", "bucket", "database",
           "elasticache_replication_group", "search_domain"),
    evaluate=evaluate,
    # A path runs across resources of a whole root module or stack: a project-level question,
    # skipped with --no-whole-project-checks.
    scope="project",
    what="""Walks the resource graph from the internet to the data: from each entry point the
internet reaches (an internet-facing load balancer with a listener, an API Gateway stage that is
not private, a CloudFront distribution, an instance or auto scaling group with a public address
in a subnet routed to an internet gateway behind a security group open to the world, a Lambda
function URL, a publicly accessible database in a routed subnet), through the compute behind it
(listener, target group, targets; integration; origin), to the data stores that compute reaches:
through its role, where the IAM engine decides the role may read or write the store (S3 buckets,
DynamoDB tables, Secrets Manager secrets, SQS queues), or through a security group that admits
the compute's group on the store's port (RDS, ElastiCache, Redshift, OpenSearch). A public
database is itself the asset. Each path is reported when at least one of its defense layers is
missing: `waf` in front of the entry point, `tls` (plain HTTP without a redirect),
`authentication` (a function URL or API method anyone may call), `sg-restriction` (a security
group on the path open to the world on an admin or database port), `nacl` (a custom network ACL
on the path's subnet allowing such a port from the world), `network-segmentation` (compute or
store with a public address in a subnet routed to the internet), `least-privilege` (the grant is
wider than one resource or uses a service-wide wildcard) and `encryption-at-rest` (the asset).
The finding sits at the entry point; its path lists every hop in order (SARIF code flows). The
severity grows with what the path exposes and how many layers it lacks. Parts not known before
deploy never make a finding: they leave the path undecided.""",
    why="""Defense in depth means that one failing layer does not hand over the data: a WAF rule
that lets an injection through still meets authentication, a compromised instance still meets a
role that may read one bucket only, a leaked database endpoint still meets a security group.
A path from the internet to a data store that lacks some of these layers is where one mistake is
enough; listing the missing layers on the path tells the reviewer which one to add first.""",
    fix_terraform="""Add the missing layers named in the finding, for example a WAF web ACL on the
load balancer and a role that may read the one bucket it needs:

```hcl
resource "aws_wafv2_web_acl_association" "web" {
  resource_arn = aws_lb.web.arn
  web_acl_arn  = aws_wafv2_web_acl.main.arn
}

resource "aws_iam_role_policy" "read" {
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.media.arn}/*" }]
  })
}
```""",
    fix_cloudformation="""Add the missing layers named in the finding, for example a WAF web ACL on
the load balancer and a policy naming the one bucket the role needs:

```yaml
WebAclAssociation:
  Type: AWS::WAFv2::WebACLAssociation
  Properties:
    ResourceArn: !Ref Web
    WebACLArn: !GetAtt WebAcl.Arn
ReadMedia:
  Type: AWS::IAM::Policy
  Properties:
    PolicyName: read-media
    Roles: [!Ref AppRole]
    PolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: s3:GetObject
          Resource: !Sub "${Media.Arn}/*"
```""",
    references=(
        "https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/infrastructure-protection.html",
        "https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/sec_network_protection_layered.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    ),
)
