"""The configuration evaluator, unit by unit: values, Unknowns, inputs, locals, modules,
count/for_each, dynamic blocks, JSON syntax, and the references it hands to the graph."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from iacguard.discover import discover
from iacguard.engine import parse_source, scan
from iacguard.graph import ResourceGraph
from iacguard.core.model import ScanOptions
from iacguard.terraform import evaluate as _evaluate
from iacguard.terraform.evaluate import MAX_INSTANCES, Evaluation, evaluate_configuration
from iacguard.core.unknown import Unknown, is_unknown
from tree_files import write

EVAL = Path(__file__).parent / "fixtures" / "eval"


def evaluate(root: Path, options: ScanOptions | None = None):
    disc = discover([str(root)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    result = evaluate_configuration(files, disc.roots[0], options or ScanOptions())
    return result, {r.address: r for r in result.resources}


# -- 1. values --------------------------------------------------------------------------------


def test_expressions_evaluate_through_a_whole_configuration(tmp_path):
    write(tmp_path, {"main.tf": '''
        variable "env" {
          default = "prod"
        }
        variable "ports" {
          type    = list(number)
          default = ["22", 443]
        }
        locals {
          name    = "app-${var.env}"
          by_env  = { prod = "10.0.0.0/16", dev = "10.1.0.0/16" }
          subnets = [for i in range(3) : cidrsubnet(local.by_env[var.env], 8, i)]
          even    = [for i, s in local.subnets : s if i % 2 == 0]
          doc     = <<-EOT
            %{ for p in var.ports ~}
            port ${p}
            %{ endfor ~}
            %{ if var.env == "prod" }production%{ else }other%{ endif }
          EOT
        }
        resource "aws_instance" "many" {
          count = 2
          ami   = "m${count.index}"
        }
        resource "aws_instance" "web" {
          ami = upper(local.name)
          tags = {
            Subnet = local.even[1]
            Ports  = join(",", [for p in var.ports : tostring(p * 2)])
            Doc    = local.doc
            Splat  = join(",", aws_instance.many[*].ami)
            Cond   = length(local.subnets) > 2 && !false ? "big" : "small"
          }
        }
    '''})
    _, res = evaluate(tmp_path)
    assert res["aws_instance.web"].properties == {
        "ami": "APP-PROD",
        "tags": {
            "Subnet": "10.0.2.0/24",
            "Ports": "44,886",
            "Doc": "port 22\nport 443\nproduction\n",
            "Splat": "m0,m1",
            "Cond": "big",
        },
    }


# -- 2. Unknown -------------------------------------------------------------------------------


def test_unknown_values_propagate_and_are_counted(tmp_path):
    write(tmp_path, {"main.tf": '''
        variable "missing" {}
        resource "aws_kms_key" "k" {}
        data "aws_vpc" "main" {}
        resource "aws_instance" "web" {
          tags = {
            Key     = aws_kms_key.k.arn
            Vpc     = data.aws_vpc.main.cidr_block
            Now     = timestamp()
            Missing = var.missing
            Agree   = var.missing == "x" ? "same" : "same"
            Differ  = var.missing == "x" ? "a" : "b"
            Joined  = "pre-${var.missing}"
          }
        }
    '''})
    result, res = evaluate(tmp_path)
    tags = res["aws_instance.web"].properties["tags"]
    assert tags["Agree"] == "same"
    for key in ("Key", "Vpc", "Now", "Missing", "Differ", "Joined"):
        assert is_unknown(tags[key]), key
    assert "arn" in tags["Key"].reason and "missing" in tags["Missing"].reason
    where = {(os.path.basename(u.path), u.line, u.what) for u in result.unknowns}
    assert where == {
        ("main.tf", 6, "aws_instance.web.tags.Key"),
        ("main.tf", 7, "aws_instance.web.tags.Vpc"),
        ("main.tf", 8, "aws_instance.web.tags.Now"),
        ("main.tf", 9, "aws_instance.web.tags.Missing"),
        ("main.tf", 11, "aws_instance.web.tags.Differ"),
        ("main.tf", 12, "aws_instance.web.tags.Joined"),
    }


def test_scan_result_counts_unknowns(tmp_path):
    write(tmp_path, {"main.tf": '''
        variable "cidr" {}
        resource "aws_security_group_rule" "r" {
          type        = "ingress"
          from_port   = 22
          to_port     = 22
          protocol    = "tcp"
          cidr_blocks = [var.cidr]
        }
    '''})
    result = scan([str(tmp_path)], ScanOptions(), checks=[])
    assert [(u.line, u.what) for u in result.unknowns] == [(7, "aws_security_group_rule.r.cidr_blocks.0")]


def test_comparisons_with_unknown_inside_known_values(tmp_path):
    write(tmp_path, {"main.tf": '''
        variable "groups" {
          default = { a = { subnet = "x" } }
        }
        resource "aws_subnet" "s" {}
        locals {
          groups = { a = { subnet = aws_subnet.s.id } }
        }
        resource "aws_instance" "web" {
          tags = {
            NotNull = local.groups != null
            Unknown = local.groups.a.subnet == "x"
            Fallback = try(jsondecode(var.groups), var.groups).a.subnet
          }
        }
    '''})
    _, res = evaluate(tmp_path)
    tags = res["aws_instance.web"].properties["tags"]
    assert tags["NotNull"] is True
    assert is_unknown(tags["Unknown"]) and "after apply" in tags["Unknown"].reason
    assert tags["Fallback"] == "x"


# -- 3. inputs --------------------------------------------------------------------------------

PRECEDENCE_TF = '''
    variable "a" { default = "default" }
    variable "b" { default = "default" }
    variable "c" { default = "default" }
    variable "d" { default = "default" }
    variable "e" { default = "default" }
    variable "f" { default = "default" }
    resource "aws_instance" "web" {
      tags = { a = var.a, b = var.b, c = var.c, d = var.d, e = var.e, f = var.f }
    }
'''


def test_input_precedence(tmp_path):
    root = write(tmp_path / "root", {
        "main.tf": PRECEDENCE_TF,
        "terraform.tfvars": 'b = "tfvars"\nc = "tfvars"\nd = "tfvars"\ne = "tfvars"\nf = "tfvars"\n',
        "terraform.tfvars.json": '{"c": "tfvars.json", "d": "tfvars.json", "e": "tfvars.json", "f": "tfvars.json"}',
        "a.auto.tfvars": 'd = "a.auto"\ne = "a.auto"\nf = "a.auto"\n',
        "b.auto.tfvars.json": '{"e": "b.auto.json", "f": "b.auto.json"}',
    })
    var_file = write(tmp_path / "vars", {"extra.tfvars": 'f = "var-file"\n'}) / "extra.tfvars"
    options = ScanOptions(
        tf_var_files=[str(var_file)],
        env={"TF_VAR_a": "env", "TF_VAR_b": "env", "HOME": "/x"},
        tf_vars_from_env=True,
    )
    _, res = evaluate(root, options)
    assert res["aws_instance.web"].properties["tags"] == {
        "a": "env", "b": "tfvars", "c": "tfvars.json", "d": "a.auto", "e": "b.auto.json", "f": "var-file",
    }
    options.tf_vars = {"f": "cli", "a": "cli"}
    _, res = evaluate(root, options)
    assert res["aws_instance.web"].properties["tags"]["f"] == "cli"
    assert res["aws_instance.web"].properties["tags"]["a"] == "cli"


def test_variable_types_and_cli_values(tmp_path):
    write(tmp_path, {"main.tf": '''
        variable "port" { type = number }
        variable "on" { type = bool }
        variable "cidrs" { type = list(string) }
        variable "anything" { type = any }
        variable "untyped" {}
        variable "settings" {
          type = object({
            name = string
            size = optional(number, 10)
            tags = optional(map(string))
          })
          default = { name = "x" }
        }
        variable "strict" {
          type     = string
          default  = "fallback"
          nullable = false
        }
        module "m" {
          source = "./m"
          strict = null
        }
        resource "aws_instance" "web" {
          tags = {
            port = var.port, on = var.on, cidrs = var.cidrs, anything = var.anything,
            untyped = var.untyped, settings = var.settings, strict = var.strict
          }
        }
    ''', "m/main.tf": '''
        variable "strict" {
          default  = "module default"
          nullable = false
        }
        resource "aws_instance" "inner" {
          ami = var.strict
        }
    '''})
    env = {"TF_VAR_port": "8080", "TF_VAR_on": "true", "TF_VAR_cidrs": '["10.0.0.0/8", 1]',
           "TF_VAR_anything": '{ a = 1 }', "TF_VAR_untyped": "[1]"}
    _, res = evaluate(tmp_path, ScanOptions(env=env, tf_vars_from_env=True))
    assert res["aws_instance.web"].properties["tags"] == {
        "port": 8080, "on": True, "cidrs": ["10.0.0.0/8", "1"], "anything": {"a": 1},
        "untyped": "[1]", "settings": {"name": "x", "size": 10, "tags": None}, "strict": "fallback",
    }
    assert res["module.m.aws_instance.inner"].properties["ami"] == "module default"


def test_locals_in_dependency_order_and_cycles_reported(tmp_path):
    write(tmp_path, {"main.tf": '''
        locals {
          c = "${local.b}-c"
          b = "${local.a}-b"
          a = "a"
          x = local.y
          y = local.x
        }
        resource "aws_instance" "web" {
          ami  = local.c
          tags = { loop = local.x }
        }
    '''})
    result, res = evaluate(tmp_path)
    assert res["aws_instance.web"].properties["ami"] == "a-b-c"
    assert is_unknown(res["aws_instance.web"].properties["tags"]["loop"])
    errors = [(n.level, os.path.basename(n.path), n.line, n.message) for n in result.notifications]
    assert errors == [("error", "main.tf", 5, "cycle between locals: x -> y -> x")]


def test_unused_local_cycle_is_still_reported(tmp_path):
    write(tmp_path, {"main.tf": 'locals {\n  p = local.q\n  q = local.p\n}\n'})
    result, _ = evaluate(tmp_path)
    assert [(n.level, n.line) for n in result.notifications] == [("error", 2)]


def test_templatefile_renders_in_the_module_folder(tmp_path):
    write(tmp_path, {
        "main.tf": '''
            module "m" {
              source = "./m"
            }
        ''',
        "m/main.tf": '''
            resource "aws_instance" "web" {
              count     = 2
              user_data = templatefile("${path.module}/init.tpl", { port = 8080 + count.index, names = ["a", "b"] })
            }
        ''',
        "m/init.tpl": "port=${port}\n%{ for n in names }${n};%{ endfor }\n",
    })
    _, res = evaluate(tmp_path)
    assert res["module.m.aws_instance.web[1]"].properties["user_data"] == "port=8081\na;b;\n"


# -- 4. modules -------------------------------------------------------------------------------


def test_module_instances_addresses_locations_and_outputs():
    result, res = evaluate(EVAL / "module_instances" / "insecure")
    assert sorted(res) == [
        "aws_db_instance.replica",
        "module.billing.module.db.aws_db_instance.this",
        "module.reports.module.db.aws_db_instance.this",
    ]
    billing = res["module.billing.module.db.aws_db_instance.this"]
    reports = res["module.reports.module.db.aws_db_instance.this"]
    assert billing.properties["storage_encrypted"] is True
    assert reports.properties["storage_encrypted"] is False
    assert res["aws_db_instance.replica"].properties["storage_encrypted"] is False  # the output
    assert billing.module == "module.billing.module.db"
    assert billing.location.path.endswith("modules/db/main.tf") and billing.location.start_line == 5
    assert reports.location_of("storage_encrypted").start_line == 8
    assert billing.id != reports.id


def test_called_module_folders_are_not_scanned_again_as_roots(tmp_path):
    root = EVAL / "module_instances" / "insecure"
    disc = discover([str(root)])
    files = {f.path: parse_source(f).data for f in disc.files if f.kind == "terraform"}
    ev = Evaluation(files, disc.roots[0], ScanOptions())
    assert ev.root_modules() == [str(root.resolve())]


def test_each_instance_of_a_module_gets_its_own_finding(tmp_path):
    write(tmp_path, {
        "main.tf": '''
            module "a" {
              source = "./vol"
            }
            module "b" {
              source = "./vol"
            }
        ''',
        "vol/main.tf": '''
            resource "aws_ebs_volume" "v" {
              availability_zone = "eu-west-1a"
              size              = 1
            }
        ''',
    })
    result = scan([str(tmp_path)], ScanOptions(), checks=[c for c in __import__("iacguard.checks").checks.REGISTRY if c.id == "AWS-EBS-001"])
    assert [(f.resource.address, os.path.basename(f.location.path), f.location.start_line) for f in result.findings] == [
        ("module.a.aws_ebs_volume.v", "main.tf", 1),
        ("module.b.aws_ebs_volume.v", "main.tf", 1),
    ]


def test_remote_and_outside_modules_are_notes_and_unknown():
    result, res = evaluate(EVAL / "remote_module" / "insecure")
    notes = sorted((n.level, n.line, n.message) for n in result.notifications)
    assert notes == [
        ("note", 8, "module module.unfetched not evaluated: remote source "
                    "git::https://example.com/modules/network.git?ref=v1.0.0 is not fetched (run `terraform init` "
                    "to use its local copy); its outputs are unknown"),
        ("note", 12, "module module.outside not evaluated: source ../../outside_root leads outside the scanned root "
                     "(scan a folder that holds both, such as the repository root, to evaluate it); "
                     "its outputs are unknown"),
    ]
    assert sorted(res) == ["module.logs_db.aws_db_instance.this"]
    assert res["module.logs_db.aws_db_instance.this"].properties["identifier"] == "logs"


def test_unresolved_module_outputs_are_unknown(tmp_path):
    write(tmp_path, {"main.tf": '''
        module "vpc" {
          source  = "terraform-aws-modules/vpc/aws"
          version = "5.0.0"
        }
        resource "aws_security_group" "sg" {
          vpc_id = module.vpc.vpc_id
        }
    '''})
    result, res = evaluate(tmp_path)
    assert is_unknown(res["aws_security_group.sg"].properties["vpc_id"])
    assert [n.line for n in result.notifications] == [1]


def test_module_depth_is_bounded(tmp_path):
    write(tmp_path, {"main.tf": 'module "self" {\n  source = "./"\n}\nresource "aws_instance" "i" {}\n'})
    result, res = evaluate(tmp_path)
    assert "aws_instance.i" in res and "module.self.aws_instance.i" in res
    assert len(res) == 33  # the root and 32 nested instances
    assert [(n.level, n.line) for n in result.notifications] == [("warning", 1)]


# -- 5. count / for_each ----------------------------------------------------------------------


def test_count_and_for_each_expand_and_symbolic_instances(tmp_path):
    write(tmp_path, {
        "main.tf": '''
            data "aws_subnets" "all" {}
            resource "aws_instance" "zero" {
              count = 0
            }
            resource "aws_instance" "none" {
              for_each = {}
            }
            resource "aws_instance" "set" {
              for_each = toset(["b", "a"])
              ami      = "ami-${each.key}-${each.value}"
            }
            resource "aws_instance" "per_subnet" {
              count     = length(data.aws_subnets.all.ids)
              subnet_id = data.aws_subnets.all.ids[count.index]
              ami       = "fixed"
            }
            resource "aws_instance" "per_key" {
              for_each = data.aws_subnets.all.tags
              ami      = each.value
            }
            module "m" {
              source   = "./m"
              for_each = { x = 1, y = 2 }
              size     = each.value
            }
            module "u" {
              source = "./m"
              count  = length(data.aws_subnets.all.ids)
              size   = count.index
            }
            data "aws_ami" "by_count" {
              count = 2
              name  = "ami-${count.index}"
            }
        ''',
        "m/main.tf": '''
            variable "size" {}
            resource "aws_ebs_volume" "v" {
              size = var.size
            }
        ''',
    })
    _, res = evaluate(tmp_path)
    assert sorted(res) == [
        'aws_instance.per_key[*]',
        'aws_instance.per_subnet[*]',
        'aws_instance.set["a"]',
        'aws_instance.set["b"]',
        'data.aws_ami.by_count[0]',
        'data.aws_ami.by_count[1]',
        'data.aws_subnets.all',
        'module.m["x"].aws_ebs_volume.v',
        'module.m["y"].aws_ebs_volume.v',
        'module.u[*].aws_ebs_volume.v',
    ]
    assert res['aws_instance.set["a"]'].properties["ami"] == "ami-a-a"
    assert res["aws_instance.per_subnet[*]"].properties["ami"] == "fixed"
    assert is_unknown(res["aws_instance.per_subnet[*]"].properties["subnet_id"])
    assert is_unknown(res["aws_instance.per_key[*]"].properties["ami"])
    assert res['module.m["y"].aws_ebs_volume.v'].properties["size"] == 2
    assert is_unknown(res["module.u[*].aws_ebs_volume.v"].properties["size"])
    assert res["data.aws_ami.by_count[1]"].mode == "data"


def test_instance_limit(tmp_path, monkeypatch):
    # The cut itself, made small: at the real cap (100,000) a count that large is the root's
    # whole default budget (see test_a_count_beyond_the_roots_budget_stops_the_root_at_once).
    monkeypatch.setattr(_evaluate, "MAX_INSTANCES", 50)
    write(tmp_path, {"main.tf": 'resource "aws_instance" "i" {\n  count = %d\n}\n' % 55})
    result, res = evaluate(tmp_path)
    assert len(res) == 50
    assert [(n.level, n.line) for n in result.notifications] == [("warning", 2)]


def test_for_each_limit_is_said_as_the_count_limit_is(tmp_path, monkeypatch):
    monkeypatch.setattr(_evaluate, "MAX_INSTANCES", 50)
    write(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "b" {\n  for_each = toset([for i in range(%d) : "b${i}"])\n}\n' % 55})
    result, res = evaluate(tmp_path)
    assert len(res) == 50
    assert [(n.level, n.line) for n in result.notifications] == [("warning", 2)]
    assert "for_each of %d entries" % 55 in result.notifications[0].message


def test_large_for_each_and_count_are_evaluated_whole(tmp_path):
    """Issue 17: the per-resource cap was 1,000; 3,000 entries are now 3,000 instances."""
    assert MAX_INSTANCES >= 100_000
    # range() stops at 1,024 values, as Terraform's does: the 3,000 keys are written out.
    names = "".join('"b%d", ' % i for i in range(3000))
    write(tmp_path, {"main.tf": (
        'resource "aws_s3_bucket" "b" {\n  for_each = toset([%s])\n  bucket = each.key\n}\n' % names +
        'resource "aws_ebs_volume" "v" {\n  count = 3000\n  size = count.index\n}\n')})
    result, res = evaluate(tmp_path)
    assert len(res) == 6000
    assert result.notifications == []
    assert res['aws_s3_bucket.b["b2999"]'].properties["bucket"] == "b2999"
    assert res["aws_ebs_volume.v[2999]"].properties["size"] == 2999


def test_a_count_beyond_the_roots_budget_stops_the_root_at_once(tmp_path, monkeypatch):
    """A count of 10^9 (and a for_each over more entries than --max-instances) stops the root
    with the budget's note before a scope per instance is built: bounded in time and memory."""
    from iacguard.core import limits

    write(tmp_path / "count", {"main.tf": 'resource "aws_instance" "i" {\n  count = 1000000000\n}\n'})
    result, res = evaluate(tmp_path / "count")
    assert res == {}
    assert [n.message for n in result.notifications] == [
        "evaluation cut short: root module count exceeded 100000 instances (--max-instances); it is left unevaluated (Unknown) and none of its resources are checked"]
    write(tmp_path / "each", {"main.tf": 'resource "aws_s3_bucket" "b" {\n  for_each = toset([for i in range(300) : "b${i}"])\n}\n'})
    monkeypatch.setattr(limits, "CURRENT", limits.Limits(max_instances=200))
    result, res = evaluate(tmp_path / "each")
    assert res == {}
    assert [n.message.split(" exceeded ")[1].split(";")[0] for n in result.notifications] == ["200 instances (--max-instances)"]


# -- 6. dynamic blocks ------------------------------------------------------------------------

DYNAMIC_TF = '''
    variable "rules" {
      default = [
        { sse = "aws:kms", keys = ["k1", "k2"] },
        { sse = "AES256", keys = [] },
      ]
    }
    data "aws_kms_key" "unknown" {}
    resource "aws_s3_bucket_server_side_encryption_configuration" "c" {
      bucket = "b"
      dynamic "rule" {
        for_each = var.rules
        content {
          bucket_key_enabled = rule.key == 0
          dynamic "apply_server_side_encryption_by_default" {
            for_each = rule.value.keys
            iterator = key
            content {
              sse_algorithm     = rule.value.sse
              kms_master_key_id = key.value
            }
          }
        }
      }
      dynamic "extra" {
        for_each = data.aws_kms_key.unknown.ids
        content {
          id = extra.value
        }
      }
    }
'''


def test_dynamic_blocks_nested_with_iterator_and_unknown_collection(tmp_path):
    write(tmp_path, {"main.tf": DYNAMIC_TF})
    _, res = evaluate(tmp_path)
    conf = res["aws_s3_bucket_server_side_encryption_configuration.c"]
    assert conf.properties["rule"] == [
        {
            "bucket_key_enabled": True,
            "apply_server_side_encryption_by_default": [
                {"sse_algorithm": "aws:kms", "kms_master_key_id": "k1"},
                {"sse_algorithm": "aws:kms", "kms_master_key_id": "k2"},
            ],
        },
        {"bucket_key_enabled": False, "apply_server_side_encryption_by_default": []},
    ]
    extra = conf.properties["extra"]
    assert len(extra) == 1 and is_unknown(extra[0]["id"])
    assert conf.location_of("rule", 1).start_line == 10  # the dynamic block


# -- 7. JSON syntax ---------------------------------------------------------------------------


def test_json_syntax_gives_the_same_resources_as_native_syntax(tmp_path):
    write(tmp_path / "hcl", {"main.tf": DYNAMIC_TF + '''
        resource "aws_security_group" "web" {
          name = "web"
          tags = { Name = "web", "kubernetes.io/role" = "x" }
          ingress {
            from_port   = 22
            to_port     = 22
            protocol    = "tcp"
            cidr_blocks = ["10.0.0.0/8"]
          }
          ingress {
            from_port   = 443
            to_port     = 443
            protocol    = "tcp"
            cidr_blocks = ["0.0.0.0/0"]
          }
          lifecycle {
            create_before_destroy = true
          }
        }
        resource "aws_lambda_function" "f" {
          count = 1
          environment {
            variables = { lower_key = "v" }
          }
        }
    '''})
    doc = {
        "variable": {"rules": {"default": [{"sse": "aws:kms", "keys": ["k1", "k2"]}, {"sse": "AES256", "keys": []}]}},
        "data": {"aws_kms_key": {"unknown": {}}},
        "resource": {
            "aws_s3_bucket_server_side_encryption_configuration": {"c": {
                "bucket": "b",
                "dynamic": {
                    "rule": {
                        "for_each": "${var.rules}",
                        "content": {
                            "bucket_key_enabled": "${rule.key == 0}",
                            "dynamic": {"apply_server_side_encryption_by_default": {
                                "for_each": "${rule.value.keys}",
                                "iterator": "key",
                                "content": {"sse_algorithm": "${rule.value.sse}", "kms_master_key_id": "${key.value}"},
                            }},
                        },
                    },
                    "extra": [{"for_each": "${data.aws_kms_key.unknown.ids}", "content": {"id": "${extra.value}"}}],
                },
            }},
            "aws_security_group": {"web": {
                "name": "web",
                "tags": {"Name": "web", "kubernetes.io/role": "x"},
                "ingress": [
                    {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]},
                    {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
                ],
                "lifecycle": {"create_before_destroy": True},
            }},
            "aws_lambda_function": {"f": {"count": 1, "environment": {"variables": {"lower_key": "v"}}}},
        },
    }
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "main.tf.json").write_text(json.dumps(doc, indent=2))
    _, hcl = evaluate(tmp_path / "hcl")
    _, js = evaluate(tmp_path / "json")
    assert sorted(hcl) == sorted(js)
    for address in hcl:
        assert js[address].properties == hcl[address].properties, address
    assert js["aws_security_group.web"].blocks("ingress")[1]["cidr_blocks"] == ["0.0.0.0/0"]


# -- 9. graph ---------------------------------------------------------------------------------


def test_graph_walks_through_modules_instances_and_depends_on(tmp_path):
    write(tmp_path, {
        "main.tf": '''
            resource "aws_s3_bucket" "b" {
              count  = 2
              bucket = "b${count.index}"
            }
            module "enc" {
              source    = "./enc"
              bucket_id = aws_s3_bucket.b[1].id
            }
            resource "aws_s3_bucket_policy" "p" {
              for_each   = toset(["x"])
              bucket     = aws_s3_bucket.b[0].id
              policy     = module.enc.config_id
              depends_on = [aws_s3_bucket.b]
            }
        ''',
        "enc/main.tf": '''
            variable "bucket_id" {}
            locals {
              id = var.bucket_id
            }
            resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
              bucket = local.id
            }
            output "config_id" {
              value = aws_s3_bucket_server_side_encryption_configuration.this.id
            }
        ''',
    })
    result, res = evaluate(tmp_path)
    graph = ResourceGraph.build([result])
    b0, b1 = res["aws_s3_bucket.b[0]"], res["aws_s3_bucket.b[1]"]
    enc = res["module.enc.aws_s3_bucket_server_side_encryption_configuration.this"]
    policy = res['aws_s3_bucket_policy.p["x"]']
    assert [(r.address, p) for r, p in graph.referrers(b1)] == [(enc.address, ("bucket",))]
    assert [(r.address, p) for r, p in graph.referrers(b0)] == [(policy.address, ("bucket",))]
    assert [(r.address, p) for r, p in graph.referenced(policy)] == [(b0.address, ("bucket",)), (enc.address, ("policy",))]
    deps = sorted(dst for _, dst, kind in graph.g.out_edges(policy.id, data="kind") if kind == "depends_on")
    assert deps == [b0.id, b1.id]


def test_s3_encryption_in_a_module_counts_for_the_root_bucket():
    result = scan([str(EVAL / "module_reference" / "secure")], ScanOptions(), checks=[])
    assert result.resources == 2


def test_references_to_module_instances(tmp_path):
    write(tmp_path, {
        "main.tf": '''
            module "m" {
              source = "./m"
              count  = 2
              n      = count.index
            }
            module "k" {
              source   = "./m"
              for_each = toset(["a", "b"])
              n        = each.key
            }
            resource "aws_instance" "i" {
              ami  = module.m[1].id
              tags = { a = module.k["a"].id, all = module.m[*].id }
            }
        ''',
        "m/main.tf": '''
            variable "n" {}
            resource "aws_kms_key" "k" {
              description = var.n
            }
            output "id" {
              value = aws_kms_key.k.description
            }
        ''',
    })
    result, res = evaluate(tmp_path)
    graph = ResourceGraph.build([result])
    assert res["aws_instance.i"].properties == {"ami": 1, "tags": {"a": "a", "all": [0, 1]}}
    assert [(r.address, p) for r, p in graph.referenced(res["aws_instance.i"])] == [
        ('module.k["a"].aws_kms_key.k', ("tags",)),
        ("module.m[0].aws_kms_key.k", ("tags",)),
        ("module.m[1].aws_kms_key.k", ("ami",)),
    ]
