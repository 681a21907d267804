"""Which provider configuration each Terraform resource instance is deployed with: its region
and, as far as can be told, its account.

Account- and region-wide settings (`aws_ebs_encryption_by_default`, the S3 account public access
block) apply only to resources deployed with the same account and region; the facts layer asks
`iacguard.graph.same_account` / `same_region`, which read what is worked out here and put in
`Resource.meta["provider"]`:

    {"config": id, "name": "aws.west", "region": "eu-west-1" | None, "why": reason, "account": id}

and "account_id": "123456789012" when `allowed_account_ids` names exactly one account (the ARNs
of its resources, iacguard.facts.arns).

- A root module's configurations are its `provider` blocks (`alias`, `region`, `profile`,
  `assume_role.role_arn`), evaluated with the root's variables; an unaliased provider with no
  block is an implicit configuration whose region comes from the environment (not known).
- A module instance inherits its caller's default (unaliased) configurations, or exactly those
  named in the call's `providers` map when it has one; provider blocks inside the module
  (legacy) override what it inherits.
- A resource uses the configuration its `provider = aws.alias` meta-argument names, else the
  default one of its type's provider (`aws` for `aws_s3_bucket`).

Two resources with the same configuration id deploy to the same region and account, even when the
region cannot be known. Accounts are told apart by `profile` and `assume_role` role ARN: equal
known values (or none set) are one account; an unknown value is an account of its own.
"""
from __future__ import annotations

from iacguard.core.unknown import is_unknown
from . import expressions as ex
from .syntax import GetAttr, Literal, ObjectExpr, Template, Variable

_NO_REGION = "the provider configuration sets no region (it comes from the environment when deployed)"


def _scope(config: str, name: str, region, why: str, account: str) -> dict:
    return {"config": config, "name": name, "region": region, "why": why, "account": account}


def provider_ref(expr) -> str | None:
    """`aws` / `aws.west` from a `provider` meta-argument or a `providers` map entry."""
    if isinstance(expr, Variable):
        return expr.name
    if isinstance(expr, GetAttr) and isinstance(expr.obj, Variable):
        return "%s.%s" % (expr.obj.name, expr.name)
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value or None
    if isinstance(expr, Template) and len(expr.parts) == 1 and isinstance(expr.parts[0], str):
        return expr.parts[0] or None
    return None


def _implicit(inst, name: str) -> dict:
    root = inst.config_root
    return _scope("%s|%s|implicit %s" % (root, inst.prefix, name), name, None, _NO_REGION, "%s|" % root)


def _known_text(value) -> str | None:
    return value if isinstance(value, str) and not is_unknown(value) else None


def _own(inst) -> dict:
    """The provider blocks of one module instance, evaluated in its scope."""
    out: dict = {}
    root = inst.config_root
    for block, _path in inst.src.providers:
        if not block.labels:
            continue
        attrs = block.body.attributes
        alias = None
        if "alias" in attrs:
            alias = _known_text(ex.evaluate(attrs["alias"].expr, ex.Scope({})))
        name = block.labels[0] + ("." + alias if alias else "")
        config = "%s|%s|%s" % (root, inst.prefix, name)
        region, why = None, _NO_REGION
        if "region" in attrs:
            value = ex.evaluate(attrs["region"].expr, inst.scope)
            region = _known_text(value)
            if region is None:
                why = value.reason if is_unknown(value) else "the provider's region is not a string"
        account = []
        for key, value in _account_inputs(inst, block):
            if value is None:
                continue
            text = _known_text(value)
            account.append("%s=%s" % (key, text if text is not None else "?" + config))
        out[name] = _scope(config, name, region, "" if region else why, "%s|%s" % (root, ",".join(account)))
        account_id = _allowed_account(inst, attrs)
        if account_id is not None:
            out[name]["account_id"] = account_id  # the ARNs of its resources name it
    return out


def _allowed_account(inst, attrs) -> str | None:
    """The account id when `allowed_account_ids` names exactly one known id."""
    if "allowed_account_ids" not in attrs:
        return None
    value = ex.evaluate(attrs["allowed_account_ids"].expr, inst.scope)
    if isinstance(value, list) and len(value) == 1:
        return _known_text(value[0])
    return None


def _account_inputs(inst, block) -> list:
    attrs = block.body.attributes
    found = [("profile", ex.evaluate(attrs["profile"].expr, inst.scope) if "profile" in attrs else None)]
    for sub in block.body.blocks:
        if sub.type in ("assume_role", "assume_role_with_web_identity") and "role_arn" in sub.body.attributes:
            found.append(("role", ex.evaluate(sub.body.attributes["role_arn"].expr, inst.scope)))
    return found


def configurations(inst) -> dict:
    """Provider name ("aws", "aws.west") -> configuration, for one module instance: what its
    caller passes explicitly (a `providers` map) and its own provider blocks (memoised)."""
    cached = getattr(inst, "_provider_configs", None)
    if cached is None:
        passed = inst.inherited_providers
        cached = dict(passed) if isinstance(passed, dict) else {}
        cached.update(_own(inst))
        inst._provider_configs = cached
    return cached


def lookup(inst, name: str) -> dict:
    """The configuration `name` stands for in a module instance."""
    configs = configurations(inst)
    found = configs.get(name)
    if found is None:
        parent = inst.inherited_providers
        if "." not in name and parent is not None and not isinstance(parent, dict):
            found = lookup(parent, name)  # default configurations are inherited implicitly
        else:
            found = _implicit(inst, name)
        configs[name] = found
    return found


def for_child(parent, block):
    """What a module call passes down: its `providers` map as a dict, else the caller itself
    (whose default configurations the child inherits)."""
    attr = block.body.attributes.get("providers")
    if attr is None:
        return parent
    out: dict = {}
    if isinstance(attr.expr, ObjectExpr):
        for key, value in attr.expr.items:
            child_name, parent_name = provider_ref(key), provider_ref(value)
            if child_name and parent_name:
                out[child_name] = lookup(parent, parent_name)
    return out


def of_resource(inst, block, rtype: str) -> dict:
    """The configuration one resource block of an instance is deployed with."""
    attr = block.body.attributes.get("provider")
    name = provider_ref(attr.expr) if attr is not None else None
    return lookup(inst, name or rtype.split("_", 1)[0])
