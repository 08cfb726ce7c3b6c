"""Signed vendors: the schemes with the fact sheets' worked examples, freshness, wrong keys, a
changed body, the URLs a signature may cover, rotation, and the handler's 401 when a key is set."""

from __future__ import annotations

import hmac
import json
import time
from typing import Any

import boto3
import pytest

from conftest import load_app
from helpers import TOKEN, callback_event, event_bytes
from inprocess.apigw import FakeLambdaContext
from media_callbacks.signing import XVOD_BODY, XVOD_URL, SignedRequest, fresh, same

NOW = 1_800_000_000.0
API = "https://abc123.execute-api.ap-southeast-1.amazonaws.com/v1"


def request(path: str, headers: dict[str, str], body: bytes = b"{}", **kw: Any) -> SignedRequest:
    return SignedRequest("POST", path, kw.get("query", ""), headers, body, kw.get("bases", (API,)))


def test_alibaba_worked_example() -> None:
    url, ts, key = "https://www.example.com/your/callback", "1519375990", "test123"
    assert XVOD_URL.signature_of(url, ts, key) == "c72b60894140fa98920f1279219b7ed4"
    signed = request(
        "/your/callback",
        {"x-vod-timestamp": ts, "x-vod-signature": "c72b60894140fa98920f1279219b7ed4"},
        bases=("https://www.example.com",),
    )
    assert XVOD_URL.valid(signed, {"auth_key": key}, now=1519375990 + 299)
    assert not XVOD_URL.valid(signed, {"auth_key": key}, now=1519375990 + 301)  # stale
    assert not XVOD_URL.valid(signed, {"auth_key": key}, now=1519375990 - 301)  # from the future
    assert not XVOD_URL.valid(signed, {"auth_key": "test124"}, now=1519375990)  # wrong key


def test_volcengine_worked_example_and_a_body_changed_by_one_byte() -> None:
    url, ts, key = "https://www.example1.com/your/callback", "1545675780", "ABCDabcd1234"
    body = b'{\n"a":1,\n"b":2\n}'
    assert XVOD_BODY.signature_of(url, ts, key, body) == "3161fa89a722ee715937b7af60b9ad75"
    headers = {"x-vod-timestamp": ts, "x-vod-signature": "3161fa89a722ee715937b7af60b9ad75"}
    bases = ("https://www.example1.com",)
    section = {"private_key": key}
    assert XVOD_BODY.valid(
        request("/your/callback", headers, body, bases=bases), section, 1545675780
    )
    changed = body.replace(b"2", b"3")
    assert not XVOD_BODY.valid(
        request("/your/callback", headers, changed, bases=bases), section, 1545675780
    )
    assert not XVOD_BODY.valid(
        request("/your/callback", headers, body + b" ", bases=bases), section, 1545675780
    )


def test_a_signature_covers_one_of_the_public_urls_with_the_raw_query() -> None:
    ts = str(int(NOW))
    front = "http://d111111abcdef8.cloudfront.net"
    signed_for = f"{front}/callbacks/alibaba?a=1&b=x%20y"
    headers = {"x-vod-timestamp": ts, "x-vod-signature": XVOD_URL.signature_of(signed_for, ts, "k")}
    section = {"auth_key": "k"}
    assert XVOD_URL.valid(
        request("/callbacks/alibaba", headers, query="a=1&b=x%20y", bases=(API, front)),
        section,
        NOW,
    )
    assert not XVOD_URL.valid(
        request("/callbacks/alibaba", headers, query="a=1", bases=(API, front)), section, NOW
    )
    assert not XVOD_URL.valid(
        request("/callbacks/alibaba", headers, query="a=1&b=x%20y", bases=(API,)), section, NOW
    )


@pytest.mark.parametrize("timestamp", ["", "abc", "1.5", "-1", "１８００００００００", "9" * 20])
def test_a_malformed_timestamp_is_never_fresh(timestamp: str) -> None:
    assert not fresh(timestamp, NOW)


def test_signatures_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []

    def recording(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return a == b

    monkeypatch.setattr(hmac, "compare_digest", recording)
    assert same("abc", "abc")
    assert not same("abc", "abd")
    assert not same("abc", None)
    assert calls == [(b"abc", b"abc"), (b"abc", b"abd")]


# --- through the handler: a key in the secret makes the signature required ---------------------


def set_secret(aws: dict[str, Any], value: dict[str, Any]) -> None:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=aws["secret_arn"], SecretString=json.dumps(value)
    )


def alibaba_event(
    key: str | None, *, token: str | None = None, ts: int | None = None
) -> dict[str, Any]:
    stamp = str(int(time.time()) if ts is None else ts)
    headers = {}
    if key is not None:
        url = "https://abc123.execute-api.ap-southeast-1.amazonaws.com/v1/callbacks/alibaba"
        headers = {
            "X-VOD-TIMESTAMP": stamp,
            "X-VOD-SIGNATURE": XVOD_URL.signature_of(url, stamp, key),
        }
    return callback_event(
        "/callbacks/alibaba", event_bytes("alibaba/ai-media-audit-complete"), token=token,
        headers=headers, domain_name="abc123.execute-api.ap-southeast-1.amazonaws.com",
    )  # fmt: skip


def status(app: Any, event: dict[str, Any]) -> int:
    return int(app.lambda_handler(event, FakeLambdaContext())["statusCode"])


def test_with_a_key_set_the_signature_is_required_and_the_token_is_not_enough(
    aws: dict[str, Any],
) -> None:
    set_secret(aws, {"token": TOKEN, "alibaba": {"auth_key": "current-key"}})
    app = load_app()
    assert status(app, alibaba_event("current-key")) == 200
    assert status(app, alibaba_event(None, token=TOKEN)) == 401
    assert status(app, alibaba_event("wrong-key", token=TOKEN)) == 401
    assert status(app, alibaba_event("current-key", ts=int(time.time()) - 600)) == 401


def test_without_a_key_the_token_still_serves_a_signed_vendor(aws: dict[str, Any]) -> None:
    app = load_app()
    assert status(app, alibaba_event(None, token=TOKEN)) == 200
    assert status(app, alibaba_event(None, token="wrong")) == 401


def test_a_rotated_key_accepts_the_previous_key_until_the_next_rotation(
    aws: dict[str, Any],
) -> None:
    set_secret(aws, {"token": TOKEN, "alibaba": {"auth_key": "old-key"}})
    set_secret(aws, {"token": TOKEN, "alibaba": {"auth_key": "new-key"}})
    app = load_app()
    assert status(app, alibaba_event("new-key")) == 200
    assert status(app, alibaba_event("old-key")) == 200  # AWSPREVIOUS: senders switch with a delay
    set_secret(aws, {"token": TOKEN, "alibaba": {"auth_key": "newer-key"}})
    app = load_app()
    assert status(app, alibaba_event("old-key")) == 401


def test_a_signed_callback_verifies_against_a_configured_public_base_url(
    aws: dict[str, Any],
) -> None:
    set_secret(aws, {"token": TOKEN, "volcengine": {"private_key": "pk"}})
    app = load_app()
    body = event_bytes("volcengine/workflow-complete")
    stamp = str(int(time.time()))
    url = "https://callbacks.example.com/callbacks/volcengine"
    headers = {
        "X-VOD-TIMESTAMP": stamp,
        "X-VOD-SIGNATURE": XVOD_BODY.signature_of(url, stamp, "pk", body),
    }
    event = callback_event("/callbacks/volcengine", body, token=None, headers=headers)
    assert status(app, event) == 401  # the API's URL alone does not match
    event = callback_event(
        "/callbacks/volcengine", body, token=None, headers=headers,
        stage_variables={"publicBaseUrls": "none,https://callbacks.example.com"},
    )  # fmt: skip
    assert status(app, event) == 200
