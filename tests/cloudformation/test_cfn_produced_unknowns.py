"""A resource's Unknowns are found within what its evaluation produced (function results, values
nested too deeply, a parser's Unknown): the same UnknownValues, at the same lines, as the walk
over every property node; and property locations computed inline equal Stack.span3's."""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.cloudformation import evaluate as cfn_evaluate
from iacguard.core.model import SpanLocations

from cfn_helpers import FIXTURES, scan_folder

TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env:
    Type: String
  Names:
    Type: CommaDelimitedList
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "logs-${AWS::AccountId}-${Env}"
      Size: %s
      Tags:
        - Key: env
          Value: !Ref Env
        - !If [IsProd, {Key: a, Value: !Ref AWS::Region}, !Ref AWS::NoValue]
        - Key: names
          Value: !Join [",", !Ref Names]
      Nested:
        Inner: !If [IsProd, {Deep: [!Ref Env, plain]}, {Deep: [!GetAtt Other.Arn]}]
        List: !Split [",", !Ref Env]
  Other:
    Type: AWS::SQS::Queue
    Properties: !If [IsProd, {QueueName: !Ref Env}, {QueueName: !Ref AWS::StackName}]
  Third:
    Type: AWS::SQS::Queue
    Properties: !Ref Env
""" % ("9" * 4100)  # a number longer than MAX_DIGITS: the parser's Unknown


def _full_walk(self, resource, produced):
    """The former recording: every property node walked."""
    self._record_unknowns(resource)


def _unknowns(result):
    return sorted((u.path, u.line, u.what, u.reason) for u in result.unknowns)


def _folders():
    return [FIXTURES] + sorted(p for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("folder", _folders(), ids=lambda p: p.name)
def test_same_unknowns_as_the_full_walk_on_the_fixtures(folder, monkeypatch):
    new = scan_folder(folder)
    monkeypatch.setattr(cfn_evaluate.Stack, "_record_unknowns_of", _full_walk)
    old = scan_folder(folder)
    assert _unknowns(new) == _unknowns(old)
    assert [r.id for r in new.resources] == [r.id for r in old.resources]


def test_same_unknowns_as_the_full_walk_under_functions(tmp_path: Path, monkeypatch):
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    new = scan_folder(tmp_path)
    got = _unknowns(new)
    # Function results, nested ones, an Fn::If branch, a parser's Unknown (the long number).
    whats = {what for _, _, what, _ in got}
    assert any(w.endswith(".BucketName") for w in whats)
    assert any(w.endswith(".Size") for w in whats)
    assert any(".Nested.Inner" in w for w in whats)
    monkeypatch.setattr(cfn_evaluate.Stack, "_record_unknowns_of", _full_walk)
    old = scan_folder(tmp_path)
    assert got == _unknowns(old)


def test_inline_spans_equal_span3(tmp_path: Path):
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    result = scan_folder(tmp_path)
    assert result.resources
    for res in result.resources:
        locations = res.property_locations
        assert type(locations) is SpanLocations
        for path, span in dict.items(locations):
            start, end, col = span
            assert end >= 1 and start >= 1
            assert res.location_of(*path).end_col == col


def test_properties_that_are_no_mapping_record_nothing(tmp_path: Path):
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    result = scan_folder(tmp_path)
    assert not [u for u in result.unknowns if u.what == "Third"]
