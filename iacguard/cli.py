"""The command line: wires options to the engine and the formatters, nothing more.

Exit codes: 0 no finding at or above --fail-on; 1 at least one; 2 usage or fatal error.
"""
from __future__ import annotations

import os
import sys

import click

from . import __version__
from .check import SEVERITY_RANK
from .model import ScanOptions

FAIL_ON = ("critical", "high", "medium", "low", "none")


def _registry():
    from .checks import REGISTRY

    return REGISTRY


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iacguard")
def main():
    """iacguard: offline security checks for Terraform and AWS CloudFormation."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True, help="Report format.")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE instead of stdout.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="low", show_default=True, help="Exit 1 when a finding is at or above this severity.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option("--var", "tf_vars", multiple=True, metavar="NAME=VALUE", help="Set a Terraform root variable (repeatable).")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Terraform variables file (repeatable).")
@click.option("--cfn-param", "cfn_params", multiple=True, metavar="KEY=VALUE", help="Set a CloudFormation parameter (repeatable).")
@click.option("--cfn-params", "cfn_param_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="CloudFormation parameters file (repeatable).")
@click.option("--check", "only", multiple=True, metavar="ID", help="Run only these checks (repeatable).")
@click.option("--skip-check", "skip", multiple=True, metavar="ID", help="Do not run these checks (repeatable).")
@click.option("--max-file-size", type=int, default=8 * 1024 * 1024, show_default=True, help="Skip files larger than this many bytes.")
@click.option("--verbose", "-v", is_flag=True, help="List every value that could not be known.")
@click.option("--color/--no-color", default=None, help="Force or disable colours (default: on a terminal, unless NO_COLOR is set).")
def scan(paths, fmt, output, fail_on, exclude, tf_vars, var_files, cfn_params, cfn_param_files, only, skip, max_file_size, verbose, color):
    """Scan Terraform and CloudFormation under PATHS."""
    from .engine import scan as run_scan
    from .output import render
    from .output.text import use_color

    registry = _registry()
    known = {c.id for c in registry}
    for cid in list(only) + list(skip):
        if cid not in known:
            raise click.UsageError("unknown check id %r (see `iacguard checks`)" % cid)
    checks = [c for c in registry if (not only or c.id in only) and c.id not in skip]
    options = ScanOptions(
        tf_var_files=[os.path.abspath(p) for p in var_files],
        tf_vars=_pairs(tf_vars, "--var"),
        env=dict(os.environ),
        cfn_params=_pairs(cfn_params, "--cfn-param"),
        cfn_param_files=[os.path.abspath(p) for p in cfn_param_files],
    )
    result = run_scan(list(paths), options, excludes=exclude, checks=checks, max_file_bytes=max_file_size)
    missing = [n for n in result.notifications if n.level == "error" and n.message == "path does not exist"]
    if missing and len(missing) == len(paths):
        click.echo("iacguard: error: nothing to scan: %s does not exist" % ", ".join(n.path for n in missing), err=True)
        sys.exit(2)
    opts = {}
    if fmt == "text":
        stream = sys.stdout if output is None else None
        opts["color"] = color if color is not None else (stream is not None and use_color(stream, os.environ))
        opts["verbose"] = verbose
    report = render(fmt, result, **opts)
    if output:
        try:
            with open(output, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(report)
        except OSError as exc:
            click.echo("iacguard: error: cannot write %s: %s" % (output, exc.strerror), err=True)
            sys.exit(2)
        if fmt != "text":
            # People still see a one-line summary when the report goes to a file.
            click.echo("iacguard: %d finding(s) in %d file(s); report written to %s" % (len(result.findings), len(result.files), output), err=True)
    else:
        click.echo(report, nl=not report.endswith("\n"))
    threshold = SEVERITY_RANK[fail_on]
    by_id = {c.id: c for c in result.checks}
    worst = max((SEVERITY_RANK[by_id[f.check_id].severity] for f in result.findings), default=0)
    sys.exit(1 if threshold and worst >= threshold else 0)


@main.group(invoke_without_command=True)
@click.pass_context
def checks(ctx):
    """List the checks, or explain one."""
    if ctx.invoked_subcommand is None:
        rows = sorted(_registry(), key=lambda c: c.id)
        width = max(len(c.id) for c in rows)
        click.echo("%-*s  %-8s  %-15s  %s" % (width, "ID", "SEVERITY", "PILLAR", "TITLE"))
        for c in rows:
            click.echo("%-*s  %-8s  %-15s  %s" % (width, c.id, c.severity, c.pillar, c.title))


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


if __name__ == "__main__":  # pragma: no cover
    main()
