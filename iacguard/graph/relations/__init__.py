"""Typed relations between resources, drawn into the graph once per scan.

Each domain module has a `build(graph)` that adds relations with `graph.add_relation`, mostly
from table rows (`common.Link`: "this property of a resource of this type refers to a resource
of that type"; `common.Join`: "an association resource refers to both"); `BUILDERS` lists them
in the order they run (later builders may read what earlier ones drew). Everything goes through
references already in the graph (drawn per expanded instance, within one root), and
`add_relation` refuses a relation between roots. Ask with `graph.related(res, kind)` (targets),
`graph.related_from(res, kind)` (sources), `graph.reachable` and `graph.paths`.

Kinds, as source -> target:
  configures          S3 companion (encryption configuration, public access block, versioning,
                      logging, ...) -> bucket (by reference, or by literal bucket name in the same
                      module of the same root)
  resource_policy_of  bucket / queue / topic / repository / key / secret / domain policy, Lambda
                      permission -> the resource it governs
  rule_of             security group rule -> security group; listener rule -> listener
  uses_security_group instance / ENI / launch template / load balancer / database / cache /
                      function / ECS service / EKS cluster -> security group
  in_subnet           instance / ENI / NAT gateway / subnet group / load balancer / function /
                      ECS service / EKS cluster / auto scaling group -> subnet
  in_subnet_group     database / cache -> its subnet group
  in_vpc              subnet / security group / route table / gateway / target group -> VPC
  route_table_of      subnet -> route table (explicit association; in Terraform, else its VPC's
                      main table: the main-route-table association's, else the default table)
  routes_to           route table -> internet / NAT / egress-only gateway
  listener_of         listener -> load balancer
  forwards_to         listener / listener rule -> target group
  target_of           instance / function / auto scaling group / ECS service -> target group
  integration_of      API method / integration / stage -> Lambda function
  protects            WAF association (or the web ACL a distribution names) -> protected resource
  origin_of           CloudFront distribution -> origin bucket / load balancer
  attached_role       instance / launch template / function / task / node group / ... -> role
                      (through its instance profile, where there is one); instance profile -> role
  attached_policy     role / user / group -> managed policy of the scan, or inline policy resource
  member_of           user -> group
"""
from __future__ import annotations

from . import compute, edge, iam, network, storage

BUILDERS = (storage.build, network.build, compute.build, iam.build, edge.build)

KINDS = (
    "configures", "resource_policy_of", "rule_of", "uses_security_group", "in_subnet", "in_subnet_group",
    "in_vpc", "route_table_of", "routes_to", "listener_of", "forwards_to", "target_of", "integration_of",
    "protects", "origin_of", "attached_role", "attached_policy", "member_of",
)


# The kinds each builder draws: a builder reads only relations of its own kinds, so that one
# may be drawn without the others (`builders_of`).
DRAWS = {
    storage.build: ("configures", "resource_policy_of"),
    network.build: ("rule_of", "uses_security_group", "in_subnet", "in_subnet_group", "in_vpc", "route_table_of",
                    "routes_to", "listener_of", "forwards_to", "target_of"),
    compute.build: ("integration_of",),
    iam.build: ("attached_role", "attached_policy", "member_of"),
    edge.build: ("protects", "origin_of"),
}


def builders_of(kinds) -> tuple:
    """The builders drawing `kinds` (relation kinds, or steps `<kind`), in BUILDERS order; every
    builder for None or a kind no builder draws."""
    if kinds is None:
        return BUILDERS
    wanted = {k.lstrip("<") for k in kinds}
    if not wanted.issubset(KINDS):
        return BUILDERS
    return tuple(b for b in BUILDERS if wanted.intersection(DRAWS[b]))


def build(graph) -> None:
    """Draw every relation of the graph (called by the graph on the first question about them)."""
    for builder in BUILDERS:
        builder(graph)
