"""Fingerprints are computed once per result, however many reports ask."""
from __future__ import annotations


def test_fingerprints_computed_once_per_result(monkeypatch):
    """Every report asks for the findings' fingerprints (and the suppressed ones'); they are
    computed once per result, and again when the result's findings change."""
    import os

    from iacguard.core import fingerprint
    from iacguard.engine import scan
    from iacguard.output import render

    root = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "sample_iac")
    result = scan([root], cwd=root)
    calls = []
    real = fingerprint.fingerprints
    monkeypatch.setattr(fingerprint, "fingerprints", lambda *a, **k: calls.append(len(a[1]) if len(a) > 1 and a[1] is not None else None) or real(*a, **k))
    first = render("json", result)
    render("sarif", result)
    assert first == render("json", result)
    assert calls.count(len(result.findings) + len(result.suppressed)) == 1
    result.findings = result.findings[1:]
    render("json", result)
    assert calls.count(len(result.findings) + len(result.suppressed)) == 1  # computed anew
