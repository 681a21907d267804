"""The text report: grouping, notifications, summary, colour rules."""
from __future__ import annotations

import io

from iacguard.core.model import UnknownValue
from iacguard.output import text


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


EXPECTED = """\
main.tf
   7  CRITICAL  AWS-EC2-001  aws_security_group.web  Security group web allows 0.0.0.0/0 to port 22.
  11  HIGH      AWS-S3-001   aws_s3_bucket.logs      Bucket logs has no default encryption.
  11  MEDIUM    AWS-S3-002   aws_s3_bucket.logs      Bucket logs has no access logging.

my stacks/store bucket.yaml
   4  HIGH      AWS-S3-001  Bucket  Bucket Bucket has no default encryption (only when condition IsProd is true).

Notifications
  warning  big.json  Skipped a file larger than 5 MB
  error    broken.tf:3  Unexpected token '}'

Summary
  4 findings
    critical                        1
    high                            2
    medium                          1
    low                             0
  By pillar
    Identity and access management  0
    Detection                       1
    Infrastructure protection       1
    Data protection                 2
    Incident response               0
  Files scanned: 2
  Resources: 3
  Checks left undecided by unknown values: 0
  Other values that could not be known: 1 (--verbose lists them)
  Duration: 0.25s
"""


def test_report(result):
    assert text.render(result) == EXPECTED


def test_no_findings_said_plainly(empty_result):
    out = text.render(empty_result)
    assert out.startswith("No findings.\n\nSummary\n  0 findings\n")
    assert "Notifications" not in out


def test_verbose_lists_unknown_values(result):
    result.unknowns.append(UnknownValue(result.files[1], 0, "Bucket.BucketName", "parameter Name has no default"))
    out = text.render(result, verbose=True)
    assert (
        "\nOther values that could not be known\n"
        "  main.tf:12  aws_s3_bucket.logs.bucket: variable name has no value\n"
        "  my stacks/store bucket.yaml  Bucket.BucketName: parameter Name has no default\n"
    ) in out
    assert "  Other values that could not be known: 2\n" in out
    assert "Other values that could not be known\n" not in text.render(result)


def test_no_colour_unless_asked(result):
    assert "\033[" not in text.render(result)
    coloured = text.render(result, color=True)
    assert "\033[1;35mCRITICAL\033[0m  AWS-EC2-001" in coloured
    assert "\033[1mmain.tf\033[0m" in coloured


def test_control_characters_from_scanned_files_are_escaped(result, scan):
    res = scan.resource("aws_s3_bucket.\033[2Jx", "aws_s3_bucket", "terraform", result.files[0], 11)
    result.findings[1] = scan.finding("AWS-S3-001", res, "Bucket\nlogs.", 11)
    out = text.render(result)
    assert "aws_s3_bucket.\\x1b[2Jx" in out and "Bucket\\x0alogs." in out
    assert "\033" not in out


def test_use_color():
    assert text.use_color(Stream(tty=True), {}) is True
    assert text.use_color(Stream(tty=False), {}) is False
    assert text.use_color(Stream(tty=True), {"NO_COLOR": "1"}) is False
    assert text.use_color(Stream(tty=True), {"NO_COLOR": ""}) is False
    assert text.use_color(object(), {}) is False


def test_use_color_on_a_closed_stream():
    stream = io.StringIO()
    stream.close()
    assert text.use_color(stream, {}) is False


def test_file_outside_cwd_shown_absolute(result, tmp_path):
    result.cwd = str(tmp_path.resolve() / "my stacks")
    out = text.render(result)
    assert "\n%s\n" % (tmp_path.resolve() / "main.tf") in "\n" + out
    assert "\nstore bucket.yaml\n" in out
