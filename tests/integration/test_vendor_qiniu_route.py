"""Qiniu's route through CallbackFunction: Qiniu and QBox signatures, the token when no keys
are set."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from harness import Invoke, load_app, scan
from helpers import TOKEN, callback_event, event_bytes
from inprocess.apigw import FakeLambdaContext
from media_callbacks.signing import QBOX, QINIU, QINIU_OR_QBOX, SignedRequest

DOMAIN = "abc123.execute-api.ap-southeast-1.amazonaws.com"


KEYS = {"access_key": "AK", "secret_key": "SK"}


JSON = {"Content-Type": "application/json"}


FORGED_PASS = json.dumps(
    {"id": "any-task", "status": "FINISHED", "result": {"code": 200, "suggestion": "pass"}}
).encode()


def signed_app(aws: dict[str, Any]) -> Any:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=aws["secret_arn"], SecretString=json.dumps({"token": TOKEN, "qiniu": KEYS})
    )
    return load_app()


def post_censor(app: Any, headers: dict[str, str], *, path: str = "/callbacks/qiniu/censor",
                query: str = "", body: bytes = FORGED_PASS) -> int:  # fmt: skip
    event = callback_event(path, body, token=None, headers=headers, query=query,
                           domain_name=DOMAIN)  # fmt: skip
    if "Content-Type" not in headers:  # sent without one
        del event["headers"]["Content-Type"], event["multiValueHeaders"]["Content-Type"]
    return int(app.lambda_handler(event, FakeLambdaContext())["statusCode"])


def test_a_signed_censor_callback_is_stored_and_a_token_alone_is_refused(
    aws: dict[str, Any],
) -> None:
    keys = {"access_key": "AK", "secret_key": "SK"}
    boto3.client("secretsmanager").put_secret_value(
        SecretId=aws["secret_arn"], SecretString=json.dumps({"token": TOKEN, "qiniu": keys})
    )
    app = load_app()
    body = event_bytes("qiniu/censor")
    domain = "abc123.execute-api.ap-southeast-1.amazonaws.com"
    headers = QINIU_OR_QBOX.sign(f"https://{domain}/v1/callbacks/qiniu/censor", body, keys, 0)

    def post(headers: dict[str, str], token: str | None) -> dict[str, Any]:
        event = callback_event("/callbacks/qiniu/censor", body, token=token, headers=headers,
                               domain_name=domain)  # fmt: skip
        return app.lambda_handler(event, FakeLambdaContext())  # type: ignore[no-any-return]

    answer = post(headers, None)
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["flagged"] is True
    assert post({}, TOKEN)["statusCode"] == 401


def test_a_pfop_notify_with_the_token_when_no_keys_are_set(invoke: Invoke) -> None:
    status, body = invoke(callback_event("/callbacks/qiniu/pfop", event_bytes("qiniu/pfop")))
    assert (status, body["kind"], body["task_id"]) == (
        200, "transcode", "z0.01z001cmn8vl7ubm2r00mvgv2e000g1x",
    )  # fmt: skip
    status, body = invoke(callback_event("/callbacks/qiniu", event_bytes("qiniu/pfop")))
    assert (status, body["error"]) == (  # no bare route: the kind is part of the URL
        400, "kind: Qiniu callbacks need a kind in the path: /callbacks/qiniu/pfop or "
        "/callbacks/qiniu/censor",
    )  # fmt: skip


@pytest.mark.parametrize("content_type", ["application/octet-stream", None])
def test_a_qiniu_signature_that_does_not_cover_the_body_is_refused(
    aws: dict[str, Any], content_type: str | None
) -> None:
    """Qiniu's SDKs sign no body for octet-stream or without a Content-Type: such a signature,
    captured once, would store any forged verdict for any task."""
    app = signed_app(aws)
    headers = {"content-type": content_type} if content_type else {}
    unsigned_body = SignedRequest("POST", "", "", headers, FORGED_PASS, ())
    url = f"https://{DOMAIN}/v1/callbacks/qiniu/censor"
    authorization = f"Qiniu AK:{QINIU.digest(unsigned_body, url, 'SK')}"
    sent = {
        "Authorization": authorization,
        **({"Content-Type": content_type} if content_type else {}),
    }
    assert post_censor(app, sent) == 401
    assert scan(aws["dynamodb"]) == []  # nothing stored
    assert (
        post_censor(app, {**JSON, **QINIU_OR_QBOX.sign(url, FORGED_PASS, KEYS, 0)}) == 200
    )  # signed over JSON


def test_a_qbox_signature_over_a_json_body_counts_only_for_the_path_and_query_it_signs(
    aws: dict[str, Any],
) -> None:
    """Qiniu's SDKs check a QBox signature over a JSON body on the path alone, as a URL token:
    genuine ones are kept; moved to another route or query it is refused."""
    app = signed_app(aws)
    path_only = SignedRequest("POST", "", "", {"content-type": "application/json"}, b"", ())

    def qbox(path: str) -> dict[str, str]:
        signature = QBOX.digest(path_only, f"https://{DOMAIN}/v1{path}", "SK")
        return {**JSON, "Authorization": f"QBox AK:{signature}"}

    censor = event_bytes("qiniu/censor")
    assert post_censor(app, qbox("/callbacks/qiniu/censor"), body=censor) == 200
    assert post_censor(app, qbox("/callbacks/qiniu/censor?job=1"), query="job=1") == 200
    assert post_censor(app, qbox("/callbacks/qiniu/pfop"), body=censor) == 401
    assert post_censor(app, qbox("/callbacks/qiniu/censor"), query="job=1") == 401
    assert post_censor(app, qbox("/callbacks/qiniu/censor?job=1"), query="job=2") == 401
