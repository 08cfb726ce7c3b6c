"""Signed vendors through CallbackFunction: which of the token and the signature a route
takes, key rotation, the public base URL."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3

from harness import load_app
from helpers import TOKEN, callback_event, event_bytes
from inprocess.apigw import FakeLambdaContext
from media_callbacks.signing import XVOD_BODY, XVOD_URL


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
