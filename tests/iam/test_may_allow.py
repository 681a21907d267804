"""The bound iacguard.iam.evaluate.identity_may_allow and the check AWS-IAM-002's use of it: where
it answers False, simulate allows no action on that resource; and the check's methods (found and
first open) are the same with the bound as when every action is simulated. Randomized, seeded."""
from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from iam_helpers import AttrUnknown, Partial, pol, st  # noqa: E402

from iacguard.checks.identity import iam_escalation  # noqa: E402
from iacguard.core.model import Location, Resource  # noqa: E402
from iacguard.core.unknown import Unknown  # noqa: E402
from iacguard.iam.basics import ALLOWED  # noqa: E402
from iacguard.iam.evaluate import identity_may_allow, simulate  # noqa: E402
from iacguard.iam.model import Request  # noqa: E402

ACCT = "111122223333"
BUCKET = AttrUnknown("aws_s3_bucket.b")
RESOURCES = ["*", "arn:aws:s3:::data", "arn:aws:s3:::data/*", "arn:aws:iam::%s:role/*" % ACCT, BUCKET,
             Partial("arn:aws:s3:::", Unknown("name"), "/*"), Unknown("a resource not known"),
             "arn:aws:iam::%s:user/${aws:username}" % ACCT]
ACTIONS = ["*", "iam:*", "iam:Put*", "iam:PassRole", "iam:CreatePolicyVersion", "s3:GetObject", "lambda:*",
           "sts:AssumeRole", "ec2:RunInstances", Unknown("an action not known")]
CONDITIONS = [None, {"StringEquals": {"aws:PrincipalAccount": ACCT}}, {"StringEquals": {"aws:PrincipalAccount": "999"}},
              {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, Unknown("a Condition not known")]


def _statement(rng):
    effect = rng.choice(["Allow"] * 5 + ["Deny", Unknown("an effect not known")])
    actions = rng.sample(ACTIONS, rng.randint(1, 3))
    resources = rng.sample(RESOURCES, rng.randint(1, 2))
    kw = {}
    if rng.random() < 0.15:
        kw["not_action"] = actions
    else:
        kw["action"] = actions
    if rng.random() < 0.15:
        kw["not_resource"] = resources
    else:
        kw["resource"] = resources
    return st(effect, condition=rng.choice(CONDITIONS), unknown=Unknown("statement") if rng.random() < 0.03 else None, **kw)


def _principal(rng, i):
    kind = rng.choice(["user", "role", "group"])
    address = "aws_iam_%s.p%d" % (kind, i)
    res = Resource(id=address, address=address, type="aws_iam_%s" % kind, language="terraform", properties={},
                   location=Location("main.tf", 1, 1))
    policies = []
    for n in range(rng.randint(1, 2)):
        statements = tuple(_statement(rng) for _ in range(rng.randint(1, 4)))
        policies.append(pol("p%d" % n, *statements, unknown=Unknown("document") if rng.random() < 0.05 else None))
    from iacguard.iam.model import Principal
    return Principal(res, kind, "p%d" % i, "arn:aws:iam::%s:%s/p%d" % (ACCT, kind, i), ACCT,
                     identity_policies=tuple(policies),
                     unresolved=(Unknown("attached policy not known"),) if rng.random() < 0.05 else ())


def test_bound_never_hides_an_allowed_answer():
    rng = random.Random(17)
    bounded = 0
    for i in range(400):
        p = _principal(rng, i)
        for resource in RESOURCES:
            if identity_may_allow(p, resource):
                continue
            bounded += 1
            for action in ACTIONS + ["iacguard-probe:NoSuchAction", "iam:AttachUserPolicy"]:
                if isinstance(action, str) and "*" not in action:
                    assert simulate(p, Request(action=action, resource=resource)).decision != ALLOWED
    assert bounded > 100  # the bound does answer False on many


def _methods_unbounded(principal):
    saved = iam_escalation._cannot_allow
    iam_escalation._cannot_allow = lambda *a: False
    try:
        return iam_escalation._methods(principal, {})
    finally:
        iam_escalation._cannot_allow = saved


def _shape(result):
    found, open_ = result
    return ([(n, a, w, [(g.decision, g.reason, g.statements) for g in gots]) for n, a, w, gots in found],
            None if open_ is None else (open_.decision, open_.reason, open_.statements))


def test_check_methods_same_with_and_without_the_bound():
    rng = random.Random(1717)
    opened = 0
    for i in range(300):
        p = _principal(rng, i)
        got = iam_escalation._methods(p, {})
        assert _shape(got) == _shape(_methods_unbounded(p))
        opened += got[1] is not None
    assert opened > 20


def test_bound_for_one_action_never_hides_an_allowed_answer():
    rng = random.Random(4242)
    bounded = 0
    for i in range(300):
        p = _principal(rng, i)
        for resource in RESOURCES:
            for action in [a for a in ACTIONS if isinstance(a, str)] + ["iacguard-probe:NoSuchAction"]:
                if not identity_may_allow(p, resource, action):
                    bounded += 1
                    assert simulate(p, Request(action=action, resource=resource)).decision != ALLOWED
    assert bounded > 1000


def test_holds_everything_as_the_simulation_answers():
    rng = random.Random(99)
    holders = 0
    for i in range(400):
        p = _principal(rng, i)
        expected = simulate(p, Request(action=iam_escalation._ANY_ACTION, resource="*")).decision == ALLOWED
        assert iam_escalation._holds_everything(p) is expected
        holders += expected
    assert holders > 5
