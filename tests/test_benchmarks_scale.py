"""The generators of benchmarks/scale.py (issue 17): at a tiny size, each shape's tree is read
with no error notification and the scan counts exactly the resources generated. No timing here:
benchmarks/scale.py measures."""
from __future__ import annotations

import importlib.util
import os

import pytest

from iacguard.core.model import ScanOptions
from iacguard.engine import scan

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("iacguard_scale", os.path.join(_REPO, "benchmarks", "scale.py"))
scale = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scale)


@pytest.mark.parametrize("shape", sorted(scale.SHAPES))
@pytest.mark.parametrize("size", [60, 137])
def test_generated_tree_scans_cleanly(tmp_path, shape, size):
    folder = tmp_path / "tree"
    expected = scale.SHAPES[shape][1](str(folder), size)
    assert expected == size
    result = scan([str(folder)], ScanOptions(), cwd=str(folder), cache_dir=None)
    errors = [n for n in result.notifications if n.level == "error"]
    assert errors == []
    assert result.resources == size
    assert result.findings  # the trees hold misconfigurations on purpose


def test_many_files_shape_has_about_one_file_per_50_resources(tmp_path):
    scale.gen_many_files(str(tmp_path / "b"), 2000)
    scale.gen_cfn_many(str(tmp_path / "e"), 2000)
    assert 36 <= scale.count_files(str(tmp_path / "b")) <= 50
    assert 38 <= scale.count_files(str(tmp_path / "e")) <= 42


def test_slope():
    assert scale.slope([(1000, 1.0), (10000, 10.0), (100000, 100.0)]) == pytest.approx(1.0)
    assert scale.slope([(1000, 1.0), (2000, 4.0)]) == pytest.approx(2.0)
