"""Which files a pre-commit run is about, when the hook is not given them.

The pre-commit hooks run `iacguard pre-commit` with no file names (`pass_filenames: false`), once
per run: pre-commit splits a long file list into several invocations, and each would scan the
whole repository and print a report of its own. The command asks git instead, as pre-commit does:

- `pre-commit run --from-ref A --to-ref B` and the pre-push stage (PRE_COMMIT_FROM_REF and
  PRE_COMMIT_TO_REF set): the files changed in `A...B`;
- a commit (or `pre-commit run` with staged changes): the staged files;
- nothing staged (`pre-commit run --all-files`, a CI job): None, every file.

Git runs through `Repository` (iacguard.post.changed_files): the same pinned repository and
disabled repository-local commands as `--diff-base`.
"""
from __future__ import annotations

import os

_DIFF = ["diff", "--name-only", "-z", "--no-ext-diff", "--no-textconv", "--no-renames", "--ignore-submodules=all"]


def files_to_report(repo, environ=None) -> list | None:
    """Absolute paths of the files this run reports on, or None for every file."""
    environ = os.environ if environ is None else environ
    from_ref, to_ref = environ.get("PRE_COMMIT_FROM_REF", ""), environ.get("PRE_COMMIT_TO_REF", "")
    if from_ref and to_ref:
        repo.verify_ref(from_ref)
        repo.verify_ref(to_ref)
        names = repo.run(_DIFF + ["%s...%s" % (from_ref, to_ref), "--"]).split("\0")
    else:
        names = repo.run(_DIFF + ["--cached", "--"]).split("\0")
        if not any(names):
            return None
    return [os.path.join(repo.top, n) for n in names if n]
