"""Memory at scale: a template is emptied once it is evaluated and nested by no other (its data
and line spans are the largest part of a scan's memory), and the YAML reader shares the strings
that templates repeat."""
from __future__ import annotations

import os

from iacguard.cloudformation import parse_template
from iacguard.cloudformation.evaluate import evaluate_templates

PARENT = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  WebStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ../shared/web.yaml
"""

WEB = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
"""

ALONE = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs
"""


def _templates(tmp_path, files: dict) -> dict:
    out = {}
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        out[str(path)] = parse_template(str(path), text)
    return out


def test_templates_are_emptied_once_evaluated_and_nested_ones_kept_for_their_parents(tmp_path):
    templates = _templates(tmp_path, {"a/parent.yaml": PARENT, "b/parent.yaml": PARENT, "shared/web.yaml": WEB, "alone.yaml": ALONE})
    result = evaluate_templates(dict(templates), str(tmp_path))
    addresses = sorted(r.address for r in result.resources)
    # Both parents still saw the child they nest, and each template was evaluated in full.
    assert addresses.count("WebStack/Db") == 2 and "Logs" in addresses and addresses.count("WebStack") == 2
    location = {r.address: r.location for r in result.resources}["Logs"]
    assert (os.path.basename(location.path), location.start_line) == ("alone.yaml", 3)
    by_name = {os.path.relpath(p, tmp_path): t for p, t in templates.items()}
    for name in ("a/parent.yaml", "b/parent.yaml", "alone.yaml"):
        assert by_name[name].data == {} and by_name[name].lines == {}, name
    assert by_name["shared/web.yaml"].data["Resources"]["Db"]["Properties"]["Engine"] == "postgres"


def test_repeated_names_and_short_values_are_one_string(tmp_path):
    one = parse_template(str(tmp_path / "1.yaml"), ALONE)
    two = parse_template(str(tmp_path / "2.yaml"), ALONE.replace("Logs:", "Other:"))
    (k1,), (k2,) = one.data["Resources"]["Logs"]["Properties"], two.data["Resources"]["Other"]["Properties"]
    assert k1 == k2 == "BucketName" and k1 is k2
    t1, t2 = one.data["Resources"]["Logs"]["Type"], two.data["Resources"]["Other"]["Type"]
    assert t1 == "AWS::S3::Bucket" and t1 is t2
    long_text = "x" * 500
    three = parse_template(str(tmp_path / "3.yaml"), ALONE.replace("logs", long_text))
    assert three.data["Resources"]["Logs"]["Properties"]["BucketName"] == long_text
