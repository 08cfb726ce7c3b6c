"""Fixtures on disk and event factories shared by the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from inprocess.apigw import proxy_event

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
TOKEN = "test-token-0123456789"


def event_bytes(name: str) -> bytes:
    """The raw body of events/<name>.json, exactly as a vendor would send it."""
    return (EVENTS / f"{name}.json").read_bytes()


def sent_body(name: str) -> bytes:
    """The body a vendor posts for events/<vendor>/<event>.json (`name` = "<vendor>/<event>"):
    the file's bytes, or, for a sender that posts a form, a form with the file's JSON written
    compactly in its field (as the sheets' worked signature examples have it); not yet signed."""
    from media_callbacks.vendors import VENDORS

    vendor = VENDORS[name.split("/", maxsplit=1)[0]]
    if not vendor.form_field:
        return event_bytes(name)
    return vendor.body_of(compact(event_json(name)).encode())


def compact(data: Any) -> str:
    """JSON as senders write it inside a form field: no spaces, UTF-8 as is."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def event_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(event_bytes(name))
    return data


def callback_event(
    path: str,
    body: bytes | str | dict[str, Any] | None,
    *,
    token: str | None = TOKEN,
    via: str = "query",
    headers: dict[str, str] | None = None,
    query: str = "",
    stage_variables: dict[str, str] | None = None,
    domain_name: str | None = None,
) -> dict[str, Any]:
    """A POST as API Gateway hands it to CallbackFunction."""
    if isinstance(body, dict):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    headers = {"Content-Type": "application/json", **(headers or {})}
    if token is not None and via == "header":
        headers["X-Callback-Token"] = token
    if token is not None and via == "query":
        query = f"token={token}" + (f"&{query}" if query else "")
    return proxy_event(
        "POST",
        path,
        query=query,
        headers=headers,
        body=body,
        stage_variables=stage_variables,
        domain_name=domain_name,
    )
