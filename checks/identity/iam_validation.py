"""AWS-IAM-010 (unknown service or action), AWS-IAM-011 (Resource that no action of the statement
can apply to), AWS-IAM-012 (unknown condition key): policy validation as IAM Access Analyzer
would do it, offline, on every policy document of the scan (the "iam_policy" kind; the AWS managed
policies iacguard ships are not the scan's and are not validated).

The validation itself is `iacguard.iam.validate.validate(policy)`; each check keeps the problems
of its code. A document reached through several holders (a data source used by two roles) is one
document: its problems are reported once, on the first holder.

Unknown parts: a document that is not known gives an undecided record (it may hold any
mistake). `validate` skips unknown parts inside a document, so a check asks what they would change. A statement is
validated a second time as if its unknown parts were absent (an unknown Effect read as Allow,
unknown Action, Resource and condition items left out); a problem of the check's code that only
that reading has is left open by the unknown part, and so is an unknown item of the element the
check reads (an Action item for 010, a condition key for 012) when the statement has no problem of
that code otherwise: the record is undecided, naming the part.
"""
from __future__ import annotations

import dataclasses
import weakref

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown
from iacguard.core.lazy import lazy_module
from iacguard.iam import basics as problems  # the problem codes (the names UNKNOWN_ACTION... here are the checks)
from iacguard.iam.basics import ALLOW, pieces

v = lazy_module("iacguard.iam.validate")  # loaded when a check runs, not when it is listed

from .iam_common import document_unknown, location_of

MAX_POLICIES = 4096


def _unknown_items(element) -> tuple:
    if element is None:
        return ()
    if is_unknown(element):
        return (element,)
    return tuple(i for i in element[: v.MAX_ITEMS] if is_unknown(i))


def _known_only(st):
    """The statement as if its unknown parts were absent, and the first of those parts
    ((what, Unknown) or None)."""
    first = None
    changes = {}
    if is_unknown(st.effect):
        first = first or ("Effect", st.effect)
        changes["effect"] = ALLOW
    for name, what in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource")):
        element = getattr(st, name)
        unknown = _unknown_items(element)
        if unknown:
            first = first or (what, unknown[0])
            known = () if is_unknown(element) else tuple(i for i in element if not is_unknown(i))
            changes[name] = known or None if name != "resources" else known
    conds = st.conditions
    if is_unknown(conds):
        first = first or ("Condition", conds)
        changes["conditions"] = ()
    elif isinstance(conds, tuple):
        keep = tuple(c for c in conds if isinstance(getattr(c, "key", None), str))
        if len(keep) != len(conds):
            first = first or ("Condition", next(c.key for c in conds if not isinstance(getattr(c, "key", None), str)))
            changes["conditions"] = keep
    if first is None:
        return st, None
    return dataclasses.replace(st, **changes), first


def _has_text(item) -> bool:
    return any(isinstance(p, str) and p.strip("*") for p in pieces(item))


def _open_item(code: str, st):
    """The unknown item that leaves a check of `code` open on the statement, as (what, Unknown):
    an Action item for 010; for an Allow, 011: an Action item when a Resource is named (its
    resource types are not known), or a Resource when no item of it is known; an Action item beside a service's condition key, or a key, for 012."""
    actions = _unknown_items(st.actions) + _unknown_items(st.not_actions)
    if code == problems.UNKNOWN_SERVICE:
        return ("Action", actions[0]) if actions else None
    if code == problems.RESOURCE_MISMATCH:
        named = isinstance(st.resources, tuple) and any(not (isinstance(r, str) and r == "*") for r in st.resources)
        allow = st.effect == ALLOW or is_unknown(st.effect)
        if not allow:
            return None
        if actions and named:
            return ("Action", actions[0])
        # A partly known ARN ("arn:aws:s3:::${var.name}/*") shows its resource type: validate
        # read its unknown pieces as any text. Only items with no known text leave 011 open.
        resources = _unknown_items(st.resources)
        known = isinstance(st.resources, tuple) and any(_has_text(r) for r in st.resources)
        return ("Resource", resources[0]) if resources and not known else None
    if code == problems.UNKNOWN_CONDITION_KEY:
        if is_unknown(st.conditions):
            return ("Condition", st.conditions)
        if isinstance(st.conditions, tuple):
            key = next((c.key for c in st.conditions if is_unknown(getattr(c, "key", None))), None)
            if key is not None:
                return ("Condition key", key)
            service_keys = any(isinstance(c.key, str) and not c.key.lower().startswith("aws:") for c in st.conditions)
            if actions and service_keys:
                return ("Action", actions[0])
    return None


def _sentence(text: str) -> str:
    return text if text.endswith(("?", ".")) else text + "."


def _policies(facts):
    seen = set()
    for policy in list(facts.of_kind("iam_policy"))[:MAX_POLICIES]:
        if policy.resource is None:
            continue  # shipped data, not the scan's
        if policy.generated_by:
            continue  # text AWS wrote (a SAM policy template): its author cannot change it
        key = (policy.location, tuple(id(s) for s in policy.statements[:8]))
        if policy.location is not None and key in seen:
            continue
        seen.add(key)
        yield policy


# The problems `validate` finds in one statement of one policy (and in its known-only reading),
# per scan: the three checks ask the same statements, and validate reports every code at once.
# Keyed by the objects' ids, whose entries hold the objects themselves (so the ids stay theirs);
# kept until the three checks have run (or as long as the scan's Facts, if one of them is not run).
_PROBLEMS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_USERS = 3  # AWS-IAM-010, 011 and 012


def _problems(memo: dict, policy, st, reading: str) -> list:
    key = (id(policy), id(st), reading)
    hit = memo.get(key)
    if hit is not None and hit[0] is policy and hit[1] is st:
        return hit[2]
    # `validate` of the policy holding only this statement (or its known-only reading), without
    # building that policy: the caller has checked that the policy is known.
    if not isinstance(policy, v.model.Policy) or not policy.is_known():
        got = []
    elif reading == "whole":
        got = v.validate_statement(st, policy.location)
    else:
        got = v.validate_statement(_known_reading(memo, st)[0], policy.location)
    memo[key] = (policy, st, got)
    return got


def _known_reading(memo: dict, st):
    """`_known_only(st)`, once per statement per scan (the three checks ask it of each)."""
    key = (id(st), "known-only")
    hit = memo.get(key)
    if hit is not None and hit[0] is st:
        return hit[1]
    got = memo[key] = (st, _known_only(st))
    return got[1]


def _memo_of(facts) -> dict:
    try:
        memo = _PROBLEMS.get(facts)
        if memo is None:
            memo = _PROBLEMS[facts] = {}
        return memo
    except TypeError:  # facts that cannot be weakly referenced: a memo for this check only
        return {}


def _done_with(facts, check_id: str) -> None:
    """One check has read all it needs; the memo goes once all three have (it is not part of
    the scan's result, and would otherwise stay with the Facts to the end of the scan)."""
    try:
        memo = _PROBLEMS.get(facts)
    except TypeError:
        return
    if memo is None:
        return
    done = memo.setdefault("done", set())
    done.add(check_id)
    if len(done) >= _USERS:
        _PROBLEMS.pop(facts, None)


def _evaluate(check_id: str, codes: tuple):
    def evaluate(facts):
        memo = _memo_of(facts)
        for policy in _policies(facts):
            fallback = policy.resource.location
            if not policy.is_known():
                yield undecided(check_id, policy.resource, "policy document", document_unknown(policy), policy.location or fallback)
                continue
            for st in policy.statements[: v.MAX_STATEMENTS]:
                if st.unknown is not None:
                    continue
                got = [p for p in _problems(memo, policy, st, "whole") if p.code in codes]
                where = location_of(st, policy, fallback)
                for p in got:
                    yield Finding(check_id, policy.resource, _sentence("IAM policy %s: %s" % (policy.name, p.message)), p.location or where)
                if got:
                    continue
                _, part = _known_reading(memo, st)
                if part is None:
                    continue  # no unknown part: nothing is left open (_open_item finds none)
                if any(p.code in codes for p in _problems(memo, policy, st, "known")):
                    yield undecided(check_id, policy.resource, part[0], part[1], where)
                    continue
                item = next((i for i in (_open_item(c, st) for c in codes) if i is not None), None)
                if item is not None:
                    yield undecided(check_id, policy.resource, item[0], item[1], where)
        _done_with(facts, check_id)
    return evaluate


evaluate_actions = _evaluate("AWS-IAM-010", (problems.UNKNOWN_SERVICE, problems.UNKNOWN_ACTION))
evaluate_resources = _evaluate("AWS-IAM-011", (problems.RESOURCE_MISMATCH,))
evaluate_condition_keys = _evaluate("AWS-IAM-012", (problems.UNKNOWN_CONDITION_KEY,))

_REFS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-validation.html",
    "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
)

_FIX_TF = """Use the names the Service Authorization Reference gives (the message suggests the closest):

```hcl
data "aws_iam_policy_document" "app" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }
}
```"""
_FIX_CFN = """```yaml
PolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Action: s3:GetObject
      Resource: !Sub "${DataBucket.Arn}/*"
```"""

UNKNOWN_ACTION = Check(
    id="AWS-IAM-010",
    title="IAM policy names an unknown service or action",
    severity="low",
    pillar="identity",
    cwe=("CWE-710",),
    kinds=("iam_policy",),
    evaluate=evaluate_actions,
    what="""Validates every `Action` and `NotAction` item of every policy document of the scan (identity,
resource, trust, boundary and SCP documents, both languages) against the IAM action catalogue:
a service prefix that is not an AWS service (`s3x:GetObject`), an action its service does not
have (`s3:GetObjekt`), a wildcard that matches no action (`s3:Gett*`), an item without a
`service:` prefix. The message names the item and the closest catalogue name. An Action item
that is not known gives an undecided record.""",
    why="""IAM accepts a policy with a misspelt action and grants nothing for it: the workload fails at
run time, and someone widens the policy to `*` to make it work. In a Deny or a NotAction, a typo
silently removes the protection the author meant.""",
    fix_terraform=_FIX_TF,
    fix_cloudformation=_FIX_CFN,
    references=_REFS,
)

RESOURCE_MISMATCH = Check(
    id="AWS-IAM-011",
    title="IAM policy Resource cannot match the resource types of its actions",
    severity="low",
    pillar="identity",
    cwe=("CWE-710",),
    kinds=("iam_policy",),
    evaluate=evaluate_resources,
    what="""Reports an Allow statement whose every action (after wildcard expansion with the action
catalogue) takes only resource types whose ARN formats none of the statement's `Resource` items
can match: `s3:GetObject` on a bucket ARN (objects have a key part), `s3:ListBucket` on
`bucket/*`, an action that takes only `"*"` on a named ARN. Unknown pieces of an ARN are read as
any text, so a report holds whatever they turn out to be; an unknown Effect, Action or Resource
item that decides gives an undecided record.""",
    why="""Such a statement grants nothing: the permission the workload needs is missing, and the usual
fix under pressure is `Resource: "*"`. It often hides a forgotten `/*` on an S3 object grant.""",
    fix_terraform="""Grant object actions on the objects and bucket actions on the bucket:

```hcl
data "aws_iam_policy_document" "app" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }
  statement {
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.data.arn]
  }
}
```""",
    fix_cloudformation="""```yaml
Statement:
  - Effect: Allow
    Action: s3:GetObject
    Resource: !Sub "${DataBucket.Arn}/*"
  - Effect: Allow
    Action: s3:ListBucket
    Resource: !GetAtt DataBucket.Arn
```""",
    references=_REFS,
)

UNKNOWN_CONDITION_KEY = Check(
    id="AWS-IAM-012",
    title="IAM policy uses a condition key its services do not define",
    severity="low",
    pillar="identity",
    cwe=("CWE-710",),
    kinds=("iam_policy",),
    evaluate=evaluate_condition_keys,
    what="""Reports a condition key that is neither a global key (`aws:...`) nor a key of a service of
the statement's actions (`s3:prefixx`; `kms:ViaService` on S3 actions), with the closest defined
key. A condition key or Action item that is not known gives an undecided record.""",
    why="""A condition on a key that is never in the request context is never met (or, for the
negated and `IfExists` operators, always met): an Allow grants nothing, and a Deny guard may
never apply.""",
    fix_terraform="""```hcl
statement {
  actions   = ["s3:ListBucket"]
  resources = [aws_s3_bucket.data.arn]
  condition {
    test     = "StringLike"
    variable = "s3:prefix"
    values   = ["reports/*"]
  }
}
```""",
    fix_cloudformation="""```yaml
Condition:
  StringLike:
    s3:prefix: reports/*
```""",
    references=_REFS,
)

