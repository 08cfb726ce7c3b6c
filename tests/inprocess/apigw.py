"""API Gateway REST proxy events, as the deployed API would build them.

Used by the local HTTP front and by the tests, so both feed the handler the same shape.
"""

from __future__ import annotations

import base64
import time
import uuid
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from media_callbacks.vendors import VENDORS

STAGE = "v1"


@cache
def resources() -> tuple[tuple[str, ...], ...]:
    """The template's resources: every vendor's callback routes (each adapter declares its own,
    so they are read on first use: importing this module loads no adapter), the task look-up
    and health."""
    return (
        *(tuple(path.strip("/").split("/")) for v in VENDORS.values() for path in v.paths),
        ("tasks", "{vendor}", "{task_id}"),
        ("health",),
    )


def match_resource(path: str) -> tuple[str, dict[str, str]] | None:
    """(resource path, path parameters) of the template's resource that serves `path`."""
    parts = path.strip("/").split("/")
    for resource in resources():
        if len(resource) != len(parts):
            continue
        params: dict[str, str] = {}
        for want, got in zip(resource, parts, strict=True):
            if want.startswith("{"):
                if not got:
                    break
                params[want[1:-1]] = got
            elif want != got:
                break
        else:
            return "/" + "/".join(resource), params
    return None


def proxy_event(
    method: str,
    path: str,
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    source_ip: str = "127.0.0.1",
    request_id: str | None = None,
    stage_variables: dict[str, str] | None = None,
    domain_name: str | None = None,
) -> dict[str, Any]:
    """A REST API (v1) Lambda proxy event; the body is base64, as with BinaryMediaTypes */*."""
    headers = dict(headers or {})
    pairs = parse_qsl(query, keep_blank_values=True)
    multi_query: dict[str, list[str]] = {}
    for key, value in pairs:
        multi_query.setdefault(key, []).append(value)
    matched = match_resource(path)
    resource, params = matched if matched else (path, {})
    request_id = request_id or str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers or None,
        "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": params or None,
        "stageVariables": stage_variables or None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "requestId": request_id,
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent")},
            "protocol": "HTTP/1.1",
            **({"domainName": domain_name} if domain_name else {}),
        },
        "body": base64.b64encode(body).decode() if body is not None else None,
        "isBase64Encoded": body is not None,
    }


class FakeLambdaContext:
    """The attributes Powertools reads from a Lambda context."""

    function_name = "CallbackFunction"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:CallbackFunction"

    def __init__(self, function_name: str = "CallbackFunction") -> None:
        self.function_name = function_name
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        )

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000
