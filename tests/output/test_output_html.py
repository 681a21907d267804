"""The HTML report (iacguard/output/html.py): the page's element contract, its counts against the
JSON report's, escaping of everything from the scanned tree, the source lines it reads, and its
size. The page in a real browser (filters, console, requests) is tested in tests/browser/."""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iacguard import output
from iacguard.check import PILLARS, SEVERITIES, Check
from iacguard.core.model import (
    Finding,
    Location,
    Notification,
    PathStep,
    Resource,
    ScanResult,
    SuppressedFinding,
    Suppression,
    Undecided,
)
from iacguard.output.html import csp_hash
from iacguard.output.markdown import render as render_markdown
from iacguard.output.summary import summarize

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "workflow"))
from workflow_support import cli, write  # noqa: E402

# What must never reach the page raw (newlines aside): C0, DEL, C1, bidi controls, zero-width.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []  # Nodes and strings

    def all(self, tag=None, cls=None, **attrs):
        out = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (tag is None or child.tag == tag) and (cls is None or cls in (child.attrs.get("class") or "").split()) and all(
                child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()
            ):
                out.append(child)
            out += child.all(tag, cls, **attrs)
        return out

    def one(self, tag=None, cls=None, **attrs):
        found = self.all(tag, cls, **attrs)
        assert len(found) == 1, (tag, cls, attrs, len(found))
        return found[0]

    def by_id(self, ident):
        return self.one(id=ident)

    def content(self) -> str:
        return "".join(c if isinstance(c, str) else c.content() for c in self.children)


_VOID = {"meta", "br", "input", "img", "link", "hr", "source", "wbr", "area", "base", "col", "embed", "track"}


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.cur = self.root
        self.raw_text = {}  # tag -> list of the raw text of <style>/<script> elements

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in _VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        node = self.cur
        while node is not self.root and node.tag != tag:
            node = node.parent
        assert node is not self.root, "unbalanced </%s>" % tag
        self.cur = node.parent

    def handle_data(self, data):
        self.cur.children.append(data)
        if self.cur.tag in ("style", "script"):
            self.raw_text.setdefault(self.cur.tag, []).append(data)


def parse(page: str) -> Node:
    b = _Builder()
    b.feed(page)
    b.close()
    assert b.cur is b.root, "elements left open"
    b.root.raw = b.raw_text
    return b.root


def _sha(text: str) -> str:
    sha = "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    assert sha == "'%s'" % csp_hash(text)
    return sha


# -- the page's frame: one file, strict CSP, nothing external ----------------------------------


def test_page_is_self_contained_with_a_hash_based_policy(result):
    page = output.render("html", result)
    dom = parse(page)
    doc = dom.one("html")
    assert doc.attrs["lang"] == "en" and doc.attrs["data-iacguard-report"] == "1"
    styles, scripts = dom.all("style"), dom.all("script")
    assert len(styles) == 1 and len(scripts) == 1
    csp = dom.one("meta", http_equiv="Content-Security-Policy").attrs["content"]
    style_text, script_text = dom.raw["style"][0], dom.raw["script"][0]
    assert csp == (
        "default-src 'none'; style-src %s; script-src %s; img-src data:; base-uri 'none'; form-action 'none'"
        % (_sha(style_text), _sha(script_text))
    )
    assert "unsafe" not in csp
    # No external resource of any kind: no src, no link element, no URL with a host.
    for node in dom.all():
        assert "src" not in node.attrs and node.tag not in ("link", "img", "iframe", "object", "embed")
        assert not [k for k in node.attrs if k.startswith("on")], (node.tag, node.attrs)
        href = node.attrs.get("href")
        assert href is None or href.startswith("#"), href
        assert "style" not in node.attrs  # the policy would block it
    assert not re.search(r"https?:|//[a-z]|@import|url\(", style_text + script_text)
    assert page == output.render("html", result)  # deterministic


def test_controls_are_hidden_until_the_script_shows_them(result):
    dom = parse(output.render("html", result))
    controls = dom.by_id("controls")
    assert "hidden" in controls.attrs
    severity = dom.by_id("filter-severity")
    assert [o.attrs["value"] for o in severity.all("option")] == [""] + list(SEVERITIES)
    assert [o.attrs["value"] for o in dom.by_id("filter-pillar").all("option")] == [""] + list(PILLARS)
    assert [o.attrs["value"] for o in dom.by_id("filter-check").all("option")] == ["", "AWS-EC2-001", "AWS-S3-001", "AWS-S3-002"]
    assert dom.by_id("filter-text").attrs["type"] == "search"
    assert dom.by_id("group-toggle").tag == "button"
    assert dom.by_id("visible-count").content() == "4"


# -- counts: the JSON report's, the Markdown report's -------------------------------------------


def _totals(dom) -> dict:
    totals = dom.by_id("totals")
    counts = {s.attrs["data-severity"]: int(s.content()) for s in totals.all("span", "count")}
    return {k[5:]: int(v) for k, v in totals.attrs.items() if k.startswith("data-")}, counts


def test_totals_scorecard_and_findings_agree_with_json(result):
    data = json.loads(output.render("json", result))
    dom = parse(output.render("html", result))
    totals, counts = _totals(dom)
    summary = data["summary"]
    assert totals == {"findings": 4, "undecided": 0, "suppressed": 0, "baseline": 0, "files": summary["files"], "resources": summary["resources"]}
    assert counts == summary["by_severity"]
    cards = dom.by_id("scorecard").all("div", "pillar")
    assert [c.attrs["data-pillar"] for c in cards] == list(PILLARS)
    by_key = {c.attrs["data-pillar"]: c for c in cards}
    for key, card in by_key.items():
        assert int(card.attrs["data-findings"]) == summary["by_pillar"][key]
        assert sum(int(s.content()) for s in card.all("span", "count")) == summary["by_pillar"][key]
        assert [s.attrs["data-severity"] for s in card.all("span", "count")] == list(SEVERITIES)
    # AWS-EC2-001 (infrastructure), AWS-S3-001 (data) and AWS-S3-002 (detection) failed; AWS-S3-003 (data) passed.
    assert [(k, c.attrs["data-checks-failed"], c.attrs["data-checks-passed"], c.attrs["data-checks-undecided"]) for k, c in by_key.items()] == [
        ("identity", "0", "0", "0"), ("detection", "1", "0", "0"), ("infrastructure", "1", "0", "0"), ("data", "1", "1", "0"), ("incident", "0", "0", "0"),
    ]
    articles = dom.by_id("findings").all("article", "finding")
    assert [
        (a.attrs["data-check"], a.attrs["data-file"], int(a.attrs["data-line"]), a.attrs["data-severity"], a.attrs["data-pillar"], a.attrs["data-fingerprint"])
        for a in articles
    ] == [(f["check_id"], f["file"], f["start_line"], f["severity"], f["pillar"], f["fingerprint"]) for f in data["findings"]]
    groups = dom.by_id("findings").all("div", "group")
    assert dom.by_id("findings").attrs["data-group"] == "file"
    assert [g.attrs["data-key"] for g in groups] == ["main.tf", "my stacks/store bucket.yaml"]
    assert [len(g.all("article", "finding")) for g in groups] == [3, 1]


def test_markdown_and_html_read_one_summary(result):
    summary = summarize(result)
    md = render_markdown(result)
    assert md.startswith("## iacguard: 4 findings (1 critical, 2 high, 1 medium)\n")
    assert "| high | %d |" % summary.by_severity["high"] in md
    _, counts = _totals(parse(output.render("html", result)))
    assert counts == summary.by_severity
    assert [p.key for p in summary.pillars] == list(PILLARS)
    assert summary.severities == ("critical", "high", "medium", "high")


@pytest.mark.catalogue("all")
def test_sample_iac_page_counts_match_json(tmp_path):
    sample = ROOT / "sample_iac"
    page_path = tmp_path / "report.html"
    res = cli(["scan", str(sample), "--format", "json", "--output-file", "html=%s" % page_path], ROOT)
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout)
    dom = parse(page_path.read_text(encoding="utf-8"))
    totals, counts = _totals(dom)
    assert totals["findings"] == data["summary"]["findings"] > 0
    assert totals["files"] == data["summary"]["files"] and totals["resources"] == data["summary"]["resources"]
    assert counts == data["summary"]["by_severity"]
    articles = dom.all("article", "finding")
    assert sorted(a.attrs["data-fingerprint"] for a in articles) == sorted(f["fingerprint"] for f in data["findings"])
    with_path = [f for f in data["findings"] if f.get("path")]
    figures = dom.by_id("attack-paths").all("figure", "attack-path")
    assert [f.attrs["data-fingerprint"] for f in figures] == [f["fingerprint"] for f in with_path]
    for f in with_path:
        article = dom.one("article", "finding", data_fingerprint=f["fingerprint"])
        assert article.one("div", "path").attrs["data-steps"] == str(len(f["path"]))
    # Every finding explains its check: in full the first time, else by a link to that one.
    for a in articles:
        details = a.one("details", "explain")
        assert "id" in details.attrs or details.attrs["data-ref"] == "explain-" + a.attrs["data-check"]


# -- each finding: code lines, origins, explanation, path ----------------------------------------


def test_code_lines_are_read_from_the_scanned_file_and_marked(result):
    dom = parse(output.render("html", result))
    first = dom.all("article", "finding")[0]  # AWS-EC2-001 at main.tf:7
    pre = first.one("pre", "code")
    numbers = [int(i.content()) for i in pre.all("i")]
    assert numbers == [5, 6, 7, 8, 9]  # the resource block is lines 1-9
    assert pre.one("mark").content() == "7    cidr_blocks = [\"0.0.0.0/0\"]"
    bucket = dom.all("article", "finding")[1]  # AWS-S3-001 at main.tf:11-13, the whole block
    assert [int(i.content()) for i in bucket.one("pre", "code").all("i")] == [11, 12, 13]


@pytest.mark.catalogue("all")
def test_code_lines_never_show_a_sensitive_default_beside_the_block(tmp_path):
    """Lines around a finding come from its resource's block only: a variable or parameter
    default written just above holds the value reports redact."""
    tree = write(tmp_path, {
        "main.tf": 'variable "token" {\n  sensitive = true\n  default   = "tok-3f9a1c"\n}\n'
                   'resource "aws_s3_bucket" "b" {\n  bucket = "b-${var.token}"\n}\n',
        "stack.yaml": "Parameters:\n  Pw:\n    Type: String\n    NoEcho: true\n    Default: pw-77aa21\n"
                      "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub 'x-${Pw}'\n",
    })
    res = cli(["scan", ".", "--format", "html", "--no-cache"], tree)
    assert res.exit_code == 1, res.output
    dom = parse(res.stdout)
    assert len(dom.all("pre", "code")) >= 2
    assert "tok-3f9a1c" not in res.stdout and "pw-77aa21" not in res.stdout


def test_code_lines_never_from_a_file_outside_the_scan(result, tmp_path):
    secret = tmp_path.parent / ("outside-%s.tf" % tmp_path.name)
    secret.write_text("password = \"hunter2\"\n" * 20)
    try:
        f = result.findings[0]
        outside = replace(f, location=Location(str(secret), 3, 3))
        missing = replace(f, location=Location(str(tmp_path / "gone.tf"), 3, 3))
        beyond = replace(f, location=Location(f.location.path, 500, 501))
        result.findings = [outside, missing, beyond] + result.findings[1:]
        result.files = result.files + [str(tmp_path / "gone.tf")]
        page = output.render("html", result)
        assert "hunter2" not in page
        articles = parse(page).all("article", "finding")
        assert [len(a.all("pre", "code")) for a in articles[:3]] == [0, 0, 0]
    finally:
        secret.unlink()


def test_origins_explanation_and_fix_for_the_language(result):
    main = result.findings[1].location.path
    result.findings[1] = replace(result.findings[1], related=((Location(main, 12, 12), "variable name"),))
    dom = parse(output.render("html", result))
    articles = dom.all("article", "finding")
    origins = articles[1].one("ul", "origins")
    assert origins.content() == "variable name main.tf:12"
    # AWS-S3-001 is found in main.tf (Terraform) and in the template (CloudFormation): the first
    # finding holds the text and both fixes, the other links to it.
    full = articles[1].one("details", "explain")
    assert full.attrs["id"] == "explain-AWS-S3-001"
    assert [h.attrs.get("data-language") for h in full.all("h5")] == [None, None, "terraform", "cloudformation"]
    assert "encrypts objects at rest." in full.content() and 'sse_algorithm = "aws:kms"' in full.one("pre").content()
    ref = articles[3].one("details", "explain")
    assert ref.attrs["data-ref"] == "explain-AWS-S3-001" and ref.one("a").attrs["href"] == "#explain-AWS-S3-001"
    only_tf = articles[0].one("details", "explain")  # AWS-EC2-001, found in Terraform only
    assert [h.attrs.get("data-language") for h in only_tf.all("h5")] == [None, None, "terraform"]


def test_check_documentation_as_html():
    from iacguard.output.html import _prose

    text = "Intro `a<b>`:\n\n- one\n  continued\n- two & <i>\nAfter.\n\n```hcl\nx = \"<y>\"\n\n  z = 1\n```\nTail"
    assert _prose(text) == (
        "<p>Intro <code>a&lt;b&gt;</code>:</p><ul><li>one continued</li><li>two &amp; &lt;i&gt;</li></ul><p>After.</p>"
        '<pre class="fix"><code>x = &#34;&lt;y&gt;&#34;\n\n  z = 1</code></pre><p>Tail</p>'
    )


def _step(path, address, rtype, message, missing=()):
    res = Resource(id=address, address=address, type=rtype, language="terraform", properties={}, location=Location(path, 1, 3))
    return PathStep(res, message, Location(path, 1, 3), missing)


def test_attack_path_chain_figure_and_svg_hooks(result):
    main = result.findings[0].location.path
    steps = (
        _step(main, "aws_lb.web", "aws_lb", "ALB aws_lb.web forwards 443 to aws_instance.app", ("waf",)),
        _step(main, "aws_instance.app", "aws_instance", "instance reads the bucket"),
        _step(main, "aws_s3_bucket.logs", "aws_s3_bucket", "the asset"),
    )
    result.findings[0] = replace(result.findings[0], path=steps)
    plain = parse(output.render("html", result, path_svg=None, overview_svg=None))
    calls = []

    def path_svg(path, *, severity, title=""):
        calls.append((len(path), severity, title))
        return '<svg xmlns="http://www.w3.org/2000/svg" class="path-svg" role="img" aria-label="path"></svg>'

    def overview_svg(paths, severities):
        calls.append(("overview", len(paths), tuple(severities)))
        return '<svg xmlns="http://www.w3.org/2000/svg" class="overview-svg" role="img" aria-label="overview"></svg>'

    drawn = parse(output.render("html", result, path_svg=path_svg, overview_svg=overview_svg))
    assert calls == [(3, "critical", "Security group allows ingress from the internet to SSH"), ("overview", 1, ("critical",))]
    for dom, svgs in ((plain, 0), (drawn, 1)):
        article = dom.all("article", "finding")[0]
        path = article.one("div", "path")
        assert path.attrs["data-steps"] == "3"
        assert [li.content() for li in path.all("li") if "arrow" not in (li.attrs.get("class") or "")] == [
            "internet", "aws_lb.webmissing: waf", "aws_instance.app", "aws_s3_bucket.logs"]
        figure = dom.by_id("attack-paths").one("figure", "attack-path")
        assert figure.attrs["data-fingerprint"] == article.attrs["data-fingerprint"] == article.attrs["id"][2:]
        assert len(figure.all("svg")) == svgs and len(dom.by_id("entry-overview").all("svg")) == svgs
        assert "ALB aws_lb.web forwards 443 to aws_instance.app" in figure.content()


# -- hidden and undecided: suppressions, the baseline, the run ---------------------------------


def test_suppressed_baseline_undecided_and_run_sections(result):
    root = Path(result.cwd)
    main = str(root / "main.tf")
    f = result.findings.pop()
    result.suppressed = [SuppressedFinding(f, Suppression((f.check_id,), "accepted by security", main, 10, "2027-01-01"))]
    result.baseline_file, result.baseline_matched, result.baseline_fixed = str(root / ".iacguard-baseline.json"), 3, 1
    res = result.findings[0].resource
    result.undecided = [Undecided("AWS-S3-003", res, "versioning", "variable v has no value", Location(main, 12, 12),
                                  related=((Location(main, 2, 2), "variable v"),))]
    result.configuration = {"path": str(root / ".iacguard.toml"), "changes": ["skips AWS-S3-002"]}
    result.notifications.append(Notification("note", "a note is not a problem"))
    dom = parse(output.render("html", result))
    totals, _ = _totals(dom)
    assert (totals["findings"], totals["suppressed"], totals["baseline"], totals["undecided"]) == (3, 1, 3, 1)
    hidden = dom.by_id("suppressed").one("article", "suppressed-finding")
    assert (hidden.attrs["data-check"], hidden.attrs["data-file"], hidden.attrs["data-line"]) == (f.check_id, "my stacks/store bucket.yaml", "4")
    assert "accepted by security" in hidden.content() and "main.tf:10" in hidden.content() and "2027-01-01" in hidden.content()
    assert ".iacguard-baseline.json" in dom.by_id("baseline").content() and "3 known findings" in dom.by_id("baseline").content()
    und = dom.by_id("undecided").one("article", "undecided")
    assert (und.attrs["data-check"], und.attrs["data-file"], und.attrs["data-line"]) == ("AWS-S3-003", "main.tf", "12")
    assert "variable v main.tf:2" in und.one("ul", "origins").content()
    data_card = dom.one("div", "pillar", data_pillar="data")
    assert (data_card.attrs["data-checks-failed"], data_card.attrs["data-checks-undecided"]) == ("1", "1")
    run = dom.by_id("run")
    assert ".iacguard.toml" in run.content() and "skips AWS-S3-002" in run.content()
    problems = run.all("li", "problem")
    assert [p.attrs["data-level"] for p in problems] == ["warning", "error"]  # by file: big.json, broken.tf
    assert "broken.tf:3" in problems[1].content() and "a note" not in run.content()


def test_empty_scan_and_a_finding_of_an_unknown_check(empty_result, result):
    dom = parse(output.render("html", empty_result))
    assert dom.by_id("totals").attrs["data-findings"] == "0"
    assert "No finding." in dom.by_id("findings").content()
    result.findings.append(replace(result.findings[0], check_id="OLD-001", location=Location("", 0, 0)))
    dom = parse(output.render("html", result))
    odd = dom.one("article", "finding", data_check="OLD-001")
    assert odd.attrs["data-severity"] == "unknown" and not odd.all("pre", "code")


# -- hostile text never acts ---------------------------------------------------------------------

HOSTILE = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>\u202eevil\x1b[31m\u200b</style>{{ 7*7 }}'


def test_hostile_text_everywhere_renders_as_text(result, tmp_path):
    root = Path(result.cwd)
    name = root / ('x"><svg onload=alert(3)>\u202e.tf')
    name.write_text("line one\n" + HOSTILE + "\n\x07bell</pre><script>alert(4)</script>\n")
    res = Resource(id="h", address='aws_s3_bucket.x["%s"]' % HOSTILE, type="aws_s3_bucket", language="terraform",
                   properties={}, location=Location(str(name), 2, 2))
    steps = (PathStep(res, HOSTILE, Location(str(name), 2, 2), (HOSTILE,)),)
    bad = Finding("AWS-S3-001", res, HOSTILE, Location(str(name), 2, 3), conditions=((HOSTILE, True),),
                  related=((Location(str(name), 1, 1), HOSTILE),), root=HOSTILE, path=steps)
    result.findings.append(bad)
    result.files.append(str(name))
    result.suppressed = [SuppressedFinding(replace(bad, path=()), Suppression(("AWS-S3-001",), HOSTILE, str(name), 1, HOSTILE))]
    result.undecided = [Undecided("AWS-S3-003", res, HOSTILE, HOSTILE, Location(str(name), 2, 2), related=((Location(str(name), 1, 1), HOSTILE),))]
    result.notifications.append(Notification("error", HOSTILE, str(name), 2))
    result.configuration = {"path": str(root / ".iacguard.toml"), "changes": [HOSTILE], "warning": HOSTILE}
    page = output.render("html", result)
    assert not RAW.search(page)
    dom = parse(page)
    assert len(dom.all("script")) == 1 and not dom.all("img")
    # the only SVGs are the path drawings and the overview iacguard draws (the file name's <svg> is text)
    assert [n.attrs.get("class") for n in dom.all("svg")] == ["path-overview", "path-svg"]
    for node in dom.all():
        assert not [k for k in node.attrs if k.startswith("on")], (node.tag, node.attrs)
    article = dom.one("article", "finding", data_check="AWS-S3-001", data_line="2")
    shown = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>\\u202eevil\\x1b[31m\\u200b</style>{{ 7*7 }}'
    assert shown in article.one("p", "message").content()
    assert article.attrs["data-file"] == 'x"><svg onload=alert(3)>\\u202e.tf'
    assert shown in article.attrs["data-address"]
    code = article.one("pre", "code").content()
    assert shown in code and "\\x07bell</pre><script>alert(4)</script>" in code
    assert shown in dom.by_id("suppressed").content() and shown in dom.by_id("undecided").content()
    assert shown in dom.by_id("run").content() and shown in dom.by_id("attack-paths").content()


def test_hostile_tree_through_the_cli(tmp_path):
    tree = write(tmp_path, {
        "main.tf": 'resource "aws_s3_bucket" "x" {\n  for_each = toset(["e\\u001b[31mred", "r\\u202eevil", "<b>bold</b>"])\n  bucket = each.key\n}\n',
        "tag\u202e<i>@octo\x1bcat.tf": 'resource "aws_s3_bucket" "z" {\n  bucket = "</script>"\n}\n',
    })
    res = cli(["scan", ".", "--format", "html", "--check", "AWS-S3-002"], tree)
    assert res.exit_code == 1, res.output
    page = res.stdout
    assert not RAW.search(page)
    dom = parse(page)
    assert len(dom.all("script")) == 1 and not dom.by_id("findings").all("b")
    assert all(i.parent.tag in ("pre", "mark") for i in dom.all("i"))  # line numbers only
    files = {a.attrs["data-file"] for a in dom.all("article", "finding")}
    assert "tag\\u202e<i>@octo\\x1bcat.tf" in files
    addresses = {a.attrs["data-address"] for a in dom.all("article", "finding")}
    assert {'aws_s3_bucket.x["e\\x1b[31mred"]', 'aws_s3_bucket.x["r\\u202eevil"]', 'aws_s3_bucket.x["<b>bold</b>"]'} <= addresses


# -- size -----------------------------------------------------------------------------------------


def _html_size_module():
    spec = importlib.util.spec_from_file_location("html_size", ROOT / "benchmarks" / "html_size.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.catalogue("all")
def test_page_size_per_finding_keeps_1000_findings_under_2_mb(tmp_path):
    """benchmarks/html_size.py's result (1,000 findings over every check and 50 files, a tenth
    with attack paths): the page stays under 2 MB (the benchmark prints the figure)."""
    result = _html_size_module().synthetic_result(str(tmp_path / "tree"), findings=1000)
    page = output.render("html", result)
    size = len(page.encode("utf-8"))
    assert len(parse(page).all("article", "finding")) == 1000
    assert size < 2_000_000, size


# -- any text at all ------------------------------------------------------------------------------

ONE_CHECK = Check(
    id="AWS-S3-001", title="S3 bucket has no default encryption", severity="high", pillar="data", what="w", why="y",
    fix_terraform="```hcl\nx = 1\n```", fix_cloudformation="f", kinds=("bucket",), evaluate=lambda facts: [],
)


@settings(max_examples=60, deadline=None)
@given(text=st.text(min_size=0, max_size=40), name=st.text(min_size=1, max_size=20))
def test_any_text_renders_as_text(text, name):
    path = "/nonexistent-scan/" + name.replace("/", "_") + ".tf"
    res = Resource(id="r", address=text, type=text, language="terraform", properties={}, location=Location(path, 1, 1))
    steps = (PathStep(res, text, Location(path, 1, 1), (text,)),)
    f = Finding("AWS-S3-001", res, text, Location(path, 1, 1), related=((Location(path, 2, 2), text),), root=text, path=steps)
    result = ScanResult(findings=[f], checks=[ONE_CHECK], notifications=[Notification("error", text, path, 1)],
                        files=[path], resources=1, roots=["/nonexistent-scan"], cwd="/nonexistent-scan",
                        configuration={"path": "/nonexistent-scan/.iacguard.toml", "changes": [text], "warning": text})
    page = output.render("html", result)
    assert not RAW.search(page)
    dom = parse(page)
    assert len(dom.all("script")) == 1 and len(dom.all("article", "finding")) == 1
    assert dom.by_id("totals").attrs["data-findings"] == "1"
