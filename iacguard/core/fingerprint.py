"""Fingerprints: the identity of a finding across scans, as baselines and the JSON and SARIF
reports carry it.

Neutral ground between post-processing (iacguard.post.baseline) and the reports (iacguard.output),
which both use it; it reads only the model and iacguard.core.paths.
"""
from __future__ import annotations

from collections import Counter

from .digests import sha256
from .model import CLOUDFORMATION, TERRAFORM, ScanResult
from .paths import display_path


def fingerprints(result: ScanResult, findings=None, path_of=None) -> list:
    """One fingerprint per finding (of `findings`, default `result.findings`), in order: sha256
    of check id, file path relative to cwd and resource address, 32 hex digits.

    `path_of(path)` names files (default: relative to the scan's cwd, else absolute).

    Line numbers are left out on purpose, so a finding keeps its identity when lines move. A
    resource inside a Terraform module also brings the folder of the root module that calls it,
    so that two examples calling one module keep apart, and a resource of a plan the plan file
    (its findings point at the configuration files the plan was made from); the file of a
    resource declared in a root module's own folder or in a template already names its root,
    while a resource of a nested stack brings its top-level template. None of these depend on the
    folder scanned, so scanning a tree or each of its root modules alone gives the same
    fingerprints (with the same working directory). A finding that carries an attack path
    (`Finding.path`) also brings the address of the path's last step (the asset), when that is
    another resource than the finding's own (the entry point), so that the paths from one entry
    point to several assets keep apart whatever their order. When several findings share all of
    these (a check failing twice on one resource), the second and later ones get ":2", ":3", ...
    in report order, which follows their position in the file.
    """
    if findings is None and path_of is None:
        return reported_fingerprints(result)[: len(result.findings)]
    out = []
    seen: Counter = Counter()
    names: dict = {}

    def shown(path: str) -> str:  # once per file, not per finding
        name = names.get(path)
        if name is None:
            name = names[path] = path_of(path) if path_of else display_path(path, result.cwd)
        return name

    for f in (result.findings if findings is None else findings):
        parts = [f.check_id, shown(f.location.path), f.resource.address]
        res = f.resource
        # A Terraform module's file does not say which root module reached it, nor does the
        # configuration file a plan's resource is traced to say which plan it comes from.
        root = res.meta.get("root_module") if res.language == TERRAFORM and (res.module or res.meta.get("plan")) else None
        if root:
            parts.append(shown(root))
        if res.language == CLOUDFORMATION and res.module and res.meta.get("root_module"):
            # Nor does a nested stack's template say which top-level stack nests it: a template
            # nested by several parents gives one fingerprint per parent, whatever the file order.
            parts.append(shown(res.meta["root_module"]))
        path = getattr(f, "path", ())
        if path and path[-1].resource.address != res.address:
            parts.append("asset " + path[-1].resource.address)
        key = "\0".join(parts)
        digest = sha256(key.encode("utf-8")).hexdigest()[:32]
        seen[digest] += 1
        out.append(digest if seen[digest] == 1 else "%s:%d" % (digest, seen[digest]))
    return out


_LAST: list = [None]  # the last result's (identity, fingerprints): each report asks several times


def reported_fingerprints(result: ScanResult) -> list:
    """`fingerprints` of the reported findings followed by the suppressed ones (counted after
    the reported, so a reported finding keeps the fingerprint it has without suppressions
    beside it), computed once per result: the JSON report, SARIF and the suppressed list each
    asked again (three passes over 150,000 findings took a second)."""
    findings, suppressed = result.findings, result.suppressed
    identity = (result, findings, suppressed, len(findings), len(suppressed), result.cwd,
                findings[0] if findings else None, findings[-1] if findings else None,
                suppressed[-1] if suppressed else None)
    last = _LAST[0]
    if last is not None and len(last[0]) == len(identity) and all(a is b or (type(a) in (int, str) and a == b) for a, b in zip(last[0], identity)):
        return last[1]
    out = fingerprints(result, list(findings) + [s.finding for s in suppressed])
    _LAST[0] = (identity, out)
    return out


def undecided_fingerprints(result: ScanResult, records=None, path_of=None) -> list:
    """One fingerprint per record of `records` (default `result.undecided`): a finding's
    fingerprint of the same check, file and resource, hashed again with "undecided" and the
    setting, so that a baseline entry for an undecided record never hides a finding."""
    records = result.undecided if records is None else records
    out = []
    for u, fp in zip(records, fingerprints(result, records, path_of)):
        out.append(sha256(("undecided\0%s\0%s" % (u.what, fp)).encode("utf-8")).hexdigest()[:32])
    return out
