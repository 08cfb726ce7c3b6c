"""What CallbackFunction reads from an API Gateway REST (payload 1.0) event, defensively.

API Gateway builds these events, but a misconfigured integration (an HTTP API, a test event
from the console) can hand the function anything: each reader here answers a value or a clear
problem, never an exception.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from media_callbacks.signing import Scheme, SignedRequest, queries, signature_header

TOKEN_QUERY = "token"  # noqa: S105 (a parameter name, not a secret)
TOKEN_HEADER = "x-callback-token"  # noqa: S105
REDACTED = "(redacted)"


def unreadable(event: Any) -> str | None:
    """Why `event` is not a REST API proxy event this function can serve, or None."""
    if not isinstance(event, dict):
        return f"event: expected an API Gateway proxy event object, got {type(event).__name__}"
    if event.get("version") == "2.0" or "routeKey" in event:
        return (
            "event: an HTTP API (payload format 2.0) event; this function serves the REST API "
            "(payload format 1.0): deploy it with the template's CallbackApi"
        )
    missing = [k for k in ("httpMethod", "path") if not isinstance(event.get(k), str)]
    if missing:
        return f"event: not an API Gateway REST API proxy event (no {' or '.join(missing)})"
    for name in ("headers", "queryStringParameters", "requestContext"):
        if event.get(name) is not None and not isinstance(event[name], dict):
            return f"event: {name} must be an object"
    if event.get("body") is not None and not isinstance(event["body"], str):
        return "event: body must be a string"
    return None


def bad_event_response(problem: str) -> dict[str, Any]:
    return {
        "statusCode": 400,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"status": "rejected", "error": problem}),
        "isBase64Encoded": False,
    }


def body_bytes(raw: str | None, is_base64: bool) -> tuple[bytes, str | None]:
    """The request body and, when API Gateway's base64 is broken, the reason (the text as
    received is then the body, so it can still be kept)."""
    text = raw or ""
    if not is_base64:
        return text.encode("utf-8", "surrogatepass"), None
    try:
        return base64.b64decode(text, validate=True), None
    except (binascii.Error, ValueError):
        kept = text.encode("utf-8", "surrogatepass")
        return kept, "body: isBase64Encoded is true but the body is not valid base64"


def presented_token(query: dict[str, Any], headers: dict[str, Any]) -> str | None:
    """The token from the query or the header; anything but a non-empty string is no token."""
    for value in (query.get(TOKEN_QUERY), header(headers, TOKEN_HEADER)):
        if isinstance(value, str) and value:
            return value
    return None


def routed(event: dict[str, Any]) -> dict[str, Any]:
    """The event with `path` as the route path. Through a custom domain mapped with a base path,
    API Gateway's `path` carries the base path (`/media/callbacks/...`) while `resource` is
    the route (`/callbacks/{vendor}/{kind}`): the route is the path's last segments, as many as
    the resource has, when its fixed segments match."""
    path = route_path(event)
    return event if path == event["path"] else {**event, "path": path}


def route_path(event: dict[str, Any]) -> str:
    path = str(event.get("path") or "")
    resource = event.get("resource")
    if not isinstance(resource, str) or not resource.startswith("/") or "+}" in resource:
        return path
    want, got = _segments(resource), _segments(path)
    if len(got) <= len(want):
        return path
    tail = got[len(got) - len(want) :]
    fixed = all(w == g for w, g in zip(want, tail, strict=True) if not w.startswith("{"))
    return "/" + "/".join(tail) if fixed else path


def _segments(path: str) -> list[str]:
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []


def presented(event: dict[str, Any], body: bytes, scheme: Scheme) -> SignedRequest:
    """What the request presents to the vendor's scheme: the token, and for a signature scheme
    the request as signed (its query's reconstructions are only worked out for one)."""
    query, headers = event.get("queryStringParameters") or {}, event.get("headers") or {}
    token = presented_token(query, headers)
    if not scheme.signature:
        return SignedRequest("POST", "", "", {}, b"", (), token=token)
    return signed_request(event, body)._replace(token=token)


def signed_request(event: dict[str, Any], body: bytes) -> SignedRequest:
    """The request as its sender signed it (the route path, after the public base URL), and the
    public base URLs it may have used: the one it reached (`https://<domainName>` with the
    stage, or a custom domain's base path) and those of the stage variable `publicBaseUrls`
    (the front door's, custom domains'), each over http and https."""
    path = str(event.get("path") or "")
    headers = event.get("headers") or {}
    candidates = queries(query_pairs(event))
    return SignedRequest(
        method=str(event.get("httpMethod") or "POST"),
        path=path,
        query=candidates[0],
        headers={str(k).lower(): v for k, v in headers.items() if isinstance(v, str)},
        body=body,
        base_urls=tuple(dict.fromkeys(_reached(event, path) + _configured(event))),
        alternatives=candidates[1:],
    )


def _reached(event: dict[str, Any], path: str) -> list[str]:
    """The base URL this request reached: its domain and what precedes the route path in
    `requestContext.path` (the stage on the API's own domain, a custom domain's base path)."""
    context = event.get("requestContext") or {}
    domain = context.get("domainName") if isinstance(context, dict) else None
    if not domain:
        return []
    full = context.get("path")
    route = _segments(path)
    if isinstance(full, str) and len(_segments(full)) >= len(route):
        prefix = _segments(full)[: len(_segments(full)) - len(route)]
        return [f"https://{domain}" + "".join(f"/{part}" for part in prefix)]
    return [f"https://{domain}/{context['stage']}"] if context.get("stage") else []


def _configured(event: dict[str, Any]) -> list[str]:
    """The stage variable's base URLs over both schemes: the front door answers http and https
    (a custom domain only https, so its http form matches nothing a vendor was given)."""
    variables = event.get("stageVariables") or {}
    configured = variables.get("publicBaseUrls") if isinstance(variables, dict) else None
    if not isinstance(configured, str):
        return []
    bases = [u.strip() for u in configured.split(",") if u.strip().startswith("http")]
    rests = [base.split("://", 1)[1] for base in bases if "://" in base]
    return [f"{scheme}://{rest}" for rest in rests for scheme in ("http", "https")]


def query_pairs(event: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The query's parameters as API Gateway hands them: each key with its values in order."""
    multi = event.get("multiValueQueryStringParameters")
    if isinstance(multi, dict):
        return [
            (str(k), [v for v in values if isinstance(v, str)])
            for k, values in multi.items()
            if isinstance(values, list)
        ]
    single = event.get("queryStringParameters")
    if isinstance(single, dict):
        return [(str(k), [v]) for k, v in single.items() if isinstance(v, str)]
    return []


def header(headers: dict[str, Any], name: str) -> str | None:
    """A header's value by its lower-case name (API Gateway keeps the sender's case)."""
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name and isinstance(value, str):
            return value
    return None


def kept_headers(headers: Any) -> dict[str, str]:
    """Headers as text, without the token's header and every vendor's signature headers."""
    if not isinstance(headers, dict):
        return {}
    return {
        str(k): str(v) for k, v in headers.items() if v is not None and not secret_header(str(k))
    }


def secret_header(name: str) -> bool:
    return name.lower() == TOKEN_HEADER or signature_header(name)


def text_pairs(pairs: Any, drop: str) -> dict[str, str]:
    """Headers or query parameters as text, without the token's key (any case)."""
    if not isinstance(pairs, dict):
        return {}
    return {str(k): str(v) for k, v in pairs.items() if str(k).lower() != drop and v is not None}


def source_ip(event: dict[str, Any]) -> str | None:
    identity = (event.get("requestContext") or {}).get("identity")
    value = identity.get("sourceIp") if isinstance(identity, dict) else None
    return value if isinstance(value, str) else None


def redacted(event: dict[str, Any]) -> dict[str, Any]:
    """The event with every copy of the token and of the signature headers replaced, for
    POWERTOOLS_LOGGER_LOG_EVENT."""
    import copy  # only with POWERTOOLS_LOGGER_LOG_EVENT

    safe = copy.deepcopy(event)
    for name, secret in (
        ("queryStringParameters", _token_query),
        ("multiValueQueryStringParameters", _token_query),
        ("headers", secret_header),
        ("multiValueHeaders", secret_header),
    ):
        pairs = safe.get(name)
        if isinstance(pairs, dict):
            for k in pairs:
                if secret(str(k)):
                    pairs[k] = REDACTED
    return safe


def _token_query(name: str) -> bool:
    return name.lower() == TOKEN_QUERY
