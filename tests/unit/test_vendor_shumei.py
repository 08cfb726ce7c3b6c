"""Shumei video file v4: the machine result and the human review normalised as the sheet says;
Shumei signs nothing, so the callback URL it is given per request carries the token."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import event_json
from media_callbacks.errors import RejectedPayload
from media_callbacks.normalise import normalise
from media_callbacks.results import CallbackResult
from media_callbacks.thresholds import DEFAULT_THRESHOLDS
from media_callbacks.vendors import VENDORS


def result(
    name: str, data: dict[str, Any] | None = None, kind: str | None = None
) -> CallbackResult:
    payload = data if data is not None else event_json(f"shumei/{name}")
    kind = kind or ("review" if name.startswith("review") else None)
    return normalise("shumei", kind, payload, DEFAULT_THRESHOLDS)


def findings(result: CallbackResult) -> list[tuple[Any, ...]]:
    assert result.moderation is not None
    return [(f.category, f.label, f.score, f.suggestion) for f in result.moderation.findings]


def test_the_sheets_example_blocks_porn_on_its_frame() -> None:
    machine = result("machine-reject")
    assert (machine.task_id, machine.video_id, machine.status, machine.decided_by) == (
        "66fb85e3149bb9e13d6c72161cc6c6cf", "vid-20260302-0001", "succeeded", "machine",
    )  # fmt: skip
    assert findings(machine) == [("porn", "porn:demo_level2:demo_level3", 0.97, "block")]
    assert machine.moderation is not None
    assert "demo_v12.jpg" in (machine.moderation.findings[0].image_url or "")


def test_numbers_as_strings_a_capitalised_label_an_audio_clip_and_a_normal_frame() -> None:
    sloppy = result("machine-sloppy")
    assert findings(sloppy) == [
        ("terrorism", "violence", 0.81, "review"),  # the highest probability of its label
        ("others", "abuse:ruma", 0.66, "review"),  # the audio clip, no frame
    ]


def test_a_pass_without_frames_and_a_failed_job() -> None:
    assert (result("machine-pass").flagged, findings(result("machine-pass"))) == (False, [])
    failed = result("failed")
    assert (failed.status, failed.message, failed.flagged) == ("failed", "服务失败", False)


@pytest.mark.parametrize(
    ("label1", "label2", "category"),
    [("porn", "", "porn"), ("Erotic", "", "porn"), ("porn", "sexy", "sexy"), ("sexy", "", "sexy"),
     ("violence", "", "terrorism"), ("politics", "", "politics"), ("ad", "", "others"),
     ("abuse", "", "others")],
)  # fmt: skip
def test_the_category_mapping(label1: str, label2: str, category: str) -> None:
    data = {"code": 1100, "requestId": "r", "riskLevel": "REVIEW", "frameDetail": [
        {"imgUrl": "https://f/1.jpg", "riskLevel": "REVIEW", "riskLabel1": label1,
         "riskLabel2": label2}]}  # fmt: skip
    assert findings(result("", data))[0][0] == category


def test_a_human_review_that_rejects_keeps_its_frames_and_one_that_passes_clears() -> None:
    reject = result("review-reject")
    assert (reject.task_id, reject.video_id, reject.decided_by) == (
        "9c2e7a4d1f6b5a3c0d5e8f7a6b5c4d3e", "vid-20260302-0004", "vendor_review",
    )  # fmt: skip
    assert findings(reject) == [("others", "暴恐", None, "review")]
    assert reject.moderation is not None
    assert "demo_v31.jpg" in (reject.moderation.findings[0].image_url or "")
    cleared = result("review-pass")
    assert (cleared.decided_by, cleared.flagged) == ("vendor_review", False)


def test_a_review_without_an_operation_is_rejected_naming_it() -> None:
    with pytest.raises(RejectedPayload, match=r"result.operation: expected 1 \(pass\) or 2"):
        result("review-x", {"requestId": "r", "result": {}})
    with pytest.raises(RejectedPayload, match="requestId: Field required"):
        result("", {"code": 1100})


def test_only_the_review_route_answers_code_1100() -> None:
    shumei = VENDORS["shumei"]
    assert shumei.answer_keys("review", "stored")["code"] == 1100
    assert shumei.answer_keys(None, "stored") == {}
    assert not shumei.auth.signature  # Shumei signs nothing: the token in the callback URL
