"""Alibaba Cloud VOD and Volcengine VOD: every fixture normalised as the contract says, and
stored end to end through the handler."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import event_json
from media_callbacks.errors import RejectedPayload
from media_callbacks.normalise import normalise
from media_callbacks.thresholds import DEFAULT_THRESHOLDS

FRAMES = "http://outin-example.oss-cn-shanghai.aliyuncs.com/aivideocensor"


def alibaba(name: str, data: dict[str, Any] | None = None) -> Any:
    payload = data if data is not None else event_json(f"alibaba/{name}")
    return normalise("alibaba", None, payload, DEFAULT_THRESHOLDS)


def volcengine(name: str) -> Any:
    return normalise("volcengine", None, event_json(f"volcengine/{name}"), DEFAULT_THRESHOLDS)


def test_the_documented_audit_blocks_porn_and_a_normal_terrorism_section_is_no_finding() -> None:
    result = alibaba("ai-media-audit-complete")
    assert (result.kind, result.task_id, result.video_id, result.status) == (
        "moderation",
        "a1b2c3d4e5f6",
        "7f2e9d1c0b",
        "succeeded",
    )
    assert result.event_time == "2026-03-02T08:15:09.113Z"  # the colon before ms made ISO
    [porn] = result.moderation.findings
    assert (porn.category, porn.label, porn.score, porn.suggestion) == (
        "porn",
        "porn",
        0.9981,
        "block",
    )
    assert porn.image_url == f"{FRAMES}/f1.jpg"
    assert (result.moderation.suggestion, result.moderation.categories) == ("block", ["porn"])
    assert result.result["sections"]["TerrorismResult"] == {
        "suggestion": "pass", "label": "normal", "max_score": 100.0,
    }  # fmt: skip
    assert result.result["vendor_suggestion"] == "block"


def test_data_as_a_json_string_and_a_terrorism_sub_label() -> None:
    result = alibaba("ai-media-audit-data-string")
    found = {(f.category, f.label, f.score, f.suggestion) for f in result.moderation.findings}
    assert found == {("porn", "porn", 0.9981, "block"), ("terrorism", "bloody", 0.725, "review")}
    assert result.moderation.categories == ["porn", "terrorism"]


def test_a_clean_video_passes_and_a_failed_job_is_stored_as_failed() -> None:
    clean = alibaba("ai-media-audit-pass")
    assert (clean.moderation.suggestion, clean.moderation.findings, clean.flagged) == (
        "pass",
        [],
        False,
    )
    failed = alibaba("ai-media-audit-failed")
    assert (failed.kind, failed.status, failed.moderation) == ("moderation", "failed", None)
    assert failed.message == "The video does not exist."


def test_sloppy_values_and_a_flagged_section_without_frames() -> None:
    result = alibaba("ai-media-audit-sloppy")
    assert result.task_id == "a1b2c3d4e5fa"
    found = {(f.category, f.score, f.suggestion, f.image_url) for f in result.moderation.findings}
    assert found == {("porn", 0.9981, "block", f"{FRAMES}/f1.jpg"), ("ad", None, "review", None)}


def test_transcode_snapshot_and_other_events() -> None:
    transcode = alibaba("transcode-complete")
    assert (transcode.kind, transcode.task_id, transcode.status) == (
        "transcode",
        "7f2e9d1c0b",
        "succeeded",
    )
    assert transcode.result["dest_video_url"].endswith("/sv/clip-hd.mp4")
    assert (transcode.result["duration"], transcode.result["file_size"]) == (61.3, 9211200)
    assert len(transcode.result["streams"]) == 2
    failed = alibaba("transcode-complete-failed")
    assert (failed.status, failed.message) == ("failed", "The input format is not supported.")
    snapshot = alibaba("snapshot-complete")
    assert (snapshot.kind, snapshot.result["cover_url"]) == (
        "snapshot", "http://outin-example.oss-cn-shanghai.aliyuncs.com/snapshots/cover.jpg",
    )  # fmt: skip
    assert snapshot.result["snapshots"][0]["count"] == 4
    other = alibaba("file-upload-complete")
    assert (other.kind, other.task_id, other.result) == (
        "event", "7f2e9d1c0b", {"event_type": "FileUploadComplete"},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"EventType": None}, "EventType: Input should be a valid string"),
        ({"JobId": None, "MediaId": None}, "JobId: Field required (or MediaId, VideoId)"),
        ({"Data": "{not json"}, "Data: Input should be a valid dictionary"),
        ({"Data": {"VideoResult": {"PornResult": {"TopList": [{"Score": "101"}]}}}},
         "TopList.0.Score: Input should be less than or equal to 100"),
    ],
)  # fmt: skip
def test_bad_audits_are_rejected_naming_the_field(change: dict[str, Any], fragment: str) -> None:
    data = {**event_json("alibaba/ai-media-audit-complete"), **change}
    with pytest.raises(RejectedPayload) as caught:
        alibaba("", data)
    assert fragment in caught.value.error


def test_volcengine_events_are_stored_with_their_envelope() -> None:
    done = volcengine("workflow-complete")
    assert (done.vendor, done.kind, done.task_id, done.status, done.video_id) == (
        "volcengine", "event", "v02a1b2c3d4e5f", "succeeded", "v02a1b2c3d4e5f",
    )  # fmt: skip
    assert done.result == {
        "event_type": "WorkflowComplete", "request_id": "20260302081509010203040506070809",
        "code": "Success", "space_name": "demo",
    }  # fmt: skip
    assert done.event_time == "2026-03-02T08:15:09Z"
    failed = volcengine("workflow-failed")
    assert (failed.status, failed.message, failed.result["code"]) == (
        "failed", "transcode failed", "InternalError",
    )  # fmt: skip
    no_vid = volcengine("file-delete-no-vid")
    assert (no_vid.task_id, no_vid.video_id) == ("20260302081000010203040506070802", None)
