"""The `iacguard` executable: a `scan` command line read without click, every other through it.

Importing click and declaring the command line with it takes about 30 ms, as long as the rest
of a scan the cache answers (eks: 0.09 s in all) and a sixth of a cold scan of a small
repository. So the executable reads the common case itself: `iacguard scan` with PATHS and
options written `--name VALUE`, `--name=VALUE`, `--flag` or `-x VALUE`, each value one
`iacguard.cli` would accept, and no variable of a scan option (IACGUARD_<OPTION>) in the environment. Those options give
the very values click would (`OPTIONS` is checked against the click declaration of `scan` by
tests/test_launch.py), and the work is the same code (`iacguard.scan_command`).

Anything else goes to click unchanged, which then parses the whole command line and says what
is wrong with it as usual: another command, --help, --version, `-` (standard input), `--`,
short options run together (`-qj2`), a value click would refuse (a choice not offered, a number
out of range, a file that does not exist, ...), an option of the configuration file or of the
flags that click reports as a usage error (`scan_command.UsageProblem`, found before anything is
written), --verbose (it prints before that check), an environment variable of an option, shell
completion, standard streams whose encoding is not UTF-8 (click re-encodes those), and Windows
(where click writes to the console through its own stream wrappers).
"""
from __future__ import annotations

import os
import stat
import sys

# What click's declaration of `scan` (iacguard.cli) holds, option by option:
# name -> (option strings, kind, check, default). Kinds: "flag" (True when given), "pair"
# ("--x/--no-x": True or False), "value" (the last one given wins) and "many" (a tuple of every
# one given). Checks: ("choice", values), ("int", min, max) (None: no bound),
# ("path", exists, file_okay, dir_okay) or None.
OPTIONS = {
    "fmt": (("--format",), "value", ("choice", "OUTPUT_FORMATS"), "text"),
    "output": (("--output", "-o"), "value", ("path", False, True, False), None),
    "output_files": (("--output-file",), "many", None, ()),
    "fail_on": (("--fail-on",), "value", ("choice", "FAIL_ON"), None),
    "fail_on_error": (("--fail-on-error", "--no-fail-on-error"), "pair", None, None),
    "min_severity": (("--min-severity",), "value", ("choice", "SEVERITIES"), None),
    "baseline_file": (("--baseline",), "value", ("path", False, True, False), None),
    "include_suppressed": (("--include-suppressed",), "flag", None, None),
    "sarif_category": (("--sarif-category",), "value", ("sarif_category",), None),
    "color": (("--color", "--no-color"), "pair", None, None),
    "diff_base": (("--diff-base",), "value", None, None),
    "config_file": (("--config",), "value", ("path", True, True, False), None),
    "no_config": (("--no-config",), "flag", None, False),
    "exclude": (("--exclude",), "many", None, ()),
    "tf_vars": (("--var",), "many", None, ()),
    "var_files": (("--var-file",), "many", ("path", True, True, False), ()),
    "tf_vars_from_env": (("--tf-vars-from-env",), "flag", None, False),
    "cfn_params": (("--cfn-param",), "many", None, ()),
    "cfn_param_files": (("--cfn-params",), "many", ("path", True, True, False), ()),
    "only": (("--check",), "many", None, ()),
    "skip": (("--skip-check",), "many", None, ()),
    "severities": (("--severity",), "many", None, ()),
    "whole_project": (("--whole-project-checks", "--no-whole-project-checks"), "pair", None, None),
    "require_reason": (("--require-reason",), "flag", None, None),
    "max_file_size": (("--max-file-size",), "value", ("int", 1, None), None),
    "jobs": (("--jobs", "-j"), "value", ("int", 0, None), 0),
    "cache_dir": (("--cache-dir",), "value", ("path", False, False, True), None),
    "no_cache": (("--no-cache",), "flag", None, False),
    "time_per_file": (("--time-per-file",), "value", ("int", 0, None), None),
    "max_depth": (("--max-depth",), "value", ("int", 8, 400), None),
    "max_yaml_nodes": (("--max-yaml-nodes",), "value", ("int", 1000, None), None),
    "max_instances": (("--max-instances",), "value", ("int", 1, None), None),
    "max_value_size": (("--max-value-size",), "value", ("int", 1000, None), None),
    "quiet": (("--quiet", "-q"), "flag", None, False),
    "verbose": (("--verbose", "-v"), "flag", None, False),
}



# What click reads from the environment for `scan` (cli._env_vars: IACGUARD_<LONG NAME> for each
# option) and shell completion's variable. Another IACGUARD_ variable (a test tool's, a CI
# setting of another command) leaves the command line to this module.
_CLICK_VARIABLES = frozenset(["_IACGUARD_COMPLETE"] + ["IACGUARD_" + [o for o in opts if o.startswith("--")][0][2:].upper().replace("-", "_")
                                                       for opts, _, _, _ in OPTIONS.values()])


def _by_option() -> dict:
    """Option string -> (name, the value the option gives: True for a flag and for the first of a
    pair, False for the second, None for an option that takes a value)."""
    out = {}
    for name, (opts, kind, _, _) in OPTIONS.items():
        for i, opt in enumerate(opts):
            out[opt] = (name, (i == 0) if kind == "pair" else True if kind == "flag" else None)
    return out


_BY_OPTION = _by_option()


class _NotMine(Exception):
    """A command line this module leaves to click."""


def _choices(name: str) -> tuple:
    if name == "OUTPUT_FORMATS":
        from .config import OUTPUT_FORMATS as values
    elif name == "FAIL_ON":
        from .config import FAIL_ON as values
    else:
        from .check import SEVERITIES as values
    return tuple(values)


def _path_ok(value: str, exists: bool, file_okay: bool, dir_okay: bool) -> bool:
    """Whether click.Path(exists, file_okay, dir_okay) takes `value` (it reads the path as given:
    no option here resolves it)."""
    try:
        st = os.stat(value)
    except (OSError, ValueError):
        return not exists
    if not file_okay and stat.S_ISREG(st.st_mode):
        return False
    if not dir_okay and stat.S_ISDIR(st.st_mode):
        return False
    return os.access(value, os.R_OK)  # click.Path is readable=True by default


def _checked(name: str, value: str):
    check = OPTIONS[name][2]
    if check is None:
        return value
    if check[0] == "choice":
        if value not in _choices(check[1]):
            raise _NotMine(name)
        return value
    if check[0] == "int":
        try:
            number = int(value)
        except ValueError:
            raise _NotMine(name) from None
        if (check[1] is not None and number < check[1]) or (check[2] is not None and number > check[2]):
            raise _NotMine(name)
        return number
    if check[0] == "path":
        if not _path_ok(value, *check[1:]):
            raise _NotMine(name)
        return value
    # --sarif-category: normalised by its callback (iacguard.cli._sarif_category)
    from .output.sarif import category_name

    try:
        return category_name(value)
    except ValueError:
        raise _NotMine(name) from None


def read_scan(args: list, environ) -> tuple:
    """(PATHS, flags) of `iacguard scan` ARGS, as `iacguard.cli.scan` receives them; raises
    _NotMine for a command line click should read."""
    if any(key in _CLICK_VARIABLES for key in environ):
        raise _NotMine("environment")
    values: dict = {}
    paths = []
    i = 0
    while i < len(args):
        token = args[i]
        i += 1
        if token[:1] != "-":
            if not _path_ok(token, False, True, True):
                raise _NotMine("PATH")
            paths.append(token)
            continue
        option, eq, inline = token.partition("=")
        if not option.startswith("--"):
            eq = ""  # a short option is the whole token (`-ofile` is left to click)
            option = token
        known = _BY_OPTION.get(option)
        if known is None:
            raise _NotMine(option)
        name, flag_value = known
        kind = OPTIONS[name][1]
        if flag_value is not None:
            if eq:
                raise _NotMine(option)  # --quiet=yes: click's to refuse
            values[name] = flag_value
            continue
        if eq:
            value = inline
        else:
            if i >= len(args) or args[i][:1] == "-":
                raise _NotMine(option)  # no value, or one that looks like an option
            value = args[i]
            i += 1
        value = _checked(name, value)
        if kind == "many":
            values[name] = values.get(name, ()) + (value,)
        else:
            values[name] = value
    if not paths:
        raise _NotMine("no PATHS")
    p = {name: values.get(name, default) for name, (_, _, _, default) in OPTIONS.items()}
    if p["verbose"]:
        raise _NotMine("--verbose")  # it prints before a usage problem may be found
    return tuple(paths), p


def _utf8(stream) -> bool:
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("_", "-") in ("utf-8", "utf8")


def run() -> None:
    """The `iacguard` command."""
    import gc

    # The cyclic collector stays off for the whole command, as it already was for the scan
    # itself (core/gcpause.py: nothing a scan makes is cyclic garbage): it ran some twenty
    # times while the command's modules loaded, walking them and freeing nothing (about 3 ms of
    # every run, 5% of a scan the cache answers). Reference counting frees everything else.
    gc.disable()
    from iacguard import _codecache

    _codecache.install_patterns()  # regular expressions compiled by earlier runs (iacguard/_codecache.py)
    _codecache.install_modules()  # iacguard's modules' code, read from one file
    _codecache.install_check_index()  # the checks' metadata, and which checks a graph needs (iacguard/catalogue.py)
    args = sys.argv[1:]
    parsed = None
    # (Windows is left to click: it writes to the console through its own stream wrappers there.)
    if args[:1] == ["scan"] and os.name == "posix" and _utf8(sys.stdout) and _utf8(sys.stderr):
        try:
            parsed = read_scan(args[1:], os.environ)
        except _NotMine:
            parsed = None
    if parsed is None:
        from .cli import run as run_click

        run_click()
        return
    from . import replay, scan_command

    scan_command.exit_process(_scan(scan_command, *parsed, replay=replay))


def _scan(scan_command, paths: tuple, p: dict, replay=None) -> int:
    """Run the scan as click would run it (its exit code, "Aborted!" on an interrupt, exit code 1
    on a closed standard output); a usage problem found before anything is written goes to click.
    With `replay` (iacguard/replay.py), a scan that ran before with the same command and inputs is
    answered with what it wrote, and a scan that runs is recorded for the next."""
    import errno

    try:
        try:
            key = replay.memo_key(paths, p) if replay is not None else None
            if key is not None:
                code = replay.answer(paths, p, key)
                if code is not None:
                    return code
                scan_command.RECORDER = replay.Recorder(key, replay.cache_folder(p), replay.allowed_writes(p))
            scan_command.scan(paths, p)
        except scan_command.UsageProblem:
            # Raised only while the settings are put together, before anything is written.
            from .cli import run as run_click

            run_click()  # it finds the same problem and shows it as a usage error (and exits)
        return 0
    except SystemExit as exc:
        return scan_command.exit_code_of(exc)
    except (EOFError, KeyboardInterrupt):
        scan_command.echo("", err=True)
        scan_command.echo("Aborted!", err=True)
        return 1
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        return 1
