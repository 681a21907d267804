"""`iacguard graph`: the resource graph drawn as dot, Mermaid or JSON (iacguard/graph_commands.py).

On sample_iac and on small trees in both languages: grouping by root and module / nested stack,
plumbing folded (rules, listeners, target groups, attachments, profiles, companions), data
sources skipped, hostile names kept inside their labels, the same output twice, the JSON shape,
the size cap."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.cli import main
from iacguard.graph_commands import dot_string, mermaid_text

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_iac"

TF_MAIN = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_security_group" "web" {
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group_rule" "https" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_lb" "web" {
  subnets         = [aws_subnet.a.id]
  security_groups = [aws_security_group.web.id]
}

resource "aws_lb_target_group" "app" {
  port     = 80
  protocol = "HTTP"
  vpc_id   = aws_vpc.main.id
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_target_group_attachment" "app" {
  target_group_arn = aws_lb_target_group.app.arn
  target_id        = aws_instance.app.id
}

resource "aws_iam_role" "app" {
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy_attachment" "read" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_instance_profile" "app" {
  role = aws_iam_role.app.name
}

resource "aws_instance" "app" {
  ami                    = "ami-123"
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.web.id]
  iam_instance_profile   = aws_iam_instance_profile.app.name
}

data "aws_caller_identity" "current" {}

module "storage" {
  source = "./storage"
}
"""

TF_STORAGE = """
resource "aws_s3_bucket" "media" {
  bucket = "media"
}

resource "aws_s3_bucket_versioning" "media" {
  bucket = aws_s3_bucket.media.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_policy" "media" {
  bucket = aws_s3_bucket.media.id
  policy = "{}"
}
"""

CFN_YAML = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
  WebSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
  HttpsIn:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref WebSg
      IpProtocol: tcp
      FromPort: 443
      ToPort: 443
      CidrIp: 0.0.0.0/0
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [!Ref Subnet]
      SecurityGroups: [!Ref WebSg]
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 80
      Protocol: HTTP
      VpcId: !Ref Vpc
      Targets:
        - Id: !Ref App
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 443
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref Tg
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref Role]
  App:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-123
      SubnetId: !Ref Subnet
      SecurityGroupIds: [!Ref WebSg]
      IamInstanceProfile: !Ref Profile
  Media:
    Type: AWS::S3::Bucket
  MediaPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Media
      PolicyDocument: {}
"""


def _run(*args, cwd=None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, ["graph", *map(str, args)])
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, ["graph", *map(str, args)])
    finally:
        os.chdir(old)


def _json(*args, cwd=None) -> dict:
    result = _run(*args, "--format", "json", cwd=cwd)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture()
def tf_tree(tmp_path):
    root = tmp_path / "tf"
    (root / "storage").mkdir(parents=True)
    (root / "main.tf").write_text(TF_MAIN)
    (root / "storage" / "main.tf").write_text(TF_STORAGE)
    return root


@pytest.fixture()
def cfn_trees(tmp_path):
    """The same template as YAML and as JSON."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!Ref", lambda loader, node: {"Ref": loader.construct_scalar(node)})
    (tmp_path / "yaml").mkdir()
    (tmp_path / "json").mkdir()
    (tmp_path / "yaml" / "web.yaml").write_text(CFN_YAML)
    (tmp_path / "json" / "web.json").write_text(json.dumps(yaml.load(CFN_YAML, Loader=Loader), indent=2))
    return tmp_path


def _by_address(doc) -> dict:
    return {n["address"]: n for n in doc["nodes"]}


def _edges(doc) -> set:
    ids = {n["id"]: n["address"] for n in doc["nodes"]}
    return {(ids[e["source"]], e["kind"], ids[e["target"]]) for e in doc["edges"]}


# -- JSON shape --------------------------------------------------------------------------------
def test_json_shape_on_sample_iac():
    doc = _json(SAMPLE, cwd=REPO)
    assert set(doc) == {"nodes", "edges"}
    assert doc["nodes"] and doc["edges"]
    for i, n in enumerate(doc["nodes"], 1):
        assert set(n) == {"id", "address", "type", "file", "line", "root", "module"}
        assert n["id"] == "n%d" % i
        assert isinstance(n["line"], int) and n["line"] >= 1
        assert not n["file"].startswith("/") and n["file"].startswith("sample_iac/")
        assert n["root"].startswith("sample_iac/")
    ids = {n["id"] for n in doc["nodes"]}
    for e in doc["edges"]:
        assert set(e) == {"source", "target", "kind"}
        assert e["source"] in ids and e["target"] in ids and e["source"] != e["target"]
    # Sorted: nodes by (root, module, address), edges by their ends.
    keys = [(n["root"], n["module"], n["address"]) for n in doc["nodes"]]
    assert keys == sorted(keys)
    ends = [(int(e["source"][1:]), int(e["target"][1:]), e["kind"]) for e in doc["edges"]]
    assert ends == sorted(ends)


def test_sample_iac_skips_data_sources_and_folds_plumbing():
    doc = _json(SAMPLE, cwd=REPO)
    addresses = _by_address(doc)
    assert not any(a.startswith("data.") for a in addresses)
    types = {n["type"] for n in doc["nodes"]}
    for plumbing in ("aws_security_group_rule", "aws_lb_listener", "aws_lb_target_group", "aws_iam_instance_profile",
                     "aws_s3_bucket_versioning", "aws_s3_bucket_policy", "aws_route_table_association",
                     "AWS::EC2::SecurityGroupIngress", "AWS::ElasticLoadBalancingV2::Listener",
                     "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::S3::BucketPolicy"):
        assert plumbing not in types, plumbing
    edges = _edges(doc)
    assert ("aws_lb.web", "uses_security_group", "aws_security_group.web_alb") in edges
    assert ("aws_route_table.public", "routes_to", "aws_internet_gateway.main") in edges
    # A WAF association folds into its web ACL, which then protects the load balancer.
    assert ("aws_wafv2_web_acl.web", "protects", "aws_lb.web") in edges
    assert ("WebACL", "protects", "WebLoadBalancer") in edges
    assert not {"aws_wafv2_web_acl_association", "AWS::WAFv2::WebACLAssociation"} & types
    # One root per CloudFormation template, the Terraform root folder.
    assert {n["root"] for n in doc["nodes"]} == {
        "sample_iac/terraform", "sample_iac/cloudformation/storage.json", "sample_iac/cloudformation/web-app.yaml"}


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "json"])
def test_output_is_deterministic(fmt):
    first = _run(SAMPLE, "--format", fmt, cwd=REPO)
    second = _run(SAMPLE, "--format", fmt, cwd=REPO)
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout


# -- folding and grouping, both languages -------------------------------------------------------
def test_terraform_tree_folds_plumbing_and_groups_modules(tf_tree):
    doc = _json(tf_tree, cwd=tf_tree.parent)
    nodes = _by_address(doc)
    assert set(nodes) == {
        "aws_vpc.main", "aws_subnet.a", "aws_security_group.web", "aws_lb.web", "aws_iam_role.app",
        "aws_instance.app", "module.storage.aws_s3_bucket.media",
    }
    edges = _edges(doc)
    assert ("aws_lb.web", "forwards", "aws_instance.app") in edges
    assert ("aws_instance.app", "attached_role", "aws_iam_role.app") in edges
    assert ("aws_instance.app", "uses_security_group", "aws_security_group.web") in edges
    assert ("aws_instance.app", "in_subnet", "aws_subnet.a") in edges
    assert not any(kind in ("rule_of", "listener_of", "forwards_to", "target_of", "configures", "resource_policy_of")
                   for _, kind, _ in edges)
    assert nodes["module.storage.aws_s3_bucket.media"]["module"] == "module.storage"
    assert nodes["aws_lb.web"]["module"] == "" and nodes["aws_lb.web"]["root"] == "tf"
    assert nodes["aws_instance.app"]["file"] == "tf/main.tf"
    assert nodes["module.storage.aws_s3_bucket.media"]["file"] == "tf/storage/main.tf"

    dot = _run(tf_tree, cwd=tf_tree.parent).stdout
    assert 'subgraph cluster_0 {' in dot and 'label="tf";' in dot
    assert 'subgraph cluster_0_0 {' in dot and 'label="module.storage";' in dot
    # What a node folds is counted on it: listener + target group + attachment on the load
    # balancer, the rule on the group, the profile and the attachment on the role, the versioning
    # and the policy on the bucket.
    assert 'label="aws_lb.web\\n+3 folded"' in dot
    assert 'label="aws_security_group.web\\n+1 folded"' in dot
    assert 'label="aws_iam_role.app\\n+2 folded"' in dot
    assert 'label="module.storage.aws_s3_bucket.media\\n+2 folded"' in dot
    assert '[label="forwards"]' in dot

    mermaid = _run(tf_tree, "--format", "mermaid", cwd=tf_tree.parent).stdout
    assert mermaid.startswith("flowchart LR\n")
    assert 'subgraph r0["tf"]' in mermaid and 'subgraph r0m0["module.storage"]' in mermaid
    assert "-->|forwards|" in mermaid
    assert mermaid.count("subgraph") == mermaid.count("\n    end") + mermaid.count("\n  end")


@pytest.mark.parametrize("language", ["yaml", "json"])
def test_cloudformation_tree_folds_plumbing(cfn_trees, language):
    doc = _json(cfn_trees / language, cwd=cfn_trees)
    nodes = _by_address(doc)
    assert set(nodes) == {"Vpc", "Subnet", "WebSg", "Lb", "Role", "App", "Media"}
    edges = _edges(doc)
    assert ("Lb", "forwards", "App") in edges
    assert ("App", "attached_role", "Role") in edges
    assert ("App", "uses_security_group", "WebSg") in edges
    assert {n["root"] for n in doc["nodes"]} == {"%s/web.%s" % (language, language)}
    dot = _run(cfn_trees / language, cwd=cfn_trees).stdout
    assert 'label="Lb\\nAWS::ElasticLoadBalancingV2::LoadBalancer\\n+2 folded"' in dot
    assert 'label="Media\\nAWS::S3::Bucket\\n+1 folded"' in dot


TF_API = """resource "aws_iam_role" "fn" {
  assume_role_policy = "{}"
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = aws_iam_role.fn.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_api_gateway_rest_api" "api" {
  name = "api"
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "orders"
}

resource "aws_api_gateway_method" "get" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "get" {
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_resource.orders.id
  http_method             = aws_api_gateway_method.get.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.fn.invoke_arn
}

resource "aws_api_gateway_deployment" "d" {
  rest_api_id = aws_api_gateway_rest_api.api.id
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.d.id
  stage_name    = "prod"
}

resource "aws_wafv2_web_acl_association" "prod" {
  resource_arn = aws_api_gateway_stage.prod.arn
  web_acl_arn  = "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/x/y"
}
"""

CFN_API = {"Resources": {
    "FnRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
    "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["FnRole", "Arn"]}, "Handler": "i.h", "Runtime": "python3.12", "Code": {"ZipFile": "x"}}},
    "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "api"}},
    "Orders": {"Type": "AWS::ApiGateway::Resource", "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "orders"}},
    "Get": {"Type": "AWS::ApiGateway::Method", "Properties": {
        "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Orders"}, "HttpMethod": "GET", "AuthorizationType": "NONE",
        "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST",
                        "Uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}},
    "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": "Get", "Properties": {"RestApiId": {"Ref": "Api"}}},
    "Prod": {"Type": "AWS::ApiGateway::Stage", "Properties": {"RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": "Deployment"}, "StageName": "prod"}},
}}


def test_api_gateway_parts_fold_into_their_api(tmp_path):
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(TF_API)
    doc = _json(tmp_path / "tf", cwd=tmp_path)
    assert set(_by_address(doc)) == {
        "aws_api_gateway_rest_api.api", "aws_api_gateway_stage.prod", "aws_iam_role.fn", "aws_lambda_function.fn",
        "aws_wafv2_web_acl_association.prod"}
    assert _edges(doc) == {
        ("aws_api_gateway_rest_api.api", "integration_of", "aws_lambda_function.fn"),
        ("aws_api_gateway_stage.prod", "integration_of", "aws_lambda_function.fn"),
        ("aws_lambda_function.fn", "attached_role", "aws_iam_role.fn"),
        ("aws_wafv2_web_acl_association.prod", "protects", "aws_api_gateway_stage.prod"),
    }
    assert 'label="aws_api_gateway_rest_api.api\\n+4 folded"' in _run(tmp_path / "tf", cwd=tmp_path).stdout

    (tmp_path / "cfn").mkdir()
    (tmp_path / "cfn" / "api.json").write_text(json.dumps(CFN_API))
    doc = _json(tmp_path / "cfn", cwd=tmp_path)
    assert set(_by_address(doc)) == {"Api", "Prod", "Fn", "FnRole"}
    edges = _edges(doc)
    assert ("Api", "integration_of", "Fn") in edges and ("Fn", "attached_role", "FnRole") in edges


def test_nested_stacks_are_clusters():
    nested = REPO / "tests" / "cloudformation" / "fixtures" / "nested" / "yaml"
    doc = _json(nested, cwd=REPO)
    modules = {n["address"]: n["module"] for n in doc["nodes"]}
    assert modules["Network/Queue"] == "Network"
    assert modules["Logs"] == ""
    mermaid = _run(nested, "--format", "mermaid", cwd=REPO).stdout
    assert 'subgraph r0m0["Network"]' in mermaid


# -- hostile names ------------------------------------------------------------------------------
HOSTILE_KEYS = ['a"]; evil', "line\nbreak", "x\\\"y", "br[a]ck{e}t|%%#;<b>", "end", "\u202eoops"]

DOT_NODE = re.compile(r'^\s*n\d+ \[label="(?:[^"\\\n]|\\.)*"\];$')
DOT_LABEL = re.compile(r'^\s*label="(?:[^"\\\n]|\\.)*";$')
MERMAID_SAFE = r'(?:[A-Za-z0-9 ._\-/:,=+@]|#\d+;|<br/>)*'
MERMAID_NODE = re.compile(r'^\s*n\d+\["%s"\]$' % MERMAID_SAFE)
MERMAID_SUBGRAPH = re.compile(r'^\s*subgraph r\d+(?:m\d+)?\["%s"\]$' % MERMAID_SAFE)


def _dot_lines_are_statements(dot: str) -> None:
    for line in dot.splitlines():
        s = line.strip()
        if re.match(r"n\d+ \[", s):
            assert DOT_NODE.match(line), line
        elif s.startswith("label="):
            assert DOT_LABEL.match(line), line
        elif re.match(r"n\d+ ", s):
            assert re.match(r'^\s*n\d+ -> n\d+ \[label="[a-z_]+"\];$', line), line
        else:
            assert s in ("{", "}", "rankdir=LR;") or s.startswith(("digraph iacguard", "subgraph cluster_", "node [", "edge [", "//")), line


def _mermaid_lines_are_statements(mermaid: str) -> None:
    for line in mermaid.splitlines():
        s = line.strip()
        if s.startswith("subgraph"):
            assert MERMAID_SUBGRAPH.match(line), line
        elif re.match(r"n\d+\[", s):
            assert MERMAID_NODE.match(line), line
        elif re.match(r"n\d+ ", s):
            assert re.match(r"^\s*n\d+ -->\|[a-z_]+\| n\d+$", line), line
        else:
            assert s in ("flowchart LR", "end") or s.startswith("%%"), line


def test_escaping_functions_never_let_a_name_out():
    for key in HOSTILE_KEYS:
        quoted = dot_string(key)
        assert re.fullmatch(r'"(?:[^"\\\n]|\\.)*"', quoted), quoted
        text = mermaid_text(key)
        assert re.fullmatch(MERMAID_SAFE, text), text
    assert dot_string('a"b') == '"a\\"b"'
    assert dot_string("a\\") == '"a\\\\"'
    assert "\n" not in dot_string("a\nb")
    assert mermaid_text('a"]b') == "a#34;#93;b"


def test_hostile_names_stay_inside_their_labels(tmp_path):
    keys = ", ".join(json.dumps(k) for k in HOSTILE_KEYS)
    root = tmp_path / 'ro"ot]\n'.replace("\n", "_")
    root.mkdir()
    (root / "main.tf").write_text(
        'resource "aws_security_group" "sg" {\n  for_each = toset([%s])\n  name = each.key\n}\n'
        'resource "aws_instance" "i" {\n  for_each = toset([%s])\n  ami = "ami-1"\n'
        '  vpc_security_group_ids = [aws_security_group.sg[each.key].id]\n}\n'
        'module "m\\"x" {\n  source = "./m"\n}\n' % (keys, keys))
    (root / "m").mkdir()
    (root / "m" / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  for_each = toset([%s])\n}\n' % keys)
    doc = _json(root, cwd=tmp_path)
    addresses = set(_by_address(doc))
    assert 'aws_security_group.sg["a\\"]; evil"]' in addresses
    assert len([a for a in addresses if a.startswith("aws_instance.i[")]) == len(HOSTILE_KEYS)
    assert len(doc["edges"]) == len(HOSTILE_KEYS)  # each instance -> its own group, nothing else
    dot = _run(root, cwd=tmp_path).stdout
    _dot_lines_are_statements(dot)
    assert "\\u202e" in dot and "\u202e" not in dot
    mermaid = _run(root, "--format", "mermaid", cwd=tmp_path).stdout
    _mermaid_lines_are_statements(mermaid)


def test_hostile_cloudformation_logical_ids(tmp_path):
    template = {"Resources": {
        'Evil"];\nx -> y': {"Type": "AWS::S3::Bucket"},
        "Ok": {"Type": "AWS::SQS::Queue"},
    }}
    (tmp_path / "t.json").write_text(json.dumps(template))
    dot = _run(tmp_path, cwd=tmp_path).stdout
    mermaid = _run(tmp_path, "--format", "mermaid", cwd=tmp_path).stdout
    _dot_lines_are_statements(dot)
    _mermaid_lines_are_statements(mermaid)


# -- size cap, files, errors --------------------------------------------------------------------
def test_size_cap_keeps_the_first_nodes_and_says_so():
    whole = _json(SAMPLE, cwd=REPO)
    result = _run(SAMPLE, "--format", "json", "--max-nodes", "5", cwd=REPO)
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [n["address"] for n in doc["nodes"]] == [n["address"] for n in whole["nodes"][:5]]
    assert "cut at 5 of %d nodes" % len(whole["nodes"]) in doc["note"]
    ids = {n["id"] for n in doc["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in doc["edges"])
    assert "cut at 5" in result.stderr
    dot = _run(SAMPLE, "--max-nodes", "5", cwd=REPO).stdout
    assert "// graph cut at 5" in dot and dot.count("[label=") - dot.count("->") == 5
    mermaid = _run(SAMPLE, "--format", "mermaid", "--max-nodes", "5", cwd=REPO).stdout
    assert "%% graph cut at 5" in mermaid


def test_output_file_and_errors(tmp_path):
    target = tmp_path / "graph.dot"
    result = _run(SAMPLE, "-o", target, cwd=REPO)
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text() == _run(SAMPLE, cwd=REPO).stdout
    missing = _run(tmp_path / "nope")
    assert missing.exit_code == 2 and "does not exist" in missing.output
    bad = _run(SAMPLE, "--format", "png")
    assert bad.exit_code == 2


def test_listed_in_help():
    result = CliRunner().invoke(main, ["--help"])
    assert "graph" in result.output


def test_plumbing_whose_owner_is_not_known_stays_a_node(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "sg" {}\n'
        'resource "aws_security_group_rule" "in" {\n  type = "ingress"\n  security_group_id = var.sg\n'
        '  from_port = 22\n  to_port = 22\n  protocol = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n}\n'
        'resource "aws_lb_listener" "l" {\n  load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/y"\n  port = 80\n}\n')
    doc = _json(tmp_path, cwd=tmp_path)
    assert set(_by_address(doc)) == {"aws_security_group_rule.in", "aws_lb_listener.l"}
    assert doc["edges"] == []
