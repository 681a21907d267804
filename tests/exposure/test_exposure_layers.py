"""Issue 14, part C: the defense layers of a path (`iacguard.facts.layers`).

Fixture trees under `fixtures/layers/`: a Terraform root and two CloudFormation templates (YAML
and JSON) where each layer is present on one resource, missing on another and undecided (a
variable or parameter without a value) on a third. Verdicts are asserted by value, reason and the
line of the deciding setting; `missing_layers` is asserted on hand-built paths.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.core.unknown import Unknown, is_unknown
from iacguard.engine import build_graph
from iacguard.facts import Facts
from iacguard.facts.layers import (LAYER_NAMES, LAYERS, Hops, Verdict, authentication, encryption_at_rest, least_privilege,
                                   missing_layers, nacl, network_segmentation, sg_restriction, tls, waf)

FIXTURES = Path(__file__).parent / "fixtures" / "layers"


def _scan(language: str):
    analysis = build_graph([str(FIXTURES / language)])
    assert [n for n in analysis.notifications if n.level == "error"] == []
    facts = Facts(analysis.graph)
    resources = analysis.graph.resources
    resources = resources.values() if isinstance(resources, dict) else resources
    return facts, {r.address: r for r in resources}


@pytest.fixture(scope="module")
def tf():
    return _scan("terraform")


@pytest.fixture(scope="module")
def cfn():
    return _scan("cloudformation")


def _state(verdict: Verdict | None):
    if verdict is None:
        return None
    if is_unknown(verdict.value):
        return "undecided"
    return "present" if verdict.value is True else "missing"


# (layer function, address, state, words in the reason, line of the deciding setting)
TERRAFORM = [
    (waf, "aws_lb.bare", "missing", "no WAFv2 web ACL is associated with aws_lb.bare", 8),
    (waf, "aws_lb.guarded", "present", "aws_wafv2_web_acl_association.guarded protects", 26),
    (waf, "aws_lb.network", None, None, None),  # WAFv2 cannot front a network load balancer
    (waf, "aws_api_gateway_stage.open", "missing", "no WAFv2 web ACL", 175),
    (waf, "aws_api_gateway_stage.closed", "present", "aws_wafv2_web_acl_association.closed", 198),
    (waf, "aws_cloudfront_distribution.open", "missing", "names no web ACL", 65),
    (waf, "aws_cloudfront_distribution.guarded", "present", "names a web ACL", 89),
    (waf, "aws_lambda_function_url.open", None, None, None),
    (tls, "aws_lb.bare", "missing", "listener aws_lb_listener.bare_http serves plain HTTP", 15),
    (tls, "aws_lb.guarded", "present", "uses TLS or redirects", 31),
    (tls, "aws_lb.maybe", "undecided", "variable listener_protocol has no value", 52),
    (tls, "aws_cloudfront_distribution.open", "missing", "viewer protocol policy allow-all", 73),
    (tls, "aws_cloudfront_distribution.guarded", "present", "requires or redirects to HTTPS", 87),
    (tls, "aws_cloudfront_distribution.maybe", "undecided", "variable viewer has no value", 118),
    (tls, "aws_api_gateway_stage.open", "present", "serves HTTPS only", 175),
    (tls, "aws_instance.web", None, None, None),
    (authentication, "aws_lambda_function_url.open", "missing", "auth type NONE", 143),
    (authentication, "aws_lambda_function_url.iam", "present", "requires IAM authentication", 148),
    (authentication, "aws_lambda_function_url.maybe", "undecided", "variable auth has no value", 153),
    # GET has no authorization (OPTIONS, CORS preflight, does not count)
    (authentication, "aws_api_gateway_stage.open", "missing", "method aws_api_gateway_method.open_get of API", 165),
    (authentication, "aws_api_gateway_stage.closed", "present", "every method of API aws_api_gateway_rest_api.closed", 181),
    (authentication, "aws_lb.bare", None, None, None),  # not applicable to load balancers
    (sg_restriction, "aws_instance.ssh", "missing", "aws_security_group.ssh_world admits the internet (0.0.0.0/0) on SSH (tcp/22)", 206),
    (sg_restriction, "aws_instance.web", "present", "no security group of aws_instance.web", 214),  # 443 only
    (sg_restriction, "aws_db_instance.plain", "undecided", "variable internal_cidr has no value", 228),  # the rule resource
    (sg_restriction, "aws_s3_bucket.media", None, None, None),
    (encryption_at_rest, "aws_db_instance.plain", "missing", "aws_db_instance.plain is not encrypted at rest (the default)", 250),
    (encryption_at_rest, "aws_db_instance.encrypted", "present", "is encrypted at rest", 259),
    (encryption_at_rest, "aws_db_instance.maybe", "undecided", "variable encrypted has no value", 265),
    (encryption_at_rest, "aws_s3_bucket.media", "present", "SSE-S3", 268),  # no configuration: S3 encrypts anyway
    (encryption_at_rest, "aws_dynamodb_table.orders", "present", "DynamoDB encrypts", 272),
    (encryption_at_rest, "aws_efs_file_system.plain", "missing", "not encrypted at rest", 281),
    (encryption_at_rest, "aws_instance.web", None, None, None),
    # no subnet: a default subnet of the default VPC (routed, public IPs)
    (network_segmentation, "aws_instance.ssh", "missing", "default subnets give public IPs", 237),
    (network_segmentation, "aws_instance.exposed", "missing", "its subnet aws_subnet.public routes to an internet gateway", 361),
    (network_segmentation, "aws_instance.private", "present", "it has no public IP", 369),
    (network_segmentation, "aws_instance.maybe_ip", "undecided", "variable encrypted has no value", 392),
    (network_segmentation, "aws_db_instance.public", "missing", "aws_db_instance.public is publicly accessible", 399),
    (network_segmentation, "aws_db_instance.plain", "present", "not publicly accessible", 250),
    (network_segmentation, "aws_lb.bare", None, None, None),
    (nacl, "aws_instance.acl_open", "missing", "network ACL aws_network_acl.open allows the internet on SSH (tcp/22, rule 100)", 411),
    # deny 22 at rule 90 comes before allow 22 at rule 100 (listed first), through an association
    (nacl, "aws_instance.acl_deny", "present", "no network ACL of the subnets of aws_instance.acl_deny", 432),
    (nacl, "aws_instance.acl_maybe", "undecided", "variable internal_cidr has no value", 481),  # cidr_block
    (nacl, "aws_instance.private", None, None, None),  # the VPC's default ACL: not a custom one
    (encryption_at_rest, "aws_kinesis_stream.plain", "missing", "not encrypted at rest (the default)", 491),
    (encryption_at_rest, "aws_sns_topic.keyed", "present", "is encrypted at rest", 498),
    (encryption_at_rest, "aws_opensearch_domain.maybe", "undecided", "variable encrypted has no value", 504),
    (encryption_at_rest, "aws_rds_cluster_instance.aurora_1", "present", "aws_rds_cluster.aurora is encrypted", 510),  # its cluster
    (network_segmentation, "aws_opensearch_domain.maybe", "missing", "has no VPC options", 501),
    (tls, "aws_elb.classic", "missing", "cannot redirect to HTTPS", 525),
    (waf, "aws_elb.classic", None, None, None),
    (authentication, "aws_apigatewayv2_stage.http", "missing", "route aws_apigatewayv2_route.open of API aws_apigatewayv2_api.http", 536),
    # WebSocket: only $connect carries authorization
    (authentication, "aws_apigatewayv2_stage.ws", "present", "every route of API aws_apigatewayv2_api.ws", 544),
    (tls, "aws_apigatewayv2_stage.ws", "present", "serves HTTPS only", 561),
    (waf, "aws_apigatewayv2_stage.ws", None, None, None),  # WAFv2 cannot front HTTP / WebSocket APIs
]

CLOUDFORMATION = [
    (waf, "Bare", "missing", "no WAFv2 web ACL is associated with Bare", 8),
    (waf, "Guarded", "present", "GuardedAcl protects Guarded", 25),
    (tls, "Bare", "missing", "listener BareHttp serves plain HTTP", 17),
    (tls, "Guarded", "present", "redirects to HTTPS", 30),
    (authentication, "OpenUrl", "missing", "auth type NONE", 54),
    (authentication, "MaybeUrl", "undecided", "parameter Auth has no value", 59),
    (sg_restriction, "App", "missing", "SshWorld admits the internet (0.0.0.0/0) on RDP (tcp/3389)", 65),
    (encryption_at_rest, "Plain", "missing", "Plain is not encrypted at rest (the default)", 74),
    (encryption_at_rest, "MaybeDb", "undecided", "parameter Encrypted has no value", 84),
    (encryption_at_rest, "Media", "present", "SSE-S3", 85),
    (network_segmentation, "App", "missing", "default subnets give public IPs", 69),
    (network_segmentation, "PublicDb", "missing", "PublicDb is publicly accessible", 93),
    # the exposure model (part A) leaves an unset PubliclyAccessible without a subnet group open
    (network_segmentation, "Plain", "undecided", "PubliclyAccessible not set", 74),
    (nacl, "Worker", "missing", "network ACL Acl allows the internet on MySQL/Aurora (tcp/3306, rule 100)", 112),
    # layers.json
    (waf, "Cdn", "missing", "Cdn names no web ACL", 4),
    (tls, "Cdn", "missing", "viewer protocol policy allow-all", 12),
    (encryption_at_rest, "Files", "present", "Files is encrypted at rest", 28),
    (encryption_at_rest, "Stream", "present", "Stream is encrypted at rest", 22),  # EncryptionType KMS
]


def _check(scan, cases):
    facts, by_address = scan
    for function, address, state, words, line in cases:
        verdict = function(facts, by_address[address])
        assert _state(verdict) == state, (function.__name__, address, verdict)
        if verdict is None:
            continue
        text = verdict.value.reason if is_unknown(verdict.value) else verdict.reason
        assert words in text, (function.__name__, address, verdict)
        assert verdict.location.start_line == line, (function.__name__, address, verdict)


def test_terraform_layers(tf):
    _check(tf, TERRAFORM)


def test_cloudformation_layers(cfn):
    _check(cfn, CLOUDFORMATION)
    facts, by_address = cfn
    assert by_address["Cdn"].location.path.endswith("layers.json")


def test_unknown_association_target_leaves_waf_undecided():
    """A WAF association of the root whose target is not known may protect the stage: undecided,
    never missing; a REST API with no method of the scan leaves authentication undecided."""
    facts, a = _scan("terraform_pending")
    stage = a["aws_api_gateway_stage.prod"]
    _check((facts, a), [
        (waf, "aws_api_gateway_stage.prod", "undecided", "variable target has no value", 15),
        (authentication, "aws_api_gateway_stage.prod", "undecided", "has no method of the scan", 3),
    ])
    missing, undecided = missing_layers(facts, Hops(stage, (), None, None, stage))
    assert missing == [] and [layer for layer, _, _ in undecided] == ["waf", "authentication"]


def _statement(facts, policy: str):
    return next(s for s in facts.of_kind("policy_statement") if s.resource.address == policy)


@pytest.mark.parametrize("policy, state, words", [
    ("aws_iam_role_policy.wide", "missing", "allows s3:*"),  # a service-wide action wildcard
    ("aws_iam_role_policy.star", "missing", "applies to *"),
    ("aws_iam_role_policy.two", "missing", "names 2 resources"),
    ("aws_iam_role_policy.narrow", "present", "names one resource"),  # a bucket and its objects: one
    ("aws_iam_role_policy.ref", "present", "names one resource"),  # aws_s3_bucket.media.arn
    ("aws_iam_role_policy.maybe", "undecided", "variable internal_cidr has no value"),
])
def test_least_privilege(tf, policy, state, words):
    facts, by_address = tf
    statement = _statement(facts, policy)
    verdict = least_privilege(by_address["aws_iam_role.app"], statement)
    assert _state(verdict) == state
    assert words in (verdict.value.reason if is_unknown(verdict.value) else verdict.reason)
    assert verdict.location == statement.location


def test_missing_layers_of_a_path(tf):
    facts, a = tf
    hops = Hops(a["aws_lb.bare"], (a["aws_instance.ssh"],), a["aws_iam_role.app"],
                _statement(facts, "aws_iam_role_policy.wide"), a["aws_db_instance.maybe"])
    missing, undecided = missing_layers(facts, hops)
    assert [(layer, loc.start_line) for layer, _, loc in missing] == [
        ("waf", 8), ("tls", 15), ("sg-restriction", 206), ("network-segmentation", 237), ("least-privilege", 295)]
    assert [(layer, u.reason, loc.start_line) for layer, u, loc in undecided] == [
        ("encryption-at-rest", "variable encrypted has no value", 265)]
    assert all(isinstance(u, Unknown) for _, u, _ in undecided)


def test_hops_from_a_resource_sequence(tf):
    facts, a = tf
    grant = _statement(facts, "aws_iam_role_policy.wide")
    chain = [a[k] for k in ("aws_lb.bare", "aws_instance.ssh", "aws_iam_role.app", "aws_iam_role_policy.wide", "aws_db_instance.maybe")]
    hops = Hops.of(chain, grant)
    assert hops == Hops(a["aws_lb.bare"], (a["aws_instance.ssh"],), a["aws_iam_role.app"], grant, a["aws_db_instance.maybe"])
    assert missing_layers(facts, hops) == missing_layers(facts, Hops(*[getattr(hops, f) for f in ("entry", "compute", "role", "grant", "asset")]))
    db = a["aws_db_instance.public"]
    assert Hops.of([db]) == Hops(db, (), None, None, db)  # a public database: entry and asset
    with pytest.raises(ValueError):
        Hops.of([])


def test_fully_layered_path_misses_nothing(tf):
    facts, a = tf
    hops = Hops(a["aws_lb.guarded"], (a["aws_instance.private"],), a["aws_iam_role.app"],
                _statement(facts, "aws_iam_role_policy.narrow"), a["aws_s3_bucket.media"])
    assert missing_layers(facts, hops) == ([], [])


def test_entry_point_that_is_the_asset(tf):
    """A public database: the entry point is the asset, asked once per layer in both roles."""
    facts, a = tf
    db = a["aws_db_instance.plain"]
    missing, undecided = missing_layers(facts, Hops(db, (), None, None, db))
    assert [layer for layer, _, _ in missing] == ["encryption-at-rest"]
    assert [layer for layer, _, _ in undecided] == ["sg-restriction"]


def test_function_url_path(cfn):
    facts, a = cfn
    url = a["OpenUrl"]
    missing, undecided = missing_layers(facts, Hops(url, (a["Fn"],), None, None, a["Media"]))
    assert [(layer, loc.start_line) for layer, _, loc in missing] == [("authentication", 54)]
    assert undecided == []


def test_table():
    assert tuple(LAYERS) == LAYER_NAMES  # every layer of the vocabulary, in its order
    for name, (function, roles) in LAYERS.items():
        assert callable(function) and roles and set(roles) <= {"entry", "compute", "role", "asset"}, name


def test_bad_input_never_crashes(tf):
    """Every layer answers (or says not applicable) for every resource of the tree."""
    facts, by_address = tf
    for res in by_address.values():
        for name, (function, _) in LAYERS.items():
            if name != "least-privilege":
                verdict = function(facts, res)
                assert verdict is None or isinstance(verdict, Verdict)


def test_indexes_are_built_once_per_scan(monkeypatch):
    """Linear: every layer of every node reads per-scan indexes, built on first use only."""
    import iacguard.facts.layers as layers

    calls = []
    for name in ("_ingress_by_group", "_Acls", "_Hosts"):
        original = getattr(layers, name)
        monkeypatch.setattr(layers, name, lambda facts, _o=original, _n=name: calls.append(_n) or _o(facts))
    facts, by_address = _scan("terraform")
    for res in by_address.values():
        for layer, (function, _) in LAYERS.items():
            if layer != "least-privilege":
                function(facts, res)
    assert sorted(calls) == ["_Acls", "_Hosts", "_ingress_by_group"]
