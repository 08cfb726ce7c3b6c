"""CallbackFunction: the REST API. Routes only; the work is in media_callbacks.ingest."""

from __future__ import annotations

from media_callbacks import coldstart

coldstart.begin()

from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from callback_handler import events
from callback_handler.root import Services, build, settings
from media_callbacks import aws
from media_callbacks.auth import SecretUnavailable
from media_callbacks.composition import Root
from media_callbacks.delivery import Delivery, utc_now
from media_callbacks.ingest import Outcome
from media_callbacks.keys import MAX_TASK_ID_BYTES
from media_callbacks.observability import logger
from media_callbacks.retry import QueueUnavailable
from media_callbacks.storage import StorageUnavailable
from media_callbacks.vendors import VENDORS, Adapter, resolve

config = settings()  # a bad environment fails here, at cold start
root: Root[Services] = Root(lambda: build(config))
app = APIGatewayRestResolver()
if aws.snapshotting():  # clients into the snapshot; the token itself is fetched after restore
    _ = root.get().store.client, root.get().verifier.client


def _json(status_code: int, body: dict[str, Any]) -> Response[Any]:
    return Response(status_code=status_code, content_type=content_types.APPLICATION_JSON, body=body)


@app.exception_handler(StorageUnavailable)  # type: ignore[untyped-decorator]
@app.exception_handler(QueueUnavailable)  # type: ignore[untyped-decorator]
@app.exception_handler(SecretUnavailable)  # type: ignore[untyped-decorator]
def _unavailable(exc: Exception) -> Response[Any]:
    logger.error(
        "a dependency is unavailable; asking the caller to retry",
        extra={"outcome": "unavailable", "error": str(exc)},
    )
    return _json(503, {"status": "retry"})


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/callbacks/<vendor>/<kind>")
def vendor_kind(vendor: str, kind: str) -> Response[Any]:
    """A vendor's route with a kind (media_callbacks.vendors says which vendors have them)."""
    return _callback(unquote(vendor), unquote(kind))


@app.post("/callbacks/<vendor>")
def vendor_callback(vendor: str) -> Response[Any]:
    return _callback(unquote(vendor), None)


@app.get("/tasks/<vendor>/<task_id>")
def task(vendor: str, task_id: str) -> Response[Any]:
    if vendor not in VENDORS:
        return _json(
            404, {"status": "not_found", "error": f"vendor: use one of {', '.join(VENDORS)}"}
        )
    task_id = unquote(task_id)  # REST API path parameters arrive percent-encoded
    if len(task_id.encode()) > MAX_TASK_ID_BYTES:
        error = f"task_id: longer than {MAX_TASK_ID_BYTES} bytes"  # what the callbacks accept
        return _json(400, {"status": "rejected", "error": error})
    results = root.get().store.task_results(vendor, task_id)
    return _json(200, {"vendor": vendor, "task_id": task_id, "results": results})


def _callback(vendor_id: str, kind: str | None) -> Response[Any]:
    """Size, then token or signature, then the payload: the contract's order of checks. The
    vendor is resolved once here and carried with the delivery."""
    event = app.current_event
    vendor = resolve(vendor_id)
    if vendor is None:  # API Gateway has no such resource; in-process callers only
        return _json(
            404, {"status": "not_found", "error": f"vendor: use one of {', '.join(VENDORS)}"}
        )
    raw = event.raw_event
    body, body_problem = events.body_bytes(raw.get("body"), bool(raw.get("isBase64Encoded")))
    services = root.get()
    if len(body) > services.config.max_body_bytes:
        logger.warning(
            "callback too large",
            extra={
                "outcome": "too_large",
                "vendor": vendor.id,
                "bytes": len(body),
                "path": event.path,
            },
        )
        return _json(413, {"status": "too_large"})
    sender = vendor.on_route(kind)
    if not services.verifier.authenticate(sender, events.presented(raw, body, sender.auth)):
        logger.warning(
            "callback with a missing or wrong token or signature",
            extra={"outcome": "unauthorized", "vendor": vendor.id, "path": event.path},
        )
        return _json(401, {"status": "unauthorized"})
    headers = raw.get("headers") or {}
    delivery = Delivery(
        route=f"POST {event.path}",
        vendor=vendor.id,
        kind=kind,
        body=body,
        received_at=utc_now(),
        request_id=str((raw.get("requestContext") or {}).get("requestId") or ""),
        content_type=events.header(headers, "content-type"),
        source_ip=events.source_ip(raw),
        headers=events.kept_headers(headers),
        query=events.text_pairs(raw.get("queryStringParameters") or {}, events.TOKEN_QUERY),
    )
    outcome = services.ingestor.ingest(delivery, vendor, problem=body_problem)
    return answer(outcome, vendor, kind)


STATUS_CODES = {"stored": 200, "duplicate": 200, "ignored": 200, "queued": 202, "rejected": 400}


def answer(outcome: Outcome, vendor: Adapter, route_kind: str | None = None) -> Response[Any]:
    """The contract's response for an outcome: its status code and exactly its body's keys, and
    in a 2xx answer what the sender reads there (its adapter says, by the route's kind)."""
    body: dict[str, Any] = {"status": outcome.status}
    if outcome.status == "rejected":
        body |= {"error": outcome.error, "rejection_id": outcome.rejection_id}
    elif outcome.status == "queued":
        body |= {"vendor": outcome.vendor, "kind": outcome.kind, "request_id": outcome.request_id}
    else:
        body |= {
            "vendor": outcome.vendor,
            "kind": outcome.kind,
            "task_id": outcome.task_id,
            "flagged": outcome.flagged,
        }
    status = STATUS_CODES[outcome.status]
    if status < 300:
        body |= vendor.answer_keys(route_kind, outcome.status)
    return _json(status, body)


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False
)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    problem = events.unreadable(event)
    if problem:
        logger.warning(problem)
        return events.bad_event_response(problem)
    if root.get().config.log_event:  # never Powertools' own: the event holds the token
        logger.info(events.redacted(event))
    return app.resolve(events.routed(event), context)  # a custom domain's base path: not a route


coldstart.end()
