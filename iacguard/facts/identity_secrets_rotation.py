"""Secrets Manager secrets and their rotation: the facts kind "secret_rotation".

A secret rotates when a rotation resource names it: `aws_secretsmanager_secret_rotation`
(`secret_id`) or `AWS::SecretsManager::RotationSchedule` (`SecretId`), by reference (followed
through variables, locals, modules and parameters) or by a literal name or ARN of the same root.
A rotation resource whose secret cannot be known may rotate any secret of its module (Unknown);
a literal name compared with a secret whose name is not known is Unknown too.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import ResourceGraph
from .common import Attr, managed
from iacguard.core.model import Resource
from iacguard.core.unknown import Unknown, is_unknown

SECRETS = ("aws_secretsmanager_secret", "AWS::SecretsManager::Secret")
ROTATIONS = {"aws_secretsmanager_secret_rotation": "secret_id", "AWS::SecretsManager::RotationSchedule": "SecretId"}


@dataclass(frozen=True)
class SecretRotation:
    """A Secrets Manager secret and the rotation that renews it, if any."""

    resource: Resource  # the secret
    rotation: Attr  # True | False | Unknown: a rotation resource of the scan rotates it
    rotated_by: Resource | None  # that rotation resource


def _name_of(literal: str) -> set:
    """The names a literal secret id may mean: the text itself, and for an ARN the name after
    ":secret:" with and without the 6-character suffix Secrets Manager appends."""
    out = {literal}
    if ":secret:" in literal:
        name = literal.split(":secret:", 1)[1]
        out.add(name)
        if len(name) > 7 and name[-7] == "-":
            out.add(name[:-7])
    return out


def secret_rotations(graph: ResourceGraph) -> list:
    by_ref: dict = {}  # secret id -> rotation resource
    by_name: dict = {}  # (root, name) -> rotation resource
    named_roots: set = set()  # roots with a rotation naming a secret by a literal
    unknown_modules: dict = {}  # (root, module) -> rotation resource whose secret cannot be known
    for rtype, key in ROTATIONS.items():
        for rot in managed(graph, rtype):
            targets = graph.referenced_at(rot, ((key,),), SECRETS)
            for secret in targets:
                by_ref.setdefault(secret.id, rot)
            if targets:
                continue
            raw = rot.get(key)
            root = graph.root_of(rot)
            if isinstance(raw, str) and raw:
                named_roots.add(root)
                for name in _name_of(raw):
                    by_name.setdefault((root, name), rot)
            elif is_unknown(raw):
                unknown_modules.setdefault((root, rot.module), rot)
    out = []
    for secret in managed(graph, *SECRETS):
        rot = by_ref.get(secret.id)
        if rot is not None:
            out.append(SecretRotation(secret, Attr(True, rot.location, True), rot))
            continue
        root = graph.root_of(secret)
        name_key = "name" if secret.language == "terraform" else "Name"
        name = secret.get(name_key)
        if isinstance(name, str) and (root, name) in by_name:
            rot = by_name[(root, name)]
            out.append(SecretRotation(secret, Attr(True, rot.location, True), rot))
        elif is_unknown(name) and root in named_roots:
            out.append(SecretRotation(secret, Attr(name, secret.location_of(name_key), True), None))
        elif (root, secret.module) in unknown_modules:
            rot = unknown_modules[(root, secret.module)]
            out.append(SecretRotation(secret, Attr(Unknown("%s rotates a secret that cannot be known" % rot.address), rot.location, False), None))
        else:
            out.append(SecretRotation(secret, Attr(False, secret.location, False), None))
    return out


__all__ = ["SecretRotation", "secret_rotations"]
