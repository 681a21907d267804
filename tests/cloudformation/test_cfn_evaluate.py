"""evaluate_templates: parameters, intrinsics, conditions/variants, references, notifications."""
from __future__ import annotations

import pickle

import pytest

from iacguard.cloudformation import TemplateError, evaluate_templates, parse_template
from iacguard.core.model import Notification, Reference, ScanOptions, UnknownValue
from iacguard.core.unknown import Unknown

from cfn_helpers import FIXTURES, by_address, scan_folder

SYNTAXES = ["yaml", "json"]


# -- parameters ------------------------------------------------------------------------------------

def _volume(result):
    return by_address(result)["Volume"]


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_parameter_defaults_and_types(syntax):
    result = scan_folder(FIXTURES / "params", "params." + syntax)
    volume = _volume(result)
    assert volume.properties == {
        "Size": 20,
        "Tag": "dev",
        "SubnetIds": ["subnet-1", "subnet-2"],
        "Names": ["a", "b", "c"],
        "ImageId": Unknown(),
        "Password": Unknown(),
    }
    assert volume.properties["ImageId"].reason == "parameter Ami is read from SSM Parameter Store at deploy"
    assert volume.properties["Password"].reason == "parameter Secret has no value"
    lines = {"yaml": (30, 31), "json": (49, 52)}[syntax]
    path = str(FIXTURES / "params" / ("params." + syntax))
    assert result.unknowns == [
        UnknownValue(path, lines[0], "Volume.ImageId", "parameter Ami is read from SSM Parameter Store at deploy"),
        UnknownValue(path, lines[1], "Volume.Password", "parameter Secret has no value"),
    ]
    assert [(s.id, s.kind, s.location.start_line) for s in result.symbols if s.kind == "parameter"] == [
        ("cfn:params.%s#param:%s" % (syntax, name), "parameter", line)
        for name, line in zip(["Env", "Size", "Subnets", "Names", "Ami", "Secret"],
                              {"yaml": [3, 7, 10, 13, 16, 19], "json": [4, 12, 16, 20, 24, 28]}[syntax])
    ]
    assert result.notifications == []


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_cfn_param_overrides(syntax):
    result = scan_folder(FIXTURES / "params", "params." + syntax,
                         cfn_params={"Env": "prod", "Size": "100", "Names": "x , y", "Ami": "ami-1"})
    props = _volume(result).properties
    assert (props["Tag"], props["Size"], props["Names"]) == ("prod", 100, ["x", "y"])
    assert isinstance(props["ImageId"], Unknown)  # still an SSM parameter name


def test_cfn_param_list_of_assignments():
    result = scan_folder(FIXTURES / "params", "params.yaml", cfn_params=["Env=prod", "Secret=a=b"])
    props = _volume(result).properties
    assert (props["Tag"], props["Password"]) == ("prod", "a=b")


def test_param_files_both_forms_then_cli_wins():
    folder = FIXTURES / "params"
    result = scan_folder(folder, "params.yaml", cfn_param_files=[str(folder / "cli-form.json")])
    props = _volume(result).properties
    assert (props["Tag"], props["Password"], props["Size"]) == ("prod", "s3cr3t", 100)
    result = scan_folder(folder, "params.yaml", cfn_param_files=[str(folder / "pipeline-form.json")],
                         cfn_params={"Env": "dev"})
    props = _volume(result).properties
    assert (props["Tag"], props["Names"]) == ("dev", ["x", "y"])


def test_bad_param_file_is_an_error_naming_it():
    folder = FIXTURES / "params"
    bad = str(folder / "broken-params.json")
    result = scan_folder(folder, "params.yaml", cfn_param_files=[bad, str(folder / "missing.json")])
    errors = [n for n in result.notifications if n.level == "error"]
    assert [(n.path, n.message.split(":")[0]) for n in errors] == [
        (bad, "cannot read CloudFormation parameter file %s" % bad),
        (str(folder / "missing.json"), "cannot read CloudFormation parameter file %s" % (folder / "missing.json")),
    ]
    assert _volume(result).properties["Tag"] == "dev"  # the scan goes on


@pytest.mark.parametrize("syntax,line", [("yaml", 3), ("json", 4)])
def test_allowed_values_violation_warns(syntax, line):
    path = str(FIXTURES / "params" / ("params." + syntax))
    result = scan_folder(FIXTURES / "params", "params." + syntax, cfn_params={"Env": "staging"})
    assert result.notifications == [
        Notification("warning", "value 'staging' of parameter Env is not one of its AllowedValues", path, line)]
    assert _volume(result).properties["Tag"] == "staging"


# -- intrinsic functions ---------------------------------------------------------------------------

@pytest.mark.parametrize("syntax", SYNTAXES)
def test_intrinsics(syntax):
    result = scan_folder(FIXTURES / "intrinsics", "intrinsics." + syntax)
    values = by_address(result)["Values"].properties
    known = {k: v for k, v in values.items() if not isinstance(v, Unknown)}
    assert known == {
        "RefParam": "prod",
        "RefBucket": "prod-data",  # a bucket's Ref is its (known) BucketName
        "Partition": "aws",
        "Suffix": "amazonaws.com",
        "BucketArn": "arn:aws:s3:::prod-data",
        "SubString": "arn:aws:s3:::prod-data/*",
        "SubList": "ab-prod",
        "SubEscape": "${Literal}-prod",
        "Join": "a,prod,3",
        "Select": "y",
        "Split": ["a", "b", "", "c"],
        "FindInMap": "ami-123",
        "FindInMapDefault": "ami-default",
        "Base64": "#!/bin/bash",
        "Cidr": ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
        "Length": 3,
        "Json": '{"a":[1,true]}',
        "List": ["one", "three"],
    }
    unknown = {k: v.reason for k, v in values.items() if isinstance(v, Unknown)}
    assert unknown == {
        "RefQueue": "physical id of Queue is known after deploy",
        "Region": "pseudo parameter AWS::Region is known at deploy",
        "GetAttShort": "attribute Queue.Arn is known after deploy",
        "SubUnknown": "pseudo parameter AWS::Region is known at deploy",
        "AZs": "availability zones are known at deploy",
        "Import": "value imported from another stack (SharedVpc)",
        "Bogus": "unknown intrinsic function Fn::Bogus",
        "Missing": "Ref to undefined Nope",
    }
    assert "NoValueKey" not in values
    path = str(FIXTURES / "intrinsics" / ("intrinsics." + syntax))
    # Warnings point at the function; unknowns at the property holding it.
    bogus, missing = {"yaml": (43, 44), "json": (182, 185)}[syntax]
    assert result.notifications == [
        Notification("warning", "unknown intrinsic function Fn::Bogus", path, bogus),
        Notification("warning", "Ref to 'Nope', which is not a parameter or resource of this template", path, missing),
    ]
    bogus, missing = {"yaml": (43, 44), "json": (181, 184)}[syntax]
    assert [(u.what, u.line) for u in result.unknowns][-2:] == [("Values.Bogus", bogus), ("Values.Missing", missing)]


def test_list_item_removed_by_no_value_keeps_locations_in_step():
    result = scan_folder(FIXTURES / "intrinsics", "intrinsics.yaml")
    values = by_address(result)["Values"]
    assert values.location_of("List", 1).start_line == 42  # "three", not the removed item
    assert ("List", 2) not in values.property_locations


# -- conditions ------------------------------------------------------------------------------------

@pytest.mark.parametrize("syntax", SYNTAXES)
def test_conditions_and_variants(syntax):
    result = scan_folder(FIXTURES / "conditions", "conditions." + syntax)
    base = "cfn:conditions.%s#" % syntax
    assert [(r.id, r.address, r.conditions) for r in result.resources] == [
        (base + "DevOnly", "DevOnly", ()),
        (base + "Bucket?Encrypted=true,Plain=false", "Bucket", (("Encrypted", True), ("Plain", False))),
        (base + "Bucket?Encrypted=false,Plain=true", "Bucket", (("Encrypted", False), ("Plain", True))),
        (base + "SecureQueue?Encrypted=true,Plain=false", "SecureQueue", (("Encrypted", True), ("Plain", False))),
    ]
    dev_only, encrypted, plain, queue = result.resources
    assert dev_only.properties == {"TopicName": "dev-topic"}
    assert dev_only.meta == {"base_id": base + "DevOnly", "condition": "IsDev", "root_module": str(FIXTURES / "conditions" / ("conditions." + syntax))}
    assert encrypted.properties == {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
        "VersioningConfiguration": {"Status": "Enabled"},
    }
    assert plain.properties == {"VersioningConfiguration": {"Status": "Suspended"}}
    assert encrypted.meta["base_id"] == plain.meta["base_id"] == base + "Bucket"
    assert queue.properties == {"KmsMasterKeyId": "alias/aws/sqs"}
    # A property chosen by Fn::If points into the chosen branch.
    line = {"yaml": 26, "json": 81}[syntax]
    assert encrypted.location_of("BucketEncryption", "ServerSideEncryptionConfiguration", 0).start_line == line


def test_conditions_decided_by_parameter_give_single_resources():
    result = scan_folder(FIXTURES / "conditions", "conditions.yaml", cfn_params={"Mode": "secure", "Env": "prod"})
    assert [(r.id, r.conditions) for r in result.resources] == [
        ("cfn:conditions.yaml#ProdOnly", ()),
        ("cfn:conditions.yaml#Bucket", ()),
        ("cfn:conditions.yaml#SecureQueue", ()),
        ("cfn:conditions.yaml#Never", ()),
    ]
    assert by_address(result)["Bucket"].properties["VersioningConfiguration"] == {"Status": "Enabled"}


def test_variant_cap_makes_extra_conditions_unknown():
    conditions = "".join("  C%d: !Equals [!Ref P%d, x]\n" % (i, i) for i in range(5))
    params = "".join("  P%d: {Type: String}\n" % i for i in range(5))
    props = "".join("      V%d: !If [C%d, a, b]\n" % (i, i) for i in range(5))
    text = ("Parameters:\n" + params + "Conditions:\n" + conditions +
            "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n" + props)
    template = parse_template("/scan/t.yaml", text)
    result = evaluate_templates({"/scan/t.yaml": template}, "/scan", ScanOptions())
    assert len(result.resources) == 8
    first = result.resources[0]
    assert first.id == "cfn:t.yaml#T?C0=true,C1=true,C2=true"
    assert first.properties == {"V0": "a", "V1": "a", "V2": "a", "V3": Unknown(), "V4": Unknown()}
    assert first.properties["V3"].reason == "condition C3 is undecided"


# -- references ------------------------------------------------------------------------------------

@pytest.mark.parametrize("syntax", SYNTAXES)
def test_references_with_paths(syntax):
    result = scan_folder(FIXTURES / "references", "references." + syntax)
    s = "cfn:references.%s#" % syntax
    bucket = s + "Bucket"
    assert set(r for r in result.references if r.source == bucket) == {
        Reference(bucket, s + "param:Env", ("BucketName",)),
        Reference(bucket, s + "Key", ("BucketEncryption", "ServerSideEncryptionConfiguration", 0,
                                      "ServerSideEncryptionByDefault", "KMSMasterKeyID"), "Arn"),
        Reference(bucket, s + "Role", ("Policy",), "Arn"),
        Reference(bucket, s + "Key", ("Logging",)),
        Reference(bucket, s + "Role", ("Logging",), "Arn"),
        Reference(bucket, s + "Key", ("Other",), "KeyId"),
        Reference(bucket, s + "param:Env", ("Other",)),
        Reference(bucket, s + "condition:IsDev", ("Tags",)),
        Reference(bucket, s + "Role", (), "", "depends_on"),
        Reference(bucket, s + "Key", (), "", "depends_on"),
        Reference(bucket, s + "condition:IsDev", (), "", "condition"),
    }
    assert set(r for r in result.references if r.source != bucket) == {
        Reference(s + "condition:IsDev", s + "param:Env"),
        Reference(s + "output:BucketName", bucket),
    }
    bucket_resource = by_address(result)["Bucket"]
    assert bucket_resource.meta["depends_on"] == ["Role", "Key"]
    assert bucket_resource.properties["Tags"] == []
    assert [(x.id, x.kind) for x in result.symbols] == [
        (s + "param:Env", "parameter"), (s + "condition:IsDev", "condition"), (s + "output:BucketName", "output")]


def test_missing_depends_on_target_warns():
    text = "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    DependsOn: Ghost\n"
    result = evaluate_templates({"/s/t.yaml": parse_template("/s/t.yaml", text)}, "/s", ScanOptions())
    assert result.notifications == [Notification(
        "warning", "resource A depends on Ghost, which is not a resource of this template", "/s/t.yaml", 4)]


# -- robustness ------------------------------------------------------------------------------------

def test_template_errors_and_warnings_become_notifications():
    good = parse_template("/s/good.yaml", (FIXTURES / "loader" / "lines.yaml").read_text())
    error = TemplateError("while parsing a block mapping", 7)
    result = evaluate_templates({"/s/good.yaml": good, "/s/bad.yaml": error}, "/s", ScanOptions())
    assert result.notifications == [
        Notification("error", "while parsing a block mapping", "/s/bad.yaml", 7),
        Notification("warning", "duplicate key 'Type' (first at line 28); the last one is used", "/s/good.yaml", 29),
    ]
    assert result.files == ["/s/bad.yaml", "/s/good.yaml"]
    bucket = [r for r in result.resources if r.address == "Bucket"][0]
    assert bucket.id == "cfn:good.yaml#Bucket"
    assert (bucket.location.start_line, bucket.location.end_line) == (5, 18)
    assert bucket.properties["Tags"] == [{"Key": "team", "Value": "core"}, {"Key": "tier"}]
    assert bucket.location_of("BucketEncryption", "ServerSideEncryptionConfiguration", 0).start_line == 11


def test_internal_error_in_one_template_does_not_stop_others(monkeypatch):
    from iacguard.cloudformation import evaluate as module

    good = parse_template("/s/a.yaml", "Resources:\n  A:\n    Type: AWS::SNS::Topic\n")
    broken = parse_template("/s/b.yaml", "Resources:\n  B:\n    Type: AWS::SNS::Topic\n")
    original = module.Stack._evaluate_resource

    def explode(self, decl):
        if decl.logical_id == "B":
            raise RuntimeError("boom")
        return original(self, decl)

    monkeypatch.setattr(module.Stack, "_evaluate_resource", explode)
    result = evaluate_templates({"/s/a.yaml": good, "/s/b.yaml": broken}, "/s", ScanOptions())
    assert [r.id for r in result.resources] == ["cfn:a.yaml#A"]
    assert result.notifications == [
        Notification("error", "internal error evaluating b.yaml: RuntimeError: boom", "/s/b.yaml", 0)]


def test_result_pickles():
    result = scan_folder(FIXTURES / "conditions", "conditions.yaml")
    assert pickle.loads(pickle.dumps(result)).resources[0].properties == {"TopicName": "dev-topic"}
