"""API Gateway v2 routes (HTTP and WebSocket APIs) as facts: the kind "api_route" (AWS-APIGW-900).

One fact per route resource (`aws_apigatewayv2_route`, `AWS::ApiGatewayV2::Route`):
- `authorization`: the authorization type, lower case ("none", "jwt", "aws_iam", "custom"); left
  out it is NONE (the provider's and CloudFormation's default), Unknown when not known;
- `route_key`: as written ("GET /orders", "$connect", "$default"), or Unknown;
- `protocol`: "http" or "websocket" from the API the route belongs to (its `api_id` / `ApiId`
  refers to an `aws_apigatewayv2_api` / `AWS::ApiGatewayV2::Api` whose `protocol_type` /
  `ProtocolType` says so), else from the route key's shape (`$connect` and `$disconnect` exist
  only in WebSocket APIs, `VERB /path` only in HTTP APIs); Unknown when neither tells;
- `api_key_required`: WebSocket routes may require an API key (left out: false).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (2 ms) at run time
if TYPE_CHECKING:
    from typing import Any

from ..graph import ResourceGraph
from .common import Attr, managed
from iacguard.core.model import Resource
from iacguard.core.unknown import Unknown, as_bool, is_unknown

ROUTE_TYPES = ("aws_apigatewayv2_route", "AWS::ApiGatewayV2::Route")
API_TYPES = ("aws_apigatewayv2_api", "AWS::ApiGatewayV2::Api")
_HTTP_KEY = re.compile(r"^(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+/", re.I)


@dataclass(frozen=True)
class ApiRoute:
    """An API Gateway route or method, and how callers are authorized."""

    resource: Resource
    route_key: Attr
    authorization: Attr
    protocol: Any  # "http" | "websocket" | Unknown
    api_key_required: Attr


def _protocol(graph: ResourceGraph, res: Resource, key: Any) -> Any:
    path = ("api_id",) if res.language == "terraform" else ("ApiId",)
    for api in graph.referenced_at(res, (path,), API_TYPES):
        ptype = api.get("protocol_type" if api.language == "terraform" else "ProtocolType")
        if isinstance(ptype, str):
            return "websocket" if ptype.strip().upper() == "WEBSOCKET" else "http"
        if ptype is None and api.language == "cloudformation" and api.get("Body") is not None:
            return "http"  # an OpenAPI body (SAM's HttpApi) imports an HTTP API
    if isinstance(key, str):
        if key.strip().lower() in ("$connect", "$disconnect"):
            return "websocket"
        if _HTTP_KEY.match(key.strip()):
            return "http"
    return Unknown("the protocol of the API of %s is not known" % res.address)


def api_routes(graph: ResourceGraph) -> list:
    out = []
    for res in managed(graph, *ROUTE_TYPES):
        tf = res.language == "terraform"
        key_path = ("route_key",) if tf else ("RouteKey",)
        auth_path = ("authorization_type",) if tf else ("AuthorizationType",)
        apikey_path = ("api_key_required",) if tf else ("ApiKeyRequired",)
        key = res.get(*key_path)
        raw_auth = res.get(*auth_path)
        if raw_auth is None:
            auth = Attr("none", res.location_of(*key_path) if key is not None else res.location, False)
        elif isinstance(raw_auth, str):
            auth = Attr(raw_auth.strip().lower(), res.location_of(*auth_path), True)
        else:
            auth = Attr(raw_auth if is_unknown(raw_auth) else Unknown("authorization type is not a string"), res.location_of(*auth_path), True)
        raw_key = res.get(*apikey_path)
        apikey = Attr(False, res.location, False) if raw_key is None else Attr(as_bool(raw_key), res.location_of(*apikey_path), True)
        route_key = Attr(key if key is not None else Unknown("route key not set"), res.location_of(*key_path), key is not None)
        out.append(ApiRoute(res, route_key, auth, _protocol(graph, res, key), apikey))
    return out


__all__ = ["ApiRoute", "api_routes"]
