"""No secret reaches a report (issue 9, point 2).

A pull request's configuration tries to copy the CI checkout token (`.git/config`), a cloud
credential file, `.env`, hidden files, files outside the workspace (through a link) and a FIFO into
resource addresses, names, tags and CIDRs; TF_VAR_* values from the CI environment, sensitive
variables and NoEcho parameters try the same. Every format (text, JSON, SARIF, JUnit, Markdown) and
the baseline file are checked, the insecure resources beside them are still reported, and each
refusal is a note naming the function and the path as written.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.cli import main
from iacguard.discover import discover
from iacguard.engine import parse_source
from iacguard.core.model import ScanOptions
from iacguard.post.redact import MASK, Redactor, secret_strings
from iacguard.terraform import functions as F
from iacguard.terraform.evaluate import evaluate_configuration
from iacguard.core.unknown import Unknown
from tree_files import write

FORMATS = ("text", "json", "sarif", "junit", "markdown", "html", "github", "gitlab", "gitlab-sast")

OPEN_SG = """
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""


def run_cli(args, cwd, env=None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, env=env)
    finally:
        os.chdir(old)


def every_report(tree: Path, out: Path, *extra, env=None) -> tuple[dict, str]:
    """Scan `tree` (from inside it) writing every format and a baseline; returns the JSON report
    and all the text produced (reports, baseline, stdout, stderr) joined."""
    out.mkdir(exist_ok=True)
    args = ["scan", ".", "--no-cache", "--format", "json", *extra]
    for fmt in FORMATS:
        args += ["--output-file", "%s=%s" % (fmt, out / ("report." + fmt))]
    res = run_cli(args, tree, env)
    assert res.exit_code in (0, 1), res.output
    report = json.loads(res.stdout)
    base = run_cli(["baseline", ".", "--no-cache", "-o", out / "baseline.json", *extra], tree, env)
    assert base.exit_code == 0, base.output
    texts = [res.stdout, res.stderr, base.stdout, base.stderr]
    texts += [(out / ("report." + fmt)).read_text(encoding="utf-8") for fmt in FORMATS]
    texts.append((out / "baseline.json").read_text(encoding="utf-8"))
    return report, "\n".join(texts)


def findings(report) -> list:
    return sorted((f["check_id"], f["resource"]["address"]) for f in report["findings"])


def notes(report) -> list:
    return [(n["level"], n["file"], n["line"], n["message"]) for n in report["notifications"]]


def assert_absent(secret: str, everything: str) -> None:
    variants = {secret, base64.b64encode(secret.encode()).decode()[:-4], json.dumps(secret)[1:-1]}
    for v in variants:
        assert v not in everything, v


# -- file functions ------------------------------------------------------------------------------

FILES_TF = """
resource "aws_security_group" "git" {
  for_each = toset(split("\\n", file(".git/config")))
  name     = each.key
  tags     = { h = filesha256(".git/config") }
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_s3_bucket" "gha" {
  bucket = file("gha-creds-abc.json")
  tags   = { t = filebase64(".env") }
}

resource "aws_security_group_rule" "tpl" {
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = [templatefile(".hidden/secret.txt", {}), try(file(".env"), "10.0.0.0/8")]
  security_group_id = "sg-1"
}

resource "aws_s3_bucket" "listed" {
  for_each = fileset(path.module, "**")
  bucket   = each.key
}

resource "aws_s3_bucket" "odd" {
  for_each = toset([filemd5("outside_link.txt"), file("pipe"), tostring(fileexists(".env")), file("../outside.txt")])
  bucket   = each.key
}
"""

SECRETS = {
    ".git/config": '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic SECRETTOKEN123\n',
    "gha-creds-abc.json": '{"type": "external_account", "private_key": "GHACREDSECRET456"}\n',
    ".env": "API_KEY=DOTENVSECRET789\n",
    ".hidden/secret.txt": "HIDDENDIRSECRET\n",
}
SECRET_WORDS = ("SECRETTOKEN123", "GHACREDSECRET456", "DOTENVSECRET789", "HIDDENDIRSECRET", "OUTSIDESECRET")


@pytest.fixture
def hostile_tree(tmp_path):
    tree = write(tmp_path / "ws", {"main.tf": FILES_TF, "web.tf": OPEN_SG, **SECRETS})
    (tmp_path / "outside.txt").write_text("OUTSIDESECRET\n")
    os.symlink(tmp_path / "outside.txt", tree / "outside_link.txt")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tree / "pipe")
    return tree


def test_file_functions_never_copy_hidden_credential_or_outside_files_into_a_report(hostile_tree, tmp_path):
    report, everything = every_report(hostile_tree, tmp_path / "out")
    for word in SECRET_WORDS:
        assert_absent(word, everything)
    got = findings(report)
    # The insecure resources are still reported, with symbolic (not secret) instance keys.
    assert ("AWS-EC2-001", "aws_security_group.web") in got
    assert ("AWS-EC2-001", "aws_security_group.git[*]") in got
    # fileset() lists neither hidden nor credential files nor what a link or FIFO is.
    listed = sorted(a for _, a in got if a.startswith("aws_s3_bucket.listed"))
    assert set(listed) == {'aws_s3_bucket.listed["main.tf"]', 'aws_s3_bucket.listed["web.tf"]'}
    found = notes(report)
    expected = [
        ("warning", "main.tf", 2, 'file(".git/config") not read: hidden path'),
        ("warning", "main.tf", 4, 'filesha256(".git/config") not read: hidden path'),
        ("warning", "main.tf", 14, 'file("gha-creds-abc.json") not read: credential file'),
        ("warning", "main.tf", 15, 'filebase64(".env") not read: hidden path'),
        ("warning", "main.tf", 23, 'templatefile(".hidden/secret.txt") not read: hidden path'),
        ("warning", "main.tf", 23, 'file(".env") not read: hidden path'),
        ("warning", "main.tf", 33, 'filemd5("outside_link.txt") not read: link leads outside the scanned root'),
        ("warning", "main.tf", 33, 'fileexists(".env") not read: hidden path'),
        ("warning", "main.tf", 33, 'file("../outside.txt") not read: outside the scanned root'),
    ]
    if hasattr(os, "mkfifo"):
        expected.append(("warning", "main.tf", 33, 'file("pipe") not read: a FIFO'))
    for note in expected:
        assert note in found, (note, found)
    assert any(level == "note" and line == 28 and "fileset(" in m and "left out" in m for level, _, line, m in found)
    # try() does not swap a fallback in for a refusal: the value stays unknown.
    assert any(u["what"] == "aws_security_group_rule.tpl.cidr_blocks.1" and "not read: hidden path" in u["reason"] for u in report["unknowns"])


def evaluate(root: Path, options: ScanOptions | None = None):
    disc = discover([str(root)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    result = evaluate_configuration(files, disc.roots[0], options or ScanOptions())
    return result, {r.address: r for r in result.resources}


def test_refusals_are_unknown_even_inside_try_and_can(tmp_path):
    write(tmp_path, {".git/config": SECRETS[".git/config"], "main.tf": """
        resource "aws_s3_bucket" "b" {
          bucket = try(file(".git/config"), "fallback")
          tags   = { can = can(file(".git/config")), ok = file("ok.txt"), listed = join(",", fileset(".", "*")) }
        }
        """, "ok.txt": "fine"})
    _, res = evaluate(tmp_path)
    props = res["aws_s3_bucket.b"].properties
    assert isinstance(props["bucket"], Unknown) and props["bucket"].reason == 'file(".git/config") not read: hidden path'
    assert isinstance(props["tags"]["can"], Unknown)
    assert props["tags"]["ok"] == "fine"
    assert props["tags"]["listed"] == "main.tf,ok.txt"


def test_excluded_paths_are_not_read(tmp_path):
    write(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = file("private/name.txt")\n}\n',
                     "private/name.txt": "EXCLUDEDSECRET1"})
    result, res = evaluate(tmp_path, ScanOptions(excludes=["private"]))
    assert isinstance(res["aws_s3_bucket.b"].properties["bucket"], Unknown)
    assert [n.message for n in result.notifications] == ['file("private/name.txt") not read: excluded']
    _, res = evaluate(tmp_path)
    assert res["aws_s3_bucket.b"].properties["bucket"] == "EXCLUDEDSECRET1"


def test_installed_module_reads_its_own_files_but_not_hidden_ones(tmp_path):
    """A module `terraform init` copied into .terraform/modules reads its own files."""
    write(tmp_path, {
        "main.tf": 'module "m" {\n  source = "example/m/aws"\n}\n',
        ".terraform/modules/modules.json": json.dumps({"Modules": [{"Key": "m", "Source": "example/m/aws", "Dir": ".terraform/modules/m"}]}),
        ".terraform/modules/m/main.tf": """
            resource "aws_s3_bucket" "own" {
              bucket = trimspace(file("${path.module}/name.txt"))
              tags   = { git = file("${path.module}/.git/config"), up = file("${path.module}/../../../.git/config") }
            }
            """,
        ".terraform/modules/m/name.txt": "module-bucket\n",
        ".terraform/modules/m/.git/config": SECRETS[".git/config"],
        ".git/config": SECRETS[".git/config"],
    })
    _, res = evaluate(tmp_path)
    props = res["module.m.aws_s3_bucket.own"].properties
    assert props["bucket"] == "module-bucket"
    assert isinstance(props["tags"]["git"], Unknown) and props["tags"]["git"].reason.endswith("not read: hidden path")
    assert isinstance(props["tags"]["up"], Unknown) and props["tags"]["up"].reason.endswith("not read: hidden path")


def test_discovery_skips_hidden_and_credential_files(tmp_path):
    write(tmp_path, {"main.tf": OPEN_SG, ".hidden.tf": OPEN_SG, "gha-creds-1.json": '{"Resources": {}}'})
    assert [os.path.basename(f.path) for f in discover([str(tmp_path)]).files] == ["main.tf"]


# -- fileset() globs -----------------------------------------------------------------------------

BOMB = "**/*a*a*a*a*a*a*a*a*a*a*a*a*a*b"


def test_fileset_glob_bomb_finishes_with_a_note(tmp_path):
    tree = write(tmp_path / "ws", {"bomb/main.tf": 'resource "aws_s3_bucket" "b" {\n  for_each = fileset(path.module, "%s")\n  bucket = each.key\n}\n' % BOMB,
                                   "web/main.tf": OPEN_SG})
    for i in range(3):
        (tree / "bomb" / ("a" * 200 + str(i))).write_text("x")
    code = "import sys; from iacguard.cli import main; sys.argv = ['iacguard'] + sys.argv[1:]; main()"
    proc = subprocess.run([sys.executable, "-c", code, "scan", str(tree), "--no-cache", "--format", "json"],
                          capture_output=True, text=True, timeout=120)  # a hang guard, not a speed test
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert ("AWS-EC2-001", "aws_security_group.web") in findings(report)
    assert any("fileset(%s): glob matching took longer than 1s (backtracking)" % json.dumps(BOMB) == n["message"] and n["level"] == "warning"
               for n in report["notifications"]), report["notifications"]


class Ctx:
    def __init__(self, base, root):
        self.base_dir, self.root_dir = str(base), str(root)


def test_fileset_glob_bomb_without_the_timer_is_refused(tmp_path):
    (tmp_path / ("a" * 200)).write_text("x")
    out = []
    t = threading.Thread(target=lambda: out.append(F.call_function("fileset", [".", BOMB], Ctx(tmp_path, tmp_path))), daemon=True)
    t.start()
    t.join(120)  # a hang guard
    assert out and isinstance(out[0], Unknown) and "too long for a backtracking-safe glob match" in out[0].reason


def test_fileset_pattern_size_is_bounded(tmp_path):
    ctx = Ctx(tmp_path, tmp_path)
    assert "alternatives" in F.call_function("fileset", [".", "{a,b}" * 40], ctx).reason
    assert "longer than" in F.call_function("fileset", [".", "a" * 600], ctx).reason
    assert F.call_function("fileset", [".", "{a,b}*"], ctx) == []


# -- TF_VAR_* ------------------------------------------------------------------------------------

ENV_TF = """
variable "bucket_name" {
  type    = string
  default = "plain-bucket"
}

resource "aws_s3_bucket" "b" {
  for_each = toset([var.bucket_name])
  bucket   = var.bucket_name
}
"""


def test_tf_var_environment_is_read_only_when_asked(tmp_path):
    tree = write(tmp_path / "ws", {"main.tf": ENV_TF})
    env = {"TF_VAR_bucket_name": "ENVSECRETBUCKET42"}
    report, everything = every_report(tree, tmp_path / "out1", env=env)
    assert_absent("ENVSECRETBUCKET42", everything)
    assert ("AWS-S3-001", 'aws_s3_bucket.b["plain-bucket"]') in findings(report)
    report, _ = every_report(tree, tmp_path / "out2", "--tf-vars-from-env", env=env)
    assert ("AWS-S3-001", 'aws_s3_bucket.b["ENVSECRETBUCKET42"]') in findings(report)


def test_tf_vars_from_env_key_is_honoured_only_from_an_explicit_config(tmp_path):
    tree = write(tmp_path / "ws", {"main.tf": ENV_TF, ".iacguard.toml": "tf-vars-from-env = true\n"})
    env = {"TF_VAR_bucket_name": "ENVSECRETBUCKET42"}
    report, everything = every_report(tree, tmp_path / "out1", env=env)
    assert_absent("ENVSECRETBUCKET42", everything)
    assert any(level == "warning" and file == ".iacguard.toml" and m.startswith("configuration key tf-vars-from-env ignored")
               for level, file, _, m in notes(report)), notes(report)
    trusted = write(tmp_path / "trusted", {"iacguard.toml": "tf-vars-from-env = true\n"}) / "iacguard.toml"
    report, _ = every_report(tree, tmp_path / "out2", "--config", trusted, env=env)
    assert ("AWS-S3-001", 'aws_s3_bucket.b["ENVSECRETBUCKET42"]') in findings(report)


# -- sensitive variables -------------------------------------------------------------------------

SENSITIVE_TF = """
variable "db_password" {
  type      = string
  sensitive = true
}

variable "admin_cidr" {
  type      = string
  default   = "0.0.0.0/0"
  sensitive = true
}

resource "aws_s3_bucket" "logs" {
  for_each = toset([var.db_password])
  bucket   = "${var.db_password}-logs"
}

resource "aws_security_group" "admin" {
  name = "admin"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
"""


@pytest.mark.parametrize("how", ["tfvars", "--var", "env", "cache"])
def test_sensitive_variables_are_never_printed(tmp_path, how):
    secret = "TFVARSSECRET77"
    files = {"main.tf": SENSITIVE_TF}
    extra, env = [], None
    if how in ("tfvars", "cache"):
        files["terraform.tfvars"] = 'db_password = "%s"\n' % secret
    elif how == "--var":
        extra = ["--var", "db_password=" + secret]
    else:
        extra, env = ["--tf-vars-from-env"], {"TF_VAR_db_password": secret}
    tree = write(tmp_path / "ws", files)
    if how == "cache":
        # The second scan is answered from the scan cache: the secrets travel with the entry.
        cache = tmp_path / "cache"
        first = run_cli(["scan", ".", "--cache-dir", cache, "--format", "json"], tree)
        res = run_cli(["scan", ".", "--cache-dir", cache, "--format", "markdown"], tree)
        report, everything = json.loads(first.stdout), first.stdout + res.stdout + res.stderr
        assert "(sensitive)" in res.stdout
    else:
        report, everything = every_report(tree, tmp_path / "out", *extra, env=env)
    assert_absent(secret, everything)
    got = findings(report)
    assert ("AWS-S3-001", 'aws_s3_bucket.logs["(sensitive)"]') in got
    # The CIDR of the open rule is a sensitive value too: the finding stays, its value does not.
    admin = [f for f in report["findings"] if f["resource"]["address"] == "aws_security_group.admin"]
    assert [f["check_id"] for f in admin] == ["AWS-EC2-001"]
    assert "0.0.0.0/0" not in admin[0]["message"] and MASK in admin[0]["message"]


# -- CloudFormation NoEcho -----------------------------------------------------------------------

NOECHO_YAML = """
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  DbPassword:
    Type: String
    NoEcho: true
    AllowedValues: [one, two]
  AdminCidr:
    Type: String
    NoEcho: "true"
    Default: 0.0.0.0/0
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${DbPassword}-logs"
  Admin:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: admin
      GroupName: !Sub "admin-${DbPassword}"
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !Ref AdminCidr
"""


@pytest.mark.parametrize("how", ["--cfn-param", "--cfn-params"])
def test_noecho_parameters_are_never_printed(tmp_path, how):
    secret = "CFNNOECHOSECRET1"
    tree = write(tmp_path / "ws", {"stack.yaml": NOECHO_YAML})
    if how == "--cfn-param":
        extra = ["--cfn-param", "DbPassword=" + secret]
    else:
        params = write(tmp_path / "params", {"p.json": json.dumps([{"ParameterKey": "DbPassword", "ParameterValue": secret}])}) / "p.json"
        extra = ["--cfn-params", params]
    report, everything = every_report(tree, tmp_path / "out", *extra)
    assert_absent(secret, everything)
    # The AllowedValues warning would quote the value: it is there, the value is not.
    assert any("of parameter DbPassword is not one of its AllowedValues" in m and MASK in m for _, _, _, m in notes(report))
    admin = [f for f in report["findings"] if f["resource"]["address"] == "Admin" and f["check_id"] == "AWS-EC2-001"]
    assert admin and "0.0.0.0/0" not in admin[0]["message"]


# -- the redaction itself ------------------------------------------------------------------------

def test_secret_strings_and_short_values():
    assert sorted(secret_strings({"a": ["x1", 2, True], "b": None, "c": "  "})) == ["2", "true", "x1"]
    r = Redactor(["hunter22", "ab", "true"])
    assert r.text("db-hunter22-logs") == "db-(sensitive)-logs"
    assert r.text("ab") == MASK
    assert r.text('x["ab"]') == 'x["(sensitive)"]'
    assert r.text("label abc tab") == "label abc tab"  # a short value only as a whole token
    assert r.text("true") == MASK and r.text("untrue") == "untrue"
    assert not Redactor(["", " "])


def test_node_modules_is_not_read_as_discovery_skips_it(tmp_path):
    """Discovery never walks node_modules (vendored packages, often with tokens in .npmrc-like
    files); file functions refuse it the same way."""
    write(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = file("node_modules/pkg/token.txt")\n}\n',
                     "node_modules/pkg/token.txt": "NODEMODULESSECRET"})
    result, res = evaluate(tmp_path)
    assert isinstance(res["aws_s3_bucket.b"].properties["bucket"], Unknown)
    assert [n.message for n in result.notifications] == ['file("node_modules/pkg/token.txt") not read: skipped folder (node_modules)']
