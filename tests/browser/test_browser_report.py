"""The HTML report in a real headless Chromium, against the DOM contract (docs: issue 15).

Each test runs on the hand-made page that follows the contract (fixtures/contract.html) and on
the real report of `iacguard scan sample_iac --format html`, whose counts are compared with the
JSON report of the same scan.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from urllib.parse import quote

import pytest

from browser.pages import csp, inline_hashes

SEVERITIES = ("critical", "high", "medium", "low")
PILLARS = ("identity", "detection", "infrastructure", "data", "incident")

# What the page shows of its findings, read in one evaluation.
ARTICLES = """Array.prototype.map.call(document.querySelectorAll('#findings article.finding'), function (a) {
  return {severity: a.getAttribute('data-severity'), pillar: a.getAttribute('data-pillar'),
          check: a.getAttribute('data-check'), file: a.getAttribute('data-file'),
          fingerprint: a.getAttribute('data-fingerprint'), hidden: a.hidden,
          shown: a.offsetParent !== null};
})"""


def visible_count(browser) -> int:
    return int(browser.evaluate("document.getElementById('visible-count').textContent").strip())


def shown(browser) -> list:
    return [a for a in browser.evaluate(ARTICLES) if not a["hidden"]]


def assert_clean(browser) -> None:
    """No console error, no exception, no CSP violation, no request but the page's own file."""
    assert browser.errors() == []
    assert browser.csp_violations == []
    page_url = browser.evaluate("location.href").split("#")[0]
    others = [u for u in browser.requests if u.split("#")[0] != page_url and not u.startswith("data:")]
    assert others == []


def test_counts_match_the_json_report(browser, page, screenshot):
    browser.open(page.url)
    summary = page.report["summary"]
    totals = browser.evaluate("""(function () {
      var t = document.getElementById('totals'), out = {};
      ['findings', 'undecided', 'suppressed', 'baseline', 'files', 'resources'].forEach(function (k) {
        out[k] = t.getAttribute('data-' + k); });
      out.severity = {};
      t.querySelectorAll('.count[data-severity]').forEach(function (c) {
        out.severity[c.getAttribute('data-severity')] = c.textContent.trim(); });
      return out; })()""")
    for key in ("findings", "undecided", "suppressed", "files", "resources"):
        assert int(totals[key]) == summary[key], key
    baseline = summary.get("baseline")
    assert int(totals["baseline"]) == (baseline["matched"] if baseline else 0)
    assert {k: int(v) for k, v in totals["severity"].items()} == {s: summary["by_severity"].get(s, 0) for s in SEVERITIES}

    articles = browser.evaluate(ARTICLES)
    assert len(articles) == summary["findings"] == len(page.report["findings"])
    assert Counter(a["fingerprint"] for a in articles) == Counter(f["fingerprint"] for f in page.report["findings"])
    assert Counter(a["severity"] for a in articles) == Counter(f["severity"] for f in page.report["findings"])
    assert all(not a["hidden"] and a["shown"] for a in articles)

    pillars = browser.evaluate("""Array.prototype.map.call(document.querySelectorAll('#scorecard .pillar'), function (p) {
      var sev = {};
      p.querySelectorAll('.count[data-severity]').forEach(function (c) {
        sev[c.getAttribute('data-severity')] = parseInt(c.textContent, 10); });
      return {key: p.getAttribute('data-pillar'), findings: parseInt(p.getAttribute('data-findings'), 10),
              passed: parseInt(p.getAttribute('data-checks-passed'), 10),
              failed: parseInt(p.getAttribute('data-checks-failed'), 10),
              undecided: parseInt(p.getAttribute('data-checks-undecided'), 10), severity: sev}; })""")
    assert [p["key"] for p in pillars] == list(PILLARS)
    by_pillar = summary["by_pillar"]
    for p in pillars:
        mine = [f for f in page.report["findings"] if f["pillar"] == p["key"]]
        assert p["findings"] == by_pillar.get(p["key"], 0) == len(mine), p["key"]
        assert p["severity"] == {s: sum(1 for f in mine if f["severity"] == s) for s in SEVERITIES}, p["key"]
        assert p["failed"] == len({f["check_id"] for f in mine}), p["key"]
        assert min(p["passed"], p["undecided"]) >= 0
    assert_clean(browser)
    assert screenshot().stat().st_size > 1000


@pytest.mark.parametrize("severity", ["high", "critical"])
def test_severity_filter_hides_the_others(browser, page, severity):
    browser.open(page.url)
    browser.set_value("#filter-severity", severity)
    expected = sum(1 for f in page.report["findings"] if f["severity"] == severity)
    left = shown(browser)
    assert len(left) == expected == visible_count(browser)
    assert {a["severity"] for a in left} <= {severity}
    # Groups left without a visible finding are hidden too.
    assert browser.evaluate("""Array.prototype.every.call(document.querySelectorAll('#findings div.group'), function (g) {
      return g.hidden === !g.querySelector('article.finding:not([hidden])'); })""")
    browser.set_value("#filter-severity", "")
    assert visible_count(browser) == len(page.report["findings"])
    assert_clean(browser)


def test_text_filter_reads_file_and_address(browser, page, screenshot):
    browser.open(page.url)
    findings = page.report["findings"]
    needle = sorted(f["file"] for f in findings)[-1].rsplit("/", 1)[-1].upper()  # case-insensitive
    browser.set_value("#filter-text", needle)
    expected = sum(1 for f in findings if needle.lower() in (f["file"] + "\n" + f["resource"]["address"]).lower())
    assert 0 < len(shown(browser)) == expected == visible_count(browser)
    screenshot()
    assert_clean(browser)


def test_url_hash_sets_the_filters(browser, page):
    findings = page.report["findings"]
    first = findings[0]
    hash_ = "#severity=%s&pillar=%s&check=%s" % (first["severity"], first["pillar"], quote(first["check_id"]))
    browser.open(page.url + hash_)
    assert browser.evaluate("[document.getElementById('filter-severity').value,"
                            " document.getElementById('filter-pillar').value,"
                            " document.getElementById('filter-check').value]") == [first["severity"], first["pillar"], first["check_id"]]
    expected = [f for f in findings if (f["severity"], f["pillar"], f["check_id"]) == (first["severity"], first["pillar"], first["check_id"])]
    assert len(shown(browser)) == len(expected) == visible_count(browser)
    assert_clean(browser)


def test_group_toggle_regroups_by_check_and_back(browser, page, screenshot):
    browser.open(page.url)
    groups = """Array.prototype.map.call(document.querySelectorAll('#findings div.group'), function (g) {
      return {key: g.getAttribute('data-key'), items: Array.prototype.map.call(g.querySelectorAll('article.finding'),
        function (a) { return [a.getAttribute('data-check'), a.getAttribute('data-file')]; })}; })"""
    before = browser.evaluate(groups)
    assert browser.evaluate("document.getElementById('findings').getAttribute('data-group')") == "file"
    assert all(item[1] == g["key"] for g in before for item in g["items"])
    browser.click("#group-toggle")
    assert browser.evaluate("document.getElementById('findings').getAttribute('data-group')") == "check"
    after = browser.evaluate(groups)
    assert all(item[0] == g["key"] for g in after for item in g["items"])
    assert sorted(g["key"] for g in after) == sorted({f["check_id"] for f in page.report["findings"]})
    assert sum(len(g["items"]) for g in after) == len(page.report["findings"])
    screenshot()
    browser.click("#group-toggle")
    assert browser.evaluate("document.getElementById('findings').getAttribute('data-group')") == "file"
    assert sorted(g["key"] for g in browser.evaluate(groups)) == sorted(g["key"] for g in before)
    assert_clean(browser)


def test_page_reads_without_javascript(browser, page):
    browser.send("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.open(page.url)
        # Evaluation through the protocol still works with the page's scripts off.
        articles = browser.evaluate(ARTICLES)
        assert len(articles) == len(page.report["findings"])
        assert all(a["shown"] for a in articles)
        for section in ("totals", "scorecard", "run", "findings", "attack-paths", "suppressed", "baseline", "undecided"):
            assert browser.evaluate("!!document.getElementById(%s)" % json.dumps(section)), section
    finally:
        browser.send("Emulation.setScriptExecutionDisabled", {"value": False})
    assert_clean(browser)


def test_page_is_self_contained_with_a_strict_policy(page):
    html = page.html.read_text(encoding="utf-8")
    assert re.search(r'<html lang="en" data-iacguard-report="1"', html)
    policy = csp(html)
    assert policy.get("default-src") == ["'none'"]
    hashes = inline_hashes(html)
    assert len(hashes["style"]) == 1 and len(hashes["script"]) == 1
    assert policy.get("style-src") == hashes["style"]
    assert policy.get("script-src") == hashes["script"]
    assert policy.get("img-src") == ["data:"] and policy.get("base-uri") == ["'none'"] and policy.get("form-action") == ["'none'"]
    assert "unsafe-inline" not in html.split("</head>")[0]
    # No attribute that loads something from elsewhere.
    assert not re.search(r"""\b(?:src|href|action|poster|srcset)\s*=\s*["']?\s*(?:https?:|//|ftp:|file:)""", html, re.I)
