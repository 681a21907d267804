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

import contextlib
import os
import sys

import click

from . import __version__, scan_command
from .check import SEVERITIES
from .config import FAIL_ON, OUTPUT_FORMATS

DEFAULT_BASELINE = scan_command.DEFAULT_BASELINE
_registry, _fatal, _write, _untrusted = scan_command.registry, scan_command.fatal, scan_command.write_file, scan_command.untrusted


@contextlib.contextmanager
def _usage(ctx):
    """A usage problem the command's work finds (scan_command.UsageProblem), shown as click shows
    usage errors (the usage line, a hint, exit code 2)."""
    try:
        yield
    except scan_command.UsageProblem as exc:
        raise click.UsageError(str(exc), ctx) from None


def _sources(ctx) -> dict:
    """The options of the running command that an environment variable set: name -> "the
    environment (IACGUARD_...)" (the command line is the source of the others)."""
    from click.core import ParameterSource

    return {q.name: "the environment (%s)" % q.envvar for q in ctx.command.params
            if q.envvar and ctx.get_parameter_source(q.name) == ParameterSource.ENVIRONMENT}


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
    with _usage(ctx):
        scan_command.scan(paths, p, _sources(ctx))


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

    with _usage(ctx):
        settings = scan_command.settings_for(paths[0], p)
    target = os.path.abspath(output) if output else (settings.config.baseline or os.path.abspath(DEFAULT_BASELINE))
    result, _ = scan_command.run_scan(paths, settings, p, [], outputs=[target])
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
    with _usage(ctx):
        settings = scan_command.settings_for(root, p)
    settings.outputs = []  # a commit hook prints; it does not leave report files behind
    postprocess = scan_command.baseline_steps(settings)
    if files is not None:
        postprocess.append(ChangedFilesFilter(files))
    if settings.min_severity:
        postprocess.append(scan_command.MinSeverityFilter(settings.min_severity))
    result, suppressor = scan_command.run_scan([root], settings, p, postprocess)
    scan_command.configuration(result, settings, p, _sources(ctx))
    scan_command.report(result, settings, p)
    sys.exit(scan_command.exit_code(result, settings, suppressor))


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
    """The `iacguard` command through click (`iacguard.launch.run` comes here for every command
    line it does not read itself), then an exit that skips tearing the interpreter down
    (scan_command.exit_process)."""
    try:
        main(prog_name="iacguard")
        code = 0
    except SystemExit as exc:
        code = scan_command.exit_code_of(exc)
    scan_command.exit_process(code)


if __name__ == "__main__":  # pragma: no cover
    # `python -m iacguard.cli` exits normally, so that profilers and coverage running it (as
    # `python -m cProfile -m iacguard.cli`) still write what they measured at exit.
    main()
