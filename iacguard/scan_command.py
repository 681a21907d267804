"""The work of the scan, baseline and pre-commit commands, without click.

`iacguard.cli` declares the commands (options, help, errors) with click and calls these; the
`iacguard` executable (`iacguard.launch`) calls them directly for a `scan` whose arguments it
reads without click (importing click is a fifth of a scan the cache answers). Nothing here
imports click: a usage error is raised as `UsageProblem` (the command line shows it as click's
usage error), and messages go through `echo`, which writes as `click.echo` does.
"""
from __future__ import annotations

import dataclasses
import os
import re
import sys
from dataclasses import dataclass, field

from iacguard import _codecache

from .check import SEVERITIES, SEVERITY_RANK, severity_of
from .config import Config, ConfigError, OUTPUT_FORMATS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from iacguard.core.model import ScanOptions

DEFAULT_MAX_FILE_SIZE = 8 * 1024 * 1024
DEFAULT_BASELINE = ".iacguard-baseline.json"


class UsageProblem(Exception):
    """A usage error found while the settings are put together (an unknown check id, a malformed
    NAME=VALUE): the command line reports it as click's usage error, exit code 2."""


_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")  # what click.echo strips from a stream that is not a terminal


# The replay memo's recorder of this command (iacguard/replay.py), set by the executable: it
# hears everything `echo` and `write_file` write.
RECORDER = None


def echo(message: str = "", err: bool = False, nl: bool = True, color: bool | None = None) -> None:
    """Write `message` as `click.echo` writes a str: to standard output (standard error with
    `err`), a newline added with `nl`, escape sequences removed unless `color` is True or, when
    `color` is None, the stream is a terminal; flushed."""
    if RECORDER is not None:
        RECORDER.echo(message, err, nl, color)
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    out = message + "\n" if nl else message
    if color is None:
        try:
            strip = not stream.isatty()
        except (OSError, ValueError):
            strip = True
    else:
        strip = not color
    if strip:
        out = _ANSI.sub("", out)
    if out:
        stream.write(out)
    stream.flush()


def exit_code_of(exc: SystemExit) -> int:
    """The process exit code of a SystemExit, as the interpreter reads it: None is 0, an int is
    itself, anything else is printed on standard error and is 1."""
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    print(exc.code, file=sys.stderr)
    return 1


def exit_process(code: int) -> None:
    """End the `iacguard` process with `code` without tearing the interpreter down. A scan leaves
    millions of objects alive (parse trees, values, the graph, findings); freeing them one by one
    and the collector's last pass over them took 8% of a scan of 30,000 resources, after
    everything was written. Streams are flushed first; every file a command writes is closed
    before it returns, and it starts no thread or process that outlives it."""
    catalogue = sys.modules.get("iacguard.catalogue")
    if catalogue is not None:
        catalogue.save_index()  # (before the modules are kept: it may import some)
    _codecache.save()
    engine = sys.modules.get("iacguard.engine")
    if engine is not None:
        engine.wait_background()  # a large scan's cache entry, written while the reports were
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass  # a closed pipe: nothing more to say
    os._exit(code)


def registry():
    from .catalogue import registry  # the checks' metadata, read from the cache when it has it

    return registry()


def fatal(message: str) -> None:
    echo("iacguard: error: %s" % message, err=True)
    sys.exit(2)


def pairs(values, flag):
    out = {}
    for item in values:
        if "=" not in item:
            raise UsageProblem("%s expects NAME=VALUE, got %r" % (flag, item))
        k, v = item.split("=", 1)
        if not k:
            raise UsageProblem("%s expects NAME=VALUE, got %r" % (flag, item))
        out[k] = v
    return out


def comma_list(values, upper: bool = True) -> list:
    """Values of a repeatable option, each of which may be a comma list ("A,B"): one list, blanks
    dropped (so `--check A,B`, `--check A --check B` and IACGUARD_CHECK="A,B" agree)."""
    out = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if item:
                out.append(item.upper() if upper else item)
    return out


def output_files(values) -> list:
    out = []
    for item in values:
        fmt, sep, path = item.partition("=")
        if not sep or not path or fmt not in OUTPUT_FORMATS:
            raise UsageProblem("--output-file expects FORMAT=PATH with FORMAT one of %s, got %r" % (", ".join(OUTPUT_FORMATS), item))
        out.append((fmt, os.path.abspath(path)))
    return out


@dataclass
class Settings:
    """Configuration file and flags, merged."""

    config: Config
    checks: list
    options: ScanOptions
    excludes: list
    max_file_size: int
    require_reason: bool
    fail_on: str = "low"
    outputs: list = field(default_factory=list)  # [(format, path)]
    baseline: str | None = None
    include_suppressed: bool = False
    sarif_category: str = ""  # --sarif-category: runs[].automationDetails.id iacguard/NAME/
    fail_on_error: bool = False  # exit 1 on an error-level notification (a file not scanned)
    min_severity: str = ""  # findings below it are left out of reports and the exit code ("" keeps all)
    notes: list = field(default_factory=list)  # Notifications the settings add to the report


def settings_for(scan_root: str, p: dict) -> Settings:
    """The settings of a command: its flags `p` (click's names and values) over the configuration
    file found from `scan_root` (or named with --config)."""
    from iacguard.core.model import Notification, ScanOptions

    catalogue = registry()
    known = {c.id for c in catalogue}
    if p["quiet"] and p["verbose"]:
        raise UsageProblem("--quiet and --verbose cannot be combined")
    try:
        from . import config as config_mod

        if p["no_config"]:
            config = Config()
        else:
            path = p["config_file"] or config_mod.find(scan_root, os.getcwd())
            config = config_mod.load(path, known) if path else Config()
    except ConfigError as exc:
        fatal(str(exc))
    if p["verbose"]:
        echo("iacguard: configuration: %s" % (config.path or "none"), err=True)

    only = comma_list(p["only"]) if p["only"] else list(config.checks)
    skip = comma_list(p["skip"]) if p["skip"] else list(config.skip_checks)
    known_upper = {c.upper() for c in known}
    for cid in only + skip:
        if cid not in known_upper:
            raise UsageProblem("unknown check id %r (see `iacguard checks`)" % cid)
    severity = dict(config.severity)
    for cid, level in pairs(comma_list(p["severities"], upper=False), "--severity").items():
        if cid.upper() not in known_upper:
            raise UsageProblem("unknown check id %r in --severity (see `iacguard checks`)" % cid)
        if level not in SEVERITIES:
            raise UsageProblem("--severity %s: level must be one of %s" % (cid, ", ".join(SEVERITIES)))
        severity[cid.upper()] = level
    whole_project = p["whole_project"] if p["whole_project"] is not None else config.whole_project_checks
    checks = []
    for c in catalogue:
        cid = c.id.upper()
        if (only and cid not in only) or cid in skip:
            continue
        # Checks that reason over the whole project declare scope "project" (iacguard.check).
        if not whole_project and c.scope == "project":
            continue
        if cid in severity and (severity[cid] != c.severity or c.graded):
            # A configured severity holds for every finding of the check (a graded check's too).
            c = dataclasses.replace(c, severity=severity[cid], graded=False)
        checks.append(c)
    # Checks the configuration parameterises (AWS-S3-900: customer-key-buckets).
    # (Each leaves the check as it is when the key is not set: then its module is not imported.)
    if config.customer_key_buckets:
        from .checks.data import s3_customer_key
        checks = [s3_customer_key.configured(c, config.customer_key_buckets) for c in checks]
    # (AWS-CT-105: data-event-buckets.)
    if config.data_event_buckets:
        from .checks.detection import cloudtrail_s3_data_events
        checks = [cloudtrail_s3_data_events.configured(c, config.data_event_buckets) for c in checks]

    tf_vars = dict(config.vars)
    tf_vars.update(pairs(p["tf_vars"], "--var"))
    cfn_params = dict(config.cfn_parameters)
    cfn_params.update(pairs(p["cfn_params"], "--cfn-param"))
    # TF_VAR_* only when asked: by the flag, or by a configuration named with --config (one found
    # in the scanned tree is written by whoever wrote the tree).
    from_env = bool(p.get("tf_vars_from_env")) or bool(config.tf_vars_from_env and p["config_file"])
    notes = []
    if config.tf_vars_from_env and not p["config_file"] and not from_env:
        notes.append(Notification("warning", "configuration key tf-vars-from-env ignored: it is honoured only in a configuration "
                                  "named with --config (a configuration found in the scanned tree may come from the change being scanned); "
                                  "use --tf-vars-from-env", config.path))
    options = ScanOptions(
        tf_var_files=list(config.var_files) + [os.path.abspath(f) for f in p["var_files"]],
        tf_vars=tf_vars,
        env=dict(os.environ) if from_env else {},
        tf_vars_from_env=from_env,
        cfn_params=cfn_params,
        cfn_param_files=list(config.cfn_parameter_files) + [os.path.abspath(f) for f in p["cfn_param_files"]],
    )
    for f in options.tf_var_files + options.cfn_param_files:
        if not os.path.isfile(f):
            fatal("file named in %s does not exist: %s" % (config.path or "the command line", f))
    settings = Settings(
        config=config,
        checks=checks,
        options=options,
        excludes=list(config.exclude) + list(p["exclude"]),
        max_file_size=p["max_file_size"] or config.max_file_size or DEFAULT_MAX_FILE_SIZE,
        require_reason=bool(p["require_reason"] if p["require_reason"] is not None else config.require_reason),
        notes=notes,
    )
    if "fail_on" in p:
        settings.fail_on = p["fail_on"] or config.fail_on or "low"
        settings.fail_on_error = bool(p["fail_on_error"] if p.get("fail_on_error") is not None else config.fail_on_error)
        settings.outputs = list(config.outputs.items()) + output_files(p["output_files"])
        settings.baseline = os.path.abspath(p["baseline_file"]) if p["baseline_file"] else config.baseline
        settings.include_suppressed = bool(p["include_suppressed"] if p["include_suppressed"] is not None else config.include_suppressed)
        settings.sarif_category = p.get("sarif_category") or ""
    if "min_severity" in p:
        settings.min_severity = p["min_severity"] or config.min_severity or ""
    return settings


class MinSeverityFilter:
    """--min-severity: a post-processing step, after suppressions, the baseline and the changed-files
    filter, leaving out the findings whose reported severity is below `level` (counted in
    `ScanResult.below_min_severity`). Undecided records are kept: they are not findings."""

    def __init__(self, level: str):
        self.level = level

    def __call__(self, result, graph=None) -> None:
        threshold = SEVERITY_RANK[self.level]
        by_id = {c.id: c for c in result.checks}
        kept = [f for f in result.findings
                if f.check_id not in by_id or SEVERITY_RANK.get(severity_of(f, by_id[f.check_id]), threshold) >= threshold]
        result.below_min_severity += len(result.findings) - len(kept)
        result.findings = kept
        result.min_severity = self.level


# A graph of fewer nodes is left for the process's end (exit_process frees nothing): freeing one
# costs time in proportion (eks, ~3,000 nodes: 10 ms) and the report written next is small.
RELEASE_MIN_NODES = 20_000


def _release_graph(result, graph) -> None:
    """The scan's last step: the command is done with the graph; a large one, emptied, is freed
    at once, making room for the report written next, instead of waiting, as a reference cycle,
    for the collector."""
    release = getattr(graph, "release", None)  # a graph from the cache (GraphView) has no cycles
    if release is not None and len(graph.g) >= RELEASE_MIN_NODES:
        release()


def report_files(settings: Settings, p: dict) -> list:
    """The report files a scan command writes (--output, --output-file, the configuration's)."""
    return ([p["output"]] if p.get("output") else []) + [path for _, path in settings.outputs]


def run_scan(paths: list, settings: Settings, p: dict, postprocess: list, outputs=None):
    """The scan of a command; `outputs`: the files it writes (default: its report files)."""
    from .engine import scan as run_scan
    from iacguard.core.limits import Limits
    from .cache import default_cache_dir
    from .progress import TerminalProgress
    from iacguard.post.suppressions import Suppressor

    defaults = Limits()
    limits = Limits(
        max_file_bytes=settings.max_file_size,
        max_depth=p.get("max_depth") or defaults.max_depth,
        max_yaml_nodes=p.get("max_yaml_nodes") or defaults.max_yaml_nodes,
        time_per_file=p["time_per_file"] if p.get("time_per_file") is not None else defaults.time_per_file,
        max_instances=p.get("max_instances") or defaults.max_instances,
        max_value_size=p.get("max_value_size") or defaults.max_value_size,
    )
    cache_dir = None if p.get("no_cache") else (p.get("cache_dir") or default_cache_dir())

    suppressor = Suppressor([c.id for c in registry()], require_reason=settings.require_reason,
                            compatible=settings.config.compatible_suppressions, checks=registry())
    progress = TerminalProgress(sys.stderr) if not p["quiet"] and TerminalProgress.enabled(sys.stderr) else None
    try:
        result = run_scan(
            list(paths),
            settings.options,
            excludes=settings.excludes,
            checks=settings.checks,
            max_file_bytes=settings.max_file_size,
            jobs=p.get("jobs") or 0,
            cache_dir=os.path.abspath(cache_dir) if cache_dir else None,
            time_per_file=limits.time_per_file,
            limits=limits,
            progress=progress,
            postprocess=[suppressor] + postprocess + [_release_graph],
            outputs=report_files(settings, p) if outputs is None else outputs,
            background=True,  # (exit_process waits for it)
        )
    finally:
        if progress is not None:
            progress.finish()
    if result.from_cache:
        from .catalogue import keep

        keep()  # the catalogue's metadata, for the next scan the cache answers (iacguard/catalogue.py)
    if settings.notes:
        result.notifications = sorted(set(result.notifications) | set(settings.notes), key=lambda n: (n.path, n.line, n.level, n.message))
    missing = [n for n in result.notifications if n.level == "error" and n.message == "path does not exist"]
    if missing and len(missing) == len(paths):
        fatal("nothing to scan: %s does not exist" % ", ".join(n.path for n in missing))
    return result, suppressor


# Configuration keys -> the flags (keys of p) that replace them on the command line.
_OVERRIDES = {
    "checks": "only", "skip-checks": "skip", "fail-on": "fail_on", "whole-project-checks": "whole_project",
    "require-reason": "require_reason", "max-file-size": "max_file_size", "include-suppressed": "include_suppressed",
    "baseline": "baseline_file", "fail-on-error": "fail_on_error", "min-severity": "min_severity",
}


def configuration(result, settings: Settings, p: dict, sources: dict | None = None) -> None:
    """Say in every report which configuration file was used and what it changed. `sources` names
    what set a flag other than the command line (click's option name -> "the environment
    (IACGUARD_...)")."""
    from .config import describe

    config = settings.config
    if not config.path:
        return
    overridden = {key: (sources or {}).get(flag, "the command line") for key, flag in _OVERRIDES.items() if p.get(flag) is not None and p.get(flag) != ()}
    defaults = {c.id: c.severity for c in registry()}
    result.configuration = {"path": config.path, "changes": describe(config, result.cwd or os.getcwd(), defaults, overridden)}


def configuration_change(result, settings: Settings, repo, ref: str) -> None:
    """With --diff-base: warn when the configuration in use differs from its version at `ref`."""
    from . import config as config_mod
    from iacguard.post.changed_files import GitError
    from iacguard.core.model import Notification
    from .output.paths import display_path

    config = settings.config
    if not config.path or not repo.contains(config.path):
        return
    known = {c.id for c in registry()}
    defaults = {c.id: c.severity for c in registry()}
    try:
        data = repo.file_at(ref, config.path)
    except GitError as exc:
        result.notifications.append(Notification("warning", "cannot compare the configuration with %s: %s" % (ref, exc), config.path))
        return
    base = None
    if data is not None:
        try:
            base = config_mod.loads(data, config.path, known)
        except ConfigError:
            base = config_mod.Config(path=config.path)  # unreadable at the base: compare with the defaults
    now, gone = config_mod.changes_since(base, config, result.cwd or os.getcwd(), defaults)
    if not now and not gone:
        return
    parts = []
    if now:
        parts.append("now " + ", ".join(now))
    if gone:
        parts.append("no longer " + ", ".join(gone))
    message = "configuration %s changed since %s%s: %s" % (
        display_path(config.path, result.cwd or os.getcwd()), ref, " (new file)" if data is None else "", "; ".join(parts))
    result.configuration["warning"] = message
    result.notifications.append(Notification("warning", message, config.path))


def write_file(path: str, text, untrusted: tuple = ()) -> None:
    """Write `text` (a str, or an iterable of str pieces written as they come) to `path`."""
    from .atomic import write_chunks

    if RECORDER is not None:
        text = RECORDER.tee(path, text)
    try:
        # temporary file + rename: a symlink at `path` is replaced, never followed
        write_chunks(path, (text,) if isinstance(text, str) else text, untrusted)
    except OSError as exc:
        fatal("cannot write %s: %s" % (path, exc.strerror))


def echo_report(pieces, color) -> None:
    """The report text `pieces` yields on standard output, ending in one newline. click strips
    colours from a stream that is not a terminal unless told otherwise: --color (`color`)
    forces them (for `less -R` or a CI log that renders them)."""
    from .atomic import write_all

    last = [""]

    def out(text: str) -> None:
        echo(text, nl=False, color=color)
        last[0] = text

    write_all(out, pieces)
    if not last[0].endswith("\n"):
        echo("", color=color)


def untrusted(result) -> tuple:
    """Folders whose links reports are never written through: the working directory (in CI, the
    checkout of the change) and the scanned folders."""
    return (os.getcwd(), *result.roots)


def _full_report(p: dict, settings: Settings) -> str:
    """The report file of this run, in a format other than Markdown, that a cut Markdown table
    names as holding every finding: the one easiest to read (html, text, json, sarif, junit),
    the --output file before --output-file ones of a format; "" when none (the Markdown report
    then says how to write one)."""
    from .output.paths import display_path

    order = ("html", "text", "json", "sarif", "junit")
    written = [(p["fmt"], p["output"])] if p["output"] else []
    files = sorted((order.index(fmt), n, path) for n, (fmt, path) in enumerate(written + list(settings.outputs)) if fmt in order)
    return display_path(os.path.abspath(files[0][2]), os.getcwd()) if files else ""


def report(result, settings: Settings, p: dict) -> None:
    from .core.gcpause import gc_paused
    from .output import chunks

    def opts_for(fmt: str, to_terminal: bool) -> dict:
        if fmt == "text":
            from .output.text import use_color  # (imported for a text report only)

            color = p["color"] if p["color"] is not None else (to_terminal and use_color(sys.stdout, os.environ))
            return {"color": color, "verbose": p["verbose"], "fail_on_error": settings.fail_on_error}
        if fmt == "markdown":
            return {"fail_on_error": settings.fail_on_error, "full_report": _full_report(p, settings)}
        if fmt == "html":
            return {"fail_on_error": settings.fail_on_error}
        if fmt == "sarif":
            return {"include_suppressed": settings.include_suppressed, "category": settings.sarif_category}
        if fmt == "github":  # annotation paths relative to the checkout GitHub shows files of
            return {"workspace": os.environ.get("GITHUB_WORKSPACE", "")}
        if fmt in ("gitlab", "gitlab-sast"):  # report paths relative to the project GitLab shows
            return {"workspace": os.environ.get("CI_PROJECT_DIR", "")}
        return {}

    # Reports are written as they are made (output.chunks): JSON and SARIF one finding at a time,
    # never the whole text or every finding's data in memory (100,000 resources: 70 MB of text).
    fmt, output = p["fmt"], p["output"]
    if output:
        with gc_paused():  # a report allocates much and makes no cycle (see core/gcpause.py)
            write_file(output, chunks(fmt, result, **opts_for(fmt, False)), untrusted(result))
        if not p["quiet"] and fmt != "text":
            # People still see a one-line summary when the report goes to a file.
            echo("iacguard: %d finding(s) in %d file(s); report written to %s" % (len(result.findings), len(result.files), output), err=True)
    else:
        with gc_paused():
            echo_report(chunks(fmt, result, **opts_for(fmt, True)), p["color"])
    for extra_fmt, path in settings.outputs:
        opts = opts_for(extra_fmt, False)
        if extra_fmt == "text":
            opts["color"] = False
        with gc_paused():
            write_file(path, chunks(extra_fmt, result, **opts), untrusted(result))
        if p["verbose"]:
            echo("iacguard: %s report written to %s" % (extra_fmt, path), err=True)


def exit_code(result, settings: Settings, suppressor) -> int:
    threshold = SEVERITY_RANK[settings.fail_on]
    by_id = {c.id: c for c in result.checks}
    worst = max((SEVERITY_RANK[severity_of(f, by_id[f.check_id])] for f in result.findings if f.check_id in by_id), default=0)
    if threshold and worst >= threshold:
        return 1
    if settings.require_reason and suppressor.missing_reason:
        return 1
    if settings.fail_on_error and any(n.level == "error" for n in result.notifications):
        return 1  # a file the scanner gave up on may hide findings
    return 0


def scan(paths: tuple, p: dict, sources: dict | None = None) -> None:
    """`iacguard scan PATHS`, its flags `p` as click names them (`sources`: see `configuration`).
    Exits (SystemExit) with the scan's exit code."""
    stdin = "-" in paths
    if stdin and len(paths) > 1:
        raise UsageProblem("- (standard input) cannot be combined with other paths")
    if stdin and p["diff_base"]:
        raise UsageProblem("--diff-base cannot be used with - (standard input)")
    if not stdin and not p.get("no_cache"):
        from .cache import default_cache_dir
        from .catalogue import use_cache

        use_cache(p.get("cache_dir") or default_cache_dir())
    settings = settings_for(os.getcwd() if stdin else paths[0], p)
    if stdin:
        from .discover.stdin import StdinError, StdinTemplate

        try:
            template = StdinTemplate.read(sys.stdin.buffer, settings.max_file_size)
        except StdinError as exc:
            fatal(str(exc))
        p["no_cache"] = True  # a temporary file: nothing worth keeping
        with template:
            scan_paths([template.path], settings, p, template.rename, sources)
        return
    scan_paths(paths, settings, p, sources=sources)


def baseline_steps(settings: Settings) -> list:
    """The post-processing step of the baseline `settings` name ([] when none); a baseline that
    cannot be read is a fatal error."""
    if not settings.baseline:
        return []
    from iacguard.post.baseline import BaselineError, BaselineFilter

    try:
        return [BaselineFilter(settings.baseline)]
    except BaselineError as exc:
        fatal(str(exc))


def scan_paths(paths, settings: Settings, p: dict, rename=None, sources: dict | None = None) -> None:
    if RECORDER is not None:
        RECORDER.read_inputs(settings)
    postprocess = baseline_steps(settings)
    if p["diff_base"]:
        from iacguard.post.changed_files import ChangedFilesFilter, GitError, Repository

        # The repository is the working directory's, never one found inside the scanned tree.
        try:
            repo = Repository.discover(os.getcwd())
            repo.check_roots([os.path.abspath(x) for x in paths])
            changed = repo.changed_files(p["diff_base"])
        except GitError as exc:
            fatal("--diff-base: %s" % exc)
        if p["verbose"]:
            echo("iacguard: %d file(s) changed since %s" % (len(changed), p["diff_base"]), err=True)
        postprocess.append(ChangedFilesFilter(changed))
    if settings.min_severity:
        postprocess.append(MinSeverityFilter(settings.min_severity))
    result, suppressor = run_scan(paths, settings, p, postprocess)
    if rename is not None:
        rename(result)
    configuration(result, settings, p, sources)
    if p["diff_base"]:
        configuration_change(result, settings, repo, p["diff_base"])
    report(result, settings, p)
    code = exit_code(result, settings, suppressor)
    if RECORDER is not None:
        RECORDER.finish(result, code)
    sys.exit(code)
