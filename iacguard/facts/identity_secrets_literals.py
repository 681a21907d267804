"""Secrets written in code: the facts kind "secret_value".

One fact per property that holds a secret (a database master password, a cache auth token, an
environment value named like a secret, user data, a `String` SSM parameter named like a secret)
on the resource types below, and one fact with `setting` None for a resource of those types that
holds none (so that the checks read it and say why it passes).

Where the value comes from decides what `literal` is:
- True: the value is known, so it is written somewhere in the scanned code: in the resource, a
  `local`, a module argument, a `.tfvars` file of the scan (`location` is then that line, from the
  variable's `set_at`), or a Terraform variable's `default` / a CloudFormation parameter's
  `Default` (a default is in the repository like any literal: `location` is the property);
- False: the value is not known and comes from outside the code: a Terraform variable (plain or
  `sensitive`) or a CloudFormation parameter given no value in the scan, another resource
  (`random_password.db.result`); or it is a dynamic reference (`{{resolve:secretsmanager:...}}`),
  an ARN, a placeholder (`changeme`, `<password>`), or there is no value at all;
- an Unknown: the value is not known and nothing says where it comes from (undecided).

`shown` is what a message may print of the value: its first four characters and its length,
never more.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from .common import managed
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown, is_unknown

# category -> {resource type: (property paths that are secrets)}
DB_PASSWORD = "db_password"
REDSHIFT_PASSWORD = "redshift_password"
DOCDB_PASSWORD = "docdb_password"
CACHE_TOKEN = "cache_token"
FUNCTION_ENV = "function_env"
CONTAINER_ENV = "container_env"
SSM_PARAMETER = "ssm_parameter"

_PATHS = {
    DB_PASSWORD: {
        "aws_db_instance": (("password",),),
        "aws_rds_cluster": (("master_password",),),
        "AWS::RDS::DBInstance": (("MasterUserPassword",),),
        "AWS::RDS::DBCluster": (("MasterUserPassword",),),
    },
    REDSHIFT_PASSWORD: {
        "aws_redshift_cluster": (("master_password",),),
        "AWS::Redshift::Cluster": (("MasterUserPassword",),),
    },
    DOCDB_PASSWORD: {
        "aws_docdb_cluster": (("master_password",),),
        "AWS::DocDB::DBCluster": (("MasterUserPassword",),),
    },
    CACHE_TOKEN: {
        "aws_elasticache_replication_group": (("auth_token",),),
        "aws_elasticache_cluster": (("auth_token",),),
        "AWS::ElastiCache::ReplicationGroup": (("AuthToken",),),
        "AWS::ElastiCache::CacheCluster": (),  # no auth token property: read so it passes
    },
}
FUNCTION_TYPES = ("aws_lambda_function", "AWS::Lambda::Function", "AWS::Serverless::Function")
CONTAINER_TYPES = ("aws_ecs_task_definition", "AWS::ECS::TaskDefinition")
SSM_TYPES = ("aws_ssm_parameter", "AWS::SSM::Parameter")

# Names that say a value is a secret (environment variable names, parameter names). Matched on
# the name split into words, so "PASSWORD_POLICY_URL" or "TOKEN_ENDPOINT" are not secrets:
# the secret word must end the name or be followed by a qualifier word only.
_SECRET_WORDS = ("password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "privatekey", "private_key",
                 "secretkey", "secret_key", "accesskey", "access_key", "auth", "credential", "credentials")
_NOT_SECRET_TAIL = ("arn", "id", "name", "url", "uri", "endpoint", "path", "file", "region", "length", "policy", "ttl",
                    "expiry", "expiration", "type", "header", "enabled", "version", "key_id", "keyid", "param", "parameter", "ssm")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
from iacguard.core.placeholders import placeholder  # noqa: E402,F401 - values that are placeholders or references, not secrets
# Names of a secret store in a name: the value names where a secret is kept (a Secrets Manager
# secret's ARN, an SSM parameter's name), not the secret ("SecretsManagerSecretForMQ").
_STORE_WORDS = ("secrets_manager", "secretsmanager", "parameter_store", "ssm")


# Any resource type: `referenced_at` with no types would also stop at nothing but resources.
_NOT_SYMBOL_ONLY: tuple = ()


def secret_name(name: Any) -> bool:
    """Whether a name says its value is a secret: DB_PASSWORD, apiKey, GITHUB_TOKEN, client-secret;
    not TOKEN_URL, PASSWORD_SECRET_ARN, SECRET_NAME (they name where a secret is, not the secret)."""
    if not isinstance(name, str) or not name:
        return False
    words = [w.lower() for part in re.split(r"[^A-Za-z0-9]+", name) for w in _WORDS.findall(part)]
    if not words:
        return False
    joined = "_".join(words)
    if any(joined.endswith("_" + t) or joined == t for t in _NOT_SECRET_TAIL):
        return False
    if "ssm" in words or any(store in joined for store in _STORE_WORDS):
        return False
    return any(w in _SECRET_WORDS for w in words) or any(s in joined for s in ("api_key", "private_key", "secret_key", "access_key"))


def shown(value: Any) -> str:
    """What may be printed of a secret: its first four characters and its length."""
    text = value if isinstance(value, str) else str(value)
    return "\"%s...\" (%d characters)" % (text[:4], len(text)) if len(text) > 4 else "(%d characters)" % len(text)


@dataclass(frozen=True)
class SecretValue:
    """A secret written in a resource's configuration: where, in which setting, and how it is shown."""

    resource: Resource
    category: str  # one of the categories above
    setting: str | None  # the property as a person reads it ("master_password", "environment.variables.DB_PASSWORD"); None: the resource holds no secret
    literal: Any  # True | False | Unknown (see the module docstring)
    location: Location  # where the value is written (the tfvars line, the module argument) or the property
    shown: str = ""  # at most the first four characters and the length
    origin: str = ""  # where the value comes from when it is not the property itself ("variable db_password set in prod.tfvars")


def _origin(graph: ResourceGraph, res: Resource, path: tuple) -> tuple:
    """(from outside, location or None, origin text) from the symbols the value at `path` takes
    from: True with the line where a tfvars file, a module argument or a parameters file gives a
    variable or parameter its value; False (no location) when a variable or parameter is behind
    it with no value given in the scan (its default, or nothing); None when none is behind it
    (the resource or a local writes it). A known value is in the code either way."""
    behind = None
    for symbol in graph.symbols_behind(res, lambda p: tuple(p[: len(path)]) == tuple(path)):
        if symbol.kind not in ("parameter", "variable"):
            continue
        set_at = (symbol.meta or {}).get("set_at")
        if set_at is not None:
            label = (symbol.meta or {}).get("set_label") or "%s %s set in %s" % (symbol.kind, symbol.name, set_at.path.rsplit("/", 1)[-1])
            return True, set_at, label
        if behind is None:
            behind = (False, None, "%s %s" % (symbol.kind, symbol.name))
    return behind or (None, None, "")


def _fact(graph: ResourceGraph, res: Resource, category: str, path: tuple, raw: Any, label: str) -> SecretValue:
    where = res.location_of(*path)
    given, set_at, origin = _origin(graph, res, path)
    if is_unknown(raw):
        # A variable or parameter with no value in the scan (the Unknown says so), or another
        # resource's attribute (random_password.db.result): not in the code. An Unknown nothing
        # explains is undecided.
        reason = getattr(raw, "reason", "") or ""
        if given is False and origin and origin in reason:
            return SecretValue(res, category, label, False, where, "", origin)
        if getattr(raw, "node", None) or graph.referenced_at(res, (tuple(p for p in path if not isinstance(p, int)),), _NOT_SYMBOL_ONLY):
            return SecretValue(res, category, label, False, where, "", "another resource")
        return SecretValue(res, category, label, raw, where)
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool) or placeholder(raw):
        return SecretValue(res, category, label, False, where, "", "a placeholder or a reference")
    return SecretValue(res, category, label, True, set_at or where, shown(raw), origin if given else "")


def _unknown_container(graph: ResourceGraph, res: Resource, category: str, path: tuple) -> SecretValue | None:
    """An undecided (or from-outside) fact when a container on `path` (an environment block, a
    container list) is not known as a whole, else None."""
    for i in range(1, len(path) + 1):
        value = res.get(*path[:i])
        if value is None:
            return None
        if is_unknown(value):
            fact = _fact(graph, res, category, path[:i], value, ".".join(str(p) for p in path[:i] if not isinstance(p, int)))
            return fact if fact.literal is not False else None
    return None


def _none(res: Resource, category: str) -> SecretValue:
    return SecretValue(res, category, None, False, res.location)


def _env_facts(graph: ResourceGraph, res: Resource, category: str, env: Any, base: tuple, label: str) -> list:
    out = []
    if isinstance(env, dict):
        for name in list(env)[:512]:
            if secret_name(name):
                out.append(_fact(graph, res, category, base + (name,), env[name], "%s.%s" % (label, name)))
    return out


def _function_env(graph: ResourceGraph, res: Resource) -> list:
    path = ("environment", 0, "variables") if res.language == "terraform" else ("Environment", "Variables")
    whole = _unknown_container(graph, res, FUNCTION_ENV, path)
    if whole is not None:
        return [whole]
    return _env_facts(graph, res, FUNCTION_ENV, res.get(*path), path, ".".join(p for p in path if isinstance(p, str)))


def _container_env(graph: ResourceGraph, res: Resource) -> list:
    out = []
    if res.language == "terraform":
        # container_definitions is a JSON string (jsonencode or a heredoc): its lines are the
        # attribute's.
        raw = res.get("container_definitions")
        import json

        defs = raw
        if isinstance(raw, str):
            try:
                defs = json.loads(raw)
            except ValueError:
                return out
        elif is_unknown(raw):
            defs = getattr(raw, "partial_value", None)
            if defs is None:
                # Not known at all: undecided unless a variable, parameter or resource gives it.
                fact = _fact(graph, res, CONTAINER_ENV, ("container_definitions",), raw, "container_definitions")
                return [fact] if is_unknown(fact.literal) else out
        if not isinstance(defs, list):
            return out
        where = res.location_of("container_definitions")
        given, set_at, origin = _origin(graph, res, ("container_definitions",))
        for container in defs[:256]:
            if not isinstance(container, dict):
                continue
            cname = container.get("name") if isinstance(container.get("name"), str) else "?"
            for item in (container.get("environment") or [])[:512] if isinstance(container.get("environment"), list) else ():
                if not isinstance(item, dict) or not secret_name(item.get("name")):
                    continue
                label = "container_definitions[%s].environment.%s" % (cname, item["name"])
                value = item.get("value")
                if is_unknown(value):
                    out.append(SecretValue(res, CONTAINER_ENV, label, False, where, "", "a value not written in the code"))
                elif not isinstance(value, (str, int, float)) or isinstance(value, bool) or placeholder(value):
                    out.append(SecretValue(res, CONTAINER_ENV, label, False, where, "", "a placeholder or a reference"))
                else:
                    out.append(SecretValue(res, CONTAINER_ENV, label, True, set_at or where, shown(value), origin if given else ""))
        return out
    containers = res.get("ContainerDefinitions")
    whole = _unknown_container(graph, res, CONTAINER_ENV, ("ContainerDefinitions",))
    if whole is not None:
        return [whole]
    if not isinstance(containers, list):
        return out
    for i, container in enumerate(containers[:256]):
        if not isinstance(container, dict):
            continue
        cname = container.get("Name") if isinstance(container.get("Name"), str) else str(i)
        env = container.get("Environment")
        if is_unknown(env):
            whole = _unknown_container(graph, res, CONTAINER_ENV, ("ContainerDefinitions", i, "Environment"))
            out.extend([whole] if whole is not None else [])
            continue
        if not isinstance(env, list):
            continue
        for j, item in enumerate(env[:512]):
            if isinstance(item, dict) and is_unknown(item.get("Name")):
                value = _fact(graph, res, CONTAINER_ENV, ("ContainerDefinitions", i, "Environment", j, "Value"), item.get("Value"), "ContainerDefinitions[%s].Environment" % cname)
                if value.literal is True:  # a literal whose name is not known: may be a secret
                    out.append(SecretValue(res, CONTAINER_ENV, value.setting, item["Name"], res.location_of("ContainerDefinitions", i, "Environment", j, "Name")))
                continue
            if isinstance(item, dict) and secret_name(item.get("Name")):
                path = ("ContainerDefinitions", i, "Environment", j, "Value")
                out.append(_fact(graph, res, CONTAINER_ENV, path, item.get("Value"), "ContainerDefinitions[%s].Environment.%s" % (cname, item["Name"])))
    return out


def _ssm(graph: ResourceGraph, res: Resource) -> list:
    tf = res.language == "terraform"
    name = res.get("name" if tf else "Name")
    ptype = res.get("type" if tf else "Type")
    path = ("value",) if tf else ("Value",)
    if tf and res.get("insecure_value") is not None:
        path = ("insecure_value",)
    if isinstance(ptype, str) and ptype != "String":
        return []  # SecureString (encrypted with KMS) or StringList
    if isinstance(name, str) and not secret_name(name):
        return []
    fact = _fact(graph, res, SSM_PARAMETER, path, res.get(*path), "%s (type String)" % path[0])
    undecided = next((v for v in (ptype, name) if is_unknown(v)), None)
    if undecided is not None and fact.literal is True:
        # A literal value whose parameter type or name is not known: it may be a SecureString,
        # or not named like a secret.
        where = res.location_of("type" if tf else "Type") if is_unknown(ptype) else res.location_of("name" if tf else "Name")
        return [SecretValue(res, SSM_PARAMETER, fact.setting, undecided, where)]
    return [fact]


def secret_values(graph: ResourceGraph) -> list:
    out = []
    for category, types in _PATHS.items():
        for res in managed(graph, *types):
            facts = [_fact(graph, res, category, path, res.get(*path), path[-1]) for path in types[res.type] if res.get(*path) is not None]
            out.extend(facts or [_none(res, category)])
    for res in managed(graph, *FUNCTION_TYPES):
        out.extend(_function_env(graph, res) or [_none(res, FUNCTION_ENV)])
    for res in managed(graph, *CONTAINER_TYPES):
        out.extend(_container_env(graph, res) or [_none(res, CONTAINER_ENV)])
    for res in managed(graph, *SSM_TYPES):
        out.extend(_ssm(graph, res) or [_none(res, SSM_PARAMETER)])
    return out


__all__ = ["SecretValue", "secret_values", "secret_name", "shown", "placeholder"]
