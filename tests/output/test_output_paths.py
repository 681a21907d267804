"""How reports name files."""
from __future__ import annotations

import os

import pytest

from iacguard.output.paths import directory_uri, display_path, relative_path, relative_uri


def test_relative_path():
    assert relative_path("/repo/infra/main.tf", "/repo") == "infra/main.tf"
    assert relative_path("/repo/infra/main.tf", "/repo/") == "infra/main.tf"
    assert relative_path("/repository/main.tf", "/repo") is None
    assert relative_path("/elsewhere/main.tf", "/repo") is None
    assert relative_path("/repo/main.tf", "") is None
    assert display_path("/elsewhere/main.tf", "/repo") == "/elsewhere/main.tf"


def test_uris():
    assert relative_uri("my dir/a#b%.tf") == "my%20dir/a%23b%25.tf"
    assert directory_uri("/work/my repo") == "file:///work/my%20repo/"
    assert directory_uri("/") == "file:///"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_cwd_through_a_symlink(tmp_path):
    real = tmp_path.resolve() / "real"
    real.mkdir()
    link = tmp_path.resolve() / "link"
    link.symlink_to(real)
    assert relative_path(str(real / "main.tf"), str(link)) == "main.tf"
    assert relative_path(str(link / "main.tf"), str(link)) == "main.tf"
    assert display_path(str(real / "sub" / "a.yaml"), str(link)) == "sub/a.yaml"
    # The working directory itself, named either way, is "."; a file elsewhere keeps its path.
    assert display_path(str(real), str(link)) == display_path(str(link), str(link)) == "."
    assert display_path(str(tmp_path.resolve() / "other.tf"), str(link)) == str(tmp_path.resolve() / "other.tf")
