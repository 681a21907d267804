"""Inline suppressions: reviewed decisions, kept in the code next to what they accept.

Two forms, both with a reason and an optional expiry date:

- a comment `iacguard:ignore CHECK_ID[,CHECK_ID...] [expires=YYYY-MM-DD] reason` in Terraform
  (`#`, `//`, `/* */`) or CloudFormation YAML (`#`);
- CloudFormation resource metadata `Metadata: {iacguard: {ignore: [{id, reason, expires}]}}`.

A comment applies to a finding when it sits on the finding's line or in the comment lines right
above it; on or right above the first line of the finding's resource block (Terraform `resource`
or `data`, CloudFormation logical id); or on or right above a Terraform `module` block that
encloses the resource, at any depth. `Suppressor` is the post-processing step that moves the
findings it accepts to `ScanResult.suppressed` and reports suppressions that are malformed,
expired, without a reason, or unused.

With the configuration key `compatible-suppressions`, the skip comments of Checkov, tfsec and
Trivy (and Checkov's CloudFormation `Metadata.checkov.skip`) are read too, for the iacguard
checks whose `equivalents` name their ids (see "other scanners' skip comments" below).
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

from iacguard.core.model import CLOUDFORMATION, TERRAFORM, Notification, Resource, ScanResult, SuppressedFinding, Suppression, end_column, line_end_columns
from .source_comments import SourceComments, scan_hcl, scan_yaml

DIRECTIVE = "iacguard:ignore"
_DIRECTIVE = re.compile(r"iacguard:ignore(?![\w-])(.*)", re.IGNORECASE)
_ID = r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)+"
_IDS = re.compile(r"\s*(%s(?:\s*,\s*%s)*)\s*,?" % (_ID, _ID))
_EXPIRES = re.compile(r"(?:^|\s)expires\s*=\s*(\S*)", re.IGNORECASE)
_MODULE_STEP = re.compile(r'module\.([^.\[\]]+)((?:\[(?:"(?:[^"\\]|\\.)*"|[^\]"]*)\])?)(?:\.|$)')
_HCL_SUFFIXES = (".tf",)
_YAML_SUFFIXES = (".yaml", ".yml", ".template")


@dataclass(slots=True)
class Entry:
    """One suppression as written, and what happened to it during the scan."""

    suppression: Suppression
    problem: str = ""  # why it cannot suppress anything (malformed), "" when well formed
    matched: set = field(default_factory=set)  # check ids it matched a finding for
    foreign: str = ""  # another scanner's skip it was read from ("checkov CKV_AWS_24"), "" for ours
    bare: bool = False  # a foreign skip that says nothing but the directive (no reason given)


def parse_comment(text: str) -> tuple | None:
    """(check ids, reason, expires, problem) for a comment holding the directive, else None."""
    m = _DIRECTIVE.search(text)
    if m is None:
        return None
    rest = m.group(1)
    rest = rest.replace("*/", " ").strip()
    ids_match = _IDS.match(rest)
    if ids_match is None:
        return (), "", "", "names no check id (write `iacguard:ignore CHECK_ID reason`)"
    ids = tuple(dict.fromkeys(i.strip().upper() for i in ids_match.group(1).split(",")))
    rest = rest[ids_match.end():]
    expires = ""
    problem = ""
    em = _EXPIRES.search(rest)
    if em is not None:
        expires = em.group(1)
        rest = rest[: em.start()] + " " + rest[em.end():]
        if _date(expires) is None:
            problem = "has an invalid expiry date %r (use expires=YYYY-MM-DD)" % expires
    reason = " ".join(rest.split()).strip(" :-\u2013\u2014")
    return ids, reason, expires, problem


def _is_date(value) -> bool:
    """Whether `value` is a datetime.date (a YAML date): if it is one, datetime is loaded."""
    loaded = sys.modules.get("datetime")
    return loaded is not None and isinstance(value, loaded.date)


def _date(value: str):
    import datetime  # only for a suppression that has an expiry date (1 ms to import)

    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _metadata_entries(res: Resource, line: int, end_col: int = 0) -> list:
    """Entries from a CloudFormation resource's `Metadata.iacguard.ignore` (`end_col`: where
    `line` ends)."""
    meta = res.meta.get("metadata")
    if not isinstance(meta, dict):
        return []
    ours = meta.get("iacguard")
    if not isinstance(ours, dict):
        return []
    items = ours.get("ignore")
    if items is None:
        return []
    path = res.location.path
    if not isinstance(items, list):
        return [Entry(Suppression((), "", path, line, "", "metadata", end_col), "Metadata iacguard.ignore must be a list")]
    out = []
    for item in items:
        if isinstance(item, str):  # a bare id: allowed, but it gives no reason
            out.append(Entry(Suppression((item.strip().upper(),), "", path, line, "", "metadata", end_col)))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item.get("id").strip():
            out.append(Entry(Suppression((), "", path, line, "", "metadata", end_col), "Metadata iacguard.ignore entries need an `id`"))
            continue
        reason = item.get("reason")
        reason = " ".join(str(reason).split()) if isinstance(reason, (str, int, float)) else ""
        expires = item.get("expires")
        expires = "" if expires is None else (expires.isoformat() if _is_date(expires) else str(expires))
        problem = ""
        if expires and _date(expires) is None:
            problem = "has an invalid expiry date %r (use YYYY-MM-DD)" % expires
        out.append(Entry(Suppression((item["id"].strip().upper(),), reason, path, line, expires, "metadata", end_col), problem))
    return out


def enclosing_module_calls(res: Resource) -> list:
    """Graph ids of the Terraform module calls that enclose `res`, outermost first.

    A resource in `module.a[0].module.b` sits in the call `module.a` of the root module and in
    the call `module.b` of instance `module.a[0]`: ids `tf:<root>:module.a` and
    `tf:<root>:module.a[0].module.b`.
    """
    path = res.module
    if res.language != TERRAFORM or not path or not res.id.endswith(":" + res.address):
        return []
    root = res.id[: -len(res.address) - 1]
    ids: list = []
    prefix = ""
    pos = 0
    while pos < len(path):
        m = _MODULE_STEP.match(path, pos)
        if m is None:
            break
        ids.append("%s:%smodule.%s" % (root, prefix, m.group(1)))
        prefix += "module.%s%s." % (m.group(1), m.group(2))
        pos = m.end()
    return ids


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8", errors="replace").lstrip("\ufeff")
    except OSError:
        return None


# -- other scanners' skip comments (configuration `compatible-suppressions`) -----------------
# Each is honoured for the iacguard checks whose `equivalents` name its id (foreign_ids), with
# the placement rules above; a Checkov skip may also sit in the comment lines right inside the
# resource block, where Checkov users write it. The reason is the comment as written.
_FOREIGN = {
    "checkov": re.compile(r"checkov:skip=\s*([A-Za-z0-9_]+)(?::([^#]*))?", re.IGNORECASE),
    "tfsec": re.compile(r"tfsec:ignore:([A-Za-z0-9_*-]+)((?::exp:[0-9-]+)?)((?:\[[^\]]*\])?)", re.IGNORECASE),
    "trivy": re.compile(r"trivy:ignore:([A-Za-z0-9_*-]+)((?::exp:[0-9-]+)?)((?:\[[^\]]*\])?)", re.IGNORECASE),
}
_CHECKOV_META_ROOT = "checkov"


def foreign_comments(text: str, tools) -> list:
    """(tool, foreign id, reason, expires, bare) for each skip of `tools` in one comment's text.
    The reason is the directive as written plus what follows it; `bare` when only the directive
    is there (so --require-reason sees a skip that gives no reason)."""
    out = []
    for tool in tools:
        matches = list(_FOREIGN[tool].finditer(text))
        for n, m in enumerate(matches):
            end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
            written = " ".join(text[m.start():end].replace("*/", " ").split()).rstrip("#/ ")
            if tool == "checkov":
                told = (m.group(2) or "").strip()
            else:
                told = text[m.end():end].replace("*/", " ").strip(" \t#/:-")
            expires = m.group(2)[len(":exp:"):] if tool != "checkov" and m.group(2) else ""
            out.append((tool, m.group(1), written, expires, not told))
    return out


def _foreign_entry(mapping: dict, tool: str, foreign: str, reason: str, expires: str, path: str, line: int, end_col: int, origin: str, bare: bool = False):
    """An Entry for a foreign skip, or a Notification when no iacguard check is equivalent."""
    ids = mapping.get(tool, {}).get(foreign.upper(), ())
    if not ids:
        why = "a wildcard is not honoured" if "*" in foreign else "no iacguard check is equivalent to it"
        return Notification("note", "%s skip of %s: %s; it suppresses nothing here" % (tool, foreign, why), path, line)
    problem = ""
    if expires and _date(expires) is None:
        problem = "has an invalid expiry date %r (use exp:YYYY-MM-DD)" % expires
    return Entry(Suppression(tuple(ids), reason, path, line, expires, origin, end_col), problem, foreign="%s %s" % (tool, foreign), bare=bare)


def _checkov_metadata(res: Resource, line: int, end_col: int, mapping: dict) -> list:
    """Entries (and Notifications) from a CloudFormation resource's `Metadata.checkov.skip`
    (a list of `{id, comment}`)."""
    meta = res.meta.get("metadata")
    ours = meta.get(_CHECKOV_META_ROOT) if isinstance(meta, dict) else None
    items = ours.get("skip") if isinstance(ours, dict) else None
    if not isinstance(items, list):
        return []
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"].strip():
            continue
        comment = item.get("comment")
        comment = " ".join(str(comment).split()) if isinstance(comment, (str, int, float)) else ""
        reason = "Metadata checkov.skip %s%s" % (item["id"].strip(), (": " + comment) if comment else "")
        out.append(_foreign_entry(mapping, "checkov", item["id"].strip(), reason, "", res.location.path, line, end_col, "checkov metadata", not comment))
    return out


def _label(entry: Entry) -> str:
    if entry.foreign:
        tool, foreign = entry.foreign.split(" ", 1)
        return "%s skip of %s (iacguard %s)" % (tool, foreign, ", ".join(entry.suppression.check_ids))
    ids = ", ".join(entry.suppression.check_ids) or "(no id)"
    where = "Metadata suppression" if entry.suppression.origin == "metadata" else "suppression"
    return "%s of %s" % (where, ids)


class Suppressor:
    """The post-processing step (see `iacguard.engine.scan(postprocess=...)`).

    `known_ids`: every check id iacguard knows (a suppression naming another id is reported);
    `require_reason`: a suppression without a reason is an error and suppresses nothing;
    `today`: the date expiries are compared with (a suppression is valid through its date).
    After the step, `missing_reason` counts suppressions that give no reason.
    """

    def __init__(self, known_ids=(), *, require_reason: bool = False, today=None, compatible=(), checks=()) -> None:
        self.known_ids = {i.upper() for i in known_ids}
        self.require_reason = require_reason
        self._today = today  # a datetime.date; today's, once an expiry date is compared with it
        self.missing_reason = 0
        self._comments: dict = {}
        self._entries: dict = {}  # (path, line) -> [Entry] (comment suppressions)
        self._metadata: dict = {}  # CloudFormation base id -> [Entry]
        # `compatible`: tools whose skip comments are honoured; `checks`: where their ids map to.
        self.compatible = tuple(t for t in ("checkov", "tfsec", "trivy") if t in {c.lower() for c in compatible})
        self._mapping: dict = {}
        if self.compatible:
            from .foreign_ids import equivalents_map

            self._mapping = equivalents_map(checks)
        self._foreign_notes: list = []  # foreign skips with no equivalent

    # -- collecting ------------------------------------------------------------------------
    def _scan_file(self, path: str) -> SourceComments | None:
        if path in self._comments:
            return self._comments[path]
        comments = None
        lower = path.lower()
        scanner = scan_hcl if lower.endswith(_HCL_SUFFIXES) else scan_yaml if lower.endswith(_YAML_SUFFIXES) else None
        if scanner is not None:
            text = _read(path)
            low = text.lower() if text is not None else ""
            if text is not None and (DIRECTIVE in low or any(t + ":" in low for t in self.compatible)):
                comments = scanner(text)
                ends = line_end_columns(text)
                for line, body in comments.comments:
                    for tool, foreign, reason, expires, bare in foreign_comments(body, self.compatible):
                        made = _foreign_entry(self._mapping, tool, foreign, reason, expires, path, line, end_column(ends, line, line), tool + " comment", bare)
                        if isinstance(made, Notification):
                            self._foreign_notes.append(made)
                        else:
                            self._entries.setdefault((path, line), []).append(made)
                    parsed = parse_comment(body)
                    if parsed is None:
                        continue
                    ids, reason, expires, problem = parsed
                    entry = Entry(Suppression(ids, reason, path, line, expires, "comment", end_column(ends, line, line)), problem)
                    self._entries.setdefault((path, line), []).append(entry)
        self._comments[path] = comments
        return comments

    def _collect(self, result: ScanResult, graph) -> None:
        for path in result.files:
            self._scan_file(path)
        for res in graph.resources:
            if res.language != CLOUDFORMATION or "metadata" not in res.meta:
                continue
            base = res.meta.get("base_id", res.id)
            if base not in self._metadata:
                self._metadata[base] = _metadata_entries(res, *self._metadata_line(res))
                if "checkov" in self.compatible:
                    for made in _checkov_metadata(res, *self._metadata_line(res, _CHECKOV_META_ROOT), self._mapping):
                        if isinstance(made, Notification):
                            self._foreign_notes.append(made)
                        else:
                            self._metadata[base].append(made)

    def _metadata_line(self, res: Resource, marker: str = "iacguard") -> tuple:
        """The line of a resource's Metadata suppression, and the column where that line ends."""
        text = _read(res.location.path)
        ends = [] if text is None else line_end_columns(text)
        lines = (text or "").split("\n")
        for number in range(res.location.start_line, min(res.location.end_line, len(lines)) + 1):
            if marker in lines[number - 1]:
                return number, end_column(ends, number, number)
        return res.location.start_line, end_column(ends, res.location.start_line, res.location.start_line)

    def _at(self, path: str, line: int) -> list:
        comments = self._scan_file(path)
        if comments is None:
            return []
        out = []
        for number in comments.run_above(line):
            out.extend(self._entries.get((path, number), ()))
        return out

    def _candidates(self, finding, modules: dict) -> list:
        res = finding.resource
        out = self._at(finding.location.path, finding.location.start_line)
        # What depends on the resource only, once per resource (a resource has several findings).
        of_resource = self._of_resource.get(id(res))
        if of_resource is None or of_resource[0] is not res:
            found = self._at(res.location.path, res.location.start_line)
            for call_id in reversed(enclosing_module_calls(res)):
                symbol = modules.get(call_id)
                if symbol is not None and symbol.location is not None:
                    found += self._at(symbol.location.path, symbol.location.start_line)
            found += self._metadata.get(res.meta.get("base_id", res.id), [])
            if "checkov" in self.compatible:
                found += self._checkov_inside(res)
            of_resource = self._of_resource[id(res)] = (res, found)
        return list({id(e): e for e in out + of_resource[1]}.values())

    def _checkov_inside(self, res: Resource) -> list:
        """Checkov skips in the comment lines right inside the resource block (below its first
        line), where Checkov users write them."""
        path, line = res.location.path, res.location.start_line
        comments = self._scan_file(path)
        if comments is None:
            return []
        out = []
        below = line + 1
        while below in comments.comment_only and below <= max(res.location.end_line, line):
            out.extend(e for e in self._entries.get((path, below), ()) if e.suppression.origin == "checkov comment")
            below += 1
        return out

    # -- deciding --------------------------------------------------------------------------
    def _expired(self, entry: Entry) -> bool:
        date = _date(entry.suppression.expires) if entry.suppression.expires else None
        if date is None:
            return False
        if self._today is None:
            import datetime

            self._today = datetime.date.today()
        return self._today > date

    def _usable(self, entry: Entry) -> bool:
        if entry.problem or self._expired(entry):
            return False
        return (bool(entry.suppression.reason) and not entry.bare) or not self.require_reason

    def __call__(self, result: ScanResult, graph) -> None:
        self._collect(result, graph)
        self._of_resource: dict = {}  # id(resource) -> (resource, its candidates), see _candidates
        modules = dict(graph.symbols_of_kind("module"))
        kept, suppressed = [], list(result.suppressed)
        for finding in result.findings:
            chosen = None
            for entry in self._candidates(finding, modules):
                if finding.check_id.upper() not in entry.suppression.check_ids:
                    continue
                entry.matched.add(finding.check_id.upper())
                if self._usable(entry) and (chosen is None or (chosen.bare and not entry.bare)):
                    chosen = entry  # the first usable one; a foreign skip that gives a reason over a bare one
            if chosen is None:
                kept.append(finding)
            else:
                suppressed.append(SuppressedFinding(finding, chosen.suppression))
        result.findings = kept
        result.suppressed = sorted(suppressed, key=lambda s: s.finding.sort_key)
        # Checks left undecided: a suppression of the check on the resource accepts them too.
        undecided = []
        for record in result.undecided:
            usable = False
            for entry in self._candidates(record, modules):
                if record.check_id.upper() in entry.suppression.check_ids:
                    entry.matched.add(record.check_id.upper())
                    usable = usable or self._usable(entry)
            if usable:
                result.undecided_left_out += 1
            else:
                undecided.append(record)
        result.undecided = undecided
        notes = self._notifications({c.id.upper() for c in result.checks})
        if notes:
            result.notifications = sorted(set(result.notifications) | set(notes), key=lambda n: (n.path, n.line, n.level, n.message))

    def entries(self) -> list:
        out = [e for group in self._entries.values() for e in group]
        out += [e for group in self._metadata.values() for e in group]
        return sorted(out, key=lambda e: (e.suppression.path, e.suppression.line, e.suppression.check_ids))

    def _notifications(self, ran: set) -> list:
        notes = list(self._foreign_notes)
        self.missing_reason = 0
        for entry in self.entries():
            s = entry.suppression
            label = _label(entry)
            if entry.problem:
                notes.append(Notification("warning", "%s %s; it suppresses nothing" % (label, entry.problem), s.path, s.line))
                continue
            unknown = [i for i in s.check_ids if self.known_ids and i not in self.known_ids]
            if unknown:
                notes.append(Notification("warning", "%s names unknown check id %s" % (label, ", ".join(unknown)), s.path, s.line))
            if self._expired(entry):
                notes.append(Notification("warning", "%s expired on %s and no longer suppresses anything" % (label, s.expires), s.path, s.line))
                continue
            if not s.reason or entry.bare:
                self.missing_reason += 1
                if self.require_reason:
                    notes.append(Notification("error", "%s gives no reason, which --require-reason requires; it suppresses nothing" % label, s.path, s.line))
                else:
                    notes.append(Notification("warning", "%s gives no reason: say why the risk is accepted" % label, s.path, s.line))
            unused = [i for i in s.check_ids if i in ran and i not in entry.matched]
            if entry.foreign and entry.matched:
                unused = []  # a foreign id maps to several checks: used when any of them matched
            if unused:
                notes.append(Notification("note", "%s is unused: no %s finding here" % (label, " or ".join(unused)), s.path, s.line))
        return notes

