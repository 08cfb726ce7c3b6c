"""Signed vendors: the schemes with the fact sheets' worked examples, freshness, wrong keys, a
changed body, the URLs a signature may cover, rotation, and the handler's 401 when a key is set."""

from __future__ import annotations

import hmac
from typing import Any

import pytest

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
