"""The networks of the benchmark generator (issue 14: benchmarks/bench.py `--networks`): at a small
size, the generated tree parses and evaluates without an error notification, and in each
language every network entry kind (ALB, API Gateway stage, CloudFront, instance with a public IP,
function URL, public database) gives a decided entry point and a decided attack path. No timing
here: benchmarks/paths.py measures."""
from __future__ import annotations

import importlib.util
import os

import pytest

from iacguard.engine import build_graph
from iacguard.facts import Facts

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("iacguard_bench", os.path.join(_REPO, "benchmarks", "bench.py"))
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

KINDS = ("load_balancer", "api_gateway", "cloudfront", "instance", "function_url", "database")


def _language(res) -> str:
    return "cloudformation" if res.type.startswith("AWS::") else "terraform"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench") / "tree"
    bench.generate(str(folder), 400, networks=0.5)  # 4 web tiers: 2 Terraform, 2 CloudFormation
    analysis = build_graph([str(folder)])
    return folder, analysis, Facts(analysis.graph)


def test_networks_parse_without_errors_and_keep_the_size(generated):
    folder, analysis, _ = generated
    assert [n for n in analysis.notifications if n.level == "error"] == []
    assert (folder / "modules" / "web" / "main.tf").is_file()
    assert sorted(p.name for p in (folder / "cloudformation").glob("web_*.yaml")) == ["web_00000.yaml", "web_00001.yaml"]
    assert 350 <= len(analysis.graph.resources) <= 450


@pytest.mark.parametrize("language", ["terraform", "cloudformation"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_network_kind_gives_an_entry_point_and_a_path(generated, language, kind):
    _, _, facts = generated
    entries = [e for e in facts.of_kind("entry_point") if e.entry == kind and _language(e.resource) == language]
    paths = [p for p in facts.of_kind("attack_path") if p.entry.entry == kind and _language(p.resource) == language]
    assert len(entries) == 2 and all(e.exposed for e in entries)
    assert paths and all(p.decided is True and not p.capped for p in paths)


def test_without_networks_the_shapes_are_unchanged(tmp_path):
    bench.generate(str(tmp_path / "plain"), 400)
    assert not (tmp_path / "plain" / "modules" / "web").exists()
    assert not list((tmp_path / "plain").rglob("web*"))
    facts = Facts(build_graph([str(tmp_path / "plain")]).graph)
    assert facts.of_kind("entry_point") == [] and facts.of_kind("attack_path") == []


def _walk_all_stores(monkeypatch):
    from iacguard.facts import attack_paths as module

    monkeypatch.setattr(module._Walker, "_candidates", lambda self, principal, root: self._stores_of_root(root))


def _fixture_trees() -> list:
    base = os.path.join(_REPO, "tests", "exposure", "fixtures")
    out = []
    for dirpath, dirnames, filenames in os.walk(base):
        out.extend(os.path.join(dirpath, n) for n in filenames if n.endswith((".yaml", ".json")))
        if any(n.endswith(".tf") for n in filenames):
            out.append(dirpath)
    return sorted(out)


@pytest.mark.parametrize("tree", ["generated"] + _fixture_trees())
def test_the_role_step_prefilter_gives_the_engine_s_answers(generated, monkeypatch, tree):
    """attack_paths asks the IAM engine only about the stores a role's patterns may reach (plus
    those with a resource policy or an unknown ARN): the paths are the same as asking about
    every store of the root."""
    from iacguard.facts.attack_paths import attack_paths

    graph = generated[1].graph if tree == "generated" else build_graph([tree]).graph

    def key(paths):
        return [(p.addresses, p.access, str(p.decided), [h.message for h in p.hops]) for p in paths]

    fast = key(attack_paths(graph))
    _walk_all_stores(monkeypatch)
    assert key(attack_paths(graph)) == fast
