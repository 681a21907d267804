"""Baselines: the findings a project has accepted for now, so a scan reports only new ones.

A baseline file lists findings by the same fingerprint the JSON and SARIF reports carry: check id,
file path and resource address, never line numbers, so reformatting a file or inserting lines
keeps every entry matching. Paths are taken relative to the folder holding the baseline file
(usually the repository root, where the scan also runs, so the fingerprints equal the reports'),
which lets a scan started from another folder match the same entries.

Checks left undecided by unknown values are listed too, as entries with `"undecided": true` and
a fingerprint of their own (see `undecided_fingerprints`), so that a later scan shows only new
ones; such an entry never hides a finding.

The file is sorted JSON without timestamps, so a regenerated baseline diffs cleanly in review.
"""
from __future__ import annotations

import dataclasses
import json
import os

import iacguard

from iacguard.atomic import write_text
from iacguard.core.model import ScanResult
from iacguard.core.fingerprint import fingerprints, undecided_fingerprints
from iacguard.core.paths import display_path

FORMAT_VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be read or is not an iacguard baseline."""


def _base_dir(baseline_path: str) -> str:
    return os.path.dirname(os.path.abspath(baseline_path))


def _relative(path: str, base_dir: str) -> str:
    """`path` relative to the baseline's folder, with `..` when it lies elsewhere, so that the
    baseline keeps matching wherever the checkout (and the baseline beside it) is moved."""
    try:
        return os.path.relpath(path, base_dir).replace(os.sep, "/")
    except ValueError:  # another drive (Windows)
        return display_path(path, base_dir)


def _keyed(result: ScanResult, base_dir: str) -> list:
    """(fingerprint, finding) pairs with paths relative to `base_dir`."""
    view = dataclasses.replace(result, cwd=base_dir)
    return list(zip(fingerprints(view, path_of=lambda p: _relative(p, base_dir)), result.findings))


def _keyed_undecided(result: ScanResult, base_dir: str) -> list:
    view = dataclasses.replace(result, cwd=base_dir)
    return list(zip(undecided_fingerprints(view, path_of=lambda p: _relative(p, base_dir)), result.undecided))


def build(result: ScanResult, baseline_path: str) -> dict:
    """The baseline document for today's findings, to be written at `baseline_path`."""
    base = _base_dir(baseline_path)
    entries = [
        {
            "fingerprint": fp,
            "check_id": f.check_id,
            "file": _relative(f.location.path, base),
            "resource": f.resource.address,
        }
        for fp, f in _keyed(result, base)
    ]
    entries += [
        {
            "fingerprint": fp,
            "check_id": u.check_id,
            "file": _relative(u.location.path, base),
            "resource": u.resource.address,
            "undecided": True,
        }
        for fp, u in _keyed_undecided(result, base)
    ]
    entries.sort(key=lambda e: (e["file"], e["check_id"], e["resource"], e["fingerprint"]))
    return {
        "iacguard_baseline": FORMAT_VERSION,
        "generated_by": "iacguard %s" % iacguard.__version__,
        "findings": entries,
    }


def write(result: ScanResult, baseline_path: str, untrusted: tuple = ()) -> int:
    """Write the baseline; returns the number of entries. `untrusted`: folders whose symlinks
    the write must not go through (see iacguard.atomic)."""
    doc = build(result, baseline_path)
    write_text(baseline_path, json.dumps(doc, indent=2) + "\n", untrusted)  # a symlink there is replaced, not followed
    return len(doc["findings"])


def load(baseline_path: str) -> dict:
    """Fingerprint -> check id, for every entry of a baseline file."""
    try:
        with open(baseline_path, "rb") as fh:
            doc = json.loads(fh.read().decode("utf-8"))
    except OSError as exc:
        raise BaselineError("cannot read baseline %s: %s" % (baseline_path, exc.strerror)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError("baseline %s is not valid JSON: %s" % (baseline_path, exc)) from None
    if not isinstance(doc, dict) or doc.get("iacguard_baseline") != FORMAT_VERSION or not isinstance(doc.get("findings"), list):
        raise BaselineError("%s is not an iacguard baseline (version %d)" % (baseline_path, FORMAT_VERSION))
    out = {}
    for entry in doc["findings"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise BaselineError("%s: every entry needs a string `fingerprint`" % baseline_path)
        out[entry["fingerprint"]] = str(entry.get("check_id", "")) if not entry.get("undecided") else UNDECIDED
    return out


UNDECIDED = "\0undecided"  # stands for the check id of an undecided entry in `load`'s answer


class BaselineFilter:
    """The post-processing step: leaves out findings the baseline holds and counts the baseline
    entries no finding matches any more (fixed, or moved to another file or resource)."""

    def __init__(self, baseline_path: str) -> None:
        self.path = os.path.abspath(baseline_path)
        self.known = load(baseline_path)

    def __call__(self, result: ScanResult, graph=None) -> None:
        kept, seen = [], set()
        for fp, finding in _keyed(result, _base_dir(self.path)):
            if fp in self.known:
                seen.add(fp)
            else:
                kept.append(finding)
        result.baseline_file = self.path
        result.baseline_matched = len(result.findings) - len(kept)
        # Entries of checks that did not run this time (--skip-check) are not counted as fixed.
        ran = {c.id for c in result.checks}
        result.baseline_fixed = sum(1 for fp, cid in self.known.items() if fp not in seen and (cid in ran or not cid))
        result.findings = kept
        undecided = [u for fp, u in _keyed_undecided(result, _base_dir(self.path)) if fp not in self.known]
        result.undecided_left_out += len(result.undecided) - len(undecided)
        result.undecided = undecided
