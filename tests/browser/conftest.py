"""The `browser` fixture: one headless Chromium for the session (Debian's `chromium` package).

Without a Chromium the browser tests skip with the reason, except under CI (the environment
variable CI set), where they fail: CI must run them (.ci/run installs the package).
Screenshots go to test-output/browser/ at the repository root, one per test, named by the test.
"""
from __future__ import annotations

import os
import re

import pytest

from browser.cdp import Browser, find_chromium
from browser.pages import REPO, SCREENSHOTS, contract_page, html_registered, report_page

NO_HTML = "html format not yet registered"


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium binary; skips without one, fails under CI."""
    binary = find_chromium()
    if not binary:
        message = ("no Chromium found (looked for $IACGUARD_CHROMIUM, /usr/bin/chromium, chromium, "
                   "google-chrome): install Debian's chromium package (apt-get install chromium)")
        if _ci():
            pytest.fail("CI must run the browser tests: " + message, pytrace=False)
        pytest.skip(message)
    return binary


@pytest.fixture(scope="session")
def browser(chromium):
    b = Browser.launch(chromium)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def screenshot(browser, request):
    """screenshot(suffix="") -> Path: a full-page PNG of what the browser shows, named by the test."""
    def take(suffix: str = ""):
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name + ("-" + suffix if suffix else "")).strip("_")
        return browser.screenshot(SCREENSHOTS / (name + ".png"))
    return take


@pytest.fixture(scope="session")
def sample_page():
    if not html_registered():
        pytest.skip(NO_HTML)
    return report_page("sample_iac", ["sample_iac"], SCREENSHOTS / "pages", cwd=REPO)


@pytest.fixture(params=["contract", "sample_iac"])
def page(request):
    """A page that follows the DOM contract: the hand-made fixture, then the real sample_iac report."""
    if request.param == "contract":
        return contract_page()
    return request.getfixturevalue("sample_page")
