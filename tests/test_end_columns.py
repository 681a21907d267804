"""Parsers record where each line ends, so that Locations (and SARIF regions) carry end columns
without any later stage re-reading a source file. Columns are 1-based and exclusive: one more
than the length of the span's last line ("\\n" lines; the "\\r" of CRLF and a BOM are not counted)."""
from __future__ import annotations

from iacguard.cloudformation.loader import parse_template
from iacguard.core.model import end_column, line_end_columns, span_location
from iacguard.terraform.parser import parse_hcl, parse_tf_json

HCL = (
    'resource "aws_s3_bucket" "b" {\n'
    '  bucket = "x"   # trailing comment  \n'  # 2: the comment and blanks count, as the line does
    "  tags = {\n"
    '    a = "1"\n'
    "  }\n"                                    # 5: 3
    "}\n"                                      # 6: 1
)


def test_hcl_attribute_with_trailing_comment_and_multiline_block():
    cf = parse_hcl(HCL, "/x/main.tf")
    block = cf.body.blocks[0]
    assert span_location(cf.path, block.line, block.end_line, cf.line_ends).end_col == 2  # "}" ends line 6
    bucket = block.body.attributes["bucket"]
    assert span_location(cf.path, bucket.line, bucket.end_line, cf.line_ends).end_col == len('  bucket = "x"   # trailing comment  ') + 1
    tags = block.body.attributes["tags"]
    assert (tags.line, tags.end_line, end_column(cf.line_ends, tags.line, tags.end_line)) == (3, 5, 4)


def test_crlf_and_byte_order_mark_are_not_columns():
    cf = parse_hcl("\ufeffa = 1\r\nb = 22\r\n", "/x/v.tf")
    assert cf.line_ends[:2] == [6, 7]
    assert line_end_columns("\ufeffab\r\n\r\nc") == [3, 1, 2]


def test_tf_json_lines():
    cf = parse_tf_json('{"resource": {"aws_s3_bucket": {"j": {\n  "bucket": "j"\n}}}}\n', "/x/m.tf.json")
    block = cf.body.blocks[0]
    assert (block.line, block.end_line, end_column(cf.line_ends, block.line, block.end_line)) == (1, 3, 5)


def test_flow_style_yaml_template():
    text = (
        '{AWSTemplateFormatVersion: "2010-09-09", Resources: {B: {Type: "AWS::S3::Bucket"},\n'
        '  Q: {Type: "AWS::SQS::Queue"}}}   # comment\n'
    )
    t = parse_template("/x/t.yaml", text)
    start, end = t.lines[("Resources", "Q")]
    assert (start, end) == (2, 2)
    assert end_column(t.line_ends, start, end) == len('  Q: {Type: "AWS::SQS::Queue"}}}   # comment') + 1


def test_json_template():
    text = '{\n  "Resources": {\n    "B": {"Type": "AWS::S3::Bucket"}\n  }\n}\n'
    t = parse_template("/x/t.json", text)
    start, end = t.lines[("Resources", "B")]
    assert end_column(t.line_ends, start, end) == len('    "B": {"Type": "AWS::S3::Bucket"}') + 1


def test_line_outside_the_table_is_end_of_line():
    assert span_location("/x", 0, 0, [5]).end_col == 5  # line 0 means line 1, as reports show it
    assert span_location("/x", 3, 3, [5]).end_col == 0
