"""Issue 11: typed relations on the graph, drawn once per scan by the builders of
`iacguard.graph.relations`, asked through `graph.related` / `related_from` / `reachable` / `paths`.

The fixtures under `fixtures/relations/` (one Terraform configuration, one CloudFormation
template) hold every kind; each test names the exact (source, kind, target) addresses."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from iacguard.graph import relations
from iacguard.cloudformation import evaluate_templates, parse_template
from iacguard.graph import ResourceGraph
from iacguard.core.model import ScanOptions
from iacguard.terraform import parse_file
from iacguard.terraform.evaluate import evaluate_configuration

FIXTURES = Path(__file__).parent / "fixtures" / "relations"


def _terraform(folder: Path):
    files = {}
    for path in sorted(folder.rglob("*.tf")):
        real = os.path.realpath(path)
        files[real] = parse_file(path.read_text(), real)
    result = evaluate_configuration(files, os.path.realpath(folder), ScanOptions())
    assert result.notifications == []
    return result


def _cloudformation(*paths: Path):
    templates = {os.path.realpath(p): parse_template(os.path.realpath(p), p.read_text()) for p in paths}
    result = evaluate_templates(templates, os.path.commonpath([os.path.realpath(p.parent) for p in paths]), ScanOptions())
    assert result.notifications == []
    return result


def _triples(graph: ResourceGraph, kind: str | None = None) -> set:
    return {(s.address, k, t.address) for s, k, t in graph.relations(kind)}


def _get(graph: ResourceGraph, address: str):
    return next(r for r in graph.resources if r.address == address)


def _addresses(resources) -> list:
    return [r.address for r in resources]


TERRAFORM = {
    ("aws_api_gateway_integration.get", "integration_of", "aws_lambda_function.fn"),
    ("aws_api_gateway_method.get", "integration_of", "aws_lambda_function.fn"),
    ("aws_api_gateway_stage.prod", "integration_of", "aws_lambda_function.fn"),
    ("aws_cloudfront_distribution.cdn", "origin_of", "aws_lb.lb"),
    ("aws_cloudfront_distribution.cdn", "origin_of", "aws_s3_bucket.site"),
    ("aws_db_instance.db", "in_subnet_group", "aws_db_subnet_group.db"),
    ("aws_db_instance.db", "uses_security_group", "aws_security_group.web"),
    ("aws_db_subnet_group.db", "in_subnet", "aws_subnet.a"),
    ("aws_db_subnet_group.db", "in_subnet", "aws_subnet.b"),
    ("aws_default_route_table.main", "routes_to", "aws_nat_gateway.n"),
    ("aws_iam_group.g", "attached_policy", "aws_iam_policy.read"),
    ("aws_iam_instance_profile.app", "attached_role", "aws_iam_role.app"),
    ("aws_iam_role.app", "attached_policy", "aws_iam_policy.read"),
    ("aws_iam_role.app", "attached_policy", "aws_iam_role_policy.inline"),
    ("aws_iam_role.fn", "attached_policy", "aws_iam_policy.read"),
    ("aws_iam_user.u", "member_of", "aws_iam_group.g"),
    ("aws_instance.app[0]", "attached_role", "aws_iam_role.app"),
    ("aws_instance.app[0]", "in_subnet", "aws_subnet.b"),
    ("aws_instance.app[0]", "uses_security_group", "aws_security_group.web"),
    ("aws_instance.app[1]", "attached_role", "aws_iam_role.app"),
    ("aws_instance.app[1]", "in_subnet", "aws_subnet.b"),
    ("aws_instance.app[1]", "target_of", "aws_lb_target_group.app"),  # app[0] is not attached
    ("aws_instance.app[1]", "uses_security_group", "aws_security_group.web"),
    ("aws_internet_gateway.igw", "in_vpc", "aws_vpc.v"),
    ("aws_lambda_function.fn", "attached_role", "aws_iam_role.fn"),
    ("aws_lambda_function.fn", "in_subnet", "aws_subnet.a"),
    ("aws_lambda_function.fn", "uses_security_group", "aws_security_group.web"),
    ("aws_lb.lb", "in_subnet", "aws_subnet.a"),
    ("aws_lb.lb", "uses_security_group", "aws_security_group.web"),
    ("aws_lb_listener.https", "forwards_to", "aws_lb_target_group.app"),
    ("aws_lb_listener.https", "listener_of", "aws_lb.lb"),
    ("aws_lb_listener_rule.api", "forwards_to", "aws_lb_target_group.fn"),
    ("aws_lb_listener_rule.api", "rule_of", "aws_lb_listener.https"),
    ("aws_lb_target_group.app", "in_vpc", "aws_vpc.v"),
    ("aws_nat_gateway.n", "in_subnet", "aws_subnet.a"),
    ("aws_network_interface.eni", "in_subnet", "aws_subnet.b"),
    ("aws_network_interface.eni", "uses_security_group", "aws_security_group.web"),
    ("aws_route_table.public", "in_vpc", "aws_vpc.v"),
    ("aws_route_table.public", "routes_to", "aws_internet_gateway.igw"),
    ("aws_s3_bucket_policy.site", "resource_policy_of", "aws_s3_bucket.site"),
    ("aws_s3_bucket_server_side_encryption_configuration.site", "configures", "aws_s3_bucket.site"),
    ("aws_s3_bucket_versioning.site", "configures", "aws_s3_bucket.site"),  # by literal name
    ("aws_security_group.web", "in_vpc", "aws_vpc.v"),
    ("aws_security_group_rule.https", "rule_of", "aws_security_group.web"),
    ("aws_sqs_queue_policy.q", "resource_policy_of", "aws_sqs_queue.q"),
    ("aws_subnet.a", "in_vpc", "aws_vpc.v"),
    ("aws_subnet.a", "route_table_of", "aws_route_table.public"),
    ("aws_subnet.b", "in_vpc", "aws_vpc.v"),
    ("aws_subnet.b", "route_table_of", "aws_default_route_table.main"),  # no association: main table
    ("aws_vpc_security_group_egress_rule.out", "rule_of", "aws_security_group.web"),
    ("aws_wafv2_web_acl.acl", "protects", "aws_cloudfront_distribution.cdn"),
    ("aws_wafv2_web_acl_association.lb", "protects", "aws_lb.lb"),
}

CLOUDFORMATION = {
    ("Acl", "protects", "Cdn"),
    ("AclAssoc", "protects", "Lb"),
    ("App", "attached_role", "AppRole"),
    ("App", "in_subnet", "Subnet"),
    ("App", "target_of", "Tg"),
    ("App", "uses_security_group", "Sg"),
    ("AppRole", "attached_policy", "Inline"),
    ("AppRole", "attached_policy", "Read"),
    ("Cdn", "origin_of", "Site"),
    ("Db", "in_subnet_group", "DbSubnets"),
    ("Db", "uses_security_group", "Sg"),
    ("DbSubnets", "in_subnet", "Subnet"),
    ("Fn", "attached_role", "FnRole"),
    ("Fn", "in_subnet", "Subnet"),
    ("Fn", "uses_security_group", "Sg"),
    ("Get", "integration_of", "Fn"),
    ("Group", "attached_policy", "Read"),
    ("Https", "rule_of", "Sg"),
    ("Igw", "in_vpc", "Vpc"),
    ("Lb", "in_subnet", "Subnet"),
    ("Lb", "uses_security_group", "Sg"),
    ("Listener", "forwards_to", "Tg"),
    ("Listener", "listener_of", "Lb"),
    ("Permission", "resource_policy_of", "Fn"),
    ("Prod", "integration_of", "Fn"),
    ("Profile", "attached_role", "AppRole"),
    ("Sg", "in_vpc", "Vpc"),
    ("SitePolicy", "resource_policy_of", "Site"),
    ("Subnet", "in_vpc", "Vpc"),
    ("Subnet", "route_table_of", "Table"),
    ("Table", "in_vpc", "Vpc"),
    ("Table", "routes_to", "Igw"),
    ("Tg", "in_vpc", "Vpc"),
    ("User", "member_of", "Group"),
}


def test_terraform_relations_are_exactly_these():
    assert _triples(ResourceGraph.build([_terraform(FIXTURES)])) == TERRAFORM


def test_cloudformation_relations_are_exactly_these():
    assert _triples(ResourceGraph.build([_cloudformation(FIXTURES / "template.yaml")])) == CLOUDFORMATION


def test_every_kind_is_drawn_in_both_languages():
    assert {k for _, k, _ in TERRAFORM} == set(relations.KINDS)
    # S3 companions are Terraform's own: a CloudFormation bucket carries its configuration.
    assert {k for _, k, _ in CLOUDFORMATION} == set(relations.KINDS) - {"configures"}


def test_related_and_related_from_and_paths():
    graph = ResourceGraph.build([_terraform(FIXTURES)])
    sg = _get(graph, "aws_security_group.web")
    assert _addresses(graph.related_from(sg, "rule_of")) == ["aws_security_group_rule.https", "aws_vpc_security_group_egress_rule.out"]
    assert _addresses(graph.related_from(sg, "uses_security_group", ("aws_instance",))) == ["aws_instance.app[0]", "aws_instance.app[1]"]
    app0 = _get(graph, "aws_instance.app[0]")
    assert _addresses(graph.related(app0, "attached_role")) == ["aws_iam_role.app"]
    # instance -> subnet -> route table -> gateway
    assert [tuple(_addresses(p)) for p in graph.paths(app0, ("in_subnet", "route_table_of", "routes_to"))] == [
        ("aws_instance.app[0]", "aws_subnet.b", "aws_default_route_table.main", "aws_nat_gateway.n")
    ]
    # compute -> role -> attached policies
    assert _addresses(graph.reachable(app0, ("attached_role", "attached_policy"))) == ["aws_iam_policy.read", "aws_iam_role.app", "aws_iam_role_policy.inline"]
    # load balancer <- listener -> target group <- target, against the arrows with "<"
    lb = _get(graph, "aws_lb.lb")
    assert [tuple(_addresses(p)) for p in graph.paths(lb, ("<listener_of", "forwards_to", "<target_of"))] == [
        ("aws_lb.lb", "aws_lb_listener.https", "aws_lb_target_group.app", "aws_instance.app[1]")
    ]
    assert graph.related(lb, "no_such_kind") == [] and graph.related_from(lb, "no_such_kind") == []


def test_relations_are_edges_of_the_graph_with_their_kind():
    graph = ResourceGraph.build([_terraform(FIXTURES)])
    rule = _get(graph, "aws_security_group_rule.https")
    graph.related(rule, "rule_of")
    kinds = {data["kind"] for _, dst, data in graph.g.out_edges(rule.id, data=True) if graph.resource(dst).address == "aws_security_group.web"}
    assert kinds == {"reference", "rule_of"}


def test_relations_through_modules(tmp_path):
    (tmp_path / "modules" / "net").mkdir(parents=True)
    (tmp_path / "modules" / "net" / "main.tf").write_text(
        """
variable "bucket_id" {}
resource "aws_security_group" "this" {}
resource "aws_s3_bucket_public_access_block" "this" { bucket = var.bucket_id }
output "sg_id" { value = aws_security_group.this.id }
"""
    )
    (tmp_path / "main.tf").write_text(
        """
resource "aws_s3_bucket" "b" { bucket = "b" }
module "net" {
  source    = "./modules/net"
  bucket_id = aws_s3_bucket.b.id
}
resource "aws_security_group_rule" "r" {
  type              = "ingress"
  security_group_id = module.net.sg_id
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
}
"""
    )
    graph = ResourceGraph.build([_terraform(tmp_path)])
    assert _triples(graph) == {
        ("module.net.aws_s3_bucket_public_access_block.this", "configures", "aws_s3_bucket.b"),
        ("aws_security_group_rule.r", "rule_of", "module.net.aws_security_group.this"),
    }


def test_relations_per_instance(tmp_path):
    (tmp_path / "main.tf").write_text(
        """
resource "aws_security_group" "sg" {
  for_each = toset(["a", "b"])
}
resource "aws_security_group_rule" "r" {
  type              = "ingress"
  security_group_id = aws_security_group.sg["b"].id
}
resource "aws_s3_bucket" "logs" { count = 3 }
resource "aws_s3_bucket_versioning" "v" {
  count  = 2
  bucket = aws_s3_bucket.logs[count.index].id
}
"""
    )
    graph = ResourceGraph.build([_terraform(tmp_path)])
    assert _triples(graph) == {
        ("aws_security_group_rule.r", "rule_of", 'aws_security_group.sg["b"]'),
        ("aws_s3_bucket_versioning.v[0]", "configures", "aws_s3_bucket.logs[0]"),
        ("aws_s3_bucket_versioning.v[1]", "configures", "aws_s3_bucket.logs[1]"),
    }


def test_relations_stay_within_their_root(tmp_path):
    for name, companion in (("one", 'resource "aws_s3_bucket_versioning" "v" { bucket = "same" }'), ("two", "")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text('resource "aws_s3_bucket" "b" { bucket = "same" }\n' + companion + "\n")
    graph = ResourceGraph.build([_terraform(tmp_path)])  # one scan, two root modules
    buckets = sorted(graph.of_type("aws_s3_bucket"), key=graph.root_of)
    assert [graph.root_of(b) for b in buckets] == [os.path.realpath(tmp_path / "one"), os.path.realpath(tmp_path / "two")]
    assert _addresses(graph.related_from(buckets[0], "configures")) == ["aws_s3_bucket_versioning.v"]
    assert graph.related_from(buckets[1], "configures") == []  # same name, another root
    # Nor may a builder join two roots.
    versioning = graph.of_type("aws_s3_bucket_versioning")[0]
    graph.add_relation(versioning, buckets[1], "configures")
    assert graph.related_from(buckets[1], "configures") == []


def test_cloudformation_templates_are_separate_roots(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        shutil.copy(FIXTURES / "template.yaml", tmp_path / name / "template.yaml")
    graph = ResourceGraph.build([_cloudformation(tmp_path / "a" / "template.yaml", tmp_path / "b" / "template.yaml")])
    assert len(graph.roots()) == 2
    for sg in graph.of_type("AWS::EC2::SecurityGroup"):
        rules = graph.related_from(sg, "rule_of")
        assert _addresses(rules) == ["Https"] and graph.same_root(rules[0], sg)


def test_main_route_table_association_replaces_the_default_table(tmp_path):
    (tmp_path / "main.tf").write_text(
        """
resource "aws_vpc" "v" {}
resource "aws_subnet" "s" { vpc_id = aws_vpc.v.id }
resource "aws_default_route_table" "d" { default_route_table_id = aws_vpc.v.default_route_table_id }
resource "aws_route_table" "m" { vpc_id = aws_vpc.v.id }
resource "aws_main_route_table_association" "m" {
  vpc_id         = aws_vpc.v.id
  route_table_id = aws_route_table.m.id
}
"""
    )
    graph = ResourceGraph.build([_terraform(tmp_path)])
    assert _addresses(graph.related(_get(graph, "aws_subnet.s"), "route_table_of")) == ["aws_route_table.m"]


def test_relations_are_drawn_again_after_the_graph_grows(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" { bucket = "b" }\n')
    graph = ResourceGraph.build([_terraform(tmp_path)])
    bucket = _get(graph, "aws_s3_bucket.b")
    assert graph.related_from(bucket, "configures") == []
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "main.tf").write_text('resource "aws_s3_bucket_versioning" "v" { bucket = "b" }\n')
    extra = _terraform(tmp_path / "extra")
    for res in extra.resources:
        res.meta["root_module"] = graph.root_of(bucket)
        res.module = bucket.module
        graph.add_resource(res)
    assert _addresses(graph.related_from(bucket, "configures")) == ["aws_s3_bucket_versioning.v"]


STAGE_BY_NAME = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: api
  Dev:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      StageName: dev
      DeploymentId: abc
  Prod:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      StageName: prod
      DeploymentId: abc
  Acl:
    Type: AWS::WAFv2::WebACL
    Properties:
      Scope: REGIONAL
      DefaultAction: {Allow: {}}
      VisibilityConfig: {SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: acl}
  DevAcl:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/dev
      WebACLArn: !GetAtt Acl.Arn
"""


def test_a_waf_association_naming_a_stage_by_text_protects_that_stage(tmp_path):
    (tmp_path / "stack.yaml").write_text(STAGE_BY_NAME)
    graph = ResourceGraph.build([_cloudformation(tmp_path / "stack.yaml")])
    assert ("DevAcl", "protects", "Dev") in _triples(graph, "protects")
    assert not any(t[2] == "Prod" for t in _triples(graph, "protects"))


def test_drawn_as_asked_each_kind_gives_the_same_answers():
    """A graph drawing relations as asked (the IAM checks' forked child) draws only the builders
    of the kinds asked about, and every question gets the answer of a graph drawing them all."""
    whole = ResourceGraph.build([_terraform(FIXTURES)])
    _triples(whole)  # every builder
    for kind in relations.KINDS:
        asked = ResourceGraph.build([_terraform(FIXTURES)])
        asked.draw_as_asked()
        for res in asked.resources:
            twin = whole.resource(res.id)
            assert _addresses(asked.related(res, kind)) == _addresses(whole.related(twin, kind))
            assert _addresses(asked.related_from(res, kind)) == _addresses(whole.related_from(twin, kind))
        assert asked._drawn == {b for b in relations.BUILDERS if kind in relations.DRAWS[b]}
        assert _triples(asked, kind) == _triples(whole, kind)
    asked = ResourceGraph.build([_terraform(FIXTURES)])
    asked.draw_as_asked()
    app0 = _get(asked, "aws_instance.app[0]")
    assert [tuple(_addresses(p)) for p in asked.paths(app0, ("in_subnet", "route_table_of", "routes_to"))] == [
        ("aws_instance.app[0]", "aws_subnet.b", "aws_default_route_table.main", "aws_nat_gateway.n")
    ]
    assert asked._drawn == {relations.network.build}
    assert _addresses(asked.reachable(app0, ("attached_role", "<attached_policy"))) == _addresses(whole.reachable(whole.resource(app0.id), ("attached_role", "<attached_policy")))
    assert asked._drawn == {relations.network.build, relations.iam.build}
    assert _triples(asked) == _triples(whole)  # a question about every kind draws the rest
    assert asked._drawn == set(relations.BUILDERS)


def test_every_kind_has_one_builder():
    assert sorted(k for kinds in relations.DRAWS.values() for k in kinds) == sorted(relations.KINDS)
    assert set(relations.DRAWS) == set(relations.BUILDERS)
