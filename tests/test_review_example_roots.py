"""Project-level checks and the examples of a module (found by the accuracy review,
docs/finding-review.md): terraform-aws-modules repositories have one root module per example and
test, each calling the module that contains it; "no CloudTrail in this project" was reported on
every one of them. A self-written module repository and a deployment layout side by side."""
from __future__ import annotations

from iacguard.checks.detection import cloudtrail_present
from iacguard.engine import scan

MODULE = """\
variable "name" {
  type = string
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}
"""

WRAPPER = """\
module "bucket" {
  source = "./modules/bucket"
  name   = "wrapped"
}
"""


def _write(base, files):
    for rel, text in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _roots_reported(tmp_path):
    result = scan([str(tmp_path)], checks=[cloudtrail_present.CHECK], cwd=str(tmp_path))
    return sorted(f.location.path.replace(str(tmp_path) + "/", "") for f in result.findings)


def test_examples_and_tests_of_a_module_are_not_projects(tmp_path):
    _write(tmp_path / "module-repo", {
        # The module, with a submodule it wraps (resources only in the submodule, as in terraform-aws-rds).
        "main.tf": WRAPPER,
        "modules/bucket/main.tf": MODULE,
        # An example calling the module it lives in (its resources are the submodule's), and one
        # calling a submodule only: nothing in that root says the folder above is a module, and
        # a root is judged from itself and the modules it calls.
        "examples/complete/main.tf": 'module "wrapper" {\n  source = "../.."\n}\n\nresource "aws_sns_topic" "t" {}\n',
        "examples/submodule/main.tf": 'module "b" {\n  source = "../../modules/bucket"\n  name   = "t"\n}\n',
    })
    # A deployment repository: live roots calling shared modules beside them are projects.
    _write(tmp_path / "live-repo", {
        "modules/bucket/main.tf": MODULE,
        "live/prod/main.tf": 'module "b" {\n  source = "../../modules/bucket"\n  name   = "prod"\n}\n',
        "live/dev/main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "dev"\n}\n',
    })
    assert _roots_reported(tmp_path) == ["live-repo/live/dev/main.tf", "live-repo/modules/bucket/main.tf",
                                         "module-repo/modules/bucket/main.tf"]


def test_a_root_beside_a_module_is_still_a_project(tmp_path):
    # Only a folder that is a module makes the roots inside it examples; a root folder does not.
    _write(tmp_path, {
        "main.tf": 'resource "aws_s3_bucket" "top" {\n  bucket = "top"\n}\n',
        "bootstrap/main.tf": 'resource "aws_s3_bucket" "state" {\n  bucket = "state"\n}\n',
    })
    assert _roots_reported(tmp_path) == ["bootstrap/main.tf", "main.tf"]
