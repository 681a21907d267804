"""The parse stage passes over YAML and JSON files that cannot be templates without reading them
as YAML: a template has a `Resources` or `AWSTemplateFormatVersion` key, and the only ways to
write either without its letters are escapes. Each spelling below is a template all the same."""
from __future__ import annotations

import pytest

from iacguard.discover import SourceFile
from iacguard.parse import _parse_text

BUCKET = "    Type: AWS::S3::Bucket\n"


def _kind(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return _parse_text(SourceFile(str(path), str(tmp_path), "data"), text)[0]


@pytest.mark.parametrize("name, text", [
    ("plain.yaml", "Resources:\n  B:\n" + BUCKET),
    ("hex.yaml", '"Resourc\\x65s":\n  B:\n' + BUCKET),
    ("u4.yaml", '"\\u0052esources":\n  B:\n' + BUCKET),
    ("u8.yaml", '"\\U00000052esources":\n  B:\n' + BUCKET),
    ("folded.yaml", '? "Resour\\\n  ces"\n:\n  B:\n' + BUCKET),
    ("version.yaml", '"AWSTemplate\\u0046ormatVersion": "2010-09-09"\n"Re\\u0073ources":\n  B:\n' + BUCKET),
    ("u4.json", '{"\\u0052esources": {"B": {"Type": "AWS::S3::Bucket"}}}'),
])
def test_every_spelling_of_a_template_key_is_still_a_template(tmp_path, name, text):
    assert _kind(tmp_path, name, text) == "cloudformation"


@pytest.mark.parametrize("name, text", [
    ("ci.yml", 'on: push\njobs:\n  a:\n    steps:\n      - run: curl -H \\"x\\" C:\\dir\n'),
    ("package.json", '{"name": "x", "scripts": {"t": "echo \\"hi\\""}}'),
    ("k8s.yaml", "kind: Service\nmetadata:\n  name: web\n"),
])
def test_files_with_no_template_key_are_other(tmp_path, name, text):
    assert _kind(tmp_path, name, text) == "other"
