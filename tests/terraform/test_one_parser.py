"""One production HCL parser (issue 11): `.tf` files, `.tfvars`, `--var` values, `.tf.json` template
strings and `templatefile`/`templatestring` are all read by `fastparse`, with the same rules; python-hcl2
(the test oracle, tests/hcl2_oracle.py) is never imported at run time, so a file the fast parser
refuses is a parse error with its line, not a second opinion from another grammar."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from iacguard.discover import discover
from iacguard.engine import parse_source, scan
from iacguard.core.model import ScanOptions
from iacguard.terraform import parse_file
from iacguard.terraform.evaluate import evaluate_configuration
from iacguard.terraform.expressions import Scope, evaluate
from iacguard.terraform.parser import HclSyntaxError, parse_template

ROOT = Path(__file__).resolve().parents[2]


def _write(root: Path, files: dict) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def _resources(root: Path, options: ScanOptions | None = None) -> dict:
    disc = discover([str(root)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    result = evaluate_configuration(files, disc.roots[0], options or ScanOptions())
    return {r.address: r for r in result.resources}


# -- `a = 1 2`: Terraform refuses it; the old fallback (python-hcl2) read it as 12 -----------------


def test_juxtaposed_numbers_are_a_syntax_error():
    with pytest.raises(HclSyntaxError) as info:
        parse_file('locals {\n  a = 1\n  b = 1 2\n}\n', "/x/main.tf")
    assert info.value.line == 3


def test_juxtaposed_numbers_file_is_a_parse_error_note_with_its_line(tmp_path):
    _write(tmp_path, {
        "main.tf": '''
            resource "aws_s3_bucket" "b" {
              bucket = "b"
              object_lock_enabled = 1 2
            }
        ''',
    })
    result = scan([str(tmp_path)], cwd=str(tmp_path))
    notes = [(Path(n.path).name, n.line, n.message.split(":")[0]) for n in result.notifications if n.level == "error"]
    assert notes == [("main.tf", 3, "parse error")]
    assert result.resources == 0


# -- templates follow the rules of .tf files ---------------------------------------------------


def test_template_newlines_inside_parentheses_as_in_tf_files():
    # `${(1\n + 2)}` is valid in a .tf string; python-hcl2 refused it in a template file.
    assert evaluate(parse_template("v=${(1\n + 2)}\n"), Scope()) == "v=3\n"
    cf = parse_file('a = "v=${(1\n + 2)}"\n', "/x/main.tf")
    assert evaluate(cf.body.attributes["a"].expr, Scope()) == "v=3"


def test_templatefile_and_templatestring_render_multiline_interpolations(tmp_path):
    _write(tmp_path, {
        "main.tf": '''
            resource "aws_instance" "web" {
              user_data = templatefile("${path.module}/init.tpl", { port = 8080 })
              tags = {
                s = templatestring(local.tpl, { n = 2 })
              }
            }
            locals {
              tpl = "n=$${(n\\n * 2)}"
            }
        ''',
        "init.tpl": "port=${(port\n  + 1)}\n%{ if (port\n > 1) }big%{ endif }\n",
    })
    web = _resources(tmp_path)["aws_instance.web"]
    assert web.properties["user_data"] == "port=8081\nbig\n"
    assert web.properties["tags"] == {"s": "n=4"}


def test_tf_json_template_strings_use_the_same_parser(tmp_path):
    _write(tmp_path, {
        "main.tf.json": json.dumps({
            "resource": {"aws_s3_bucket": {"b": {"bucket": "b-${(1\n + 2)}"}}},
        }),
    })
    assert _resources(tmp_path)["aws_s3_bucket.b"].properties["bucket"] == "b-3"


def test_var_values_use_the_same_parser(tmp_path):
    _write(tmp_path, {
        "main.tf": '''
            variable "ports" {
              type = list(number)
            }
            resource "aws_s3_bucket" "b" {
              bucket = "b-${var.ports[0]}"
            }
        ''',
    })
    # A newline inside brackets, as a .tf file allows; python-hcl2 refused it.
    options = ScanOptions(tf_vars={"ports": "[(1\n + 2), 4]"})
    assert _resources(tmp_path, options)["aws_s3_bucket.b"].properties["bucket"] == "b-3"


def test_tfvars_juxtaposed_numbers_are_refused(tmp_path):
    _write(tmp_path, {
        "main.tf": '''
            variable "n" {
              default = 5
            }
            resource "aws_s3_bucket" "b" {
              bucket = "b-${var.n}"
            }
        ''',
        "terraform.tfvars": "n = 1 2\n",
    })
    result = scan([str(tmp_path)], cwd=str(tmp_path))
    notes = [(Path(n.path).name, n.line) for n in result.notifications if n.level in ("error", "warning") and n.path]
    assert ("terraform.tfvars", 1) in notes


# -- python-hcl2 is a test dependency only ------------------------------------------------------

_BLOCKED = r'''
import importlib, json, pkgutil, sys
sys.modules["hcl2"] = None   # any import of python-hcl2 or lark now raises ImportError
sys.modules["lark"] = None
import iacguard
names = [m.name for m in pkgutil.walk_packages(iacguard.__path__, "iacguard.")]
for name in names:
    importlib.import_module(name)
from iacguard.engine import scan
from iacguard.core.model import ScanOptions
result = scan([sys.argv[1]], ScanOptions(tf_vars={"n": "[(1\n + 2)]"}), cwd=sys.argv[1])
print(json.dumps({
    "modules": len(names),
    "resources": result.resources,
    "notes": [n.message for n in result.notifications if n.level == "error"],
    "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("hcl2", "lark") and sys.modules[m] is not None),
}))
'''


def test_product_never_imports_python_hcl2(tmp_path):
    _write(tmp_path, {
        "main.tf": '''
            variable "n" {
              type = list(number)
            }
            resource "aws_instance" "web" {
              user_data = templatefile("${path.module}/t.tpl", { n = var.n[0] })
            }
        ''',
        "t.tpl": "${(n\n + 1)}",
        "more.tf.json": json.dumps({"resource": {"aws_s3_bucket": {"b": {"bucket": "${var.n[0]}"}}}}),
        "terraform.tfvars": "x = 1\n",
        "bad.tf": "a = 1 2\n",
    })
    out = subprocess.run([sys.executable, "-c", _BLOCKED, str(tmp_path)], capture_output=True, text=True, timeout=300, cwd=str(ROOT))
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["modules"] > 30
    assert report["loaded"] == []
    assert report["resources"] == 2
    assert [m.split(":")[0] for m in report["notes"]] == ["parse error"]
