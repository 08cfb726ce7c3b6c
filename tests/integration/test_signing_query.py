"""A signature over a callback URL with a query verifies for the query as the sender wrote it,
although API Gateway's REST events hold only its decoded parameters: driven through the handler
with Alibaba's real signature (XVOD_URL.sign, as `make send` signs)."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

from harness import load_app, scan
from helpers import TOKEN, callback_event, event_bytes
from inprocess.apigw import FakeLambdaContext
from media_callbacks.signing import XVOD_URL

DOMAIN = "abc123.execute-api.ap-southeast-1.amazonaws.com"
API = f"https://{DOMAIN}/v1"
KEY = {"auth_key": "ali-key"}


@pytest.fixture
def app(aws: dict[str, Any]) -> Any:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=aws["secret_arn"], SecretString=json.dumps({"token": TOKEN, "alibaba": KEY})
    )
    return load_app()


def post_signed(app: Any, query: str, signed_query: str | None = None) -> int:
    """Alibaba's callback to /callbacks/alibaba?<query>, signed over the URL with
    `signed_query` (the console's URL) or, by default, the query sent."""
    url = f"{API}/callbacks/alibaba?{query if signed_query is None else signed_query}"
    headers = XVOD_URL.sign(url, b"", KEY, time.time())
    body = event_bytes("alibaba/ai-media-audit-complete")
    event = callback_event(
        "/callbacks/alibaba", body, token=None, headers=headers, query=query, domain_name=DOMAIN
    )
    return int(app.lambda_handler(event, FakeLambdaContext())["statusCode"])


@pytest.mark.parametrize(
    "query",
    [
        "next=/vod/callbacks/done",  # a slash, unescaped
        "at=2026-03-02T08:15:09",  # colons
        "scenes=porn,terrorism",  # commas
        "return=https://example.com/a/b?x=1",  # a URL as a value, as typed
        "flag",  # a bare flag
        "from=vod&flag",  # a bare flag after a value
        "a=1&b=2&a=3",  # a repeated key around another
        "b=2&a=1",  # keys in any order
        "name=a%20b&path=%2Fin%2Fclip.mp4",  # percent-encoded, as an encoder wrote it
        "name=a+b",  # a space as a form writes it
    ],
)
def test_an_alibaba_signature_verifies_over_the_query_as_the_sender_wrote_it(
    app: Any, aws: dict[str, Any], query: str
) -> None:
    assert post_signed(app, query) == 200
    assert [item["vendor"] for item in scan(aws["dynamodb"])] == ["alibaba"]


def test_a_signature_over_another_query_is_still_refused(app: Any, aws: dict[str, Any]) -> None:
    assert post_signed(app, "a=1&b=2&a=3", signed_query="a=1&b=2&a=4") == 401
    assert post_signed(app, "flag", signed_query="flag=1") == 401
    assert post_signed(app, "next=/a", signed_query="next=/b") == 401
    assert scan(aws["dynamodb"]) == []


def test_the_reconstructions_are_bounded_and_the_order_received_comes_first() -> None:
    from media_callbacks.signing import MAX_QUERIES, queries

    six = queries([(f"k{i}", [f"/v{i}:"]) for i in range(6)])  # 720 orders, each 5 ways
    assert len(six) == MAX_QUERIES
    assert six[0] == "k0=/v0:&k1=/v1:&k2=/v2:&k3=/v3:&k4=/v4:&k5=/v5:"
    many = queries([(f"k{i}", [f"/v{i}:", ""]) for i in range(40)])  # the order received only
    assert 1 < len(many) <= 10
    assert all(query.startswith(("k0=", "k0%")) for query in many)
    assert queries([]) == ("",)
