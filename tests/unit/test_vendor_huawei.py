"""Huawei Cloud: VOD message notifications (reviewComplete with frame URLs and offsets,
transcodeComplete, other events) and Content Moderation video jobs (frame times, no frame URLs)
normalised as the contract and the fact sheet say."""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpers import event_json
from media_callbacks.errors import RejectedPayload
from media_callbacks.normalise import normalise
from media_callbacks.results import CallbackResult
from media_callbacks.thresholds import DEFAULT_THRESHOLDS

FRAME_12 = "https://vod.example.huaweicloud.com/asset/6f1e2d3c4b5a69788796a5b4c3d2e1f0/snapshot/sample0/12.jpg"


def vod(name: str, data: dict[str, Any] | None = None) -> CallbackResult:
    payload = data if data is not None else event_json(f"huawei-vod/{name}")
    return normalise("huawei-vod", None, payload, DEFAULT_THRESHOLDS)


def job(name: str, data: dict[str, Any] | None = None) -> CallbackResult:
    payload = data if data is not None else event_json(f"huawei-moderation/{name}")
    return normalise("huawei-moderation", None, payload, DEFAULT_THRESHOLDS)


def findings(result: CallbackResult) -> list[tuple[Any, ...]]:
    assert result.moderation is not None
    return [
        (f.category, f.label, f.score, f.suggestion, f.time) for f in result.moderation.findings
    ]


# --- VOD ----------------------------------------------------------------------------------------


def test_the_sheets_review_blocks_porn_at_its_frame_and_offset() -> None:
    result = vod("review-complete")
    assert (result.kind, result.task_id, result.video_id, result.status) == (
        "moderation", "6f1e2d3c4b5a69788796a5b4c3d2e1f0", "6f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "succeeded",
    )  # fmt: skip
    assert result.moderation is not None
    porn, sexy = result.moderation.findings
    assert (porn.category, porn.score, porn.suggestion, porn.image_url, porn.time) == (
        "porn", 0.9931, "block", FRAME_12, 12.0,
    )  # fmt: skip
    assert porn.vendor_review is True  # the frame's `block` marks its strongest row
    # the frame's faint `sexy` row is judged on its score alone, the `normal` row is no finding
    assert (sexy.category, sexy.score, sexy.suggestion, sexy.vendor_review) == (
        "sexy", 0.0051, "pass", False,
    )  # fmt: skip
    assert (result.moderation.suggestion, result.moderation.categories) == ("block", ["porn"])
    assert result.result["vendor_suggestion"] == "block"


def test_the_event_inside_a_message_field_is_the_same_result() -> None:
    """UNCONFIRMED envelope: `{"message": "<the event as JSON>"}` reads as the event itself."""
    assert vod("review-message-envelope") == vod("review-complete")


def test_sloppy_review_upper_case_strings_covers_text_and_empty_rows() -> None:
    result = vod("review-sloppy")
    assert result.task_id == "6f1e2d3c4b5a69788796a5b4c3d2e1f2"  # stripped
    assert findings(result) == [
        ("terrorism", "gun", 0.9712, "block", 30.0),
        ("politics", "person-a", 0.85, "review", 45.0),
        ("others", "abuse", None, "review", None),
    ]
    assert result.moderation is not None
    assert result.moderation.findings[0].image_url.endswith("/30.jpg")  # type: ignore[union-attr]
    assert (result.result["frame_count"], result.result["cover_count"]) == (3, 1)


def test_a_clean_review_and_a_failed_one() -> None:
    clean = vod("review-pass")
    assert clean.moderation is not None
    assert (clean.moderation.suggestion, clean.moderation.findings) == ("pass", [])
    failed = vod("review-failed")
    assert (failed.status, failed.message, failed.moderation) == (
        "failed", "the review of the media failed", None,
    )  # fmt: skip
    assert failed.result["error_code"] == "VOD.100011001"


def test_a_flagged_frame_without_rows_is_one_finding_without_a_score() -> None:
    data = event_json("huawei-vod/review-complete")
    data["review_info"]["video"][0] |= {"porn": [], "terrorism": []}
    assert findings(vod("", data)) == [("others", None, None, "review", 12.0)]


def test_transcode_outputs_and_other_events() -> None:
    result = vod("transcode-complete")
    assert (result.kind, result.task_id, result.status) == (
        "transcode", "14d7b2faba0dddd6b4e8936272d6bc3f", "succeeded",
    )  # fmt: skip
    assert result.result["dest_video_url"].endswith("/index.m3u8")
    assert (result.result["duration"], result.result["file_size"]) == (26.0, 3246080)
    assert result.result["outputs"][1]["height"] == 720  # the vendor's `hight`
    failed = vod("transcode-failed")
    assert (failed.status, failed.message) == ("failed", "transcoding failed")
    created = vod("create-complete")
    assert (created.kind, created.result["event_type"], created.status) == (
        "event", "createComplete", "succeeded",
    )  # fmt: skip
    parsed = vod("parse-complete-failed")
    assert (parsed.kind, parsed.status) == ("event", "failed")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [({"review_info": {}}, "event_type: Field required"),
     ({"event_type": "reviewComplete"}, "review_info: Field required"),
     ({"event_type": "reviewComplete", "review_info": {"status": "SUCCEED"}},
      "asset_id: Field required"),
     ({"event_type": "reviewComplete", "review_info": {"asset_id": "a", "video": [
         {"porn": [{"confidence": "1.5", "label": "porn"}]}]}},
      "video.0.porn.0.confidence: Input should be less than or equal to 1"),
     ({"message": "not json"}, "message: not a JSON object")],
)  # fmt: skip
def test_a_bad_notification_is_rejected_naming_the_field(
    data: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(RejectedPayload) as caught:
        vod("", data)
    assert fragment in caught.value.error


# --- Content Moderation -------------------------------------------------------------------------


def test_the_sheets_job_blocks_porn_at_a_frame_time_without_a_url() -> None:
    result = job("job-succeeded")
    assert (result.kind, result.task_id, result.status, result.source_url, result.event_time) == (
        "moderation", "01772438109_a1b2c3d4e5f6", "succeeded",
        "https://media.example.com/in/clip.mp4", "2026-03-02T08:15:40.512Z",
    )  # fmt: skip
    assert findings(result) == [("porn", "porn", 0.9931, "block", 12.0)]
    assert result.moderation is not None
    assert result.moderation.findings[0].image_url is None  # the product sends frame times only
    assert result.result["frame_times"] == [12.0]


def test_numbers_as_strings_every_category_and_audio() -> None:
    result = job("job-strings")
    assert findings(result) == [
        ("sexy", "sexy", 0.72, "review", 20.0),
        ("terrorism", "gun", 0.95, "block", 35.5),
        ("others", "qr_code", 0.88, "review", 40.0),
        ("politics", "politics", None, "review", 50.0),  # a flagged frame with an empty detail list
        ("others", "ad", 0.81, "review", 3.2),  # audio: its start time
    ]
    assert result.source_url == "https://media.example.com/in/clip2.mp4"  # whitespace removed


def test_a_clean_job_a_failed_one_and_a_minimal_one() -> None:
    clean = job("job-pass")
    assert clean.moderation is not None
    assert (clean.moderation.suggestion, clean.moderation.findings) == ("pass", [])
    failed = job("job-failed")
    assert (failed.status, failed.moderation, failed.result["job_status"]) == (
        "failed", None, "failed",
    )  # fmt: skip
    minimal = job("job-minimal")  # no request_params, no frames: the vendor's review stands
    assert findings(minimal) == [("others", None, None, "review", None)]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [({"job_id": ""}, "job_id: Value should have at least 1 item"),
     ({"job_id": None}, "job_id: Input should be a valid string"),
     ({"result": {"image_detail": [{"time": -1}]}}, "result.image_detail.0.time"),
     ({"result": {"image_detail": [{"detail": [{"confidence": "high"}]}]}},
      "result.image_detail.0.detail.0.confidence: Input should be a valid number")],
)  # fmt: skip
def test_a_bad_job_is_rejected_naming_the_field(change: dict[str, Any], fragment: str) -> None:
    with pytest.raises(RejectedPayload) as caught:
        job("", {**event_json("huawei-moderation/job-succeeded"), **change})
    assert fragment in caught.value.error


def test_the_task_id_may_arrive_as_a_number() -> None:
    data = json.loads(json.dumps(event_json("huawei-moderation/job-succeeded")))
    data["job_id"] = 1772438109
    assert job("", data).task_id == "1772438109"
