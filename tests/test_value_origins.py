"""A finding names the variables and parameters its offending value comes from, in every
report: through locals and module inputs (Terraform) and parameters (CloudFormation)."""
from __future__ import annotations

import json
import os

from iacguard.engine import scan
from iacguard.output import render
from checksets import CORE

SG = """resource "aws_security_group" "web" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = %s
  }
}
"""


def origins(result, root):
    return [[(os.path.relpath(loc.path, root), loc.start_line, what) for loc, what in f.related] for f in result.findings]


def test_terraform_variable_through_local_and_module_input(tmp_path):
    (tmp_path / "variables.tf").write_text('variable "office" {\n  default = ["0.0.0.0/0"]\n}\n')
    (tmp_path / "main.tf").write_text('locals {\n  admin = var.office\n}\n\nmodule "sg" {\n  source = "./sg"\n  cidrs  = local.admin\n}\n')
    (tmp_path / "sg").mkdir()
    (tmp_path / "sg" / "main.tf").write_text('variable "cidrs" {}\n\n' + SG % "var.cidrs")
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert [f.resource.address for f in result.findings] == ["module.sg.aws_security_group.web"]
    assert origins(result, tmp_path) == [[("sg/main.tf", 1, "variable cidrs"), ("main.tf", 7, "argument cidrs of module.sg"), ("variables.tf", 1, "variable office")]]


def test_literal_values_have_no_origin(tmp_path):
    (tmp_path / "main.tf").write_text(SG % '["0.0.0.0/0"]')
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert origins(result, tmp_path) == [[]]


def test_cloudformation_parameter_in_every_report(tmp_path):
    (tmp_path / "stack.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  SSHLocation:\n    Type: String\n    Default: 0.0.0.0/0\n"
        "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: ssh\n"
        "      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n"
        "          CidrIp: !Ref SSHLocation\n"
    )
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert origins(result, tmp_path) == [[("stack.yaml", 3, "parameter SSHLocation")]]
    report = json.loads(render("json", result))
    assert report["findings"][0]["related"] == [{"file": "stack.yaml", "line": 3, "message": "parameter SSHLocation"}]
    sarif = json.loads(render("sarif", result))["runs"][0]["results"][0]
    assert sarif["message"]["text"].endswith("Value from: [parameter SSHLocation](1).")
    related = sarif["relatedLocations"][0]
    assert related["id"] == 1 and related["physicalLocation"]["region"]["startLine"] == 3
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "stack.yaml"
    assert "-> parameter SSHLocation (stack.yaml:3)" in render("text", result)


def test_sarif_with_related_locations_is_valid_for_github(tmp_path, sarif_checker):
    (tmp_path / "variables.tf").write_text('variable "office" {\n  default = ["0.0.0.0/0"]\n}\n')
    (tmp_path / "main.tf").write_text(SG % "var.office")
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    sarif = json.loads(render("sarif", result))
    assert sarif["runs"][0]["results"][0]["relatedLocations"]
    assert sarif_checker(sarif, str(tmp_path)) == []


def test_findings_about_missing_attributes_get_no_origin_from_count(tmp_path):
    (tmp_path / "main.tf").write_text('variable "n" {\n  default = 1\n}\n\nresource "aws_ebs_volume" "v" {\n  count             = var.n\n  availability_zone = "eu-west-1a"\n}\n')
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert [(f.check_id, f.resource.address, f.location.start_line) for f in result.findings] == [("AWS-EBS-001", "aws_ebs_volume.v[0]", 5)]
    assert origins(result, tmp_path) == [[]]


def test_a_value_set_in_tfvars_points_at_that_line(tmp_path):
    (tmp_path / "variables.tf").write_text('variable "office" {\n  type    = list(string)\n  default = ["10.0.0.0/8"]\n}\n')
    (tmp_path / "terraform.tfvars").write_text('# office range\noffice = ["0.0.0.0/0"]\n')
    (tmp_path / "main.tf").write_text(SG % "var.office")
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert origins(result, tmp_path) == [[("variables.tf", 1, "variable office"), ("terraform.tfvars", 2, "value of variable office")]]
    from iacguard.core.model import ScanOptions

    overridden = scan([str(tmp_path)], ScanOptions(tf_vars={"office": '["0.0.0.0/0"]'}), cwd=str(tmp_path), checks=CORE)
    assert origins(overridden, tmp_path) == [[("variables.tf", 1, "variable office")]]


def test_link_shaped_text_from_the_scanned_tree_is_escaped_in_sarif(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_ebs_volume" "v" {\n  for_each          = toset(["[l](http://e.vil)"])\n  availability_zone = "eu-west-1a"\n}\n'
    )
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    text = json.loads(render("sarif", result))["runs"][0]["results"][0]["message"]["text"]
    assert "[l](http" not in text and "\\[l\\](http://e.vil)" in text


def test_a_literal_passed_by_a_parent_stack_points_at_the_parent(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "parent.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties:\n      TemplateURL: templates/child.yaml\n      Parameters:\n        Public: \"true\"\n"
    )
    (tmp_path / "templates" / "child.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Public:\n    Type: String\n    Default: \"false\"\n"
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n"
        "      StorageEncrypted: true\n      PubliclyAccessible: !Ref Public\n"
    )
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert [(f.check_id, f.resource.address) for f in result.findings] == [("AWS-RDS-002", "Child/Db")]
    assert origins(result, tmp_path) == [[("templates/child.yaml", 3, "parameter Public"), ("parent.yaml", 8, "parameter Public passed to nested stack Child")]]


# -- module arguments and nested-stack Parameters entries, up to the root (issue 10, point 4) --

LEAF = 'variable "enc" {\n  default = true\n}\n\nresource "aws_db_instance" "db" {\n  engine            = "postgres"\n  storage_encrypted = var.enc\n}\n'
MID = 'variable "enc" {\n  default = true\n}\n\nmodule "leaf" {\n  source = "../leaf"\n  enc    = var.enc\n}\n'


def module_chain(tmp_path, root_call_enc: str, root_extra: str = ""):
    """root -> mid -> leaf; every level declares `variable "enc"` (default true) at line 1."""
    (tmp_path / "mid").mkdir()
    (tmp_path / "leaf").mkdir()
    (tmp_path / "leaf" / "main.tf").write_text(LEAF)
    (tmp_path / "mid" / "main.tf").write_text(MID)
    (tmp_path / "main.tf").write_text(root_extra + 'module "mid" {\n  source = "./mid"\n  enc    = %s\n}\n' % root_call_enc)


def test_a_literal_argument_three_module_levels_up_is_traced_in_every_report(tmp_path):
    module_chain(tmp_path, "false")
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert [(f.check_id, f.resource.address, f.location.start_line) for f in result.findings] == [
        ("AWS-RDS-001", "module.mid.module.leaf.aws_db_instance.db", 7)
    ]
    expected = [
        ("leaf/main.tf", 1, "variable enc"),
        ("mid/main.tf", 7, "argument enc of module.mid.module.leaf"),
        ("mid/main.tf", 1, "variable enc"),
        ("main.tf", 3, "argument enc of module.mid"),
    ]
    assert origins(result, tmp_path) == [expected]
    text = render("text", result)
    for file, line, what in expected:
        assert "-> %s (%s:%d)" % (what, file, line) in text
    report = json.loads(render("json", result))
    assert report["findings"][0]["related"] == [{"file": f, "line": n, "message": w} for f, n, w in expected]
    sarif = json.loads(render("sarif", result))["runs"][0]["results"][0]
    assert [
        (r["id"], r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"], r["message"]["text"])
        for r in sarif["relatedLocations"]
    ] == [(i, f, n, w) for i, (f, n, w) in enumerate(expected, 1)]
    assert sarif["message"]["text"].endswith(
        "Value from: [variable enc](1), [argument enc of module.mid.module.leaf](2), [variable enc](3), [argument enc of module.mid](4)."
    )


def test_a_chain_ending_in_a_root_variable_set_in_tfvars_lists_every_level(tmp_path):
    # Six origins: more than the five the list was cut to before.
    module_chain(tmp_path, "var.enc", 'variable "enc" {\n  default = true\n}\n\n')
    (tmp_path / "terraform.tfvars").write_text("# not encrypted in dev\nenc = false\n")
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert origins(result, tmp_path) == [[
        ("leaf/main.tf", 1, "variable enc"),
        ("mid/main.tf", 7, "argument enc of module.mid.module.leaf"),
        ("mid/main.tf", 1, "variable enc"),
        ("main.tf", 7, "argument enc of module.mid"),
        ("main.tf", 1, "variable enc"),
        ("terraform.tfvars", 2, "value of variable enc"),
    ]]


def test_an_argument_not_given_leaves_the_variable_default_as_the_only_origin(tmp_path):
    (tmp_path / "leaf").mkdir()
    (tmp_path / "leaf" / "main.tf").write_text(LEAF.replace("default = true", "default = false"))
    (tmp_path / "main.tf").write_text('module "db" {\n  source = "./leaf"\n}\n')
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert origins(result, tmp_path) == [[("leaf/main.tf", 1, "variable enc")]]


def test_each_module_instance_names_its_own_call(tmp_path):
    (tmp_path / "leaf").mkdir()
    (tmp_path / "leaf" / "main.tf").write_text(LEAF)
    (tmp_path / "main.tf").write_text('module "db" {\n  source = "./leaf"\n  count  = 2\n  enc    = false\n}\n')
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert [f.resource.address for f in result.findings] == ["module.db[0].aws_db_instance.db", "module.db[1].aws_db_instance.db"]
    assert origins(result, tmp_path) == [
        [("leaf/main.tf", 1, "variable enc"), ("main.tf", 4, "argument enc of module.db[%d]" % i)] for i in (0, 1)
    ]


STACK = """AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Public:
    Type: String
    Default: "false"
Resources:
  %s:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: %s
      Parameters:
        Public: !Ref Public
"""


def test_nested_stack_parameters_are_traced_to_the_top_stack_and_its_parameter_file(tmp_path):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "top.yaml").write_text(STACK % ("Child", "stacks/child.yaml"))
    (tmp_path / "stacks" / "child.yaml").write_text(STACK % ("Grand", "grand.yaml"))
    (tmp_path / "stacks" / "grand.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Public:\n    Type: String\n    Default: \"false\"\n"
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n"
        "      StorageEncrypted: true\n      PubliclyAccessible: !Ref Public\n"
    )
    (tmp_path / "params.json").write_text('[\n  {"ParameterKey": "Other", "ParameterValue": "x"},\n  {"ParameterKey": "Public",\n   "ParameterValue": "true"}\n]\n')
    from iacguard.core.model import ScanOptions

    result = scan([str(tmp_path)], ScanOptions(cfn_param_files=[str(tmp_path / "params.json")]), cwd=str(tmp_path), checks=CORE)
    assert [(f.check_id, f.resource.address, f.location.start_line) for f in result.findings] == [("AWS-RDS-002", "Child/Grand/Db", 12)]
    expected = [
        ("stacks/grand.yaml", 3, "parameter Public"),
        ("stacks/child.yaml", 12, "parameter Public passed to nested stack Child/Grand"),
        ("stacks/child.yaml", 3, "parameter Public"),
        ("top.yaml", 12, "parameter Public passed to nested stack Child"),
        ("top.yaml", 3, "parameter Public"),
        ("params.json", 4, "value of parameter Public"),
    ]
    assert origins(result, tmp_path) == [expected]
    text = render("text", result)
    for file, line, what in expected:
        assert "-> %s (%s:%d)" % (what, file, line) in text
    assert json.loads(render("json", result))["findings"][0]["related"] == [{"file": f, "line": n, "message": w} for f, n, w in expected]
    sarif = json.loads(render("sarif", result))["runs"][0]["results"][0]
    assert [(r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"]) for r in sarif["relatedLocations"]] == [
        (f, n) for f, n, _ in expected
    ]
    # Given on the command line instead: no line to point at, the chain stops at the declaration.
    overridden = scan([str(tmp_path)], ScanOptions(cfn_param_files=[str(tmp_path / "params.json")], cfn_params={"Public": "true"}), cwd=str(tmp_path), checks=CORE)
    assert origins(overridden, tmp_path) == [expected[:-1]]
