"""--diff-base: the whole tree is scanned, findings are reported only in changed files."""
from __future__ import annotations

import pytest

from workflow_support import BUCKET, SG_OPEN, cli, commit_all, git, git_repo, reported, scan_json, write

pytestmark = pytest.mark.catalogue("core")  # asserts every finding: the checks it was written against

ENCRYPTION = """\
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
"""


def test_only_changed_and_untracked_files_are_reported(tmp_path):
    repo = git_repo(write(tmp_path, {"network.tf": SG_OPEN, "old.tf": BUCKET % ("old", "old")}))
    commit_all(repo, "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    # A committed change, an unstaged change and an untracked file, after the base.
    write(repo, {"committed.tf": BUCKET % ("committed", "committed")})
    commit_all(repo, "more")
    write(repo, {"old.tf": BUCKET % ("old", "old") + "\n# edited\n", "new.tf": BUCKET % ("new", "new")})
    code, report = scan_json(repo, "--diff-base", base, "--check", "AWS-S3-001", "--check", "AWS-EC2-001")
    assert code == 1
    assert reported(report) == [
        ("AWS-S3-001", "aws_s3_bucket.committed"),
        ("AWS-S3-001", "aws_s3_bucket.new"),
        ("AWS-S3-001", "aws_s3_bucket.old"),
    ]
    assert report["summary"]["outside_changes"] == 1  # the security group in network.tf
    code, report = scan_json(repo, "--diff-base", "HEAD", "--check", "AWS-S3-001", "--check", "AWS-EC2-001")
    assert reported(report) == [("AWS-S3-001", "aws_s3_bucket.new"), ("AWS-S3-001", "aws_s3_bucket.old")]


def test_graph_context_comes_from_unchanged_files(tmp_path):
    # The bucket is encrypted by a resource in a file that did not change: no finding.
    repo = git_repo(write(tmp_path, {"encryption.tf": ENCRYPTION}))
    commit_all(repo)
    write(repo, {"bucket.tf": BUCKET % ("data", "data")})
    _, report = scan_json(repo, "--diff-base", "HEAD", "--check", "AWS-S3-001")
    assert report["findings"] == []


def test_scanning_a_subfolder_of_the_repository(tmp_path):
    repo = git_repo(write(tmp_path, {"infra/a.tf": SG_OPEN, "README": "x"}))
    commit_all(repo)
    write(repo, {"infra/b.tf": BUCKET % ("b", "b")})
    res = cli(["scan", "infra", "--diff-base", "HEAD", "--format", "json", "--check", "AWS-S3-001", "--check", "AWS-EC2-001"], repo)
    assert res.exit_code == 1
    assert '"file": "infra/b.tf"' in res.stdout and "infra/a.tf" not in res.stdout


def test_errors_exit_2(tmp_path):
    write(tmp_path, {"plain/main.tf": SG_OPEN})
    res = cli(["scan", ".", "--diff-base", "HEAD"], tmp_path / "plain")
    assert res.exit_code == 2
    assert "is not in a git repository" in res.stderr
    repo = git_repo(write(tmp_path / "repo", {"main.tf": SG_OPEN}))
    commit_all(repo)
    for ref in ("no-such-branch", "--output=/tmp/x"):
        res = cli(["scan", ".", "--diff-base", ref], repo)
        assert res.exit_code == 2, ref
        assert "--diff-base:" in res.stderr and ("unknown git ref" in res.stderr or "invalid git ref" in res.stderr)
