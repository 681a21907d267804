"""Fixtures for the pre-merge workflow tests (helpers live in workflow_support.py)."""
from workflow_support import iacguard_on_path  # noqa: F401 - registers the fixture
from base_checks import base_checks  # noqa: F401 - the fixture

import pytest


@pytest.fixture(autouse=True)
def _only_base_checks(base_checks):
    """The workflow tests count and list every finding: they run the checks they were written
    against (see tests/base_checks.py)."""
