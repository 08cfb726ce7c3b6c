"""NetEase Yidun on-demand video v4 push: machine and human-review results normalised as the
sheet says, and the form's `signature` checked with the sheet's own example in each digest
`signatureMethod` names, a wrong key, a wrong secretId and a changed byte."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import compact, event_json, sent_body
from media_callbacks.body import form_body, parse_form
from media_callbacks.errors import RejectedPayload
from media_callbacks.normalise import normalise
from media_callbacks.results import CallbackResult
from media_callbacks.signing import YIDUN_SIGNATURE, SignedRequest, hex_digest
from media_callbacks.thresholds import DEFAULT_THRESHOLDS

KEYS = {
    "secret_id": "d2f1c0b9a8e7d6c5b4a3f2e1d0c9b8a7",
    "secret_key": "0123456789abcdef0123456789abcdef",
}
WORKED = {  # the sheet's own example: the machine result written compactly, per digest
    "MD5": "fefb9ca3a3193f5bcd5270f284050b76",
    "SHA1": "6caf3e61c2a10a6fa70a3d23cce99f1aba45cdf3",
    "SHA256": "85b379784b85b0b26f0b21ded4435d062ed9cc2b99706271737ed16814ed07ed",
    "SM3": "0381f7e3593c46fb339bbe6fda58ccf5b2ac831ea3daec1dae94f7764c37dde1",
}


def result(name: str, data: dict[str, Any] | None = None) -> CallbackResult:
    payload = data if data is not None else event_json(f"yidun/{name}")
    return normalise("yidun", None, payload, DEFAULT_THRESHOLDS)


def findings(result: CallbackResult) -> list[tuple[Any, ...]]:
    assert result.moderation is not None
    return [(f.category, f.label, f.score, f.suggestion) for f in result.moderation.findings]


def test_the_machine_result_blocks_porn_on_its_frame() -> None:
    machine = result("machine-porn")
    assert (machine.task_id, machine.video_id, machine.status, machine.decided_by) == (
        "fx6sxdcd89fvbvg4967b4787d78a1b2c", "vid-20260302-0001", "succeeded", "machine",
    )  # fmt: skip
    assert findings(machine) == [("porn", "100", 0.9932, "block")]
    assert machine.moderation is not None
    assert (
        machine.moderation.findings[0].image_url
        == "https://nos.netease.com/yidun/demo/frame-00012.jpg"
    )
    assert (machine.message, machine.result["vendor_suggestion"]) == ("色情", "block")


def test_the_human_review_that_clears_it_is_decided_by_the_vendors_review() -> None:
    review = result("review-pass")
    assert (review.task_id, review.decided_by, review.flagged) == (
        "fx6sxdcd89fvbvg4967b4787d78a1b2c", "vendor_review", False,
    )  # fmt: skip
    assert review.event_time == "2026-03-02T08:55:09Z"  # censorTime, ms


def test_a_review_that_blocks_without_frames_is_one_finding_of_its_label() -> None:
    review = result("review-block-no-pictures")
    assert (review.decided_by, findings(review)) == (
        "vendor_review",
        [("politics", "500", None, "review")],
    )


def test_a_failed_task_names_its_reason() -> None:
    failed = result("failed")
    assert (failed.status, failed.message, failed.flagged) == (
        "failed", "failureReason 130: parse error", False,
    )  # fmt: skip


def test_numbers_as_strings_empty_labels_and_a_normal_label_on_a_flagged_frame() -> None:
    sloppy = result("machine-sloppy")
    assert (sloppy.task_id, sloppy.status) == ("40000000000004", "succeeded")
    assert findings(sloppy) == [("terrorism", "300", 0.87, "review")]
    assert (result("machine-pass").flagged, findings(result("machine-pass"))) == (False, [])


@pytest.mark.parametrize(
    ("code", "category"),
    [(100, "porn"), (110, "sexy"), (300, "terrorism"), (500, "politics"), (200, "others"),
     (400, "others"), (1100, "others")],
)  # fmt: skip
def test_the_label_codes(code: int, category: str) -> None:
    label = {"label": code, "level": 1, "rate": 0.99}
    picture = {"url": "https://f/1.jpg", "labels": [label]}
    data = {"antispam": {"taskId": "t", "status": 2, "suggestion": 1, "pictures": [picture]}}
    assert findings(result("", data))[0][:2] == (category, str(code))


def test_a_push_without_antispam_or_task_id_is_rejected_naming_it() -> None:
    with pytest.raises(RejectedPayload, match="antispam: Field required"):
        result("", {"ocr": {}})
    with pytest.raises(RejectedPayload, match=r"antispam\.taskId: Field required"):
        result("", {"antispam": {"status": 2}})


# --- the signature ---------------------------------------------------------------------------


def form(method: str | None, signature: str | None, **changes: str) -> bytes:
    fields = {
        "secretId": KEYS["secret_id"],
        "businessId": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "callbackData": compact(event_json("yidun/machine-porn")),
    }
    if method is not None:
        fields["signatureMethod"] = method
    if signature is not None:
        fields["signature"] = signature
    return form_body(fields | changes)


def request(body: bytes) -> SignedRequest:
    return SignedRequest("POST", "/callbacks/yidun", "", {}, body, ("https://h/v1",))


@pytest.mark.parametrize("method", list(WORKED))
def test_the_sheets_worked_example_in_each_digest(method: str) -> None:
    """The sheet computes its one string (signatureMethod MD5 among the fields) under each
    digest; a sender naming another digest signs its own string, the method in it."""
    fields = parse_form(form("MD5", None))
    text = "".join(k + fields[k] for k in sorted(fields)) + KEYS["secret_key"]
    assert hex_digest(method, text.encode()) == WORKED[method]
    assert YIDUN_SIGNATURE.valid(request(form("MD5", WORKED["MD5"])), KEYS, 0)
    signed = YIDUN_SIGNATURE.signed_body(form(method.lower(), None), KEYS)
    assert YIDUN_SIGNATURE.valid(request(signed), KEYS, 0)


def test_the_vendors_auth_chapter_example_gives_the_computed_md5() -> None:
    text = "bar2baz4foo1foo_bar3" + "6308afb129ea00301bd7c79621d07591"
    assert hex_digest("MD5", text.encode()) == "730b0588690874dde18fa58cb1301787"


def test_without_signature_method_the_digest_is_md5() -> None:
    fields = parse_form(form(None, None))
    text = "".join(k + fields[k] for k in sorted(fields)) + KEYS["secret_key"]
    assert YIDUN_SIGNATURE.valid(request(form(None, hex_digest("MD5", text.encode()))), KEYS, 0)


def test_a_wrong_key_a_wrong_secret_id_a_changed_byte_or_an_unknown_method_is_refused() -> None:
    good = form("MD5", WORKED["MD5"])
    assert not YIDUN_SIGNATURE.valid(request(good), {**KEYS, "secret_key": "0" * 32}, 0)
    assert not YIDUN_SIGNATURE.valid(request(good), {**KEYS, "secret_id": "another"}, 0)
    changed = form("MD5", WORKED["MD5"], businessId="a1b2c3d4e5f60718293a4b5c6d7e8f91")
    assert not YIDUN_SIGNATURE.valid(request(changed), KEYS, 0)
    assert not YIDUN_SIGNATURE.valid(request(form("SHA512", WORKED["MD5"])), KEYS, 0)
    assert not YIDUN_SIGNATURE.valid(request(b"callbackData=%7B%7D"), KEYS, 0)


def test_the_sender_signs_the_form_as_its_sdk_does() -> None:
    signed = YIDUN_SIGNATURE.signed_body(sent_body("yidun/machine-porn"), KEYS)
    assert parse_form(signed)["secretId"] == KEYS["secret_id"]
    assert YIDUN_SIGNATURE.valid(request(signed), KEYS, 0)
