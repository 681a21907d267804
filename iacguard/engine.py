"""The pipeline, end to end: discover -> parse -> evaluate -> graph -> facts -> checks -> findings.

Each file is parsed in isolation by `parse_source`, a pure function whose result is picklable
(so it can be cached and run in worker processes); a failure there becomes a notification naming
the file and the scan goes on. A check that fails internally is reported as such and the other
checks still run.
"""
from __future__ import annotations

import dataclasses
import os
import time
from operator import attrgetter

from iacguard.discover import DEFAULT_MAX_FILE_BYTES, SourceFile, discover
from iacguard.core.model import TERRAFORM, Analysis, Finding, LanguageResult, Notification, PathStep, Resource, ScanOptions, ScanResult, Undecided
from .parse import ParsedSource, parse_source  # noqa: F401 - ParsedSource re-exported for older callers
from .cache import MAX_ENTRY_BYTES, Deferred, EvaluationCache, ScanCache, _cacheable_failure, begin_scan, end_scan, keyed, parse_all
from iacguard.post.redact import redact
from iacguard.core.gcpause import gc_paused

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:  # the graph loads only when a scan is not answered from the cache
    from typing import Callable, Iterable

    from .graph import ResourceGraph


def scan(
    paths: list,
    options: ScanOptions | None = None,
    excludes: Iterable = (),
    checks: Iterable | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    cwd: str | None = None,
    jobs: int = 1,
    cache_dir: str | None = None,
    time_per_file: int = 0,
    limits=None,
    progress: Callable[[str, int, int], None] | None = None,
    postprocess: Iterable[Callable] = (),
    outputs: Iterable[str] = (),
    background: bool = False,
) -> ScanResult:
    """Scan `paths`. `progress(stage, done, total)` hears of the stages "parse", "evaluate" and
    "check" as they advance. Each `postprocess(result, graph)` step runs last, in order, and may
    move findings out of `result.findings` (suppressions, baseline, changed files). `outputs`: the
    files the command writes (reports), whose content, not their modification time, the cache's
    tree fingerprints count. `background`: a large scan's cache entry may be written by a forked
    child while the caller writes its reports; the caller then calls `wait_background()` before
    it ends (the `iacguard` command does, as it exits)."""
    with gc_paused():  # no stage makes cyclic garbage: the collector would only re-walk (core/gcpause.py)
        return _scan(paths, options, excludes, checks, max_file_bytes, cwd, jobs, cache_dir, time_per_file, limits, progress, postprocess, outputs, background)


# Resources from which a scan's cache entry is written in the background (`scan(background=True)`):
# at 100,000 resources, making the entry and writing it took 0.8 s, and the JSON report 1.5 s.
_BACKGROUND_MIN_RESOURCES = 20000
_BACKGROUND: list = []  # the children writing entries


def wait_background() -> None:
    """Wait until the cache entries being written in the background are written (or failed:
    the next scan then misses, nothing else)."""
    while _BACKGROUND:
        _BACKGROUND.pop().result()


def _put_entry(scan_cache, key: str, analysis: Analysis, cache_dir: str, view) -> bool:
    scan_cache.put(key, _cacheable(analysis, view))
    end_scan(cache_dir)
    return True


# The final orders: the same tuples the former lambdas made (n.path, n.line, n.level, n.message),
# built in C (100,000 resources: some 300,000 unknown values sorted).
_NOTE_ORDER = attrgetter("path", "line", "level", "message")
_UNKNOWN_ORDER = attrgetter("path", "line", "what", "reason")


def _scan(paths, options, excludes, checks, max_file_bytes, cwd, jobs, cache_dir, time_per_file, limits, progress, postprocess, outputs=(), background=False) -> ScanResult:
    started = time.monotonic()
    report = progress or (lambda stage, done, total: None)
    options = options or ScanOptions()
    if excludes and not options.excludes:
        options = dataclasses.replace(options, excludes=list(excludes))  # file functions honour them
    if checks is None:
        from .checks import REGISTRY

        checks = REGISTRY
    checks = sorted(checks, key=lambda c: c.id)
    disc = discover(list(paths), list(excludes))
    notes: list = list(disc.notifications)
    report("parse", 0, len(disc.files))
    analysis = key = scan_cache = keys = keep = state = None
    if cache_dir:
        store = begin_scan(cache_dir)  # the cache is measured before its first write; no write takes it past its bound
        store.exact = frozenset(os.path.realpath(o) for o in outputs)
        # The scan cache is asked first, by the files' content keys: an unchanged tree is
        # answered without parsing anything.
        keys = keyed(disc.files, max_file_bytes, cache_dir, limits)
        scan_cache = ScanCache(cache_dir, limits)
        key = scan_cache.key(keys.files, options, checks, disc.roots)
        analysis = scan_cache.get(key) if key else None
        if key:
            # (the scan key has fingerprinted every root: store.fingerprint answers from its memo)
            state = (keys.cache.versions, max_file_bytes, list(excludes), [(s.path, s.root, s.kind, f.digest) for s, f in zip(disc.files, keys.files)],
                     list(disc.roots), sorted(disc.focus), repr(disc.notifications), [(r, scan_cache.store.fingerprint(r)) for r in sorted(disc.roots)])
    from_cache = analysis is not None
    if analysis is None:
        shared = _SharedRoots.start(disc.files, keys, options, cache_dir, limits, max_file_bytes, time_per_file, jobs)
        try:
            parsed = parse_all(disc.files, max_file_bytes, jobs=jobs, cache_dir=cache_dir, time_limit=time_per_file, limits=limits, keys=keys,
                               skip=shared.indexes if shared is not None else ())
            if keys is not None and not shared:
                keys.read.clear()  # every file's bytes, read once for its key and its parse: not needed again
            report("parse", len(disc.files), len(disc.files))
            analysis = _analyse(parsed, checks, options, cache_dir, limits, max_file_bytes, report, jobs, shared)
        finally:
            if shared is not None:
                shared.close()
        if keys is not None:
            keys.read.clear()
        analysis.parse_notifications = [n for p in parsed for n in p.notifications]
        analysis.parse_failed = any(p.kind == "failed" for p in parsed)
        if key and not any("internal error" in n.message or n.message.startswith("evaluation cut short: ") for n in analysis.notifications) and not _uncacheable_parse(parsed):
            keep = key  # written at the end, once the graph is let go
        else:
            state = None  # an analysis the cache does not keep (a timeout, an internal error) is not replayed either
    else:
        report("parse", len(disc.files), len(disc.files))
    notes.extend(analysis.parse_notifications)
    notes.extend(analysis.notifications)
    findings, graph = _name_root_modules(analysis.findings, cwd or os.getcwd(), analysis.roots > 1), analysis.graph
    undecided = list(analysis.undecided)
    if disc.focus:
        # Files of a named file's folder were read for context only.
        folders = {os.path.dirname(f) for f in disc.focus}
        findings = [f for f in findings if f.location.path in disc.focus or os.path.dirname(f.location.path) not in folders]
        undecided = [u for u in undecided if u.location.path in disc.focus or os.path.dirname(u.location.path) not in folders]
    scanned, unknowns = analysis.files, analysis.unknowns
    if not scanned and disc.roots and not analysis.parse_failed:
        # Say so rather than report a clean result for a tree with nothing to check.
        for root in disc.roots:
            notes.append(Notification("warning", "no Terraform or CloudFormation files found", root))
    result = ScanResult(
        findings=findings,
        checks=checks,
        notifications=sorted(set(notes), key=_NOTE_ORDER),
        files=sorted(scanned),
        resources=analysis.resources,
        unknowns=sorted(set(unknowns), key=_UNKNOWN_ORDER),
        roots=list(disc.roots),
        cwd=cwd or os.getcwd(),
        duration=time.monotonic() - started,
        undecided=undecided,
        entry_points=list(getattr(analysis, "entry_points", ()) or ()),
        from_cache=from_cache,
        source_state=state,
    )
    # Values of sensitive variables and NoEcho parameters: out of every report, before
    # suppressions, baselines and the changed-files filter see the findings.
    redact(result, getattr(analysis, "secrets", ()) or ())
    # What the cache keeps of the graph (GraphView: what post-processing reads of it), taken
    # before post-processing: its last step may empty a large graph (scan_command._release_graph),
    # and an entry made after that lost the CloudFormation metadata suppressions of every scan
    # the cache answered.
    view = _graph_view(analysis.graph) if keep else None
    for step in postprocess:
        step(result, graph)
    if keep and background and jobs != 1 and analysis.resources >= _BACKGROUND_MIN_RESOURCES:
        from iacguard.core import forked

        if forked.available():
            try:
                _BACKGROUND.append(forked.Child(lambda: _put_entry(scan_cache, keep, analysis, cache_dir, view)))
                keep = cache_dir = None  # (the child ends the scan's use of the cache)
            except OSError:
                pass
    if keep:
        # The scan entry (the analysis as it was before post-processing, which reads it and
        # leaves it as it is), written once the graph is let go: pickling it keeps a note of
        # every object written (100,000 resources: 25 MB more at the time), and the graph was
        # 100 MB of the peak it added to.
        entry = _cacheable(analysis, view)
        graph = analysis = view = None
        scan_cache.put(keep, entry)
    if cache_dir:
        end_scan(cache_dir)
    result.duration = time.monotonic() - started
    return result


def build_graph(
    paths: list,
    options: ScanOptions | None = None,
    excludes: Iterable = (),
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    limits=None,
) -> Analysis:
    """Discover, parse and evaluate `paths` into the resource graph, running no check and using
    no cache: what `iacguard iam` asks questions of. The Analysis holds the graph, the
    notifications (discovery's and evaluation's) and the secret values to keep out of output."""
    options = options or ScanOptions()
    if excludes and not options.excludes:
        options = dataclasses.replace(options, excludes=list(excludes))
    with gc_paused():
        disc = discover(list(paths), list(excludes))
        parsed = parse_all(disc.files, max_file_bytes, jobs=1, cache_dir=None, limits=limits, **({"time_limit": limits.time_per_file} if limits is not None else {}))
        analysis = _analyse(parsed, [], options, None, limits, max_file_bytes, lambda stage, done, total: None)
    notes = list(disc.notifications)
    for p in parsed:
        notes.extend(p.notifications)
    analysis.notifications = sorted(set(notes) | set(analysis.notifications), key=lambda n: (n.path, n.line, n.level, n.message))
    return analysis


class _SharedRoots:
    """Large CloudFormation roots parsed and evaluated in two processes from the start (issue 17).

    A template that nests no other and that no other nests is evaluated on its own with the
    result it has beside the others: its resources, references and notes depend on it alone. A
    forked child started before anything is parsed takes the root's data files one at a time,
    parses each and evaluates each template alone (`cloudformation.evaluate.OneByOne`), while
    this process does the same with the files the child has not taken (`forked.Tasks`: whoever
    is free takes the next file, the largest first); the child sends back each file's parse
    record and each template's result pickled, and the results are put together in path order.
    Nothing but results crosses: where the parse pool sends parse trees back (the costliest part
    to send) and the evaluation fork (`cloudformation.evaluate._evaluate_shared`) starts from
    them, this child starts before anything is parsed, so neither its copy of this process nor
    what it sends is large.

    Files whose bytes name a nesting type (`AWS::CloudFormation::Stack`,
    `AWS::Serverless::Application`) are this process's. Where there are any, this process only
    parses the files it takes until the child has sent its part, then evaluates its own with the
    child's templates standing in for the nested stacks' locations (`evaluate_templates`' `done`):
    a template of the child's that one of them nests is read again here and evaluated as that
    nested stack. A template of the child's that nests another after all (a type spelled with
    escapes), or a child that fails, sends the root down the usual path, whatever was done.

    A root qualifies when its data files hold at least _MIN_BYTES and the evaluation cache holds
    no entry for it (then the usual path reads that entry). Its evaluation is kept under the keys
    of all its data files, whichever path evaluates it."""

    # A root's data files must hold this many bytes: a fork before anything is parsed costs a few
    # milliseconds. 205 files, 2.6 MB (aws-cloudformation-templates): 0.74 s against 0.83 s; its
    # templates without the 1.4 MB JSON that is none, 1.2 MB: 0.69 s against 0.79 s.
    _MIN_BYTES = 1 << 20
    _MARKERS = (b"AWS::CloudFormation::Stack", b"AWS::Serverless::Application")

    def __init__(self):
        self.roots: set = set()  # the roots shared
        self.keyed: dict = {}  # root -> its data files' keys, under which its evaluation is kept
        self.entry_bytes: dict = {}  # root -> the size its evaluation's cache entry would have, about
        self.indexes: set = set()
        self._runs: dict = {}  # root -> (this process's own files, the files either takes, the Tasks, the child)
        self._sources = self._read = None
        self._args = ()

    def __bool__(self) -> bool:
        return bool(self.roots)

    @classmethod
    def start(cls, sources: list, keys, options: ScanOptions, cache_dir, limits, max_bytes: int, time_limit: int, jobs: int):
        if jobs == 1:
            return None
        from iacguard.core import forked
        from iacguard.discover import read_bytes

        by_root: dict = {}
        for i, src in enumerate(sources):
            if src.kind == "data":
                by_root.setdefault(src.root, []).append(i)
        sizes = {root: sum(_size(sources[i].path) for i in idx) for root, idx in by_root.items()}
        big = {root: idx for root, idx in by_root.items() if sizes[root] >= cls._MIN_BYTES}
        children = forked.processes(jobs) - 1 if big else 0  # (one per CPU besides this process's, the largest roots first)
        if children < 1:
            return None
        evaluated = EvaluationCache(cache_dir, limits) if cache_dir and keys is not None else None
        read = keys.read if keys is not None else {}
        self = cls()
        self._sources, self._read, self._args = sources, read, (options, max_bytes, time_limit, limits)
        self._digests = keys.keys if keys is not None else {}
        for root, idx in sorted(big.items(), key=lambda item: (-sizes[item[0]], item[0])):
            idx.sort(key=lambda i: sources[i].path)
            for i in idx:
                if i not in read:
                    read[i] = read_bytes(sources[i].path, max_bytes)[0]
            if evaluated is not None:
                # The root's evaluation is kept under its data files' keys (not only its
                # templates': which files are templates is known once parsed); when an entry is
                # there, the usual path reads it instead of evaluating anything.
                digests = self.keyed[root] = [self._digests.get(i, "") for i in idx]
                if all(digests) and os.path.exists(evaluated._path(evaluated.key("cloudformation", root, digests, options))):
                    continue
            if len(self.roots) >= children:
                continue  # (kept under the same keys: an evaluation stored when it was shared is read)
            own = [i for i in idx if read[i] is not None and any(m in read[i] for m in cls._MARKERS)]
            pool = sorted(set(idx).difference(own), key=lambda i: (-len(read[i] or b""), sources[i].path))
            tasks = forked.Tasks.make(len(pool)) if len(pool) > 1 else None
            if tasks is None:
                continue
            try:
                child = forked.Child(lambda send, pool=pool, tasks=tasks, root=root: self._sent(pool, tasks, root, send), stream=True)
            except OSError:
                tasks.close()
                continue
            self.roots.add(root)
            self.indexes.update(idx)
            self._runs[root] = (own, pool, tasks, child)
        return self if self.roots or self.keyed else None

    def _parse(self, indexes) -> list:
        from .cache import parse_one

        options, max_bytes, time_limit, limits = self._args
        return [parse_one(self._sources[i], max_bytes, time_limit, self._read.get(i)) for i in indexes]

    def _sent(self, pool: list, tasks, root: str, send):
        """In the child: for each file of `pool` it takes, `send` (index, the file's parse
        record, its template's result or None) pickled, the record's Template emptied once
        evaluated (`_let_go`). Gives how many it sent, or "nests" when a template nests another."""
        import pickle

        from iacguard.core import limits as _limits
        from .cloudformation.evaluate import OneByOne, Template, _let_go, nests_stacks

        options, max_bytes, time_limit, limits = self._args
        if limits is not None:
            _limits.apply(limits)
        evaluate = OneByOne(root, options)
        sent = 0
        for k in iter(tasks.take, None):
            i = pool[k]
            p = self._parse([i])[0]
            part = None
            if p.kind == "cloudformation":
                if nests_stacks(p.data):
                    return "nests"
                part = evaluate(p.path, p.data)
                if isinstance(p.data, Template):
                    _let_go(p.data)  # (what stands for it where a template nests others: see Done)
            send(pickle.dumps((i, p, part), protocol=pickle.HIGHEST_PROTOCOL))
            sent += 1
        return sent

    def evaluate(self, root: str, parsed: list, jobs: int) -> LanguageResult:
        """The root's result, its entries of `parsed` filled (without their trees)."""
        import pickle

        from .cloudformation.evaluate import Done, OneByOne, Template, _let_go, evaluate_templates, nested_candidates, nests_stacks

        own, pool, tasks, child = self._runs.pop(root)
        options = self._args[0]
        try:
            records: dict = {}  # index -> parse record
            results: dict = {}  # path -> its template's result (the templates of no nesting root)
            theirs: list = []  # the child's (index, parse record, result or None)
            sent = 0  # the bytes of what the child sent

            def received() -> None:  # what the child sent since, read back
                nonlocal sent
                for data in child.parts():
                    sent += len(data)
                    theirs.append(pickle.loads(data))

            complete = False
            try:
                records.update(zip(own, self._parse(own)))
                nesting = bool(own)
                evaluate = OneByOne(root, options)
                if nesting:
                    # Where a template nests others, the templates a nested stack may name wait
                    # for the child's part; the others are evaluated at once, as the child does
                    # (one a nested stack names after all is read again: cloudformation.evaluate.Done).
                    named = nested_candidates({records[i].path: records[i].data for i in own}, [self._sources[i].path for i in own + pool])
                    if named is None:
                        evaluate = None
                for k in iter(tasks.take, None):
                    i = pool[k]
                    p = records[i] = self._parse([i])[0]
                    if evaluate is not None and p.kind == "cloudformation":
                        if not nesting:
                            if nests_stacks(p.data):
                                break
                            results[p.path] = evaluate(p.path, p.data)
                            p.data = None
                        elif isinstance(p.data, Template) and p.path not in named and not nests_stacks(p.data):
                            results[p.path] = evaluate(p.path, p.data)
                            _let_go(p.data)  # (it stands in for itself, as the child's do)
                    received()
                else:
                    got = child.result()
                    received()
                    complete = got[0] and got[1] == len(theirs)
                if complete and nesting:
                    # The child's templates stand in for the nested stacks' locations.
                    templates = {p.path: p.data for p in records.values() if p.kind == "cloudformation"}
                    done, errors = dict(results), []
                    counted = 0
                    for i, p, part in theirs:
                        if isinstance(p.data, Template):  # (emptied by the child)
                            done[p.path] = part
                            templates[p.path] = p.data
                            counted += len(part.resources)
                        elif part is not None:
                            errors.append(part)
                    where = {p.path: i for i, p in records.items()}
                    where.update((p.path, i) for i, p, _ in theirs)
                    result = evaluate_templates(dict(sorted(templates.items())), root, options,
                                                done=Done(done, lambda path: self._parse([where[path]])[0].data))
                    for part in errors:
                        result.extend(part)
                elif complete:
                    counted = 0
                    for i, p, part in theirs:
                        if part is not None:
                            results[p.path] = part
                            counted += len(part.resources)
                    result = LanguageResult(notifications=list(evaluate.notes))
                    for path in sorted(results):
                        result.extend(results[path])
            except Exception:  # noqa: BLE001 - the usual path says what it is
                complete = False
            if complete:
                for i, p in records.items():
                    parsed[i] = self._recorded(i, p)
                for i, p, _ in theirs:
                    parsed[i] = self._recorded(i, p)
                result.files = sorted(set(result.files))
                # What the result would take as one cache entry, about: the child's parts,
                # pickled, in proportion to the resources.
                self.entry_bytes[root] = sent * len(result.resources) // counted if counted else 0
                return result
        finally:
            child.abandon()  # (reaped already when it sent its result)
            tasks.close()
        # The usual path: every file of the root parsed here, the root evaluated as a whole.
        idx = sorted(own + pool, key=lambda i: self._sources[i].path)
        again = self._parse(idx)
        for i, p in zip(idx, again):
            parsed[i] = self._recorded(i, p, keep=True)
        return _evaluate_cloudformation({p.path: p.data for p in again if p.kind == "cloudformation"}, root, options, jobs)

    def _recorded(self, i: int, p, keep: bool = False):
        """`p` as parse_all gives it (its cache key), its tree let go unless `keep`; the file's
        bytes read for it let go."""
        if not keep and p.kind == "cloudformation":
            p.data = None
        p.digest = self._digests.get(i, p.digest)
        self._read.pop(i, None)
        return p

    def close(self) -> None:
        """Stop the children of roots not evaluated (the scan left on an error)."""
        for _, _, tasks, child in self._runs.values():
            child.abandon()
            tasks.close()
        self._runs.clear()


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _uncacheable_parse(parsed: list) -> bool:
    """A file failed for a reason of this run, not of its content (it took too long, could not
    be read): the next scan must try it again."""
    return any(p.kind == "failed" and not _cacheable_failure(p) for p in parsed)


def _graph_view(graph):
    from .graph import GraphView

    return GraphView.of(graph)


def _cacheable(analysis: Analysis, view=None) -> Analysis:
    """The analysis as the scan cache keeps it: the graph as a GraphView, and the resources of
    findings, undecided records and path steps without their evaluated properties (identity,
    location, module, conditions and metadata stay): post-processing and the reports read no
    property, and the properties were most of the entry (for 100,000 resources, an entry over
    the 64 MiB bound, so a warm scan was as slow as a cold one)."""
    from .graph import GraphView

    slim: dict = {}

    def res(r: Resource) -> Resource:
        out = slim.get(id(r))
        if out is None:
            out = slim[id(r)] = Resource(r.id, r.address, r.type, r.language, {}, r.location, {}, r.mode, r.module, r.conditions, r.meta)
        return out

    def steps(path: tuple) -> tuple:
        return tuple(PathStep(res(s.resource), s.message, s.location, s.missing) for s in path)

    findings = [Finding(f.check_id, res(f.resource), f.message, f.location, f.conditions, f.related, f.root, steps(f.path) if f.path else (), f.severity) for f in analysis.findings]
    undecided = [Undecided(u.check_id, res(u.resource), u.what, u.reason, u.location, u.conditions, u.related) for u in analysis.undecided]
    return dataclasses.replace(analysis, findings=findings, undecided=undecided, entry_points=list(steps(tuple(analysis.entry_points))),
                               graph=view if view is not None else GraphView.of(analysis.graph), secrets=list(analysis.secrets))


def _evaluate_all(parsed: list, options: ScanOptions, cache_dir, limits, max_file_bytes: int, report, jobs: int = 1, shared=None) -> list:
    """Each scan root's Terraform and CloudFormation, and each plan, evaluated (through the
    evaluation cache). A function of its own, so that the trees its loops hold go when it returns.
    `shared` (_SharedRoots): roots whose files are parsed and evaluated with a forked child; their
    entries of `parsed` are None until then, and filled as they are evaluated."""
    results: list[LanguageResult] = []
    by_root_tf: dict = {}
    by_root_cfn: dict = {}
    for p in parsed:
        if p is None:
            continue
        if p.kind == "terraform":
            by_root_tf.setdefault(p.root, {})[p.path] = p.data
        elif p.kind == "cloudformation":
            by_root_cfn.setdefault(p.root, {})[p.path] = p.data
    for root in shared.roots if shared is not None else ():
        by_root_cfn.setdefault(root, None)
    keyed = shared.keyed if shared is not None else {}
    report("evaluate", 0, len(by_root_tf) + len(by_root_cfn) + sum(1 for p in parsed if p is not None and p.kind == "plan"))
    eval_cache = EvaluationCache(cache_dir, limits) if cache_dir else None
    digests = {p.path: p.digest for p in parsed if p is not None}
    for root, files in sorted(by_root_tf.items()):
        results.append(_cached(eval_cache, "terraform", root, [digests[f] for f in files], options, lambda: _guarded("Terraform configuration", root, lambda: _evaluate_terraform(_loaded(files, root, max_file_bytes), root, options, jobs))))
    for root, templates in sorted(by_root_cfn.items()):
        if shared is not None and root in shared.roots:
            result = _guarded("CloudFormation templates", root, lambda: shared.evaluate(root, parsed, jobs))
            if shared.entry_bytes.get(root, 0) > MAX_ENTRY_BYTES:
                # (too large to keep: pickling it up to the bound cost 2.5 s at 100,000 resources)
                results.append(result)
                continue
            if eval_cache is not None:  # (then the root's data files were keyed: _SharedRoots.start)
                _kept(eval_cache, "cloudformation", root, keyed[root], options, result)
            results.append(result)
            continue
        results.append(_cached(eval_cache, "cloudformation", root, keyed[root] if root in keyed else [digests[f] for f in templates], options, lambda: _guarded("CloudFormation templates", root, lambda: _evaluate_cloudformation(_loaded(templates, root, max_file_bytes), root, options, jobs))))
    for p in parsed:  # (after the shared roots: a plan may be among their files)
        if p is not None and p.kind == "plan":
            results.append(_guarded("Terraform plan", p.path, lambda: _evaluate_plan(p, max_file_bytes)))
    return results


def _analyse(parsed: list, checks: list, options: ScanOptions, cache_dir, limits, max_file_bytes: int, report, jobs: int = 1, shared=None) -> Analysis:
    from .facts import Facts
    from .graph import ResourceGraph

    results = _evaluate_all(parsed, options, cache_dir, limits, max_file_bytes, report, jobs, shared)
    # The parse trees go once evaluated: nothing after reads them (the evaluated results hold
    # what the graph, facts and reports need), and they were the largest part of a scan's peak
    # (CloudFormation's keep a line span per node: 200 MB of 1.6 GB at 100,000 resources).
    for p in parsed:
        if p is not None:
            p.data = None

    graph = ResourceGraph.build(results)
    facts = Facts(graph)
    parts, entry_steps = _run_checks(checks, facts, graph, jobs, report, lambda outcomes: _digest(outcomes, graph))
    if len(parts) == 1:
        findings, undecided, notes = parts[0]
    else:
        # Each part sorted already, and no two parts hold findings of one check (what sort keys
        # could tie on): the order one part of every check gives.
        findings = sorted((f for part in parts for f in part[0]), key=_SORT_KEY)
        undecided = sorted((u for part in parts for u in part[1]), key=_SORT_KEY)
        notes = [n for part in parts for n in part[2]]
    scanned: set = set()
    unknowns: list = []
    secrets: set = set()
    for r in results:
        notes.extend(r.notifications)
        scanned.update(r.files)
        unknowns.extend(r.unknowns)
        secrets.update(getattr(r, "secrets", None) or ())  # absent from entries of older caches
    return Analysis(findings, notes, sorted(scanned), unknowns, len(graph.resources), graph, sorted(secrets), undecided,
                    len(graph.roots()), entry_steps if entry_steps is not None else _entry_steps(facts))


_SORT_KEY = attrgetter("sort_key")


def _digest(outcomes: list, graph) -> tuple:
    """The checks' outcomes as the analysis holds them: (findings merged, sorted and with their
    value origins; undecided records likewise; the notes of checks that failed)."""
    findings: list = []
    undecided: list = []
    notes: list = []
    for items, note in outcomes:
        for item in items:
            (undecided if isinstance(item, Undecided) else findings).append(item)
        if note is not None:
            notes.append(note)
    return [_with_origins(f, graph) for f in merge_findings(findings, graph)], merge_undecided(undecided, graph), notes


def _run_check(check, facts) -> tuple:
    """(what `check` yields, the note of its internal error or None). A check of the check index
    whose resource types the graph holds none of yields nothing and is not run (its module is
    not even imported: iacguard/catalogue.py)."""
    sources = getattr(check.evaluate, "sources", None)
    if type(sources) is frozenset:
        holds = getattr(facts.graph, "holds_type", None)
        if holds is not None and not holds(sources):
            return [], None
    try:
        return list(check.evaluate(facts)), None
    except Exception as exc:  # noqa: BLE001 - a broken check must not stop the others
        return [], Notification("error", "internal error in check %s: %s: %s" % (check.id, type(exc).__name__, exc))


# The fact kinds of the IAM engine (iacguard.facts.iam_access: every principal's policies read,
# resolved and simulated), by far the costliest to compute (100,000 CloudFormation resources:
# 4.4 s of the 6.6 s all facts took), and the attack paths, which ask the IAM engine.
_FORKED_KINDS = frozenset(("iam_policy", "iam_principal", "iam_resource_policy", "attack_path"))
# Resources in the graph from which the checks reading those kinds run in a forked process
# (iacguard.core.forked) while this one runs the others: there they took 6.1 s of 9.9 s; the
# fork and the pages the two processes then copy cost some tens of milliseconds per 100 MB.
_FORK_CHECKS_MIN_RESOURCES = 20000


def _run_checks(checks: list, facts, graph, jobs: int, report, digest) -> tuple:
    """The checks' outcomes (`_run_check`) in parts, each `digest(outcomes of some checks in
    their order)`, every check in one part; and the entry points as PathSteps when checks run
    elsewhere computed them (None: see `_entry_steps`). A large graph's checks of the IAM kinds
    run in a forked child when `jobs` and the machine allow it: the child computes those facts in
    its copy of the graph and sends back what the checks yielded, each resource named by its id
    (this process has the same resources), while this process runs and digests the others; the
    outcome is the one running every check here gives. A child that fails leaves its checks to
    this process."""
    there = []
    if jobs != 1 and len(graph.resources) >= _FORK_CHECKS_MIN_RESOURCES:
        there = [i for i, c in enumerate(checks) if _FORKED_KINDS.intersection(getattr(c, "kinds", ()) or ())]
    child = None
    if there and len(there) < len(checks):
        from iacguard.core import forked

        if forked.processes(jobs) > 1:
            try:
                child = forked.Child(lambda: _checks_sent([checks[i] for i in there], facts, graph, digest))
            except OSError:
                child = None
    if child is None:
        there = []
    entry_steps = None
    parts = []
    try:
        elsewhere = set(there)
        here = []
        for i, check in enumerate(checks):
            if i not in elsewhere:
                here.append(_run_check(check, facts))
                report("check", i + 1, len(checks))
        parts.append(digest(here))
        if child is not None:
            got = child.result()
            child = None
            sent = _checks_received(got[1], graph) if got[0] else None
            if sent is not None and type(sent[0]) is tuple and len(sent[0]) == 3 and all(type(x) is list for x in sent[0]):
                part = sent[0]
                if sent[1] and "entry_point" not in facts._cache:
                    entry_steps = sent[1]
            else:  # the child failed: its checks run here
                part = digest([_run_check(checks[i], facts) for i in there])
            for i in there:
                report("check", i + 1, len(checks))
            parts.append(part)
    finally:
        if child is not None:
            child.abandon()
    return parts, entry_steps


def _checks_sent(checks: list, facts, graph, digest) -> bytes:
    """What the forked child sends back: the checks' outcomes digested (`digest`: merged, with
    their value origins, as the parent digests its own part meanwhile) and the entry points (when
    these checks computed them), pickled with each resource of the graph as its id."""
    import io
    import pickle

    graph.draw_as_asked()  # (these checks ask about some relations only; their answers are the same)
    outcomes = [_run_check(check, facts) for check in checks]
    steps = _entry_steps(facts) if "entry_point" in facts._cache else []
    resources = graph.resource

    class _Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if obj.__class__ is Resource and resources(obj.id) is obj:
                return obj.id
            return None

    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump((digest(outcomes), steps))
    return out.getvalue()


def _checks_received(data: bytes, graph):
    """`_checks_sent`'s data read back with this process's resources, or None."""
    import io
    import pickle

    resource = graph.resource

    class _Unpickler(pickle.Unpickler):
        def persistent_load(self, pid):
            found = resource(pid) if isinstance(pid, str) else None
            if found is None:
                raise pickle.UnpicklingError("no resource %r" % (pid,))
            return found

    try:
        return _Unpickler(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 - then the checks run here
        return None


def _entry_steps(facts) -> list:
    """The entry points the checks computed (none asked: none), as PathSteps."""
    if "entry_point" not in facts._cache:
        return []
    from .core.model import PathStep
    from .facts.attack_paths import entry_words

    return [PathStep(e.resource, entry_words(e), e.resource.location) for e in facts.of_kind("entry_point")]


def _name_root_modules(findings: list, cwd: str, several_roots: bool = False) -> list:
    """Say which root a finding comes through where its file does not: a resource of a module
    (Terraform module, CloudFormation nested stack) when the scan has several roots (root
    modules, top-level templates, plans), and whenever two roots calling one module give findings
    that read the same (same file, line, address and message). Such a finding's `root` is the
    root's path as reports show it; a Terraform one also says "(via root module X)", and a
    CloudFormation one whose message would read the same as another's (a template nested by
    several parents) "(via top-level stack X)"."""
    from iacguard.core.paths import display_path

    counts: dict = {}
    for f in findings:
        key = (f.check_id, f.location, f.message)
        counts[key] = counts.get(key, 0) + 1
    out = []
    shown_of: dict = {}
    for f in findings:
        root = f.resource.meta.get("root_module")
        if root and f.resource.module and (several_roots or counts[(f.check_id, f.location, f.message)] > 1):
            shown = shown_of.get(root)
            if shown is None:
                shown = shown_of[root] = display_path(root, cwd)
            via = None
            if f.resource.language == TERRAFORM:
                via = "via root module %s" % shown
            elif counts[(f.check_id, f.location, f.message)] > 1:
                via = "via top-level stack %s" % shown  # one template nested by several parents
            message = f.message
            if via:
                message = message[:-1] + " (%s)." % via if message.endswith(".") else "%s (%s)" % (message, via)
            # (not dataclasses.replace: it reads the fields anew for each of 100,000 findings)
            f = Finding(f.check_id, f.resource, message, f.location, f.conditions, f.related, shown, f.path, f.severity)
        out.append(f)
    return out


_ORIGIN_KINDS = {"variable": "variable", "parameter": "parameter"}
# Value origins listed per finding, nearest first. A chain of module calls (or nested stacks)
# gives two per level (the variable or parameter, and the argument or Parameters entry of the
# caller that sets it) and one more for the root's tfvars or parameter file line: 12 covers five
# levels with a variable at each, or a few references of a shallower chain.
_MAX_ORIGINS = 12


def _own_location(res, path: tuple):
    """The location the source gives a property path (its deepest located prefix), or None:
    never the resource's own span, so a finding about a missing attribute gets no origin from
    `count`, `Condition` or other references elsewhere in the resource."""
    while path:
        loc = res.property_locations.get(path)
        if loc is not None:
            return loc
        path = path[:-1]
    return None


def _with_origins(finding: Finding, graph) -> Finding:
    """Name the variables and parameters the offending property takes its value from (through
    locals, module inputs and nested-stack parameters), so a finding on `cidr_blocks =
    var.allowed` also points at `variable "allowed"`; and, for each, where its value is set: the
    argument of the calling module (`argument allowed of module.sg`), the `Parameters` entry of
    the parent stack, a tfvars or parameter file line. Nearest first, up to the root module or
    top-level stack, at most _MAX_ORIGINS entries."""
    res = finding.resource
    found: list = []
    for symbol in graph.symbols_behind(res, lambda path: _own_location(res, path) == finding.location):
        if len(found) >= _MAX_ORIGINS:
            break
        if symbol.kind in _ORIGIN_KINDS and symbol.location is not None:
            kind = _ORIGIN_KINDS[symbol.kind]
            for entry in ((symbol.location, "%s %s" % (kind, symbol.name)),
                          (symbol.meta.get("set_at"), symbol.meta.get("set_label") or "value of %s %s" % (kind, symbol.name))):
                if entry[0] is not None and entry not in found:
                    found.append(entry)
    if not found:
        return finding
    return dataclasses.replace(finding, related=tuple(found[:_MAX_ORIGINS]))


def _loaded(files: dict, root: str, max_file_bytes: int) -> dict:
    """Parse trees, loading those the parse cache deferred (parsing again if an entry vanished)."""
    out = {}
    for path, data in files.items():
        if isinstance(data, Deferred):
            data = data.load()
            if data is None:
                kind = "terraform" if path.lower().endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")) else "data"
                data = parse_source(SourceFile(path, root, kind), max_file_bytes).data
        out[path] = data
    return out


def _cached(cache, kind: str, root: str, digests: list, options: ScanOptions, fn) -> LanguageResult:
    """Evaluate through the evaluation cache: an unchanged tree with unchanged inputs gives the
    result of the previous scan without evaluating again (the same files scanned with other
    checks). A root's evaluation is kept from its second scan on: a first scan writes only what
    an unchanged rescan needs (the scan), so a cold scan costs little more than one without the
    cache (writing the evaluations took a cold scan of 100,000 resources 3 s of 20)."""
    if cache is None or not all(digests):
        return fn()
    key = cache.key(kind, root, digests, options)
    hit = cache.get(key)
    if hit is not None:
        return hit
    result = fn()
    _kept(cache, kind, root, digests, options, result, key)
    return result


def _kept(cache, kind: str, root: str, digests: list, options: ScanOptions, result: LanguageResult, key: str | None = None) -> None:
    """Keep a root's evaluated result in the evaluation cache (see `_cached`)."""
    if cache is None or not all(digests):
        return
    # Not kept: an internal error, or a root cut short by its budget (time depends on the machine).
    if cache.seen_before(kind, root) and not any("internal error" in n.message or n.message.startswith("evaluation cut short: ") for n in result.notifications):
        cache.put(key or cache.key(kind, root, digests, options), result)


def _guarded(what: str, where: str, fn) -> LanguageResult:
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001
        return LanguageResult(notifications=[Notification("error", "internal error evaluating %s: %s: %s" % (what, type(exc).__name__, exc), where)])


def _evaluate_terraform(files: dict, root: str, options: ScanOptions, jobs: int = 1) -> LanguageResult:
    from .terraform.evaluate import evaluate_configuration

    return evaluate_configuration(files, root, options, jobs)


def _evaluate_cloudformation(templates: dict, root: str, options: ScanOptions, jobs: int = 1) -> LanguageResult:
    from .cloudformation import evaluate_templates

    return evaluate_templates(templates, root, options, jobs)


def _evaluate_plan(p: ParsedSource, max_file_bytes: int) -> LanguageResult:
    from .terraform import plan

    return plan.evaluate_plan(_loaded({p.path: p.data}, p.root, max_file_bytes)[p.path], p.root)


def merge_findings(findings: list, graph: ResourceGraph) -> list:
    """One finding per (check, logical resource, location, message).

    CloudFormation resources with undecided conditions come as variants; a finding that holds in
    every variant holds unconditionally (beyond the assumptions all variants share), one that holds
    in some only is kept with the conditions of those variants. Findings repeated by several
    instances of one module at the same source location and message are kept once. An attack
    path (`Finding.path`) is part of what a finding says: findings that differ only by their
    paths stay apart, and the merged finding keeps its path.
    """
    groups: dict = {}  # key -> its findings, in the order the keys were first seen
    for f in findings:
        base = f.resource.meta.get("base_id", f.resource.id)
        key = (f.check_id, base, f.location, f.message, _path_key(f.path))
        group = groups.get(key)  # (one hash of the key: a Location hashes in Python)
        if group is None:
            groups[key] = group = []  # (grown by append as before: [f] would regrow larger)
        group.append(f)
    merged = []
    for key, group in groups.items():
        first = group[0]
        variants = graph.variants_of(key[1])
        hit = {f.resource.id for f in group}
        cond_sets = [set(f.resource.conditions) for f in group]
        if hit >= set(variants):
            all_sets = [set(r.conditions) for r in (graph.resource(v) for v in variants) if r is not None] or cond_sets
            common = set.intersection(*all_sets) if all_sets else set()
        else:
            common = set.intersection(*cond_sets) if cond_sets else set()
            if not common:
                common = cond_sets[0]
        merged.append(Finding(first.check_id, first.resource, first.message, first.location, tuple(sorted(common)), path=first.path, severity=first.severity))
    merged.sort(key=lambda f: f.sort_key)
    return merged


def _path_key(path: tuple) -> tuple:
    """What identifies an attack path across CloudFormation variants and module instances: each
    step's logical resource, location and message."""
    if not path:
        return ()
    return tuple((s.resource.meta.get("base_id", s.resource.id), s.location, s.message) for s in path)


def merge_undecided(records: list, graph) -> list:
    """One record per (check, logical resource, location, setting, reason), sorted, each naming
    where its unknown value comes from (the variables and parameters, as for findings)."""
    seen: dict = {}
    for u in records:
        key = (u.check_id, u.resource.meta.get("base_id", u.resource.id), u.location, u.what, u.reason)
        if key not in seen:
            seen[key] = u
    out = []
    for u in seen.values():
        # The same walk as for findings: through a finding at the record's location.
        related = _with_origins(Finding(u.check_id, u.resource, u.message, u.location), graph).related
        out.append(Undecided(u.check_id, u.resource, u.what, u.reason, u.location, u.conditions, related))
    out.sort(key=lambda u: u.sort_key)
    return out
