"""Tencent Cloud VOD: every fixture normalised as the contract says."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import event_json
from media_callbacks.errors import RejectedPayload
from media_callbacks.normalise import normalise
from media_callbacks.thresholds import DEFAULT_THRESHOLDS


def tencent(name: str) -> Any:
    return normalise("tencent", None, event_json(f"tencent/{name}"), DEFAULT_THRESHOLDS)


def test_the_documented_review_blocks_porn_with_its_frame() -> None:
    result = tencent("review-audio-video-complete")
    assert (result.vendor, result.kind, result.task_id, result.status) == (
        "tencent",
        "moderation",
        "1400000001-ReviewAudioVideo-5c2d8e1f0a",
        "succeeded",
    )
    assert result.video_id == "5285890812345678901"
    moderation = result.moderation
    assert moderation is not None
    [finding] = moderation.findings
    assert (finding.category, finding.label, finding.score, finding.suggestion) == (
        "porn",
        "SexyBehavior",
        0.975,
        "block",
    )
    assert finding.image_url == "https://example-1250000000.vod2.myqcloud.com/review/seg12.jpg"
    assert (moderation.suggestion, moderation.categories, moderation.max_score) == (
        "block",
        ["porn"],
        0.975,
    )
    assert result.result["segments_file_url"].endswith("/review/all.txt")
    assert result.flagged


def test_labels_are_compared_case_insensitively_and_numbers_may_be_text() -> None:
    result = tencent("review-lowercase-labels")
    assert result.video_id == "5285890812345678902"
    moderation = result.moderation
    assert moderation is not None
    assert [(f.category, f.label, f.score, f.suggestion) for f in moderation.findings] == [
        ("terrorism", "Flag", 0.72, "review"),
        ("politics", "polity", 0.555, "review"),  # under 0.8, but the vendor asks for review
    ]
    assert moderation.findings[0].image_url == (
        "https://example-1250000000.vod2.myqcloud.com/review/seg3.jpg"
    )
    assert moderation.categories == ["politics", "terrorism"]


def test_a_passed_review_is_not_flagged() -> None:
    result = tencent("review-pass")
    assert result.moderation is not None
    assert (result.moderation.suggestion, result.moderation.findings) == ("pass", [])
    assert not result.flagged


def test_a_failed_review_is_stored_as_failed_with_its_message() -> None:
    result = tencent("review-failed")
    assert (result.status, result.message) == ("failed", "download media failed")
    assert result.result["err_code_ext"] == "FailedOperation.MediaDownloadFailed"
    assert not result.flagged


def test_a_flagged_review_without_segments_is_one_finding_without_a_score() -> None:
    data = event_json("tencent/review-audio-video-complete")
    data["ReviewAudioVideoCompleteEvent"]["Output"]["SegmentSet"] = []
    moderation = normalise("tencent", None, data, DEFAULT_THRESHOLDS).moderation
    assert moderation is not None
    [finding] = moderation.findings
    assert (finding.category, finding.score, finding.suggestion) == ("porn", None, "review")


def test_procedure_state_changed_is_a_transcode() -> None:
    result = tencent("procedure-state-changed")
    assert (result.kind, result.status, result.task_id) == (
        "transcode",
        "succeeded",
        "1400000001-Procedure-2e6f7a8b9c",
    )
    assert result.source_url == "http://example.vod2.myqcloud.com/clip.mp4"
    assert result.result["dest_video_url"] == "http://example.vod2.myqcloud.com/clip.f30.mp4"
    assert (result.result["duration"], result.result["file_size"]) == (15.0, 524288)
    assert result.result["outputs"][0]["definition"] == 30
    assert result.result["meta_data"]["width"] == 1280
    failed = tencent("procedure-state-changed-failed")
    assert (failed.status, failed.message) == ("failed", "InternalError")


def test_other_events_are_stored_as_event_with_their_file_id() -> None:
    result = tencent("file-upload")
    assert (result.kind, result.task_id, result.status) == (
        "event",
        "5285890812345678906",
        "succeeded",
    )
    assert result.result == {"event_type": "NewFileUpload"}


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"ReviewAudioVideoCompleteEvent": {}}, "EventType"),
        ({"EventType": "ReviewAudioVideoComplete"}, "ReviewAudioVideoCompleteEvent"),
        (
            {"EventType": "ReviewAudioVideoComplete", "ReviewAudioVideoCompleteEvent": {}},
            "ReviewAudioVideoCompleteEvent.TaskId",
        ),
        ({"EventType": "X", "XEvent": {"Status": "FINISH"}}, "XEvent.TaskId"),
    ],
)
def test_bad_events_name_the_field(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(RejectedPayload, match=fragment):
        normalise("tencent", None, data, DEFAULT_THRESHOLDS)
