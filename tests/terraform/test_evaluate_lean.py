"""Work the evaluator no longer repeats (issue 17): the references of an output or local to a
counted resource name its instances without evaluating their bodies, and a module's symbols
share one location per declaration across its instances. The graph stays as it was."""
from __future__ import annotations

from pathlib import Path

from iacguard.core.model import ScanOptions
from iacguard.discover import discover
from iacguard.engine import parse_source
from iacguard.terraform import evaluate as _evaluate
from iacguard.terraform.evaluate import evaluate_configuration
from tree_files import write


def run(root: Path):
    disc = discover([str(root)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    return evaluate_configuration(files, disc.roots[0], ScanOptions())


def refs_of(result, source_suffix: str) -> list:
    return sorted((r.target, r.attribute) for r in result.references if r.source.endswith(source_suffix))


MAIN = """
variable "n" {
  default = 2
}
resource "aws_s3_bucket" "many" {
  count  = var.n
  bucket = "b-${count.index}"
}
resource "aws_s3_bucket" "each" {
  for_each = toset(["x", "y"])
  bucket   = each.key
}
resource "aws_s3_bucket" "unknown" {
  count  = length(data.aws_caller_identity.me.account_id)
  bucket = "u"
}
data "aws_caller_identity" "me" {}
output "all" {
  value = aws_s3_bucket.many[*].id
}
output "first" {
  value = aws_s3_bucket.many[0].arn
}
output "keyed" {
  value = [for b in aws_s3_bucket.each : b.id]
}
output "one" {
  value = aws_s3_bucket.each["y"].id
}
output "lost" {
  value = aws_s3_bucket.unknown[0].id
}
locals {
  every = aws_s3_bucket.unknown[*].id
}
"""


def test_output_references_name_each_instance(tmp_path):
    result = run(write(tmp_path, {"main.tf": MAIN}))
    # (a symbol's references name no attribute)
    assert refs_of(result, "output.all") == [("tf:.:aws_s3_bucket.many[0]", ""), ("tf:.:aws_s3_bucket.many[1]", "")]
    assert refs_of(result, "output.first") == [("tf:.:aws_s3_bucket.many[0]", "")]
    assert refs_of(result, "output.keyed") == [('tf:.:aws_s3_bucket.each["x"]', ""), ('tf:.:aws_s3_bucket.each["y"]', "")]
    assert refs_of(result, "output.one") == [('tf:.:aws_s3_bucket.each["y"]', "")]
    # An unknown count: the one symbolic instance.
    assert refs_of(result, "output.lost") == [("tf:.:aws_s3_bucket.unknown[*]", "")]
    assert refs_of(result, "local.every") == [("tf:.:aws_s3_bucket.unknown[*]", "")]


def test_instance_keys_do_not_evaluate_bodies(tmp_path, monkeypatch):
    """Naming the instances an output refers to evaluates count and for_each, not the bodies:
    the bodies are evaluated once each, by the expansion into resources."""
    calls = []
    real = _evaluate.ModuleInstance.eval_body

    def counting(self, body, scope, path, prop_path, top=False, locs=None, partial=False):
        if top:
            calls.append(partial)
        return real(self, body, scope, path, prop_path, top=top, locs=locs, partial=partial)

    monkeypatch.setattr(_evaluate.ModuleInstance, "eval_body", counting)
    result = run(write(tmp_path, {"main.tf": MAIN}))
    assert len(result.resources) == 6  # 2 + 2 + 1 symbolic + the data source
    # The values expressions read: the data source (a count reads it) and aws_s3_bucket.unknown
    # (every local is evaluated); not aws_s3_bucket.many or .each, which only outputs name.
    assert calls.count(True) == 2
    assert calls.count(False) == 6


def test_instance_keys_agree_with_a_value_already_computed(tmp_path):
    """Where a resource's value is computed anyway (another resource reads it), its keys are
    read from that value, and the references are the same."""
    files = {"main.tf": MAIN + """
resource "aws_s3_bucket_policy" "p" {
  count  = 2
  bucket = aws_s3_bucket.many[count.index].id
  policy = aws_s3_bucket.each["x"].arn
}
"""}
    result = run(write(tmp_path, files))
    assert refs_of(result, "output.all") == [("tf:.:aws_s3_bucket.many[0]", ""), ("tf:.:aws_s3_bucket.many[1]", "")]
    assert refs_of(result, "output.one") == [('tf:.:aws_s3_bucket.each["y"]', "")]
    assert ("tf:.:aws_s3_bucket.many[1]", "id") in refs_of(result, "aws_s3_bucket_policy.p[1]")


def test_a_self_referring_count_is_still_reported_once_as_a_cycle(tmp_path):
    files = {"main.tf": """
resource "aws_s3_bucket" "loop" {
  count  = length(aws_s3_bucket.loop)
  bucket = "x"
}
output "o" {
  value = aws_s3_bucket.loop[*].id
}
"""}
    result = run(write(tmp_path, files))
    cycles = {n.message for n in result.notifications if "cycle" in n.message}
    assert cycles == {"cycle: aws_s3_bucket.loop refers to itself through other values"}
    assert refs_of(result, "output.o") == [("tf:.:aws_s3_bucket.loop[*]", "")]


def test_symbols_of_module_instances_share_locations(tmp_path):
    files = {
        "main.tf": """
module "a" {
  source = "./mod"
  x      = "1"
}
module "b" {
  source = "./mod"
  x      = "2"
}
""",
        "mod/main.tf": """
variable "x" {}
locals {
  y = var.x
}
output "z" {
  value = local.y
}
""",
    }
    result = run(write(tmp_path, files))
    by_id = {s.id: s for s in result.symbols}
    for kind in ("var.x", "local.y", "output.z"):
        a, b = by_id["tf:.:module.a." + kind], by_id["tf:.:module.b." + kind]
        assert a.location == b.location and a.location.path.endswith("main.tf")
        assert a.location is b.location  # built once per module source
    assert by_id["tf:.:module.a.var.x"].meta["set_label"] == "argument x of module.a"
    assert by_id["tf:.:module.b.var.x"].meta["set_at"].start_line == 7
    assert refs_of(result, "module.b.output.z") == [("tf:.:module.b.local.y", "")]
    assert refs_of(result, "module.b.local.y") == [("tf:.:module.b.var.x", "")]


def test_a_template_is_parsed_once_per_evaluation(tmp_path, monkeypatch):
    """templatefile() in a module called twice: the file's text is parsed once, and each
    instance renders it with its own variables; a template that does not parse fails in each."""
    from iacguard.terraform import parser

    parsed = []
    real = parser.parse_template

    def counting(text, line=1):
        parsed.append(text)
        return real(text, line)

    monkeypatch.setattr(parser, "parse_template", counting)
    files = {
        "main.tf": """
module "a" {
  source = "./mod"
  name   = "alpha"
}
module "b" {
  source = "./mod"
  name   = "beta"
}
""",
        "mod/main.tf": """
variable "name" {}
resource "aws_s3_bucket" "b" {
  bucket = templatefile("${path.module}/name.tpl", { name = var.name })
  acl    = templatefile("${path.module}/broken.tpl", {})
}
""",
        "mod/name.tpl": "bucket-${name}",
        "mod/broken.tpl": "x-${",
    }
    result = run(write(tmp_path, files))
    by_address = {r.address: r for r in result.resources}
    assert by_address["module.a.aws_s3_bucket.b"].properties["bucket"] == "bucket-alpha"
    assert by_address["module.b.aws_s3_bucket.b"].properties["bucket"] == "bucket-beta"
    assert parsed.count("bucket-${name}") == 1
    assert parsed.count("x-${") == 2  # a failure is not remembered: it fails again, as before
    for address in ("module.a.aws_s3_bucket.b", "module.b.aws_s3_bucket.b"):
        acl = by_address[address].properties["acl"]
        assert getattr(acl, "reason", "").startswith("templatefile(): template:")


def test_property_locations_are_built_once_per_attribute(tmp_path):
    files = {
        "main.tf": """
module "a" {
  source = "./mod"
}
module "b" {
  source = "./mod"
}
""",
        "mod/main.tf": """
resource "aws_s3_bucket" "b" {
  count  = 2
  bucket = "x"
  versioning {
    enabled = true
  }
}
""",
    }
    result = run(write(tmp_path, files))
    res = {r.address: r for r in result.resources}
    first, last = res["module.a.aws_s3_bucket.b[0]"], res["module.b.aws_s3_bucket.b[1]"]
    assert first.location is last.location and first.location.start_line == 1 and first.location.end_line == 7
    for path, start in ((("bucket",), 3), (("versioning", 0), 4), (("versioning", 0, "enabled"), 5)):
        a, b = first.location_of(*path), last.location_of(*path)
        assert a == b and a.start_line == start


def test_reference_steps_keep_what_needs_the_instance(tmp_path):
    """Indexes are still evaluated per instance (`count.index`), modules still resolved per
    instance, and the rest settled once per expression."""
    files = {
        "main.tf": """
variable "names" {
  default = ["p", "q"]
}
resource "aws_s3_bucket" "b" {
  count  = 2
  bucket = var.names[count.index]
}
resource "aws_s3_bucket_policy" "p" {
  count  = 2
  bucket = aws_s3_bucket.b[count.index].id
  policy = module.m.doc
}
module "m" {
  source = "./mod"
}
""",
        "mod/main.tf": """
output "doc" {
  value = "{}"
}
""",
    }
    result = run(write(tmp_path, files))
    assert ("tf:.:aws_s3_bucket.b[1]", "id") in refs_of(result, "aws_s3_bucket_policy.p[1]")
    assert ("tf:.:aws_s3_bucket.b[0]", "id") not in refs_of(result, "aws_s3_bucket_policy.p[1]")
    assert ("tf:.:module.m.output.doc", "") in refs_of(result, "aws_s3_bucket_policy.p[0]")
    assert ("tf:.:var.names", "") in refs_of(result, "aws_s3_bucket.b[0]")


def test_unknowns_are_recorded_in_document_order(tmp_path):
    files = {"main.tf": """
variable "v" {}
resource "aws_instance" "i" {
  ami  = var.v
  tags = { a = "x", b = var.v }
  ebs_block_device {
    volume_size = var.v
  }
  ebs_block_device {
    volume_size = 8
    kms_key_id  = var.v
  }
}
"""}
    result = run(write(tmp_path, files))
    whats = [u.what for u in result.unknowns]
    assert whats == ["aws_instance.i.ami", "aws_instance.i.tags.b", "aws_instance.i.ebs_block_device.0.volume_size",
                     "aws_instance.i.ebs_block_device.1.kms_key_id"]
    assert [u.line for u in result.unknowns] == [3, 4, 6, 10]
    assert all(u.reason == "variable v has no value" for u in result.unknowns)


def _evaluation(root: Path):
    disc = discover([str(root)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    ev = _evaluate.Evaluation(files, disc.roots[0], ScanOptions())
    return ev, ev.run()


def test_what_is_worked_out_once_is_kept_only_where_it_is_asked_again(tmp_path):
    single = write(tmp_path / "single", {
        "main.tf": 'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n  tags = { k = "v" }\n}\n'
                   'resource "aws_s3_bucket" "b" {\n  bucket = aws_s3_bucket.a.id\n}\n',
    })
    ev, result = _evaluation(single)
    assert len(result.resources) == 2
    # One instance of one module, no count or for_each: nothing is asked twice, nothing kept.
    assert not ev._spans and not ev._steps and not ev.__dict__.get("_reference_plans")
    many = write(tmp_path / "many", {
        "main.tf": 'module "m" {\n  source = "./mod"\n  count  = 2\n}\n'
                   'resource "aws_s3_bucket" "c" {\n  count  = 2\n  bucket = "c-${count.index}"\n}\n',
        "mod/main.tf": 'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\n'
                       'resource "aws_s3_bucket" "b" {\n  bucket = aws_s3_bucket.a.id\n}\n',
    })
    ev, result = _evaluation(many)
    assert sorted(r.address for r in result.resources) == [
        "aws_s3_bucket.c[0]", "aws_s3_bucket.c[1]", "module.m[0].aws_s3_bucket.a", "module.m[0].aws_s3_bucket.b",
        "module.m[1].aws_s3_bucket.a", "module.m[1].aws_s3_bucket.b"]
    assert ev._spans and ev.__dict__.get("_reference_plans") and ev.keep is True  # restored after each module
    # The same results either way: the references of the second module instance are its own.
    assert sorted(r.target for r in result.references if r.source.endswith("module.m[1].aws_s3_bucket.b")) == [
        "tf:.:module.m[1].aws_s3_bucket.a"]
