"""Callbacks reach their route and verify through every public URL of the API: a custom domain
mapped with a base path (API Gateway's `path` then carries the base path, `resource` does not)
and the HTTP front door over http and https."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

from harness import load_app, scan
from helpers import TOKEN, callback_event, event_bytes
from inprocess.apigw import FakeLambdaContext
from media_callbacks.signing import QINIU_OR_QBOX, XVOD_URL

CUSTOM = "hooks.example.com"
FRONT = "d111111abcdef8.cloudfront.net"
KEYS = {"alibaba": {"auth_key": "ali-key"}, "qiniu": {"access_key": "AK", "secret_key": "SK"}}


@pytest.fixture
def app(aws: dict[str, Any]) -> Any:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=aws["secret_arn"], SecretString=json.dumps({"token": TOKEN, **KEYS})
    )
    return load_app()


def through_custom_domain(event: dict[str, Any], base_path: str) -> dict[str, Any]:
    """The event as API Gateway builds it for https://hooks.example.com<base_path><route>: the
    base path in `path` and `requestContext.path`, the route in `resource`."""
    event["path"] = base_path + event["path"]
    event["requestContext"] |= {"path": event["path"], "domainName": CUSTOM}
    return event


def answer(app: Any, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = app.lambda_handler(event, FakeLambdaContext())
    return int(response["statusCode"]), json.loads(response["body"])


def test_a_token_callback_through_a_custom_domain_with_a_base_path_is_stored(
    app: Any, aws: dict[str, Any]
) -> None:
    event = callback_event("/callbacks/umedia/transcode", event_bytes("umedia/transcode"))
    status, body = answer(app, through_custom_domain(event, "/media"))
    assert (status, body.get("status"), body.get("kind")) == (200, "stored", "transcode")
    event = callback_event("/callbacks/ctyun", event_bytes("ctyun/transcode-complete"))
    status, body = answer(app, through_custom_domain(event, "/media/v2"))  # a two-level base
    assert (status, body.get("vendor")) == (200, "ctyun")
    stored = sorted((item["vendor"], item["kind"]) for item in scan(aws["dynamodb"]))
    assert stored == [("ctyun", "transcode"), ("umedia", "transcode")]


@pytest.mark.parametrize("configured", ["", "https://hooks.example.com/media"])
def test_a_signed_callback_through_a_custom_domain_with_a_base_path_verifies(
    app: Any, configured: str
) -> None:
    """Signed for the URL the vendor was given, base path once; with or without the custom
    domain in PublicBaseUrls (the request itself names the domain and its base path)."""
    url = f"https://{CUSTOM}/media/callbacks/alibaba"
    headers = XVOD_URL.sign(url, b"", KEYS["alibaba"], time.time())
    body = event_bytes("alibaba/ai-media-audit-complete")
    event = callback_event(
        "/callbacks/alibaba", body, token=None, headers=headers,
        stage_variables={"publicBaseUrls": f"none,{configured}"},
    )  # fmt: skip
    status, _ = answer(app, through_custom_domain(event, "/media"))
    assert status == 200
    body = event_bytes("qiniu/censor")
    signed = QINIU_OR_QBOX.sign(
        f"https://{CUSTOM}/media/callbacks/qiniu/censor", body, KEYS["qiniu"], 0
    )
    event = callback_event("/callbacks/qiniu/censor", body, token=None, headers=signed)
    status, answered = answer(app, through_custom_domain(event, "/media"))
    assert (status, answered["flagged"]) == (200, True)


def test_a_signature_over_a_doubled_or_missing_base_path_is_refused(app: Any) -> None:
    body = event_bytes("alibaba/ai-media-audit-complete")
    for url in (
        f"https://{CUSTOM}/media/media/callbacks/alibaba",
        f"https://{CUSTOM}/callbacks/alibaba",
        f"https://{CUSTOM}/v1/callbacks/alibaba",
    ):
        headers = XVOD_URL.sign(url, b"", KEYS["alibaba"], time.time())
        event = callback_event("/callbacks/alibaba", body, token=None, headers=headers)
        assert answer(app, through_custom_domain(event, "/media"))[0] == 401, url


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_signed_callback_through_the_front_door_verifies_over_http_and_https(
    app: Any, scheme: str
) -> None:
    """The template's stage variable names the front door as http://<distribution>; it
    answers both schemes, and the vendor may have been given either."""
    url = f"{scheme}://{FRONT}/callbacks/alibaba"
    headers = XVOD_URL.sign(url, b"", KEYS["alibaba"], time.time())
    event = callback_event(
        "/callbacks/alibaba", event_bytes("alibaba/ai-media-audit-complete"), token=None,
        headers=headers, domain_name="abc123.execute-api.ap-southeast-1.amazonaws.com",
        stage_variables={"publicBaseUrls": f"http://{FRONT},"},
    )  # fmt: skip
    assert answer(app, event)[0] == 200
