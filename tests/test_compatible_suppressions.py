"""Checkov, tfsec and Trivy skip comments, honoured when `compatible-suppressions` names the tool.

Real files in tmp_path, the CLI through click's CliRunner, the JSON report read back.
"""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from iacguard.checks import REGISTRY
from iacguard.cli import main
from iacguard.config import ConfigError, loads
from iacguard.post.foreign_ids import TRIVY_LONG_IDS, equivalents_map
from iacguard.post.suppressions import foreign_comments

SG = """\
resource "aws_security_group" "%s" {
%s  name = "%s"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]%s
  }
}
"""


def sg(name, inside="", on_cidr=""):
    return SG % (name, inside, name, on_cidr)


def scan(root, *args, config=None):
    if config is not None:
        (root / ".iacguard.toml").write_text(config)
    old = os.getcwd()
    os.chdir(root)
    try:
        res = CliRunner().invoke(main, ["scan", ".", "--format", "json", "--no-cache", "--no-whole-project-checks", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def ec2(report):
    return sorted(f["resource"]["address"] for f in report["findings"] if f["check_id"] == "AWS-EC2-001")


def suppressed(report):
    return sorted((s["resource"]["address"], s["suppression"]["origin"], s["suppression"]["reason"], s["suppression"]["line"])
                  for s in report["suppressed"] if s["check_id"] == "AWS-EC2-001")


ALL = 'compatible-suppressions = ["checkov", "tfsec", "trivy"]\n'


def test_off_by_default(tmp_path):
    (tmp_path / "main.tf").write_text("#checkov:skip=CKV_AWS_24:reviewed\n" + sg("a"))
    report = scan(tmp_path)
    assert ec2(report) == ["aws_security_group.a"] and report["suppressed"] == []
    # and no notification about the foreign comment either
    assert not [n for n in report["notifications"] if "checkov" in n["message"]]


def test_each_tool_in_terraform(tmp_path):
    (tmp_path / "main.tf").write_text(
        "#checkov:skip=CKV_AWS_24:office range only\n" + sg("a")
        + "\n# checkov:skip=CKV_AWS_25: spaced form\n" + sg("b")
        + "\n" + sg("c", on_cidr=" # tfsec:ignore:aws-ec2-no-public-ingress-sgr bastion host")
        + "\n#trivy:ignore:AVD-AWS-0107 load balancer\n" + sg("d")
        + "\n// trivy:ignore:aws-ec2-no-public-ingress-sgr long id\n" + sg("e")
        + "\n" + sg("f", inside="  #checkov:skip=CKV_AWS_277:inside the block, as Checkov users write it\n")
        + "\n" + sg("g")
    )
    report = scan(tmp_path, config=ALL)
    assert ec2(report) == ["aws_security_group.g"]
    rows = {address: (origin, reason) for address, origin, reason, _ in suppressed(report)}
    assert rows == {
        "aws_security_group.a": ("checkov comment", "checkov:skip=CKV_AWS_24:office range only"),
        "aws_security_group.b": ("checkov comment", "checkov:skip=CKV_AWS_25: spaced form"),
        "aws_security_group.c": ("tfsec comment", "tfsec:ignore:aws-ec2-no-public-ingress-sgr bastion host"),
        "aws_security_group.d": ("trivy comment", "trivy:ignore:AVD-AWS-0107 load balancer"),
        "aws_security_group.e": ("trivy comment", "trivy:ignore:aws-ec2-no-public-ingress-sgr long id"),
        "aws_security_group.f": ("checkov comment", "checkov:skip=CKV_AWS_277:inside the block, as Checkov users write it"),
    }


def test_only_the_configured_tools(tmp_path):
    (tmp_path / "main.tf").write_text("#checkov:skip=CKV_AWS_24:reviewed\n" + sg("a") + "\n#trivy:ignore:AVD-AWS-0107 lb\n" + sg("b"))
    report = scan(tmp_path, config='compatible-suppressions = ["trivy"]\n')
    assert ec2(report) == ["aws_security_group.a"]
    assert [s[0] for s in suppressed(report)] == ["aws_security_group.b"]


def test_placement_rules_are_iacguards(tmp_path):
    # A skip two resources up, separated by code, applies to nothing.
    (tmp_path / "main.tf").write_text("#checkov:skip=CKV_AWS_24:too far away\n" + 'locals {\n  x = 1\n}\n' + sg("a"))
    report = scan(tmp_path, config=ALL)
    assert ec2(report) == ["aws_security_group.a"]
    unused = [n for n in report["notifications"] if "unused" in n["message"]]
    assert unused and "checkov skip of CKV_AWS_24" in unused[0]["message"]


def test_id_without_equivalent_is_named(tmp_path):
    (tmp_path / "main.tf").write_text("#checkov:skip=CKV_AWS_99999:nothing maps here\n#tfsec:ignore:AWS018\n" + sg("a"))
    report = scan(tmp_path, config=ALL)
    messages = [n["message"] for n in report["notifications"]]
    assert any("checkov skip of CKV_AWS_99999" in m and "no iacguard check is equivalent" in m for m in messages)
    assert any("tfsec skip of AWS018" in m for m in messages)
    assert ec2(report) == ["aws_security_group.a"]


def test_expiry_and_require_reason(tmp_path):
    (tmp_path / "main.tf").write_text(
        "#tfsec:ignore:aws-ec2-no-public-ingress-sgr:exp:2000-01-01 old exception\n" + sg("a")
        + "\n#tfsec:ignore:aws-ec2-no-public-ingress-sgr\n" + sg("b")
    )
    report = scan(tmp_path, config=ALL)
    assert ec2(report) == ["aws_security_group.a"]  # expired
    assert any("expired on 2000-01-01" in n["message"] for n in report["notifications"])
    assert [s[0] for s in suppressed(report)] == ["aws_security_group.b"]  # no reason: still suppresses
    assert any("gives no reason" in n["message"] and n["line"] == 12 for n in report["notifications"])
    report = scan(tmp_path, "--require-reason")
    assert ec2(report) == ["aws_security_group.a", "aws_security_group.b"]


CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Meta:
    Type: AWS::EC2::SecurityGroup
    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_24
            comment: bastion, reviewed
          - id: CKV_AWS_12345
          - not an entry
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
  # trivy:ignore:AVD-AWS-0107 vpn endpoint
  Commented:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0 # checkov:skip=CKV_AWS_24: on the line
  Open:
    Type: AWS::EC2::SecurityGroup
    Metadata:
      checkov: "not a mapping"
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
"""


def test_cloudformation_metadata_and_comments(tmp_path):
    (tmp_path / "stack.yaml").write_text(CFN)
    report = scan(tmp_path, config=ALL)
    assert ec2(report) == ["Open"]
    rows = {address: (origin, reason) for address, origin, reason, _ in suppressed(report)}
    assert rows["Meta"] == ("checkov metadata", "Metadata checkov.skip CKV_AWS_24: bastion, reviewed")
    assert rows["Commented"][0] in ("trivy comment", "checkov comment")
    assert any("CKV_AWS_12345" in n["message"] for n in report["notifications"])


def test_text_report_names_the_comment(tmp_path):
    (tmp_path / "main.tf").write_text("#checkov:skip=CKV_AWS_24:office range only\n" + sg("a"))
    (tmp_path / ".iacguard.toml").write_text(ALL)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        res = CliRunner().invoke(main, ["scan", ".", "--no-cache", "--include-suppressed", "--no-color"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert "checkov:skip=CKV_AWS_24:office range only" in res.stdout
    assert "honours checkov, tfsec, trivy suppression comments" in res.stdout


def test_config_key_validation(tmp_path):
    path = str(tmp_path / ".iacguard.toml")
    assert loads(b'compatible-suppressions = ["Checkov", "trivy"]', path).compatible_suppressions == ["checkov", "trivy"]
    for bad in (b'compatible-suppressions = ["kics"]', b'compatible-suppressions = "checkov"', b"compatible-suppressions = [1]"):
        with pytest.raises(ConfigError, match="compatible-suppressions"):
            loads(bad, path)


@pytest.mark.parametrize("text", [
    "checkov:skip=", "tfsec:ignore:", "trivy:ignore:*", "checkov:skip=CKV_AWS_24:" + "x" * 10000,
    "tfsec:ignore:a tfsec:ignore:b tfsec:ignore:c:exp:not-a-date", "\x00checkov:skip=\udcff", "*/ trivy:ignore:AVD-AWS-0107 */",
])
def test_odd_comments_do_not_crash(text):
    foreign_comments(text, ("checkov", "tfsec", "trivy"))


def test_odd_comments_in_a_scan(tmp_path):
    (tmp_path / "main.tf").write_text(
        "#tfsec:ignore:a tfsec:ignore:aws-ec2-no-public-ingress-sgr:exp:13-13-13 bad date\n#trivy:ignore:*\n#checkov:skip=\n" + sg("a"))
    report = scan(tmp_path, config=ALL)
    assert ec2(report) == ["aws_security_group.a"]
    messages = [n["message"] for n in report["notifications"]]
    assert any("invalid expiry date" in m for m in messages)
    assert any("wildcard" in m for m in messages)


def test_every_trivy_equivalent_has_a_long_id():
    trivy = {i for c in REGISTRY for t, i in c.equivalents if t == "trivy"}
    assert trivy <= set(TRIVY_LONG_IDS)
    mapping = equivalents_map(REGISTRY)
    assert "AWS-EC2-001" in mapping["tfsec"]["AWS-EC2-NO-PUBLIC-INGRESS-SGR"]
    assert mapping["checkov"]["CKV_AWS_24"] == ("AWS-EC2-001",)


def test_a_skip_with_a_reason_is_preferred(tmp_path):
    (tmp_path / "main.tf").write_text(sg("a", inside="  #checkov:skip=CKV_AWS_24:the reviewed reason\n", on_cidr=" # tfsec:ignore:aws-ec2-no-public-ingress-sgr"))
    report = scan(tmp_path, config=ALL)
    assert [(s[1], s[2]) for s in suppressed(report)] == [("checkov comment", "checkov:skip=CKV_AWS_24:the reviewed reason")]
