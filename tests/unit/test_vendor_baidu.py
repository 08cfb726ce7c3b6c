"""Baidu AI Cloud: VOD events (MEDIA_REGULATION_COMPLETE in full, others as kind `event`) and
the video review (VCR) notification with its JSON-in-a-string body, normalised as the contract
and the fact sheet say: the review types' categories, confidence / 100, REVIEW and REJECT as the
vendor's own flag, frames and their times."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import event_json
from media_callbacks.errors import RejectedPayload
from media_callbacks.normalise import normalise
from media_callbacks.results import CallbackResult
from media_callbacks.thresholds import DEFAULT_THRESHOLDS
from media_callbacks.vendors import VENDORS


def vod(name: str, data: dict[str, Any] | None = None) -> CallbackResult:
    payload = data if data is not None else event_json(f"baidu/{name}")
    return normalise("baidu", None, payload, DEFAULT_THRESHOLDS)


def vcr(name: str, data: dict[str, Any] | None = None) -> CallbackResult:
    payload = data if data is not None else event_json(f"baidu/{name}")
    return normalise("baidu", "vcr", payload, DEFAULT_THRESHOLDS)


def findings(result: CallbackResult) -> list[tuple[Any, ...]]:
    assert result.moderation is not None
    return [
        (f.category, f.label, f.score, f.suggestion, f.vendor_review, f.image_url, f.time)
        for f in result.moderation.findings
    ]


def test_the_sheets_regulation_event_blocks_porn_with_its_thumbnail() -> None:
    result = vod("regulation-complete")
    assert (result.kind, result.task_id, result.video_id, result.status, result.event_time) == (
        "moderation", "tsk-demo00000000001", "mda-demo0000000001", "succeeded",
        "2026-03-02T08:15:41Z",
    )  # fmt: skip
    assert findings(result) == [
        ("porn", "porn", 0.985, "block", True,
         "http://vod.example.com/thumb/mda-demo0000000001/12.jpg", 12.0),
    ]  # fmt: skip
    assert result.result["vendor_suggestion"] == "block"  # derived: any REJECT


def test_review_types_map_to_categories_numbers_as_strings_and_empty_lists() -> None:
    result = vod("regulation-strings")
    assert findings(result) == [
        ("sexy", "sexy", 0.9125, "review", True,
         "http://vod.example.com/thumb/mda-demo0000000003/31.jpg", 31.0),
        ("terrorism", "weapon", 0.96, "block", True, None, 44.0),
        ("others", "ad_brand", 0.85, "review", True,
         "http://vod.example.com/thumb/mda-demo0000000003/50.jpg", 50.0),
        ("porn", "behavior", 0.705, "review", True, None, 3.0),  # audio: its start time
    ]  # fmt: skip
    assert result.result["types"][-1] == "politician"  # an empty item list: no finding


def test_a_clean_regulation_a_failed_one_and_another_event() -> None:
    clean = vod("regulation-pass")
    assert clean.moderation is not None
    assert (clean.moderation.suggestion, clean.moderation.findings) == ("pass", [])
    failed = vod("regulation-failed")
    assert (failed.status, failed.message, failed.moderation) == (
        "failed", "the media could not be read", None,
    )  # fmt: skip
    upload = vod("media-upload-complete")
    assert (upload.kind, upload.task_id, upload.video_id, upload.result["event_type"]) == (
        "event", "mda-ekkt369ihnhei80d", "mda-ekkt369ihnhei80d", "MEDIA_UPLOAD_COMPLETE",
    )  # fmt: skip


def test_an_item_below_the_vendors_levels_is_judged_on_its_score() -> None:
    data = event_json("baidu/regulation-complete")
    [item] = data["mediaRegulationCompleteEvent"]["regulationTaskInfo"]["regulationOutput"][
        "results"][0]["items"]  # fmt: skip
    item |= {"label": "PASS", "confidence": 12}
    assert findings(vod("", data))[0][2:5] == (0.12, "pass", False)


def test_the_vcr_example_its_string_body_and_its_object_form() -> None:
    result = vcr("vcr-finished")
    assert (result.kind, result.task_id, result.video_id, result.status) == (
        "moderation", "vod://mda-demo0000000001", "mda-demo0000000001", "succeeded",
    )  # fmt: skip
    assert findings(result) == [("porn", "behavior", 0.68, "review", True, None, 0.0)]
    assert (result.result["message_id"], result.result["label"]) == ("msg-demo0000000001", "REVIEW")
    framed = vcr("vcr-object-body")
    assert (framed.task_id, framed.source_url, framed.video_id) == (
        "https://media.example.com/in/clip.mp4", "https://media.example.com/in/clip.mp4", None,
    )  # fmt: skip
    assert findings(framed) == [
        ("porn", "porn", 0.991, "block", True, "http://vcr.example.com/frames/8.jpg", 8.0)
    ]


def test_a_vcr_error_and_a_vcr_review_without_items() -> None:
    error = vcr("vcr-error")
    assert (error.status, error.message, error.moderation) == (
        "failed", "media download failed", None,
    )  # fmt: skip
    label_only = vcr("vcr-label-only")
    assert findings(label_only) == [("others", None, None, "review", True, None, None)]


@pytest.mark.parametrize(
    ("route", "data", "fragment"),
    [(None, {"eventId": "e"}, "eventType: Field required"),
     (None, {"eventType": "MEDIA_REGULATION_COMPLETE"},
      "mediaRegulationCompleteEvent: Field required"),
     (None, {"eventType": "MEDIA_REGULATION_COMPLETE", "mediaRegulationCompleteEvent": {
         "taskId": "t", "status": "SUCCESS", "regulationTaskInfo": {"regulationOutput": {
             "results": [{"type": "sexual_porn", "items": [{"confidence": 180}]}]}}}},
      "results.0.items.0.confidence: Input should be less than or equal to 100"),
     (None, {"eventType": "MEDIA_UPLOAD_COMPLETE"}, "eventId: Field required"),
     ("vcr", {"messageId": "m"}, "messageBody: Field required"),
     ("vcr", {"messageBody": "{not json"}, "messageBody: Input should be a valid dictionary"),
     ("vcr", {"messageBody": "{}"}, "messageBody.source: Field required")],
)  # fmt: skip
def test_a_bad_callback_is_rejected_naming_the_field(
    route: str | None, data: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(RejectedPayload) as caught:
        normalise("baidu", route, data, DEFAULT_THRESHOLDS)
    assert fragment in caught.value.error


def test_the_vcr_route_takes_the_token_and_the_vod_route_the_signature() -> None:
    baidu = VENDORS["baidu"]
    assert baidu.paths == ("/callbacks/baidu/{kind}", "/callbacks/baidu")
    assert baidu.on_route("vcr").auth.signature is False
    assert baidu.on_route(None).auth.signature is True
    with pytest.raises(RejectedPayload) as caught:
        baidu.check_route("vod")
    assert caught.value.error == "kind: unknown Baidu AI Cloud kind 'vod'; use one of vcr"
