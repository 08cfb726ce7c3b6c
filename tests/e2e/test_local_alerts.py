"""Alerts on the local run, as a subscriber of the topic sees them in moderation-alerts-local."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from helpers import event_bytes

from .conftest import LocalRun, unique

pytestmark = pytest.mark.e2e


def alerts_until_marker(run: LocalRun, timeout: float = 30) -> dict[str, list[dict[str, Any]]]:
    """Alerts in the local subscriber queue, by task id, up to a marker's alert.

    A flagged marker callback is posted last; the stream is delivered in order, so once the
    marker's alert is in, every alert of the callbacks before it is in too.
    """
    marker, body = moderation_payload("umedia/moderation")
    assert run.post("/callbacks/umedia/moderation", body)[0] == 200
    sqs = run.client("sqs")
    url = sqs.get_queue_url(QueueName="moderation-alerts-local")["QueueUrl"]
    found: dict[str, list[dict[str, Any]]] = {}
    deadline = time.monotonic() + timeout
    while marker not in found:
        assert time.monotonic() < deadline, "the marker's alert never arrived"
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages", [])
        for message in batch:
            found.setdefault(json.loads(message["Body"])["task_id"], []).append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def console_shows(run: LocalRun, text: str, timeout: float = 15) -> bool:
    """Whether the local run prints a line with `text` (read from the functions' logs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in run.output):
            return True
        time.sleep(0.1)
    return False


def moderation_payload(name: str) -> tuple[str, bytes]:
    data = json.loads(event_bytes(name))
    data["task_id"] = f"alert-{uuid.uuid4().hex[:10]}"
    return data["task_id"], json.dumps(data).encode()


def test_porn_detection_example_alerts_once_and_not_again(local_run: LocalRun) -> None:
    task_id, body = moderation_payload("umedia/moderation")
    assert local_run.post("/callbacks/umedia/moderation", body)[1]["flagged"] is True
    [message] = alerts_until_marker(local_run)[task_id]
    alert = json.loads(message["Body"])
    assert alert["schema"] == "media-callbacks/moderation-alert/v1"
    assert (alert["suggestion"], alert["categories"]) == ("block", ["porn"])
    assert alert["table_key"] == {"pk": f"TASK#umedia#{task_id}", "sk": "RESULT#moderation"}
    attributes = message["MessageAttributes"]
    assert attributes["suggestion"]["StringValue"] == "block"
    assert attributes["categories"]["DataType"] == "String.Array"
    assert console_shows(local_run, "ALERT [block] porn 0.99 umedia task " + task_id)

    assert local_run.post("/callbacks/umedia/moderation", body)[1]["status"] == "duplicate"
    assert task_id not in alerts_until_marker(local_run)


def test_a_clean_video_gives_no_alert(local_run: LocalRun) -> None:
    task_id, body = moderation_payload("umedia/moderation-clean")
    assert local_run.post("/callbacks/umedia/moderation", body)[1] == {
        "status": "stored",
        "vendor": "umedia",
        "kind": "moderation",
        "task_id": task_id,
        "flagged": False,
    }
    assert task_id not in alerts_until_marker(local_run)


def test_a_uai_censor_forbid_alerts_end_to_end(local_run: LocalRun) -> None:
    data = json.loads(event_bytes("uai-censor/moderation"))
    data["JobId"] = f"uai-{uuid.uuid4().hex[:10]}"
    status, answer = local_run.post("/callbacks/uai-censor", json.dumps(data).encode())
    assert (status, answer["flagged"], answer["RetCode"]) == (200, True, 0)
    [message] = alerts_until_marker(local_run)[data["JobId"]]
    alert = json.loads(message["Body"])
    assert (alert["vendor"], alert["suggestion"]) == ("uai-censor", "block")
    assert alert["categories"] == ["politics", "porn"]
    assert alert["findings"][0]["image_url"] is None  # the vendor sends frame indexes only


def test_a_tencent_review_block_alerts_end_to_end(local_run: LocalRun) -> None:
    data = json.loads(event_bytes("tencent/review-audio-video-complete"))
    task_id = f"tencent-{uuid.uuid4().hex[:10]}"
    data["ReviewAudioVideoCompleteEvent"]["TaskId"] = task_id
    status, answer = local_run.post("/callbacks/tencent", json.dumps(data).encode())
    assert (status, answer["flagged"]) == (200, True)
    [message] = alerts_until_marker(local_run)[task_id]
    alert = json.loads(message["Body"])
    assert (alert["vendor"], alert["suggestion"], alert["categories"]) == (
        "tencent",
        "block",
        ["porn"],
    )
    assert alert["video_id"] == "5285890812345678901"


@pytest.mark.parametrize(
    ("name", "path", "suggestion", "categories"),
    [("aliyun-green/scan-porn", "/callbacks/aliyun-green", "block", ["porn", "sexy"]),
     ("yidun/machine-porn", "/callbacks/yidun", "block", ["porn"]),
     ("shumei/machine-reject", "/callbacks/shumei", "block", ["porn"]),
     ("shumei/review-reject", "/callbacks/shumei/review", "review", ["others"])],
)  # fmt: skip
def test_a_moderation_specialists_flagged_result_alerts_end_to_end(
    local_run: LocalRun, name: str, path: str, suggestion: str, categories: list[str]
) -> None:
    task_id, body = unique(name)
    assert local_run.post(path, body)[1]["flagged"] is True
    [message] = alerts_until_marker(local_run)[task_id]
    alert = json.loads(message["Body"])
    assert (alert["vendor"], alert["suggestion"]) == (name.partition("/")[0], suggestion)
    assert alert["categories"] == categories
    assert alert["findings"][0]["image_url"]  # each of these senders gives its frames' URLs


@pytest.mark.parametrize(
    ("route", "fixture", "suggestion", "at", "frame"),
    [("/callbacks/huawei-vod", "huawei-vod/review-complete", "block", 12.0, True),
     ("/callbacks/huawei-moderation", "huawei-moderation/job-succeeded", "block", 12.0, False),
     ("/callbacks/baidu", "baidu/regulation-complete", "block", 12.0, True),
     ("/callbacks/baidu/vcr", "baidu/vcr-finished", "review", 0.0, False)],
)  # fmt: skip
def test_a_huawei_or_baidu_porn_finding_alerts_end_to_end(
    local_run: LocalRun, route: str, fixture: str, suggestion: str, at: float, frame: bool
) -> None:
    task_id, body = unique(fixture)
    status, answer = local_run.post(route, body)
    assert (status, answer["flagged"]) == (200, True)
    [message] = alerts_until_marker(local_run)[task_id]
    alert = json.loads(message["Body"])
    assert (alert["vendor"], alert["suggestion"], alert["categories"]) == (
        route.split("/")[2], suggestion, ["porn"],
    )  # fmt: skip
    first = alert["findings"][0]
    assert (first["time"], first["image_url"] is not None) == (at, frame)
