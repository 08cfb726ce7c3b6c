"""Huawei Cloud and Baidu AI Cloud signatures: Baidu's own published worked example reproduced
exactly, the fact sheets' computed examples, and for each scheme a wrong key, a changed byte of
the body, a stale timestamp (where the scheme has one) and the UNCONFIRMED forms accepted
either way (Huawei VOD's `message` envelope and timestamp unit, Huawei Moderation's hex or
base64)."""

from __future__ import annotations

import json

import pytest

from helpers import event_bytes, event_json
from media_callbacks.signing import (
    BAIDU_VOD,
    HUAWEI_MODERATION,
    HUAWEI_VOD,
    SignedRequest,
    fresh_ms,
)

# --- Baidu VOD: the vendor's worked example ("事件回调签名计算") ------------------------------

BAIDU_KEY = {"key": "qwer1234", "user": "e95e33a028bd49dbb3e08f068dc975d5"}
BAIDU_TIMESTAMP = "1731317262714"
# The body exactly as the vendor's page prints it: its line break inside "banSt" / "atus" is
# part of what the vendor signed (379 bytes; without it the token does not reproduce).
BAIDU_BODY = (
    b'{"eventId":"evt-ekkti4ep2mk0gedf","eventType":"MEDIA_UPLOAD_COMPLETE","eventTime":'
    b'"2024-11-11T09:27:41Z","mediaUploadCompleteEvent":{"mediaId":"mda-ekkt369ihnhei80d",'
    b'"name":"test1","description":"","mediaType":"video","banSt\natus":"NORMAL","createTime":'
    b'"2024-11-11T09:27:41Z","source":{"sourceType":"UPLOAD","sourceUrl":'
    b'"https://vod.example.com/mda-ekkt369ihnhei80d/test1.mp4"}}}'
)
BAIDU_TOKEN = "900dcab1a5227dbb47a0893d85c9447490c4d2ba6d13ca881886372e9ec2a8aa"


def baidu_request(
    body: bytes = BAIDU_BODY,
    token: str = BAIDU_TOKEN,
    timestamp: str = BAIDU_TIMESTAMP,
    user: str = BAIDU_KEY["user"],
    base: str = "http://www.example.com",
) -> SignedRequest:
    headers = {
        "vod-callback-auth-user": user,
        "vod-callback-auth-timestamp": timestamp,
        "vod-callback-auth-token": token,
    }
    return SignedRequest("POST", "/callback", "", headers, body, (base,))


BAIDU_NOW = int(BAIDU_TIMESTAMP) / 1000


def test_baidus_worked_example_is_reproduced_exactly() -> None:
    assert len(BAIDU_BODY) == 379
    assert (
        BAIDU_VOD.token_of("http://www.example.com/callback", BAIDU_BODY, BAIDU_TIMESTAMP,
                           BAIDU_KEY["user"], "qwer1234")
        == BAIDU_TOKEN
    )  # fmt: skip
    assert BAIDU_VOD.valid(baidu_request(), BAIDU_KEY, BAIDU_NOW)
    assert BAIDU_VOD.valid(baidu_request(), BAIDU_KEY, BAIDU_NOW + 299)


def test_baidu_a_wrong_key_a_changed_byte_a_stale_timestamp_another_user_or_url() -> None:
    assert not BAIDU_VOD.valid(baidu_request(), {**BAIDU_KEY, "key": "qwer1235"}, BAIDU_NOW)
    changed = BAIDU_BODY.replace(b"test1.mp4", b"test2.mp4")
    assert not BAIDU_VOD.valid(baidu_request(body=changed), BAIDU_KEY, BAIDU_NOW)
    assert not BAIDU_VOD.valid(baidu_request(), BAIDU_KEY, BAIDU_NOW + 301)  # stale
    assert not BAIDU_VOD.valid(baidu_request(), BAIDU_KEY, BAIDU_NOW - 301)  # from the future
    assert not BAIDU_VOD.valid(baidu_request(user="someone-else"), BAIDU_KEY, BAIDU_NOW)
    assert not BAIDU_VOD.valid(baidu_request(base="https://www.example.com"), BAIDU_KEY, BAIDU_NOW)
    other_account = {**BAIDU_KEY, "user": "0123456789abcdef0123456789abcdef"}
    assert not BAIDU_VOD.valid(baidu_request(), other_account, BAIDU_NOW)  # not our account


def test_baidu_the_sheets_own_example_over_the_compact_body_received_indented() -> None:
    """The sheet's regulation event: the token over its compact JSON. Sent so, it verifies as
    received; sent indented (a body re-serialised on the way), it verifies over its compact
    form, the vendor's "compressed JSON"."""
    key = {"key": "myCallbackKey01", "user": "0123456789abcdef0123456789abcdef"}
    compact = json.dumps(event_json("baidu/regulation-complete"), separators=(",", ":")).encode()
    token = "bc0832eea9fb2a5656c9ff70180ee29e1560f31b001c89b66e289d20d309e503"
    assert (
        BAIDU_VOD.token_of("https://hooks.example.com/callbacks/baidu", compact, "1772438141113",
                           key["user"], key["key"])
        == token
    )  # fmt: skip

    def sent(body: bytes) -> SignedRequest:
        headers = {
            "vod-callback-auth-user": key["user"],
            "vod-callback-auth-timestamp": "1772438141113",
            "vod-callback-auth-token": token,
        }
        return SignedRequest("POST", "/callbacks/baidu", "", headers, body,
                             ("https://hooks.example.com",))  # fmt: skip

    assert BAIDU_VOD.valid(sent(compact), key, 1772438141.113)
    indented = event_bytes("baidu/regulation-complete")
    assert indented != compact
    assert BAIDU_VOD.valid(sent(indented), key, 1772438141.113)
    assert not BAIDU_VOD.valid(sent(indented.replace(b"98.5", b"18.5")), key, 1772438141.113)


def test_baidu_signs_what_it_verifies() -> None:
    body = event_bytes("baidu/regulation-complete")
    url = "https://abc.execute-api.ap-southeast-1.amazonaws.com/v1/callbacks/baidu"
    headers = {k.lower(): v for k, v in BAIDU_VOD.sign(url, body, BAIDU_KEY, BAIDU_NOW).items()}
    assert headers["vod-callback-auth-timestamp"] == BAIDU_TIMESTAMP  # milliseconds
    signed = SignedRequest(
        "POST",
        "/callbacks/baidu",
        "",
        headers,
        body,
        ("https://abc.execute-api.ap-southeast-1.amazonaws.com/v1",),
    )
    assert BAIDU_VOD.valid(signed, BAIDU_KEY, BAIDU_NOW)
    assert BAIDU_VOD.valid(signed, {"key": "qwer1234"}, BAIDU_NOW)  # no account id to compare


@pytest.mark.parametrize("timestamp", ["", "abc", "1731317262.714", "-1731317262714", "9" * 16])
def test_a_malformed_millisecond_timestamp_is_never_fresh(timestamp: str) -> None:
    assert not fresh_ms(timestamp, BAIDU_NOW)


# --- Huawei VOD: the sheet's own example (no vendor digest is published) ----------------------

HW_KEY = {"key": "hwVodDemoKey0123456789"}
HW_TIMESTAMP = "1772438109"
HW_SIGN = "0ed41cae5df12d465d2ebe494584551c586213992ac5df2ee40be869a9b45cfa"
HW_MESSAGE = json.dumps(event_json("huawei-vod/review-complete"), separators=(",", ":")).encode()


def huawei_request(
    body: bytes, sign: str = HW_SIGN, timestamp: str = HW_TIMESTAMP
) -> SignedRequest:
    headers = {"auth_sign": sign, "auth_timestamp": timestamp}
    return SignedRequest("POST", "/callbacks/huawei-vod", "", headers, body, ())


def test_huawei_vod_example_over_the_body_and_over_its_message_field() -> None:
    assert HUAWEI_VOD.signature_of(HW_TIMESTAMP, HW_MESSAGE, HW_KEY["key"]) == HW_SIGN
    now = int(HW_TIMESTAMP)
    assert HUAWEI_VOD.valid(huawei_request(HW_MESSAGE), HW_KEY, now)
    # UNCONFIRMED envelope: the event as the string field `message`, signed as that string
    envelope = event_bytes("huawei-vod/review-message-envelope")
    assert json.loads(envelope)["message"].encode() == HW_MESSAGE
    assert HUAWEI_VOD.valid(huawei_request(envelope), HW_KEY, now)
    # UNCONFIRMED unit: the same signature made with a timestamp in milliseconds
    ms = HW_TIMESTAMP + "250"
    in_ms = HUAWEI_VOD.signature_of(ms, HW_MESSAGE, HW_KEY["key"])
    assert HUAWEI_VOD.valid(huawei_request(HW_MESSAGE, in_ms, ms), HW_KEY, now + 200)
    assert HUAWEI_VOD.valid(huawei_request(HW_MESSAGE, HW_SIGN.upper()), HW_KEY, now)


def test_huawei_vod_a_wrong_key_a_changed_byte_and_a_stale_timestamp() -> None:
    now = int(HW_TIMESTAMP)
    assert not HUAWEI_VOD.valid(huawei_request(HW_MESSAGE), {"key": "hwVodDemoKey0123456780"}, now)
    changed = HW_MESSAGE.replace(b"0.9931", b"0.0931")
    assert not HUAWEI_VOD.valid(huawei_request(changed), HW_KEY, now)
    assert not HUAWEI_VOD.valid(huawei_request(HW_MESSAGE), HW_KEY, now + 301)
    assert not HUAWEI_VOD.valid(huawei_request(HW_MESSAGE), HW_KEY, now - 301)
    ms = HW_TIMESTAMP + "000"
    stale_ms = HUAWEI_VOD.signature_of(ms, HW_MESSAGE, HW_KEY["key"])
    assert not HUAWEI_VOD.valid(huawei_request(HW_MESSAGE, stale_ms, ms), HW_KEY, now + 301)
    # the envelope's message signed, a changed byte of it refused
    inner = json.loads(event_bytes("huawei-vod/review-message-envelope"))["message"]
    forged = json.dumps({"message": inner.replace("0.9931", "0.0931")}).encode()
    assert not HUAWEI_VOD.valid(huawei_request(forged), HW_KEY, now)


def test_huawei_vod_signs_what_it_verifies() -> None:
    body = event_bytes("huawei-vod/transcode-complete")
    headers = HUAWEI_VOD.sign("", body, HW_KEY, 1_800_000_000)
    assert HUAWEI_VOD.valid(huawei_request(body, headers["auth_sign"], headers["auth_timestamp"]),
                            HW_KEY, 1_800_000_000)  # fmt: skip


# --- Huawei Content Moderation: the sheet's own example, hex and base64 ------------------------

SEED = {"seed": "demo_seed_01"}
MODERATION_HEX = "73ae064083aa98c71c033376f8151d0a558d23fb514b744f1ff5fbabb2bc24b7"
MODERATION_B64 = "c64GQIOqmMccAzN2+BUdClWNI/tRS3RPH/X7q7K8JLc="


def moderation_request(signature: str, body: bytes | None = None) -> SignedRequest:
    body = event_bytes("huawei-moderation/job-succeeded") if body is None else body
    headers = {"x-auth-signature": signature}
    return SignedRequest("POST", "/callbacks/huawei-moderation", "", headers, body, ())


@pytest.mark.parametrize("signature", [MODERATION_HEX, MODERATION_HEX.upper(), MODERATION_B64])
def test_huawei_moderation_example_in_hex_or_base64(signature: str) -> None:
    assert HUAWEI_MODERATION.valid(moderation_request(signature), SEED, 0)
    several = {"seed": ["another_jobs_seed", "demo_seed_01"]}  # each job request gives its own
    assert HUAWEI_MODERATION.valid(moderation_request(signature), several, 0)
    assert not HUAWEI_MODERATION.valid(moderation_request(signature), {"seed": ["x", ""]}, 0)


def test_huawei_moderation_a_wrong_seed_and_changed_signed_fields() -> None:
    assert not HUAWEI_MODERATION.valid(
        moderation_request(MODERATION_HEX), {"seed": "demo_seed_02"}, 0
    )
    data = event_json("huawei-moderation/job-succeeded")
    for field in ("create_time", "job_id", "request_id"):
        changed = {**data, field: data[field][:-1] + "0"}
        request = moderation_request(MODERATION_HEX, json.dumps(changed).encode())
        assert not HUAWEI_MODERATION.valid(request, SEED, 0), field
    missing = {k: v for k, v in data.items() if k != "request_id"}
    assert not HUAWEI_MODERATION.valid(
        moderation_request(MODERATION_HEX, json.dumps(missing).encode()), SEED, 0
    )
    assert not HUAWEI_MODERATION.valid(moderation_request(MODERATION_HEX, b"not json"), SEED, 0)
    assert not HUAWEI_MODERATION.valid(moderation_request(MODERATION_B64[:-2]), SEED, 0)


def test_huawei_moderation_does_not_cover_the_verdict() -> None:
    """What the vendor signs: the job's identity, not its result. A body with the same
    identity and another verdict verifies (docs/DEPLOY.md says so)."""
    data = event_json("huawei-moderation/job-succeeded")
    data["result"] = {"suggestion": "pass"}
    assert HUAWEI_MODERATION.valid(
        moderation_request(MODERATION_HEX, json.dumps(data).encode()), SEED, 0
    )
    signed = HUAWEI_MODERATION.sign("", json.dumps(data).encode(), SEED, 0)
    assert signed == {"X-Auth-Signature": MODERATION_HEX}
