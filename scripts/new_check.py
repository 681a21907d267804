#!/usr/bin/env python3
"""Scaffold a new check: its module, fixtures in both languages, its registry line, README row.

    python scripts/new_check.py AWS-SQS-002 sqs_something --pillar data --kind queue \\
        --setting sse_sqs --title "SQS queue ..." [--severity medium] [--dry-run] [--root DIR]

With `--kind` a table kind (iacguard/facts/settings.py) and `--setting` one of its boolean
(FLAG) settings, the result is a working "this setting is off" check: the module reports the
setting when it is false and yields an undecided record when it is not known, and the fixtures
hold one resource that turns it off and one that turns it on, in Terraform and CloudFormation,
with expected.json naming the lines. Anything else gets the same files with TODOs to fill in
(the fixture tests fail until they are).

Writes, under --root (default: the repository holding this script):
  checks/<pillar>/<module>.py
  tests/fixtures/checks/<ID>/terraform/{main.tf,expected.json}
  tests/fixtures/checks/<ID>/cloudformation/{template.yaml,expected.json}
  checks/__init__.py        (the import and the REGISTRY line)
  README.md                 (the checks table row, when the table is there)
`--dry-run` prints what it would write and writes nothing. Existing files are never overwritten.
Then fill in `what`, `why`, the fixes and the references, and run the tests.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PILLARS = ("identity", "detection", "infrastructure", "data", "incident")
SEVERITIES = ("critical", "high", "medium", "low")

MODULE = '''"""{id}: {title}."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for fact in facts.of_kind({kind_q}):
{body}


CHECK = Check(
    id={id_q},
    title={title_q},
    severity={severity_q},
    pillar={pillar_q},
    cwe=(),
    kinds=({kind_q},),
    evaluate=evaluate,
    what="""TODO: what the check finds, in both languages ({types}).""",
    why="""TODO: why it matters.""",
    fix_terraform="""TODO:

```hcl
{tf_fix}
```""",
    fix_cloudformation="""TODO:

```yaml
{cfn_fix}
```""",
    references=("https://docs.aws.amazon.com/TODO",),
)
'''

FLAG_BODY = '''        attr = fact.{setting}
        if attr.is_false():
            yield Finding(CHECK.id, fact.resource, "%s has {setting} turned off." % fact.resource.address, attr.location)
        elif not attr.known:
            yield undecided(CHECK.id, fact.resource, {setting_q}, attr.value, attr.location)'''

TODO_BODY = '''        # TODO: yield Finding(CHECK.id, fact.resource, message, location) when it is wrong, and
        # undecided(CHECK.id, fact.resource, what, value, location) when an Unknown decides it.
        if False:
            yield'''


def _q(text: str) -> str:
    return json.dumps(text)


def _hcl_path(path: tuple, value: str, indent: str = "  ") -> list:
    """Terraform lines setting `path` (nested blocks, then an attribute) to `value`."""
    lines, pad = [], indent
    for step in path[:-1]:
        lines.append("%s%s {" % (pad, step))
        pad += "  "
    lines.append("%s%s = %s" % (pad, path[-1], value))
    for _ in path[:-1]:
        pad = pad[:-2]
        lines.append("%s}" % pad)
    return lines


def _yaml_path(path: tuple, value: str, indent: str = "      ") -> list:
    lines, pad = [], indent
    for step in path[:-1]:
        lines.append("%s%s:" % (pad, step))
        pad += "  "
    lines.append("%s%s: %s" % (pad, path[-1], value))
    return lines


def _terraform(cid: str, tf_type: str, path: tuple | None) -> tuple:
    """(main.tf, expected) for a Terraform type and a setting path (None: TODO fixture)."""
    out = ["# %s fixture." % cid, ""]
    fail = []
    if path is None:
        out += ["# TODO: a resource the check reports, and one it passes.", 'resource "%s" "bad" {' % tf_type, "}", "",
                'resource "%s" "good" {' % tf_type, "}"]
        return "\n".join(out) + "\n", {"fail": [{"address": "%s.bad" % tf_type, "file": "main.tf", "line": 4}], "pass": ["%s.good" % tf_type]}
    out.append('resource "%s" "off" {' % tf_type)
    setting = _hcl_path(path, "false")
    fail.append({"address": "%s.off" % tf_type, "file": "main.tf", "line": len(out) + len(path)})
    out += setting + ["}", "", 'resource "%s" "on" {' % tf_type] + _hcl_path(path, "true") + ["}"]
    return "\n".join(out) + "\n", {"fail": fail, "pass": ["%s.on" % tf_type]}


def _cloudformation(cid: str, cfn_type: str, path: tuple | None) -> tuple:
    out = ['AWSTemplateFormatVersion: "2010-09-09"', "Description: %s fixture." % cid, "", "Resources:"]
    if path is None:
        out += ["  # TODO: a resource the check reports, and one it passes.", "  Bad:", "    Type: %s" % cfn_type, "",
                "  Good:", "    Type: %s" % cfn_type]
        return "\n".join(out) + "\n", {"fail": [{"address": "Bad", "file": "template.yaml", "line": 6}], "pass": ["Good"]}
    out += ["  Off:", "    Type: %s" % cfn_type, "    Properties:"]
    line = len(out) + len(path)
    out += _yaml_path(path, "false") + ["", "  On:", "    Type: %s" % cfn_type, "    Properties:"] + _yaml_path(path, "true")
    return "\n".join(out) + "\n", {"fail": [{"address": "Off", "file": "template.yaml", "line": line}], "pass": ["On"]}


def _expected(data: dict) -> str:
    fails = ",\n".join("    " + json.dumps(f) for f in data["fail"])
    passes = ",\n".join("    " + json.dumps(p) for p in data["pass"])
    return '{\n  "fail": [\n%s\n  ],\n  "pass": [\n%s\n  ]\n}\n' % (fails, passes)


def _registry(text: str, pillar: str, module: str) -> str:
    """checks/__init__.py with `module` imported from its pillar and its CHECK registered (in
    `_registry()`, whose body is indented)."""
    pattern = re.compile(r"^( *)from \.%s import (.+)$" % re.escape(pillar), re.M)
    m = pattern.search(text)
    if m:
        names = sorted({n.strip() for n in m.group(2).split(",")} | {module})
        text = text[: m.start()] + "%sfrom .%s import %s" % (m.group(1), pillar, ", ".join(names)) + text[m.end():]
    else:
        imports = list(re.finditer(r"^( *)from \.\w+ import .+$", text, re.M))
        at = imports[-1].end() if imports else 0
        indent = imports[-1].group(1) if imports else ""
        text = text[:at] + "\n%sfrom .%s import %s" % (indent, pillar, module) + text[at:]
    end = text.index("REGISTRY = (")
    indent = text[text.rindex("\n", 0, end) + 1:end]
    close = text.index("\n%s)" % indent, end)
    return text[:close] + "\n%s    %s.CHECK," % (indent, module) + text[close:]


def _readme(text: str, row: str, cid: str) -> str | None:
    lines = text.split("\n")
    rows = [i for i, l in enumerate(lines) if re.match(r"\| AWS-[A-Z0-9]+-\d{3} \|", l)]
    if not rows:
        return None
    at = next((i for i in rows if lines[i].split("|")[1].strip() > cid), rows[-1] + 1)
    lines.insert(at, row)
    return "\n".join(lines)


def plan(args, root: Path) -> dict:
    """path -> new text, for every file the scaffold writes or changes."""
    sys.path.insert(0, str(root))
    try:
        from iacguard.facts.settings import TABLE
        from iacguard.facts.table import FLAG
    finally:
        sys.path.pop(0)
    kind = TABLE.get(args.kind)
    setting = next((s for s in kind.settings if s.name == args.setting), None) if kind else None
    if args.setting and setting is None:
        raise SystemExit("new_check: %r is not a setting of table kind %r" % (args.setting, args.kind))
    flag = setting is not None and setting.read == FLAG
    tf_type = kind.terraform[0] if kind and kind.terraform else "aws_TODO"
    cfn_type = kind.cloudformation[0] if kind and kind.cloudformation else "AWS::TODO::TODO"
    tf_path = setting.terraform if flag else None
    cfn_path = setting.cloudformation if flag else None
    body = FLAG_BODY.format(setting=args.setting, setting_q=_q(args.setting)) if flag else TODO_BODY
    tf_fix = "\n".join(['resource "%s" "this" {' % tf_type] + (_hcl_path(tf_path, "true") if tf_path else ["  # TODO"]) + ["}"])
    cfn_fix = "\n".join(["Type: %s" % cfn_type, "Properties:"] + (_yaml_path(cfn_path, "true", "  ") if cfn_path else ["  # TODO"]))
    files = {}
    module_path = root / "checks" / args.pillar / ("%s.py" % args.module)
    files[module_path] = MODULE.format(
        id=args.id, title=args.title.rstrip("."), id_q=_q(args.id), title_q=_q(args.title), severity_q=_q(args.severity),
        pillar_q=_q(args.pillar), kind_q=_q(args.kind), body=body, types="`%s`, `%s`" % (tf_type, cfn_type), tf_fix=tf_fix, cfn_fix=cfn_fix,
    )
    fixtures = root / "tests" / "fixtures" / "checks" / args.id
    main_tf, tf_expected = _terraform(args.id, tf_type, tf_path)
    template, cfn_expected = _cloudformation(args.id, cfn_type, cfn_path)
    files[fixtures / "terraform" / "main.tf"] = main_tf
    files[fixtures / "terraform" / "expected.json"] = _expected(tf_expected)
    files[fixtures / "cloudformation" / "template.yaml"] = template
    files[fixtures / "cloudformation" / "expected.json"] = _expected(cfn_expected)
    for path in files:
        if path.exists():
            raise SystemExit("new_check: %s exists already; nothing written" % path)
    registry = root / "checks" / "__init__.py"
    files[registry] = _registry(registry.read_text(), args.pillar, args.module)
    readme = root / "README.md"
    if readme.is_file():
        changed = _readme(readme.read_text(), "| %s | %s | %s | %s |" % (args.id, args.severity, args.pillar, args.title), args.id)
        if changed is not None:
            files[readme] = changed
    return files


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Scaffold a new iacguard check.")
    p.add_argument("id", help="the check id, e.g. AWS-SQS-002 (stable forever)")
    p.add_argument("module", help="the module name under checks/<pillar>/, e.g. sqs_retention")
    p.add_argument("--pillar", required=True, choices=PILLARS)
    p.add_argument("--kind", required=True, help="the fact kind the check reads (iacguard.facts.KINDS)")
    p.add_argument("--setting", default="", help="a FLAG setting of a table kind: report it when false")
    p.add_argument("--title", required=True, help="one line saying what is wrong")
    p.add_argument("--severity", default="medium", choices=SEVERITIES)
    p.add_argument("--root", default=str(REPO), help="the repository to write into (default: this one)")
    p.add_argument("--dry-run", action="store_true", help="print what would be written, write nothing")
    args = p.parse_args(argv)
    if not re.fullmatch(r"AWS-[A-Z0-9]+-\d{3}", args.id):
        p.error("the id must look like AWS-SQS-002")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", args.module):
        p.error("the module name must be a lower-case Python identifier")
    root = Path(args.root).resolve()
    files = plan(args, root)
    for path, text in files.items():
        rel = os.path.relpath(path, root)
        if args.dry_run and path.exists():  # a changed file: the change only
            old = path.read_text().splitlines(keepends=True)
            sys.stdout.writelines(difflib.unified_diff(old, text.splitlines(keepends=True), "a/" + rel, "b/" + rel))
        elif args.dry_run:
            print("=== %s" % rel)
            print(text, end="" if text.endswith("\n") else "\n")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print("wrote %s" % rel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
