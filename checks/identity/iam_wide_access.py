"""AWS-IAM-003 (effective administrator) and AWS-IAM-004 (write or permissions management on "*").

Both read identity policy statements of the scan (the "iam_policy" kind) and ask the action
catalogue (iacguard.iam.catalogue) what the statement's Action or NotAction covers:

- a service is *wholly granted* by a statement when every catalogue action of that service is
  matched by an Action pattern, or (NotAction) matched by none of the NotAction patterns;
- 003 reports an Allow statement on every resource that wholly grants `iam` (whoever holds all of
  IAM can grant itself anything else) or at least ADMIN_SHARE of the catalogue's services, unless
  it is the literal `"*"` / `"*:*"` that AWS-IAM-001 reports;
- 004 reports an Allow statement on `"*"` that grants actions of access level Write or
  Permissions management which accept a resource ARN (an action that only takes `"*"` has no
  narrower choice), unless 001 or 003 already reports the statement.

Unknown items decide nothing: when the known items do not reach the threshold but an unknown
Action, NotAction, Resource or Effect could, the statement is undecided.
"""
from __future__ import annotations

from functools import lru_cache

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown
from iacguard.core.lazy import lazy_module
from iacguard.iam.basics import ALLOW, IDENTITY, pieces

from .iam_common import document_unknown, listed

_catalogue = lazy_module("iacguard.iam.catalogue")  # loaded when a check runs, not when it is listed

# Share of the catalogue's services a statement must wholly grant to be an administrator's.
ADMIN_SHARE = 0.9
LEVELS = ("Write", "Permissions management")
MAX_STATEMENTS = 4096


def _literal_admin(statement) -> bool:
    """What AWS-IAM-001 reports: Action "*" or "*:*" (with Resource "*")."""
    return any(isinstance(a, str) and a in ("*", "*:*") for a in statement.actions or ())


def _split(pattern: str):
    low = pattern.lower()
    if low == "*":
        return "*", "*"
    svc, sep, act = low.partition(":")
    return (svc, act) if sep else (None, None)


@lru_cache(maxsize=4096)
def _covers_service(pattern: str, prefix: str) -> str:
    """"all", "some" or "none": how much of service `prefix` the action pattern matches."""
    svc, act = _split(pattern)
    if svc is None or prefix not in _catalogue.CATALOGUE.matching_services(svc):
        return "none"
    if act.strip("*") == "" and act:
        return "all"
    service = _catalogue.CATALOGUE.service(prefix)
    names = list(service.actions) if service is not None else []
    if not _catalogue.has_wildcard(act):
        return "some" if act in names else "none"
    glob = _catalogue.Glob(act)
    hits = sum(1 for n in names if glob.match(n))
    return "all" if names and hits == len(names) else ("some" if hits else "none")


def _services_named(patterns) -> set:
    out = set()
    for p in patterns:
        svc, _ = _split(p)
        if svc is not None:
            out.update(_catalogue.CATALOGUE.matching_services(svc))
    return out


def wholly_granted(statement) -> tuple:
    """(services every action of which the statement's known Action/NotAction items grant,
    the first Unknown item or None)."""
    if statement.actions is not None:
        known = [a for a in statement.actions[:256] if isinstance(a, str)]
        unknown = next((a for a in statement.actions if is_unknown(a)), None)
        full = {s for s in _services_named(known) if any(_covers_service(p, s) == "all" for p in known)}
        return full, unknown
    items = statement.not_actions or ()
    known = [a for a in items[:256] if isinstance(a, str)]
    unknown = next((a for a in items if is_unknown(a)), None)
    touched = {s for s in _services_named(known) if any(_covers_service(p, s) != "none" for p in known)}
    return set(_catalogue.CATALOGUE.services()) - touched, unknown


def granted_actions(statement) -> tuple:
    """Every catalogue action the statement's known Action/NotAction items grant (sorted)."""
    if statement.actions is not None:
        out = set()
        for a in statement.actions[:256]:
            if isinstance(a, str):
                out.update(_catalogue.CATALOGUE.expand(a))
        return tuple(sorted(out))
    return _catalogue.CATALOGUE.expand_not([a for a in (statement.not_actions or ())[:256] if isinstance(a, str)])


def _could_be_star(item) -> bool:
    """Whether a Resource item that is not known may still be "*": not when known text is part
    of it ("arn:${AWS::Partition}:s3:::${Bucket}/*" names some resources, never every one)."""
    return is_unknown(item) and not any(isinstance(p, str) and p not in ("", "*") for p in pieces(item))


def _on_every_resource(statement):
    """True when Resource holds "*" (or NotResource is used: all but the listed), False when
    every item is known and narrower, else the first Unknown item."""
    if statement.not_resources is not None:
        return True
    items = statement.resources or ()
    if any(isinstance(r, str) and r == "*" for r in items):
        return True
    return next((r for r in items if _could_be_star(r)), False)


def _statements(facts):
    seen = 0
    for policy in facts.of_kind("iam_policy"):
        if policy.kind != IDENTITY or policy.resource is None:
            continue
        if policy.unknown is not None:
            yield policy, None  # the document is not known: undecided
            continue
        for st in policy.statements:
            seen += 1
            if seen > MAX_STATEMENTS:
                return
            if st.unknown is not None:
                yield policy, None
                continue
            if st.principals is not None or st.not_principals is not None:
                continue
            if st.effect != ALLOW and not is_unknown(st.effect):
                continue
            yield policy, st


def _where(policy, st):
    return st.location or policy.location or policy.resource.location


def _admin(st):
    """(True | False | Unknown, why): whether 003 holds for the statement."""
    if _literal_admin(st):
        return False, ""
    if st.actions is not None:
        # The services an Action list names bound those it wholly grants: when they cannot make
        # an administrator, no service's action list needs reading.
        named = _services_named([a for a in st.actions[:256] if isinstance(a, str)])
        if "iam" not in named and len(named) < ADMIN_SHARE * len(_catalogue.CATALOGUE.services()):
            unknown_action = next((a for a in st.actions if is_unknown(a)), None)
            return (unknown_action, "Action") if unknown_action is not None else (False, "")
    full, unknown_action = wholly_granted(st)
    share = len(full) / max(1, len(_catalogue.CATALOGUE.services()))
    if "iam" in full:
        why = "every IAM action"
    elif share >= ADMIN_SHARE:
        why = "every action of %d of the %d services" % (len(full), len(_catalogue.CATALOGUE.services()))
    elif unknown_action is not None:
        return unknown_action, "Action"
    else:
        return False, ""
    resource = _on_every_resource(st)
    if is_unknown(resource):
        return resource, "Resource"
    if resource is not True:
        return False, ""
    if is_unknown(st.effect):
        return st.effect, "Effect"
    return True, why


def _open(check, policy):
    unknown = document_unknown(policy) if policy.unknown is not None else next(s.unknown for s in policy.statements if s.unknown is not None)
    return undecided(check.id, policy.resource, "policy document", unknown, policy.location or policy.resource.location)


def evaluate_admin(facts):
    for policy, st in _statements(facts):
        if st is None:
            yield _open(ADMIN, policy)
            continue
        admin, why = _admin(st)
        if is_unknown(admin):
            yield undecided(ADMIN.id, policy.resource, why, admin, _where(policy, st))
        elif admin:
            how = "NotAction" if st.actions is None else "Action"
            extra = " (under a condition)" if st.conditions else ""
            yield Finding(ADMIN.id, policy.resource,
                          "IAM policy %s grants %s on every resource through its %s%s: an administrator's access without Action \"*\"." % (policy.name, why, how, extra),
                          _where(policy, st))


def evaluate_write(facts):
    for policy, st in _statements(facts):
        if st is None:
            yield _open(WRITE, policy)
            continue
        if _literal_admin(st):
            continue
        admin, _ = _admin(st)
        if admin is True:
            continue  # 003 reports the statement
        items = st.resources or ()
        if st.not_resources is not None or not any(isinstance(r, str) and r == "*" for r in items):
            if st.not_resources is None and any(_could_be_star(r) for r in items) and _wide(st):
                yield undecided(WRITE.id, policy.resource, "Resource", next(r for r in items if _could_be_star(r)), _where(policy, st))
            continue
        if _tag_scoped(st):
            continue
        wide = _wide(st)
        unknown = next((a for a in (st.actions if st.actions is not None else st.not_actions or ()) if is_unknown(a)), None)
        if not wide:
            if unknown is not None:
                yield undecided(WRITE.id, policy.resource, "Action", unknown, _where(policy, st))
            continue
        if is_unknown(st.effect):
            yield undecided(WRITE.id, policy.resource, "Effect", st.effect, _where(policy, st))
            continue
        yield Finding(WRITE.id, policy.resource,
                      "IAM policy %s allows %d write or permissions-management action%s on every resource (*): %s." % (policy.name, len(wide), "" if len(wide) == 1 else "s", listed(wide)),
                      _where(policy, st))


def _tag_scoped(st) -> bool:
    """Whether a condition scopes the statement by tags (attribute-based access control): a
    positive operator on aws:RequestTag/..., aws:ResourceTag/... or a service's ResourceTag key,
    with a known value that is not only "*". Create actions cannot name the ARN of what they
    create; a tag condition is how such a grant is narrowed, so it is not "every resource"."""
    if not isinstance(st.conditions, tuple):
        return False
    for cond in st.conditions[:256]:
        op = cond.operator.split(":")[-1] if isinstance(cond.operator, str) else ""
        key = cond.key.lower() if isinstance(cond.key, str) else ""
        if op.startswith(("StringNot", "ArnNot")) or op.endswith("IfExists") or op == "Null":
            continue
        if not (key.startswith(("aws:requesttag/", "aws:resourcetag/")) or ":resourcetag/" in key):
            continue
        if any(isinstance(v, str) and v.strip("*") for v in cond.values):
            return True
    return False


def _wide(st) -> tuple:
    """The granted actions of level Write / Permissions management that accept a resource ARN."""
    # One catalogue lookup per action: `resource_arns(a)` is empty exactly when the action takes
    # no resource type, and building its ARN formats (one file read per service) only to test
    # that was two thirds of this check on a policy granting `s3:*` (issue 17).
    action = _catalogue.CATALOGUE.action
    out = []
    for a in granted_actions(st):
        act = action(a)
        if act is not None and act.access_level in LEVELS and act.resource_types:
            out.append(a)
    return tuple(out)


_REFS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
    "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
)

ADMIN = Check(
    id="AWS-IAM-003",
    title="IAM policy grants administrator access without Action \"*\"",
    severity="high",
    pillar="identity",
    cwe=("CWE-250", "CWE-269"),
    kinds=("iam_policy",),
    evaluate=evaluate_admin,
    what="""Reads identity policy statements (inline and customer managed, both languages) with
`Effect: Allow` on every resource (`Resource: "*"`, or a `NotResource`) and asks the action
catalogue which services they grant *wholly* (every action of the service: an `Action` pattern
such as `iam:*` or `*:*`-like wildcards, or a `NotAction` list that does not touch the service).
It reports the statement when that includes every action of `iam` (which can grant any other
permission), or at least 90% of the catalogue's services (a `NotAction` leaving most of AWS).
The literal `Action: "*"` / `"*:*"` is AWS-IAM-001's. Unknown items that could reach either
threshold give an undecided record.""",
    why="""A `NotAction` list or a set of service wildcards can grant as much as `"*"` while looking
narrower: whoever holds it can change IAM, grant itself anything else, or act on nearly every
service and resource of the account.""",
    fix_terraform="""List the actions the workload needs instead of excluding a few:

```hcl
data "aws_iam_policy_document" "app" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }
}
```""",
    fix_cloudformation="""```yaml
PolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Action:
        - s3:GetObject
        - s3:PutObject
      Resource: !Sub "${DataBucket.Arn}/*"
```""",
    references=_REFS,
)

WRITE = Check(
    id="AWS-IAM-004",
    equivalents=(("checkov", "CKV_AWS_290"), ("checkov", "CKV_AWS_289")),
    title="IAM policy allows write or permissions-management actions on every resource",
    severity="medium",
    pillar="identity",
    cwe=("CWE-732",),
    kinds=("iam_policy",),
    evaluate=evaluate_write,
    what="""Reads identity policy statements with `Effect: Allow` and `Resource: "*"` and expands their
`Action` (or `NotAction`) with the action catalogue. It reports the statement when it grants an
action whose access level is Write or Permissions management and that accepts a resource ARN
(actions that take only `"*"`, such as `s3:ListAllMyBuckets` or `ec2:RunInstances`'s
account-level siblings, are left out), and so is a statement a tag condition scopes
(`aws:RequestTag/...`, `aws:ResourceTag/...` compared with a value: how create actions, which
cannot name what they create, are narrowed). The message names the first actions and the count.
Statements AWS-IAM-001 or AWS-IAM-003 report are not reported again.""",
    why="""Write and permissions-management actions on `"*"` reach every resource of that type in the
account, including ones created later by other teams: a bug or stolen credentials can change or
delete all of them, or change who has access to them.""",
    fix_terraform="""Name the resources:

```hcl
data "aws_iam_policy_document" "app" {
  statement {
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.jobs.arn]
  }
}
```""",
    fix_cloudformation="""```yaml
PolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Action: sqs:SendMessage
      Resource: !GetAtt JobsQueue.Arn
```""",
    references=_REFS,
)
