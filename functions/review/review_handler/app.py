"""ReviewFunction: the review desk's routes (docs/REVIEW.md). Its own function, so that the
callback function's cold start carries none of it. API Gateway's Cognito authorizer has checked
the caller's token; the function checks the group and does the work in review_handler.desk."""

from __future__ import annotations

from media_callbacks import coldstart

coldstart.begin()

import base64
import binascii
from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from media_callbacks.composition import Root
from media_callbacks.keys import MAX_TASK_ID_BYTES
from media_callbacks.observability import logger
from media_callbacks.storage import StorageUnavailable
from media_callbacks.vendors import VENDORS
from review_handler.desk import Problem, Reviewer
from review_handler.page import ASSETS, HTML, asset
from review_handler.requests import DecisionRequest, QueueQuery, groups_of, problems
from review_handler.root import Services, build, settings

config = settings()  # a bad environment fails here, at cold start
root: Root[Services] = Root(lambda: build(config))
app = APIGatewayRestResolver()
NO_STORE = {"Cache-Control": "no-store"}


def _json(status_code: int, body: dict[str, Any]) -> Response[Any]:
    return Response(
        status_code=status_code, content_type=content_types.APPLICATION_JSON, body=body,
        headers=NO_STORE,
    )  # fmt: skip


@app.exception_handler(Problem)  # type: ignore[untyped-decorator]
def _problem(exc: Problem) -> Response[Any]:
    return _json(exc.status, exc.body)


@app.exception_handler(StorageUnavailable)  # type: ignore[untyped-decorator]
def _unavailable(exc: Exception) -> Response[Any]:
    logger.error("the table is unavailable", extra={"error": str(exc)})
    return _json(503, {"status": "retry", "error": "the table did not answer; try again"})


def reviewer() -> Reviewer:
    """The caller, from the claims of the token API Gateway's authorizer verified; Problem 403
    unless the caller is in the reviewers group."""
    context = app.current_event.raw_event.get("requestContext") or {}
    claims = (context.get("authorizer") or {}).get("claims") or {}
    if not claims.get("sub") or config.reviewer_group not in groups_of(
        claims.get("cognito:groups")
    ):
        error = (
            f"reviewers only: the caller is not in the user pool's group {config.reviewer_group}"
        )
        raise Problem(403, {"status": "forbidden", "error": error})
    return Reviewer(str(claims["sub"]), claims.get("email"))


def _task(vendor: str, task_id: str) -> tuple[str, str]:
    vendor, task_id = unquote(vendor), unquote(task_id)  # REST API path parameters arrive encoded
    if vendor not in VENDORS:
        raise Problem(
            404, {"status": "not_found", "error": f"vendor: use one of {', '.join(VENDORS)}"}
        )
    if len(task_id.encode()) > MAX_TASK_ID_BYTES:
        raise Problem(
            400, {"status": "rejected", "error": f"task_id: longer than {MAX_TASK_ID_BYTES} bytes"}
        )
    return vendor, task_id


@app.get("/review")
def page() -> Response[Any]:
    services = root.get()
    return Response(status_code=200, body=services.page.html(), headers=services.page.headers(HTML))


@app.get("/review/app.js")
def script() -> Response[Any]:
    return _asset("app.js")


@app.get("/review/app.css")
def style() -> Response[Any]:
    return _asset("app.css")


def _asset(name: str) -> Response[Any]:
    headers = root.get().page.headers(ASSETS[name])
    return Response(status_code=200, body=asset(name), headers=headers)


@app.get("/review/queue")
def queue() -> Response[Any]:
    reviewer()
    params = app.current_event.query_string_parameters or {}
    try:
        query = QueueQuery.model_validate(params)
    except ValidationError as exc:
        return _json(400, {"status": "rejected", "error": problems(exc)})
    return _json(200, root.get().desk.queue(query))


@app.get("/review/tasks/<vendor>/<task_id>")
def task(vendor: str, task_id: str) -> Response[Any]:
    reviewer()
    return _json(200, root.get().desk.task(*_task(vendor, task_id)))


@app.post("/review/tasks/<vendor>/<task_id>/claim")
def claim(vendor: str, task_id: str) -> Response[Any]:
    who = reviewer()
    return _json(200, root.get().desk.claim(who, *_task(vendor, task_id)))


def _body() -> bytes:
    """The request body's bytes as sent (the API hands every body over as base64): pydantic
    then says what is wrong with them, invalid UTF-8 included."""
    raw = app.current_event.raw_event
    body = raw.get("body") or ""
    if raw.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error:
            return b"\xff"  # not base64: as unreadable as invalid UTF-8
    return str(body).encode("utf-8", "surrogatepass")


@app.post("/review/tasks/<vendor>/<task_id>/decision")
def decision(vendor: str, task_id: str) -> Response[Any]:
    who = reviewer()
    found = _task(vendor, task_id)
    try:
        request = DecisionRequest.model_validate_json(_body())
    except ValidationError as exc:
        return _json(400, {"status": "rejected", "error": problems(exc)})
    answer = root.get().desk.decide(who, *found, request)
    logger.info(
        f"decision {answer['decision']['decision']} {found[0]} task {found[1]}",
        extra={"status": answer["status"], "decision_id": answer["decision"]["decision_id"],
               "reviewer_id": who.user_id},
    )  # fmt: skip
    return _json(200, answer)


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False
)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


coldstart.end()
