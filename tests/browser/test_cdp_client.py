"""The DevTools client itself: what the report tests rely on it to see, it sees."""
from __future__ import annotations

import os

import pytest

from browser.cdp import Browser, CDPTimeout, JSError

BAD_PAGE = """<!DOCTYPE html><html><head>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-{hash}'">
<title>bad</title></head><body><p id="p">text</p>
<img src="http://203.0.113.9/pixel.png" alt="">
<script>{script}</script>
<script>window.__inline = 1;</script>
</body></html>"""
SCRIPT = "console.error('from the page'); window.__ran = 1; setTimeout(function () { throw new Error('late'); }, 0);"


def test_client_sees_errors_requests_and_policy_violations(browser, tmp_path):
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    page = tmp_path / "bad.html"
    page.write_text(BAD_PAGE.replace("{hash}", digest).replace("{script}", SCRIPT), encoding="utf-8")
    browser.open(page.as_uri())
    assert browser.evaluate("window.__ran") == 1
    assert browser.evaluate("window.__inline") is None  # the unhashed script was blocked
    browser.evaluate("new Promise(function (r) { setTimeout(r, 50); })")
    errors = browser.errors()
    assert any("from the page" in e for e in errors)
    assert any("late" in e for e in browser.exceptions)
    assert "http://203.0.113.9/pixel.png" in browser.requests
    directives = {v.get("directive") for v in browser.csp_violations}
    assert {"img-src", "script-src-elem"} <= directives
    with pytest.raises(JSError):
        browser.evaluate("null.x")
    browser.set_value("body", "x")  # any element: no error
    browser.click("#p")


def test_close_ends_the_process_and_waits_time_out(chromium):
    b = Browser.launch(chromium, timeout=5)
    try:
        with pytest.raises(CDPTimeout):
            b.wait_event("Page.neverFired", timeout=0.2)
        profile = b.profile
    finally:
        b.close()
    assert b.proc.poll() is not None
    assert not os.path.exists(profile)
    b.close()  # twice: harmless
