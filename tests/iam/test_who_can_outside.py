"""who-can also names the principals outside the scan that a resource policy grants to: anyone
(`"*"`), another account, a service. Principals of the scan named by the policy are answered
with the others (they are not listed as outside)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from iacguard.cli import main
from iacguard.engine import build_graph
from iacguard.facts.iam_access import Authorization

TF = """
provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]
}
resource "aws_s3_bucket" "site" { bucket = "public-site" }
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}
resource "aws_s3_bucket_policy" "site" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "PublicRead", Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_bucket.site.arn}/*" },
      { Sid = "Partner", Effect = "Allow", Principal = { AWS = "arn:aws:iam::444455556666:root" }, Action = ["s3:GetObject", "s3:PutObject"], Resource = "${aws_s3_bucket.site.arn}/*" },
      { Sid = "Logs", Effect = "Allow", Principal = { Service = "logging.s3.amazonaws.com" }, Action = "s3:PutObject", Resource = "${aws_s3_bucket.site.arn}/logs/*" },
      { Sid = "App", Effect = "Allow", Principal = { AWS = aws_iam_role.app.arn }, Action = "s3:*", Resource = "${aws_s3_bucket.site.arn}/*" },
      { Sid = "NoDelete", Effect = "Deny", Principal = "*", Action = "s3:DeleteObject", Resource = "${aws_s3_bucket.site.arn}/*" }
    ]
  })
}
"""


def _auth(tmp_path):
    (tmp_path / "main.tf").write_text(TF)
    return Authorization(build_graph([str(tmp_path)]).graph)


def test_granted_outside_names_anyone_accounts_and_services(tmp_path):
    auth = _auth(tmp_path)
    target = auth.target("aws_s3_bucket.site/index.html")
    got = {label: (d.decision, [x.statement.sid for x in d.statements]) for label, d in auth.granted_outside("s3:GetObject", target)}
    assert got == {"anyone (*)": ("allow", ["PublicRead"]), "account 444455556666": ("allow", ["Partner"])}
    logs = auth.target("aws_s3_bucket.site/logs/x")
    got = {label: d.decision for label, d in auth.granted_outside("s3:PutObject", logs)}
    assert got == {"account 444455556666": "allow", "service logging.s3.amazonaws.com": "allow"}
    # A Deny for everyone leaves no one outside.
    assert auth.granted_outside("s3:DeleteObject", target) == []


def test_who_can_json_lists_the_scan_and_outside(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(TF)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["iam", "who-can", ".", "--action", "s3:PutObject", "--resource",
                                       "aws_s3_bucket.site/index.html", "--format", "json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert [(a["principal"], [s["sid"] for s in a["statements"]]) for a in got["allowed"]] == [("aws_iam_role.app", ["App"])]
    assert [(o["principal"], o["decision"], o["statements"][0]["sid"], o["statements"][0]["file"])
            for o in got["outside_the_scan"]] == [("account 444455556666", "allow", "Partner", "main.tf")]
