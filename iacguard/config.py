"""Project configuration: `.iacguard.toml`, or `[tool.iacguard]` in `pyproject.toml`.

The file is found next to the scanned folder or in a parent up to the repository root (the first
folder holding `.git`); in each folder `.iacguard.toml` wins over `pyproject.toml`, and a
`pyproject.toml` without `[tool.iacguard]` is passed over. `--config FILE` names one explicitly.

The configuration only holds data: check ids, severities, globs, file paths, booleans. No key
names code, so a configuration can never make iacguard import or run anything. Unknown keys and
wrong types are errors naming the key. Relative paths are relative to the configuration file.

A configuration file may come with the code it configures, from someone not trusted (a pull
request). So the paths it names (var files, parameter files, baseline, outputs) must be relative
and stay inside the repository that holds it (the folder holding `.git` above it, else its own
folder) once `..` and links are resolved; and `describe` lists what it changes from the defaults,
so that every report can say so (`Config.path` and `describe(config)` become
`ScanResult.configuration`).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field



def _tomllib():
    """The TOML reader, imported when a configuration file is read (most scans have none)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib

from .check import SEVERITIES

CONFIG_NAME = ".iacguard.toml"
PYPROJECT = "pyproject.toml"
FAIL_ON = ("critical", "high", "medium", "low", "none")
OUTPUT_FORMATS = ("text", "json", "sarif", "junit", "markdown", "html", "github", "gitlab", "gitlab-sast")


class ConfigError(Exception):
    """A configuration file that cannot be read or holds a key or value iacguard does not know."""


@dataclass(slots=True)
class Config:
    """The settings of a configuration file (.iacguard.toml or pyproject.toml's [tool.iacguard]),
    with defaults for the keys it leaves out."""

    path: str = ""  # the file read, "" when none
    checks: list = field(default_factory=list)  # run only these (empty: all)
    skip_checks: list = field(default_factory=list)
    severity: dict = field(default_factory=dict)  # check id -> severity
    fail_on: str | None = None
    exclude: list = field(default_factory=list)
    var_files: list = field(default_factory=list)  # absolute
    vars: dict = field(default_factory=dict)
    cfn_parameter_files: list = field(default_factory=list)  # absolute
    cfn_parameters: dict = field(default_factory=dict)
    whole_project_checks: bool = True
    outputs: dict = field(default_factory=dict)  # format -> absolute path
    baseline: str | None = None  # absolute
    require_reason: bool | None = None
    include_suppressed: bool | None = None
    max_file_size: int | None = None
    fail_on_error: bool | None = None
    min_severity: str | None = None  # leave findings below this severity out of reports and the exit code
    # Read TF_VAR_* from the environment. Honoured only from a file named with --config: one found
    # in the scanned tree may come from the pull request being scanned (see iacguard.cli).
    tf_vars_from_env: bool | None = None
    # Glob patterns of bucket names or addresses that must be encrypted with a customer managed
    # KMS key (AWS-S3-900, off while empty).
    customer_key_buckets: list = field(default_factory=list)
    # Glob patterns of bucket names or addresses whose object reads and writes a CloudTrail trail
    # must record as S3 data events (AWS-CT-105, off while empty).
    data_event_buckets: list = field(default_factory=list)
    # Other scanners whose inline skip comments are honoured for the equivalent iacguard checks
    # (iacguard.post.suppressions; off while empty): "checkov", "tfsec", "trivy".
    compatible_suppressions: list = field(default_factory=list)


# key -> (attribute, kind); kinds: "ids", "strs", "paths", "path", "bool", "int", "fail-on",
# "severity-table", "str-table", "output-table".
KEYS = {
    "checks": ("checks", "ids"),
    "skip-checks": ("skip_checks", "ids"),
    "severity": ("severity", "severity-table"),
    "fail-on": ("fail_on", "fail-on"),
    "exclude": ("exclude", "strs"),
    "var-files": ("var_files", "paths"),
    "vars": ("vars", "str-table"),
    "cfn-parameter-files": ("cfn_parameter_files", "paths"),
    "cfn-parameters": ("cfn_parameters", "str-table"),
    "whole-project-checks": ("whole_project_checks", "bool"),
    "outputs": ("outputs", "output-table"),
    "baseline": ("baseline", "path"),
    "require-reason": ("require_reason", "bool"),
    "include-suppressed": ("include_suppressed", "bool"),
    "max-file-size": ("max_file_size", "int"),
    "fail-on-error": ("fail_on_error", "bool"),
    "min-severity": ("min_severity", "severity"),
    "tf-vars-from-env": ("tf_vars_from_env", "bool"),
    "customer-key-buckets": ("customer_key_buckets", "strs"),
    "data-event-buckets": ("data_event_buckets", "strs"),
    "compatible-suppressions": ("compatible_suppressions", "tools"),
}
COMPATIBLE_TOOLS = ("checkov", "tfsec", "trivy")


def _candidates(scan_root: str, cwd: str) -> list:
    start = os.path.abspath(scan_root)
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    folders = []
    d = start
    while True:
        folders.append(d)
        if os.path.exists(os.path.join(d, ".git")):
            return folders
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    # Not in a repository: only the scanned folder and the working directory.
    return list(dict.fromkeys([start, os.path.abspath(cwd)]))


def _load_toml(path: str) -> dict:
    tomllib = _tomllib()
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError("cannot read configuration %s: %s" % (path, exc.strerror)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("%s is not valid TOML: %s" % (path, exc)) from None


def _table_of(path: str, data: dict) -> dict | None:
    if os.path.basename(path) == PYPROJECT:
        tool = data.get("tool")
        table = tool.get("iacguard") if isinstance(tool, dict) else None
        if table is None:
            return None
        if not isinstance(table, dict):
            raise ConfigError("%s: [tool.iacguard] must be a table" % path)
        return table
    return data


def find(scan_root: str, cwd: str) -> str | None:
    """The configuration file that applies to a scan of `scan_root`, or None."""
    for folder in _candidates(scan_root, cwd):
        own = os.path.join(folder, CONFIG_NAME)
        if os.path.isfile(own):
            return own
        pyproject = os.path.join(folder, PYPROJECT)
        if os.path.isfile(pyproject):
            try:
                data = _load_toml(pyproject)
            except ConfigError:
                continue  # someone else's broken pyproject is not ours to report
            if _table_of(pyproject, data) is not None:
                return pyproject
    return None


def repository_of(path: str) -> str:
    """The folder a configuration file's paths must stay in: the first folder holding `.git`
    above it, else its own folder (resolved)."""
    start = os.path.dirname(os.path.abspath(path))
    d = start
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return os.path.realpath(d)
        parent = os.path.dirname(d)
        if parent == d:
            return os.path.realpath(start)
        d = parent


def load(path: str, known_checks=()) -> Config:
    """Read and validate one configuration file. `known_checks`: valid check ids."""
    path = os.path.abspath(path)
    return _load_table(path, _load_toml(path), known_checks)


def loads(data: bytes, path: str, known_checks=()) -> Config:
    """Like `load`, for the content `data` of the file `path` (e.g. its version at a git ref)."""
    path = os.path.abspath(path)
    tomllib = _tomllib()
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("%s is not valid TOML: %s" % (path, exc)) from None
    return _load_table(path, parsed, known_checks)


def _load_table(path: str, data: dict, known_checks) -> Config:
    table = _table_of(path, data)
    config = Config(path=path)
    if table is None:
        return config
    base = os.path.dirname(path)
    known = {c.upper() for c in known_checks}
    where = "[tool.iacguard] in %s" % path if os.path.basename(path) == PYPROJECT else path
    root = repository_of(path)
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError("unknown key %r in %s (known keys: %s)" % (key, where, ", ".join(sorted(KEYS))))
        attr, kind = KEYS[key]
        setattr(config, attr, _value(key, kind, value, base, known, where, root))
    return config


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _path(key: str, value: str, base: str, where: str, root: str) -> str:
    """A path named by the configuration: relative, and inside `root` after resolving `..` and
    links; else a ConfigError naming the key and the path."""
    if os.path.isabs(value) or value.startswith("~") or (os.sep == "\\" and ":" in value):
        raise ConfigError("%s: %r: %r is an absolute path; paths in a configuration file must be relative and stay in the repository (%s)" % (where, key, value, root))
    full = os.path.normpath(os.path.join(base, value))
    if not _inside(os.path.realpath(full), root):
        raise ConfigError("%s: %r: %r leads outside the repository (%s); paths in a configuration file must stay in it" % (where, key, value, root))
    return full


def _fail(key: str, where: str, expected: str):
    raise ConfigError("%s: %r must be %s" % (where, key, expected))


def _strs(key, value, where) -> list:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _fail(key, where, "a list of strings")
    return list(value)


def _ids(key, value, where, known) -> list:
    ids = [v.upper() for v in _strs(key, value, where)]
    for cid in ids:
        if known and cid not in known:
            raise ConfigError("%s: %r names unknown check id %r (see `iacguard checks`)" % (where, key, cid))
    return ids


def _value(key, kind, value, base, known, where, root):
    if kind == "ids":
        return _ids(key, value, where, known)
    if kind == "strs":
        return _strs(key, value, where)
    if kind == "tools":
        tools = [v.lower() for v in _strs(key, value, where)]
        for tool in tools:
            if tool not in COMPATIBLE_TOOLS:
                _fail(key, where, "a list of tools from " + ", ".join(COMPATIBLE_TOOLS))
        return list(dict.fromkeys(tools))
    if kind == "paths":
        return [_path(key, p, base, where, root) for p in _strs(key, value, where)]
    if kind == "path":
        if not isinstance(value, str) or not value:
            _fail(key, where, "a file path")
        return _path(key, value, base, where, root)
    if kind == "bool":
        if not isinstance(value, bool):
            _fail(key, where, "true or false")
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            _fail(key, where, "a positive integer")
        return value
    if kind == "severity":
        if value not in SEVERITIES:
            _fail(key, where, "one of " + ", ".join(SEVERITIES))
        return value
    if kind == "fail-on":
        if value not in FAIL_ON:
            _fail(key, where, "one of " + ", ".join(FAIL_ON))
        return value
    if not isinstance(value, dict):
        _fail(key, where, "a table")
    if kind == "severity-table":
        out = {}
        for cid, sev in value.items():
            if known and cid.upper() not in known:
                raise ConfigError("%s: [severity] names unknown check id %r (see `iacguard checks`)" % (where, cid))
            if sev not in SEVERITIES:
                raise ConfigError("%s: severity of %s must be one of %s" % (where, cid, ", ".join(SEVERITIES)))
            out[cid.upper()] = sev
        return out
    if kind == "str-table":
        for name, v in value.items():
            if not isinstance(v, (str, int, float, bool)):
                raise ConfigError("%s: %s.%s must be a string, number or boolean" % (where, key, name))
        return {name: (str(v).lower() if isinstance(v, bool) else str(v)) for name, v in value.items()}
    if kind == "output-table":
        out = {}
        for fmt, p in value.items():
            if fmt not in OUTPUT_FORMATS:
                raise ConfigError("%s: unknown output format %r in %r (choose from %s)" % (where, fmt, key, ", ".join(OUTPUT_FORMATS)))
            if not isinstance(p, str) or not p:
                raise ConfigError("%s: %s.%s must be a file path" % (where, key, fmt))
            out[fmt] = _path("%s.%s" % (key, fmt), p, base, where, root)
        return out
    raise AssertionError(kind)  # pragma: no cover


# The built-in defaults `describe` compares against (the CLI's own defaults).
DEFAULT_FAIL_ON = "low"
DEFAULT_MAX_FILE_SIZE = 8 * 1024 * 1024


def describe(config: Config, cwd: str, default_severity=None, overridden=()) -> list:
    """What `config` changes from the defaults, one short phrase per setting, e.g. ["skips
    AWS-S3-002", "fail-on none"]. Variable and parameter values are never shown, only names.
    `default_severity`: check id -> built-in severity. `overridden`: configuration keys the
    command line replaced (marked as such)."""
    from iacguard.core.paths import display_path

    default_severity = {k.upper(): v for k, v in (default_severity or {}).items()}

    def shown(paths) -> str:
        return ", ".join(display_path(p, cwd) for p in paths)

    out = []

    def add(key: str, text: str) -> None:
        if key in overridden:
            # `overridden` may map a key to what replaced it, e.g. "the environment (IACGUARD_FAIL_ON)".
            by = overridden.get(key) if isinstance(overridden, dict) else None
            text += " (overridden by %s)" % (by or "the command line")
        out.append(text)

    if config.checks:
        add("checks", "runs only " + ", ".join(config.checks))
    if config.skip_checks:
        add("skip-checks", "skips " + ", ".join(config.skip_checks))
    for cid, level in sorted(config.severity.items()):
        before = default_severity.get(cid)
        if before != level:
            add("severity", "severity %s %s -> %s" % (cid, before or "?", level))
    if config.fail_on is not None and config.fail_on != DEFAULT_FAIL_ON:
        add("fail-on", "fail-on " + config.fail_on)
    if config.min_severity is not None:
        add("min-severity", "min-severity " + config.min_severity)
    if config.fail_on_error is not None:
        add("fail-on-error", "fail-on-error " + ("on" if config.fail_on_error else "off"))
    if not config.whole_project_checks:
        add("whole-project-checks", "whole-project checks off")
    if config.exclude:
        add("exclude", "excludes " + ", ".join(config.exclude))
    if config.require_reason:
        add("require-reason", "require-reason on")
    if config.include_suppressed:
        add("include-suppressed", "include-suppressed on")
    if config.max_file_size is not None and config.max_file_size != DEFAULT_MAX_FILE_SIZE:
        add("max-file-size", "max-file-size %d" % config.max_file_size)
    if config.var_files:
        add("var-files", "var files " + shown(config.var_files))
    if config.vars:
        add("vars", "sets variables " + ", ".join(sorted(config.vars)))
    if config.cfn_parameter_files:
        add("cfn-parameter-files", "parameter files " + shown(config.cfn_parameter_files))
    if config.cfn_parameters:
        add("cfn-parameters", "sets parameters " + ", ".join(sorted(config.cfn_parameters)))
    if config.customer_key_buckets:
        add("customer-key-buckets", "customer managed keys required for buckets " + ", ".join(config.customer_key_buckets))
    if config.data_event_buckets:
        add("data-event-buckets", "S3 data events required for buckets " + ", ".join(config.data_event_buckets))
    if config.compatible_suppressions:
        add("compatible-suppressions", "honours %s suppression comments" % ", ".join(config.compatible_suppressions))
    if config.baseline:
        add("baseline", "baseline " + shown([config.baseline]))
    for fmt, path in sorted(config.outputs.items()):
        add("outputs", "writes a %s report to %s" % (fmt, shown([path])))
    return out


def changes_since(base: Config | None, current: Config, cwd: str, default_severity=None) -> tuple:
    """(phrases `current` has that `base` had not, phrases `base` had that `current` has not);
    `base` None: the file is new, every change counts."""
    now = describe(current, cwd, default_severity)
    before = describe(base, cwd, default_severity) if base is not None else []
    return [c for c in now if c not in before], [c for c in before if c not in now]
