"""The table's result keys as a vendor meets them: each event type of a video is a result."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import Invoke, scan
from helpers import callback_event, event_json
from inprocess.apigw import proxy_event


def results(aws: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in scan(aws["dynamodb"]) if i["pk"].startswith("TASK#")]


def rejected(aws: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in scan(aws["dynamodb"]) if i["pk"].startswith("REJECTED#")]


# --- item 7: each event type is a result of its own -------------------------------------------


def volcengine(name: str, vid: str = "v02a1b2c3d4e5f") -> dict[str, Any]:
    body = event_json(f"volcengine/{name}")
    body["Data"]["Vid"] = vid
    return body


def test_a_failed_workflow_after_an_uploaded_file_of_the_same_video_is_stored(
    invoke: Invoke, aws: Any
) -> None:
    upload = volcengine("file-upload-complete")
    failed = volcengine("workflow-failed")
    assert invoke(callback_event("/callbacks/volcengine", upload))[1]["status"] == "stored"
    status, answer = invoke(callback_event("/callbacks/volcengine", failed))
    assert (status, answer["status"], answer["task_id"]) == (200, "stored", "v02a1b2c3d4e5f")
    by_event = {i["result"]["event_type"]: i for i in results(aws)}
    assert set(by_event) == {"FileUploadComplete", "WorkflowComplete"}
    assert by_event["FileUploadComplete"]["status"] == "succeeded"
    assert by_event["WorkflowComplete"]["status"] == "failed"
    assert by_event["WorkflowComplete"]["sk"] == "RESULT#event#WorkflowComplete"
    assert by_event["FileUploadComplete"]["revision"] == 1  # not overwritten


def test_get_tasks_lists_every_event_of_the_video(invoke: Invoke, aws: Any) -> None:
    invoke(callback_event("/callbacks/volcengine", volcengine("file-upload-complete")))
    invoke(callback_event("/callbacks/volcengine", volcengine("workflow-failed")))
    status, answer = invoke(proxy_event("GET", "/tasks/volcengine/v02a1b2c3d4e5f"))
    assert status == 200
    assert sorted(r["result"]["event_type"] for r in answer["results"]) == [
        "FileUploadComplete",
        "WorkflowComplete",
    ]


def test_a_failed_event_after_a_succeeded_one_of_the_same_type_is_still_ignored(
    invoke: Invoke, aws: Any
) -> None:
    invoke(callback_event("/callbacks/volcengine", volcengine("workflow-complete")))
    status, answer = invoke(callback_event("/callbacks/volcengine", volcengine("workflow-failed")))
    assert (status, answer["status"]) == (200, "ignored")
    [item] = results(aws)
    assert item["status"] == "succeeded"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/callbacks/tencent", {"EventType": "FileUpload", "FileUploadEvent": {"FileId": "f1"}}),
        ("/callbacks/alibaba", {"EventType": "FileUploadComplete", "VideoId": "f1"}),
        ("/callbacks/ctyun", {"eventType": "VideoUploadComplete", "taskId": "f1"}),
    ],
)
def test_other_vendors_keep_each_event_type_apart(
    invoke: Invoke, aws: Any, path: str, body: dict[str, Any]
) -> None:
    type_key = "eventType" if "eventType" in body else "EventType"
    other = json.loads(json.dumps(body).replace(body[type_key], "SomethingElse"))
    for payload in (body, other):
        assert invoke(callback_event(path, payload))[1]["status"] == "stored"
    assert {i["sk"] for i in results(aws)} == {
        f"RESULT#event#{body[type_key]}",
        "RESULT#event#SomethingElse",
    }


def test_a_huge_event_type_still_makes_a_sort_key_the_table_takes(invoke: Invoke, aws: Any) -> None:
    body = volcengine("file-upload-complete") | {"EventType": "事件#" * 400}  # 1600 bytes
    status, answer = invoke(callback_event("/callbacks/volcengine", body))
    assert (status, answer["status"]) == (200, "stored")
    [item] = results(aws)
    assert item["sk"].startswith("RESULT#event#sha256-")
    assert item["result"]["event_type"] == "事件#" * 400


@given(st.text(min_size=1, max_size=600), st.text(min_size=1, max_size=600))
def test_any_event_type_gives_a_sort_key_that_fits_and_is_its_own(first: str, second: str) -> None:
    from media_callbacks.keys import result_sk

    keys = [result_sk("event", first), result_sk("event", second)]
    for key in keys:
        assert key.startswith("RESULT#event#")
        assert len(key.encode("utf-8", "surrogatepass")) <= 1024
    assert (keys[0] == keys[1]) == (first == second)
