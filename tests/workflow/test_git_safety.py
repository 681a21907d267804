"""git never takes orders from the scanned tree (issue 9, point 1).

A pull request can commit a folder holding HEAD, config, objects/ and refs/ as plain files. git,
started in that folder, takes it for a repository, runs the command its `core.fsmonitor` names and
lets its fake index decide which files changed. iacguard finds the repository from the working
directory, pins it, disables repository-local command execution and refuses such folders.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from workflow_support import BUCKET, SG_OPEN, cli, commit_all, git, git_repo, scan_json, write

from iacguard.post.changed_files import SAFE_CONFIG, Repository

pytestmark = pytest.mark.catalogue("core")  # asserts every finding: the checks it was written against


def fake_bare_repository(folder: Path, marker: Path, scratch: Path) -> None:
    """Make `folder` look like a bare repository whose configuration runs a command writing
    `marker` (fsmonitor, hooks), and whose own index says that only decoy.tf changed."""
    proto = git_repo(write(scratch, {"decoy.tf": BUCKET % ("decoy", "decoy")}))
    commit_all(proto, "proto")
    for name in ("HEAD", "objects", "refs", "index"):
        src = proto / ".git" / name
        if src.is_dir():
            shutil.copytree(src, folder / name)
        else:
            shutil.copy(src, folder / name)
    command = "touch '%s'; false" % marker
    (folder / "config").write_text(
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n"
        '\tfsmonitor = "%s"\n\thooksPath = hooks\n\tpager = %s\n[diff]\n\texternal = %s\n' % (command, command, command)
    )
    hooks = folder / "hooks"
    hooks.mkdir()
    for hook in ("post-index-change", "post-checkout", "pre-commit"):
        (hooks / hook).write_text("#!/bin/sh\n%s\n" % command)
        (hooks / hook).chmod(0o755)


@pytest.fixture
def attacked(tmp_path):
    """A real repository whose `sub` folder, committed by a pull request, is a fake bare repository."""
    marker = tmp_path / "MARKER"
    repo = git_repo(write(tmp_path / "repo", {"network.tf": SG_OPEN, "sub/main.tf": BUCKET % ("b", "b")}))
    commit_all(repo, "base")
    fake_bare_repository(repo / "sub", marker, tmp_path / "proto")
    write(repo, {"sub/new.tf": BUCKET % ("new", "new")})
    commit_all(repo, "pull request")
    return repo, marker


def test_fake_bare_repository_in_scanned_folder_is_refused(attacked):
    repo, marker = attacked
    res = cli(["scan", "sub", "--diff-base", "HEAD"], repo)
    assert not marker.exists()  # today's main: created by git diff, and only decoy.tf "changed"
    assert res.exit_code == 2
    assert "--diff-base: refusing to run git" in res.stderr
    assert "sub (a folder shaped like a bare git repository)" in res.stderr
    assert not marker.exists()


def test_working_directory_inside_the_fake_repository_is_refused(attacked):
    repo, marker = attacked
    res = cli(["scan", ".", "--diff-base", "HEAD"], repo / "sub")
    assert not marker.exists()
    assert res.exit_code == 2
    assert "refusing a folder shaped like a bare git repository" in res.stderr
    assert not marker.exists()


def test_pre_commit_refuses_too(attacked):
    repo, marker = attacked
    res = cli(["pre-commit", "network.tf"], repo)
    assert res.exit_code == 2
    assert "refusing to run git" in res.stderr and "sub (a folder shaped like a bare git repository)" in res.stderr
    res = cli(["pre-commit", "main.tf"], repo / "sub")
    assert res.exit_code == 2
    assert "refusing a folder shaped like a bare git repository" in res.stderr
    assert not marker.exists()


def test_nested_git_directory_is_refused(tmp_path):
    repo = git_repo(write(tmp_path / "repo", {"infra/main.tf": SG_OPEN}))
    commit_all(repo)
    git_repo(write(repo / "infra" / "vendor", {"x.txt": "x"}))  # an untracked nested repository
    res = cli(["scan", "infra", "--diff-base", "HEAD"], repo)
    assert res.exit_code == 2
    assert "vendor/.git (a git repository)" in res.stderr


def test_scanned_folder_outside_the_working_directory_repository_is_refused(tmp_path):
    repo = git_repo(write(tmp_path / "repo", {"main.tf": SG_OPEN}))
    commit_all(repo)
    write(tmp_path, {"elsewhere/main.tf": SG_OPEN})
    res = cli(["scan", str(tmp_path / "elsewhere"), "--diff-base", "HEAD"], repo)
    assert res.exit_code == 2
    assert "is not inside the repository of the working directory" in res.stderr


def test_repository_config_cannot_run_commands(tmp_path):
    """Even the real repository's own settings (fsmonitor, hooks, external diff, a clean filter
    that .gitattributes in the tree selects) run nothing."""
    marker = tmp_path / "MARKER"
    command = "touch '%s'; false" % marker
    repo = git_repo(write(tmp_path / "repo", {"main.tf": SG_OPEN, ".gitattributes": "*.tf filter=evil diff=evil\n"}))
    commit_all(repo)
    for key, value in (("core.fsmonitor", command), ("diff.external", command), ("filter.evil.clean", command),
                       ("filter.evil.process", command), ("diff.evil.textconv", command), ("core.pager", command)):
        git(repo, "config", key, value)
    hooks = repo / ".git" / "hooks"
    (hooks / "post-index-change").write_text("#!/bin/sh\n%s\n" % command)
    (hooks / "post-index-change").chmod(0o755)
    # Make main.tf stat-dirty so git would hash it (through the filter) to compare.
    write(repo, {"main.tf": SG_OPEN + "\n", "new.tf": BUCKET % ("new", "new")})
    code, report = scan_json(repo, "--diff-base", "HEAD", "--check", "AWS-S3-001", "--check", "AWS-EC2-001")
    assert code == 1
    assert sorted(f["file"] for f in report["findings"]) == ["main.tf", "new.tf"]
    assert not marker.exists()


def test_legitimate_repository_still_works(tmp_path):
    repo = git_repo(write(tmp_path / "repo", {"infra/a.tf": SG_OPEN, "README": "x"}))
    commit_all(repo)
    write(repo, {"infra/b.tf": BUCKET % ("b", "b")})
    res = cli(["scan", "infra", "--diff-base", "HEAD", "--format", "json", "--check", "AWS-S3-001", "--check", "AWS-EC2-001"], repo)
    assert res.exit_code == 1, res.stderr
    assert '"file": "infra/b.tf"' in res.stdout and "infra/a.tf" not in res.stdout
    # From a subfolder of the repository too.
    res = cli(["scan", ".", "--diff-base", "HEAD", "--format", "json", "--check", "AWS-S3-001"], repo / "infra")
    assert res.exit_code == 1, res.stderr
    # Terraform's module cache may hold clones with their .git: not refused.
    git_repo(write(repo / "infra" / ".terraform" / "modules" / "vpc", {"main.tf": ""}))
    res = cli(["scan", "infra", "--diff-base", "HEAD", "--check", "AWS-S3-001"], repo)
    assert res.exit_code == 1, res.stderr


def test_every_git_command_carries_the_safe_settings(tmp_path, monkeypatch):
    repo = git_repo(write(tmp_path / "repo", {"main.tf": SG_OPEN}))
    commit_all(repo)
    calls = []
    import subprocess

    real = subprocess.run

    def spy(cmd, *args, **kwargs):
        calls.append((list(cmd), kwargs.get("env", {})))
        return real(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    r = Repository.discover(str(repo))
    assert r.changed_files("HEAD") == set()
    assert r.file_at("HEAD", str(repo / "main.tf")) == SG_OPEN.encode()
    assert r.file_at("HEAD", str(repo / "missing.tf")) is None
    assert len(calls) >= 4
    for cmd, env in calls:
        assert cmd[:2] == ["git", "--no-pager"]
        settings = [cmd[i + 1] for i, a in enumerate(cmd) if a == "-c"]
        assert set(SAFE_CONFIG) <= set(settings)
        assert env["GIT_TERMINAL_PROMPT"] == "0" and env["GIT_PAGER"] == "cat"
        if "diff" in cmd:
            assert {"--no-ext-diff", "--no-textconv"} <= set(cmd)
    for cmd, _ in calls[1:]:
        if "config" not in cmd:
            assert "--git-dir=%s" % os.path.realpath(repo / ".git") in cmd
            assert "--work-tree=%s" % os.path.realpath(repo) in cmd
