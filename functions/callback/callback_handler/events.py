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
from urllib.parse import quote, urlencode

from media_callbacks.signing import SignedRequest

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


def signed_request(event: dict[str, Any], body: bytes) -> SignedRequest:
    """The request as its sender signed it, and the public base URLs it may have used: the
    API's own (`https://<domainName>/<stage>`) and those of the stage variable
    `publicBaseUrls` (the front door's, custom domains')."""
    context = event.get("requestContext") or {}
    bases = []
    if isinstance(context, dict) and context.get("domainName") and context.get("stage"):
        bases.append(f"https://{context['domainName']}/{context['stage']}")
    variables = event.get("stageVariables") or {}
    configured = variables.get("publicBaseUrls") if isinstance(variables, dict) else None
    if isinstance(configured, str):
        bases += [u.strip() for u in configured.split(",") if u.strip().startswith("http")]
    headers = event.get("headers") or {}
    return SignedRequest(
        method=str(event.get("httpMethod") or "POST"),
        path=str(event.get("path") or ""),
        query=raw_query(event.get("multiValueQueryStringParameters")),
        headers={str(k).lower(): v for k, v in headers.items() if isinstance(v, str)},
        body=body,
        base_urls=tuple(bases),
    )


def raw_query(pairs: Any) -> str:
    """The query string as the sender most likely wrote it (API Gateway's REST events give
    parameters, not the raw string): each value percent-encoded, in the order received."""
    if not isinstance(pairs, dict):
        return ""
    items = [(k, v) for k, values in pairs.items() for v in (values or []) if isinstance(v, str)]
    return urlencode(items, quote_via=quote, safe="")


def header(headers: dict[str, Any], name: str) -> str | None:
    """A header's value by its lower-case name (API Gateway keeps the sender's case)."""
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name and isinstance(value, str):
            return value
    return None


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
    """The event with every copy of the token replaced, for POWERTOOLS_LOGGER_LOG_EVENT."""
    import copy  # only with POWERTOOLS_LOGGER_LOG_EVENT

    safe = copy.deepcopy(event)
    for name, key in (
        ("queryStringParameters", TOKEN_QUERY),
        ("multiValueQueryStringParameters", TOKEN_QUERY),
        ("headers", TOKEN_HEADER),
        ("multiValueHeaders", TOKEN_HEADER),
    ):
        pairs = safe.get(name)
        if isinstance(pairs, dict):
            for k in pairs:
                if str(k).lower() == key:
                    pairs[k] = REDACTED
    return safe
