"""AWS-CT-105 beyond its fixtures: off without configuration, the CLI configuration and the scan
cache, selector semantics (partitions, readOnly split across trails, filters, unknown names)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from iacguard.checks.detection import cloudtrail_s3_data_events as ct105
from iacguard.engine import scan

pytestmark = pytest.mark.catalogue("all")

FIXTURES = Path(__file__).parent.parent / "fixtures" / "checks"


def _scan(folder, check):
    return scan([str(folder)], checks=[check], cwd=str(folder))


def _tf(tmp_path, text, patterns=("acme-*",)):
    (tmp_path / "main.tf").write_text(text)
    return _scan(tmp_path, ct105.configured(ct105.CHECK, list(patterns)))


BUCKET = 'resource "aws_s3_bucket" "b" {\n  bucket = "acme-data"\n}\n'


def _trail(name, body):
    return 'resource "aws_cloudtrail" "%s" {\n  name = "%s"\n  s3_bucket_name = "logs"\n%s\n}\n' % (name, name, body)


def test_off_without_configuration():
    result = _scan(FIXTURES / "AWS-CT-105" / "terraform", ct105.CHECK)
    assert not result.findings and not result.undecided


def test_through_the_cli_configuration_and_cache(tmp_path):
    from click.testing import CliRunner

    from iacguard.cli import main

    work = tmp_path / "repo"
    shutil.copytree(FIXTURES / "AWS-CT-105" / "terraform", work)
    (work / ".git").mkdir()
    cache = tmp_path / "cache"
    runner = CliRunner()

    def addresses(*extra):
        out = runner.invoke(main, ["scan", str(work), "--check", "AWS-CT-105", "--format", "json", "--cache-dir", str(cache), *extra])
        return sorted(f["resource"]["address"] for f in json.loads(out.output)["findings"])

    assert addresses() == ["aws_s3_bucket.payments_archive", "aws_s3_bucket.payments_cards", "aws_s3_bucket.payments_ledger", "aws_s3_bucket.reports"]
    (work / ".iacguard.toml").write_text('data-event-buckets = ["acme-reports"]\n')
    assert addresses() == ["aws_s3_bucket.reports"]  # other patterns: not answered from the cache
    assert addresses("--no-config") == []
    assert addresses("--no-whole-project-checks") == []  # it reasons over every trail of the scan


def test_every_bucket_in_another_partition_and_reads_and_writes_in_two_trails(tmp_path):
    reads = _trail("r", '  event_selector {\n    read_write_type = "ReadOnly"\n    data_resource {\n      type = "AWS::S3::Object"\n      values = ["arn:aws-us-gov:s3"]\n    }\n  }')
    writes = _trail("w", '  event_selector {\n    read_write_type = "WriteOnly"\n    data_resource {\n      type = "AWS::S3::Object"\n      values = ["arn:aws:s3:::"]\n    }\n  }')
    assert not _tf(tmp_path, BUCKET + reads + writes).findings
    result = _tf(tmp_path, BUCKET + reads)
    assert [f.resource.address for f in result.findings] == ["aws_s3_bucket.b"]
    assert "object-level writes" in result.findings[0].message and "reads" not in result.findings[0].message


def test_an_event_name_filter_is_only_part_of_the_bucket(tmp_path):
    adv = _trail("a", '''  advanced_event_selector {
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
    field_selector {
      field  = "eventName"
      equals = ["PutObject"]
    }
  }''')
    result = _tf(tmp_path, BUCKET + adv)
    assert [f.resource.address for f in result.findings] == ["aws_s3_bucket.b"]
    assert "only part of its reads and writes" in result.findings[0].message


def test_bucket_of_unknown_name(tmp_path):
    bucket = 'variable "n" {}\nresource "aws_s3_bucket" "b" {\n  bucket = var.n\n}\n'
    # A trail recording management events only covers no bucket, whatever its name.
    result = _tf(tmp_path, bucket + _trail("m", ""), patterns=("aws_s3_bucket.b",))
    assert [f.resource.address for f in result.findings] == ["aws_s3_bucket.b"]
    # A trail naming one bucket may or may not name this one: undecided.
    one = _trail("t", '  event_selector {\n    data_resource {\n      type = "AWS::S3::Object"\n      values = ["arn:aws:s3:::acme-data/"]\n    }\n  }')
    result = _tf(tmp_path, bucket + one, patterns=("aws_s3_bucket.b",))
    assert not result.findings and [u.check_id for u in result.undecided] == ["AWS-CT-105"]
    # Matched only through its unknown name: undecided too.
    result = _tf(tmp_path, bucket + _trail("m", ""), patterns=("acme-*",))
    assert not result.findings and [u.check_id for u in result.undecided] == ["AWS-CT-105"]


def test_a_selector_naming_another_generated_bucket_does_not_cover(tmp_path):
    other = 'resource "aws_s3_bucket" "gen" {}\n'
    trail = _trail("t", '  event_selector {\n    data_resource {\n      type = "AWS::S3::Object"\n      values = ["${aws_s3_bucket.gen.arn}/"]\n    }\n  }')
    result = _tf(tmp_path, BUCKET + other + trail)
    assert [f.resource.address for f in result.findings] == ["aws_s3_bucket.b"]
