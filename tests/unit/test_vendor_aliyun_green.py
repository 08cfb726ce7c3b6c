"""Aliyun Green (Content Moderation), async video: the scan result and the review result
normalised as the sheet and NEW-VENDORS.md's mapping say, and the form's `checksum` checked
with the sheet's worked example (SHA-256 and SM3), a wrong seed and a changed byte."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import compact, event_json, sent_body
from media_callbacks.body import form_body, parse_form
from media_callbacks.errors import RejectedPayload
from media_callbacks.normalise import normalise
from media_callbacks.results import CallbackResult
from media_callbacks.signing import ALIYUN_GREEN_CHECKSUM, SignedRequest
from media_callbacks.thresholds import DEFAULT_THRESHOLDS

KEYS = {"uid": "1234567890123456", "seed": "demoSeed_2026"}  # the sheet's worked example
SHA256 = "d4e60dee48d5221d8561bf346d8335627fea3795663dc6af40ed24e86b050518"
SM3 = "e48dec613671920bdf5837e32dad9e299a829b630b1d8b1c0df656f002d6375c"


def result(name: str, data: dict[str, Any] | None = None) -> CallbackResult:
    payload = data if data is not None else event_json(f"aliyun-green/{name}")
    return normalise("aliyun-green", None, payload, DEFAULT_THRESHOLDS)


def findings(result: CallbackResult) -> list[tuple[Any, ...]]:
    assert result.moderation is not None
    return [(f.category, f.label, f.score, f.suggestion) for f in result.moderation.findings]


def test_the_sheets_scan_result_flags_porn_and_sexy_frames_with_their_urls() -> None:
    scan = result("scan-porn")
    assert (scan.kind, scan.task_id, scan.video_id, scan.status, scan.decided_by) == (
        "moderation", "vi5Xk2wq9Zb3T4a8Pq1r-1uNxyz", "vid-20260302-0001", "succeeded", "machine",
    )  # fmt: skip
    assert findings(scan) == [("porn", "porn", 0.9991, "block"), ("sexy", "sexy", 0.875, "review")]
    assert scan.moderation is not None
    frame = scan.moderation.findings[0].image_url or ""
    assert frame.endswith("f00012.jpg?Expires=1772524509&Signature=abc")
    assert scan.source_url == "https://media.example.com/in/clip.mp4"
    assert scan.result["scenes"]["terrorism"] == {
        "label": "normal", "suggestion": "pass", "score": pytest.approx(0.999), "frame_count": 0,
    }  # fmt: skip


def test_sloppy_numbers_as_strings_empty_frames_and_other_scenes() -> None:
    sloppy = result("scan-sloppy")
    assert sloppy.task_id == "vi4Sloppy00000000000-1uNslp"
    assert sloppy.source_url == "https://media.example.com/in/sloppyclip.mp4"
    assert findings(sloppy) == [
        ("terrorism", "bloody", 0.912, "block"),
        ("others", "ad", 0.88, "review"),
    ]


def test_a_failed_scan_is_stored_failed_without_findings() -> None:
    failed = result("scan-failed")
    assert (failed.status, failed.message, failed.flagged) == (
        "failed", "video download failed (invented text)", False,
    )  # fmt: skip


def test_a_clean_scan_passes() -> None:
    assert (result("scan-pass").flagged, findings(result("scan-pass"))) == (False, [])


@pytest.mark.parametrize(
    ("scene", "label", "category"),
    [("porn", "porn", "porn"), ("porn", "sexy", "sexy"), ("terrorism", "bloody", "terrorism"),
     ("terrorism", "politics", "politics"), ("terrorism", "flag", "terrorism"),
     ("ad", "terrorism", "terrorism"), ("ad", "porn", "porn"), ("ad", "politics", "politics"),
     ("ad", "qrcode", "others"), ("live", "smoking", "others"), ("logo", "TV", "others")],
)  # fmt: skip
def test_the_category_mapping(scene: str, label: str, category: str) -> None:
    data = {"code": 200, "taskId": "t", "results": [
        {"scene": scene, "label": label, "suggestion": "review", "rate": 95,
         "frames": [{"url": "https://f/1.jpg", "label": label, "rate": 95}]}]}  # fmt: skip
    [(found, label_kept, *_)] = findings(result("", data))
    assert (found, label_kept) == (category, label.lower())


def test_the_human_review_that_clears_is_decided_by_the_vendors_review() -> None:
    review = result("review-human-pass")
    assert (review.task_id, review.decided_by, review.flagged) == (
        "vi5Xk2wq9Zb3T4a8Pq1r-1uNxyz", "vendor_review", False,
    )  # fmt: skip
    assert review.result["review"] == "humanAuditResult"
    assert review.result["scan_suggestion"] == "block"


def test_a_review_that_blocks_names_its_categories_without_scores() -> None:
    review = result("review-own-block")
    assert review.result["review"] == "auditResult"
    assert findings(review) == [("porn", "porn", None, "review"), ("others", "ad", None, "review")]


def test_a_scan_without_task_id_is_rejected_naming_it() -> None:
    with pytest.raises(RejectedPayload, match="taskId: Field required"):
        result("", {"code": 200, "results": []})
    with pytest.raises(RejectedPayload, match=r"results\.0\.rate: Input should be less than"):
        result("", {"taskId": "t", "results": [{"scene": "porn", "rate": 101}]})


# --- the checksum --------------------------------------------------------------------------


def request(body: bytes) -> SignedRequest:
    return SignedRequest("POST", "/callbacks/aliyun-green", "", {}, body, ("https://h/v1",))


def with_checksum(checksum: str, content: str | None = None) -> bytes:
    content = content if content is not None else compact(event_json("aliyun-green/scan-porn"))
    return form_body({"checksum": checksum, "content": content})


def test_the_sheets_worked_example_in_sha256_and_in_sm3() -> None:
    assert ALIYUN_GREEN_CHECKSUM.valid(request(with_checksum(SHA256)), KEYS, 0)
    assert ALIYUN_GREEN_CHECKSUM.valid(request(with_checksum(SM3)), KEYS, 0)
    assert ALIYUN_GREEN_CHECKSUM.valid(request(with_checksum(SM3.upper())), KEYS, 0)


def test_a_wrong_seed_or_uid_or_a_changed_byte_of_content_is_refused() -> None:
    assert not ALIYUN_GREEN_CHECKSUM.valid(request(with_checksum(SHA256)), {**KEYS, "seed": "x"}, 0)
    assert not ALIYUN_GREEN_CHECKSUM.valid(request(with_checksum(SHA256)), {**KEYS, "uid": "1"}, 0)
    content = compact(event_json("aliyun-green/scan-porn")).replace("99.91", "99.92", 1)
    assert not ALIYUN_GREEN_CHECKSUM.valid(request(with_checksum(SHA256, content)), KEYS, 0)
    assert not ALIYUN_GREEN_CHECKSUM.valid(request(b"content=%7B%7D"), KEYS, 0)  # no checksum


def test_either_of_several_seeds_verifies_the_scan_and_the_consoles_review_seed() -> None:
    keys = {"uid": KEYS["uid"], "seed": ["console-seed", KEYS["seed"]]}
    assert ALIYUN_GREEN_CHECKSUM.configured(keys)
    assert ALIYUN_GREEN_CHECKSUM.valid(request(with_checksum(SHA256)), keys, 0)


def test_the_sender_signs_the_form_as_the_sheet_says() -> None:
    signed = ALIYUN_GREEN_CHECKSUM.signed_body(sent_body("aliyun-green/scan-porn"), KEYS)
    assert parse_form(signed)["checksum"] == SHA256
    assert ALIYUN_GREEN_CHECKSUM.valid(request(signed), KEYS, 0)
