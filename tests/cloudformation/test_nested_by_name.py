"""A nested stack whose TemplateURL is remote or built at deploy time (Quick Start style) is
evaluated with the scanned template whose path ends the same way, when exactly one does."""
from __future__ import annotations

import os

from iacguard.engine import scan

PARENT = """AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  QSS3BucketName:
    Type: String
    Default: aws-quickstart
  RemoteAccessCIDR:
    Type: String
    Default: 0.0.0.0/0
Resources:
  BastionStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: %s
      Parameters:
        AccessCIDR: !Ref RemoteAccessCIDR
"""

CHILD = """AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  AccessCIDR:
    Type: String
    Default: 10.0.0.0/8
Resources:
  BastionSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: bastion
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !Ref AccessCIDR
"""


def findings(root):
    result = scan([str(root)], cwd=str(root))
    return [(f.resource.address, os.path.relpath(f.location.path, root), f.location.start_line) for f in result.findings], result


def test_sub_built_url_matches_the_scanned_template(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "main.yaml").write_text(PARENT % "!Sub https://${QSS3BucketName}.s3.${AWS::URLSuffix}/quickstart/templates/bastion.template.yaml")
    (tmp_path / "templates" / "bastion.template.yaml").write_text(CHILD)
    got, result = findings(tmp_path)
    # Evaluated once, as the nested stack, with the parent's 0.0.0.0/0 (its own default is private).
    assert got == [("BastionStack/BastionSG", "templates/bastion.template.yaml", 15)]
    assert any("evaluated with the scanned template templates/bastion.template.yaml" in n.message for n in result.notifications)


def test_literal_remote_url_matches_too(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "main.yaml").write_text(PARENT % "https://example-bucket.s3.amazonaws.com/prefix/templates/bastion.template.yaml")
    (tmp_path / "templates" / "bastion.template.yaml").write_text(CHILD)
    assert findings(tmp_path)[0] == [("BastionStack/BastionSG", "templates/bastion.template.yaml", 15)]


def test_ambiguous_names_are_not_guessed(tmp_path):
    for folder in ("a/templates", "b/templates"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "bastion.template.yaml").write_text(CHILD)
    (tmp_path / "main.yaml").write_text(PARENT % "!Sub https://${QSS3BucketName}.s3.amazonaws.com/templates/bastion.template.yaml")
    got, result = findings(tmp_path)
    assert got == []  # both children evaluated alone, with their private default
    assert any("remote" in n.message and "not scanned" in n.message for n in result.notifications)
