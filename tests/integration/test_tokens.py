"""Per-vendor tokens in the callback secret's JSON form, and the token kept out of every log."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from harness import load_app, scan
from helpers import TOKEN, callback_event, event_bytes
from inprocess.apigw import FakeLambdaContext

UMEDIA_ONLY = "umedia-only-token-0123"
SHARED = "shared-token-4567"

Status = Callable[[str, str], int]


def status_with(app: Any) -> Status:
    def status(route: str, token: str) -> int:
        name = "umedia/transcode" if "umedia" in route else "ctyun/transcode-complete"
        event = callback_event(route, event_bytes(name), token=token)
        return int(app.lambda_handler(event, FakeLambdaContext())["statusCode"])

    return status


def set_secret(aws: dict[str, Any], value: str) -> None:
    boto3.client("secretsmanager").put_secret_value(SecretId=aws["secret_arn"], SecretString=value)


def test_a_vendor_token_opens_only_that_vendors_routes(aws: dict[str, Any]) -> None:
    set_secret(aws, json.dumps({"token": SHARED, "tokens": {"umedia": UMEDIA_ONLY}}))
    status = status_with(load_app())
    assert status("/callbacks/umedia/transcode", UMEDIA_ONLY) == 200
    assert status("/callbacks/umedia", UMEDIA_ONLY) == 200
    assert status("/callbacks/umedia/transcode", SHARED) == 401  # its own token replaces it
    assert status("/callbacks/ctyun", SHARED) == 200
    assert status("/callbacks/ctyun", UMEDIA_ONLY) == 401  # a leaked UMedia URL opens nothing else


def test_rotating_from_a_plain_token_to_per_vendor_tokens_loses_no_callback(
    aws: dict[str, Any],
) -> None:
    set_secret(aws, json.dumps({"tokens": {"umedia": UMEDIA_ONLY, "ctyun": "ctyun-token-89"}}))
    status = status_with(load_app())
    assert status("/callbacks/umedia/transcode", UMEDIA_ONLY) == 200
    assert status("/callbacks/ctyun", "ctyun-token-89") == 200
    assert status("/callbacks/ctyun", TOKEN) == 200  # AWSPREVIOUS: the plain token, until rotated
    assert status("/callbacks/ctyun", UMEDIA_ONLY) == 401


@pytest.mark.parametrize(
    "secret",
    ["{not json", '{"tokens": ["a"]}', '{"token": 5}', '{"tokens": {"umedia": ""}}'],
)
def test_a_malformed_secret_is_503_and_an_error_log_not_a_silent_401(
    aws: dict[str, Any], secret: str, log_lines: io.StringIO
) -> None:
    set_secret(aws, secret)
    status = status_with(load_app())
    assert status("/callbacks/umedia/transcode", TOKEN) == 503
    assert "callback secret" in log_lines.getvalue()
    assert secret not in log_lines.getvalue()
    assert scan(aws["dynamodb"]) == []


def test_local_keys_stand_in_for_the_secret(aws: dict[str, Any]) -> None:
    keys = json.dumps({"tokens": {"umedia": UMEDIA_ONLY}})
    app = load_app({"CALLBACK_TOKEN_SECRET": "", "CALLBACK_TOKEN": SHARED, "CALLBACK_KEYS": keys})
    status = status_with(app)
    assert status("/callbacks/umedia/transcode", UMEDIA_ONLY) == 200
    assert status("/callbacks/umedia/transcode", SHARED) == 401
    assert status("/callbacks/ctyun", SHARED) == 200


def test_the_local_run_builds_the_secret_from_callback_keys() -> None:
    from local_stack.stack import secret_text

    assert secret_text("t", None) == "t"
    assert json.loads(secret_text("t", '{"tokens": {"ctyun": "c"}}')) == {
        "token": "t",
        "tokens": {"ctyun": "c"},
    }
    with pytest.raises(SystemExit, match="CALLBACK_KEYS"):
        secret_text("t", "{oops")


def test_event_logging_on_never_logs_the_token(
    aws: dict[str, Any], log_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    app = load_app()
    for via in ("query", "header"):
        event = callback_event("/callbacks/umedia/transcode", b"{}", via=via)
        event["multiValueQueryStringParameters"] = {"token": [TOKEN]}
        event["multiValueHeaders"] = {"X-Callback-Token": [TOKEN]}
        app.lambda_handler(event, FakeLambdaContext())
    logged = log_lines.getvalue()
    assert '"httpMethod":"POST"' in logged  # the event was logged
    assert "(redacted)" in logged
    assert TOKEN not in logged
