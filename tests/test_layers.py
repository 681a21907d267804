"""The layer contracts of the pipeline ([tool.importlinter] in pyproject.toml) hold, and breaking
one fails: `lint-imports` runs on a copy of the package in which checks/ sits where it installs
(iacguard/checks), so grimp sees every module; no network, no cache."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")

pytestmark = pytest.mark.skipif(not os.path.exists(LINT), reason="import-linter is not installed (pip install -e .[test])")


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "iacguard", tmp_path / "iacguard", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "checks", tmp_path / "iacguard" / "checks", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run([LINT, str(REPO / "pyproject.toml"), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_layer_contracts_are_kept(tmp_path):
    done = _lint(_copy(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 kept, 0 broken" in done.stdout
    assert "Analyzed" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # A check reaching into the graph's networkx, a parser and a report.
        ("checks/data/s3_encryption.py", "import networkx\n", "Checks read facts only"),
        ("checks/data/s3_encryption.py", "from iacguard.terraform import parser\n", "Checks read facts only"),
        # The engine formatting reports, and a parser calling back into the engine.
        ("iacguard/engine.py", "from .output import text\n", "The pipeline runs one way"),
        ("iacguard/cloudformation/yaml_reader.py", "from .. import engine\n", "The pipeline runs one way"),
        ("iacguard/facts/storage.py", "from ..output import findings\n", "Facts never import reports"),
        # Parsing below evaluation: the parse stage reading a plan through the plan evaluator (the
        # cycle evaluate -> parse -> plan -> evaluate), a Terraform parser calling the evaluator.
        ("iacguard/parse/__init__.py", "from ..terraform import plan\n", "The pipeline runs one way"),
        ("iacguard/terraform/parser.py", "from . import evaluate\n", "The pipeline runs one way"),
        ("iacguard/terraform/fastparse.py", "from iacguard.terraform import functions\n", "The pipeline runs one way"),
        # The languages stand apart.
        ("iacguard/cloudformation/loader.py", "from ..terraform import syntax\n", "CloudFormation never imports Terraform"),
        # A helper of Terraform's functions importing the table, and one helper another.
        ("iacguard/terraform/re2.py", "from . import functions\n", "Terraform's functions build on their helper modules"),
        ("iacguard/terraform/dates.py", "from . import goformat\n", "Terraform's functions build on their helper modules"),
    ],
)
def test_a_backward_import_breaks_a_contract(tmp_path, module, line, contract):
    root = _copy(tmp_path)
    target = root / "iacguard" / module.removeprefix("iacguard/")
    target.write_text(target.read_text() + "\n" + line)
    done = _lint(root)
    assert done.returncode != 0, done.stdout
    assert "BROKEN" in done.stdout
    broken = [l for l in done.stdout.splitlines() if l.endswith("BROKEN")]
    assert any(l.startswith(contract) for l in broken), done.stdout
