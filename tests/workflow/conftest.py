"""Fixtures for the pre-merge workflow tests (helpers live in workflow_support.py). Each module
runs the checks it was written against with `pytest.mark.catalogue("core")` (tests/checksets.py)."""
from workflow_support import iacguard_on_path  # noqa: F401 - registers the fixture
