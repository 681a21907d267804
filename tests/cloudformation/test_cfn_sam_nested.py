"""SAM expansion and nested stacks."""
from __future__ import annotations

import pytest

from iacguard.core.model import Notification, Reference
from iacguard.core.unknown import Unknown

from cfn_helpers import FIXTURES, by_address, scan_folder

SYNTAXES = ["yaml", "json"]

# -- SAM -------------------------------------------------------------------------------------------

SAM_RESOURCES = [
    ("ApiFunction", "AWS::Lambda::Function", "ApiFunction"),
    ("ApiFunctionRole", "AWS::IAM::Role", "ApiFunction"),
    ("ApiFunctionGetItemsPermissionProd", "AWS::Lambda::Permission", "ApiFunction"),
    ("ApiFunctionNightly", "AWS::Events::Rule", "ApiFunction"),
    ("ApiFunctionNightlyPermission", "AWS::Lambda::Permission", "ApiFunction"),
    ("ApiFunctionUrl", "AWS::Lambda::Url", "ApiFunction"),
    ("ApiFunctionUrlPublicPermissions", "AWS::Lambda::Permission", "ApiFunction"),
    ("Table", "AWS::DynamoDB::Table", "Table"),
    ("Flow", "AWS::StepFunctions::StateMachine", "Flow"),
    ("FlowRole", "AWS::IAM::Role", "Flow"),
    ("Libs", "AWS::Lambda::LayerVersion", "Libs"),
    ("PrivateApi", "AWS::ApiGateway::RestApi", "PrivateApi"),
    ("PrivateApiDeployment", "AWS::ApiGateway::Deployment", "PrivateApi"),
    ("PrivateApiv1Stage", "AWS::ApiGateway::Stage", "PrivateApi"),
    ("HttpFunction", "AWS::Lambda::Function", "HttpFunction"),
    ("HttpFunctionAnyPermission", "AWS::Lambda::Permission", "HttpFunction"),
    ("HttpFunctionViaPrivatePermission", "AWS::Lambda::Permission", "HttpFunction"),
    ("ServerlessRestApi", "AWS::ApiGateway::RestApi", "ApiFunction"),
    ("ServerlessRestApiDeployment", "AWS::ApiGateway::Deployment", "ApiFunction"),
    ("ServerlessRestApiProdStage", "AWS::ApiGateway::Stage", "ApiFunction"),
    ("ServerlessHttpApi", "AWS::ApiGatewayV2::Api", "HttpFunction"),
    ("ServerlessHttpApiApiGatewayDefaultStage", "AWS::ApiGatewayV2::Stage", "HttpFunction"),
]

# SAM resource -> its span, per syntax
SAM_SPANS = {
    "yaml": {"ApiFunction": (13, 41), "Table": (42, 48), "Flow": (49, 58), "Libs": (59, 64),
             "PrivateApi": (65, 70), "HttpFunction": (71, 85)},
    "json": {"ApiFunction": (19, 68), "Table": (69, 81), "Flow": (82, 104), "Libs": (105, 114),
             "PrivateApi": (115, 122), "HttpFunction": (123, 145)},
}


@pytest.fixture(scope="module", params=SYNTAXES)
def sam(request):
    return request.param, scan_folder(FIXTURES / "sam", "sam." + request.param)


def test_sam_resources_named_like_sam_with_source_and_location(sam):
    syntax, result = sam
    assert [(r.address, r.type, r.meta["sam_source"]) for r in result.resources] == SAM_RESOURCES
    for r in result.resources:
        assert r.id == "cfn:sam.%s#%s" % (syntax, r.address)
        assert (r.location.start_line, r.location.end_line) == SAM_SPANS[syntax][r.meta["sam_source"]]


def test_sam_function_with_globals_role_and_policies(sam):
    syntax, result = sam
    resources = by_address(result)
    function = resources["ApiFunction"]
    assert function.properties == {
        "Handler": "app.handler",
        "Runtime": "python3.12",
        "Timeout": 30,
        "Environment": {"Variables": {"STAGE": "prod", "TABLE": "items"}},
        "Code": {"S3Bucket": "artifacts", "S3Key": "code.zip"},
        "TracingConfig": {"Mode": "Active"},
        "Tags": [{"Key": "team", "Value": "core"}, {"Key": "lambda:createdBy", "Value": "SAM"}],
        "Role": Unknown(),
    }
    # Globals keep their own lines; the function's keys keep theirs.
    runtime, tracing = {"yaml": (5, 18), "json": (6, 24)}[syntax]
    assert function.location_of("Runtime").start_line == runtime
    assert function.location_of("TracingConfig").start_line == tracing
    role = resources["ApiFunctionRole"].properties
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": ["lambda.amazonaws.com"]}
    assert role["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    ]
    assert [p["PolicyName"] for p in role["Policies"]] == ["ApiFunctionRolePolicy0", "ApiFunctionRolePolicy1"]
    assert role["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"] == ["sqs:SendMessage*"]
    assert role["Policies"][1]["PolicyDocument"] == {
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    assert resources["ApiFunctionRole"].meta["sam_policy_templates"] == ["SQSSendMessagePolicy"]
    # Each generated policy points at the SAM Policies item it came from.
    lines = {"yaml": (23, 24, 26), "json": (33, 34, 39)}[syntax]
    role_resource = resources["ApiFunctionRole"]
    assert [role_resource.location_of("ManagedPolicyArns", 2).start_line,
            role_resource.location_of("Policies", 0).start_line,
            role_resource.location_of("Policies", 1, "PolicyDocument", "Statement").start_line] == list(lines)
    assert {(r.target, r.path, r.attribute) for r in result.references if r.source.endswith("#ApiFunction")} == {
        ("cfn:sam.%s#Table" % syntax, ("Environment", "Variables", "TABLE"), ""),
        ("cfn:sam.%s#ApiFunctionRole" % syntax, ("Role",), "Arn"),
    }


def test_sam_events_and_function_url(sam):
    syntax, result = sam
    resources = by_address(result)
    rest = resources["ServerlessRestApi"].properties["Body"]
    assert list(rest["paths"]) == ["/items"] and list(rest["paths"]["/items"]) == ["get"]
    assert rest["swagger"] == "2.0"
    http = resources["ServerlessHttpApi"].properties["Body"]
    assert list(http["paths"]) == ["$default"]
    assert list(http["paths"]["$default"]) == ["x-amazon-apigateway-any-method"]
    assert resources["ServerlessRestApiProdStage"].properties["StageName"] == "Prod"
    assert resources["ServerlessHttpApiApiGatewayDefaultStage"].properties["StageName"] == "$default"
    private = resources["PrivateApi"].properties
    assert private["EndpointConfiguration"] == {"Types": ["PRIVATE"]}
    assert list(private["Body"]["paths"]) == ["/private"]
    assert resources["PrivateApiv1Stage"].properties["TracingEnabled"] is True
    assert resources["ApiFunctionNightly"].properties["ScheduleExpression"] == "rate(1 day)"
    assert resources["ApiFunctionUrl"].properties["AuthType"] == "NONE"
    assert resources["ApiFunctionUrlPublicPermissions"].properties["Principal"] == "*"
    assert resources["HttpFunction"].properties["Role"] == "arn:aws:iam::123456789012:role/existing"
    assert resources["HttpFunction"].properties["Code"] == {"ZipFile": "def http(e, c): return 1"}
    assert "HttpFunctionRole" not in resources


def test_sam_table_state_machine_layer(sam):
    syntax, result = sam
    resources = by_address(result)
    assert resources["Table"].properties == {
        "TableName": "items",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "SSESpecification": {"SSEEnabled": True},
        "BillingMode": "PAY_PER_REQUEST",
    }
    sse_line = {"yaml": 47, "json": 77}[syntax]
    assert resources["Table"].location_of("SSESpecification").start_line == sse_line
    flow = resources["Flow"].properties
    assert flow["Definition"] == {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    assert isinstance(flow["RoleArn"], Unknown)
    flow_role = resources["FlowRole"].properties
    assert flow_role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": ["states.amazonaws.com"]}
    assert flow_role["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"] == ["lambda:InvokeFunction"]
    assert resources["Libs"].properties == {
        "CompatibleRuntimes": ["python3.12"], "Content": {"S3Bucket": "artifacts", "S3Key": "libs.zip"}}
    assert resources["Libs"].meta["deletion_policy"] == "Retain"


# -- nested stacks ---------------------------------------------------------------------------------

@pytest.mark.parametrize("syntax", SYNTAXES)
def test_nested_stack_parameters_outputs_and_notes(syntax):
    folder = FIXTURES / "nested" / syntax
    result = scan_folder(folder)
    parent = "cfn:parent.%s#" % syntax
    child = "cfn:children/network.%s@parent.%s#Network/" % (syntax, syntax)
    assert [(r.id, r.address, r.module) for r in result.resources] == [
        (parent + "Logs", "Logs", ""),
        (parent + "Network", "Network", ""),
        (child + "Topic", "Network/Topic", "Network"),
        (child + "Queue", "Network/Queue", "Network"),
        (parent + "Consumer", "Consumer", ""),
        (parent + "Remote", "Remote", ""),
        (parent + "Outside", "Outside", ""),
        (parent + "Gone", "Gone", ""),
        (parent + "FromRemote", "FromRemote", ""),
    ]
    resources = by_address(result)
    assert resources["Network/Topic"].properties == {"TopicName": "prod-events"}  # parent's Env, not "dev"
    assert resources["Network/Topic"].location.path == str(folder / "children" / ("network." + syntax))
    assert resources["Consumer"].properties["QueueName"] == "prod-events"  # output flowed back
    assert resources["Consumer"].properties["RedrivePolicy"]["deadLetterTargetArn"].reason == \
        "attribute Network/Queue.Arn is known after deploy"
    assert resources["FromRemote"].properties["TopicName"].reason == "output Name of nested stack Remote is not known"
    path = str(folder / ("parent." + syntax))
    lines = {"yaml": (20, 24, 28), "json": (46, 52, 58)}[syntax]
    assert result.notifications == [
        Notification("note", "nested stack Remote: template https://s3.amazonaws.com/bucket/remote.yaml is remote; "
                             "its resources are not scanned", path, lines[0]),
        Notification("note", "nested stack Outside: template ../outside.%s is outside the scan root; not followed"
                     % "yaml", path, lines[1]),
        Notification("note", "nested stack Gone: template children/missing.%s is not among the CloudFormation "
                             "templates scanned" % syntax, path, lines[2]),
    ]
    assert [(s.id, s.kind) for s in result.symbols if s.kind == "nested_stack"] == [
        (parent + "stack:Remote", "nested_stack"), (parent + "stack:Outside", "nested_stack"),
        (parent + "stack:Gone", "nested_stack")]
    refs = set(result.references)
    assert {
        Reference(child + "param:Env", parent + "param:Env", (), "", "stack_parameter"),
        Reference(child + "param:LogBucket", parent + "Logs", (), "", "stack_parameter"),
        Reference(parent + "Network", child + "Topic", (), "", "nested_stack"),
        Reference(parent + "Network", child + "Queue", (), "", "nested_stack"),
        Reference(parent + "Consumer", parent + "Network", ("QueueName",), "Outputs.TopicName"),
        Reference(parent + "Consumer", child + "output:TopicName", ("QueueName",)),
        Reference(parent + "Consumer", parent + "Network", ("RedrivePolicy", "deadLetterTargetArn"), "Outputs.QueueArn"),
        Reference(child + "output:QueueArn", child + "Queue", (), "Arn"),
    } <= refs
    # The child is evaluated only as part of its parent.
    assert not any(r.id.startswith("cfn:children/network.%s#" % syntax) for r in result.resources)
    assert result.files == sorted([str(folder / "children" / ("network." + syntax)), path])


def test_nested_stack_cycle_is_refused(tmp_path):
    (tmp_path / "a.yaml").write_text("Resources:\n  B:\n    Type: AWS::CloudFormation::Stack\n"
                                     "    Properties: {TemplateURL: b.yaml}\n")
    (tmp_path / "b.yaml").write_text("Resources:\n  A:\n    Type: AWS::CloudFormation::Stack\n"
                                     "    Properties: {TemplateURL: a.yaml}\n")
    result = scan_folder(tmp_path)
    assert [r.address for r in result.resources] == ["B", "B/A"]
    assert result.notifications == [Notification(
        "note", "nested stack B/A: it nests its own ancestor template", str(tmp_path / "b.yaml"), 2)]


def test_url_built_from_a_remote_address_is_named_remote(tmp_path):
    (tmp_path / "main.yaml").write_text(
        "Parameters:\n  Bucket: {Type: String}\nResources:\n  Net:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties:\n      TemplateURL: !Sub https://${Bucket}.s3.amazonaws.com/net.yaml\n")
    result = scan_folder(tmp_path)
    assert result.notifications == [Notification(
        "note", "nested stack Net: its template is at a remote URL (https://...), not scanned",
        str(tmp_path / "main.yaml"), 4)]


def test_sam_application_with_local_location_is_a_nested_stack(tmp_path):
    (tmp_path / "app.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Storage:\n    Type: AWS::Serverless::Application\n"
        "    Properties:\n      Location: lib/storage.yaml\n      Parameters: {Name: logs}\n")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "storage.yaml").write_text(
        "Parameters:\n  Name: {Type: String}\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
        "    Properties:\n      BucketName: !Ref Name\n")
    result = scan_folder(tmp_path)
    assert [(r.id, r.type, r.properties) for r in result.resources] == [
        ("cfn:app.yaml#Storage", "AWS::CloudFormation::Stack",
         {"TemplateURL": "lib/storage.yaml", "Parameters": {"Name": "logs"}}),
        ("cfn:lib/storage.yaml@app.yaml#Storage/Bucket", "AWS::S3::Bucket", {"BucketName": "logs"}),
    ]
    assert result.notifications == []
