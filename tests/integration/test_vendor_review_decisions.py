"""A vendor's own human review that clears or confirms a flagged result is published on the
decision topic like a reviewer's decision (`decided_by: vendor_review`), once: Shumei's machine
result and then its human review, through the real callback routes, the table's real stream
reaching DecisionFunction."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness import TABLE
from helpers import callback_event, event_json
from inprocess.apigw import FakeLambdaContext
from integration.review_setup import Desk
from media_callbacks import keys
from media_callbacks.alerts import alert_id

MACHINE_REJECT = event_json("shumei/machine-reject")  # flagged
TASK = MACHINE_REJECT["requestId"]


@pytest.fixture
def desk(aws: dict[str, Any]) -> Desk:
    return Desk(aws)


def post(desk: Desk, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = desk.callbacks.lambda_handler(callback_event(path, body), FakeLambdaContext())
    assert response["statusCode"] == 200, response["body"]
    answer: dict[str, Any] = json.loads(response["body"])
    return answer


def review(operation: int) -> dict[str, Any]:
    """Shumei's human review of TASK: operation 1 passes the video, 2 rejects it."""
    body = event_json("shumei/review-pass")
    body["result"] = {**body["result"], "operation": operation, "description": "人工复审"}
    return body


def messages(desk: Desk) -> list[dict[str, Any]]:
    return [
        {**json.loads(m["Body"]), "attributes": {
            k: v["StringValue"] for k, v in m["MessageAttributes"].items()}}
        for m in desk.received(desk.decisions_url)
    ]  # fmt: skip


def moderation_item(desk: Desk) -> dict[str, Any]:
    key = {k: {"S": v} for k, v in keys.moderation_key("shumei", TASK).items()}
    item: dict[str, Any] = desk.aws["dynamodb"].get_item(TableName=TABLE, Key=key)["Item"]
    return item


@pytest.mark.parametrize(("operation", "decision"), [(1, "clear"), (2, "confirm")])
def test_a_vendors_review_of_a_flagged_result_is_one_decision_message(
    desk: Desk, operation: int, decision: str
) -> None:
    assert post(desk, "/callbacks/shumei", MACHINE_REJECT)["flagged"] is True
    machine = moderation_item(desk)
    desk.deliver_stream()  # the machine result itself decides nothing
    assert messages(desk) == []
    post(desk, "/callbacks/shumei/review", review(operation))
    desk.deliver_stream()
    desk.mapping.deliver(desk.mapping.poll())  # nothing new on a second look
    [sent] = messages(desk)
    assert sent["schema"] == "media-callbacks/moderation-decision/v1"
    assert (sent["vendor"], sent["task_id"], sent["video_id"]) == (
        "shumei", TASK, MACHINE_REJECT["btId"],
    )  # fmt: skip
    assert (sent["decision"], sent["decided_by"], sent["revision"]) == (
        decision,
        "vendor_review",
        2,
    )
    assert sent["reviewer_id"] is None
    assert sent["attributes"] == {
        "vendor": "shumei", "decision": decision, "decided_by": "vendor_review",
    }  # fmt: skip
    # it answers the alert of the flagged revision it reviewed
    pk, sk = machine["pk"]["S"], machine["sk"]["S"]
    assert sent["alert_id"] == alert_id(pk, sk, 1, machine["received_at"]["S"])


def test_a_vendors_review_of_a_result_that_was_not_flagged_decides_nothing(desk: Desk) -> None:
    clean = {**event_json("shumei/machine-pass"), "requestId": TASK}
    assert post(desk, "/callbacks/shumei", clean)["flagged"] is False
    post(desk, "/callbacks/shumei/review", review(2))
    desk.deliver_stream()
    assert messages(desk) == []


def test_a_video_the_vendor_cleared_leaves_the_review_queue(desk: Desk) -> None:
    post(desk, "/callbacks/shumei", MACHINE_REJECT)
    assert [e["task_id"] for e in desk.call("GET", "/review/queue")[1]["items"]] == [TASK]
    post(desk, "/callbacks/shumei/review", review(1))
    assert desk.call("GET", "/review/queue")[1]["items"] == []
    _, view, _ = desk.call("GET", f"/review/tasks/shumei/{TASK}")
    assert view["decided_by"] == "vendor_review"
    assert view["awaiting_decision"] is False
