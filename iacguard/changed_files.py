"""Reporting only what a change touched: the files changed since a git ref, or named files.

The whole tree is still scanned, so references across files (a bucket encrypted by a resource in
another file) are seen; only the findings are narrowed to the files of interest. git runs as a
subprocess with an argument list (no shell), in the scanned directory.
"""
from __future__ import annotations

import os
import subprocess

from .model import ScanResult

GIT_TIMEOUT = 60


class GitError(Exception):
    """git is missing, the directory is not in a repository, or the ref is unknown."""


def _git(args: list, cwd: str) -> str:
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except FileNotFoundError:
        raise GitError("git is not installed (needed by --diff-base)") from None
    except subprocess.TimeoutExpired:
        raise GitError("git %s took longer than %d s" % (args[0], GIT_TIMEOUT)) from None
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode("utf-8", "replace").strip() or "git %s failed" % args[0])
    return proc.stdout.decode("utf-8", "surrogateescape")


def repository_root(directory: str) -> str:
    try:
        return _git(["rev-parse", "--show-toplevel"], directory).strip()
    except GitError as exc:
        if "not a git repository" in str(exc).lower():
            raise GitError("%s is not in a git repository" % directory) from None
        raise


def changed_files(directory: str, ref: str) -> set:
    """Real paths of the files that differ from `ref` (committed, staged or not) plus untracked
    files that are not ignored, in the repository holding `directory`."""
    if not ref or ref.startswith("-"):
        raise GitError("invalid git ref %r" % ref)
    top = repository_root(directory)
    try:
        _git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], top)
    except GitError:
        raise GitError("unknown git ref %r in %s" % (ref, top)) from None
    names = _git(["diff", "--name-only", "-z", ref, "--"], top).split("\0")
    names += _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0")
    return {os.path.realpath(os.path.join(top, n)) for n in names if n}


class ChangedFilesFilter:
    """The post-processing step: keeps findings (and suppressed findings) located in `paths`."""

    def __init__(self, paths) -> None:
        self.paths = {os.path.realpath(os.path.abspath(p)) for p in paths}

    def _inside(self, finding) -> bool:
        return os.path.realpath(finding.location.path) in self.paths

    def __call__(self, result: ScanResult, graph=None) -> None:
        kept = [f for f in result.findings if self._inside(f)]
        result.outside_changes += len(result.findings) - len(kept)
        result.findings = kept
        result.suppressed = [s for s in result.suppressed if self._inside(s.finding)]
