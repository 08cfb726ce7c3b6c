"""Qiniu: pfop notify and video censor v3 normalised as the contract says; the `Qiniu` and legacy
`QBox` signatures checked with the test vectors of Qiniu's own SDKs (the fact sheet gives none);
stored end to end through the handler, signed."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import event_json
from media_callbacks.errors import RejectedPayload
from media_callbacks.normalise import normalise
from media_callbacks.signing import QINIU, QINIU_OR_QBOX, SignedRequest
from media_callbacks.thresholds import DEFAULT_THRESHOLDS

SDK_KEYS = {"access_key": "abcdefghklmnopq", "secret_key": "1234567890"}  # the SDKs' dummy keys


FORM_BODY = (
    b"name=sunflower.jpg&hash=Fn6qeQi4VDLQ347NiRm-RlQx_4O2&location=Shanghai&price=1500.00&uid=123"
)


FORM = "application/x-www-form-urlencoded"


def censor(name: str) -> Any:
    return normalise("qiniu", "censor", event_json(f"qiniu/{name}"), DEFAULT_THRESHOLDS)


def pfop(name: str, data: dict[str, Any] | None = None) -> Any:
    payload = data if data is not None else event_json(f"qiniu/{name}")
    return normalise("qiniu", "pfop", payload, DEFAULT_THRESHOLDS)


def test_a_pfop_notify_is_a_transcode_with_its_items() -> None:
    result = pfop("pfop")
    assert (result.kind, result.task_id, result.status) == (
        "transcode", "z0.01z001cmn8vl7ubm2r00mvgv2e000g1x", "succeeded",
    )  # fmt: skip
    assert result.result["dest_key"] == "out/clip-720.mp4"
    assert (result.result["input_bucket"], result.result["input_key"]) == ("videos", "in/clip.mp4")
    failed = pfop("pfop-failed")
    assert (failed.status, failed.result["failed_item_count"]) == ("failed", 1)
    assert failed.result["items"][0]["error"] == "streams not found"
    sloppy = pfop("pfop-sloppy")
    assert (sloppy.task_id, sloppy.status, sloppy.result["dest_key"]) == (
        "z0.01z001cmn8vl7ubm2r00mvgv2e000g1z", "succeeded", "out/clip.m3u8",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "fragment"),
    [({"code": 5}, "code: Input should be less than or equal to 4"),
     ({"id": ""}, "id: Value should have at least 1 item"),
     ({"code": None}, "code: Input should be a valid integer")],
)  # fmt: skip
def test_a_bad_pfop_is_rejected_naming_the_field(change: dict[str, Any], fragment: str) -> None:
    with pytest.raises(RejectedPayload) as caught:
        pfop("", {**event_json("qiniu/pfop"), **change})
    assert fragment in caught.value.error


def test_the_documented_censor_blocks_pulp_with_its_cut() -> None:
    result = censor("censor")
    assert (result.kind, result.task_id, result.status, result.source_url) == (
        "moderation", "5f1e2d3c4b5a69788796a5b4", "succeeded", "https://example.com/in/clip.mp4",
    )  # fmt: skip
    [cut] = result.moderation.findings
    assert (cut.category, cut.label, cut.score, cut.suggestion, cut.image_url) == (
        "porn", "pulp", 0.9963, "block", "https://example-cuts.qiniu.com/c12.jpg",
    )  # fmt: skip
    assert result.result["scenes"]["terror"] == {"suggestion": "pass", "cut_count": 0}


def test_both_result_shapes_normal_labels_and_a_flagged_scene_without_cuts() -> None:
    result = censor("censor-nested-result")
    found = {(f.category, f.label, f.score, f.suggestion) for f in result.moderation.findings}
    assert found == {("terrorism", "guns", 0.71, "review"), ("politics", None, None, "review")}
    assert result.result["vendor_suggestion"] == "review"
    clean = censor("censor-pass")
    assert (clean.moderation.suggestion, clean.moderation.findings) == ("pass", [])
    failed = censor("censor-failed")
    assert (failed.status, failed.message, failed.moderation) == (
        "failed",
        "fetch uri failed",
        None,
    )


def request(headers: dict[str, str], body: bytes, *, method: str = "POST") -> SignedRequest:
    return SignedRequest(method, "/callback", "", headers, body, ("https://test.qiniu.com",))


def test_qiniu_and_qbox_signatures_verify_the_sdk_vectors() -> None:
    qbox = {
        "authorization": "QBox abcdefghklmnopq:T7F-SjxX7X2zI4Fc1vANiNt1AUE=",
        "content-type": FORM,
    }
    assert QINIU_OR_QBOX.valid(request(qbox, FORM_BODY, method=""), SDK_KEYS, 0)
    signed = {
        "authorization": "Qiniu abcdefghklmnopq:ZqS7EZuAKrhZaEIxqNGxDJi41IQ=",
        "x-qiniu-bbb": "BBB",
        "content-type": FORM,
    }
    assert QINIU_OR_QBOX.valid(request(signed, FORM_BODY, method="GET"), SDK_KEYS, 0)
    assert not QINIU_OR_QBOX.valid(
        request(signed, FORM_BODY + b"&", method="GET"), SDK_KEYS, 0
    )  # body
    assert not QINIU_OR_QBOX.valid(request(signed, FORM_BODY, method="POST"), SDK_KEYS, 0)  # method
    other = {**signed, "x-qiniu-bbb": "CCC"}
    assert not QINIU_OR_QBOX.valid(
        request(other, FORM_BODY, method="GET"), SDK_KEYS, 0
    )  # a signed header
    wrong_secret = {**SDK_KEYS, "secret_key": "0987654321"}
    assert not QINIU_OR_QBOX.valid(request(signed, FORM_BODY, method="GET"), wrong_secret, 0)
    wrong_access = {**SDK_KEYS, "access_key": "another"}
    assert not QINIU_OR_QBOX.valid(request(signed, FORM_BODY, method="GET"), wrong_access, 0)


def test_a_management_signature_vector_of_the_sdks() -> None:
    """Qiniu's C# SDK: GET http://upload.qiniup.com with JSON and X-Qiniu-* headers, ak/sk."""
    headers = {"content-type": "application/json", "x-qiniu-bbb": "BBB", "x-qiniu-aaa": "DDD",
               "x-qiniu-": "a", "x-qiniu": "b"}  # fmt: skip
    signed = SignedRequest("GET", "", "", headers, b'{"name": "test"}', ())
    assert QINIU.digest(signed, "http://upload.qiniup.com", "sk") == (
        "eOaX4RziJPW9ywnJ02jshmEMfhI="
    )
