"""An instance that is itself the entry point keeps the statement that grants its role the asset:
the least-privilege layer is judged on its paths (the grant was dropped when the entry point's
hop was merged with the compute's, so "s3:*" on "*" was never reported)."""
from __future__ import annotations

import pytest

from iacguard.checks.infrastructure.attack_paths import CHECK
from iacguard.core.model import ScanOptions
from iacguard.engine import build_graph, scan
from iacguard.facts import Facts

pytestmark = pytest.mark.catalogue("all")

TF = '''
resource "aws_security_group" "web" {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "web" {
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.web.id]
  iam_instance_profile        = aws_iam_instance_profile.web.name
}

resource "aws_iam_instance_profile" "web" {
  role = aws_iam_role.web.name
}

resource "aws_iam_role" "web" {
  name               = "web"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "all" {
  role   = aws_iam_role.web.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:*"], Resource = "*" }] })
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}
'''


def test_instance_entry_keeps_the_grant(tmp_path):
    (tmp_path / "main.tf").write_text(TF)
    [path] = Facts(build_graph([str(tmp_path)]).graph).of_kind("attack_path")
    assert path.addresses[0] == "aws_instance.web" and path.grant is not None
    [finding] = scan([str(tmp_path)], ScanOptions(), cwd=str(tmp_path), checks=[CHECK]).findings
    assert "least-privilege (the statement granting aws_iam_role.web allows s3:*)" in finding.message
    assert finding.severity == "high"  # write access, two layers
