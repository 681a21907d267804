"""`iacguard graph`: the resource graph of a scan, drawn for people (Graphviz dot, Mermaid) or
read by programs (JSON).

    iacguard graph PATH... [--format dot|mermaid|json] [-o FILE] [--max-nodes N] [--exposure]

What is drawn: the graph `iacguard.engine.build_graph` builds (no check runs), one node per managed
resource, and the typed relations of `iacguard.graph.relations` as edges labelled with their kind
(`uses_security_group`, `in_subnet`, `attached_role`...). Plain references between resources are
not drawn (every relation stands on them, and the rest is noise); data sources and symbols
(variables, locals, outputs, module calls, parameters) are skipped.

Small enough to read for a real project:
- Grouping: nodes are grouped by root (a Terraform root module folder, a top-level template, a
  plan), and inside a root by Terraform module path or CloudFormation nested stack (dot
  `subgraph cluster_...`, Mermaid `subgraph`). A module's cluster is flat inside its root's:
  `module.a.module.b` is one cluster beside `module.a`.
- Plumbing is folded into what it serves, and each node says how many resources it folds ("+2
  folded"): security group rules into their group; S3 companions (encryption, versioning, public
  access block...) and bucket policies into their bucket; instance profiles into their role;
  policy attachments and group memberships into the principal they attach to; routes and route
  table associations into their route table; a VPC gateway attachment into its internet gateway;
  WAF web ACL associations and logging configurations into their web ACL (whose `protects`
  edges are then drawn from the web ACL). A load balancer's listeners, listener rules, target
  groups and target group attachments become one edge `forwards` from the load balancer to each
  target (instance, function, auto scaling group, ECS service); a target group no load balancer
  forwards to stays a node. API Gateway resources, methods, integrations, routes and deployments
  fold into their API, and their `integration_of` edges are drawn from the API (stages stay
  nodes: a WAF protects a stage). A folded resource's other relations are not drawn (they are the
  ones the folding replaces: `rule_of`, `configures`, `listener_of`...). Plumbing whose owner is
  not known (a rule whose group is a variable) stays a node of its own. Folding is linear: each
  plumbing type is indexed once (`graph.of_type`) and asks only its own relations.
- A size cap (`--max-nodes`, default 400): past it, the first nodes in order are kept, edges to
  the rest are dropped, and the output says so (a dot/Mermaid comment and a graph label, a JSON
  `note`; the same note on stderr).

Deterministic: nodes are ordered by (root, module, address, type, id) and numbered n1, n2...
in that order; clusters and edges are sorted. Names come from a tree an attacker may have written,
so every text drawn is redacted (secret values of the scan), made visible
(`iacguard.output.escape.visible`: no control, bidirectional or invisible character), then
escaped for its format: in dot, inside a double-quoted string, backslash and quote are escaped;
in Mermaid, inside a quoted label, every character outside a small safe set (letters, digits,
space, `._-/:,=+@`) becomes an entity code (`#34;`), so no quote, bracket, `#`, `%`, `|`, `<`
or newline can end a label or start a statement. Identifiers (n1, cluster_3) are our own. File
paths are shown relative to the working directory (`iacguard.core.paths.display_path`).

JSON: {"nodes": [{"id", "address", "type", "file", "line", "root", "module"}], "edges":
[{"source", "target", "kind"}]} (edge ends are node ids), plus "note" when the cap was hit.

`--exposure` draws the exposure overlay instead (issue 14): a virtual `internet` node; every
entry point (facts kind "entry_point") with an edge from the internet labelled with its ports
("tcp 443"); every attack path (kind "attack_path") as the chain of its nodes from the entry point
to the asset. The nodes of a chain are the entry point, the asset, and the compute, roles and load
balancers between them (`PATH_NODES`); the other hops are plumbing and become the label of the
edge they lie on, as the plain graph folds them ("aws_lb_listener.https, aws_lb_target_group.app";
the last edge says the access: "read via aws_iam_role_policy.read", "network via
aws_security_group.db"). Only entry points and resources on a path appear, grouped by root and
module as above; `--max-nodes` applies the same way. The layers of each path come from
`iacguard.facts.layers.missing_layers(facts, Hops.of(resources of the hops, path.grant))` (the
grant is read with `getattr`: the AttackPath of this branch does not carry it yet, so
`least-privilege` is not judged until it does). A missing or undecided layer is drawn at the node
whose block (or whose folded plumbing's block) holds the deciding setting, else by its role (waf,
tls, authentication at the entry point, encryption at the asset, least privilege at the role):
"missing: waf" (red border); the entry point and asset of a path that lacks a layer are filled
red ("at risk"), an asset saying every layer missing on the paths to it ("path lacks: waf, tls").
What is not known is dashed, never red: an undecided entry point (its node, and its internet
edge, whose label gives the reason) and an undecided path (its edges; the last one gives the
reason). A layer function that fails is a warning on stderr and leaves that path's layers
undecided; an analysis that fails is an error (exit 1), never a traceback.

Exposure JSON: {"internet": {"id"}, "nodes": [{"id", "address", "type", "file", "line", "root",
"module", "entry_point", "at_risk", "missing", "path_lacks", "undecided"}], "edges": [{"source",
"target", "label", "decided"}] (source may be "internet"), "entry_points": [{"node", "address",
"type", "entry", "ports", "decided", "reason", "file", "line"}], "paths": [{"entry", "asset",
"access", "decided", "reason" (when undecided), "capped" (when the entry point has more paths
than kept), "hops": [{"address", "type", "file", "line", "message", "node"}], "missing":
[{"layer", "reason", "file", "line"}], "undecided": [{"layer", "reason", "file", "line"}]}],
plus "note" when cut. `node` is the id of the node a hop or entry point is drawn as, null for
plumbing and for nodes past the cap; paths are all listed even when the graph is cut. Messages
and reasons name resources and settings, never values (and pass the redactor all the same).

Exit 0 with a graph; 2 on a usage error (a path that does not exist, a file that cannot be
written). Errors and warnings of the scan (a file that failed to parse) go to stderr.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass

import click

from iacguard.core.model import Notification

FORMATS = ("dot", "mermaid", "json")
MAX_NODES = 400

# -- what is plumbing -------------------------------------------------------------------------
SG_RULES = (
    "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule",
    "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress",
)
BUCKET_POLICIES = ("aws_s3_bucket_policy", "AWS::S3::BucketPolicy")
INSTANCE_PROFILES = ("aws_iam_instance_profile", "AWS::IAM::InstanceProfile")
LOAD_BALANCERS = ("aws_lb", "aws_alb", "AWS::ElasticLoadBalancingV2::LoadBalancer")
LISTENERS = ("aws_lb_listener", "aws_alb_listener", "AWS::ElasticLoadBalancingV2::Listener")
LISTENER_RULES = ("aws_lb_listener_rule", "aws_alb_listener_rule", "AWS::ElasticLoadBalancingV2::ListenerRule")
TARGET_GROUPS = ("aws_lb_target_group", "aws_alb_target_group", "AWS::ElasticLoadBalancingV2::TargetGroup")
TARGET_ATTACHMENTS = ("aws_lb_target_group_attachment", "aws_alb_target_group_attachment", "aws_autoscaling_attachment")
PRINCIPALS = ("aws_iam_role", "aws_iam_user", "aws_iam_group", "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
# Association resources folded into the resource they name first of these types.
JOINS = (
    (("aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment",
      "aws_iam_policy_attachment"), PRINCIPALS),
    (("aws_iam_group_membership", "AWS::IAM::UserToGroupAddition"), ("aws_iam_group", "AWS::IAM::Group")),
    (("aws_iam_user_group_membership",), ("aws_iam_user",)),
    (("aws_route", "aws_route_table_association", "AWS::EC2::Route", "AWS::EC2::SubnetRouteTableAssociation"),
     ("aws_route_table", "aws_default_route_table", "AWS::EC2::RouteTable")),
    (TARGET_ATTACHMENTS, TARGET_GROUPS),
    (("AWS::EC2::VPCGatewayAttachment",), ("AWS::EC2::InternetGateway",)),
    (("aws_wafv2_web_acl_association", "aws_wafregional_web_acl_association", "aws_wafv2_web_acl_logging_configuration",
      "AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation", "AWS::WAFv2::LoggingConfiguration"),
     ("aws_wafv2_web_acl", "aws_wafregional_web_acl", "AWS::WAFv2::WebACL", "AWS::WAFRegional::WebACL")),
)
# API Gateway parts folded into their API (through the property naming it); stages stay nodes
# (a stage is what a WAF protects and what is deployed), with their own `integration_of` edges.
API = ("aws_api_gateway_rest_api", "aws_apigatewayv2_api", "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api",
       "AWS::Serverless::Api", "AWS::Serverless::HttpApi")
API_PARTS = (
    (("aws_api_gateway_resource", "aws_api_gateway_method", "aws_api_gateway_integration", "aws_api_gateway_deployment",
      "aws_api_gateway_method_response", "aws_api_gateway_integration_response"), ("rest_api_id",)),
    (("aws_apigatewayv2_route", "aws_apigatewayv2_integration", "aws_apigatewayv2_deployment"), ("api_id",)),
    (("AWS::ApiGateway::Resource", "AWS::ApiGateway::Method", "AWS::ApiGateway::Deployment"), ("RestApiId",)),
    (("AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Deployment"), ("ApiId",)),
)
FORWARDS = "forwards"
# Relations of a folded resource drawn from (or to) what it folds into; its other relations are
# the ones folding replaces (rule_of, configures, listener_of...) and are not drawn.
REATTRIBUTED = ("integration_of", "protects")


@dataclass
class Node:
    key: str  # the resource id (unique in the scan)
    address: str
    type: str
    file: str
    line: int
    root: str
    module: str
    folded: int = 0
    id: str = ""  # n1, n2... once ordered


@dataclass
class View:
    nodes: list  # [Node], ordered
    edges: list  # [(source id, target id, kind)], sorted
    note: str = ""


def build_view(graph, cwd: str, max_nodes: int = MAX_NODES, text=lambda s: s) -> View:
    """The drawable view of a ResourceGraph: plumbing folded, data sources skipped, ordered and
    capped. `text` is applied to every address, type, path and module (redaction)."""
    from iacguard.core.paths import display_path

    managed = {r.id: r for r in graph.resources if r.mode != "data"}
    owner: dict = {}  # folded resource id -> the resource id it folds into

    def fold(res, into) -> None:
        for other in into:
            if other.id in managed and other.id != res.id:
                owner[res.id] = other.id
                return

    for res in graph.of_type(*SG_RULES):
        fold(res, graph.related(res, "rule_of"))
    for res in graph.of_type(*BUCKET_POLICIES):
        fold(res, graph.related(res, "resource_policy_of"))
    for res in graph.resources:
        if res.type.startswith("aws_s3_bucket_") and res.id not in owner:
            fold(res, graph.related(res, "configures"))
    for res in graph.of_type(*INSTANCE_PROFILES):
        fold(res, graph.related(res, "attached_role"))
    for types, into in JOINS:
        for res in graph.of_type(*types):
            fold(res, [other for other, _ in graph.referenced(res, types=into)])
    for types, at in API_PARTS:
        for res in graph.of_type(*types):
            fold(res, graph.referenced_at(res, tuple((a,) for a in at), API))

    # Load balancers: listener (and its rules) -> target group -> targets, as one edge.
    edges: set = set()
    for lb in graph.of_type(*LOAD_BALANCERS):
        if lb.id not in managed:
            continue
        for listener in graph.related_from(lb, "listener_of"):
            owner.setdefault(listener.id, lb.id)
            groups = list(graph.related(listener, "forwards_to"))
            for rule in graph.related_from(listener, "rule_of"):
                owner.setdefault(rule.id, lb.id)
                groups.extend(graph.related(rule, "forwards_to"))
            for group in groups:
                owner.setdefault(group.id, lb.id)
                for target in graph.related_from(group, "target_of"):
                    edges.add((lb.id, target.id, FORWARDS))

    def final(key: str) -> str | None:
        """The node a resource is drawn as: itself, or what it folds into (followed to the end)."""
        for _ in range(8):  # listener rule -> listener -> load balancer; attachment -> group -> lb
            nxt = owner.get(key)
            if nxt is None:
                return key if key in managed else None
            key = nxt
        return None

    counts: dict = {}
    for key in managed:
        end = final(key)
        if end is not None and end != key:
            counts[end] = counts.get(end, 0) + 1

    for src, kind, tgt in graph.relations():
        s, t = src.id, tgt.id
        if s not in managed or t not in managed:
            continue
        if s in owner or t in owner:
            if kind not in REATTRIBUTED:
                continue
            s, t = final(s), final(t)
            if s is None or t is None:
                continue
        edges.add((s, t, kind))

    nodes = []
    roots: dict = {}
    for key, res in managed.items():
        if key in owner and final(key) is not None:
            continue
        root = res.meta.get("root_module", "")
        if root not in roots:
            roots[root] = display_path(root, cwd) if root else ""
        loc = res.location
        nodes.append(Node(
            key=key, address=text(res.address), type=text(res.type),
            file=text(display_path(loc.path, cwd)) if loc is not None and loc.path else "",
            line=loc.start_line if loc is not None else 0,
            root=text(roots[root]), module=text(res.module or ""), folded=counts.get(key, 0),
        ))
    nodes.sort(key=lambda n: (n.root, n.module, n.address, n.type, n.key))
    note = ""
    if max_nodes is not None and len(nodes) > max_nodes:
        note = "graph cut at %d of %d nodes (--max-nodes); edges to the others are not drawn" % (max_nodes, len(nodes))
        nodes = nodes[:max_nodes]
    ids = {}
    for i, n in enumerate(nodes, 1):
        n.id = "n%d" % i
        ids[n.key] = n.id
    drawn = sorted({(ids[s], ids[t], k) for s, t, k in edges if s in ids and t in ids and s != t},
                   key=lambda e: (int(e[0][1:]), int(e[1][1:]), e[2]))
    return View(nodes, drawn, note)


# -- escaping -----------------------------------------------------------------------------------
_MERMAID_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-/:,=+@")


def dot_string(s: str) -> str:
    """A dot double-quoted string holding `s` as it reads: no character of `s` ends it."""
    from iacguard.output.escape import visible

    return '"' + visible(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def mermaid_text(s: str) -> str:
    """`s` for a Mermaid quoted label: every character outside a small safe set as an entity."""
    from iacguard.output.escape import visible

    return "".join(c if c in _MERMAID_SAFE else "#%d;" % ord(c) for c in visible(s))


def _label_lines(n: Node) -> list:
    lines = [n.address]
    if n.type + "." not in n.address:
        lines.append(n.type)  # a CloudFormation logical id says nothing of its type
    if n.folded:
        lines.append("+%d folded" % n.folded)
    return lines


def _dot_clusters(nodes, attrs) -> list:
    """dot lines for the nodes grouped by root (a cluster) and module or stack (a cluster inside),
    each node written `id attrs(node);`."""
    out = []
    for i, (root, own, modules) in enumerate(_clusters(nodes)):
        out.append("  subgraph cluster_%d {" % i)
        out.append("    label=%s;" % dot_string(_root_label(root)))
        for n in own:
            out.append("    %s %s;" % (n.id, attrs(n)))
        for j, (module, members) in enumerate(modules):
            out.append("    subgraph cluster_%d_%d {" % (i, j))
            out.append("      label=%s;" % dot_string(module))
            for n in members:
                out.append("      %s %s;" % (n.id, attrs(n)))
            out.append("    }")
        out.append("  }")
    return out


def _clusters(nodes: list) -> list:
    """[(root, [nodes of the root itself], [(module, [nodes])])], in node order."""
    out: list = []
    for n in nodes:
        if not out or out[-1][0] != n.root:
            out.append((n.root, [], []))
        _, own, modules = out[-1]
        if not n.module:
            own.append(n)
        elif modules and modules[-1][0] == n.module:
            modules[-1][1].append(n)
        else:
            modules.append((n.module, [n]))
    return out


def _root_label(root: str) -> str:
    return root or "(no root)"


def _dot_label(n: Node) -> str:
    """The node's label lines in one dot string, joined by dot's own line break escape."""
    return '"' + "\\n".join(dot_string(x)[1:-1] for x in _label_lines(n)) + '"'


def render_dot(view: View) -> str:
    out = ["digraph iacguard {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=9];']
    if view.note:
        out.append("  // " + view.note)
        out.append("  label=%s;" % dot_string(view.note))
    out.extend(_dot_clusters(view.nodes, lambda n: "[label=%s]" % _dot_label(n)))
    for s, t, kind in view.edges:
        out.append("  %s -> %s [label=%s];" % (s, t, dot_string(kind)))
    out.append("}")
    return "\n".join(out) + "\n"


def render_mermaid(view: View) -> str:
    out = ["flowchart LR"]
    if view.note:
        out.append("  %% " + mermaid_text(view.note))
    for i, (root, own, modules) in enumerate(_clusters(view.nodes)):
        out.append('  subgraph r%d["%s"]' % (i, mermaid_text(_root_label(root))))
        for n in own:
            out.append('    %s["%s"]' % (n.id, "<br/>".join(mermaid_text(x) for x in _label_lines(n))))
        for j, (module, members) in enumerate(modules):
            out.append('    subgraph r%dm%d["%s"]' % (i, j, mermaid_text(module)))
            for n in members:
                out.append('      %s["%s"]' % (n.id, "<br/>".join(mermaid_text(x) for x in _label_lines(n))))
            out.append("    end")
        out.append("  end")
    if view.note:
        out.append('  capnote["%s"]' % mermaid_text(view.note))
    for s, t, kind in view.edges:
        out.append("  %s -->|%s| %s" % (s, mermaid_text(kind), t))
    return "\n".join(out) + "\n"


def render_json(view: View) -> str:
    doc = {
        "nodes": [{"id": n.id, "address": n.address, "type": n.type, "file": n.file, "line": n.line,
                   "root": n.root, "module": n.module} for n in view.nodes],
        "edges": [{"source": s, "target": t, "kind": k} for s, t, k in view.edges],
    }
    if view.note:
        doc["note"] = view.note
    return json.dumps(doc, indent=2) + "\n"


RENDER = {"dot": render_dot, "mermaid": render_mermaid, "json": render_json}


# -- the exposure overlay (--exposure) ----------------------------------------------------------
INTERNET_ID = "internet"
# Hops drawn as nodes besides the entry point (first) and the asset (last): compute, roles, load
# balancers (a CloudFront origin). Every other hop (listener, listener rule, target group, policy,
# security group or rule, launch template, task definition) is plumbing: it becomes the label of
# the edge between the nodes around it, as the plain graph folds it.
PATH_NODES = (
    "aws_instance", "AWS::EC2::Instance", "aws_lambda_function", "AWS::Lambda::Function", "AWS::Serverless::Function",
    "aws_autoscaling_group", "AWS::AutoScaling::AutoScalingGroup", "aws_ecs_service", "AWS::ECS::Service",
    "aws_iam_role", "AWS::IAM::Role", "aws_elb", "AWS::ElasticLoadBalancing::LoadBalancer",
) + LOAD_BALANCERS


@dataclass
class XNode(Node):
    marks_missing: tuple = ()  # layer names missing at this node on some path (see _layer_node)
    marks_undecided: tuple = ()  # layer names undecided at this node on some path
    at_risk: bool = False  # the entry point or asset of a path that misses a layer
    path_lacks: tuple = ()  # an asset: the layers missing on the paths to it, wherever they are
    entry: str = ""  # "tcp 443, tcp 80" when the node is an entry point
    entry_decided: bool = True


@dataclass
class ExposureView:
    nodes: list  # [XNode], ordered
    edges: list  # [(source id, target id, label, decided: bool)], sorted; source may be INTERNET_ID
    entry_points: list  # JSON-ready dicts
    paths: list  # JSON-ready dicts
    note: str = ""


def _unknown_reason(value) -> str:
    return getattr(value, "reason", "") or "not known before deploy"


def build_exposure_view(graph, cwd: str, max_nodes: int = MAX_NODES, text=lambda s: s, warn=lambda s: None) -> ExposureView:
    """The exposure overlay: the internet, every entry point (kind "entry_point") with its ports,
    every attack path (kind "attack_path") as the chain of its non-plumbing hops, and the layers
    each path misses (`layers.missing_layers`). Only resources that are an entry point or on a
    path appear. `text` is applied to every string taken from the scan (redaction)."""
    from iacguard.core.paths import display_path
    from iacguard.facts import Facts
    from iacguard.facts.layers import Hops, missing_layers

    facts = Facts(graph)
    entries = facts.of_kind("entry_point")
    paths = facts.of_kind("attack_path")
    roots: dict = {}
    resources: dict = {}  # id -> Resource, of the nodes
    missing_of: dict = {}  # node id -> {layer: None}, the layers missing at that node
    undecided_of: dict = {}
    at_risk: set = set()  # entry points and assets of a path that misses a layer
    lacks_of: dict = {}  # asset id -> {layer: None}, every layer missing on a path to it

    def where(loc) -> tuple:
        if loc is None:
            return "", 0
        return (text(display_path(loc.path, cwd)) if loc.path else ""), (loc.start_line or 0)

    def node(res) -> None:
        resources.setdefault(res.id, res)

    for e in entries:
        node(e.resource)
    drawn_paths: list = []  # (path, [node resources in order], [labels between], missing, undecided)
    for path in paths:
        hops = list(path.hops)
        if not hops:
            continue
        try:
            missing, undecided = missing_layers(facts, Hops.of([h.resource for h in hops], getattr(path, "grant", None)))
        except Exception as exc:  # a bug in a layer: say so, draw the path with its layers undecided
            warn("the layers of the path from %s to %s could not be decided: %s" % (
                text(path.entry.resource.address), text(path.asset.address), type(exc).__name__))
            from iacguard.core.unknown import Unknown

            missing, undecided = [], [("(all layers)", Unknown("the layers could not be decided (internal error: %s)" % type(exc).__name__), None)]
        chain = [hops[0].resource]
        labels: list = []
        plumbing: list = []
        drawn_as: list = [(hops[0].resource, hops[0].resource)]  # (hop resource, the node it is drawn in)
        last = len(hops) - 1
        for i, hop in enumerate(hops[1:], 1):
            if i == last or hop.resource.type in PATH_NODES:
                if hop.resource.id == chain[-1].id:
                    continue
                chain.append(hop.resource)
                labels.append(plumbing)
                plumbing = []
                drawn_as.append((hop.resource, hop.resource))
            else:
                plumbing.append(hop.resource.address)
                # plumbing belongs to the node it leads from, except what guards the asset (its
                # security group, a rule admitting the compute) which belongs to the asset
                drawn_as.append((hop.resource, hops[-1].resource if i == last - 1 and path.access == "network" else chain[-1]))
        for res in chain:
            node(res)
        for layer, _, loc in missing:
            missing_of.setdefault(_layer_node(layer, loc, chain, drawn_as).id, {})[layer] = None
        for layer, _, loc in undecided:
            undecided_of.setdefault(_layer_node(layer, loc, chain, drawn_as).id, {})[layer] = None
        if missing:
            at_risk.add(chain[0].id)
            at_risk.add(chain[-1].id)
            for layer, _, _ in missing:
                lacks_of.setdefault(chain[-1].id, {})[layer] = None
        drawn_paths.append((path, chain, labels, missing, undecided))

    entry_of = {e.resource.id: e for e in entries}
    nodes = []
    for key, res in resources.items():
        root = res.meta.get("root_module", "")
        if root not in roots:
            roots[root] = display_path(root, cwd) if root else ""
        file, line = where(res.location)
        e = entry_of.get(key)
        nodes.append(XNode(
            key=key, address=text(res.address), type=text(res.type), file=file, line=line,
            root=text(roots[root]), module=text(res.module or ""),
            marks_missing=tuple(missing_of.get(key, ())), marks_undecided=tuple(undecided_of.get(key, ())),
            at_risk=key in at_risk, path_lacks=tuple(lacks_of.get(key, ())),
            entry=text(_ports(e)) if e is not None else "", entry_decided=e is None or e.decided is True,
        ))
    nodes.sort(key=lambda n: (n.root, n.module, n.address, n.type, n.key))
    note = ""
    if max_nodes is not None and len(nodes) > max_nodes:
        note = "graph cut at %d of %d nodes (--max-nodes); edges to the others are not drawn" % (max_nodes, len(nodes))
        nodes = nodes[:max_nodes]
    ids: dict = {}
    for i, n in enumerate(nodes, 1):
        n.id = "n%d" % i
        ids[n.key] = n.id

    edges: dict = {}  # (source, target, label) -> decided (an edge is decided when one path over it is)
    entry_docs = []
    for e in entries:
        decided = e.decided is True
        label = _ports(e) if decided else "%s (undecided: %s)" % (_ports(e), _unknown_reason(e.decided))
        nid = ids.get(e.resource.id)
        if nid is not None:
            key = (INTERNET_ID, nid, text(label))
            edges[key] = edges.get(key, False) or decided
        file, line = where(e.location or e.resource.location)
        doc = {"node": nid, "address": text(e.resource.address), "type": text(e.resource.type), "entry": e.entry,
               "ports": [text(p) for p in dict.fromkeys(str(p) for p in e.ports)], "decided": decided, "reason": text(e.reason),
               "file": file, "line": line}
        entry_docs.append(doc)

    path_docs = []
    for path, chain, labels, missing, undecided in drawn_paths:
        decided = path.decided is True
        for i, (a, b) in enumerate(zip(chain, chain[1:])):
            words = ", ".join(labels[i])
            if b is chain[-1]:
                verb = path.access if decided else "may %s" % path.access
                words = "%s via %s" % (verb, words) if words else verb
                if not decided:
                    words += " (undecided: %s)" % _unknown_reason(path.decided)
            sa, sb = ids.get(a.id), ids.get(b.id)
            if sa is not None and sb is not None:
                key = (sa, sb, text(words))
                edges[key] = edges.get(key, False) or decided

        def layer_doc(layer, reason, loc):
            file, line = where(loc)
            return {"layer": layer, "reason": text(reason), "file": file, "line": line}

        doc = {
            "entry": text(path.entry.resource.address),
            "asset": text(path.asset.address),
            "access": path.access,
            "decided": decided,
            "hops": [dict(zip(("address", "type", "file", "line", "message", "node"),
                              (text(h.resource.address), text(h.resource.type)) + where(h.resource.location)
                              + (text(h.message), ids.get(h.resource.id)))) for h in path.hops],
            "missing": [layer_doc(layer, reason, loc) for layer, reason, loc in missing],
            "undecided": [layer_doc(layer, _unknown_reason(u), loc) for layer, u, loc in undecided],
        }
        if not decided:
            doc["reason"] = text(_unknown_reason(path.decided))
        if getattr(path, "capped", False):
            doc["capped"] = True
        path_docs.append(doc)

    def order(e):
        s, t, label = e[0]
        return (0 if s == INTERNET_ID else int(s[1:]), int(t[1:]), label)

    drawn = [(s, t, label, decided) for (s, t, label), decided in sorted(edges.items(), key=order)]
    return ExposureView(nodes, drawn, entry_docs, path_docs, note)


def _layer_node(layer: str, loc, chain: list, drawn_as: list):
    """The node of a path a missing or undecided layer is drawn at: the node holding the hop the
    layer belongs to (`layers.hop_of_layer`: the hop whose block, or whose folded plumbing's
    block, holds the deciding setting; else by the layer's role)."""
    from iacguard.facts.layers import hop_of_layer

    return drawn_as[hop_of_layer(layer, loc, [res for res, _ in drawn_as])][1]


def _ports(entry) -> str:
    return ", ".join(dict.fromkeys(str(p) for p in entry.ports)) or "?"


def _xlabel_lines(n: XNode) -> list:
    lines = _label_lines(n)
    if n.entry:
        lines.append("entry point: %s" % n.entry)
    if n.marks_missing:
        lines.append("missing: %s" % ", ".join(n.marks_missing))
    if n.path_lacks:
        lines.append("path lacks: %s" % ", ".join(n.path_lacks))
    if n.marks_undecided:
        lines.append("undecided: %s" % ", ".join(n.marks_undecided))
    return lines


def _dot_attrs(n: XNode) -> str:
    label = '"' + "\\n".join(dot_string(x)[1:-1] for x in _xlabel_lines(n)) + '"'
    styles = []
    extra = ""
    if n.at_risk:
        styles.append("filled")
        extra = ', color="#cc0000", fillcolor="#ffdddd"'
    elif n.marks_missing:
        extra = ', color="#cc0000"'
    elif n.marks_undecided:
        extra = ', color="#cc7a00"'
    if not n.entry_decided:
        styles.append("dashed")
    if styles:
        extra += ', style="%s"' % ",".join(styles)
    return "[label=%s%s]" % (label, extra)


def render_exposure_dot(view: ExposureView) -> str:
    out = ["digraph iacguard_exposure {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=9];']
    if view.note:
        out.append("  // " + view.note)
        out.append("  label=%s;" % dot_string(view.note))
    out.append('  %s [label="internet", shape=doublecircle];' % INTERNET_ID)
    out.extend(_dot_clusters(view.nodes, _dot_attrs))
    for s, t, label, decided in view.edges:
        out.append("  %s -> %s [label=%s%s];" % (s, t, dot_string(label), "" if decided else ", style=dashed"))
    out.append("}")
    return "\n".join(out) + "\n"


def render_exposure_mermaid(view: ExposureView) -> str:
    out = ["flowchart LR"]
    if view.note:
        out.append("  %% " + mermaid_text(view.note))
    out.append('  %s(("internet"))' % INTERNET_ID)
    classes: dict = {"atRisk": [], "missing": [], "undecided": [], "undecidedEntry": []}

    def line(n: XNode, indent: str) -> str:
        if n.at_risk:
            classes["atRisk"].append(n.id)
        elif n.marks_missing:
            classes["missing"].append(n.id)
        elif n.marks_undecided:
            classes["undecided"].append(n.id)
        if not n.entry_decided:
            classes["undecidedEntry"].append(n.id)
        return '%s%s["%s"]' % (indent, n.id, "<br/>".join(mermaid_text(x) for x in _xlabel_lines(n)))

    for i, (root, own, modules) in enumerate(_clusters(view.nodes)):
        out.append('  subgraph r%d["%s"]' % (i, mermaid_text(_root_label(root))))
        for n in own:
            out.append(line(n, "    "))
        for j, (module, members) in enumerate(modules):
            out.append('    subgraph r%dm%d["%s"]' % (i, j, mermaid_text(module)))
            for n in members:
                out.append(line(n, "      "))
            out.append("    end")
        out.append("  end")
    if view.note:
        out.append('  capnote["%s"]' % mermaid_text(view.note))
    for s, t, label, decided in view.edges:
        arrow = "-->" if decided else "-.->"
        out.append("  %s %s|%s| %s" % (s, arrow, mermaid_text(label), t) if label else "  %s %s %s" % (s, arrow, t))
    out.append("  classDef atRisk fill:#fdd,stroke:#c00,color:#000")
    out.append("  classDef missing stroke:#c00")
    out.append("  classDef undecided stroke:#c70")
    out.append("  classDef undecidedEntry stroke-dasharray:5 5")
    for name, members in classes.items():
        if members:
            out.append("  class %s %s" % (",".join(members), name))
    return "\n".join(out) + "\n"


def render_exposure_json(view: ExposureView) -> str:
    doc = {
        "internet": {"id": INTERNET_ID},
        "nodes": [{"id": n.id, "address": n.address, "type": n.type, "file": n.file, "line": n.line,
                   "root": n.root, "module": n.module, "entry_point": bool(n.entry), "at_risk": n.at_risk,
                   "missing": list(n.marks_missing), "path_lacks": list(n.path_lacks),
                   "undecided": list(n.marks_undecided)} for n in view.nodes],
        "edges": [{"source": s, "target": t, "label": label, "decided": decided} for s, t, label, decided in view.edges],
        "entry_points": view.entry_points,
        "paths": view.paths,
    }
    if view.note:
        doc["note"] = view.note
    return json.dumps(doc, indent=2) + "\n"


RENDER_EXPOSURE = {"dot": render_exposure_dot, "mermaid": render_exposure_mermaid, "json": render_exposure_json}


def _notes(analysis) -> None:
    """Errors and warnings of the scan, on stderr: a graph may miss what a failed file holds."""
    from iacguard.output.escape import visible

    for n in analysis.notifications:
        if isinstance(n, Notification) and n.level in ("error", "warning"):
            where = "%s:%s: " % (n.path, n.line) if n.path and n.line else ("%s: " % n.path if n.path else "")
            click.echo("iacguard: %s: %s" % (n.level, visible(where + n.message)), err=True)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="dot", show_default=True,
              help="dot (Graphviz), mermaid (Markdown-friendly) or json.")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False), help="Write the graph to FILE instead of stdout.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=MAX_NODES, show_default=True,
              help="Draw at most this many nodes (the output says when the graph was cut).")
@click.option("--exposure", is_flag=True,
              help="Draw the exposure overlay instead: the internet, the entry points with their ports, "
                   "the attack paths to data stores (plumbing as edge labels) and the defense layers each "
                   "path misses (red) or leaves undecided; dashed: undecided. JSON: internet, nodes, edges, "
                   "entry_points, paths (hops, asset, access, decided, missing, undecided).")
def graph(paths, fmt, output, max_nodes, exposure):
    """Draw the resource graph under PATHS: resources grouped by root and module or stack, the
    typed relations as labelled edges, plumbing folded."""
    from iacguard.core.limits import Limits
    from iacguard.engine import build_graph
    from iacguard.post.redact import Redactor

    for p in paths:
        if not os.path.exists(p):
            raise click.UsageError("%s does not exist" % p)
    analysis = build_graph(list(paths), limits=Limits())
    redactor = Redactor(analysis.secrets or ())
    redact = lambda s: redactor.text("" if s is None else str(s))  # noqa: E731
    _notes(analysis)
    if exposure:
        from iacguard.output.escape import visible

        try:
            view = build_exposure_view(analysis.graph, os.getcwd(), max_nodes, text=redact,
                                       warn=lambda m: click.echo("iacguard: warning: %s" % visible(m), err=True))
        except Exception as exc:  # a bug of the analysis: say so, never a traceback
            click.echo("iacguard: error: the exposure analysis failed (internal error: %s)" % type(exc).__name__, err=True)
            sys.exit(1)
        text = RENDER_EXPOSURE[fmt](view)
    else:
        view = build_view(analysis.graph, os.getcwd(), max_nodes, text=redact)
        text = RENDER[fmt](view)
    if view.note:
        click.echo("iacguard: note: %s" % view.note, err=True)
    if output:
        from iacguard.atomic import write_text

        try:
            write_text(output, text, (os.getcwd(), *(os.path.abspath(p) for p in paths)))
        except OSError as exc:
            click.echo("iacguard: error: cannot write %s: %s" % (output, exc.strerror or exc), err=True)
            sys.exit(2)
    else:
        click.echo(text, nl=False)
    sys.exit(0)
