"""Random Terraform expressions, Terraform module trees and CloudFormation templates, as source
text, for the evaluation fuzz target (fuzz/fuzz_evaluation.py) and the property tests
(tests/hostile/test_evaluation_properties.py).

Every generator takes a *chooser*, the one source of randomness, so that the same code serves
three drivers: hypothesis (`HypothesisChooser`, which shrinks), atheris (`FdpChooser`, bytes from
the coverage-guided fuzzer) and a seeded `random.Random` (`RandomChooser`, for running the fuzz
targets in the ordinary test run without atheris). A chooser only has to answer `int(lo, hi)`.

Sizes are kept small on purpose (counts <= 5, nesting <= 4, at most one module call per folder in
a tree whose calls may form cycles): the point is to reach every corner of the evaluator with
ordinary inputs, not to build evaluation bombs (those are regression tests of their own).

A tree is a dict {relative path: text}; `write_tree` puts it in a folder.
"""
from __future__ import annotations

import json
import os
import posixpath
import random

import yaml

__all__ = [
    "RandomChooser",
    "FdpChooser",
    "HypothesisChooser",
    "tf_expression",
    "tf_literal",
    "tf_tree",
    "cfn_tree",
    "write_tree",
    "TF_FUNCTIONS",
]


# -- choosers ---------------------------------------------------------------------------------


class _Chooser:
    def int(self, lo: int, hi: int) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def bool(self) -> bool:
        return self.int(0, 1) == 1

    def pick(self, seq):
        return seq[self.int(0, len(seq) - 1)]

    def chance(self, n: int) -> bool:
        """True about once in `n` draws (and never once the input runs dry: the first choice
        of every range is the smallest, most ordinary one)."""
        return self.int(0, n - 1) == n - 1


class RandomChooser(_Chooser):
    def __init__(self, seed) -> None:
        self.rng = random.Random(seed)

    def int(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)


class FdpChooser(_Chooser):
    """Choices from an atheris FuzzedDataProvider (or fuzz/fdp.py's stand-in)."""

    def __init__(self, fdp) -> None:
        self.fdp = fdp

    def int(self, lo: int, hi: int) -> int:
        return self.fdp.ConsumeIntInRange(lo, hi)


class HypothesisChooser(_Chooser):
    """Choices drawn from hypothesis's `st.data()`, so failing cases shrink."""

    def __init__(self, data) -> None:
        from hypothesis import strategies as st

        self.data = data
        self._st = st

    def int(self, lo: int, hi: int) -> int:
        return self.data.draw(self._st.integers(lo, hi))


# -- Terraform expressions --------------------------------------------------------------------


def _function_names() -> list:
    from iacguard.terraform.functions import FUNCTIONS

    return sorted(FUNCTIONS) + ["try", "can", "nosuchfunction"]


TF_FUNCTIONS = _function_names()

# Functions whose arguments are worth biasing toward small numbers and short lists.
_NUMBERS = ["0", "1", "2", "3", "5", "-1", "1.5", "0.25", "1e2", "3.0", "100000000000000000000000", "-0"]
_STRINGS = [
    "", "a", "abc", "a,b,c", "0.0.0.0/0", "10.0.0.0/16", "::/0", "tcp", "-1", "22", "3389", "AES256",
    "aws:kms", "true", "false", "1", "x\\ny", "\\u00e9t\\u00e9", "$${lit}", "%%{lit}", "*", "s3:*",
    "%s-%d", "^a(b+)$", "**/*.tf", "main.tf", "missing.txt", "sub/x", "2024-01-01T00:00:00Z", "{\\\"a\\\": 1}",
    "a: [1, 2]", "YWJj", "ab\\tc", "\\\\",
]
_ATTRS = ["id", "arn", "name", "bucket", "a", "b", "key", "value", "0"]
_OPS = ["==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "&&", "||"]
_TYPES = [None, "string", "number", "bool", "any", "list(string)", "list(number)", "set(string)", "map(string)",
          "map(any)", "object({ a = string, b = optional(number, 3) })", "list(object({ port = number, cidrs = list(string) }))",
          "tuple([string, number])"]


def _string(c) -> str:
    return '"%s"' % c.pick(_STRINGS)


def tf_literal(c, depth: int = 2) -> str:
    """A literal value on one line: no references, no functions (a value a local, a variable
    default or a tfvars file may hold unchanged)."""
    k = c.int(0, 5 if depth > 0 else 3)
    if k == 0:
        return _string(c)
    if k == 1:
        return c.pick(_NUMBERS)
    if k == 2:
        return c.pick(["true", "false"])
    if k == 3:
        return c.pick(["null", '"0.0.0.0/0"', "22", "true", "false"])
    if k == 4:
        return "[%s]" % ", ".join(tf_literal(c, depth - 1) for _ in range(c.int(0, 3)))
    keys = ["a", "b", "port", "cidrs", '"k-1"', "encrypted"]
    return "{ %s }" % ", ".join("%s = %s" % (c.pick(keys), tf_literal(c, depth - 1)) for _ in range(c.int(0, 3)))


def _reference(c, env: list) -> str:
    ref = c.pick(env) if env else "var.missing"
    for _ in range(c.int(0, 2) if c.chance(2) else 0):
        step = c.int(0, 2)
        if step == 0:
            ref += "." + c.pick(_ATTRS)
        elif step == 1:
            ref += "[%s]" % c.pick(["0", "1", '"a"', '"k-1"', "-1"])
        else:
            ref += c.pick(["[*].id", ".*.name", "[*]"])
    return ref


def tf_expression(c, depth: int = 3, env: list | None = None) -> str:
    """A random expression: literals, operators, conditionals, for expressions, splats,
    index/attribute access, calls of every built-in function, templates with interpolations and
    directives, references to the names in `env`."""
    env = list(env or [])
    if depth <= 0 or c.chance(3):
        return _reference(c, env) if env and c.bool() else tf_literal(c, 1)
    d = depth - 1
    k = c.int(0, 12)
    if k == 0:
        return "(%s %s %s)" % (tf_expression(c, d, env), c.pick(_OPS), tf_expression(c, d, env))
    if k == 1:
        return "%s%s" % (c.pick(["!", "-"]), tf_expression(c, d, env))
    if k == 2:
        return "(%s ? %s : %s)" % (tf_expression(c, d, env), tf_expression(c, d, env), tf_expression(c, d, env))
    if k == 3:
        inner = env + ["k", "v"]
        coll = tf_expression(c, d, env)
        cond = " if %s" % tf_expression(c, d, inner) if c.chance(3) else ""
        if c.bool():
            return "[for k, v in %s : %s%s]" % (coll, tf_expression(c, d, inner), cond)
        group = "..." if c.chance(4) else ""
        return "{for k, v in %s : %s => %s%s%s}" % (coll, tf_expression(c, d, inner), tf_expression(c, d, inner), group, cond)
    if k == 4:
        return "%s%s" % (_reference(c, env) if env else tf_expression(c, d, env), c.pick(["[*].a", ".*.b", "[*]", "[*].id[0]"]))
    if k == 5:
        return "%s[%s]" % (tf_expression(c, d, env), tf_expression(c, d, env))
    if k == 6:
        return "%s.%s" % (_reference(c, env) if env and c.bool() else "{ a = %s, b = 2 }" % tf_expression(c, d, env), c.pick(_ATTRS[:-1]))
    if k in (7, 8):
        name = c.pick(TF_FUNCTIONS)
        args = [tf_expression(c, d, env) for _ in range(c.int(0, 3))]
        if args and c.chance(6):
            args[-1] += "..."
        return "%s(%s)" % (name, ", ".join(args))
    if k == 9:
        return _template(c, d, env)
    if k == 10:
        return "[%s]" % ", ".join(tf_expression(c, d, env) for _ in range(c.int(0, 3)))
    if k == 11:
        keys = ["a", "b", '"k-1"', "(%s)" % tf_expression(c, 0, env)]
        return "{ %s }" % ", ".join("%s = %s" % (c.pick(keys), tf_expression(c, d, env)) for _ in range(c.int(0, 3)))
    return _reference(c, env)


def _template(c, depth: int, env: list) -> str:
    parts = []
    for _ in range(c.int(1, 3)):
        k = c.int(0, 4)
        if k == 0:
            parts.append(c.pick(["x", "-", " ", "$$", "%%", "a.b"]))
        elif k == 1:
            parts.append("${%s}" % tf_expression(c, depth, env))
        elif k == 2:
            strip = c.pick(["", "~"])
            parts.append("%%{ if %s %s}yes%%{ else }no%%{ endif %s}" % (tf_expression(c, depth, env), strip, strip))
        elif k == 3:
            parts.append("%%{ for i, x in %s }${x}%%{ if i > 0 },%%{ endif }%%{ endfor }" % tf_expression(c, depth, env))
        else:
            parts.append("${%s}" % _reference(c, env) if env else "z")
    return '"%s"' % "".join(parts)


# -- Terraform module trees -------------------------------------------------------------------


def _rel_source(caller: str, target: str) -> str:
    rel = posixpath.relpath(target, caller)
    if rel == ".":
        return "./"
    return rel if rel.startswith("..") else "./" + rel


def tf_tree(c, folders: int | None = None) -> tuple[dict, dict]:
    """A random module tree: (files, info). `info["root_called"]` says whether some module call
    targets the top folder, itself included (then the top folder is, or is also, a child
    module instance, whose variables tfvars do not set)."""
    n = c.int(0, 3) if folders is None else folders
    dirs = ["."] + ["modules/m%d" % i for i in range(n)]
    cyclic = c.chance(3)
    files: dict = {}
    root_called = False
    for i, d in enumerate(dirs):
        lines: list = []
        nv, nl = c.int(0, 3), c.int(0, 3)
        env = ["var.v%d" % j for j in range(nv + 1)] + ["local.l%d" % j for j in range(nl + 1)]
        env += ["aws_s3_bucket.b0", "aws_security_group.sg0", "module.m0.o0", "module.m0", "path.module",
                "terraform.workspace", "data.aws_caller_identity.me.account_id", "aws_ebs_volume.e0[0]"]
        for j in range(nv):
            lines.append('variable "v%d" {' % j)
            typ = c.pick(_TYPES)
            if typ:
                lines.append("  type = %s" % typ)
            if c.int(0, 3):
                lines.append("  default = %s" % tf_literal(c, 2))
            if c.chance(3):
                lines.append("  sensitive = true")
            if c.chance(3):
                lines += ["  validation {", "    condition = %s" % tf_expression(c, 2, ["var.v%d" % j]), '    error_message = "bad value."', "  }"]
            lines.append("}")
        if nl:
            lines.append("locals {")
            for j in range(nl):
                # A local may refer to any local, itself and later ones included (cycles).
                lines.append("  l%d = %s" % (j, tf_expression(c, 3, env)))
            lines.append("}")
        for j in range(c.int(0, 3)):
            lines += _tf_resource(c, j, env)
        # Module calls.
        if cyclic:
            calls = 1 if c.bool() else 0  # one call, no count: a cycle is a chain, not a tree
        else:
            calls = c.int(0, 2)
        for j in range(calls):
            if cyclic:
                target = c.pick(dirs)
            else:
                later = dirs[i + 1 :]
                target = c.pick(later) if later else None
            kind = c.int(0, 5)
            if target is not None and kind < 4:
                source = _rel_source(d, target)
                root_called = root_called or target == "."
            else:
                source = c.pick(["./missing", "../../nowhere", "git::https://example.com/mod.git?ref=v1",
                                 "terraform-aws-modules/s3-bucket/aws", "./", "${var.v0}"])
                if source == "./" and calls > 1:
                    source = "./missing"  # calling itself twice doubles at each level: a bomb
                root_called = root_called or (source == "./" and d == ".")
            selfcall = source == "./" or target == d and kind < 4
            lines.append('module "m%d" {' % j)
            lines.append('  source = "%s"' % source)
            if cyclic or selfcall:
                pass  # no count: a chain of 32 nested instances, not 2^32
            elif c.chance(3):
                lines.append("  count = %s" % c.pick(["0", "1", "2", "var.v0 ? 1 : 0", "length(local.l0)"]))
            elif c.chance(4):
                lines.append('  for_each = %s' % c.pick(['toset(["a", "b"])', '{ x = 1 }', "var.v0", "{}"]))
            for k in range(c.int(0, 3)):
                lines.append("  v%d = %s" % (k, tf_expression(c, 2, env + ["each.key", "count.index"])))
            lines.append("}")
        for j in range(c.int(0, 2)):
            lines += ['output "o%d" {' % j, "  value = %s" % tf_expression(c, 2, env)]
            if c.chance(4):
                lines.append("  sensitive = true")
            lines.append("}")
        name = "main.tf"
        files[posixpath.join(d, name) if d != "." else name] = "\n".join(lines) + "\n"
    if c.chance(2):
        files["terraform.tfvars"] = "".join("v%d = %s\n" % (j, tf_literal(c, 2)) for j in range(c.int(0, 3)))
    if c.chance(5):
        files["extra.auto.tfvars.json"] = json.dumps({"v0": c.pick([True, "x", 3, ["0.0.0.0/0"], {"a": "b"}])})
    if c.chance(6):
        files["data/a.txt"] = c.pick(["hello", "${v0}", "%{ for x in [1,2] }${x}%{ endfor }", ""])
    return files, {"root_called": root_called, "cyclic": cyclic}


def _meta_argument(c, env: list) -> tuple[list, list]:
    """count / for_each lines and the names they bring into scope."""
    k = c.int(0, 5)
    if k == 0:
        return ["  count = %s" % c.pick(["0", "1", "2", "3", "5"])], ["count.index"]
    if k == 1:
        # min(): a module that calls itself nests 32 deep, and 32 x count = 1e23 (cut at 1000) is an
        # evaluation-budget case of its own (tests/hostile), not something to hit at random.
        return ["  count = min(5, %s)" % tf_expression(c, 2, env)], ["count.index"]
    if k == 2:
        return ["  for_each = %s" % c.pick(['toset(["a", "b"])', '{ a = "x", b = "y" }', "{}", 'toset([])', '{ k = { port = 22 } }'])], ["each.key", "each.value"]
    if k == 3:
        return ["  for_each = %s" % tf_expression(c, 2, env)], ["each.key", "each.value"]
    return [], []


def _tf_resource(c, j: int, env: list) -> list:
    meta, extra = _meta_argument(c, env)
    env = env + extra

    def e() -> str:
        return tf_expression(c, 2, env)

    k = c.int(0, 5)
    if k == 0:
        lines = ['resource "aws_s3_bucket" "b%d" {' % j, *meta, "  bucket = %s" % e()]
        if c.bool():
            lines += ["  server_side_encryption_configuration {", "    rule {", "      apply_server_side_encryption_by_default {",
                      "        sse_algorithm = %s" % e(), "      }", "    }", "  }"]
    elif k == 1:
        lines = ['resource "aws_security_group" "sg%d" {' % j, *meta]
        if c.bool():
            lines += ["  ingress {", "    from_port = %s" % e(), "    to_port = %s" % e(), "    protocol = %s" % e(),
                      "    cidr_blocks = %s" % e(), "  }"]
        else:
            lines += ['  dynamic "ingress" {', "    for_each = %s" % e()]
            if c.bool():
                lines.append("    iterator = rule")
                it = "rule"
            else:
                it = "ingress"
            inner = env + ["%s.key" % it, "%s.value" % it, "%s.value.port" % it]
            lines += ["    content {", "      from_port = %s" % tf_expression(c, 1, inner), "      to_port = %s.value" % it,
                      '      protocol = "tcp"', "      cidr_blocks = %s" % tf_expression(c, 1, inner), "    }", "  }"]
    elif k == 2:
        lines = ['resource "aws_ebs_volume" "e%d" {' % j, *meta, "  encrypted = %s" % e(), "  size = %s" % e()]
    elif k == 3:
        lines = ['resource "aws_db_instance" "db%d" {' % j, *meta, "  storage_encrypted = %s" % e(),
                 "  publicly_accessible = %s" % e()]
    elif k == 4:
        lines = ['resource "aws_iam_policy" "p%d" {' % j, *meta,
                 '  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = %s, Resource = %s }] })' % (e(), e())]
    else:
        lines = ['data "aws_iam_policy_document" "d%d" {' % j, *meta, "  statement {", "    actions = %s" % e(),
                 "    resources = %s" % e(), "  }"]
    if c.chance(4):
        lines += ["  lifecycle {", "    ignore_changes = [tags]", "  }"]
    if c.chance(5):
        lines.append("  depends_on = [%s]" % c.pick(["aws_s3_bucket.b0", "module.m0", "var.v0"]))
    return lines + ["}"]


# -- CloudFormation -----------------------------------------------------------------------------

_CFN_SCALARS = ["true", "false", True, False, 0, 1, 22, 3389, -1, "0.0.0.0/0", "10.0.0.0/8", "::/0", "tcp", "-1",
                "AES256", "aws:kms", "", "a,b,c", "x", "${AWS::Region}", "${!Literal}", "1.5"]
_PSEUDO = ["AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::NoValue", "AWS::Partition", "AWS::URLSuffix",
           "AWS::NotificationARNs", "AWS::StackId"]


def _cfn_literal(c, depth: int = 1):
    k = c.int(0, 3 if depth > 0 else 1)
    if k <= 1:
        return c.pick(_CFN_SCALARS)
    if k == 2:
        return [_cfn_literal(c, depth - 1) for _ in range(c.int(0, 3))]
    return {c.pick(["a", "b", "Key", "Value"]): _cfn_literal(c, depth - 1) for _ in range(c.int(0, 2))}


def cfn_value(c, depth: int, env: dict):
    """A random value with intrinsic functions over the names in `env` (parameters, resources,
    conditions, mappings)."""
    if depth <= 0 or c.chance(3):
        return _cfn_literal(c, 1)
    d = depth - 1
    params, resources, conds = env["params"], env["resources"], env["conditions"]
    k = c.int(0, 15)
    if k == 0:
        return {"Ref": c.pick(params + resources + _PSEUDO + ["Missing"])}
    if k == 1:
        attr = c.pick(["Arn", "DomainName", "Endpoint.Address", "Outputs.Out0", "GroupId", "Nope"])
        res = c.pick(resources + ["Missing"])
        return {"Fn::GetAtt": c.pick([[res, attr], "%s.%s" % (res, attr)])}
    if k == 2:
        names = params + resources + _PSEUDO[:3] + ["%s.Arn" % r for r in resources[:1]] + ["Missing"]
        text = "".join(c.pick(["a-", "${%s}" % c.pick(names), "${!x}", "-b", "$"]) for _ in range(c.int(1, 3)))
        if c.bool():
            return {"Fn::Sub": text}
        return {"Fn::Sub": [text, {"Local": cfn_value(c, d, env)}]}
    if k == 3:
        return {"Fn::Join": [c.pick(["", ",", "-"]), [cfn_value(c, d, env) for _ in range(c.int(0, 3))]]}
    if k == 4:
        return {"Fn::If": [c.pick(conds + ["Nope"]), cfn_value(c, d, env), cfn_value(c, d, env)]}
    if k == 5:
        return {"Fn::Select": [c.pick([0, 1, "1", -1, 5]), cfn_value(c, d, env)]}
    if k == 6:
        return {"Fn::Split": [c.pick([",", "", "-"]), cfn_value(c, d, env)]}
    if k == 7:
        return {"Fn::FindInMap": [c.pick(env["mappings"] + ["NoMap"]), c.pick(["k0", "k1", {"Ref": "AWS::Region"}]),
                                  c.pick(["a", "b", "c"])]}
    if k == 8:
        return {"Fn::GetAZs": c.pick(["", "us-east-1", {"Ref": "AWS::Region"}])}
    if k == 9:
        return {"Fn::ImportValue": cfn_value(c, d, env)}
    if k == 10:
        return {"Fn::Base64": cfn_value(c, d, env)}
    if k == 11:
        return {"Fn::Cidr": [c.pick(["10.0.0.0/16", "192.168.0.0/24", "bad"]), c.pick([1, 2, 4, "3"]), c.pick([4, 8, "5"])]}
    if k == 12:
        return [cfn_value(c, d, env) for _ in range(c.int(0, 3))]
    if k == 13:
        return {c.pick(["a", "Key", "Fn::Nope", "Ref"]): cfn_value(c, d, env) for _ in range(c.int(1, 2))}
    if k == 14:
        return {c.pick(["Fn::Length", "Fn::ToJsonString", "Fn::Transform", "Condition"]): cfn_value(c, d, env)}
    return {"Ref": c.pick(params)} if params else _cfn_literal(c, 1)


def _cfn_condition(c, depth: int, env: dict):
    k = c.int(0, 4) if depth > 0 else 0
    if k == 0:
        return {"Fn::Equals": [cfn_value(c, 1, env), cfn_value(c, 1, env)]}
    if k == 1:
        return {"Fn::Not": [_cfn_condition(c, depth - 1, env)]}
    if k in (2, 3):
        return {c.pick(["Fn::And", "Fn::Or"]): [_cfn_condition(c, depth - 1, env) for _ in range(c.int(1, 3))]}
    return {"Condition": c.pick(env["conditions"] + ["Missing"])}


def _cfn_resource(c, env: dict, sam: bool, others: list, name: str):
    def v():
        return cfn_value(c, 2, env)

    k = c.int(0, 9 if sam else 6)
    if k == 0:
        props = {"BucketName": v()}
        if c.bool():
            props["BucketEncryption"] = {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": v()}}]}
        if c.bool():
            props["PublicAccessBlockConfiguration"] = {k2: v() for k2 in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")}
        res = {"Type": "AWS::S3::Bucket", "Properties": props}
    elif k == 1:
        rule = {"IpProtocol": v(), "FromPort": v(), "ToPort": v(), "CidrIp": v()}
        res = {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "g", "SecurityGroupIngress": c.pick([[rule], v(), [rule, v()]])}}
    elif k == 2:
        res = {"Type": "AWS::RDS::DBInstance", "Properties": {"StorageEncrypted": v(), "PubliclyAccessible": v(), "Engine": "mysql"}}
    elif k == 3:
        res = {"Type": "AWS::EC2::Volume", "Properties": {"Encrypted": v(), "Size": v(), "AvailabilityZone": v()}}
    elif k == 4:
        res = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {
            "Statement": [{"Effect": c.pick(["Allow", "Deny", v()]), "Action": v(), "Resource": v()}]}}}
    elif k == 5:
        url = c.pick(others + ["./missing.yaml", "https://s3.amazonaws.com/bucket/%s" % c.pick(others or ["x.yaml"]),
                               {"Fn::Sub": "https://${Bucket}.s3.amazonaws.com/%s" % c.pick(others or ["x.yaml"])}])
        res = {"Type": "AWS::CloudFormation::Stack", "Properties": {
            "TemplateURL": url, "Parameters": {"P%d" % i: v() for i in range(c.int(0, 2))}}}
    elif k == 6:
        res = {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": {"Ref": c.pick(env["resources"] or ["X"])},
                                                                        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": v()}}
    elif k == 7:
        props = {"Runtime": "python3.12", "Handler": "app.handler", "CodeUri": c.pick(["src/", v()]),
                 "Policies": c.pick([v(), ["AWSLambdaBasicExecutionRole", {"S3ReadPolicy": {"BucketName": v()}}],
                                     [{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]]),
                 "Environment": {"Variables": {"A": v()}}}
        if c.bool():
            props["Events"] = {"Api": {"Type": "Api", "Properties": {"Path": "/x", "Method": "get"}},
                               "Bucket": {"Type": "S3", "Properties": {"Bucket": {"Ref": c.pick(env["resources"] or ["X"])}, "Events": "s3:ObjectCreated:*"}}}
        res = {"Type": "AWS::Serverless::Function", "Properties": props}
    elif k == 8:
        res = {"Type": c.pick(["AWS::Serverless::Api", "AWS::Serverless::SimpleTable", "AWS::Serverless::HttpApi"]),
               "Properties": c.pick([{}, {"StageName": v()}, {"SSESpecification": {"SSEEnabled": v()}}])}
    else:
        res = {"Type": "AWS::Serverless::Application", "Properties": {"Location": c.pick(others + ["./missing.yaml", v()]),
                                                                       "Parameters": {"P0": v()}}}
    if env["conditions"] and c.chance(3):
        res["Condition"] = c.pick(env["conditions"] + ["Nope"])
    if c.chance(5):
        res["DependsOn"] = c.pick(env["resources"] + ["Missing"])
    if c.chance(6):
        res["Metadata"] = {"iacguard": {"ignore": [{"id": "AWS-S3-001", "reason": "fuzz"}]}}
    return res


def cfn_template(c, others: list, name: str) -> dict:
    """One template; `others` are TemplateURLs of the tree's templates (itself included)."""
    sam = c.chance(3)
    np_, nc, nr = c.int(0, 3), c.int(0, 2), c.int(1, 4)
    env = {"params": ["P%d" % i for i in range(np_)], "resources": ["R%d" % i for i in range(nr)],
           "conditions": ["C%d" % i for i in range(nc)], "mappings": ["M0"] if c.bool() else []}
    tpl: dict = {"AWSTemplateFormatVersion": "2010-09-09"}
    if sam:
        tpl["Transform"] = c.pick(["AWS::Serverless-2016-10-31", ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]])
        if c.bool():
            tpl["Globals"] = {"Function": {"Timeout": 3, "Environment": {"Variables": {"G": cfn_value(c, 1, env)}}}}
    elif c.chance(5):
        tpl["Transform"] = "AWS::LanguageExtensions"
    if np_:
        tpl["Parameters"] = {}
        for p in env["params"]:
            decl = {"Type": c.pick(["String", "Number", "CommaDelimitedList", "List<Number>", "AWS::EC2::VPC::Id",
                                    "AWS::SSM::Parameter::Value<String>", "Bogus"])}
            if c.int(0, 3):
                decl["Default"] = _cfn_literal(c, 0)
            if c.chance(3):
                decl["AllowedValues"] = [_cfn_literal(c, 0) for _ in range(c.int(0, 3))]
            if c.chance(3):
                decl["NoEcho"] = c.pick([True, "true"])
            tpl["Parameters"][p] = decl
    if env["mappings"]:
        tpl["Mappings"] = {"M0": {k: {"a": _cfn_literal(c, 1), "b": c.pick(["x", "true", "0.0.0.0/0"])} for k in ("k0", "k1", "us-east-1")}}
    if nc:
        tpl["Conditions"] = {cn: _cfn_condition(c, 2, env) for cn in env["conditions"]}
    tpl["Resources"] = {r: _cfn_resource(c, env, sam, others, name) for r in env["resources"]}
    if c.bool():
        tpl["Outputs"] = {"Out0": {"Value": cfn_value(c, 2, env), **({"Export": {"Name": cfn_value(c, 1, env)}} if c.bool() else {})}}
    return tpl


class _ShortFormDumper(yaml.SafeDumper):
    """YAML with CloudFormation's short-form tags (`!Ref x`, `!Sub ...`, `!GetAtt a.b`)."""


def _represent_dict(dumper, data):
    if len(data) == 1:
        (key, value), = data.items()
        if key == "Ref" and isinstance(value, str):
            return dumper.represent_scalar("!Ref", value)
        if isinstance(key, str) and key.startswith("Fn::") and key not in ("Fn::Transform",):
            tag = "!" + key[4:]
            if isinstance(value, list):
                return dumper.represent_sequence(tag, value)
            if isinstance(value, dict):
                return dumper.represent_mapping(tag, value)
            if isinstance(value, str):
                return dumper.represent_scalar(tag, value)
    return dumper.represent_mapping("tag:yaml.org,2002:map", data)


_ShortFormDumper.add_representer(dict, _represent_dict)


def dump_template(tpl: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(tpl, indent=1) + "\n"
    if fmt == "yaml-short":
        return yaml.dump(tpl, Dumper=_ShortFormDumper, sort_keys=False, default_flow_style=False)
    return yaml.safe_dump(tpl, sort_keys=False, default_flow_style=False)


def cfn_tree(c) -> dict:
    """1-3 templates that may nest each other (themselves and cycles included)."""
    n = c.int(1, 3)
    names = []
    for i in range(n):
        fmt = c.pick(["yaml", "yaml-short", "json"])
        names.append(("t%d.%s" % (i, "json" if fmt == "json" else "yaml"), fmt))
    others = ["./" + nm for nm, _ in names] + [nm for nm, _ in names]
    files = {}
    for nm, fmt in names:
        files[nm] = dump_template(cfn_template(c, others, nm), fmt)
    if c.chance(4):
        files["params.json"] = json.dumps([{"ParameterKey": "P0", "ParameterValue": "x"}])
    return files


def write_tree(root: str, files: dict) -> None:
    for rel, text in files.items():
        path = os.path.join(root, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
