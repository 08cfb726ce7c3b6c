"""No vendor's signature header is kept where others can read it: not in a rejected item's
`headers`, not in a retry-queue message, not in a logged event. A `QBox` signature over a JSON
body covers the path alone and never expires: whoever reads one could sign any body with it."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import boto3
import pytest

from harness import load_app, scan
from helpers import TOKEN, callback_event, event_bytes
from inprocess.apigw import FakeLambdaContext
from media_callbacks import retry
from media_callbacks.signing import QBOX, XVOD_URL, SignedRequest

DOMAIN = "abc123.execute-api.ap-southeast-1.amazonaws.com"
API = f"https://{DOMAIN}/v1"
KEYS = {"alibaba": {"auth_key": "ali-key"}, "qiniu": {"access_key": "AK", "secret_key": "SK"}}
# the signature headers of the vendors to come (DESIGN.md), sent here to a token route
COMING = {
    "auth_sign": "huawei-vod-sign-a1b2",
    "auth_timestamp": "1800000000",
    "X-Auth-Signature": "huawei-moderation-sign-c3d4",
    "vod-callback-auth-user": "baidu-user",
    "vod-callback-auth-timestamp": "1800000000",
    "vod-callback-auth-token": "baidu-sign-e5f6",
}


def set_keys(aws: dict[str, Any]) -> None:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=aws["secret_arn"], SecretString=json.dumps({"token": TOKEN, **KEYS})
    )


def qbox(path: str) -> dict[str, str]:
    """A `QBox` header as Qiniu signs a JSON callback: over the path alone."""
    request = SignedRequest("POST", "", "", {"content-type": "application/json"}, b"", ())
    signature = QBOX.digest(request, API + path, "SK")
    return {"Authorization": f"QBox AK:{signature}"}


def signed_posts(body: bytes) -> list[dict[str, Any]]:
    """The same body posted by each signed vendor and with the coming vendors' headers."""
    vod = XVOD_URL.sign(f"{API}/callbacks/alibaba", b"", KEYS["alibaba"], time.time())
    return [
        callback_event("/callbacks/qiniu/censor", body, token=None,
                       headers=qbox("/callbacks/qiniu/censor"), domain_name=DOMAIN),
        callback_event("/callbacks/alibaba", body, token=None, headers=vod, domain_name=DOMAIN),
        callback_event("/callbacks/umedia/transcode", body, headers=COMING),
    ]  # fmt: skip


def kept_header_names(headers: dict[str, Any]) -> set[str]:
    return {name.lower() for name in headers}


SECRET_NAMES = {"authorization", "x-vod-timestamp", "x-vod-signature", *map(str.lower, COMING)}


def test_a_rejected_item_keeps_no_signature_header(aws: dict[str, Any]) -> None:
    set_keys(aws)
    app = load_app()
    for event in signed_posts(b"{not json"):
        event["headers"]["User-Agent"] = "vendor/1.0"
        assert app.lambda_handler(event, FakeLambdaContext())["statusCode"] == 400
    items = [item for item in scan(aws["dynamodb"]) if item["pk"].startswith("REJECTED#")]
    assert len(items) == 3
    for item in items:
        names = kept_header_names(item["headers"])
        assert "user-agent" in names  # the other headers are kept
        assert not names & SECRET_NAMES, item["vendor"]


def test_a_retry_queue_message_keeps_no_signature_header(
    aws: dict[str, Any], app_module: Any, failing_writes: list[str]
) -> None:
    set_keys(aws)  # read on the first callback, after the fixtures' cold start
    for event in signed_posts(event_bytes("qiniu/censor")):
        assert app_module.lambda_handler(event, FakeLambdaContext())["statusCode"] == 202
    messages = aws["sqs"].receive_message(QueueUrl=aws["retry_queue"], MaxNumberOfMessages=10)
    queued = [retry.decode(message["Body"]) for message in messages["Messages"]]
    assert sorted(delivery.vendor for delivery in queued) == ["alibaba", "qiniu", "umedia"]
    for delivery in queued:
        assert not kept_header_names(delivery.headers) & SECRET_NAMES, delivery.vendor


def test_event_logging_on_never_logs_a_signature_header(
    aws: dict[str, Any], log_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_keys(aws)
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    app = load_app()
    secrets = set()
    for event in signed_posts(event_bytes("qiniu/censor")):
        event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
        secrets |= {
            value
            for name, value in event["headers"].items()
            if name.lower() in SECRET_NAMES and "timestamp" not in name.lower()
        }
        app.lambda_handler(event, FakeLambdaContext())
    logged = log_lines.getvalue()
    assert '"httpMethod":"POST"' in logged  # the events were logged
    assert len(secrets) == 6
    assert [value for value in secrets if value in logged] == []
