"""The format table the CLI picks from."""
from __future__ import annotations

import json

import pytest

from iacguard import output


def test_formats(result):
    assert sorted(output.FORMATS) == ["github", "gitlab", "gitlab-sast", "html", "json", "junit", "markdown", "sarif", "text"]
    assert output.render("text", result, color=False, verbose=True).startswith("main.tf\n")
    assert json.loads(output.render("json", result))["schema_version"] == 1
    assert json.loads(output.render("sarif", result, include_suppressed=False))["version"] == "2.1.0"


def test_unknown_format_and_option(result):
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        output.render("xml", result)
    with pytest.raises(TypeError):
        output.render("json", result, color=True)
