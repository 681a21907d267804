"""What the entry-kind tests (test_entry_<kind>.py) share: scanning a fixture with the attack-path
check alone, its graph's facts, the layers each path lacks recomputed with `missing_layers`, and
the findings as comparable rows (each row's message must name the layers it lacks)."""
from __future__ import annotations

from pathlib import Path

from iacguard.checks.infrastructure.attack_paths import CHECK
from iacguard.core.model import ScanOptions
from iacguard.engine import build_graph, scan
from iacguard.facts import Facts
from iacguard.facts.layers import Hops, missing_layers


def scan_path(target: Path):
    """The scan of a fixture folder or template with AWS-PATH-001 only (no error notification)."""
    folder = target if target.is_dir() else target.parent
    result = scan([str(target)], ScanOptions(), cwd=str(folder), checks=[CHECK])
    assert [n for n in result.notifications if n.level == "error"] == []
    return result


def facts_of(target: Path) -> Facts:
    analysis = build_graph([str(target)])
    assert [n for n in analysis.notifications if n.level == "error"] == []
    return Facts(analysis.graph)


def missing_by_path(facts: Facts) -> dict:
    """Hop addresses -> the distinct names of the layers the path lacks."""
    out = {}
    for path in facts.of_kind("attack_path"):
        missing, _ = missing_layers(facts, Hops.of([h.resource for h in path.hops], path.grant))
        out[path.addresses] = tuple(dict.fromkeys(layer for layer, _, _ in missing))
    return out


def finding_rows(result, missing: dict) -> set:
    """{(entry address, entry line, severity, ((hop address, file name, line), ...), missing layer
    names)} of the check's findings; each message names every layer its path lacks."""
    rows = set()
    for f in result.findings:
        assert f.check_id == CHECK.id
        hops = tuple((s.resource.address, Path(s.location.path).name, s.location.start_line) for s in f.path)
        layers = missing[tuple(h[0] for h in hops)]
        assert all("%s (" % name in f.message for name in layers), f.message
        rows.add((f.resource.address, f.location.start_line, f.severity, hops, layers))
    return rows


def rows_of(target: Path) -> set:
    return finding_rows(scan_path(target), missing_by_path(facts_of(target)))
