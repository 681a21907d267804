"""A template nested by several parents is reported once per parent, the parent (its top-level
template) named in the address and message; fingerprints do not depend on the order in which
the files are found, nor on which other parents are scanned beside it (issue 10, point 5)."""
from __future__ import annotations

import json
import os
import shutil

from iacguard.engine import scan
from iacguard.output import render
from iacguard.output.findings import fingerprints
from checksets import CORE

PARENT = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  WebStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ../shared/web.yaml
      Parameters:
        Public: "%s"
"""

WEB = """AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Public:
    Type: String
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      StorageEncrypted: true
      PubliclyAccessible: !Ref Public
"""


def tree(tmp_path, parents=("a", "b")):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "web.yaml").write_text(WEB)
    for name in parents:
        (tmp_path / name).mkdir()
        (tmp_path / name / "parent.yaml").write_text(PARENT % "true")
    return tmp_path


def by_parent(result):
    """(check, root, address) -> fingerprint."""
    return {(f.check_id, f.root, f.resource.address): fp for f, fp in zip(result.findings, fingerprints(result))}


def test_one_finding_per_parent_named_in_address_and_message(tmp_path):
    tree(tmp_path)
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert [(f.check_id, f.root, f.resource.address, os.path.relpath(f.location.path, tmp_path), f.location.start_line) for f in result.findings] == [
        ("AWS-RDS-002", "a/parent.yaml", "WebStack/Db", "shared/web.yaml", 11),
        ("AWS-RDS-002", "b/parent.yaml", "WebStack/Db", "shared/web.yaml", 11),
    ]
    assert [f.message for f in result.findings] == [
        "RDS instance WebStack/Db is publicly accessible (via top-level stack a/parent.yaml).",
        "RDS instance WebStack/Db is publicly accessible (via top-level stack b/parent.yaml).",
    ]
    # Each finding's value comes from its own parent's Parameters entry.
    assert [[(os.path.relpath(loc.path, tmp_path), loc.start_line, what) for loc, what in f.related] for f in result.findings] == [
        [("shared/web.yaml", 3, "parameter Public"), (p + "/parent.yaml", 8, "parameter Public passed to nested stack WebStack")] for p in ("a", "b")
    ]
    fps = fingerprints(result)
    assert len(set(fps)) == 2 and not any(":" in fp for fp in fps)
    text = render("text", result)
    assert "a/parent.yaml: WebStack/Db" in text and "b/parent.yaml: WebStack/Db" in text
    rows = [line for line in render("markdown", result).splitlines() if "AWS-RDS-002" in line and "web.yaml" in line]
    assert len(rows) == 2 and len(set(rows)) == 2
    report = json.loads(render("json", result))
    assert [(f["resource"]["root_module"], f["fingerprint"]) for f in report["findings"]] == [("a/parent.yaml", fps[0]), ("b/parent.yaml", fps[1])]
    # The shared template is reported through its parents only, never on its own as well.
    assert len(result.findings) == 2


def test_fingerprints_are_stable_when_discovery_order_is_reversed(tmp_path):
    tree(tmp_path)
    before = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    a_before = by_parent(before)[("AWS-RDS-002", "a/parent.yaml", "WebStack/Db")]
    # "b" renamed so that it sorts (and is found and evaluated) before "a".
    shutil.move(str(tmp_path / "b"), str(tmp_path / "0b"))
    after = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert [f.root for f in after.findings] == ["0b/parent.yaml", "a/parent.yaml"]
    assert by_parent(after)[("AWS-RDS-002", "a/parent.yaml", "WebStack/Db")] == a_before
    assert len(set(fingerprints(after))) == 2
    # And with parent "a" alone (a single root, so reports need not name it) the same.
    shutil.rmtree(str(tmp_path / "0b"))
    alone = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert [(f.root, f.resource.address, f.message) for f in alone.findings] == [("", "WebStack/Db", "RDS instance WebStack/Db is publicly accessible.")]
    assert fingerprints(alone) == [a_before]


def test_one_parent_nesting_a_template_twice_keeps_plain_addresses(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "web.yaml").write_text(WEB)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "parent.yaml").write_text(PARENT % "true" + PARENT.split("Resources:\n", 1)[1].replace("WebStack", "AdminStack") % "true")
    result = scan([str(tmp_path)], cwd=str(tmp_path), checks=CORE)
    assert [(f.root, f.resource.address) for f in result.findings] == [("", "AdminStack/Db"), ("", "WebStack/Db")]
    assert len(set(fingerprints(result))) == 2
