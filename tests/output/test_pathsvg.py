"""Attack paths drawn as SVG (iacguard.output.pathsvg): structure (internet node first, steps in
order, missing-layer badges on the right steps, one arrow per step, rows wrapping), escaping of
hostile names, nothing that could act (script, foreignObject, href, event or style attributes) for
any input, determinism, bounded size of a 1,000-step path, and the overview of entry points."""
from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from iacguard.check import severity_of
from iacguard.checks.infrastructure.attack_paths import CHECK
from iacguard.core.model import Location, PathStep, Resource
from iacguard.engine import scan
from iacguard.output import pathsvg
from iacguard.output.pathsvg import MAX_DRAWN_STEPS, MAX_OVERVIEW_ENTRIES, overview_svg, path_svg

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "checks" / "AWS-PATH-001" / "terraform"
SAMPLE = ROOT / "sample_iac"
NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == NS + "svg"
    return root


def cls(el) -> list:
    return (el.get("class") or "").split()


def find_class(root, name) -> list:
    return [el for el in root.iter() if name in cls(el)]


def text_of(el) -> str:
    """The text shown by `el` (its <title> children left out)."""
    parts = []
    for t in el.iter(NS + "text"):
        parts.append((t.text or "") + "".join((c.text or "") + (c.tail or "") for c in t if c.tag == NS + "tspan"))
    return " ".join(parts)


def step(address, rtype="aws_instance", message="", missing=(), path="/x/main.tf") -> PathStep:
    loc = Location(path, 1, 3)
    res = Resource(id="root:" + address, address=address, type=rtype, language="terraform",
                   properties={}, location=loc)
    return PathStep(resource=res, message=message or "%s does a thing" % address, location=loc, missing=tuple(missing))


FORBIDDEN_TAGS = {"script", "foreignObject", "a", "image", "use", "style", "iframe", "object", "embed",
                  "animate", "set", "animateTransform", "animateMotion", "feImage"}


def assert_inert(svg: str) -> None:
    root = parse(svg)
    assert root.get("xmlns") is None  # ElementTree moves it into the tag; the string has it
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    for el in root.iter():
        tag = el.tag.split("}", 1)[-1]
        assert tag not in FORBIDDEN_TAGS, tag
        assert el.tag.startswith(NS), el.tag  # no element of another namespace
        for name, value in el.attrib.items():
            local = name.split("}", 1)[-1].lower()
            assert not local.startswith("on"), name
            assert local not in ("href", "style", "src", "id"), name
            assert "url(" not in value.lower(), (name, value)
    assert "<!" not in svg and "<?" not in svg  # no doctype, entity, CDATA or processing instruction


@pytest.fixture(scope="module")
def fixture_findings():
    result = scan([str(FIXTURE)], checks=[CHECK])
    return [f for f in result.findings if f.path]


@pytest.fixture(scope="module")
def sample_findings():
    result = scan([str(SAMPLE)], checks=[CHECK])
    return [f for f in result.findings if f.path]


# --- structure on real paths ------------------------------------------------------------------

def test_real_paths_structure(fixture_findings, sample_findings):
    findings = fixture_findings + sample_findings
    assert len(findings) >= 10
    for f in findings:
        sev = severity_of(f, CHECK)
        svg = path_svg(f.path, severity=sev, title=f.message)
        assert_inert(svg)
        root = parse(svg)
        assert "path-svg" in cls(root) and root.get("role") == "img" and root.get("aria-label")
        assert root.get("data-steps") == str(len(f.path)) and root.get("data-severity") == sev
        # The internet node comes first in the drawing order of the nodes.
        nodes = [el for el in root.iter(NS + "g") if {"internet", "step"} & set(cls(el))]
        assert "internet" in cls(nodes[0])
        steps = nodes[1:]
        assert [s.get("data-address") for s in steps] == [p.resource.address for p in f.path]
        assert [int(s.get("data-index")) for s in steps] == list(range(len(f.path)))
        # The step's message is its <title>.
        assert [s.find(NS + "title").text for s in steps] == [p.message for p in f.path]
        # Missing layers: data attribute, red border and one badge per layer, on the right steps only.
        for s, p in zip(steps, f.path):
            assert s.get("data-missing") == " ".join(p.missing)
            badges = [text_of(b) for b in find_class(s, "badge")]
            assert badges == ["missing: " + m for m in p.missing]
            rect = s.find(NS + "rect")
            if p.missing:
                assert rect.get("stroke") == pathsvg.MISSING_COLOUR and "missing" in cls(s)
            else:
                assert "missing" not in cls(s)
        assert "asset" in cls(steps[-1]) and "entry" in cls(steps[0])
        # One arrow per step: internet -> first, and each step -> the next.
        arrows = find_class(root, "arrow")
        assert len(arrows) == len(f.path)
        assert [a.get("data-to") for a in arrows] == [p.resource.address for p in f.path]
        assert sev in text_of(root)  # the severity pill next to the title


def test_missing_badges_on_fixture(fixture_findings):
    # The fixture's load balancer lacks a WAF and its database encryption: the badges say so where.
    db = next(f for f in fixture_findings if f.path[-1].resource.address == "aws_db_instance.orders")
    root = parse(path_svg(db.path, severity=severity_of(db, CHECK)))
    marked = {s.get("data-address"): s.get("data-missing") for s in find_class(root, "step") if s.get("data-missing")}
    assert marked == {"aws_lb.web": "waf", "aws_db_instance.orders": "encryption-at-rest"}


def test_asset_coloured_by_severity():
    path = (step("aws_lb.web", "aws_lb"), step("aws_s3_bucket.data", "aws_s3_bucket"))
    fills = {}
    for sev in ("critical", "high", "medium", "low", "bogus", ""):
        root = parse(path_svg(path, severity=sev))
        asset = find_class(root, "asset")[0]
        fills[sev] = asset.find(NS + "rect").get("stroke")
        assert root.get("data-severity") == (sev if sev in pathsvg.SEVERITY_COLOURS else "unknown")
    assert len({fills[s] for s in ("critical", "high", "medium", "low")}) == 4
    assert fills["critical"] == pathsvg.SEVERITY_COLOURS["critical"][0]
    assert fills["bogus"] == fills[""] == pathsvg.UNKNOWN_COLOURS[0]


def test_twelve_steps_wrap_into_rows():
    path = tuple(step("aws_thing.step_%02d" % i, "aws_thing", missing=("waf",) if i == 5 else ()) for i in range(12))
    svg = path_svg(path, severity="high", title="a long path")
    assert_inert(svg)
    root = parse(svg)
    steps = find_class(root, "step")
    assert len(steps) == 12 and len(find_class(root, "arrow")) == 12
    ys = []
    for s in steps:
        rect = s.find(NS + "rect")
        ys.append((float(rect.get("y")), float(rect.get("x"))))
    rows = sorted({y for y, _ in ys})
    assert len(rows) >= 3  # 13 nodes at most 4 a row
    # Left to right within a row, rows top to bottom, in path order.
    assert ys == sorted(ys)
    width = float(root.get("width"))
    assert width <= pathsvg.ROW_WIDTH + 2 * pathsvg.MARGIN + 1
    for s in steps:
        rect = s.find(NS + "rect")
        assert float(rect.get("x")) + float(rect.get("width")) <= width
    assert float(root.get("height")) >= rows[-1] + pathsvg.STEP_H
    assert root.get("viewBox") == "0 0 %s %s" % (root.get("width"), root.get("height"))
    # The badge sits on step 5 only.
    assert [s.get("data-missing") for s in steps].index("waf") == 5


def test_one_step_path_is_entry_and_asset():
    root = parse(path_svg((step("aws_db_instance.public", "aws_db_instance", missing=("network-segmentation",)),),
                          severity="critical"))
    (s,) = find_class(root, "step")
    assert {"entry", "asset", "missing"} <= set(cls(s))
    assert len(find_class(root, "arrow")) == 1
    assert "entry point" in text_of(s) and "critical" in text_of(s)


# --- hostile input ---------------------------------------------------------------------------

HOSTILE = [
    'aws_s3_bucket."><script>alert(1)</script>',
    "aws_lb.a&b<c>d'e\"f",
    "aws_lb.line\nbreak\r\x00nul",
    "aws_lb.\u202eevil\u2066x\u2069",
    "aws_lb.\x1b[31mred\x07",
    "aws_lb.zero\u200bwidth\ufeff",
    "aws_lb.javascript:alert(1)",
    "aws_lb.onload=alert(1)",
    "aws_lb.]]><!--",
    "aws_lb.&amp;&#x3c;",
    "aws_lb.\ud800lone",
    "aws_lb.\ufffe\uffff",
    "日本語のリソース名" * 6,
    "x" * 5000,
]


def test_hostile_names_render_as_text():
    path = tuple(step(name, rtype=name[:40], message=name, missing=(name[:20], "waf")) for name in HOSTILE)
    svg = path_svg(path, severity=HOSTILE[0], title=HOSTILE[0] + HOSTILE[2])
    assert_inert(svg)
    assert "<script" not in svg and "\x1b" not in svg and "\u202e" not in svg and "\x00" not in svg
    root = parse(svg)
    steps = find_class(root, "step")
    assert len(steps) == len(HOSTILE)
    from iacguard.output.escape import visible
    for s, name in zip(steps, HOSTILE[:-1]):
        assert s.get("data-address") == visible(name)  # the attribute reads back as the visible text
        assert s.find(NS + "title").text == visible(name)
    # Control and bidi characters shown as escapes.
    assert "\\x1b[31mred\\x07" in svg and "\\u202eevil" in svg and "line\\x0abreak" in svg
    # Shortened labels keep the full text in a <title>.
    long = steps[-1]
    label = next(t for t in long.iter(NS + "text") if "address" in cls(t))
    shown = label.find(NS + "title").tail
    assert "…" in shown and len(shown) < 100
    cap = pathsvg.MAX_TITLE_CHARS
    assert label.find(NS + "title").text == "x" * cap + "… (5000 characters)"
    assert steps[-1].get("data-address") == "x" * cap + "… (5000 characters)"


def test_megabyte_names_stay_bounded():
    huge = "aws_lb." + "a" * 1_000_000
    svg = path_svg((step(huge, huge, huge, missing=(huge,)), step("b.c")), severity="high", title=huge)
    assert_inert(svg)
    assert len(svg) < 60_000
    assert len(overview_svg([(step(huge, huge),)], ["high"])) < 30_000


def test_overview_hostile():
    paths = [(step(name, rtype=name, missing=("waf",)),) for name in HOSTILE]
    svg = overview_svg(paths, ["high"] * len(paths))
    assert_inert(svg)
    root = parse(svg)
    from iacguard.output.escape import visible
    assert sorted(e.get("data-address") for e in find_class(root, "entry")) == sorted(
        pathsvg._capped(visible(n)) for n in HOSTILE)


def _random_text(rnd: random.Random) -> str:
    alphabet = "<>&\"' =/:;()[]{}!-_.\n\r\t\x00\x1b\x7f\x85\u2028\u202e\u2066\ufeff\ud800\ufffeaZ9é日"
    return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60)))


def test_nothing_forbidden_for_random_input():
    rnd = random.Random(15)
    for _ in range(150):
        n = rnd.randint(0, 14)
        path = tuple(step(_random_text(rnd), _random_text(rnd), _random_text(rnd),
                          missing=tuple(_random_text(rnd) for _ in range(rnd.randint(0, 3)))) for _ in range(n))
        assert_inert(path_svg(path, severity=_random_text(rnd), title=_random_text(rnd)))
        paths = [path[:k] for k in range(n + 1)]
        assert_inert(overview_svg(paths, [_random_text(rnd) for _ in paths]))


def test_bad_input_does_not_crash():
    for bad in (None, (), [], (None,), (object(),), ("text",), 5):
        assert_inert(path_svg(bad, severity="high"))
    assert_inert(path_svg((step("a.b"),), severity=None, title=None))
    weird = PathStep(resource=None, message=None, location=None, missing=None)
    assert_inert(path_svg((weird, step("a.b")), severity="low"))
    assert_inert(overview_svg([None, (), (weird,), 7, (step("a.b"),)], ["high"]))
    assert_inert(overview_svg(None, None))


# --- determinism and bounds ------------------------------------------------------------------

def test_deterministic(fixture_findings):
    for f in fixture_findings:
        a = path_svg(f.path, severity="high", title=f.message)
        b = path_svg(tuple(f.path), severity="high", title=f.message)
        assert a == b
    paths = [f.path for f in fixture_findings]
    assert overview_svg(paths, ["high"] * len(paths)) == overview_svg(list(paths), ["high"] * len(paths))
    # No float noise in coordinates.
    assert not re.search(r"\d\.\d{2,}", path_svg(paths[0], severity="high"))


def test_thousand_steps_bounded():
    path = tuple(step("aws_thing.s%d" % i, missing=("waf",) if i % 100 == 0 else ()) for i in range(1000))
    svg = path_svg(path, severity="high")
    assert_inert(svg)
    root = parse(svg)
    steps = find_class(root, "step")
    assert len(steps) == MAX_DRAWN_STEPS <= 1000
    assert root.get("data-steps") == "1000" and root.get("data-left-out") == str(1000 - MAX_DRAWN_STEPS)
    (gap,) = find_class(root, "gap")
    left_out = 1000 - MAX_DRAWN_STEPS
    assert gap.get("data-left-out") == str(left_out) and "%d steps left out" % left_out in text_of(gap)
    # The first steps and the asset are drawn; the gap box sits before the asset.
    assert steps[0].get("data-address") == "aws_thing.s0"
    assert steps[-1].get("data-address") == "aws_thing.s999" and "asset" in cls(steps[-1])
    assert len(find_class(root, "arrow")) == MAX_DRAWN_STEPS + 1  # one more, into the gap box
    assert "%d steps not drawn" % left_out in root.get("aria-label")
    assert len(svg) < 60_000
    print("1,000-step path: %d bytes of SVG, %d steps drawn" % (len(svg), len(steps)))


# --- overview --------------------------------------------------------------------------------

def test_overview_empty():
    svg = overview_svg([], [])
    assert_inert(svg)
    root = parse(svg)
    assert "path-overview" in cls(root) and root.get("role") == "img" and root.get("data-entries") == "0"
    assert find_class(root, "internet") and not find_class(root, "entry")
    assert "No attack path" in text_of(root)


def test_overview_one_entry(fixture_findings):
    lb_paths = [f for f in fixture_findings if f.path[0].resource.address == "aws_lb.web"]
    sevs = [severity_of(f, CHECK) for f in lb_paths]
    root = parse(overview_svg([f.path for f in lb_paths], sevs))
    (entry,) = find_class(root, "entry")
    assert entry.get("data-address") == "aws_lb.web" and entry.get("data-paths") == str(len(lb_paths))
    worst = max(sevs, key=lambda s: {"critical": 4, "high": 3, "medium": 2, "low": 1}[s])
    assert entry.get("data-severity") == worst == "high"
    assert "%d paths" % len(lb_paths) in text_of(entry)
    assert len(find_class(root, "link")) == 1 and find_class(root, "bus")


def test_overview_real(fixture_findings, sample_findings):
    for findings in (fixture_findings, sample_findings):
        paths = [f.path for f in findings]
        root = parse(overview_svg(paths, [severity_of(f, CHECK) for f in findings]))
        entries = find_class(root, "entry")
        assert len(entries) == len({p[0].resource.id for p in paths})
        assert sum(int(e.get("data-paths")) for e in entries) == len(paths)
        ranks = [{"critical": 4, "high": 3, "medium": 2, "low": 1}[e.get("data-severity")] for e in entries]
        assert ranks == sorted(ranks, reverse=True)  # the worst first


def test_overview_two_hundred_entries():
    sevs = ("critical", "high", "medium", "low")
    paths, severities = [], []
    for i in range(200):
        for k in range(1 + i % 3):
            paths.append((step("aws_lb.e%03d" % i, "aws_lb"), step("aws_db_instance.db", "aws_db_instance")))
            severities.append(sevs[(i + k) % 4])
    svg = overview_svg(paths, severities)
    assert_inert(svg)
    root = parse(svg)
    entries = find_class(root, "entry")
    assert root.get("data-entries") == "200"
    assert len(entries) == MAX_OVERVIEW_ENTRIES and root.get("data-not-drawn") == str(200 - MAX_OVERVIEW_ENTRIES)
    assert "%d more entry points not drawn" % (200 - MAX_OVERVIEW_ENTRIES) in text_of(root)
    assert {e.get("data-severity") for e in entries} == {"critical"}  # the worst are the ones drawn
    assert float(root.get("width")) < 1200 and float(root.get("height")) < 2000
    assert len(svg) < 300_000
    print("overview of 200 entry points: %d bytes, %sx%s px" % (len(svg), root.get("width"), root.get("height")))


def test_overview_entries_are_by_resource_not_address():
    # Two roots with the same address: two entry points.
    a = step("aws_lb.web", "aws_lb")
    b = PathStep(resource=Resource(id="other:aws_lb.web", address="aws_lb.web", type="aws_lb", language="terraform",
                                   properties={}, location=a.location), message="m", location=a.location)
    root = parse(overview_svg([(a,), (b,), (a,)], ["low", "high", "medium"]))
    entries = find_class(root, "entry")
    assert [(e.get("data-paths"), e.get("data-severity")) for e in entries] == [("1", "high"), ("2", "medium")]


def test_fit_shortens_in_the_middle():
    s = pathsvg.fit("aws_elasticache_replication_group.sessions", 150, 13, bold=True)
    assert "…" in s and s.endswith("sessions") and s.startswith("aws")
    assert pathsvg.text_width(s, 13, bold=True) <= 150
    assert pathsvg.fit("short", 150, 13) == "short"
    assert pathsvg.fit("anything", 1, 13) == "…"
    lines = pathsvg.wrap("word " * 100, 300, 14, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
