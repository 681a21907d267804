"""The command line: wires configuration to the engine and the formatters, nothing more.

Exit codes: 0 no finding at or above --fail-on; 1 at least one (or, with --require-reason, a
suppression without a reason; or, with --fail-on-error, an error-level notification: a file that
could not be parsed, an evaluation cut short, an internal error); 2 usage, configuration or fatal
error.

Settings come from, in increasing precedence: built-in defaults, the configuration file
(`iacguard.config`), environment variables (IACGUARD_<OPTION>, e.g. IACGUARD_FAIL_ON=none, for
every option of scan, baseline and pre-commit; see `_env_vars`), command-line flags. List-valued settings that name inputs (excludes, var
files, parameter files, extra reports) add to the file's; `--check`/`--skip-check` replace them.
"""
from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, field

import click

from iacguard import _codecache

from . import __version__
from .check import SEVERITIES, SEVERITY_RANK, severity_of
from .config import FAIL_ON, OUTPUT_FORMATS, Config, ConfigError
from iacguard.core.model import Notification, ScanOptions

DEFAULT_MAX_FILE_SIZE = 8 * 1024 * 1024
DEFAULT_BASELINE = ".iacguard-baseline.json"


def _registry():
    from .catalogue import registry  # the checks' metadata, read from the cache when it has it

    return registry()


def _fatal(message: str) -> None:
    click.echo("iacguard: error: %s" % message, err=True)
    sys.exit(2)


def _pairs(values, flag):
    out = {}
    for item in values:
        if "=" not in item:
            raise click.UsageError("%s expects NAME=VALUE, got %r" % (flag, item))
        k, v = item.split("=", 1)
        if not k:
            raise click.UsageError("%s expects NAME=VALUE, got %r" % (flag, item))
        out[k] = v
    return out


def _comma_list(values, upper: bool = True) -> list:
    """Values of a repeatable option, each of which may be a comma list ("A,B"): one list, blanks
    dropped (so `--check A,B`, `--check A --check B` and IACGUARD_CHECK="A,B" agree)."""
    out = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if item:
                out.append(item.upper() if upper else item)
    return out


def _output_files(values) -> list:
    out = []
    for item in values:
        fmt, sep, path = item.partition("=")
        if not sep or not path or fmt not in OUTPUT_FORMATS:
            raise click.UsageError("--output-file expects FORMAT=PATH with FORMAT one of %s, got %r" % (", ".join(OUTPUT_FORMATS), item))
        out.append((fmt, os.path.abspath(path)))
    return out


# -- options shared by scan, baseline and pre-commit ------------------------------------------
_COMMON = [
    click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), help="Read settings from FILE (.iacguard.toml, or pyproject.toml's [tool.iacguard]) instead of looking for one."),
    click.option("--no-config", is_flag=True, help="Ignore configuration files."),
    click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable)."),
    click.option("--var", "tf_vars", multiple=True, metavar="NAME=VALUE", help="Set a Terraform root variable (repeatable)."),
    click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Terraform variables file (repeatable)."),
    click.option("--tf-vars-from-env", "tf_vars_from_env", is_flag=True, default=False, help="Read Terraform variables from TF_VAR_* environment variables (default: off, so values of the CI environment cannot reach a report)."),
    click.option("--cfn-param", "cfn_params", multiple=True, metavar="KEY=VALUE", help="Set a CloudFormation parameter (repeatable)."),
    click.option("--cfn-params", "cfn_param_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="CloudFormation parameters file (repeatable)."),
    click.option("--check", "only", multiple=True, metavar="ID[,ID...]", help="Run only these checks (repeatable, or a comma list)."),
    click.option("--skip-check", "skip", multiple=True, metavar="ID[,ID...]", help="Do not run these checks (repeatable, or a comma list)."),
    click.option("--severity", "severities", multiple=True, metavar="ID=LEVEL[,...]", help="Override a check's severity, e.g. AWS-CT-002=low (repeatable, or a comma list)."),
    click.option("--whole-project-checks/--no-whole-project-checks", "whole_project", default=None, help="Run checks that look across the whole project (default: on)."),
    click.option("--require-reason", is_flag=True, default=None, help="A suppression without a reason suppresses nothing and makes the scan fail."),
    click.option("--max-file-size", type=click.IntRange(min=1), default=None, help="Skip files larger than this many bytes (default 8 MiB)."),
    click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Parse files in N processes (default 0: one per idle CPU)."),
    click.option("--cache-dir", type=click.Path(file_okay=False), help="Parse cache folder (default: the user's cache folder, e.g. ~/.cache/iacguard)."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the parse cache."),
    click.option("--time-per-file", type=click.IntRange(min=0), default=None, help="Stop parsing a file, or evaluating a root module or top-level template, after this many seconds, with an error (default 60; 0: no limit)."),
    click.option("--max-depth", type=click.IntRange(min=8, max=400), default=None, help="Nesting deeper than this is a parse error, in every syntax (default 128)."),
    click.option("--max-yaml-nodes", type=click.IntRange(min=1000), default=None, help="Refuse YAML whose aliases expand to more nodes than this (default 100000)."),
    click.option("--max-instances", type=click.IntRange(min=1), default=None, help="Stop evaluating a root module or top-level template, with an error, past this many resource, module and nested-stack instances (default 100000)."),
    click.option("--max-value-size", type=click.IntRange(min=1000), default=None, help="Stop evaluating a root module or top-level template, with an error, once the values it builds exceed this size: one unit per list element, map entry, loop iteration or string, plus one per 16 characters (default 4000000)."),
    click.option("--quiet", "-q", is_flag=True, help="No progress and no messages on stderr except errors."),
    click.option("--verbose", "-v", is_flag=True, help="List every value that could not be known; say which configuration was read."),
]

_REPORTING = [
    click.option("--format", "fmt", type=click.Choice(list(OUTPUT_FORMATS)), default="text", show_default=True, help="Format of the main report."),
    click.option("--output", "-o", "output", type=click.Path(dir_okay=False), help="Write the main report to FILE instead of stdout."),
    click.option("--output-file", "output_files", multiple=True, metavar="FORMAT=PATH", help="Also write a report in FORMAT (text, json, sarif, junit, markdown, html, github, gitlab, gitlab-sast) to PATH (repeatable)."),
    click.option("--fail-on", type=click.Choice(FAIL_ON), default=None, help="Exit 1 when a finding is at or above this severity (default: low)."),
    click.option("--fail-on-error/--no-fail-on-error", default=None, help="Exit 1 when a file could not be scanned (parse error, evaluation cut short, internal error: an error-level notification), so findings cannot hide behind it (default: off)."),
    click.option("--min-severity", type=click.Choice(SEVERITIES), default=None, help="Leave findings below this severity out of every report and of the exit code (counted as below min-severity; default: report all)."),
    click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), help="Report only findings not in this baseline file (see `iacguard baseline`)."),
    click.option("--include-suppressed", is_flag=True, default=None, help="Put suppressed findings in the SARIF report too (marked as suppressed)."),
    click.option("--sarif-category", "sarif_category", metavar="NAME", default=None, callback=lambda ctx, param, value: _sarif_category(value),
                 help="Name the SARIF run's category: runs[].automationDetails.id becomes iacguard/NAME/ (default iacguard/), so two scans uploaded to code scanning from one workflow keep their alerts apart."),
    click.option("--color/--no-color", default=None, help="Force or disable colours (default: on a terminal, unless NO_COLOR is set)."),
]


def _sarif_category(value):
    """--sarif-category NAME, normalised (see iacguard.output.sarif.category_name)."""
    if value is None:
        return None
    from .output.sarif import category_name

    try:
        return category_name(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _apply(options):
    def decorate(fn):
        for opt in reversed(options):
            fn = opt(fn)
        return fn

    return decorate


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


def _settings(ctx, scan_root: str, p: dict) -> Settings:
    registry = _registry()
    known = {c.id for c in registry}
    if p["quiet"] and p["verbose"]:
        raise click.UsageError("--quiet and --verbose cannot be combined")
    try:
        from . import config as config_mod

        if p["no_config"]:
            config = Config()
        else:
            path = p["config_file"] or config_mod.find(scan_root, os.getcwd())
            config = config_mod.load(path, known) if path else Config()
    except ConfigError as exc:
        _fatal(str(exc))
    if p["verbose"]:
        click.echo("iacguard: configuration: %s" % (config.path or "none"), err=True)

    only = _comma_list(p["only"]) if p["only"] else list(config.checks)
    skip = _comma_list(p["skip"]) if p["skip"] else list(config.skip_checks)
    known_upper = {c.upper() for c in known}
    for cid in only + skip:
        if cid not in known_upper:
            raise click.UsageError("unknown check id %r (see `iacguard checks`)" % cid)
    severity = dict(config.severity)
    for cid, level in _pairs(_comma_list(p["severities"], upper=False), "--severity").items():
        if cid.upper() not in known_upper:
            raise click.UsageError("unknown check id %r in --severity (see `iacguard checks`)" % cid)
        if level not in SEVERITIES:
            raise click.UsageError("--severity %s: level must be one of %s" % (cid, ", ".join(SEVERITIES)))
        severity[cid.upper()] = level
    whole_project = p["whole_project"] if p["whole_project"] is not None else config.whole_project_checks
    checks = []
    for c in registry:
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
    tf_vars.update(_pairs(p["tf_vars"], "--var"))
    cfn_params = dict(config.cfn_parameters)
    cfn_params.update(_pairs(p["cfn_params"], "--cfn-param"))
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
            _fatal("file named in %s does not exist: %s" % (config.path or "the command line", f))
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
        settings.outputs = list(config.outputs.items()) + _output_files(p["output_files"])
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


def _release_graph(result, graph) -> None:
    """The scan's last step: the command is done with the graph; emptied, it is freed at once
    instead of waiting, as a reference cycle, for the collector (a report is written next)."""
    release = getattr(graph, "release", None)  # a graph from the cache (GraphView) has no cycles
    if release is not None:
        release()


def _run_scan(paths: list, settings: Settings, p: dict, postprocess: list):
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

    suppressor = Suppressor([c.id for c in _registry()], require_reason=settings.require_reason,
                            compatible=settings.config.compatible_suppressions, checks=_registry())
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
        _fatal("nothing to scan: %s does not exist" % ", ".join(n.path for n in missing))
    return result, suppressor


# Configuration keys -> the flags (keys of p) that replace them on the command line.
_OVERRIDES = {
    "checks": "only", "skip-checks": "skip", "fail-on": "fail_on", "whole-project-checks": "whole_project",
    "require-reason": "require_reason", "max-file-size": "max_file_size", "include-suppressed": "include_suppressed",
    "baseline": "baseline_file", "fail-on-error": "fail_on_error", "min-severity": "min_severity",
}


def _source_of(name: str) -> str:
    """What set the option `name` of the running command: "the command line", or "the environment
    (IACGUARD_...)" when its environment variable did."""
    from click.core import ParameterSource

    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.get_parameter_source(name) == ParameterSource.ENVIRONMENT:
        param = next((q for q in ctx.command.params if q.name == name), None)
        if param is not None and param.envvar:
            return "the environment (%s)" % param.envvar
    return "the command line"


def _configuration(result, settings: Settings, p: dict) -> None:
    """Say in every report which configuration file was used and what it changed."""
    from .config import describe

    config = settings.config
    if not config.path:
        return
    overridden = {key: _source_of(flag) for key, flag in _OVERRIDES.items() if p.get(flag) is not None and p.get(flag) != ()}
    defaults = {c.id: c.severity for c in _registry()}
    result.configuration = {"path": config.path, "changes": describe(config, result.cwd or os.getcwd(), defaults, overridden)}


def _configuration_change(result, settings: Settings, repo, ref: str) -> None:
    """With --diff-base: warn when the configuration in use differs from its version at `ref`."""
    from . import config as config_mod
    from iacguard.post.changed_files import GitError
    from iacguard.core.model import Notification
    from .output.paths import display_path

    config = settings.config
    if not config.path or not repo.contains(config.path):
        return
    known = {c.id for c in _registry()}
    defaults = {c.id: c.severity for c in _registry()}
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


def _write(path: str, text, untrusted: tuple = ()) -> None:
    """Write `text` (a str, or an iterable of str pieces written as they come) to `path`."""
    from .atomic import write_chunks

    try:
        # temporary file + rename: a symlink at `path` is replaced, never followed
        write_chunks(path, (text,) if isinstance(text, str) else text, untrusted)
    except OSError as exc:
        _fatal("cannot write %s: %s" % (path, exc.strerror))


def _echo(pieces, color) -> None:
    """The report text `pieces` yields on standard output, ending in one newline. click strips
    colours from a stream that is not a terminal unless told otherwise: --color (`color`)
    forces them (for `less -R` or a CI log that renders them)."""
    from .atomic import write_all

    last = [""]

    def echo(text: str) -> None:
        click.echo(text, nl=False, color=color)
        last[0] = text

    write_all(echo, pieces)
    if not last[0].endswith("\n"):
        click.echo("", color=color)


def _untrusted(result) -> tuple:
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


def _report(result, settings: Settings, p: dict) -> None:
    from .core.gcpause import gc_paused
    from .output import chunks
    from .output.text import use_color

    def opts_for(fmt: str, to_terminal: bool) -> dict:
        if fmt == "text":
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
            _write(output, chunks(fmt, result, **opts_for(fmt, False)), _untrusted(result))
        if not p["quiet"] and fmt != "text":
            # People still see a one-line summary when the report goes to a file.
            click.echo("iacguard: %d finding(s) in %d file(s); report written to %s" % (len(result.findings), len(result.files), output), err=True)
    else:
        with gc_paused():
            _echo(chunks(fmt, result, **opts_for(fmt, True)), p["color"])
    for extra_fmt, path in settings.outputs:
        opts = opts_for(extra_fmt, False)
        if extra_fmt == "text":
            opts["color"] = False
        with gc_paused():
            _write(path, chunks(extra_fmt, result, **opts), _untrusted(result))
        if p["verbose"]:
            click.echo("iacguard: %s report written to %s" % (extra_fmt, path), err=True)


def _exit_code(result, settings: Settings, suppressor) -> int:
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


class _Group(click.Group):
    """The command group, with the subcommands of other modules (`_LAZY`) imported only when
    one of them runs or the commands are listed (`--help`): a scan never loads them."""

    _LAZY = {"graph": ("iacguard.graph_commands", "graph"), "iam": ("iacguard.iam_commands", "iam")}

    def list_commands(self, ctx) -> list:
        return sorted(set(self.commands) | set(self._LAZY))

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands and cmd_name in self._LAZY:
            import importlib

            module, attr = self._LAZY[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attr))
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iacguard")
def main():
    """iacguard: offline security checks for Terraform and AWS CloudFormation."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_apply(_REPORTING)
@click.option("--diff-base", metavar="GIT_REF", help="Report only findings in files changed since GIT_REF (committed, staged, unstaged or untracked); the whole tree is still scanned.")
@_apply(_COMMON)
@click.pass_context
def scan(ctx, paths, **p):
    """Scan Terraform and CloudFormation under PATHS.

    PATH `-` reads one template from standard input (CloudFormation JSON or YAML, or Terraform,
    told apart by content), reported as "<stdin>".
    """
    stdin = "-" in paths
    if stdin and len(paths) > 1:
        raise click.UsageError("- (standard input) cannot be combined with other paths")
    if stdin and p["diff_base"]:
        raise click.UsageError("--diff-base cannot be used with - (standard input)")
    if not stdin and not p.get("no_cache"):
        from .cache import default_cache_dir
        from .catalogue import use_cache

        use_cache(p.get("cache_dir") or default_cache_dir())
    settings = _settings(ctx, os.getcwd() if stdin else paths[0], p)
    if stdin:
        from .discover.stdin import StdinError, StdinTemplate

        try:
            template = StdinTemplate.read(sys.stdin.buffer, settings.max_file_size)
        except StdinError as exc:
            _fatal(str(exc))
        p["no_cache"] = True  # a temporary file: nothing worth keeping
        with template:
            _scan_paths(ctx, [template.path], settings, p, template.rename)
        return
    _scan_paths(ctx, paths, settings, p)


def _scan_paths(ctx, paths, settings: Settings, p: dict, rename=None) -> None:
    postprocess = []
    if settings.baseline:
        from iacguard.post.baseline import BaselineError, BaselineFilter

        try:
            postprocess.append(BaselineFilter(settings.baseline))
        except BaselineError as exc:
            _fatal(str(exc))
    if p["diff_base"]:
        from iacguard.post.changed_files import ChangedFilesFilter, GitError, Repository

        # The repository is the working directory's, never one found inside the scanned tree.
        try:
            repo = Repository.discover(os.getcwd())
            repo.check_roots([os.path.abspath(x) for x in paths])
            changed = repo.changed_files(p["diff_base"])
        except GitError as exc:
            _fatal("--diff-base: %s" % exc)
        if p["verbose"]:
            click.echo("iacguard: %d file(s) changed since %s" % (len(changed), p["diff_base"]), err=True)
        postprocess.append(ChangedFilesFilter(changed))
    if settings.min_severity:
        postprocess.append(MinSeverityFilter(settings.min_severity))
    result, suppressor = _run_scan(paths, settings, p, postprocess)
    if rename is not None:
        rename(result)
    _configuration(result, settings, p)
    if p["diff_base"]:
        _configuration_change(result, settings, repo, p["diff_base"])
    _report(result, settings, p)
    sys.exit(_exit_code(result, settings, suppressor))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False), envvar="IACGUARD_BASELINE_OUTPUT",  # not scan's IACGUARD_OUTPUT (its report)
              help="Baseline file to write (default: the configuration's `baseline`, else %s)." % DEFAULT_BASELINE)
@_apply(_COMMON)
@click.pass_context
def baseline(ctx, paths, output, **p):
    """Record today's findings under PATHS in a baseline file.

    `iacguard scan --baseline FILE` then reports only findings that are not in it. Suppressed
    findings are not recorded: their suppression already accepts them.
    """
    from iacguard.post.baseline import write

    settings = _settings(ctx, paths[0], p)
    target = os.path.abspath(output) if output else (settings.config.baseline or os.path.abspath(DEFAULT_BASELINE))
    result, _ = _run_scan(paths, settings, p, [])
    try:
        count = write(result, target, _untrusted(result))
    except OSError as exc:
        _fatal("cannot write %s: %s" % (target, exc.strerror))
    if not p["quiet"]:
        click.echo("iacguard: baseline of %d finding(s) written to %s" % (count, target), err=True)


@main.command("pre-commit")
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None, help="Exit 1 when a finding is at or above this severity (default: low).")
@click.option("--fail-on-error/--no-fail-on-error", default=None, help="Exit 1 when a file could not be scanned (parse error, evaluation cut short, internal error: an error-level notification), so findings cannot hide behind it (default: off).")
@click.option("--min-severity", type=click.Choice(SEVERITIES), default=None, help="Leave findings below this severity out of the report and of the exit code.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), help="Report only findings not in this baseline file.")
@click.option("--color/--no-color", default=None, help="Force or disable colours.")
@_apply(_COMMON)
@click.pass_context
def pre_commit(ctx, files, **p):
    """Scan the whole repository, report findings in FILES only (for pre-commit hooks).

    The repository root (from git, else the current folder) is scanned so that references
    between files are seen; only findings located in FILES are reported. Without FILES (the
    hooks pass none, so that one run makes one scan and one report): the files of the commit,
    from git (PRE_COMMIT_FROM_REF...PRE_COMMIT_TO_REF, else the staged files, else all).
    """
    from iacguard.post.changed_files import ChangedFilesFilter, GitError, Repository, UnsafeRepository

    repo = None
    try:
        repo = Repository.discover(os.getcwd())
        repo.check_roots([repo.top])
        root = repo.top
    except UnsafeRepository as exc:
        _fatal(str(exc))
    except GitError:
        root = os.getcwd()
    if not files:
        # The hooks pass no names (pre-commit would split a long list into several runs, each
        # scanning everything): the files of this commit come from git, None meaning every file.
        from .pre_commit_files import files_to_report

        try:
            files = files_to_report(repo) if repo is not None else []
        except GitError as exc:
            _fatal(str(exc))
        if files == []:
            sys.exit(0)
    p.update(fmt="text", output=None, output_files=(), include_suppressed=None)
    settings = _settings(ctx, root, p)
    settings.outputs = []  # a commit hook prints; it does not leave report files behind
    postprocess = []
    if settings.baseline:
        from iacguard.post.baseline import BaselineError, BaselineFilter

        try:
            postprocess.append(BaselineFilter(settings.baseline))
        except BaselineError as exc:
            _fatal(str(exc))
    if files is not None:
        postprocess.append(ChangedFilesFilter(files))
    if settings.min_severity:
        postprocess.append(MinSeverityFilter(settings.min_severity))
    result, suppressor = _run_scan([root], settings, p, postprocess)
    _configuration(result, settings, p)
    _report(result, settings, p)
    sys.exit(_exit_code(result, settings, suppressor))


@main.command()
@click.option("--from", "tool", type=click.Choice(("checkov", "tfsec", "trivy")), required=True, help="The scanner whose configuration FILE is.")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False), help="Write the configuration to this file (default: standard output).")
def migrate(tool, file, output):
    """Write the .iacguard.toml equivalent to another scanner's configuration FILE.

    Checkov `.checkov.yaml`, tfsec `.tfsec/config.yml` (or `.json`), Trivy `trivy.yaml`: check ids
    are mapped through the checks' equivalent ids; every setting or id without an equivalent is
    named in a comment line.
    """
    from .migrate import MigrationError, migrate as run_migrate

    try:
        with open(file, "rb") as fh:
            text = fh.read(4 * 1024 * 1024 + 1).decode("utf-8", errors="replace")
    except OSError as exc:
        _fatal("cannot read %s: %s" % (file, exc.strerror))
    if len(text) > 4 * 1024 * 1024:
        _fatal("%s is larger than 4 MiB: not a configuration file" % file)
    try:
        toml = run_migrate(tool, text.lstrip("\ufeff"), _registry(), os.path.basename(file))
    except MigrationError as exc:
        _fatal(str(exc))
    if output:
        try:
            _write(os.path.abspath(output), toml)
        except OSError as exc:
            _fatal("cannot write %s: %s" % (output, exc.strerror))
        click.echo("iacguard: configuration written to %s" % output, err=True)
    else:
        click.echo(toml, nl=False)


@main.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(("text", "json", "markdown")), default="text", show_default=True,
              help="text: a table; json: every check with pillar, severity, languages, scope, CWE and equivalent ids; markdown: a table.")
@click.pass_context
def checks(ctx, fmt):
    """List the checks, or explain one."""
    if ctx.invoked_subcommand is None:
        rows = sorted(_registry(), key=lambda c: c.id)
        if fmt == "json":
            import json

            click.echo(json.dumps([c.summary() for c in rows], indent=2))
            return
        if fmt == "markdown":
            click.echo(checks_table(rows))
            return
        width = max(len(c.id) for c in rows)
        click.echo("%-*s  %-8s  %-15s  %s" % (width, "ID", "SEVERITY", "PILLAR", "TITLE"))
        for c in rows:
            click.echo("%-*s  %-8s  %-15s  %s" % (width, c.id, c.severity, c.pillar, c.title))


def checks_table(rows) -> str:
    """The Markdown table of checks (the README's, and `iacguard checks --format markdown`)."""
    def equivalents(c) -> str:
        return ", ".join("%s `%s`" % pair for pair in c.equivalents) or "-"

    def languages(c) -> str:
        return " + ".join({"terraform": "TF", "cloudformation": "CFN"}.get(lang, lang) for lang in c.languages)

    lines = ["| id | severity | pillar | languages | title | equivalent ids |", "|---|---|---|---|---|---|"]
    lines += ["| %s | %s | %s | %s | %s | %s |" % (c.id, c.severity, c.pillar, languages(c), c.title, equivalents(c)) for c in rows]
    return "\n".join(lines)


@checks.command()
@click.argument("check_id")
def explain(check_id):
    """Print the documentation of CHECK_ID."""
    for c in _registry():
        if c.id.lower() == check_id.lower():
            click.echo(c.markdown())
            return
    click.echo("iacguard: error: unknown check id %r (see `iacguard checks`)" % check_id, err=True)
    sys.exit(2)


def _env_vars(command) -> None:
    """Give every option of `command` an environment variable, IACGUARD_<LONG NAME> (`--fail-on`:
    IACGUARD_FAIL_ON; `--color/--no-color`: IACGUARD_COLOR, true/false/1/0/yes/no). Precedence:
    the flag, then the variable, then the configuration file, then the default. A repeatable
    option's variable holds several values separated by spaces (file paths: by os.pathsep), and
    for --check, --skip-check and --severity by commas too."""
    for param in command.params:
        if not isinstance(param, click.Option) or param.envvar or param.name in ("help", "version"):
            continue
        longs = [o for o in param.opts if o.startswith("--")]
        if not longs:
            continue
        param.envvar = "IACGUARD_" + longs[0][2:].upper().replace("-", "_")
        param.show_envvar = True


for _command in (scan, baseline, pre_commit):
    _env_vars(_command)


def run() -> None:
    """The `iacguard` command: the command line, then an exit that skips tearing the
    interpreter down. A scan leaves millions of objects alive (parse trees, values, the graph,
    findings); freeing them one by one and the collector's last pass over them took 8% of a
    scan of 30,000 resources, after everything was written. Streams are flushed first; every
    file the command writes is closed before it returns, and it starts no thread or process
    that outlives it."""
    try:
        main(prog_name="iacguard")
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    _codecache.save()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe: nothing more to say
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    # `python -m iacguard.cli` exits normally, so that profilers and coverage running it (as
    # `python -m cProfile -m iacguard.cli`) still write what they measured at exit.
    main()
