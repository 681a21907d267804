"""Reporting only what a change touched: the files changed since a git ref, or named files.

The whole tree is still scanned, so references across files (a bucket encrypted by a resource in
another file) are seen; only the findings are narrowed to the files of interest.

The scanned tree may be written by an attacker (a pull request from a fork), so git is handled as
a tool that must not take orders from it:

- The repository is found from the working directory (where CI checked out), never from inside
  the scanned tree, and every later command is pinned to it with `--git-dir`/`--work-tree`, so a
  folder of the tree shaped like a repository (HEAD, config, objects/, refs/ as plain files)
  cannot become the repository git reads, nor decide which files count as changed.
- Every command runs with `SAFE_CONFIG`: no fsmonitor, no hooks, no implicitly found bare
  repository, no pager, no external diff or textconv, no untracked cache, no network transport
  (a partial clone's lazy fetch), no submodule recursion, no rename detection (which reads
  blobs). The clean/smudge filters that the repository's own (trusted) configuration defines are
  emptied, so that a `.gitattributes` in the tree cannot make git run them on files it chooses.
  Nothing is read through a shell, and `GIT_TERMINAL_PROMPT=0`, `GIT_PAGER=cat`.
- A repository or bare repository below a scanned root, other than the working directory's own,
  is refused (`UnsafeRepository`): the CLI stops with exit 2 rather than guess.
"""
from __future__ import annotations

import os
import subprocess

from iacguard.core.model import ScanResult

GIT_TIMEOUT = 60

# `-c` settings given to every git command. Command-line configuration wins over every
# configuration file, and `safe.bareRepository` is only read from "protected" configuration
# (system, global, command line), so a repository's own config cannot undo any of these.
SAFE_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "safe.bareRepository=explicit",
    "core.pager=cat",
    "diff.external=",
    "core.untrackedCache=false",
    "diff.renames=false",
    "diff.ignoreSubmodules=all",
    "status.submoduleSummary=false",
    "submodule.recurse=false",
    "protocol.allow=never",
    "core.sshCommand=false",
    "core.askPass=",
    "credential.helper=",
    "log.showSignature=false",
    "core.splitIndex=false",
    "index.skipHash=false",
)
# Names that make a folder a repository in git's eyes (setup.c, is_git_directory).
_BARE_MARKERS = ("objects", "refs", "commondir")
# Terraform's own module cache: `terraform init` clones git modules there, with their `.git`.
# iacguard never scans it and never starts git in it.
_UNCHECKED_DIRS = frozenset({".terraform"})


class GitError(Exception):
    """git is missing, the directory is not in a repository, or the ref is unknown."""


class UnsafeRepository(GitError):
    """A repository (or a folder shaped like one) below a scanned root, or a working directory
    git would only take for a repository because it looks like a bare one."""


def _env() -> dict:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat", "LC_ALL": "C", "GIT_NO_LAZY_FETCH": "1",
                "GIT_OPTIONAL_LOCKS": "0"})
    return env


def _run(prefix: list, args: list, cwd: str) -> bytes:
    cmd = ["git", "--no-pager"]
    for setting in SAFE_CONFIG:
        cmd += ["-c", setting]
    cmd += prefix + list(args)
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False, env=_env(), stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise GitError("git is not installed (needed by --diff-base)") from None
    except subprocess.TimeoutExpired:
        raise GitError("git %s took longer than %d s" % (args[0], GIT_TIMEOUT)) from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip() or "git %s failed" % args[0]
        if "cannot use bare repository" in message:
            raise UnsafeRepository("refusing a folder shaped like a bare git repository: %s" % message.removeprefix("fatal: "))
        raise GitError(message)
    return proc.stdout


def _git(args: list, cwd: str) -> str:
    """git with the safe settings, discovering the repository from `cwd` (kept for callers that
    have no Repository yet)."""
    return _run([], args, cwd).decode("utf-8", "surrogateescape")


class Repository:
    """The repository of the working directory, with every command pinned to it."""

    def __init__(self, top: str, git_dir: str, common_dir: str) -> None:
        self.top = top
        self.git_dir = git_dir
        self.common_dir = common_dir
        self._filters: list | None = None

    @classmethod
    def discover(cls, cwd: str) -> "Repository":
        try:
            out = _git(["rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir"], cwd)
        except UnsafeRepository:
            raise
        except GitError as exc:
            if "not a git repository" in str(exc).lower():
                raise GitError("%s is not in a git repository" % cwd) from None
            raise
        lines = out.split("\n")
        if len(lines) < 3 or not lines[0]:
            raise GitError("%s is not in a git work tree" % cwd)
        top, git_dir, common = lines[0], lines[1], lines[2]
        common = os.path.normpath(os.path.join(cwd, common))
        return cls(os.path.realpath(top), os.path.realpath(git_dir), os.path.realpath(common))

    def _prefix(self) -> list:
        prefix = ["--git-dir=" + self.git_dir, "--work-tree=" + self.top]
        for name in self.filters():
            prefix += ["-c", "filter.%s.clean=" % name, "-c", "filter.%s.smudge=" % name,
                       "-c", "filter.%s.process=" % name, "-c", "filter.%s.required=false" % name]
        return prefix

    def filters(self) -> list:
        """Names of the content filters the configuration defines (`filter.<name>.*`)."""
        if self._filters is None:
            try:
                out = _run(["--git-dir=" + self.git_dir], ["config", "--name-only", "-z", "--get-regexp", r"^filter\."], self.top)
            except GitError:
                out = b""  # none defined: `git config --get-regexp` exits 1
            names = set()
            for key in out.decode("utf-8", "surrogateescape").split("\0"):
                if key.count(".") >= 2:
                    names.add(key[len("filter."):key.rindex(".")])
            self._filters = sorted(n for n in names if n and "=" not in n)
        return self._filters

    def run(self, args: list) -> str:
        return _run(self._prefix(), args, self.top).decode("utf-8", "surrogateescape")

    def verify_ref(self, ref: str) -> None:
        if not ref or ref.startswith("-"):
            raise GitError("invalid git ref %r" % ref)
        try:
            self.run(["rev-parse", "--verify", "--quiet", ref + "^{commit}"])
        except GitError:
            raise GitError("unknown git ref %r in %s" % (ref, self.top)) from None

    def changed_files(self, ref: str) -> set:
        """Real paths of the files that differ from `ref` (committed, staged or not) plus
        untracked files that are not ignored."""
        self.verify_ref(ref)
        names = self.run(["diff", "--name-only", "-z", "--no-ext-diff", "--no-textconv", "--no-renames",
                          "--ignore-submodules=all", "--end-of-options", ref, "--"]).split("\0")
        names += self.run(["ls-files", "--others", "--exclude-standard", "-z"]).split("\0")
        return {os.path.realpath(os.path.join(self.top, n)) for n in names if n}

    def file_at(self, ref: str, path: str) -> bytes | None:
        """The content of `path` (absolute, in the work tree) at `ref`, or None when it did not
        exist there. Raw bytes: no filter, no textconv."""
        self.verify_ref(ref)
        rel = os.path.relpath(os.path.realpath(path), self.top).replace(os.sep, "/")
        if rel.startswith("../") or rel == "..":
            raise GitError("%s is outside the repository %s" % (path, self.top))
        listed = self.run(["ls-tree", "-z", "--full-tree", "--end-of-options", ref, "--", rel])
        if not listed:
            return None
        meta = listed.split("\t", 1)[0].split()
        if len(meta) < 3 or meta[1] != "blob":
            return None
        return _run(self._prefix(), ["cat-file", "blob", meta[2]], self.top)

    def contains(self, path: str) -> bool:
        real = os.path.realpath(path)
        return real == self.top or real.startswith(self.top.rstrip(os.sep) + os.sep)

    def check_roots(self, roots) -> None:
        """Refuse scanned roots outside this repository, and any repository below them."""
        for root in roots:
            if not self.contains(root):
                raise UnsafeRepository("%s is not inside the repository of the working directory (%s)" % (root, self.top))
            nested = self.nested_repository(root)
            if nested:
                raise UnsafeRepository(
                    "refusing to run git: found %s in the scanned folder %s; git could take it for the repository and "
                    "run commands its configuration names" % (nested, root))

    def nested_repository(self, root: str) -> str | None:
        """The first repository-like path below `root` (a `.git` entry, or a folder shaped like a
        bare repository) that is not this repository's own, else None."""
        own = {self.git_dir, self.common_dir, os.path.join(self.top, ".git")}
        start = os.path.realpath(root)
        if not os.path.isdir(start):
            start = os.path.dirname(start)
        stack = [start]
        seen = set()
        while stack:
            folder = stack.pop()
            if folder in seen or folder in own:
                continue
            seen.add(folder)
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            names = {e.name for e in entries}
            if "HEAD" in names and names.intersection(_BARE_MARKERS):
                return "%s (a folder shaped like a bare git repository)" % folder
            for entry in entries:
                path = os.path.join(folder, entry.name)
                if entry.name == ".git":
                    if path in own or self._submodule_gitfile(path):
                        continue
                    return "%s (a git repository)" % path
                try:
                    if entry.is_dir(follow_symlinks=False) and entry.name not in _UNCHECKED_DIRS:
                        stack.append(path)
                except OSError:
                    continue
        return None

    def _submodule_gitfile(self, path: str) -> bool:
        """A `.git` file (not folder) that points into this repository's modules (a submodule)."""
        try:
            if not os.path.isfile(path) or os.path.islink(path):
                return False
            with open(path, "rb") as fh:
                text = fh.read(4096).decode("utf-8", "replace").strip()
        except OSError:
            return False
        if not text.startswith("gitdir:"):
            return False
        target = os.path.realpath(os.path.join(os.path.dirname(path), text[len("gitdir:"):].strip()))
        modules = os.path.join(self.common_dir, "modules")
        return target.startswith(modules + os.sep)


def repository_root(directory: str) -> str:
    """The top of the repository the working directory `directory` belongs to (found by git
    with the safe settings; a bare-looking `directory` is refused)."""
    return Repository.discover(directory).top


def changed_files(directory: str, ref: str, roots=None) -> set:
    """Real paths of the files that differ from `ref` (committed, staged or not) plus untracked
    files that are not ignored, in the repository of the working directory `directory`.
    `roots` (default: `directory`) are checked first for repositories below them."""
    if not ref or ref.startswith("-"):
        raise GitError("invalid git ref %r" % ref)
    repo = Repository.discover(directory)
    repo.check_roots(roots if roots is not None else [directory])
    return repo.changed_files(ref)


class ChangedFilesFilter:
    """The post-processing step: keeps findings (and suppressed findings) located in `paths`.
    A finding that carries an attack path (`Finding.path`) is kept when any step of the path is
    in one of them: a change to the role policy in the middle opens the path as much as a
    change to the entry point it is located at."""

    def __init__(self, paths) -> None:
        self.paths = {os.path.realpath(os.path.abspath(p)) for p in paths}

    def _inside(self, finding) -> bool:
        if os.path.realpath(finding.location.path) in self.paths:
            return True
        return any(os.path.realpath(s.location.path) in self.paths for s in getattr(finding, "path", ()))

    def __call__(self, result: ScanResult, graph=None) -> None:
        kept = [f for f in result.findings if self._inside(f)]
        result.outside_changes += len(result.findings) - len(kept)
        result.findings = kept
        result.suppressed = [s for s in result.suppressed if self._inside(s.finding)]
        undecided = [u for u in result.undecided if self._inside(u)]
        result.undecided_left_out += len(result.undecided) - len(undecided)
        result.undecided = undecided
