"""`iacguard migrate`: turn another scanner's configuration into an equivalent `.iacguard.toml`.

Reads a Checkov configuration (`.checkov.yaml`), a tfsec one (`.tfsec/config.yml` or
`config.json`) or a Trivy one (`trivy.yaml`), and writes the `.iacguard.toml` that does the same
where iacguard has a key for it: check ids are mapped through the checks' `equivalents`
(iacguard.post.foreign_ids), soft failing becomes `fail-on = "none"`, skipped paths become
`exclude` globs, variable files become `var-files`. Every setting and id without an equivalent is
named in a comment line, so nothing is dropped silently. Values of settings that are not migrated
are never copied (a configuration may hold an API key), only their names.

YAML is read with `yaml.safe_load` only. Bad input is a `MigrationError` with a message, never a
traceback.
"""
from __future__ import annotations

import json
import re

from iacguard.post.foreign_ids import TRIVY_LONG_IDS, equivalents_map

SOURCES = ("checkov", "tfsec", "trivy")
_SEVERITIES = ("critical", "high", "medium", "low")
_MAX_SETTINGS = 1000
_MAX_DEPTH = 8
_PLAIN_PATH = re.compile(r"^\^?\.?/?([A-Za-z0-9_][A-Za-z0-9_./-]*?)/?\$?$")


_AVD_OF_LONG = {long.upper(): avd for avd, long in TRIVY_LONG_IDS.items()}


def _rule(foreign: str) -> str:
    """One name per rule: Trivy's and tfsec's long ids are aliases of an `AVD-` id."""
    return _AVD_OF_LONG.get(foreign.upper(), foreign.upper())


class MigrationError(Exception):
    """A configuration that cannot be read or is not a mapping."""


def load(tool: str, text: str, name: str = "configuration") -> dict:
    """The settings of a `tool` configuration `text` (YAML through the safe loader, or JSON)."""
    import yaml

    if tool not in SOURCES:
        raise MigrationError("unknown tool %r (choose from %s)" % (tool, ", ".join(SOURCES)))
    try:
        if name.lower().endswith(".json"):
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise MigrationError("%s is not valid %s: %s" % (name, "JSON" if name.lower().endswith(".json") else "YAML", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)) from None
    except RecursionError:
        raise MigrationError("%s is nested too deeply" % name) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MigrationError("%s must hold a mapping of settings, not a %s" % (name, type(data).__name__))
    return data


def _ids(value) -> list:
    """A list of ids from a list or a comma-separated string; anything else is empty."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [str(v).strip() for v in value if isinstance(v, (str, int)) and str(v).strip()]


def _strings(value) -> list:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _list(values) -> str:
    return "[%s]" % ", ".join(_quote(v) for v in values)


def _comment(text: str) -> str:
    return "# " + " ".join(str(text).split())


class _Out:
    def __init__(self, tool: str, checks) -> None:
        self.tool = tool
        self.mapping = equivalents_map(checks)[tool]
        self.covers: dict = {}  # iacguard id -> the tool's ids it stands for
        for foreign, ids in self.mapping.items():
            for cid in ids:
                self.covers.setdefault(cid, []).append(foreign)
        self.keys: dict = {}  # toml key -> rendered value
        self.tables: dict = {}  # table name -> {key: rendered value}
        self.notes: list = []

    def note(self, text: str) -> None:
        self.notes.append(_comment(text))

    def unmigrated(self, key: str, why: str = "iacguard has no equivalent setting") -> None:
        self.note("%s setting `%s` not migrated: %s" % (self.tool, key, why))

    def map_ids(self, key: str, values: list, what: str) -> list:
        out: list = []
        for value in values:
            if value.lower() in _SEVERITIES:
                self.note("%s `%s` names the severity %s: iacguard selects checks by id only (see `iacguard checks`)" % (self.tool, key, value))
                continue
            ids = self.mapping.get(value.upper(), ())
            if not ids:
                self.note("%s id %s (in `%s`) has no iacguard equivalent: not %s" % (self.tool, value, key, what))
                continue
            for cid in ids:
                if cid not in out:
                    out.append(cid)
        return out

    def render(self, source: str) -> str:
        lines = ["# iacguard configuration migrated from %s (%s) by `iacguard migrate`." % (self.tool, source),
                 "# Review it: check ids are mapped through the checks' equivalent ids."]
        if self.notes:
            lines += ["#", "# Not migrated, or migrated with a caveat:"] + self.notes
        lines.append("")
        for key, value in self.keys.items():
            lines.append("%s = %s" % (key, value))
        for table, entries in self.tables.items():
            if entries:
                lines += ["", "[%s]" % table] + ["%s = %s" % (_quote(k), v) for k, v in entries.items()]
        return "\n".join(lines) + "\n"

    def skip(self, key: str, values: list) -> None:
        ids = self.map_ids(key, values, "skipped")
        if not ids:
            return
        skipped = {_rule(v) for v in values}
        for cid in ids:
            others = sorted({_rule(v) for v in self.covers.get(cid, ())} - skipped)
            if others:
                self.note("%s also covers %s %s, which were not skipped: skipping it skips those too" % (cid, self.tool, ", ".join(others)))
        self.keys["skip-checks"] = _list(ids)

    def only(self, key: str, values: list) -> None:
        ids = self.map_ids(key, values, "selected")
        if ids:
            self.keys["checks"] = _list(ids)
        elif values:
            self.note("none of the ids in `%s` has an iacguard equivalent, so iacguard runs all its checks" % key)

    def excludes(self, key: str, values: list) -> None:
        globs = self.keys.get("exclude_list", [])
        for value in values:
            m = _PLAIN_PATH.match(value.strip())
            if m is None:
                self.note("%s `%s` entry %s is a pattern iacguard cannot translate: write an `exclude` glob for it" % (self.tool, key, _quote(value)))
                continue
            glob = m.group(1).rstrip("/")
            if glob and glob not in globs:
                globs.append(glob)
        if globs:
            self.keys["exclude_list"] = globs

    def var_files(self, key: str, values: list) -> None:
        files = []
        for value in values:
            if value.startswith(("/", "~")) or ":" in value or ".." in value.replace("\\", "/").split("/"):
                self.note("%s `%s` entry %s is not a path inside the repository: iacguard configurations name only relative paths" % (self.tool, key, _quote(value)))
            else:
                files.append(value)
        if files:
            self.keys["var-files"] = _list(files)

    def finish(self) -> None:
        if "exclude_list" in self.keys:
            self.keys["exclude"] = _list(self.keys.pop("exclude_list"))


def _checkov(data: dict, out: _Out) -> None:
    for key, value in data.items():
        if key in ("check", "checks"):
            out.only(key, _ids(value))
        elif key in ("skip-check", "skip-checks"):
            out.skip(key, _ids(value))
        elif key == "soft-fail":
            if value is True:
                out.keys["fail-on"] = _quote("none")
        elif key == "hard-fail-on":
            levels = [v.lower() for v in _ids(value) if v.lower() in _SEVERITIES]
            if levels and len(levels) == len(_ids(value)):
                lowest = max(levels, key=_SEVERITIES.index)
                out.keys["fail-on"] = _quote(lowest)
            else:
                out.unmigrated(key, "only a list of severities maps to `fail-on`")
        elif key == "framework":
            frameworks = {v.lower() for v in _strings(value)} | {v.lower() for v in _ids(value)}
            if frameworks and not frameworks & {"terraform", "cloudformation", "all"}:
                out.unmigrated(key, "iacguard scans only Terraform and CloudFormation")
            elif frameworks - {"terraform", "cloudformation", "all", "terraform_plan"}:
                out.unmigrated(key, "iacguard scans Terraform and CloudFormation, and no key narrows that")
            elif frameworks and frameworks != {"terraform", "cloudformation"} and "all" not in frameworks:
                out.unmigrated(key, "iacguard scans both Terraform and CloudFormation; no key narrows that")
        elif key in ("directory", "file"):
            out.unmigrated(key, "name the folders on the command line: `iacguard scan DIR...`")
        elif key == "skip-path":
            out.excludes(key, _strings(value))
        elif key == "var-file":
            out.var_files(key, _strings(value))
        elif key == "skip-framework":
            out.unmigrated(key, "iacguard scans Terraform and CloudFormation; no key narrows that")
        else:
            out.unmigrated(key)


def _tfsec(data: dict, out: _Out) -> None:
    for key, value in data.items():
        if key in ("exclude", "exclude_checks"):
            out.skip(key, _ids(value))
        elif key in ("include", "include_checks"):
            out.only(key, _ids(value))
        elif key == "severity_overrides" and isinstance(value, dict):
            table = {}
            for foreign, written in value.items():
                level = str(written).lower()
                if level not in _SEVERITIES:
                    out.note("tfsec severity override of %s: %s is not a severity iacguard knows" % (foreign, _quote(str(written))))
                    continue
                for cid in out.map_ids(key, [str(foreign)], "given a severity"):
                    table[cid] = _quote(level)
            out.tables["severity"] = table
        else:
            out.unmigrated(key)


def _trivy(data: dict, out: _Out) -> None:
    flat: dict = {}

    def walk(prefix: str, value, depth: int) -> None:
        # Bounded: YAML aliases can make a small file a very large (or very deep) tree.
        if len(flat) >= _MAX_SETTINGS:
            return
        if isinstance(value, dict) and value and depth < _MAX_DEPTH:
            for k, v in value.items():
                walk("%s.%s" % (prefix, k) if prefix else str(k), v, depth + 1)
        else:
            flat[prefix] = value

    walk("", data, 0)
    if len(flat) >= _MAX_SETTINGS:
        out.note("trivy configuration holds more than %d settings: only the first were read" % _MAX_SETTINGS)
    for key, value in flat.items():
        if key == "exit-code":
            if value == 0:
                out.keys["fail-on"] = _quote("none")
            else:
                out.note("trivy `exit-code` %s: iacguard exits 1 on a finding at or above `fail-on`" % _quote(str(value)))
        elif key in ("scan.skip-dirs", "scan.skip-files"):
            out.excludes(key, _strings(value))
        elif key in ("misconfiguration.terraform.vars", "misconfiguration.terraform.tfvars"):
            out.var_files(key, _strings(value))
        else:
            out.unmigrated(key)


def migrate(tool: str, text: str, checks, name: str = "configuration") -> str:
    """The `.iacguard.toml` equivalent to the `tool` configuration `text` (read from `name`)."""
    data = load(tool, text, name)
    out = _Out(tool, checks)
    {"checkov": _checkov, "tfsec": _tfsec, "trivy": _trivy}[tool]({str(k): v for k, v in data.items()}, out)
    out.finish()
    return out.render(name)
