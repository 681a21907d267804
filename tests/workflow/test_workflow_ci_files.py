"""The GitHub Action, the workflows and the pre-commit hooks: schema-valid, audited clean, and
behaving as documented."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from workflow_support import REPO, SG_OPEN, commit_all, git, git_repo, write

pytestmark = pytest.mark.catalogue("core")  # asserts every finding: the checks it was written against

ACTION = REPO / "action.yml"
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def tool(name: str) -> str:
    """A console script installed beside this interpreter (the test extras), else on PATH."""
    for folder in (Path(sys.executable).parent, None):
        found = shutil.which(name, path=str(folder) if folder else None)
        if found:
            return found
    pytest.skip("%s is not installed (pip install -e '.[test]')" % name)


def run(args, cwd=REPO, env=None, timeout=120):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def test_workflows_exist():
    names = {p.name for p in WORKFLOWS}
    assert {"tests.yml", "iacguard-example.yml"} <= names


@pytest.mark.parametrize("schema, paths", [
    ("vendor.github-actions", [ACTION]),
    ("vendor.github-workflows", WORKFLOWS),
])
def test_schema_valid(schema, paths):
    proc = run([tool("check-jsonschema"), "--builtin-schema", schema, *map(str, paths)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_offline_clean():
    proc = run([tool("zizmor"), "--offline", "--no-progress", "--format", "json", str(ACTION), *map(str, WORKFLOWS)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout) == []


def test_action_shape():
    action = yaml.safe_load(ACTION.read_text())
    assert set(action["inputs"]) == {"path", "fail-on", "config", "fail-on-error", "extra-args", "sarif-file", "sarif-category", "upload-sarif",
                                     "html-report", "html-artifact-name"}
    assert action["inputs"]["sarif-category"]["default"] == ""
    # Every report path is an output, and the README names every output.
    assert set(action["outputs"]) == {"exit-code", "sarif-file", "markdown-file", "html-file"}
    readme = (REPO / "README.md").read_text()
    for name in action["outputs"]:
        assert "| `%s` |" % name in readme, name
    for name in action["inputs"]:  # the README's example workflow sets every input
        assert "          %s: " % name in readme, name
    assert action["inputs"]["fail-on-error"]["default"] == "true" and action["inputs"]["config"]["default"] == ""
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    for step in steps:
        # No template expansion inside scripts: inputs reach them through env only.
        assert "${{" not in step.get("run", ""), step["name"]
    for uses in ("upload-sarif", "upload-artifact"):  # third-party actions pinned to a commit
        upload = next(s for s in steps if uses in s.get("uses", ""))
        ref = upload["uses"].split("@", 1)[1]
        assert len(ref) == 40 and all(c in "0123456789abcdef" for c in ref)
        assert "# v" in ACTION.read_text().split(upload["uses"], 1)[1].splitlines()[0]
    html = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert "inputs.html-report != ''" in html["if"] and html["with"]["path"] == "${{ inputs.html-report }}"
    names = [s["name"] for s in steps]
    assert names.index("Upload SARIF to code scanning") < names.index("Fail on findings") == len(names) - 1


def test_example_workflow_permissions():
    wf = yaml.safe_load((REPO / ".github" / "workflows" / "iacguard-example.yml").read_text())
    triggers = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads `on` as true
    assert {"pull_request", "push"} <= set(triggers)
    job = wf["jobs"]["iacguard"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}


@pytest.fixture
def action_runner(tmp_path, iacguard_on_path):
    """Runs the action's script steps with bash as the runner would (install step replaced by
    the iacguard of this checkout)."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    action = yaml.safe_load(ACTION.read_text())
    temp = tmp_path / "runner-temp"
    (temp / "iacguard-venv" / "bin").mkdir(parents=True)
    os.symlink(iacguard_on_path / "iacguard", temp / "iacguard-venv" / "bin" / "iacguard")
    workspace = tmp_path / "workspace"
    workspace.mkdir()

    def run_steps(inputs: dict):
        values = {"path": ".", "fail-on": "", "config": "", "fail-on-error": "true", "extra-args": "", "sarif-file": "iacguard.sarif", "sarif-category": "",
                  "upload-sarif": "true", "html-report": "", "html-artifact-name": "iacguard-report", **inputs}
        files = {k: tmp_path / k for k in ("output", "summary")}
        for f in files.values():
            f.write_text("")
        outputs = {}
        for step in action["runs"]["steps"]:
            if "run" not in step or step["name"] == "Install iacguard":
                continue
            env = {**os.environ, "RUNNER_TEMP": str(temp), "GITHUB_OUTPUT": str(files["output"]), "GITHUB_STEP_SUMMARY": str(files["summary"])}
            for key, expr in (step.get("env") or {}).items():
                expr = expr.strip()
                if expr.startswith("${{ inputs."):
                    env[key] = values[expr[len("${{ inputs."):-3].strip()]
                elif expr == "${{ steps.scan.outputs.exit-code }}":
                    env[key] = outputs["exit-code"]
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=workspace, env=env, capture_output=True, text=True, timeout=60)
            for line in files["output"].read_text().splitlines():
                k, _, v = line.partition("=")
                outputs[k] = v
            if step["name"] == "Fail on findings":
                # The action's own outputs, resolved as the runner would; they include the
                # scan step's (exit-code).
                for name, spec in action["outputs"].items():
                    expr = spec["value"].strip()
                    if expr.startswith("${{ inputs."):
                        outputs[name] = values[expr[len("${{ inputs."):-3].strip()]
                    else:
                        assert expr.startswith("${{ steps.scan.outputs."), expr
                        outputs[name] = outputs.get(expr[len("${{ steps.scan.outputs."):-3].strip(), "")
                return proc.returncode, outputs, files["summary"].read_text()
            assert proc.returncode == 0, (step["name"], proc.stdout, proc.stderr)
        raise AssertionError("no final step")

    return workspace, run_steps


def test_action_scripts(action_runner):
    workspace, run_steps = action_runner
    write(workspace, {"infra/main.tf": SG_OPEN})
    code, outputs, summary = run_steps({"path": "infra", "fail-on": "high", "extra-args": "--exclude\nexamples\n--skip-check=AWS-S3-001\n--no-whole-project-checks"})
    assert (code, outputs["exit-code"]) == (1, "1")
    assert summary.startswith("## iacguard: 1 finding (1 high)")
    sarif = json.loads((workspace / "iacguard.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["AWS-EC2-001"]
    assert "AWS-S3-001" not in {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    code, outputs, _ = run_steps({"path": "infra", "fail-on": "critical"})
    assert (code, outputs["exit-code"]) == (0, "0")
    assert not (workspace / "iacguard-report.html").exists()
    code, outputs, _ = run_steps({"path": "infra", "fail-on": "critical", "html-report": "iacguard-report.html"})
    page = (workspace / "iacguard-report.html").read_text()
    assert code == 0 and page.startswith("<!DOCTYPE html>") and 'data-check="AWS-EC2-001"' in page
    code, outputs, _ = run_steps({"path": "infra", "extra-args": "--no-such-flag"})
    assert (code, outputs["exit-code"]) == (2, "2")


def test_action_extra_args_one_per_line(action_runner):
    """Three lines, one argument with a space, blank lines and stray whitespace: each line is
    passed as one argument, as it stands."""
    workspace, run_steps = action_runner
    write(workspace, {"infra/main.tf": SG_OPEN, "infra/old stuff/legacy.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'})
    code, outputs, _ = run_steps({"path": "infra", "fail-on": "critical"})
    sarif = json.loads((workspace / "iacguard.sarif").read_text())
    files = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert "infra/old%20stuff/legacy.tf" in files  # the tree without extra-args
    extra = "--exclude\n  old stuff  \n\n--check=AWS-EC2-001\r\n\n"
    code, outputs, summary = run_steps({"path": "infra", "extra-args": extra})
    assert (code, outputs["exit-code"]) == (1, "1")
    sarif = json.loads((workspace / "iacguard.sarif").read_text())
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in sarif["runs"][0]["results"]] == [("AWS-EC2-001", "infra/main.tf")]
    assert [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]] == ["AWS-EC2-001"]
    # The old space-separated form is one argument now, which iacguard refuses (exit 2).
    code, outputs, _ = run_steps({"path": "infra", "extra-args": "--exclude old stuff"})
    assert (code, outputs["exit-code"]) == (2, "2")
    # Empty extra-args adds nothing.
    code, outputs, _ = run_steps({"path": "infra", "extra-args": "\n \n"})
    assert outputs["exit-code"] == "1"


def test_action_outputs_name_every_report(action_runner):
    workspace, run_steps = action_runner
    write(workspace, {"infra/main.tf": SG_OPEN})
    code, outputs, summary = run_steps({"path": "infra", "sarif-file": "scan.sarif", "html-report": "report.html"})
    assert (code, outputs["exit-code"]) == (1, "1")
    assert outputs["sarif-file"] == "scan.sarif" and (workspace / "scan.sarif").is_file()
    assert outputs["html-file"] == "report.html" and (workspace / "report.html").read_text().startswith("<!DOCTYPE html>")
    markdown = Path(outputs["markdown-file"])
    assert markdown.is_absolute() and markdown.read_text() == summary  # the summary it wrote, to post as a comment
    code, outputs, _ = run_steps({"path": "infra"})
    assert outputs["html-file"] == ""
    # A scan that stops on a usage error writes no summary: the output is empty, not a stale file.
    code, outputs, summary = run_steps({"path": "infra", "extra-args": "--no-such-flag"})
    assert (code, outputs["exit-code"], outputs["markdown-file"], summary) == (2, "2", "", "")


def test_action_sarif_category(action_runner):
    """Two scans in one workflow (two folders) upload two categories; `sarif-category` names one."""
    workspace, run_steps = action_runner
    write(workspace, {"infra/main.tf": SG_OPEN, "app/main.tf": SG_OPEN})
    ids = {}
    for path, category, sarif_file in (("infra", "", "infra.sarif"), ("./app/", "", "app.sarif"), (".", "", "all.sarif"), ("app", "app prod", "named.sarif")):
        code, outputs, _ = run_steps({"path": path, "sarif-category": category, "sarif-file": sarif_file})
        assert outputs["exit-code"] == "1"
        log = json.loads((workspace / sarif_file).read_text())
        ids[sarif_file] = log["runs"][0]["automationDetails"]["id"]
    assert ids == {"infra.sarif": "iacguard/infra/", "app.sarif": "iacguard/app/", "all.sarif": "iacguard/", "named.sarif": "iacguard/app prod/"}


def test_action_config_and_fail_on_error_inputs(action_runner):
    workspace, run_steps = action_runner
    # The pull request's own configuration turns everything off; the trusted one given as the
    # `config` input is used instead, and the report names it.
    write(workspace, {"infra/main.tf": SG_OPEN, ".iacguard.toml": 'fail-on = "none"\nskip-checks = ["AWS-EC2-001"]\n',
                      "trusted/iacguard.toml": 'skip-checks = ["AWS-S3-001"]\n'})
    code, outputs, summary = run_steps({"path": "infra"})
    assert (code, outputs["exit-code"]) == (0, "0")
    assert "**Configuration:** `.iacguard.toml`" in summary
    code, outputs, summary = run_steps({"path": "infra", "config": "trusted/iacguard.toml"})
    assert (code, outputs["exit-code"]) == (1, "1")
    assert "**Configuration:** `trusted/iacguard.toml`" in summary
    sarif = json.loads((workspace / "iacguard.sarif").read_text())
    assert sarif["runs"][0]["invocations"][0]["properties"]["configurationFile"] == "trusted/iacguard.toml"
    code, outputs, _ = run_steps({"path": "infra", "config": "trusted/iacguard.toml", "fail-on-error": "false"})
    assert outputs["exit-code"] == "1"  # --no-fail-on-error is accepted


def _try_repo_env(tmp_path, iacguard_on_path):
    env = {**os.environ, "PATH": "%s%s%s" % (iacguard_on_path, os.pathsep, os.environ.get("PATH", "")),
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    env.update({"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"})
    return env


def _hooks_repo(tmp_path):
    (tmp_path / "hooks").mkdir()
    hooks = git_repo(tmp_path / "hooks")
    shutil.copy(REPO / ".pre-commit-hooks.yaml", hooks / ".pre-commit-hooks.yaml")
    commit_all(hooks, "hooks")
    return hooks


def test_pre_commit_try_repo(tmp_path, iacguard_on_path):
    """`pre-commit try-repo` with the hooks of this checkout, against a throwaway repository.

    Uses the `iacguard-system` hook (language: system), which needs no network; the
    `language: python` hook would make pre-commit pip-install iacguard first."""
    pre_commit = tool("pre-commit")
    hooks = _hooks_repo(tmp_path)
    project = git_repo(write(tmp_path / "project", {
        "network.tf": SG_OPEN,
        "storage.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
        "encryption.tf": (
            'resource "aws_s3_bucket_server_side_encryption_configuration" "b" {\n  bucket = aws_s3_bucket.b.id\n'
            '  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = "aws:kms"\n    }\n  }\n}\n'
        ),
        "notes.txt": "not scanned\n",
    }))
    commit_all(project, "insecure")
    env = _try_repo_env(tmp_path, iacguard_on_path)
    # Nothing staged, every file (a CI job): the whole repository is reported.
    proc = run([pre_commit, "try-repo", str(hooks), "iacguard-system", "--all-files"], cwd=project, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "AWS-EC2-001" in proc.stdout and "network.tf" in proc.stdout and "AWS-S3-002" in proc.stdout
    # Graph context: the bucket is encrypted by a resource in another file.
    assert "AWS-S3-001" not in proc.stdout
    # A commit: only the staged files are reported on.
    write(project, {"storage.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b2"\n}\n'})
    git(project, "add", "storage.tf")
    proc = run([pre_commit, "try-repo", str(hooks), "iacguard-system"], cwd=project, env=env)
    assert "AWS-EC2-001" not in proc.stdout and "AWS-S3-002" in proc.stdout, proc.stdout + proc.stderr
    git(project, "commit", "-q", "-m", "storage")
    # A fixed file passes.
    write(project, {"network.tf": SG_OPEN.replace("0.0.0.0/0", "10.0.0.0/8")})
    git(project, "add", "network.tf")
    proc = run([pre_commit, "try-repo", str(hooks), "iacguard-system"], cwd=project, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    git(project, "commit", "-q", "-m", "fixed")
    # pre-push and `run --from-ref/--to-ref`: the files changed between the refs.
    proc = run([pre_commit, "try-repo", str(hooks), "iacguard-system", "--from-ref", "HEAD~2", "--to-ref", "HEAD~1"], cwd=project, env=env)
    assert proc.returncode == 1 and "AWS-S3-002" in proc.stdout and "AWS-EC2-001" not in proc.stdout, proc.stdout + proc.stderr
    # No IaC file staged: the hook does not run at all.
    write(project, {"notes.txt": "changed\n"})
    git(project, "add", "notes.txt")
    proc = run([pre_commit, "try-repo", str(hooks), "iacguard-system"], cwd=project, env=env)
    assert proc.returncode == 0 and "no files to check" in proc.stdout.lower(), proc.stdout


def test_pre_commit_one_scan_one_report_however_pre_commit_batches(tmp_path, iacguard_on_path):
    """A commit of more files than fit on one command line: pre-commit would split them into
    several invocations (each scanning the repository and printing a report); the hook runs once
    and prints one report naming findings from the first and the last files."""
    pre_commit = tool("pre-commit")
    xargs = pytest.importorskip("pre_commit.xargs")
    hooks = _hooks_repo(tmp_path)
    folder = "f" * 120
    names = ["%s/%s_%04d.tf" % (folder, "n" * 100, i) for i in range(700)]
    files = {name: "# empty %d\n" % i for i, name in enumerate(names)}
    files[names[0]] = SG_OPEN
    files[names[-1]] = 'resource "aws_s3_bucket" "last" {\n  bucket = "last"\n}\n'
    project = git_repo(write(tmp_path / "project", files))
    git(project, "add", "-A")  # staged, not committed: the files of this commit
    # With the file names passed, pre-commit would run the hook several times.
    batches = xargs.partition(("iacguard", "pre-commit"), tuple(sorted(names)), 1)
    assert len(batches) > 1
    env = _try_repo_env(tmp_path, iacguard_on_path)
    proc = run([pre_commit, "try-repo", str(hooks), "iacguard-system", "--verbose"], cwd=project, env=env, timeout=600)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert out.count("Summary") == 1, out
    assert out.count("Files scanned: 700") == 1, out
    assert "AWS-EC2-001" in out and "AWS-S3-002" in out
    assert "%s_0000.tf" % ("n" * 100) in out and "%s_0699.tf" % ("n" * 100) in out


def test_pre_commit_without_files_outside_a_commit(tmp_path):
    """`iacguard pre-commit` with no names, as the hooks run it: the staged files, every file
    when nothing is staged, nothing outside a repository."""
    from workflow_support import cli

    project = git_repo(write(tmp_path / "project", {"network.tf": SG_OPEN, "storage.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'}))
    commit_all(project)
    res = cli(["pre-commit", "--no-config"], project)
    assert res.exit_code == 1 and "AWS-EC2-001" in res.stdout and "AWS-S3-002" in res.stdout
    write(project, {"storage.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b2"\n}\n'})
    git(project, "add", "storage.tf")
    res = cli(["pre-commit", "--no-config"], project)
    assert "AWS-EC2-001" not in res.stdout and "AWS-S3-002" in res.stdout
    res = cli(["pre-commit", "--no-config"], project, env={"PRE_COMMIT_FROM_REF": "no-such-ref", "PRE_COMMIT_TO_REF": "HEAD"})
    assert res.exit_code == 2 and "unknown git ref" in res.output
    plain = write(tmp_path / "plain", {"network.tf": SG_OPEN})
    assert cli(["pre-commit", "--no-config"], plain).exit_code == 0


def test_pre_commit_hooks_file():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"iacguard", "iacguard-system"}
    for hook in hooks:
        assert hook["entry"] == "iacguard pre-commit"
        # One invocation per commit, however long the file list: iacguard asks git for the files.
        assert hook["pass_filenames"] is False and hook["require_serial"] is True
    assert by_id["iacguard"]["language"] == "python" and by_id["iacguard-system"]["language"] == "system"


@pytest.mark.skipif(not os.environ.get("IACGUARD_TEST_NETWORK"), reason="installs iacguard with pip; set IACGUARD_TEST_NETWORK=1")
def test_pre_commit_python_hook_installs_from_the_repository(tmp_path):
    pre_commit = tool("pre-commit")
    clone = tmp_path / "clone"
    files = git(REPO, "ls-files", "-co", "--exclude-standard", "-z").split("\0")
    for name in filter(None, files):
        src = REPO / name
        if src.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, clone / name)
    git_repo(clone)
    commit_all(clone, "snapshot")
    project = git_repo(write(tmp_path / "project", {"main.tf": SG_OPEN}))
    commit_all(project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "home")}
    proc = run([pre_commit, "try-repo", str(clone), "iacguard", "--all-files"], cwd=project, env=env, timeout=600)
    assert proc.returncode == 1 and "AWS-EC2-001" in proc.stdout, proc.stdout + proc.stderr


def test_ci_run_installs_the_sarif_multitool():
    """.ci/run installs the SARIF Multitool (tests/output/test_output_sarif_multitool.py fails
    under CI without it) before the test command, and still installs Chromium."""
    script = (REPO / ".ci" / "run").read_text()
    assert run(["bash", "-n", str(REPO / ".ci" / "run")]).returncode == 0
    install = script.index("npm install --prefix")
    assert "@microsoft/sarif-multitool@5" in script[install:].splitlines()[0] and "--ignore-scripts" in script[install:].splitlines()[0]
    assert install < script.index("export IACGUARD_SARIF_MULTITOOL_PREFIX=") < script.index('pip install -e ".[test]" && pytest')
    assert "apt-get install -y -qq chromium" in script
