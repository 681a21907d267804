"""Remote modules are never fetched; the local copies `terraform init` left in
.terraform/modules are used, nested ones included (keys "app" and "app.db")."""
from __future__ import annotations

import json

from iacguard.engine import scan
from iacguard.core.model import ScanOptions
from checksets import CORE


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def tree(root, encrypted: str):
    write(root / "main.tf", 'module "app" {\n  source    = "example-corp/app/aws"\n  version   = "1.2.0"\n  encrypted = %s\n}\n' % encrypted)
    write(root / ".terraform/modules/app/main.tf", 'variable "encrypted" {}\n\nmodule "db" {\n  source    = "git::https://example.com/db.git?ref=v2"\n  encrypted = var.encrypted\n}\n')
    write(root / ".terraform/modules/app.db/main.tf", 'variable "encrypted" {}\n\nresource "aws_db_instance" "this" {\n  engine            = "postgres"\n  storage_encrypted = var.encrypted\n}\n')
    write(root / ".terraform/modules/modules.json", json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "app", "Source": "registry.terraform.io/example-corp/app/aws", "Version": "1.2.0", "Dir": ".terraform/modules/app"},
        {"Key": "app.db", "Source": "git::https://example.com/db.git?ref=v2", "Dir": ".terraform/modules/app.db"},
    ]}))


def test_installed_copies_of_remote_modules_are_evaluated(tmp_path):
    insecure, secure = tmp_path / "insecure", tmp_path / "secure"
    tree(insecure, "false")
    tree(secure, "true")
    result = scan([str(insecure)], ScanOptions(), cwd=str(insecure), checks=CORE)
    got = [(f.check_id, f.resource.address, f.location.path.replace(str(insecure) + "/", ""), f.location.start_line) for f in result.findings]
    assert got == [("AWS-RDS-001", "module.app.module.db.aws_db_instance.this", ".terraform/modules/app.db/main.tf", 5)]
    assert not [n for n in result.notifications if "not fetched" in n.message]
    assert scan([str(secure)], ScanOptions(), cwd=str(secure), checks=CORE).findings == []


def test_without_modules_json_the_remote_module_is_a_note(tmp_path):
    tree(tmp_path, "false")
    (tmp_path / ".terraform/modules/modules.json").unlink()
    result = scan([str(tmp_path)], ScanOptions(), cwd=str(tmp_path), checks=CORE)
    assert result.findings == []
    assert any("remote source example-corp/app/aws is not fetched" in n.message for n in result.notifications)
