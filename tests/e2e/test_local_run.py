"""The local run, as a vendor and an operator meet it: HTTP in, AWS APIs to read back."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from helpers import event_bytes
from media_callbacks.items import from_dynamodb
from media_callbacks.keys import result_key
from media_callbacks.storage import readable
from media_callbacks.vendors import VENDORS

from .conftest import TOKEN, LocalRun, unique

pytestmark = pytest.mark.e2e


def get_item(
    run: LocalRun, vendor: str, task_id: str, kind: str, event_type: str | None = None
) -> dict[str, Any]:
    key = result_key(vendor, task_id, kind, event_type)
    item = run.client("dynamodb").get_item(
        TableName=run.table, Key={k: {"S": v} for k, v in key.items()}
    )
    assert "Item" in item, f"no item for {vendor} {task_id} {kind}"
    return from_dynamodb(item["Item"])


@pytest.mark.parametrize(
    ("path", "name", "vendor", "kind", "flagged"),
    [
        ("/callbacks/umedia/transcode", "umedia/transcode", "umedia", "transcode", False),
        ("/callbacks/umedia/snapshot", "umedia/snapshot", "umedia", "snapshot", False),
        ("/callbacks/umedia/slice", "umedia/slice", "umedia", "slice", False),
        ("/callbacks/umedia/moderation", "umedia/moderation", "umedia", "moderation", True),
        ("/callbacks/umedia", "umedia/transcode-sloppy", "umedia", "transcode", False),
        ("/callbacks/umedia", "umedia/moderation-mixed", "umedia", "moderation", True),
        ("/callbacks/ctyun", "ctyun/ai-content-review", "ctyun", "moderation", True),
        ("/callbacks/ctyun", "ctyun/other-event", "ctyun", "event", False),
        ("/callbacks/ctyun", "ctyun/transcode-complete", "ctyun", "transcode", False),
        ("/callbacks/ctyun", "ctyun/snapshot-complete", "ctyun", "snapshot", False),
        ("/callbacks/aliyun-green", "aliyun-green/scan-porn", "aliyun-green", "moderation", True),
        ("/callbacks/aliyun-green", "aliyun-green/scan-sloppy", "aliyun-green", "moderation", True),
        (
            "/callbacks/aliyun-green",
            "aliyun-green/scan-failed",
            "aliyun-green",
            "moderation",
            False,
        ),
        (
            "/callbacks/aliyun-green",
            "aliyun-green/review-own-block",
            "aliyun-green",
            "moderation",
            True,
        ),
        ("/callbacks/yidun", "yidun/machine-porn", "yidun", "moderation", True),
        ("/callbacks/yidun", "yidun/machine-sloppy", "yidun", "moderation", True),
        ("/callbacks/yidun", "yidun/failed", "yidun", "moderation", False),
        ("/callbacks/yidun", "yidun/review-block-no-pictures", "yidun", "moderation", True),
        ("/callbacks/shumei", "shumei/machine-reject", "shumei", "moderation", True),
        ("/callbacks/shumei", "shumei/machine-sloppy", "shumei", "moderation", True),
        ("/callbacks/shumei", "shumei/failed", "shumei", "moderation", False),
        ("/callbacks/shumei/review", "shumei/review-reject", "shumei", "moderation", True),
        ("/callbacks/huawei-vod", "huawei-vod/review-complete", "huawei-vod", "moderation", True),
        (
            "/callbacks/huawei-vod",
            "huawei-vod/review-message-envelope",
            "huawei-vod",
            "moderation",
            True,
        ),
        (
            "/callbacks/huawei-vod",
            "huawei-vod/transcode-complete",
            "huawei-vod",
            "transcode",
            False,
        ),
        ("/callbacks/huawei-vod", "huawei-vod/create-complete", "huawei-vod", "event", False),
        (
            "/callbacks/huawei-moderation",
            "huawei-moderation/job-succeeded",
            "huawei-moderation",
            "moderation",
            True,
        ),
        (
            "/callbacks/huawei-moderation",
            "huawei-moderation/job-failed",
            "huawei-moderation",
            "moderation",
            False,
        ),
        ("/callbacks/baidu", "baidu/regulation-complete", "baidu", "moderation", True),
        ("/callbacks/baidu", "baidu/regulation-pass", "baidu", "moderation", False),
        ("/callbacks/baidu", "baidu/media-upload-complete", "baidu", "event", False),
        ("/callbacks/baidu/vcr", "baidu/vcr-finished", "baidu", "moderation", True),
    ],
)
def test_each_route_stores_the_callback(
    local_run: LocalRun, path: str, name: str, vendor: str, kind: str, flagged: bool
) -> None:
    task_id, body = unique(name)
    status, answer = local_run.post(path, body)
    assert status == 200
    assert answer == {
        "status": "stored",
        "vendor": vendor,
        "kind": kind,
        "task_id": task_id,
        "flagged": flagged,
        **VENDORS[vendor].answer_keys(
            path.split("/")[3] if path.count("/") > 2 else None, "stored"
        ),
    }
    data = json.loads(body) if kind == "event" else {}  # form bodies: moderation results
    event_type = data.get("eventType") or data.get("event_type") if kind == "event" else None
    item = readable(get_item(local_run, vendor, task_id, kind, event_type))
    assert item["payload"] == body.decode()  # as sent
    assert item["flagged"] is flagged
    assert TOKEN not in json.dumps(item, default=str)
    assert local_run.post(path, body)[1]["status"] == "duplicate"


@pytest.mark.parametrize(
    ("machine", "review", "path"),
    [("aliyun-green/scan-porn", "aliyun-green/review-human-pass", "/callbacks/aliyun-green"),
     ("yidun/machine-porn", "yidun/review-pass", "/callbacks/yidun"),
     ("shumei/machine-reject", "shumei/review-pass", "/callbacks/shumei")],
)  # fmt: skip
def test_a_vendor_review_clears_its_flagged_machine_result_in_either_order(
    local_run: LocalRun, machine: str, review: str, path: str
) -> None:
    """The machine result, then the vendor's human review that passes it: two revisions, the
    second decided by the vendor's review and no longer flagged, as GET /tasks shows; and a
    review before its machine result is stored too, never ignored."""
    vendor = machine.partition("/")[0]
    review_path = path + ("/review" if vendor == "shumei" else "")
    for order in ((machine, review), (review, machine)):
        task_id = f"e2e-{uuid.uuid4().hex[:12]}"
        for name in order:
            body = unique(name, task_id)[1]
            route = review_path if name == review else path
            status, answer = local_run.post(route, body)
            assert (status, answer["status"]) == (200, "stored"), answer
        status, listing = local_run.signed_get(f"/tasks/{vendor}/{task_id}")
        [current] = listing["results"]
        decided = "vendor_review" if order[-1] == review else "machine"
        assert (current["revision"], current["decided_by"]) == (2, decided)
        assert current["flagged"] is (decided == "machine")


def test_failed_after_succeeded_is_ignored(local_run: LocalRun) -> None:
    task_id, ok = unique("umedia/transcode")
    _, failed = unique("umedia/transcode-failed")
    failed = failed.replace(json.loads(failed)["task_id"].encode(), task_id.encode())
    assert local_run.post("/callbacks/umedia/transcode", ok)[1]["status"] == "stored"
    assert local_run.post("/callbacks/umedia/transcode", failed)[1]["status"] == "ignored"
    assert get_item(local_run, "umedia", task_id, "transcode")["status"] == "succeeded"


def test_rejected_callback_is_kept_raw_and_can_be_found(local_run: LocalRun) -> None:
    body = b'{"retcode": 0, "task_id": "x", "invalid_image_list": [{"rate": 2, "label": 0}]}'
    status, answer = local_run.post("/callbacks/umedia/moderation", body)
    assert status == 400
    assert answer["status"] == "rejected"
    assert "invalid_image_list.0.rate" in answer["error"]
    rejection_id = answer["rejection_id"]
    item = local_run.client("dynamodb").get_item(
        TableName=local_run.table,
        Key={"pk": {"S": f"REJECTED#{rejection_id[:10]}"}, "sk": {"S": rejection_id}},
    )["Item"]
    rejected = from_dynamodb(item)
    assert rejected["body"] == body.decode()
    assert rejected["route"] == "POST /callbacks/umedia/moderation"
    assert "token" not in rejected["query"]


def test_unauthorized_and_too_large(local_run: LocalRun) -> None:
    _, body = unique("umedia/transcode")
    assert local_run.post("/callbacks/umedia/transcode", body, token=None) == (
        401,
        {"status": "unauthorized"},
    )
    assert local_run.post("/callbacks/umedia/transcode", body, token="nope")[0] == 401
    big = b'{"x": "' + b"a" * (300 * 1024) + b'"}'
    assert local_run.post("/callbacks/umedia/transcode", big) == (413, {"status": "too_large"})
    header = {"X-Callback-Token": TOKEN, "Content-Type": "application/json"}
    assert local_run.request("POST", "/callbacks/umedia/transcode", body, header)[0] == 200


def test_tasks_route_answers_an_encoded_task_id_when_signed(local_run: LocalRun) -> None:
    data = json.loads(event_bytes("ctyun/ai-content-review"))
    task_id = f"0003#{uuid.uuid4().hex}/x"
    data["taskId"] = task_id
    assert local_run.post("/callbacks/ctyun", json.dumps(data).encode())[0] == 200
    encoded = task_id.replace("#", "%23").replace("/", "%2F")
    assert local_run.request("GET", f"/tasks/ctyun/{encoded}")[0] == 403  # IAM, as in AWS
    status, answer = local_run.signed_get(f"/tasks/ctyun/{encoded}")
    assert status == 200
    assert answer["task_id"] == task_id
    [result] = answer["results"]
    assert result["moderation"]["categories"] == ["sexy"]
    assert local_run.request("GET", "/health") == (200, {"status": "ok"})


def test_fifty_concurrent_connections_are_served(local_run: LocalRun) -> None:
    bodies = [unique("umedia/slice") for _ in range(50)]
    # the emulator starts a worker per concurrent invocation (about 1 s of CPU each on a cold
    # one, 50 at once on two shared cores): a burst of /health first starts them, so the
    # callbacks meet warm workers, as a steady stream of callbacks would in Lambda
    with ThreadPoolExecutor(max_workers=50) as pool:
        health = list(pool.map(lambda _: local_run.request("GET", "/health", timeout=180), bodies))
    assert {status for status, _ in health} == {200}
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(
            pool.map(lambda b: local_run.post("/callbacks/umedia/slice", b[1], timeout=180), bodies)
        )
    assert [status for status, _ in answers] == [200] * 50
    assert {answer["task_id"] for _, answer in answers} == {task for task, _ in bodies}


def test_the_stack_holds_the_contract_resources(local_run: LocalRun) -> None:
    """The template deployed: the table, the topic with the local subscriber, the retry queue
    with its dead-letter queue, the secret set from CALLBACK_TOKEN."""
    outputs = local_run.outputs
    table = local_run.client("dynamodb").describe_table(TableName=local_run.table)["Table"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {
        "FlaggedIndex",
        "SourceUrlIndex",
    }
    sns = local_run.client("sns")
    topic = outputs["ModerationAlertTopicArn"]
    [subscription] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert subscription["Endpoint"].endswith(":moderation-alerts-local")
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])
    assert attributes["Attributes"]["RawMessageDelivery"] == "true"
    sqs = local_run.client("sqs")
    retry = outputs["IngestRetryQueueUrl"]
    redrive = json.loads(
        sqs.get_queue_attributes(QueueUrl=retry, AttributeNames=["RedrivePolicy"])["Attributes"][
            "RedrivePolicy"
        ]
    )
    dead_letters = sqs.get_queue_attributes(
        QueueUrl=outputs["IngestRetryDeadLetterQueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    assert redrive["deadLetterTargetArn"] == dead_letters
    secret = local_run.client("secretsmanager").get_secret_value(
        SecretId=outputs["CallbackTokenSecretArn"]
    )
    assert secret["SecretString"] == TOKEN


def test_console_prints_a_line_per_callback(local_run: LocalRun) -> None:
    task_id, body = unique("umedia/transcode")
    local_run.post("/callbacks/umedia/transcode", body)
    deadline = time.monotonic() + 15
    lines: list[str] = []
    while time.monotonic() < deadline and not lines:
        lines = [line for line in local_run.output if task_id in line]
        time.sleep(0.1)
    assert lines, "no console line for the callback"
    assert "stored umedia transcode task" in lines[0]
    assert TOKEN not in "".join(local_run.output)
