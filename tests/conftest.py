from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis profiles. Tests that do not set `max_examples` themselves (the evaluation
# properties in tests/hostile/) take it from here:
#   dev  (default)           a small budget, random seeds
#   ci   (CI=true)           the same budget, derandomized: every CI run tries the same examples
#   long (HYPOTHESIS_PROFILE=long)  thousands of examples for a local hunt, with a 2 s deadline
# The deadline in dev and ci is only a hang guard (the machines vary), not a speed test.
_COMMON = dict(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True)
settings.register_profile("dev", max_examples=40, deadline=20_000, **_COMMON)
settings.register_profile("ci", max_examples=40, deadline=20_000, derandomize=True, database=None, **_COMMON)
settings.register_profile("long", max_examples=3000, deadline=2_000, **_COMMON)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI", "").lower() in ("true", "1") else "dev")
)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files under tests/golden/ from today's output (review the diff before committing).",
    )


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    """True when golden files are to be rewritten: `pytest --update-golden`, or
    IACGUARD_UPDATE_GOLDEN=1 in the environment."""
    return bool(request.config.getoption("--update-golden") or os.environ.get("IACGUARD_UPDATE_GOLDEN"))


@pytest.fixture(scope="session")
def sarif_checker():
    """The shared SARIF checker and schema (present in CI beside the repository)."""
    tool = SHARED / "tools" / "sarif_check.py"
    schema = SHARED / "sarif" / "sarif-schema-2.1.0.json"
    if not tool.is_file() or not schema.is_file():
        pytest.skip("../shared/sarif is not beside the repository")
    spec = importlib.util.spec_from_file_location("sarif_check", tool)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    schema_data = json.loads(schema.read_text())

    def check(sarif: dict, root: str) -> list:
        return mod.problems(sarif, root, schema_data)

    return check


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    """The CLI caches parses in the user's cache folder; tests use their own."""
    import os

    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


@pytest.fixture(autouse=True)
def _catalogue(request, monkeypatch):
    """The checks this test was written against: `@pytest.mark.catalogue("all"|"core")`, else the
    default set (see tests/checksets.py)."""
    import iacguard.checks as catalogue
    from checksets import SETS

    mark = request.node.get_closest_marker("catalogue")
    name = mark.args[0] if mark is not None else "default"
    monkeypatch.setattr(catalogue, "REGISTRY", SETS[name])
    if request.node.module is not None and hasattr(request.node.module, "REGISTRY"):  # a test comparing with the catalogue it runs
        monkeypatch.setattr(request.node.module, "REGISTRY", catalogue.REGISTRY)
