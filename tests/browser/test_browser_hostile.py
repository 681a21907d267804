"""A tree of hostile names, reported as HTML and opened in Chromium: everything renders as text.

The names try to run script (`window.__pwned = ...`) by every way into an HTML page: elements,
attribute breakouts, closing the page's own <style>/<script>, `javascript:` URLs, template
syntax; and to hide or reorder text with control and bidirectional characters. No script may
run, the names must show literally (control characters as visible escapes), and the browser
must report no error and make no request.
"""
from __future__ import annotations

import pytest

from browser.pages import SCREENSHOTS, html_registered, report_page
from browser.test_browser_report import assert_clean

NAMES = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=2">',
    "'><svg onload=window.__pwned=3>",
    "</style><script>window.__pwned=4</script>",
    "</script><script>window.__pwned=5</script>",
    "</title></textarea><iframe srcdoc=\"<script>parent.__pwned=6</script>\">",
    "javascript:window.__pwned=7",
    "a&amp;b&lt;c&#x3c;d",
    "{{ 7*7 }}${7*7}",
    "line1\nline2",
    "r\u202eevil",
    "e\u001b[31mred",
]
# Names as the scanned file spells them (HCL string escapes).
_HCL = [n.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\u202e", "\\u202e")
        .replace("\u001b", "\\u001b").replace("${", "$${") for n in NAMES]
MAIN_TF = ('resource "aws_s3_bucket" "hostile" {\n  for_each = toset([%s])\n  bucket   = each.key\n}\n'
           % ", ".join('"%s"' % n for n in _HCL))
DIR_NAME = 'x"><img src=x onerror=window.__pwned=8>&amp;'
SG_TF = ('resource "aws_security_group" "open" {\n  description = "</style><script>window.__pwned=9</script>"\n'
         '  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n'
         '    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n')

LITERAL = [
    "<script>window.__pwned=1</script>",
    "javascript:window.__pwned=7",
    "a&amp;b&lt;c&#x3c;d",
    "{{ 7*7 }}${7*7}",
    "r\\u202eevil",
]


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory):
    if not html_registered():
        pytest.skip("html format not yet registered")
    root = tmp_path_factory.mktemp("hostile") / "tree"
    (root / "names").mkdir(parents=True)
    (root / "names" / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    (root / DIR_NAME).mkdir()
    (root / DIR_NAME / "main.tf").write_text(SG_TF, encoding="utf-8")
    return report_page("hostile", ["tree"], SCREENSHOTS / "pages", cwd=root.parent)


def test_hostile_tree_is_scanned(hostile_page):
    """The names reach the report (otherwise the page tests below would prove nothing)."""
    addresses = "\n".join(f["resource"]["address"] for f in hostile_page.report["findings"])
    assert "<script>window.__pwned=1</script>" in addresses
    assert "javascript:window.__pwned=7" in addresses
    assert any(DIR_NAME in f["file"] for f in hostile_page.report["findings"])


def test_hostile_names_render_as_text(browser, hostile_page, screenshot):
    browser.open(hostile_page.url)
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("document.querySelectorAll('img, iframe, object, embed, frame, link, base, form').length") == 0
    assert browser.evaluate("""Array.prototype.filter.call(document.querySelectorAll('*'), function (e) {
      return Array.prototype.some.call(e.attributes, function (a) { return /^on/i.test(a.name); }); }).length""") == 0
    assert browser.evaluate("document.querySelectorAll('style').length") == 1
    text = browser.evaluate("document.body.textContent")
    for literal in LITERAL:
        assert literal in text, literal
    assert "\u202e" not in text and "\u001b" not in text
    assert browser.evaluate("document.querySelectorAll('#findings article.finding').length") == len(hostile_page.report["findings"])
    files = browser.evaluate("Array.prototype.map.call(document.querySelectorAll('#findings article.finding'),"
                             " function (a) { return a.getAttribute('data-file'); })")
    assert any(DIR_NAME in (f or "") for f in files)
    assert_clean(browser)
    screenshot()


def test_hostile_names_through_the_filters(browser, hostile_page):
    browser.open(hostile_page.url + "#text=" + "%3Cscript%3E")
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    browser.set_value("#filter-text", "javascript:window.__pwned=7")
    browser.click("#group-toggle")
    browser.set_value("#filter-check", hostile_page.report["findings"][0]["check_id"])
    browser.click("#group-toggle")
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert_clean(browser)
