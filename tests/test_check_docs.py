"""The documentation every check carries, field by field.

`Check.markdown()` always writes its headings, so testing the rendered page proves nothing; these
tests read the raw fields: each must say something, each fix must show a fenced code block in the
language of its section (```hcl for Terraform, ```yaml or ```json for CloudFormation), and the code
must parse (python-hcl2, the test oracle, for HCL; YAML with CloudFormation's short-form tags; JSON).
A check's module must sit in the folder of its pillar (checks/<pillar>/<name>.py).
"""
from __future__ import annotations

import inspect
import json
import re

import hcl2
import pytest
import yaml

from iacguard.check import PILLARS, Check
from iacguard.checks import REGISTRY

pytestmark = pytest.mark.catalogue("all")  # the catalogue's own tests run every check

FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
FIX_LANGUAGES = {"fix_terraform": ("hcl",), "fix_cloudformation": ("yaml", "json")}
IDS = [c.id for c in REGISTRY]


class _TaggedLoader(yaml.SafeLoader):
    """Safe YAML that accepts CloudFormation's short-form tags (!Ref, !GetAtt, !Sub, ...)."""


_TaggedLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def code_blocks(text: str) -> list:
    """(language, code) of every fenced block in `text`."""
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(text)]


def parse_errors(language: str, code: str) -> str:
    """'' when `code` parses as `language`, else why not."""
    try:
        if language == "hcl":
            hcl2.loads(code if code.endswith("\n") else code + "\n")
        elif language == "yaml":
            yaml.load(code, Loader=_TaggedLoader)
        elif language == "json":
            json.loads(code)
    except Exception as exc:  # noqa: BLE001 - any parser's error is the answer
        return "%s: %s" % (type(exc).__name__, exc)
    return ""


def doc_problems(check: Check) -> list:
    """Every gap in `check`'s raw documentation, as sentences."""
    problems = []
    for name in ("title", "what", "why", "fix_terraform", "fix_cloudformation"):
        if not getattr(check, name).strip():
            problems.append("%s is empty" % name)
    if not check.references:
        problems.append("no references")
    for ref in check.references:
        if not re.fullmatch(r"https://[^\s]+", ref):
            problems.append("reference %r is not an https URL" % (ref,))
    for field, languages in FIX_LANGUAGES.items():
        text = getattr(check, field)
        if text.count("```") % 2:
            problems.append("%s has an unclosed code fence" % field)
        blocks = code_blocks(text)
        if not any(lang in languages for lang, _ in blocks):
            problems.append("%s has no ```%s code block" % (field, " / ```".join(languages)))
        for lang, code in blocks:
            if lang not in languages:
                problems.append("%s has a ```%s block (expected %s)" % (field, lang or "(no language)", " or ".join(languages)))
            elif not code.strip():
                problems.append("%s has an empty ```%s block" % (field, lang))
            else:
                error = parse_errors(lang, code)
                if error:
                    problems.append("%s: its ```%s block does not parse: %s" % (field, lang, error))
    return problems


def pillar_folder(check: Check) -> str:
    """The folder under checks/ that holds the check's module (the package after `checks`)."""
    parts = inspect.getmodule(check.evaluate).__name__.split(".")
    return parts[parts.index("checks") + 1] if "checks" in parts[:-1] else ""


@pytest.mark.parametrize("check", REGISTRY, ids=IDS)
def test_raw_doc_fields(check):
    problems = doc_problems(check)
    assert not problems, "%s:\n%s" % (check.id, "\n".join(problems))


@pytest.mark.parametrize("check", REGISTRY, ids=IDS)
def test_module_folder_matches_pillar(check):
    folder = pillar_folder(check)
    assert folder == check.pillar, "%s is in checks/%s/ but its pillar is %r" % (check.id, folder, check.pillar)


def test_every_pillar_folder_is_a_pillar():
    assert {pillar_folder(c) for c in REGISTRY} <= set(PILLARS)


def _variant(**changes) -> Check:
    from dataclasses import replace

    return replace(REGISTRY[0], **changes)


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"what": "  \n"}, "what is empty"),
        ({"why": ""}, "why is empty"),
        ({"references": ()}, "no references"),
        ({"references": ("http://example.com",)}, "is not an https URL"),
        ({"fix_terraform": "Set `encrypted = true`."}, "fix_terraform has no ```hcl code block"),
        ({"fix_terraform": "```yaml\na: 1\n```"}, "fix_terraform has a ```yaml block"),
        ({"fix_terraform": "```hcl\nresource \"x\" \"y\" {\n```"}, "its ```hcl block does not parse"),
        ({"fix_terraform": "```hcl\na = 1\n"}, "unclosed code fence"),
        ({"fix_cloudformation": "```\nA: 1\n```"}, "```(no language) block"),
        ({"fix_cloudformation": "```yaml\nA: [1\n```"}, "its ```yaml block does not parse"),
        ({"fix_cloudformation": "```json\n{\"A\": 1,}\n```"}, "its ```json block does not parse"),
    ],
)
def test_doc_problems_are_found(changes, expected):
    """The tests above can fail: each kind of gap is reported."""
    assert doc_problems(REGISTRY[0]) == []
    problems = doc_problems(_variant(**changes))
    assert any(expected in p for p in problems), problems


def test_a_check_in_the_wrong_folder_is_found():
    wrong = _variant(pillar="detection") if REGISTRY[0].pillar != "detection" else _variant(pillar="data")
    assert pillar_folder(wrong) != wrong.pillar
