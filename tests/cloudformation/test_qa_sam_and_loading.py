"""Regressions found by running iacguard on real CloudFormation and SAM repositories
(aws-samples/serverless-patterns, aws/serverless-application-model test inputs)."""
from __future__ import annotations

import textwrap

import pytest

from iacguard.cloudformation import loader, parse_template
from iacguard.cloudformation.source_lines import TemplateError
from iacguard.checks import registry_data_a, registry_data_b, registry_detection_a, registry_detection_b, registry_identity_secrets, registry_incident, registry_infra_a, registry_infra_b
from iacguard.engine import scan
from iacguard.core.model import ScanOptions

from cfn_helpers import scan_folder
from checksets import CORE


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def _scan(tmp_path, **options):
    return scan([str(tmp_path)], ScanOptions(**options), cwd=str(tmp_path), checks=CORE)


_CATALOGUE = {c.id for registry in (registry_detection_a, registry_detection_b, registry_infra_a, registry_infra_b, registry_data_a, registry_data_b, registry_identity_secrets, registry_incident) for c in registry.CHECKS}


def _warnings(result):
    return [(n.line, n.message) for n in result.notifications if n.level in ("warning", "error")]


# -- SAM: two explicit APIs dropped the resource between them ----------------------------------

TWO_APIS = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      FirstApi:
        Type: AWS::Serverless::Api
        Properties:
          StageName: Prod
      StreamingFunction:
        Type: AWS::Serverless::Function
        Properties:
          Handler: index.handler
          Runtime: nodejs20.x
          InlineCode: x
          Policies:
            - Statement:
                - Effect: Allow
                  Action: "*"
                  Resource: "*"
      SecondApi:
        Type: AWS::Serverless::Api
        Properties:
          StageName: Prod
      Permission:
        Type: AWS::Lambda::Permission
        Properties:
          FunctionName: !Ref StreamingFunction
          Action: lambda:InvokeFunction
          Principal: apigateway.amazonaws.com
    """


def test_two_explicit_sam_apis_keep_every_resource(tmp_path):
    _write(tmp_path, "template.yaml", TWO_APIS)
    result = scan_folder(tmp_path)
    addresses = [r.address for r in result.resources]
    assert addresses == [
        "FirstApi", "FirstApiDeployment", "FirstApiProdStage",
        "StreamingFunction", "StreamingFunctionRole",
        "SecondApi", "SecondApiDeployment", "SecondApiProdStage",
        "Permission",
    ]
    assert not [n for n in result.notifications if n.level == "warning"], result.notifications


def test_two_explicit_sam_apis_function_is_still_checked(tmp_path):
    _write(tmp_path, "template.yaml", TWO_APIS)
    result = _scan(tmp_path)
    # the checks that predate the catalogue of issue 13 (its checks find the SAM stages too)
    assert [(f.check_id, f.resource.address, f.location.start_line) for f in result.findings if f.check_id not in _CATALOGUE] == [
        ("AWS-IAM-001", "StreamingFunctionRole", 15)]


# -- SAM: referable properties (MyFunction.Alias, MyApi.Stage, ...) -------------------------------

REFERABLE = """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Handler: index.handler
          Runtime: python3.12
          InlineCode: x
          AutoPublishAlias: live
      NoAlias:
        Type: AWS::Serverless::Function
        Properties:
          Handler: index.handler
          Runtime: python3.12
          InlineCode: x
      Api:
        Type: AWS::Serverless::Api
        Properties:
          StageName: v1
      Refs:
        Type: AWS::SSM::Parameter
        Properties:
          Type: String
          Value: !Join
            - ","
            - - !Ref Fn.Alias
              - !GetAtt [Fn.Alias, Name]
              - !GetAtt Fn.Version.Version
              - !Sub "${Fn.Alias} ${Fn.Alias.Name}"
              - !Ref Api.Stage
              - !Ref Api.Deployment
              - !Ref Api.DomainName
      Unresolved:
        Type: AWS::SSM::Parameter
        Properties:
          Type: String
          Value: !Ref NoAlias.Version
    """


def test_sam_referable_properties_name_the_generated_resources(tmp_path):
    _write(tmp_path, "template.yaml", REFERABLE)
    result = scan_folder(tmp_path)
    targets = {(r.source.split("#")[1], r.target.split("#")[1]) for r in result.references if r.kind == "reference"}
    for generated in ("FnAliaslive", "FnVersion", "Apiv1Stage", "ApiDeployment"):
        assert ("Refs", generated) in targets, targets
    # SAM generates a domain name but this expansion does not: Unknown, without a warning.
    # A property SAM does not generate (no AutoPublishAlias) stays a broken reference.
    assert _warnings(result) == [(37, "Ref to 'NoAlias.Version', which is not a parameter or resource of this template")]


# -- SAM: ScheduleV2 and state machine API events generate their roles ------------------------------

SCHEDULES = """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Handler: index.handler
          Runtime: python3.12
          InlineCode: x
          Events:
            Nightly:
              Type: ScheduleV2
              Properties:
                ScheduleExpression: rate(1 day)
                State: !Ref ScheduleState
      Flow:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}
          Events:
            Hourly:
              Type: ScheduleV2
              Properties:
                ScheduleExpression: rate(1 hour)
                RoleArn: arn:aws:iam::123456789012:role/given
            Start:
              Type: Api
              Properties:
                Path: /start
                Method: post
    """


def test_schedule_v2_and_state_machine_api_events_generate_roles(tmp_path):
    _write(tmp_path, "template.yaml", SCHEDULES)
    result = scan_folder(tmp_path)
    by_address = {r.address: r for r in result.resources}
    role = by_address["WorkerNightlyRole"]
    assert role.type == "AWS::IAM::Role"
    assert role.properties["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": ["scheduler.amazonaws.com"]}
    assert role.properties["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"] == "lambda:InvokeFunction"
    assert by_address["WorkerNightly"].type == "AWS::Scheduler::Schedule"
    # A given role is used, and none is generated.
    assert by_address["FlowHourly"].properties["Target"]["RoleArn"] == "arn:aws:iam::123456789012:role/given"
    assert "FlowHourlyRole" not in by_address
    start_role = by_address["FlowStartRole"]
    assert start_role.properties["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"] == ["states:StartExecution"]
    # A warning about a value SAM generated points at the SAM resource, not at no line at all.
    assert _warnings(result) == [(3, "Ref to 'ScheduleState', which is not a parameter or resource of this template")]


# -- SAM: Fn::If in Policies ------------------------------------------------------------------------

IF_POLICIES = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Env:
        Type: String
    Conditions:
      IsDev: !Equals [!Ref Env, dev]
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Handler: index.handler
          Runtime: python3.12
          InlineCode: x
          Policies:
            - !If
              - IsDev
              - Statement:
                  - Effect: Allow
                    Action: "*"
                    Resource: "*"
              - !Ref AWS::NoValue
            - !If [IsDev, AmazonS3ReadOnlyAccess, !Ref AWS::NoValue]
            - !If [IsDev, {S3ReadPolicy: {BucketName: logs}}, !Ref AWS::NoValue]
    """


def test_policy_documents_under_fn_if_are_inline_policies(tmp_path):
    _write(tmp_path, "template.yaml", IF_POLICIES)
    result = _scan(tmp_path)
    assert [(f.check_id, f.resource.address, f.location.start_line, f.conditions) for f in result.findings] == [
        ("AWS-IAM-001", "FnRole", 16, (("IsDev", True),))]
    assert _scan(tmp_path, cfn_params={"Env": "prod"}).findings == []
    dev = scan_folder(tmp_path, cfn_params={"Env": "dev"})
    role = {r.address: r for r in dev.resources}["FnRole"]
    assert [p["PolicyDocument"]["Statement"][0]["Action"] for p in role.properties["Policies"]] == [
        "*", ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion",
              "s3:GetLifecycleConfiguration"]]
    assert role.properties["ManagedPolicyArns"][1] == "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


# -- SAM resources without the transform --------------------------------------------------------------

NO_TRANSFORM = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Handler: index.handler
          Runtime: python3.12
          InlineCode: x
          Policies:
            - Statement:
                - Effect: Allow
                  Action: "*"
                  Resource: "*"
    """


def test_sam_resources_without_transform_are_expanded_with_a_warning(tmp_path):
    _write(tmp_path, "template.yaml", NO_TRANSFORM)
    result = _scan(tmp_path)
    assert [(f.check_id, f.resource.address) for f in result.findings] == [("AWS-IAM-001", "FnRole")]
    [warning] = _warnings(result)
    assert warning[0] == 4 and "does not declare Transform: AWS::Serverless-2016-10-31" in warning[1]


# -- Files that are not templates -----------------------------------------------------------------------

NOT_TEMPLATES = {
    "tsconfig.json": '{\n  "compilerOptions": {\n    /* Language */\n    "target": "ES2021"\n  }\n}\n',
    "example-pattern.json": '{\n  "title": "x",\n  "resources": {"bullets": [\n    {"text": "a"}\n    {"text": "b"}\n  ]}\n}\n',
    "Solution.sln.template": "\ufeff\nMicrosoft Visual Studio Solution File, Format Version 12.00\n# Visual Studio\nA = B\n",
    "example-message.json": 'SQS message example\nThe table: "CLIENT".\n\n{"CLIENT": [1]}\n',
}


@pytest.mark.parametrize("name", sorted(NOT_TEMPLATES))
def test_broken_files_that_are_not_templates_are_passed_over(tmp_path, name):
    assert parse_template(name, NOT_TEMPLATES[name]) is None
    _write(tmp_path, name, NOT_TEMPLATES[name])
    _write(tmp_path, "template.yaml", "Resources:\n  B:\n    Type: AWS::SNS::Topic\n")
    result = _scan(tmp_path)
    assert [n for n in result.notifications if n.path.endswith(name)] == []


@pytest.mark.parametrize("text", [
    "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A: [1\n",
    '{"Resources": {"A": {"Type": "AWS::SNS::Topic"}}',
    "Description: x\nResources:\n  MappingRest:curc\n    Type: AWS::ApiGateway::BasePathMapping\n",
    "a: !!python/object/apply:os.system ['true']\n",
    "[" * 300 + "]" * 300,
])
def test_broken_templates_and_refused_input_are_still_errors(text):
    with pytest.raises(TemplateError):
        parse_template("t", text)


def test_big_json_that_is_not_a_template_is_not_parsed_line_by_line(monkeypatch):
    text = '{"version": "2.0", "shapes": {%s}}' % ",".join('"S%d": {"type": "string", "documentation": "[x] {y} *z* !"}' % i
                                                     for i in range(2000))

    def fail(_text):
        raise AssertionError("read_json called")

    monkeypatch.setattr(loader, "read_json", fail)
    assert parse_template("service-2.json", text) is None


def test_flow_style_yaml_template_starting_with_a_brace_is_still_read():
    template = parse_template("t.yaml", "{Resources: {B: {Type: AWS::SNS::Topic}}}  # flow style\n")
    assert template is not None and template.data["Resources"]["B"]["Type"] == "AWS::SNS::Topic"
    single_quoted = parse_template("t.json", "{'Resources': {'B': {'Type': 'AWS::SNS::Topic'}}}")
    assert single_quoted is not None and single_quoted.data["Resources"]["B"]["Type"] == "AWS::SNS::Topic"
