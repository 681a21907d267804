"""Issue 3 ("Evaluate Terraform the way Terraform does"), proven on small module trees.

Each case under `fixtures/eval/<case>/` has an `insecure` and a `secure` tree that differ only in
an evaluated value (a tfvars value, a variable default, a count, a for_each map, a module input,
a planned value). The insecure tree must fail exactly the findings listed (address, file relative
to the tree, line); the secure tree must fail none.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from iacguard.checks import REGISTRY
from iacguard.engine import scan
from iacguard.core.model import ScanOptions

EVAL = Path(__file__).parent / "fixtures" / "eval"

# case -> (check id, file to scan inside the tree or "" for the folder, findings in `insecure`)
CASES = {
    # 3. terraform.tfvars overrides the variable default
    "tfvars": ("AWS-EC2-001", "", [("aws_security_group.ssh", "main.tf", 13)]),
    # 3. *.auto.tfvars.json overrides terraform.tfvars
    "auto_tfvars": ("AWS-EC2-001", "", [("aws_security_group.ssh", "main.tf", 13)]),
    # 3. a variable default, converted to the declared type ("false" -> false)
    "variable_default": ("AWS-RDS-001", "", [("aws_db_instance.db", "main.tf", 9)]),
    # 4 + 9. an encryption configuration inside a module (count from a root variable) names the
    # root bucket through a module input
    "module_reference": ("AWS-S3-001", "", [("aws_s3_bucket.b", "main.tf", 5)]),
    # 4. one module called twice (each instance with its own input), nested modules, an output
    # flowing back to the caller
    "module_instances": (
        "AWS-RDS-001",
        "",
        [
            ("aws_db_instance.replica", "main.tf", 18),
            ("module.reports.module.db.aws_db_instance.this", "modules/db/main.tf", 8),
        ],
    ),
    # 4. a registry module used through the local copy `terraform init` left
    "remote_module": (
        "AWS-RDS-001",
        "",
        [("module.logs_db.aws_db_instance.this", ".terraform/modules/logs_db/main.tf", 9)],
    ),
    # 5. count (0 means not deployed)
    "count": (
        "AWS-EBS-001",
        "",
        [("aws_ebs_volume.data[0]", "main.tf", 10), ("aws_ebs_volume.data[1]", "main.tf", 10)],
    ),
    # 5. for_each over a map of objects with optional() defaults
    "for_each": ("AWS-EBS-001", "", [('aws_ebs_volume.data["scratch"]', "main.tf", 12)]),
    # 6. dynamic blocks with an iterator
    "dynamic": ("AWS-EC2-001", "", [("aws_security_group.web", "main.tf", 20)]),
    # 7. the same in JSON syntax (.tf.json + terraform.tfvars.json)
    "json_syntax": ("AWS-EC2-001", "", [("aws_security_group.web", "main.tf.json", 20)]),
    # 2. a variable with no default and no input is Unknown: no finding
    "unknown": ("AWS-EC2-001", "", [("aws_security_group_rule.admin", "main.tf", 12)]),
    # 8. plan JSON, findings at the .tf line
    "plan": ("AWS-EC2-001", "plan.json", [("aws_security_group.web", "main.tf", 20)]),
}


def _findings(tree: Path, check_id: str, target: str) -> list:
    check = next(c for c in REGISTRY if c.id == check_id)
    result = scan([str(tree / target) if target else str(tree)], ScanOptions(), checks=[check], cwd=str(tree))
    errors = [n for n in result.notifications if n.level == "error"]
    assert not errors, errors
    return sorted(
        (f.resource.address, os.path.relpath(f.location.path, tree).replace(os.sep, "/"), f.location.start_line)
        for f in result.findings
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_insecure_tree_fails_exactly(case):
    check_id, target, expected = CASES[case]
    assert _findings(EVAL / case / "insecure", check_id, target) == sorted(expected)


@pytest.mark.parametrize("case", sorted(CASES))
def test_secure_tree_passes(case):
    check_id, target, _ = CASES[case]
    assert _findings(EVAL / case / "secure", check_id, target) == []


def test_every_case_has_both_variants():
    on_disk = {p.name for p in EVAL.iterdir() if (p / "insecure").is_dir() and (p / "secure").is_dir()}
    assert on_disk == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_variants_differ_only_in_values(case):
    """Same files on both sides, so the value is the only difference."""

    def files(root: Path) -> set:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    assert files(EVAL / case / "insecure") == files(EVAL / case / "secure")
