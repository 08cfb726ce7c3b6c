"""Huawei Cloud and Baidu AI Cloud through the real handler on moto: every fixture stored with the
token, GET /tasks showing the findings with their frame times; with keys in the secret the
signature is required (a token alone is 401, a stale or forged one too), except on Baidu's VCR
route, which signs nothing and keeps the token."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from harness import Invoke, load_app, scan
from helpers import EVENTS, TOKEN, callback_event, event_bytes
from inprocess.apigw import FakeLambdaContext, proxy_event
from media_callbacks.items import stored_bytes
from media_callbacks.signing import BAIDU_VOD, HUAWEI_MODERATION, HUAWEI_VOD

DOMAIN = "abc123.execute-api.ap-southeast-1.amazonaws.com"
KEYS = {
    "token": TOKEN,
    "huawei-vod": {"key": "hw-vod-key"},
    "huawei-moderation": {"seed": "demo_seed_01"},
    "baidu": {"user": "0123456789abcdef0123456789abcdef", "key": "baidu-key"},
}


def route(path: Path) -> str:
    return f"/callbacks/{path.parent.name}" + ("/vcr" if path.stem.startswith("vcr-") else "")


FIXTURES = sorted(
    p
    for vendor in ("huawei-vod", "huawei-moderation", "baidu")
    for p in (EVENTS / vendor).glob("*.json")
)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_example_is_stored_with_the_token(
    invoke: Invoke, aws: dict[str, Any], path: Path
) -> None:
    body = path.read_bytes()
    status, answer = invoke(callback_event(route(path), body))
    assert (status, answer["status"], answer["vendor"]) == (200, "stored", path.parent.name)
    [item] = [i for i in scan(aws["dynamodb"]) if i["pk"].startswith("TASK#")]
    assert stored_bytes(item["payload"], item.get("payload_encoding")) == body  # text or gzip
    assert item["flagged"] is answer["flagged"]
    assert item["decided_by"] == "machine"  # none of these senders sends a human review
    assert invoke(callback_event(route(path), body))[1]["status"] == "duplicate"


def test_tasks_shows_huawei_moderation_frames_by_their_time(invoke: Invoke) -> None:
    assert (
        invoke(
            callback_event(
                "/callbacks/huawei-moderation", event_bytes("huawei-moderation/job-strings")
            )
        )[0]
        == 200
    )
    status, answer = invoke(proxy_event("GET", "/tasks/huawei-moderation/01772438109_a1b2c3d4e5f8"))
    assert status == 200
    [result] = answer["results"]
    found = [(f["category"], f["time"], f["image_url"]) for f in result["moderation"]["findings"]]
    assert found == [("sexy", 20.0, None), ("terrorism", 35.5, None), ("others", 40.0, None),
                     ("politics", 50.0, None), ("others", 3.2, None)]  # fmt: skip
    assert result["result"]["frame_times"] == [20.0, 35.5, 40.0, 50.0]


# --- with keys in the secret --------------------------------------------------------------------


@pytest.fixture
def signed_app(aws: dict[str, Any]) -> Any:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=aws["secret_arn"], SecretString=json.dumps(KEYS)
    )
    return load_app()


def post(
    app: Any, path: str, body: bytes, headers: dict[str, str], token: str | None = None
) -> int:
    event = callback_event(path, body, token=token, headers=headers, domain_name=DOMAIN)
    return int(app.lambda_handler(event, FakeLambdaContext())["statusCode"])


def test_huawei_vod_signed_stored_and_a_token_stale_or_forged_one_refused(
    signed_app: Any, aws: dict[str, Any]
) -> None:
    body = event_bytes("huawei-vod/review-complete")
    signed = HUAWEI_VOD.sign("", body, KEYS["huawei-vod"], time.time())
    assert post(signed_app, "/callbacks/huawei-vod", body, {}, TOKEN) == 401
    stale = HUAWEI_VOD.sign("", body, KEYS["huawei-vod"], time.time() - 400)
    assert post(signed_app, "/callbacks/huawei-vod", body, stale) == 401
    assert (
        post(signed_app, "/callbacks/huawei-vod", body.replace(b"0.9931", b"0.0931"), signed) == 401
    )
    assert scan(aws["dynamodb"]) == []  # nothing stored
    assert post(signed_app, "/callbacks/huawei-vod", body, signed) == 200
    [item] = scan(aws["dynamodb"])
    assert (item["task_id"], item["flagged"]) == ("6f1e2d3c4b5a69788796a5b4c3d2e1f0", True)


@pytest.mark.parametrize("encoding", ["hex", "base64"])
def test_huawei_moderation_signed_in_hex_or_base64(signed_app: Any, encoding: str) -> None:
    body = event_bytes("huawei-moderation/job-succeeded")
    signature = HUAWEI_MODERATION.sign("", body, KEYS["huawei-moderation"], 0)["X-Auth-Signature"]
    if encoding == "base64":
        signature = base64.b64encode(bytes.fromhex(signature)).decode()
    assert post(signed_app, "/callbacks/huawei-moderation", body, {}, TOKEN) == 401
    assert (
        post(signed_app, "/callbacks/huawei-moderation", body, {"X-Auth-Signature": "0" * 64})
        == 401
    )
    assert (
        post(signed_app, "/callbacks/huawei-moderation", body, {"X-Auth-Signature": signature})
        == 200
    )


def test_baidu_vod_signed_for_its_url_and_vcr_with_the_token(
    signed_app: Any, aws: dict[str, Any]
) -> None:
    body = event_bytes("baidu/regulation-complete")
    url = f"https://{DOMAIN}/v1/callbacks/baidu"
    signed = BAIDU_VOD.sign(url, body, KEYS["baidu"], time.time())
    assert post(signed_app, "/callbacks/baidu", body, {}, TOKEN) == 401
    other_url = BAIDU_VOD.sign(
        f"https://{DOMAIN}/v1/callbacks/other", body, KEYS["baidu"], time.time()
    )
    assert post(signed_app, "/callbacks/baidu", body, other_url) == 401
    stale = BAIDU_VOD.sign(url, body, KEYS["baidu"], time.time() - 301)
    assert post(signed_app, "/callbacks/baidu", body, stale) == 401
    assert post(signed_app, "/callbacks/baidu", body, signed) == 200
    vcr = event_bytes("baidu/vcr-finished")  # unsigned by the vendor: the URL's token
    assert post(signed_app, "/callbacks/baidu/vcr", vcr, signed) == 401
    assert post(signed_app, "/callbacks/baidu/vcr", vcr, {}, TOKEN) == 200
    tasks = sorted(i["task_id"] for i in scan(aws["dynamodb"]) if i["pk"].startswith("TASK#"))
    assert tasks == ["tsk-demo00000000001", "vod://mda-demo0000000001"]


def test_a_signed_route_with_a_body_it_cannot_read_is_refused_not_stored(
    signed_app: Any, aws: dict[str, Any]
) -> None:
    """Huawei Moderation signs fields of the body: a body that is not JSON carries no signed
    fields, so it cannot be authenticated (401, as the contract says for a signature)."""
    assert (
        post(
            signed_app, "/callbacks/huawei-moderation", b"\xff not json", {"X-Auth-Signature": "x"}
        )
        == 401
    )
    assert scan(aws["dynamodb"]) == []
