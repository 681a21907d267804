"""Table-driven facts (iacguard/facts/table.py, iacguard/facts/settings.py): readers, defaults,
managed resources only, locations; and the SQS queue row behind AWS-SQS-001."""
from __future__ import annotations

import pytest

from iacguard.check import Check
from iacguard.checks.data import sqs_encryption
from iacguard.engine import scan
from iacguard.facts import KIND_TYPES, KINDS
from iacguard.facts.table import ENUM, FLAG, PRESENT, REQUIRED, TEXT, Setting, TableKind
from iacguard.core.unknown import is_unknown


def _facts(tmp_path, kind: str) -> dict:
    """address -> fact of `kind`, from a real scan of tmp_path."""
    seen: list = []

    def evaluate(facts):
        seen.extend(facts.of_kind(kind))
        return ()

    probe = Check("AWS-TEST-001", "probe", "low", "data", "w", "w", "f", "f", (kind,), evaluate, ("https://example.com",))
    result = scan([str(tmp_path)], checks=[probe], cwd=str(tmp_path))
    assert not [n for n in result.notifications if n.level == "error"]
    return {f.resource.address: f for f in seen}


QUEUES_TF = """variable "key" {
  type = string
}

resource "aws_kms_key" "k" {
  description = "queues"
}

resource "aws_sqs_queue" "plain" {
  name = "plain"
}

resource "aws_sqs_queue" "off" {
  name                    = "off"
  sqs_managed_sse_enabled = false
}

resource "aws_sqs_queue" "off_with_key" {
  name                    = "off-with-key"
  sqs_managed_sse_enabled = false
  kms_master_key_id       = aws_kms_key.k.arn
}

resource "aws_sqs_queue" "off_with_unknown_key" {
  name                    = "off-with-unknown-key"
  sqs_managed_sse_enabled = "false"
  kms_master_key_id       = var.key
}

data "aws_sqs_queue" "existing" {
  name = "existing"
}
"""


def test_queue_row_readers_defaults_and_locations(tmp_path):
    (tmp_path / "main.tf").write_text(QUEUES_TF)
    q = _facts(tmp_path, "queue")
    assert sorted(q) == ["aws_sqs_queue.off", "aws_sqs_queue.off_with_key", "aws_sqs_queue.off_with_unknown_key", "aws_sqs_queue.plain"]
    assert all(isinstance(f, KIND_TYPES["queue"]) for f in q.values())
    plain = q["aws_sqs_queue.plain"]
    assert plain.sse_sqs.value is True and not plain.sse_sqs.explicit and plain.sse_sqs.location.start_line == 9
    assert plain.kms_key.value is False and not plain.kms_key.explicit
    off = q["aws_sqs_queue.off"]
    assert off.sse_sqs.value is False and off.sse_sqs.explicit and off.sse_sqs.location.start_line == 15
    # A key given by a reference to a KMS key of the configuration is set, though its ARN is unknown.
    keyed = q["aws_sqs_queue.off_with_key"]
    assert keyed.kms_key.value is True and keyed.kms_key.location.start_line == 21
    unknown = q["aws_sqs_queue.off_with_unknown_key"]
    assert unknown.sse_sqs.value is False  # "false" read as a boolean
    assert is_unknown(unknown.kms_key.value) and unknown.kms_key.location.start_line == 27


def test_sqs_check_on_the_same_queues(tmp_path):
    (tmp_path / "main.tf").write_text(QUEUES_TF)
    result = scan([str(tmp_path)], checks=[sqs_encryption.CHECK], cwd=str(tmp_path))
    assert [(f.resource.address, f.location.start_line) for f in result.findings] == [("aws_sqs_queue.off", 15)]
    assert [(u.resource.address, u.what) for u in result.undecided] == [("aws_sqs_queue.off_with_unknown_key", "KMS key")]


def test_cloudformation_queue_with_a_key_reference_and_conditions(tmp_path):
    (tmp_path / "t.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Parameters:\n"
        "  Off:\n"
        "    Type: String\n"
        "Resources:\n"
        "  Key:\n"
        "    Type: AWS::KMS::Key\n"
        "  Keyed:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      SqsManagedSseEnabled: false\n"
        "      KmsMasterKeyId: !GetAtt Key.Arn\n"
        "  Empty:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      SqsManagedSseEnabled: false\n"
        '      KmsMasterKeyId: ""\n'
        "  ByParameter:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      SqsManagedSseEnabled: !Ref Off\n"
    )
    q = _facts(tmp_path, "queue")
    assert q["Keyed"].kms_key.value is True
    assert q["Empty"].kms_key.value is False and q["Empty"].kms_key.explicit
    assert is_unknown(q["ByParameter"].sse_sqs.value)
    result = scan([str(tmp_path)], checks=[sqs_encryption.CHECK], cwd=str(tmp_path))
    assert [(f.resource.address, f.location.start_line) for f in result.findings] == [("Empty", 16)]
    assert [(u.resource.address, u.what) for u in result.undecided] == [("ByParameter", "SQS-managed encryption")]


def test_trail_row_keeps_the_hand_written_shape():
    trail = KINDS["trail"]
    assert isinstance(trail, TableKind)
    assert [f for f in trail.cls.__dataclass_fields__] == ["resource", "log_file_validation", "multi_region"]


def test_every_kind_has_a_fact_type():
    assert set(KINDS) == set(KIND_TYPES)


def _probe_kind(**setting):
    return TableKind("probe", "Probe", ("aws_probe",), ("AWS::Probe::Thing",), (Setting(**setting),))


def test_readers_on_a_made_up_kind(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_probe" "a" {\n  mode = " Fast "\n  name = ""\n}\n'
        'resource "aws_probe" "b" {\n  mode = "turbo"\n  name = "x"\n}\n'
        'resource "aws_probe" "c" {\n}\n'
    )
    probes = {
        "mode": _probe_kind(name="mode", terraform=("mode",), cloudformation=("Mode",), read=ENUM, choices=("fast", "slow"), default="slow"),
        "name": _probe_kind(name="name", terraform=("name",), cloudformation=("Name",), read=TEXT, default=REQUIRED),
        "cfn_only": _probe_kind(name="cfn_only", terraform=None, cloudformation=("X",), read=FLAG, default=False, cfn_default=True),
    }
    import iacguard.facts as facts_mod

    for name, kind in probes.items():
        facts_mod.KINDS[name] = kind
    try:
        mode = _facts(tmp_path, "mode")
        name = _facts(tmp_path, "name")
        cfn_only = _facts(tmp_path, "cfn_only")
    finally:
        for name_ in probes:
            del facts_mod.KINDS[name_]
    assert mode["aws_probe.a"].mode.value == "fast"
    assert is_unknown(mode["aws_probe.b"].mode.value)  # not one of the choices
    assert mode["aws_probe.c"].mode.value == "slow" and not mode["aws_probe.c"].mode.explicit
    assert is_unknown(name["aws_probe.a"].name.value)  # "" is not set, and no default
    assert name["aws_probe.b"].name.value == "x"
    assert cfn_only["aws_probe.c"].cfn_only.value is False  # Terraform has no such setting: its default


def test_bad_rows_are_refused():
    with pytest.raises(ValueError):
        Setting("x", ("x",), ("X",), read="boolean")
    with pytest.raises(ValueError):
        Setting("x", ("x",), ("X",), read=ENUM)
    with pytest.raises(ValueError):
        TableKind("k", "K", ("a",), ("B",), (Setting("x", ("x",), None), Setting("x", ("y",), None)))
    with pytest.raises(ValueError):
        TableKind("k", "K", ("a",), ("B",), (Setting("resource", ("x",), None),))
    assert PRESENT  # the reader names are public


def test_a_setting_inside_an_unknown_block_is_unknown_not_its_default(tmp_path):
    """A nested setting whose block (or list of blocks) is not known before deploy reads as
    Unknown, located at the block: its default would be a guess."""
    (tmp_path / "main.tf").write_text(
        'variable "opts" {}\n'
        'resource "aws_probe" "unknown_block" {\n  options = var.opts\n}\n'
        'resource "aws_probe" "no_block" {\n}\n'
        'resource "aws_probe" "block" {\n  options {\n    on = true\n  }\n}\n'
    )
    import iacguard.facts as facts_mod

    facts_mod.KINDS["nested"] = _probe_kind(name="on", terraform=("options", 0, "on"), cloudformation=("Options", "On"), read=FLAG, default=False)
    try:
        got = _facts(tmp_path, "nested")
    finally:
        del facts_mod.KINDS["nested"]
    unknown = got["aws_probe.unknown_block"].on
    assert is_unknown(unknown.value) and unknown.explicit and unknown.location.start_line == 3
    assert got["aws_probe.no_block"].on.value is False and not got["aws_probe.no_block"].on.explicit
    assert got["aws_probe.block"].on.value is True
