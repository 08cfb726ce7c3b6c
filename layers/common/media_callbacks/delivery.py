"""A callback as it arrived, before anything is made of it: what the retry queue carries and a
rejected item keeps."""

from datetime import UTC, datetime
from typing import Any, NamedTuple


def utc_now() -> str:
    """UTC ISO-8601 with microseconds and a Z, so that text order is time order."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class Delivery(NamedTuple):
    """A callback as it arrived; headers and query never hold the token (a NamedTuple: a
    dataclass costs about a millisecond of cold start to build)."""

    route: str
    vendor: str
    kind: str | None
    body: bytes
    received_at: str
    request_id: str
    content_type: str | None = None
    source_ip: str | None = None
    headers: dict[str, Any] = {}  # noqa: RUF012 (never mutated)
    query: dict[str, Any] = {}  # noqa: RUF012
    # The request itself is broken (API Gateway's base64 is not base64): the body is rejected
    # with this error. Part of the delivery, so a queued request keeps it.
    problem: str | None = None
