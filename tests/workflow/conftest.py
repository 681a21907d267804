"""Fixtures for the pre-merge workflow tests (helpers live in workflow_support.py)."""
from workflow_support import iacguard_on_path  # noqa: F401 - registers the fixture
