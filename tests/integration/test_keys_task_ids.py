"""Task ids as the table's keys hold them: one limit, in bytes, for every vendor."""

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


CJK_700 = "任" * 700  # 700 characters, 2100 bytes of UTF-8


def test_a_700_character_cjk_umedia_task_id_is_a_clear_400_naming_task_id(
    invoke: Invoke, aws: Any
) -> None:
    fields = event_json("umedia/transcode") | {"task_id": CJK_700}
    body = json.dumps(fields, ensure_ascii=False)
    status, answer = invoke(callback_event("/callbacks/umedia/transcode", body))
    assert (status, answer["status"]) == (400, "rejected")
    assert (
        answer["error"]
        == "task_id: longer than 1024 bytes of UTF-8 (the table's key holds no more)"
    )
    [kept] = rejected(aws)
    assert kept["body"] == body
    assert results(aws) == []


def test_a_task_id_of_exactly_1024_bytes_is_stored_and_found(invoke: Invoke, aws: Any) -> None:
    task_id = "任" * 341 + "a"  # 1024 bytes
    body = event_json("umedia/transcode") | {"task_id": task_id}
    assert invoke(callback_event("/callbacks/umedia/transcode", body))[1]["status"] == "stored"
    status, answer = invoke(proxy_event("GET", "/tasks/umedia/" + task_id))
    assert status == 200
    assert [r["task_id"] for r in answer["results"]] == [task_id]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/callbacks/volcengine", {"EventType": "FileUploadComplete", "Data": {"Vid": CJK_700}},
         "Data.Vid"),
        ("/callbacks/volcengine", {"EventType": "FileUploadComplete", "RequestId": CJK_700},
         "RequestId"),
        ("/callbacks/alibaba", {"EventType": "FileUploadComplete", "JobId": CJK_700}, "JobId"),
        ("/callbacks/alibaba", {"EventType": "FileUploadComplete", "VideoId": CJK_700},
         "VideoId"),
        ("/callbacks/tencent", {"EventType": "FileUpload", "FileUploadEvent": {"TaskId": CJK_700}},
         "FileUploadEvent.TaskId"),
        ("/callbacks/ctyun", {"eventType": "VideoUploadComplete", "videoID": CJK_700}, "videoID"),
        ("/callbacks/ctyun", {"eventType": "X", "workflowId": "a" * 1025}, "workflowId"),
    ],
)  # fmt: skip
def test_an_overlong_task_id_of_any_vendor_is_a_clear_400_naming_its_field(
    invoke: Invoke, aws: Any, path: str, body: dict[str, Any], field: str
) -> None:
    status, answer = invoke(callback_event(path, body))
    assert (status, answer["status"]) == (400, "rejected")
    assert answer["error"].startswith(f"{field}: ")
    assert "longer than 1024 bytes" in answer["error"]
    assert len(rejected(aws)) == 1
    assert results(aws) == []


def test_tencent_review_task_id_is_counted_in_bytes(invoke: Invoke, aws: Any) -> None:
    body = event_json("tencent/review-audio-video-complete")
    body["ReviewAudioVideoCompleteEvent"]["TaskId"] = CJK_700
    status, answer = invoke(callback_event("/callbacks/tencent", body))
    assert (status, answer["status"]) == (400, "rejected")
    assert answer["error"].startswith("ReviewAudioVideoCompleteEvent.TaskId: ")


# one to four bytes a character, so lengths in characters and in bytes disagree around the limit
MIXED = st.text(alphabet=st.sampled_from("a é任😀"), min_size=250, max_size=1100)


@given(st.one_of(st.text(min_size=1, max_size=1100), MIXED).map(str.strip).filter(bool))
def test_a_task_id_is_accepted_exactly_when_its_utf8_fits_1024_bytes(task_id: str) -> None:
    from media_callbacks.errors import RejectedPayload
    from media_callbacks.normalise import normalise
    from media_callbacks.thresholds import DEFAULT_THRESHOLDS

    body = event_json("umedia/transcode") | {"task_id": task_id}
    if len(task_id.encode("utf-8", "surrogatepass")) <= 1024:
        assert normalise("umedia", "transcode", body, DEFAULT_THRESHOLDS).task_id == task_id
    else:
        with pytest.raises(RejectedPayload, match=r"^task_id: longer than 1024 bytes"):
            normalise("umedia", "transcode", body, DEFAULT_THRESHOLDS)
