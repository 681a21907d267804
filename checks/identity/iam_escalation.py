"""AWS-IAM-002: a principal whose identity policies allow a known privilege escalation.

The methods are a table (METHODS): a name, the actions a principal needs together, and what an
attacker does with them. Each required action is decided by the IAM evaluator
(iacguard.iam.evaluate.simulate) for the principal, with the resource each allowing statement
names: so an explicit Deny, a permissions boundary or an SCP that blocks the action removes the
method, and a part that cannot be known ("unknown") makes the principal undecided, never a
finding. Groups are checked on their own policies (their members inherit them). A Lambda function
of the scan (the "function_role" kind) whose role is privileged adds one method per function:
changing its code (lambda:UpdateFunctionCode on the function's ARN).
"""
from __future__ import annotations

import re

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import Unknown, is_unknown
from iacguard.core.lazy import lazy_module
from iacguard.iam.basics import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, TRUST, UNKNOWN

from .iam_common import ALLOW, document_unknown, effect_of, grants_action, listed, location_of

_evaluate = lazy_module("iacguard.iam.evaluate")  # loaded when the check runs, not when it is listed
_model = lazy_module("iacguard.iam.model")

PASS_ROLE = "iam:PassRole"

# (name, actions needed together, what they give)
METHODS = (
    ("new policy version", ("iam:CreatePolicyVersion",), "writes a new default version of a managed policy it holds"),
    ("default policy version", ("iam:SetDefaultPolicyVersion",), "switches a managed policy to an older, wider version"),
    ("attach user policy", ("iam:AttachUserPolicy",), "attaches any managed policy (AdministratorAccess) to a user"),
    ("attach role policy", ("iam:AttachRolePolicy",), "attaches any managed policy to a role it can use"),
    ("attach group policy", ("iam:AttachGroupPolicy",), "attaches any managed policy to a group"),
    ("put user policy", ("iam:PutUserPolicy",), "writes an inline policy granting anything to a user"),
    ("put role policy", ("iam:PutRolePolicy",), "writes an inline policy granting anything to a role"),
    ("put group policy", ("iam:PutGroupPolicy",), "writes an inline policy granting anything to a group"),
    ("create access key", ("iam:CreateAccessKey",), "creates access keys for other, more privileged users"),
    ("create login profile", ("iam:CreateLoginProfile",), "sets a console password for a user that has none"),
    ("update login profile", ("iam:UpdateLoginProfile",), "changes another user's console password"),
    ("update trust policy", ("iam:UpdateAssumeRolePolicy", "sts:AssumeRole"), "rewrites a role's trust policy, then assumes the role"),
    ("add user to group", ("iam:AddUserToGroup",), "adds a user to a more privileged group"),
    ("pass role to EC2", (PASS_ROLE, "ec2:RunInstances"), "starts an instance with a more privileged role"),
    ("pass role to new Lambda", (PASS_ROLE, "lambda:CreateFunction", "lambda:InvokeFunction"), "creates and invokes a function running as a more privileged role"),
    ("pass role to Lambda event source", (PASS_ROLE, "lambda:CreateFunction", "lambda:CreateEventSourceMapping"), "creates a function with a more privileged role, triggered by an event source"),
    ("pass role to existing Lambda", (PASS_ROLE, "lambda:UpdateFunctionConfiguration"), "gives an existing function a more privileged role"),
    ("pass role to Glue", (PASS_ROLE, "glue:CreateDevEndpoint"), "creates a Glue development endpoint with a more privileged role"),
    ("pass role to CloudFormation", (PASS_ROLE, "cloudformation:CreateStack"), "creates a stack that runs as a more privileged role"),
    ("pass role to ECS", (PASS_ROLE, "ecs:RegisterTaskDefinition", "ecs:RunTask"), "runs a task with a more privileged task role"),
    ("pass role to Data Pipeline", (PASS_ROLE, "datapipeline:CreatePipeline"), "creates a pipeline running as a more privileged role"),
    ("pass role to SageMaker", (PASS_ROLE, "sagemaker:CreateNotebookInstance"), "creates a notebook running as a more privileged role"),
    ("pass role to CodeBuild", (PASS_ROLE, "codebuild:CreateProject", "codebuild:StartBuild"), "creates and runs a build with a more privileged role"),
    ("assume any role", ("sts:AssumeRole",), "assumes every role whose trust policy lets the account in (Resource \"*\")"),
)
MAX_STATEMENTS = 256
# Methods whose action counts only when granted on every resource: sts:AssumeRole on one named
# role is ordinary delegation, on "*" it reaches every role that trusts the account.
ANY_RESOURCE = {"assume any role": ("sts:AssumeRole",)}


def _allowing(principal, action: str, memo: dict | None = None) -> list:
    """(policy, statement) of the principal's identity statements that may allow `action`; the
    statement is None where a part that is not known may (an unknown document, statement or
    attached policy): the evaluator is then asked about "*" and answers "unknown". The
    statements that may allow anything (their effect) are listed once per principal in `memo`."""
    candidates = memo.get(_CANDIDATES) if memo is not None else None
    if candidates is None:
        candidates = []
        for policy in principal.identity_policies:
            if policy.unknown is not None:
                candidates.append((policy, None, None))
                continue
            for st in policy.statements[:MAX_STATEMENTS]:
                if st.unknown is not None:
                    candidates.append((policy, None, None))
                    continue
                effect = effect_of(st)
                if effect == ALLOW or is_unknown(effect):
                    candidates.append((policy, st, _actions_key(st)))
        if memo is not None:
            memo[_CANDIDATES] = candidates
    else:
        got = memo.get(("", "allowing", action))
        if got is not None:
            return got
    out = [(policy, st) for policy, st, key in candidates if st is None or _may_grant(st, key, action)]
    if principal.unresolved:
        out.append((None, None))
    if memo is not None:
        memo[("", "allowing", action)] = out
    return out


_CANDIDATES = ("", "candidates")  # the memo key of a principal's possibly allowing statements

# grants_action(statement, action) is not False, by the statement's Action and NotAction when
# they are all text (many principals share them: one answer per pair and action). Emptied when
# it reaches MAX_GRANTS entries.
MAX_GRANTS = 65536
_grants: dict = {}


def _actions_key(st):
    """(Action, NotAction) of a statement when every item is text, else None (not remembered)."""
    if st is None or st.unknown is not None:
        return None
    a, na = st.actions, st.not_actions
    for items in (a, na):
        if items is not None and (type(items) is not tuple or not all(type(i) is str for i in items)):
            return None
    return (a, na)


def _may_grant(st, key, action: str) -> bool:
    if key is None:
        return grants_action(st, action) is not False
    k = (key, action)
    got = _grants.get(k)
    if got is None:
        if len(_grants) >= MAX_GRANTS:
            _grants.clear()
        got = _grants[k] = grants_action(st, action) is not False
    return got


def _resources(statement) -> tuple:
    if statement is None or statement.resources is None:
        return ("*",)  # NotResource: every resource but those listed; "*" stands for one of them
    return tuple(r for r in statement.resources[:16]) or ("*",)


# The role a method assumes is one whose trust policy lets the principal's account in (the
# method's premise: after iam:UpdateAssumeRolePolicy, or any role that trusts the account). A
# trust naming the account, not the principal, leaves the decision to the identity side, as AWS
# does (a trust naming the principal itself, or "*", would allow without any identity grant).
_ASSUME = "sts:assumerole"


# When the principal's account is not known, one stand-in id for it (the trusting role is in the
# principal's own account, whatever that is): only sts:AssumeRole requests use it.
_STAND_IN_ACCOUNT = "000000000000"


def _assume_request(principal, resource) -> tuple:
    """(Request, the stand-in trust policies) for sts:AssumeRole on `resource`."""
    account = principal.account if isinstance(principal.account, str) else _STAND_IN_ACCOUNT
    trust = _model.Policy(TRUST, "a role that trusts the account",
                   (_model.Statement(ALLOW, actions=("sts:AssumeRole",), principals={"AWS": ("arn:aws:iam::%s:root" % account,)}),))
    return _model.Request(action="sts:AssumeRole", resource=resource, principal_account=account, resource_account=account), (trust,)


def _decide(principal, action: str, memo: dict, any_resource: bool = False, allowed_only: bool = False):
    """(decision, Decision) of the first resource of an allowing statement the evaluator allows,
    else the first unknown answer, else implicit deny. With `any_resource`, only "*" is asked.
    With `allowed_only` (the caller needs to know only whether it is allowed), (NOT_ALLOWED,
    None) when no resource asked can be allowed, whatever the action (see _cannot_allow)."""
    key = (action, any_resource)
    if key in memo:
        return memo[key]
    if allowed_only and action.lower() != _ASSUME and _cannot_allow(principal, action, memo, any_resource):
        return (NOT_ALLOWED, None)
    answer = (IMPLICIT_DENY, None)
    for _, st in _allowing(principal, action, memo)[:MAX_STATEMENTS]:
        for resource in (("*",) if any_resource else _resources(st)):
            if action.lower() == _ASSUME:
                request, trusting = _assume_request(principal, resource)
            else:
                request, trusting = _model.Request(action=action, resource=resource), ()
            got = _evaluate.simulate(principal, request, trusting)
            if got.decision == ALLOWED:
                answer = (ALLOWED, got)
                break
            if got.decision == UNKNOWN and answer[0] != UNKNOWN:
                answer = (UNKNOWN, got)
            elif got.decision == EXPLICIT_DENY and answer[0] == IMPLICIT_DENY:
                answer = (EXPLICIT_DENY, got)
        if answer[0] == ALLOWED:
            break
    memo[key] = answer
    return answer


# A `_decide` answer that is not ALLOWED, and nothing more is known of it.
NOT_ALLOWED = "not allowed"


def _cannot_allow(principal, action: str, memo: dict, any_resource: bool) -> bool:
    """True when `_decide` cannot answer ALLOWED: no resource it would ask about can be allowed
    to the principal by any action (iacguard.iam.evaluate.identity_may_allow, one pass per
    resource, kept in `memo`). Not for sts:AssumeRole, asked with a trust policy."""
    resources = []
    for _, st in _allowing(principal, action, memo)[:MAX_STATEMENTS]:
        resources.extend(("*",) if any_resource else _resources(st))
    for resource in resources:
        key = ("", "may allow", id(resource))
        got = memo.get(key)
        if got is None or got[0] is not resource:
            got = memo[key] = (resource, _evaluate.identity_may_allow(principal, resource))
        if got[1]:
            return False
    return True


# An action no policy names: a principal allowed it on "*" holds every action ("*", "*:*", or a
# NotAction that leaves it in), so no method gives it more.
_ANY_ACTION = "iacguard-probe:NoSuchAction"


def _holds_everything(principal) -> bool:
    if not _evaluate.identity_may_allow(principal, "*", _ANY_ACTION):
        return False  # no statement surely allows it: the evaluator cannot answer ALLOWED
    return _evaluate.simulate(principal, _model.Request(action=_ANY_ACTION, resource="*")).decision == ALLOWED


def _methods(principal, memo: dict) -> tuple:
    """(found: [(name, actions, what, [Decision])], the first open Decision or None) over METHODS."""
    found, open_ = [], None
    if _no_first_action(principal, memo):
        return found, open_
    for name, actions, what, asked in _METHOD_ROWS:
        decisions = []
        allowed = True  # every action so far ALLOWED
        for a, any_resource in asked:  # a method needs all its actions: the first one denied settles it
            # once a method is open, the others matter only if they are allowed
            d, got = memo.get((a, any_resource)) or _decide(principal, a, memo, any_resource, open_ is not None)
            decisions.append((d, got))
            if d == ALLOWED:
                continue
            allowed = False
            if d != UNKNOWN:
                break
        else:
            if allowed:
                found.append((name, actions, what, [got for _, got in decisions]))
            elif open_ is None:  # every action ALLOWED or UNKNOWN: the first UNKNOWN leaves it open
                open_ = next(got for d, got in decisions if d == UNKNOWN)
    return found, open_


# The first action of each row of METHODS: a method none of whose first action any statement of
# a principal may grant is decided at once (IMPLICIT_DENY, as `_decide` reads an empty
# `_allowing`), and settles its row.
_FIRST_ACTIONS = tuple(dict.fromkeys(actions[0] for _, actions, _ in METHODS))
# (Action, NotAction) of a principal's possibly allowing statements -> whether one of them may
# grant a first action; principals of a generated tree share a few. Emptied at MAX_GRANTS.
_FIRSTS: dict = {}


def _no_first_action(principal, memo: dict) -> bool:
    """True when no statement of the principal may grant the first action of any method, and no
    part of it is unknown: `_methods` then finds nothing and leaves nothing open."""
    if principal.unresolved:
        return False
    _allowing(principal, _FIRST_ACTIONS[0], memo)  # fills memo[_CANDIDATES]
    candidates = memo.get(_CANDIDATES)
    if candidates is None:
        return False
    shape = []
    for _, st, key in candidates:
        if st is None or key is None:
            return False  # an unknown part, or items that are not all text: asked one by one
        shape.append(key)
    shape = tuple(shape)
    got = _FIRSTS.get(shape)
    if got is None:
        if len(_FIRSTS) >= MAX_GRANTS:
            _FIRSTS.clear()
        got = _FIRSTS[shape] = not any(_may_grant(st, key, a) for _, st, key in candidates for a in _FIRST_ACTIONS)
    return got


# METHODS with, for each action, whether only "*" is asked (ANY_RESOURCE).
_METHOD_ROWS = tuple((name, actions, what, tuple((a, a in ANY_RESOURCE.get(name, ())) for a in actions))
                     for name, actions, what in METHODS)


UPDATE_CODE = "lambda:UpdateFunctionCode"


def _privileged(role, cache: dict):
    """Whether a role holds every action or can escalate itself (worth running code as): True,
    False, or the Decision that left it open."""
    key = role.resource.id
    if key not in cache:
        probe = _evaluate.simulate(role, _model.Request(action=_ANY_ACTION, resource="*"))
        if probe.decision == ALLOWED:
            cache[key] = True
        else:
            found, open_ = _methods(role, {})
            cache[key] = True if found else (probe if probe.decision == UNKNOWN else open_) or False
    return cache[key]


def _function_methods(principal, functions: list, roles: dict, cache: dict, memo: dict | None = None) -> tuple:
    """(found, open) for lambda:UpdateFunctionCode on a function that runs as a privileged role
    other than the principal itself; open is (what, Unknown, location) when a part that is not
    known (of the principal's grant, or of the role's privileges) decides. `memo`: the
    principal's, as `_methods` fills it."""
    found, open_ = [], None
    if (functions and all(len(p.statements) <= MAX_STATEMENTS for p in principal.identity_policies)
            and not _allowing(principal, UPDATE_CODE, memo if memo is not None else {})):
        # No identity statement may grant the action, and no part that is not known: the
        # evaluator answers a deny for every function (as `_decide` reads an empty `_allowing`).
        return found, open_
    for fn in functions[:MAX_STATEMENTS]:
        role = roles.get(fn.role.id)
        if role is None or role.resource.id == principal.resource.id:
            continue
        privileged = _privileged(role, cache)
        if privileged is False:
            continue
        got = _evaluate.simulate(principal, _model.Request(action=UPDATE_CODE, resource=fn.arn))
        if got.decision == ALLOWED and privileged is True:
            found.append(("update code of %s" % fn.function.address, (UPDATE_CODE,),
                          "runs its own code as %s, a more privileged role" % role.address, [got]))
        elif open_ is None and got.decision == ALLOWED:
            what, unknown, _ = _open_part(role, privileged)
            open_ = ("privileges of %s (%s)" % (role.address, what), _cause(unknown), got.statements[0].statement.location if got.statements and got.statements[0].statement is not None else principal.resource.location)
        elif open_ is None and got.decision == UNKNOWN:
            open_ = _open_part(principal, got)
    return found, open_


_WRAPPED = re.compile(r"^.+? is not known \((.*)\)$", re.S)


def _cause(unknown):
    """The cause of an Unknown the collectors wrapped as "X is not known (cause)"."""
    m = _WRAPPED.match(getattr(unknown, "reason", "") or "")
    return Unknown(m.group(1)) if m else unknown


def evaluate(facts):
    principals = facts.of_kind("iam_principal")
    roles = {p.resource.id: p for p in principals if p.kind == "role"}
    functions = facts.of_kind("function_role")
    privileged: dict = {}
    for principal in principals:
        if principal.kind not in ("role", "user", "group"):
            continue
        if _holds_everything(principal):
            continue  # nothing to escalate to: AWS-IAM-001/003 report the administrator
        memo: dict = {}
        found, open_ = _methods(principal, memo)
        more, more_open = _function_methods(principal, functions, roles, privileged, memo)
        found.extend(more)
        open_part = _open_part(principal, open_) if open_ is not None else more_open
        if found:
            statements = []
            for _, _, _, gots in found:
                for got in gots:
                    for decided in got.statements:
                        if decided.statement is not None and decided.statement.location is not None and decided.statement.location not in statements:
                            statements.append(decided.statement.location)
            where = statements[0] if statements else principal.resource.location
            first = found[0]
            yield Finding(
                CHECK.id, principal.resource,
                "%s %s can escalate its privileges by %s (%s: %s)%s." % (
                    principal.kind.capitalize(), principal.address, first[0], ", ".join(first[1]), first[2],
                    "; also %s" % listed([f[0] for f in found[1:]], 5) if len(found) > 1 else ""),
                where, related=tuple((loc, "grants an escalation action") for loc in statements[1:8]))
        elif open_part is not None:
            what, unknown, where = open_part
            yield undecided(CHECK.id, principal.resource, what, unknown, where)


def _open_part(principal, decision):
    """(what, Unknown, location) of the part that left the evaluator's answer open: the first
    deciding statement's unknown piece (document, statement, Effect, Action, Resource,
    Condition), else an attached policy that is not known, else the evaluator's own reason."""
    fallback = principal.resource.location
    for decided in decision.statements[:MAX_STATEMENTS]:
        policy, st = decided.policy, decided.statement
        where = location_of(st, policy, fallback) if st is not None else (policy.location or fallback)
        if policy.unknown is not None:
            return "policy document", document_unknown(policy), where
        if st is None:
            continue
        if st.unknown is not None:
            return "statement", st.unknown, where
        for what, items in (("Effect", (st.effect,)), ("Action", st.actions or st.not_actions or ()),
                            ("Resource", st.resources or st.not_resources or ()),
                            ("Condition", st.conditions if is_unknown(st.conditions) else tuple(v for c in st.conditions for v in c.values))):
            items = (items,) if is_unknown(items) else items
            found = next((i for i in items[:256] if is_unknown(i)), None)
            if found is not None:
                return what, found, where
    if principal.unresolved:
        return "attached policy", principal.unresolved[0], fallback
    return "policy evaluation", _Reason(decision.reason), fallback


class _Reason:
    """An Unknown-like carrier of the evaluator's reason for `undecided`."""

    def __init__(self, reason: str) -> None:
        self.reason = reason or "the evaluator could not decide"


CHECK = Check(
    id="AWS-IAM-002",
    equivalents=(("checkov", "CKV_AWS_286"),),
    title="IAM principal can escalate its own privileges",
    severity="high",
    pillar="identity",
    cwe=("CWE-269",),
    kinds=("iam_principal", "function_role"),
    evaluate=evaluate,
    what="""For each IAM role, user and group of the scan (a group on its own policies), evaluates
with the IAM evaluator whether its identity policies, boundary and SCPs allow one of the known
privilege-escalation methods: `iam:CreatePolicyVersion`; `iam:SetDefaultPolicyVersion`;
`iam:Attach{User,Role,Group}Policy`; `iam:Put{User,Role,Group}Policy`; `iam:CreateAccessKey`;
`iam:CreateLoginProfile` / `iam:UpdateLoginProfile`; `iam:UpdateAssumeRolePolicy` with
`sts:AssumeRole`; `iam:AddUserToGroup`; `sts:AssumeRole` on `"*"`; and `iam:PassRole` together
with a compute action that runs code as the passed role (`ec2:RunInstances`,
`lambda:CreateFunction` with `lambda:InvokeFunction` or `lambda:CreateEventSourceMapping`,
`lambda:UpdateFunctionConfiguration`, `glue:CreateDevEndpoint`, `cloudformation:CreateStack`,
`ecs:RegisterTaskDefinition` with `ecs:RunTask`, `datapipeline:CreatePipeline`,
`sagemaker:CreateNotebookInstance`, `codebuild:CreateProject` with `codebuild:StartBuild`);
and `lambda:UpdateFunctionCode` on a Lambda function of the scan that runs as another role
holding every action or able to escalate itself.
Each action is simulated on the Resource of the statement that allows it (`sts:AssumeRole` of
"assume any role" on `"*"` only, against a role that trusts the principal's account), so an
explicit Deny, a boundary or an SCP that blocks it removes the method. A principal that already
holds every action is left to AWS-IAM-001/003. An answer the evaluator cannot give ("unknown")
makes the principal undecided, naming the part that is not known. The finding points at the
first granting statement; the other granting statements are related locations.""",
    why="""A principal that can change its own permissions, or hand a more privileged role to code it
controls, effectively holds every permission it can reach that way: least privilege stops
meaning anything for it, and stolen credentials become administrator credentials.""",
    fix_terraform="""Grant IAM write actions only to administrators, on named resources, and deny the
escalation actions with a permissions boundary:

```hcl
data "aws_iam_policy_document" "boundary" {
  statement {
    effect    = "Deny"
    actions   = ["iam:CreatePolicyVersion", "iam:Attach*", "iam:Put*Policy", "iam:PassRole"]
    resources = ["*"]
  }
}
```""",
    fix_cloudformation="""```yaml
PolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Action: iam:PassRole
      Resource: !GetAtt AppFunctionRole.Arn
      Condition:
        StringEquals:
          iam:PassedToService: lambda.amazonaws.com
```""",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    ),
)
