"""UCloud UAI-Censor: every fixture normalised as the contract says, and the answer UCloud reads."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import event_json
from media_callbacks.errors import RejectedPayload
from media_callbacks.normalise import normalise
from media_callbacks.thresholds import DEFAULT_THRESHOLDS


def uai(name: str) -> Any:
    return normalise("uai-censor", None, event_json(f"uai-censor/{name}"), DEFAULT_THRESHOLDS)


def test_the_documented_example_blocks_porn_and_asks_review_for_the_politician() -> None:
    result = uai("moderation")
    assert (result.vendor, result.kind, result.task_id) == (
        "uai-censor",
        "moderation",
        "censor-vid-20260302-0001",
    )
    assert result.status == "succeeded"
    assert result.source_url == "http://example.ufile.ucloud.cn/in/clip.mp4"
    assert result.event_time == "2026-03-02T07:56:01Z"
    assert result.result["expired_time"] == "2026-03-09T07:55:09Z"
    moderation = result.moderation
    assert moderation is not None
    assert moderation.suggestion == "block"
    assert moderation.categories == ["politics", "porn"]
    assert moderation.max_score == 0.991
    assert [(f.category, f.label, f.score, f.image_url) for f in moderation.findings] == [
        ("porn", "Porn", 0.991, None),
        ("porn", "Porn", 0.873, None),
        ("politics", "Politician", 0.662, None),
    ]
    # the vendor's own check makes 0.662 a review although it is under politics' 0.8 default
    assert [f.suggestion for f in moderation.findings] == ["block", "review", "review"]
    assert result.flagged
    assert result.result["sections"]["Terror"] == {"suggestion": "pass", "frame_count": 0}


def test_a_clean_video_passes() -> None:
    result = uai("moderation-clean")
    assert result.moderation is not None
    assert (result.moderation.suggestion, result.moderation.findings) == ("pass", [])
    assert not result.flagged


def test_sloppy_senders_numbers_as_text_spaces_upper_case_and_other_sections() -> None:
    result = uai("moderation-sloppy")
    assert result.task_id == "censor-vid-20260302-0003"
    assert result.source_url == "http://example.ufile.ucloud.cn/in/clip2.mp4"
    assert result.result["expired_time"] is None
    moderation = result.moderation
    assert moderation is not None
    assert [(f.category, f.score, f.suggestion) for f in moderation.findings] == [
        ("porn", 0.95, "block"),
        ("ad", 0.7, "review"),  # another label, lower-cased; the vendor's check counts
    ]


def test_a_forbidden_section_without_frames_is_one_finding_without_a_score() -> None:
    moderation = uai("moderation-no-frames").moderation
    assert moderation is not None
    [finding] = moderation.findings
    assert (finding.category, finding.score, finding.suggestion) == ("porn", None, "review")
    assert (moderation.suggestion, moderation.max_score) == ("review", None)


def test_a_failure_without_a_result_is_stored_as_failed() -> None:
    result = uai("failed")
    assert (result.status, result.message) == ("failed", "download video failed")
    assert result.moderation is not None
    assert not result.flagged


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"JobId": None}, "JobId"),
        ({"Result": {"Porn": {"Suggestion": "maybe"}}}, "Result.Porn.Suggestion"),
        ({"Result": {"Porn": {"Suggestion": "forbid", "Frames": [{"Score": 1.5}]}}}, "Score"),
    ],
)
def test_bad_payloads_name_the_field(change: dict[str, Any], fragment: str) -> None:
    data = {**event_json("uai-censor/moderation"), **change}
    with pytest.raises(RejectedPayload, match=fragment):
        normalise("uai-censor", None, data, DEFAULT_THRESHOLDS)
