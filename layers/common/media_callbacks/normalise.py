"""Vendor payload -> CallbackResult: the route checked against the registry, then the vendor's
own adapter (media_callbacks.vendors) parses and normalises."""

from __future__ import annotations

from typing import Any

from media_callbacks.errors import RejectedPayload
from media_callbacks.results import CallbackResult
from media_callbacks.thresholds import Level
from media_callbacks.vendors import adapter, vendor


def check_route(vendor_id: str, kind: str | None) -> None:
    """The route's vendor and kind, checked before the body is read."""
    found = vendor(vendor_id)
    if found is None:
        raise RejectedPayload(f"vendor: unknown vendor {vendor_id[:40]!r}")
    if kind is None and not found.bare_route:
        routes = " or ".join(f"/callbacks/{found.id}/{k}" for k in found.route_kinds)
        raise RejectedPayload(f"kind: {found.name} callbacks need a kind in the path: {routes}")
    if kind is not None and kind not in found.route_kinds:
        if not found.route_kinds:
            raise RejectedPayload(f"kind: {found.name} callbacks take no kind in the path")
        raise RejectedPayload(
            f"kind: unknown {found.name} kind {kind[:40]!r}; "
            f"use one of {', '.join(found.route_kinds)}"
        )


def normalise(
    vendor_id: str, kind: str | None, data: Any, thresholds: dict[str, Level]
) -> CallbackResult:
    check_route(vendor_id, kind)
    if not isinstance(data, dict):
        raise RejectedPayload(f"body: expected a JSON object, got {type(data).__name__}")
    result: CallbackResult = adapter(vendor_id).normalise(kind, data, thresholds)
    return result
