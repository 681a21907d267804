"""least-privilege: a statement naming one resource whose ARN ends in a part generated at deploy
(a Secrets Manager secret's random suffix) names that one resource: the layer is present, not
undecided (it was undecided: the partly known ARN's last piece was not text)."""
from __future__ import annotations

import pytest

from iacguard.engine import build_graph
from iacguard.facts import Facts
from iacguard.facts.layers import least_privilege

pytestmark = pytest.mark.catalogue("all")

TF = '''
resource "aws_iam_role" "fn" {
  name               = "fn"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "one" {
  role   = aws_iam_role.fn.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["secretsmanager:GetSecretValue"], Resource = aws_secretsmanager_secret.db.arn }] })
}

resource "aws_secretsmanager_secret" "db" {
  name = "orders-db"
}
'''


def _grants(tmp_path):
    (tmp_path / "main.tf").write_text(TF)
    graph = build_graph([str(tmp_path)]).graph
    facts = Facts(graph)
    role = next(r for r in graph.of_type("aws_iam_role") if r.address == "aws_iam_role.fn")
    return facts, role


def test_generated_suffix_names_one_resource(tmp_path):
    from iacguard.facts.attack_paths import _Walker

    facts, role = _grants(tmp_path)
    walker = _Walker(facts.graph)
    principal = walker._principal_index()[role.id]
    secret = next(s for s in walker._stores_of_root(facts.graph.root_of(role)))
    tail = walker._grant(principal, secret)
    verdict = least_privilege(role, tail.grant)
    assert verdict.value is True, verdict.reason


def test_one_named_pieces():
    from iacguard.core.unknown import AttributeUnknown, PartialUnknown, Unknown
    from iacguard.facts.layers import _one_named

    suffix = AttributeUnknown("random suffix", "tf:.:aws_secretsmanager_secret.db", "arn")
    region, account = Unknown("region"), Unknown("account")
    one = PartialUnknown("", partial_text=("arn:aws:secretsmanager:", region, ":", account, ":secret:orders-db-", suffix))
    assert _one_named(one) is True
    # a name that is itself generated is not one named resource
    generated = PartialUnknown("", partial_text=("arn:aws:secretsmanager:", region, ":", account, ":secret:", Unknown("name"), suffix))
    assert _one_named(generated) is False
    # a plain Unknown last piece (not a part of one resource's ARN) is still undecided
    plain = PartialUnknown("", partial_text=("arn:aws:s3:::", Unknown("name")))
    assert _one_named(plain) is False
