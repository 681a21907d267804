"""How EC2 capacity is launched (issue 13, slice infra_a): instances, launch templates and
launch configurations, with the public IP they ask for and their instance metadata options.

Kind "instance_launch", one fact per `aws_instance`, `aws_launch_template`,
`aws_launch_configuration`, `AWS::EC2::Instance`, `AWS::EC2::LaunchTemplate` and
`AWS::AutoScaling::LaunchConfiguration`:

- `public_ip`: True when the resource asks for a public IPv4 address
  (`associate_public_ip_address`, `AssociatePublicIpAddress`, on the resource or on any of its
  network interfaces), False when it declines or leaves it to the subnet (not set: the subnet's
  `map_public_ip_on_launch` decides, which the subnet facts answer), or Unknown.
- `http_tokens`: "required" or "optional" (IMDSv1 allowed), or Unknown. Left out, EC2 uses the
  account's default for the region where the scan declares one
  (`aws_ec2_instance_metadata_defaults`, in the same root module or stack), else "optional": the EC2 API's default when neither the
  AMI (ImdsSupport v2.0) nor the account asks for IMDSv2, which the source does not show. An
  instance launched from a launch template that leaves it out takes the template's answer
  (`from_template` True: the template is a fact of its own).
- `http_endpoint`: "enabled" (the default) or "disabled", or Unknown.

`AWS::EC2::Instance` has no metadata options property: such an instance gets them from a launch
template (`LaunchTemplate`) or from the defaults.
"""
from __future__ import annotations

from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from iacguard.core.model import Location, Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown
from .common import Attr, managed

_TF_TYPES = ("aws_instance", "aws_launch_template", "aws_launch_configuration")
_CFN_TYPES = ("AWS::EC2::Instance", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration")
_DEFAULTS = "aws_ec2_instance_metadata_defaults"


@dataclass(frozen=True, slots=True)
class InstanceLaunch:
    """How an instance or launch template starts: public IP and instance metadata settings."""

    resource: Resource
    public_ip: Attr
    http_tokens: Attr
    http_endpoint: Attr
    from_template: bool  # an instance launched from a launch template that decides its metadata options


def _get(res: Resource, path: tuple) -> Any:
    """The value at `path`, None when a step is missing, or the first Unknown met on the way
    (a whole block or list that is not known leaves what it holds unknown)."""
    cur: Any = res.properties
    for step in path:
        if is_unknown(cur):
            return cur
        if isinstance(cur, dict):
            cur = cur.get(step)
        elif isinstance(cur, list) and isinstance(step, int) and -len(cur) <= step < len(cur):
            cur = cur[step]
        else:
            return None
        if cur is None:
            return None
    return cur


def _word(raw: Any, choices: tuple, what: str) -> Any:
    if is_unknown(raw):
        return raw
    text = str(raw).strip().lower()
    return text if text in choices else Unknown("%s: unexpected value %r" % (what, raw))


def _public_ip(res: Resource, candidates: list) -> Attr:
    """The first True of the candidate paths, else the first Unknown, else False (explicit when
    any candidate is set)."""
    unknown = None
    explicit = None
    for path in candidates:
        raw = _get(res, path)
        if raw is None:
            continue
        value = as_bool(raw)
        loc = res.location_of(*path)
        if value is True:
            return Attr(True, loc, True)
        if is_unknown(value) and unknown is None:
            unknown = Attr(value, loc, True)
        if explicit is None:
            explicit = Attr(False, loc, True)
    return unknown or explicit or Attr(False, res.location, False)


def _interfaces(res: Resource, path: tuple, key: str) -> list:
    items = _get(res, path)
    if is_unknown(items):
        return [path]  # the interfaces are not known: _public_ip reads the Unknown
    if not isinstance(items, list):
        return []
    return [path + (i, key) for i, item in enumerate(items) if isinstance(item, dict)]


def _account_defaults(graph: ResourceGraph) -> dict:
    """Root -> the account's metadata default declared in that root (module or stack), as an
    Attr ("required", "optional", Unknown); roots that declare none, or no preference, are absent.
    A root is one deployment: a default declared in another root may be another account's."""
    out: dict = {}
    for res in managed(graph, _DEFAULTS):
        raw = res.get("http_tokens", default=None)
        if raw is None:
            continue
        value = _word(raw, ("required", "optional", "no-preference"), "http_tokens")
        if value == "no-preference":
            continue
        out.setdefault(graph.root_of(res), Attr(value, res.location_of("http_tokens"), True))
    return out


def _tokens(res: Resource, path: tuple | None, account: Attr | None, template: bool) -> tuple:
    """(http_tokens Attr, from_template)."""
    raw = _get(res, path) if path else None
    if raw is not None:
        return Attr(_word(raw, ("required", "optional"), "http_tokens"), res.location_of(*path), True), False
    if template:
        return Attr(Unknown("decided by the launch template"), res.location, False), True
    if account is not None:
        return Attr(account.value, account.location, False), False
    return Attr("optional", res.location, False), False


def _endpoint(res: Resource, path: tuple | None) -> Attr:
    raw = _get(res, path) if path else None
    if raw is None:
        return Attr("enabled", res.location, False)
    return Attr(_word(raw, ("enabled", "disabled"), "http_endpoint"), res.location_of(*path), True)


def instance_launches(graph: ResourceGraph) -> list:
    defaults = _account_defaults(graph)
    out = []
    for res in managed(graph, *_TF_TYPES):
        account = defaults.get(graph.root_of(res)) if defaults else None
        if res.type == "aws_launch_template":
            ip = _public_ip(res, _interfaces(res, ("network_interfaces",), "associate_public_ip_address"))
        else:
            ip = _public_ip(res, [("associate_public_ip_address",)])
        template = res.type == "aws_instance" and bool(res.blocks("launch_template"))
        tokens, from_template = _tokens(res, ("metadata_options", 0, "http_tokens"), account, template)
        out.append(InstanceLaunch(res, ip, tokens, _endpoint(res, ("metadata_options", 0, "http_endpoint")), from_template))
    for res in managed(graph, *_CFN_TYPES):
        account = defaults.get(graph.root_of(res)) if defaults else None
        if res.type == "AWS::EC2::Instance":
            ip = _public_ip(res, _interfaces(res, ("NetworkInterfaces",), "AssociatePublicIpAddress"))
            template = res.get("LaunchTemplate", default=None) is not None
            tokens, from_template = _tokens(res, None, account, template)
            endpoint = _endpoint(res, None)
        elif res.type == "AWS::EC2::LaunchTemplate":
            ip = _public_ip(res, _interfaces(res, ("LaunchTemplateData", "NetworkInterfaces"), "AssociatePublicIpAddress"))
            tokens, from_template = _tokens(res, ("LaunchTemplateData", "MetadataOptions", "HttpTokens"), account, False)
            endpoint = _endpoint(res, ("LaunchTemplateData", "MetadataOptions", "HttpEndpoint"))
        else:
            ip = _public_ip(res, [("AssociatePublicIpAddress",)])
            tokens, from_template = _tokens(res, ("MetadataOptions", "HttpTokens"), account, False)
            endpoint = _endpoint(res, ("MetadataOptions", "HttpEndpoint"))
        out.append(InstanceLaunch(res, ip, tokens, endpoint, from_template))
    return out
