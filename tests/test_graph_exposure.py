"""`iacguard graph --exposure`: the exposure overlay (issue 14, item 5).

On the attack path fixtures of tests/exposure/fixtures/paths (Terraform, CloudFormation YAML and
JSON): the internet node, an edge from it to every entry point labelled with its ports, each
attack path drawn as the chain of its nodes (plumbing as edge labels) in order, the layers missing
marked at the node that lacks them, the traps absent, undecided entry points and paths drawn
dashed with their reason; dot and Mermaid parse structurally; hostile names stay in their labels;
no secret value is printed; the size cap; an analysis error is reported, never a traceback."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from iacguard.cli import main

REPO = Path(__file__).resolve().parents[1]
PATHS = REPO / "tests" / "exposure" / "fixtures" / "paths"
TF_MAIN = PATHS / "terraform" / "main"
TF_UNKNOWN = PATHS / "terraform" / "unknown"
CFN = PATHS / "cloudformation"


def _run(*args, cwd=REPO):
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["graph", "--exposure", *map(str, args)])
    finally:
        os.chdir(old)


def _json(*args, cwd=REPO) -> dict:
    result = _run(*args, "--format", "json", cwd=cwd)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _names(doc) -> dict:
    return {n["id"]: n["address"] for n in doc["nodes"]} | {"internet": "(internet)"}


def _by_address(doc) -> dict:
    return {n["address"]: n for n in doc["nodes"]}


def _edges(doc) -> dict:
    """(source address, target address) -> (label, decided)."""
    names = _names(doc)
    return {(names[e["source"]], names[e["target"]]): (e["label"], e["decided"]) for e in doc["edges"]}


def _chains(doc) -> dict:
    return {tuple(h["address"] for h in p["hops"]): p for p in doc["paths"]}


# -- Terraform -----------------------------------------------------------------------------------
def test_terraform_internet_entry_points_and_ports():
    doc = _json(TF_MAIN)
    assert doc["internet"] == {"id": "internet"}
    entries = {e["address"]: e for e in doc["entry_points"]}
    assert {a: e["ports"] for a, e in entries.items()} == {
        "aws_cloudfront_distribution.cdn": ["tcp 80", "tcp 443"],
        "aws_db_instance.public": ["tcp 3306"],
        "aws_lambda_function_url.api": ["tcp 443"],
        "aws_lb.web": ["tcp 443"],
    }
    assert all(e["decided"] is True and e["node"] for e in entries.values())
    edges = _edges(doc)
    assert edges[("(internet)", "aws_lb.web")] == ("tcp 443", True)
    assert edges[("(internet)", "aws_db_instance.public")] == ("tcp 3306", True)
    assert edges[("(internet)", "aws_cloudfront_distribution.cdn")] == ("tcp 80, tcp 443", True)
    assert sum(1 for s, _ in edges if s == "(internet)") == 4


def test_terraform_paths_are_chains_in_order_with_plumbing_as_labels():
    doc = _json(TF_MAIN)
    chains = _chains(doc)
    read = chains[("aws_lb.web", "aws_lb_listener.https", "aws_lb_target_group.app", "aws_instance.app",
                   "aws_iam_role.app", "aws_iam_role_policy.read", "aws_s3_bucket.media")]
    assert (read["entry"], read["asset"], read["access"], read["decided"]) == ("aws_lb.web", "aws_s3_bucket.media", "read", True)
    assert [h["line"] for h in read["hops"]] == [52, 59, 69, 80, 93, 101, 109]
    assert read["hops"][0]["message"] == "ALB aws_lb.web accepts tcp 443 from the internet"
    assert all(h["file"] == "tests/exposure/fixtures/paths/terraform/main/main.tf" for h in read["hops"])
    # plumbing hops are no nodes: listener, target group and policy are edge labels
    nodes = _by_address(doc)
    assert read["hops"][1]["node"] is None and read["hops"][5]["node"] is None
    assert "aws_lb_listener.https" not in nodes and "aws_iam_role_policy.read" not in nodes
    edges = _edges(doc)
    assert edges[("aws_lb.web", "aws_instance.app")] == ("aws_lb_listener.https, aws_lb_target_group.app", True)
    assert edges[("aws_instance.app", "aws_iam_role.app")] == ("", True)
    assert edges[("aws_iam_role.app", "aws_s3_bucket.media")] == ("read via aws_iam_role_policy.read", True)
    assert edges[("aws_instance.app", "aws_db_instance.orders")] == ("network via aws_security_group.db", True)
    assert edges[("aws_iam_role.fn", "aws_dynamodb_table.orders")] == ("read/write via aws_iam_role_policy.table", True)
    assert edges[("aws_cloudfront_distribution.cdn", "aws_s3_bucket.site")] == ("origin", True)
    # a public database is its own path: one hop, no edge but the internet's
    assert chains[("aws_db_instance.public",)]["access"] == "itself"


def test_terraform_only_exposed_resources_and_no_traps():
    doc = _json(TF_MAIN)
    assert set(_by_address(doc)) == {
        "aws_cloudfront_distribution.cdn", "aws_s3_bucket.site", "aws_db_instance.public", "aws_lb.web", "aws_instance.app",
        "aws_iam_role.app", "aws_s3_bucket.media", "aws_db_instance.orders", "aws_lambda_function_url.api",
        "aws_lambda_function.api", "aws_iam_role.fn", "aws_dynamodb_table.orders"}
    text = json.dumps(doc)
    assert "aws_lb.internal" not in text and "aws_s3_bucket.other" not in text  # internal LB, a bucket the role cannot read


def test_terraform_missing_layers_marked_where_they_are_missing():
    doc = _json(TF_MAIN)
    nodes = _by_address(doc)
    assert nodes["aws_lb.web"]["missing"] == ["waf"]
    assert nodes["aws_lambda_function_url.api"]["missing"] == ["authentication"]
    assert nodes["aws_db_instance.public"]["missing"] == ["network-segmentation", "encryption-at-rest"]
    assert nodes["aws_db_instance.orders"]["missing"] == ["encryption-at-rest"]
    assert nodes["aws_db_instance.orders"]["path_lacks"] == ["waf", "encryption-at-rest"]
    assert nodes["aws_s3_bucket.media"]["path_lacks"] == ["waf"] and nodes["aws_s3_bucket.media"]["missing"] == []
    assert nodes["aws_lb.web"]["at_risk"] and nodes["aws_s3_bucket.media"]["at_risk"]
    assert not nodes["aws_instance.app"]["at_risk"] and not nodes["aws_iam_role.app"]["at_risk"]
    chains = _chains(doc)
    orders = next(p for c, p in chains.items() if c[-1] == "aws_db_instance.orders")
    assert [(m["layer"], m["line"]) for m in orders["missing"]] == [("waf", 52), ("encryption-at-rest", 117)]
    assert orders["missing"][0]["reason"] and orders["missing"][0]["file"].endswith("main.tf")
    dot = _run(TF_MAIN).stdout
    web = next(line for line in dot.splitlines() if "aws_lb.web" in line)
    assert "missing: waf" in web and 'color="#cc0000"' in web and "filled" in web
    assert "path lacks: waf, encryption-at-rest" in dot
    mermaid = _run(TF_MAIN, "--format", "mermaid").stdout
    assert re.search(r"^  class (n\d+,)*n\d+ atRisk$", mermaid, re.M)
    assert "missing: authentication" in mermaid


# -- CloudFormation ------------------------------------------------------------------------------
def test_cloudformation_yaml_and_json():
    doc = _json(CFN)
    entries = {e["address"]: e["ports"] for e in doc["entry_points"]}
    assert entries["Web"] == ["tcp 443"] and entries["FnUrl"] == ["tcp 443"] and entries["Cdn"] == ["tcp 80", "tcp 443"]
    chains = _chains(doc)
    assert ("Web", "Https", "AppTargets", "App", "AppRole", "ReadMedia", "Media") in chains
    assert ("FnUrl", "Fn", "FnRole", "Orders") in chains
    assert ("Cdn", "Site") in chains
    edges = _edges(doc)
    assert edges[("(internet)", "Web")] == ("tcp 443", True)
    assert edges[("Web", "App")] == ("Https, AppTargets", True)
    assert edges[("AppRole", "Media")] == ("read via ReadMedia", True)
    assert edges[("FnRole", "Orders")] == ("write", True)  # the grant is inline in the role
    nodes = _by_address(doc)
    assert nodes["FnUrl"]["missing"] == ["authentication"]
    assert nodes["App"]["type"] == "AWS::EC2::Instance"
    files = {n["file"] for n in doc["nodes"]}
    assert files == {"tests/exposure/fixtures/paths/cloudformation/edge.json", "tests/exposure/fixtures/paths/cloudformation/network.yaml"}
    assert {n["root"] for n in doc["nodes"]} == files  # grouped by template
    # traps: the internal load balancer and the bucket the role may not read
    text = json.dumps(doc)
    assert '"Internal' not in text and '"Other' not in text
    dot = _run(CFN).stdout
    assert "AWS::EC2::Instance" in dot  # a logical id says nothing of its type: the type is shown


# -- undecided -----------------------------------------------------------------------------------
def test_undecided_paths_are_dashed_with_their_reason():
    doc = _json(TF_UNKNOWN)
    chains = _chains(doc)
    assert set(chains) == {
        ("aws_lambda_function_url.api", "aws_lambda_function.api", "aws_security_group_rule.cache_from_fn", "aws_elasticache_cluster.cache"),
        ("aws_lambda_function_url.api", "aws_lambda_function.api", "aws_iam_role.fn", "aws_iam_role_policy.maybe", "aws_s3_bucket.data"),
    }
    for path in chains.values():
        assert path["decided"] is False and path["reason"]
        assert path["missing"] == []  # nothing known to be missing: no red
    edges = _edges(doc)
    label, decided = edges[("aws_lambda_function.api", "aws_elasticache_cluster.cache")]
    assert not decided and label == "may network via aws_security_group_rule.cache_from_fn (undecided: variable db_port has no value)"
    assert edges[("(internet)", "aws_lambda_function_url.api")] == ("tcp 443", True)
    assert not any(n["at_risk"] for n in doc["nodes"])
    dot = _run(TF_UNKNOWN).stdout
    assert re.search(r"-> n\d+ \[label=\"may network via [^\n]*variable db_port has no value\)\", style=dashed\];", dot)
    assert "#cc0000" not in dot
    mermaid = _run(TF_UNKNOWN, "--format", "mermaid").stdout
    assert re.search(r"^  n\d+ -\.->\|may read via ", mermaid, re.M)


UNDECIDED_LB = """
variable "internal" {
  type = bool
}

resource "aws_lb" "maybe" {
  internal = var.internal
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.maybe.arn
  port              = 80
  protocol          = "HTTP"
}
"""


def test_undecided_entry_point_is_dashed_with_its_reason(tmp_path):
    (tmp_path / "main.tf").write_text(UNDECIDED_LB)
    doc = _json(tmp_path, cwd=tmp_path)
    (entry,) = doc["entry_points"]
    assert entry["address"] == "aws_lb.maybe" and entry["decided"] is False and "internal" in entry["reason"]
    (edge,) = doc["edges"]
    assert edge["source"] == "internet" and edge["decided"] is False
    assert edge["label"].startswith("tcp 80 (undecided: ") and "internal" in edge["label"]
    assert doc["paths"] == []
    dot = _run(tmp_path, cwd=tmp_path).stdout
    node = next(line for line in dot.splitlines() if "aws_lb.maybe" in line)
    assert 'style="dashed"' in node
    assert re.search(r"internet -> n1 \[label=\"tcp 80 \(undecided: [^\n]*\", style=dashed\];", dot)
    mermaid = _run(tmp_path, "--format", "mermaid", cwd=tmp_path).stdout
    assert "  class n1 undecidedEntry" in mermaid and "internet -.->|tcp 80 #40;undecided:" in mermaid


# -- structure of dot and Mermaid ----------------------------------------------------------------
DOT_STRING = r'"(?:[^"\\\n]|\\.)*"'
DOT_ATTRS = r"\[label=%s(?:, [a-z]+=%s)*\]" % (DOT_STRING, r'(?:"(?:[^"\\\n]|\\.)*"|[a-z]+)')
MERMAID_SAFE = r"(?:[A-Za-z0-9 ._\-/:,=+@]|#\d+;|<br/>)*"


def _dot_parses(dot: str) -> None:
    """Every line is one statement; braces balance; every edge endpoint is a declared node."""
    depth = 0
    declared = set()
    ends = []
    for line in dot.splitlines():
        s = line.strip()
        if s.endswith("{"):
            assert s.startswith(("digraph iacguard_exposure", "subgraph cluster_")), line
            depth += 1
        elif s == "}":
            depth -= 1
            assert depth >= 0
        elif m := re.fullmatch(r"(n\d+|internet) -> (n\d+) %s;" % DOT_ATTRS, s):
            ends += [m.group(1), m.group(2)]
        elif m := re.fullmatch(r"(n\d+) %s;" % DOT_ATTRS, s):
            declared.add(m.group(1))
        elif s == 'internet [label="internet", shape=doublecircle];':
            declared.add("internet")
        elif s.startswith("label="):
            assert re.fullmatch(r"label=%s;" % DOT_STRING, s), line
        else:
            assert s == "rankdir=LR;" or s.startswith(("node [", "edge [", "//")), line
    assert depth == 0
    assert set(ends) <= declared


def _mermaid_parses(mermaid: str) -> None:
    depth = 0
    declared = set()
    ends = []
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart LR"
    for line in lines[1:]:
        s = line.strip()
        if s.startswith("subgraph "):
            assert re.fullmatch(r'subgraph r\d+(?:m\d+)?\["%s"\]' % MERMAID_SAFE, s), line
            depth += 1
        elif s == "end":
            depth -= 1
        elif m := re.fullmatch(r'(n\d+|capnote)\["%s"\]' % MERMAID_SAFE, s):
            declared.add(m.group(1))
        elif s == 'internet(("internet"))':
            declared.add("internet")
        elif m := re.fullmatch(r"(n\d+|internet) (?:-->|-\.->)(?:\|%s\|)? (n\d+)" % MERMAID_SAFE.replace("|<br/>", ""), s):
            ends += [m.group(1), m.group(2)]
        elif s.startswith("classDef "):
            assert re.fullmatch(r"classDef [A-Za-z]+ [a-z\-:#0-9, ]+", s), line
        elif s.startswith("class "):
            assert re.fullmatch(r"class (n\d+,)*n\d+ [A-Za-z]+", s), line
        else:
            assert s.startswith("%%"), line
    assert depth == 0
    assert set(ends) <= declared


@pytest.mark.parametrize("tree", [TF_MAIN, TF_UNKNOWN, PATHS / "terraform", CFN, CFN / "edge.json", CFN / "network.yaml"])
def test_dot_and_mermaid_parse(tree):
    dot = _run(tree)
    assert dot.exit_code == 0, dot.output
    _dot_parses(dot.stdout)
    assert dot.stdout.count(" -> ") == len(_json(tree)["edges"])
    mermaid = _run(tree, "--format", "mermaid")
    assert mermaid.exit_code == 0
    _mermaid_parses(mermaid.stdout)


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "json"])
def test_deterministic(fmt):
    assert _run(PATHS, "--format", fmt).stdout == _run(PATHS, "--format", fmt).stdout


HOSTILE = """
variable "token" {
  type      = string
  sensitive = true
  default   = "Zq9-very-secret-policy-name-77"
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.fn.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function_url" "api" {
  function_name      = aws_lambda_function.api.function_name
  authorization_type = "NONE"
}

resource "aws_iam_role" "fn" {
  name = "fn"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
  inline_policy {
    name = var.token
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }]
    })
  }
}

resource "aws_s3_bucket" "data" {
  for_each = toset(%s)
  bucket   = "acme-data"
}
"""
HOSTILE_KEYS = ['a"]; evil', "line\nbreak", "x\\\"y", "br[a]ck{e}t|%%#;<b>", "end", "\u202eoops"]


def test_hostile_names_stay_in_labels_and_secrets_are_not_printed(tmp_path):
    (tmp_path / "main.tf").write_text(HOSTILE % json.dumps(HOSTILE_KEYS))
    doc = _json(tmp_path, cwd=tmp_path)
    assets = [p["asset"] for p in doc["paths"]]
    assert len(assets) == len(HOSTILE_KEYS) and 'aws_s3_bucket.data["a\\"]; evil"]' in assets
    outputs = [_run(tmp_path, "--format", fmt, cwd=tmp_path).stdout for fmt in ("dot", "mermaid", "json")]
    for out in outputs:
        assert "Zq9-very-secret-policy-name-77" not in out
    _dot_parses(outputs[0])
    _mermaid_parses(outputs[1])
    assert "\u202e" not in outputs[0] and "\u202e" not in outputs[1]


# -- size cap, errors, help ----------------------------------------------------------------------
def test_size_cap():
    whole = _json(PATHS)
    result = _run(PATHS, "--format", "json", "--max-nodes", "4")
    assert result.exit_code == 0 and "cut at 4 of %d nodes" % len(whole["nodes"]) in result.stderr
    doc = json.loads(result.stdout)
    assert [n["address"] for n in doc["nodes"]] == [n["address"] for n in whole["nodes"][:4]]
    assert "cut at 4" in doc["note"]
    ids = {n["id"] for n in doc["nodes"]} | {"internet"}
    assert all(e["source"] in ids and e["target"] in ids for e in doc["edges"])
    assert len(doc["paths"]) == len(whole["paths"])  # the paths are data: all listed, hops not drawn have node null
    assert any(h["node"] is None for p in doc["paths"] for h in p["hops"])
    _dot_parses(_run(PATHS, "--max-nodes", "4").stdout)
    _mermaid_parses(_run(PATHS, "--format", "mermaid", "--max-nodes", "4").stdout)


def test_layer_error_is_a_warning_and_undecided(monkeypatch):
    import iacguard.facts.layers as layers

    def boom(facts, hops):
        raise RuntimeError("bug")

    monkeypatch.setattr(layers, "missing_layers", boom)
    result = _run(TF_MAIN, "--format", "json")
    assert result.exit_code == 0
    assert "could not be decided: RuntimeError" in result.stderr
    doc = json.loads(result.stdout)
    assert doc["paths"] and all(p["missing"] == [] and p["undecided"] == [
        {"layer": "(all layers)", "reason": "the layers could not be decided (internal error: RuntimeError)", "file": "", "line": 0}]
        for p in doc["paths"])


def test_analysis_error_is_reported_not_raised(monkeypatch):
    from iacguard.facts import Facts

    def boom(self, kind):
        raise RuntimeError("bug")

    monkeypatch.setattr(Facts, "of_kind", boom)
    result = _run(TF_MAIN)
    assert result.exit_code == 1 and result.stdout == ""
    assert "exposure analysis failed" in result.stderr and "Traceback" not in result.output


def test_plain_graph_unchanged_and_help():
    plain = CliRunner().invoke(main, ["graph", str(TF_MAIN), "--format", "json"])
    assert "entry_points" not in json.loads(plain.stdout)
    help_text = CliRunner().invoke(main, ["graph", "--help"]).output
    assert "--exposure" in help_text and "entry_points" in help_text


def test_layer_node_places_a_layer_at_the_node_holding_its_setting():
    """The node a layer is drawn at: the node (or its folded plumbing) whose block holds the
    deciding setting, else by the layer's role. least-privilege (a statement in a policy hop,
    once AttackPath carries its grant) lands on the role the policy is folded into."""
    from iacguard.engine import build_graph
    from iacguard.facts import Facts
    from iacguard.graph_commands import _layer_node

    facts = Facts(build_graph([str(TF_MAIN)]).graph)
    path = next(p for p in facts.of_kind("attack_path") if p.asset.address == "aws_s3_bucket.media")
    res = {h.resource.address: h.resource for h in path.hops}
    lb, app, role, policy, media = (res[a] for a in ("aws_lb.web", "aws_instance.app", "aws_iam_role.app",
                                                      "aws_iam_role_policy.read", "aws_s3_bucket.media"))
    chain = [lb, app, role, media]
    drawn_as = [(lb, lb), (res["aws_lb_listener.https"], lb), (res["aws_lb_target_group.app"], lb), (app, app),
                (role, role), (policy, role), (media, media)]
    assert _layer_node("least-privilege", policy.location, chain, drawn_as) is role
    assert _layer_node("tls", res["aws_lb_listener.https"].location, chain, drawn_as) is lb
    assert _layer_node("sg-restriction", app.location, chain, drawn_as) is app
    assert _layer_node("least-privilege", None, chain, drawn_as) is role
    assert _layer_node("encryption-at-rest", None, chain, drawn_as) is media
    assert _layer_node("waf", None, chain, drawn_as) is lb
    assert _layer_node("nacl", None, chain, drawn_as) is lb
