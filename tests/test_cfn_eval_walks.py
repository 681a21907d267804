"""AWS-IAM-002's per-principal list of possibly allowing statements gives the answers of the full walk."""


def test_escalation_allowing_memo_same_answer():
    from iacguard.checks.identity import iam_escalation as esc
    from iacguard.iam import model

    allow = model.Statement("Allow", actions=("iam:PassRole", "ec2:*"), resources=("*",))
    deny = model.Statement("Deny", actions=("iam:*",), resources=("*",))
    other = model.Statement("Allow", actions=("s3:GetObject",), resources=("*",))
    policy = model.Policy(model.IDENTITY, "p", (allow, deny, other))

    class P:
        identity_policies = (policy,)
        unresolved = ()

    memo: dict = {}
    for action in ("iam:PassRole", "ec2:RunInstances", "s3:GetObject", "lambda:CreateFunction", "iam:PassRole"):
        assert esc._allowing(P, action, memo) == esc._allowing(P, action)
    assert esc._allowing(P, "lambda:CreateFunction", memo) == []
