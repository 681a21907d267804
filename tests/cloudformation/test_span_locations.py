"""A CloudFormation resource keeps its property locations as line spans (core.model.SpanLocations)
and builds a Location when one is asked for: the same Location as before, through every use
(location_of, pickling, the evaluation cache)."""
from __future__ import annotations

import pickle

from iacguard import cache as parse_cache
from iacguard.cloudformation import parse_template
from iacguard.cloudformation.evaluate import evaluate_templates
from iacguard.core.model import LanguageResult, Location, SpanLocations

TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs
      Tags:
        - Key: team
          Value: data
"""


def _resource(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE)
    result = evaluate_templates({str(path): parse_template(str(path), TEMPLATE)}, str(tmp_path))
    (res,) = result.resources
    return str(path), res, result


def test_locations_are_built_from_the_spans(tmp_path):
    path, res, _ = _resource(tmp_path)
    assert type(res.property_locations) is SpanLocations
    assert res.location_of("BucketName") == Location(path, 6, 6, 1, len("      BucketName: logs") + 1)
    assert res.location_of("Tags", 0, "Value") == Location(path, 9, 9, 1, len("          Value: data") + 1)
    assert res.location_of("Tags") == Location(path, 7, 9, 1, len("          Value: data") + 1)
    assert res.location_of("Nothing", "here") == res.location  # no prefix known: the resource's
    assert res.property_locations[("BucketName",)] == res.location_of("BucketName")
    assert res.property_locations.get(("Nothing",), "x") == "x"


def test_pickled_and_cached_as_they_are(tmp_path):
    path, res, result = _resource(tmp_path)
    again = pickle.loads(pickle.dumps(res))
    assert type(again.property_locations) is SpanLocations and again.location_of("Tags", 0) == res.location_of("Tags", 0)
    entry = tmp_path / "entry"
    entry.write_bytes(parse_cache._header("evaluated") + pickle.dumps(result, protocol=5))
    loaded = parse_cache.read_entry(str(entry), "evaluated", (LanguageResult,))
    assert loaded is not None and loaded.resources[0].location_of("BucketName") == res.location_of("BucketName")
    # A span that is not three integers makes the entry a miss.
    res.property_locations[("BucketName",)] = ("6", 6, 1)
    entry.write_bytes(parse_cache._header("evaluated") + pickle.dumps(result, protocol=5))
    assert parse_cache.read_entry(str(entry), "evaluated", (LanguageResult,)) is None


def test_value_walk_keeps_span3_of_every_node(tmp_path):
    """IntrinsicEvaluator.value writes intrinsics.span3 out for each property node: each entry is
    span3 of the template's span, odd spans included (end before start, line 0, past the end)."""
    from iacguard.cloudformation.intrinsics import IntrinsicEvaluator, span3

    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE)
    template = parse_template(str(path), TEMPLATE)
    src = ("Resources", "Bucket", "Properties")
    odd = {src + ("Tags",): (7, 3), src + ("Tags", 0): (0, 0), src + ("Tags", 0, "Key"): (40, 50),
           src + ("Tags", 0, "Value"): (-2, 1), src + ("BucketName",): (0, -1)}
    for spans in ({}, odd):
        template.lines.update(spans)

        class Stack:
            pass

        stack = Stack()
        stack.template = template
        locations: dict = {}
        ex = IntrinsicEvaluator(stack, None, {}, locations)
        props = template.data["Resources"]["Bucket"]["Properties"]
        assert ex.value(props, src, ()) == props
        expected = {k[len(src):]: span3(v, template.line_ends) for k, v in template.lines.items()
                    if k[:len(src)] == src and len(k) > len(src)}
        assert locations == expected and len(expected) == 5
