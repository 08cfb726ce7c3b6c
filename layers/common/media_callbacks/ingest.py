"""One callback, from raw body to stored item and answer. Knows nothing of API Gateway."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from media_callbacks.normalise import RejectedPayload, check_route, normalise
from media_callbacks.observability import count as count_metric
from media_callbacks.observability import logger
from media_callbacks.results import CallbackResult
from media_callbacks.storage import ItemRefused, ResultStore, StorageUnavailable
from media_callbacks.thresholds import Level

TOKEN_QUERY = "token"  # noqa: S105 (a parameter name, not a secret)
TOKEN_HEADER = "x-callback-token"  # noqa: S105


def utc_now() -> str:
    """UTC ISO-8601 with microseconds and a Z, so that text order is time order."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def without_token(pairs: dict[str, Any] | None, token_key: str) -> dict[str, Any]:
    return {k: v for k, v in (pairs or {}).items() if k.lower() != token_key}


@dataclass(frozen=True)
class Delivery:
    """A callback as it arrived; headers and query never hold the token."""

    route: str
    vendor: str
    kind: str | None
    body: bytes
    received_at: str
    request_id: str
    content_type: str | None = None
    source_ip: str | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: dict[str, Any]


def canonical_sha256(data: Any) -> str:
    """Hash of the parsed JSON: key order and whitespace do not change it."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


KNOWN_KINDS = ("transcode", "snapshot", "slice", "moderation", "event")


def count(vendor: str, kind: str | None, outcome: str) -> None:
    """One `Callbacks` metric per callback, by vendor, kind and outcome."""
    known = kind if kind in KNOWN_KINDS else "unknown"
    count_metric("Callbacks", Vendor=vendor, Kind=known, Outcome=outcome)


class Fallback(Protocol):
    """Where a callback goes when the table does not answer (the retry queue)."""

    def put(self, delivery: Delivery) -> str: ...


class Ingestor:
    def __init__(
        self, store: ResultStore, thresholds: dict[str, Level], fallback: Fallback | None = None
    ) -> None:
        self.store = store
        self.thresholds = thresholds
        self.fallback = fallback

    def ingest(self, delivery: Delivery, *, keep_rejected: bool = True) -> Answer:
        """Store the callback; a body that cannot be stored is kept as a rejected item, unless
        `keep_rejected` is false (a replay of a body that is already kept). When the table does
        not answer, the request goes to the fallback queue (202), or StorageUnavailable rises."""
        try:
            return self._ingest(delivery, keep_rejected)
        except StorageUnavailable:
            if self.fallback is None:
                raise
            message_id = self.fallback.put(delivery)  # QueueUnavailable: nothing was written
        count(delivery.vendor, delivery.kind, "queued")
        logger.warning(
            f"table unavailable: {delivery.route} queued for retry",
            extra={"outcome": "queued", "message_id": message_id},
        )
        return Answer(
            202,
            {
                "status": "queued",
                "vendor": delivery.vendor,
                "kind": delivery.kind,
                "request_id": delivery.request_id,
            },
        )

    def parse(self, delivery: Delivery) -> tuple[Any, CallbackResult]:
        """The route's kind, the body's JSON and its normalised result; RejectedPayload if not."""
        check_route(delivery.vendor, delivery.kind)
        data = self._json(delivery.body)
        return data, normalise(delivery.vendor, delivery.kind, data, self.thresholds)

    def _ingest(self, delivery: Delivery, keep_rejected: bool) -> Answer:
        try:
            data, result = self.parse(delivery)
        except RejectedPayload as exc:
            if not keep_rejected:
                return Answer(400, {"status": "rejected", "error": exc.error})
            return self.reject(delivery, exc.error, exc.kind or delivery.kind)
        except Exception as exc:  # a parser bug must not lose the body: keep it for replay
            logger.exception("unexpected error while parsing a callback")
            if not keep_rejected:
                raise
            answer = self.reject(
                delivery, f"internal error while parsing ({type(exc).__name__})", delivery.kind
            )
            return Answer(500, {**answer.body, "status": "error"})
        payload = delivery.body.decode("utf-8-sig")
        try:
            outcome = self.store.put_result(
                result,
                payload=payload,
                payload_sha256=canonical_sha256(data),
                received_at=delivery.received_at,
                request_id=delivery.request_id,
            )
        except ItemRefused as exc:
            if not keep_rejected:
                return Answer(400, {"status": "rejected", "error": f"the table refused it: {exc}"})
            return self.reject(delivery, f"the table refused the result: {exc}", result.kind)
        count(result.vendor, result.kind, outcome.status)
        logger.info(
            f"{outcome.status} {result.vendor} {result.kind} task {result.task_id}",
            extra={
                "outcome": outcome.status,
                "vendor": result.vendor,
                "kind": result.kind,
                "task_id": result.task_id,
                "status": result.status,
                "flagged": result.flagged,
            },
        )
        return Answer(
            200,
            {
                "status": outcome.status,
                "vendor": result.vendor,
                "kind": result.kind,
                "task_id": result.task_id,
                "flagged": result.flagged,
            },
        )

    @staticmethod
    def _json(body: bytes) -> Any:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RejectedPayload(f"body: not valid UTF-8 (byte {exc.start})") from None
        if not text.strip():
            raise RejectedPayload("body: empty; expected a JSON object")
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise RejectedPayload(
                f"body: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            ) from None

    def reject(self, delivery: Delivery, error: str, kind: str | None) -> Answer:
        """Store the body as received and answer 400 with the rejection's id."""
        rejection_id = f"{delivery.received_at}#{delivery.request_id}"
        try:
            body, encoding = delivery.body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            body, encoding = base64.b64encode(delivery.body).decode(), "base64"
        self.store.put_rejected(
            {
                "pk": f"REJECTED#{delivery.received_at[:10]}",
                "sk": rejection_id,
                "rejection_id": rejection_id,
                "route": delivery.route,
                "vendor": delivery.vendor,
                "kind": kind,
                "error": error,
                "body": body,
                "body_encoding": encoding,
                "content_type": delivery.content_type,
                "source_ip": delivery.source_ip,
                "headers": delivery.headers,
                "query": delivery.query,
                "received_at": delivery.received_at,
                "request_id": delivery.request_id,
            }
        )
        count(delivery.vendor, kind, "rejected")
        logger.warning(
            f"rejected {delivery.route}: {error}",
            extra={"outcome": "rejected", "rejection_id": rejection_id, "error": error},
        )
        return Answer(400, {"status": "rejected", "error": error, "rejection_id": rejection_id})
