"""The moderation specialists through the real handler on moto: form bodies stored raw and
parsed from their field, form signatures required once keys are set (a token alone, a wrong key
or a changed byte is 401, nothing stored), the answers Yidun and Shumei read, and a vendor's
review that clears a flagged result visible in GET /tasks."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import boto3
import pytest

from harness import Invoke, load_app, scan
from helpers import TOKEN, callback_event, compact, event_json, sent_body
from inprocess.apigw import FakeLambdaContext, proxy_event
from media_callbacks.body import form_body
from media_callbacks.signing import ALIYUN_GREEN_CHECKSUM, YIDUN_SIGNATURE

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
KEYS = {
    "aliyun-green": {"uid": "1234567890123456", "seed": "demoSeed_2026"},
    "yidun": {"secret_id": "d2f1c0b9a8e7d6c5b4a3f2e1d0c9b8a7", "secret_key": "k" * 32},
}
SCHEMES = {"aliyun-green": ALIYUN_GREEN_CHECKSUM, "yidun": YIDUN_SIGNATURE}


def tasks(invoke: Invoke, vendor: str, task_id: str) -> list[dict[str, Any]]:
    status, listing = invoke(proxy_event("GET", f"/tasks/{vendor}/{quote(task_id, safe='')}"))
    assert status == 200, listing
    return list(listing["results"])


@pytest.mark.parametrize(
    ("name", "task_id"),
    [("aliyun-green/scan-porn", "vi5Xk2wq9Zb3T4a8Pq1r-1uNxyz"),
     ("yidun/machine-porn", "fx6sxdcd89fvbvg4967b4787d78a1b2c")],
)  # fmt: skip
def test_a_form_is_stored_as_sent_and_parsed_from_its_field(
    invoke: Invoke, name: str, task_id: str
) -> None:
    vendor, body = name.partition("/")[0], sent_body(name)
    status, answer = invoke(callback_event(f"/callbacks/{vendor}", body, headers=FORM))
    assert (status, answer["status"], answer["task_id"], answer["flagged"]) == (
        200, "stored", task_id, True,
    )  # fmt: skip
    [item] = tasks(invoke, vendor, task_id)
    assert item["payload"].encode() == body  # the raw form, not the JSON inside it
    assert (item["decided_by"], item["moderation"]["suggestion"]) == ("machine", "block")
    again = invoke(callback_event(f"/callbacks/{vendor}", body, headers=FORM))[1]
    assert again["status"] == "duplicate"


def test_yidun_reads_code_200_in_every_2xx_answer(invoke: Invoke) -> None:
    body = sent_body("yidun/review-pass")
    for expected in ("stored", "duplicate"):
        status, answer = invoke(callback_event("/callbacks/yidun", body, headers=FORM))
        assert (status, answer["status"], answer["code"], answer["msg"]) == (
            200, expected, 200, "ok",
        )  # fmt: skip


def test_shumeis_review_route_answers_code_1100_and_its_machine_route_does_not(
    invoke: Invoke,
) -> None:
    review = json.dumps(event_json("shumei/review-reject"))
    status, answer = invoke(callback_event("/callbacks/shumei/review", review))
    assert (status, answer["code"], answer["flagged"]) == (200, 1100, True)
    status, answer = invoke(
        callback_event("/callbacks/shumei", json.dumps(event_json("shumei/machine-reject")))
    )
    assert (status, "code" in answer) == (200, False)
    status, answer = invoke(callback_event("/callbacks/shumei/other", review))
    assert (status, answer["error"]) == (
        400, "kind: unknown Shumei kind 'other'; use one of review",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "error"),
    [(b"checksum=1", "content: missing; expected a form"),
     (b"content=%7Bnope", "content: not valid JSON"),
     (b"content=%FF", "content: not valid UTF-8 once URL-decoded"),
     (b'{"taskId": "a JSON body, not a form"}', "content: missing")],
)  # fmt: skip
def test_a_bad_form_is_answered_400_naming_the_field_and_kept_as_sent(
    invoke: Invoke, aws: dict[str, Any], body: bytes, error: str
) -> None:
    status, answer = invoke(callback_event("/callbacks/aliyun-green", body, headers=FORM))
    assert (status, answer["status"]) == (400, "rejected")
    assert answer["error"].startswith(error)
    [item] = [i for i in scan(aws["dynamodb"]) if i.get("rejection_id") == answer["rejection_id"]]
    assert item["body"].encode() == body


def signed_app(aws: dict[str, Any]) -> Any:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=aws["secret_arn"], SecretString=json.dumps({"token": TOKEN, **KEYS})
    )
    return load_app()


def post(app: Any, vendor: str, body: bytes, token: str | None = None) -> tuple[int, Any]:
    event = callback_event(f"/callbacks/{vendor}", body, token=token, headers=FORM)
    response = app.lambda_handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize(
    ("vendor", "name"), [("aliyun-green", "scan-porn"), ("yidun", "machine-porn")]
)
def test_with_keys_set_the_form_signature_is_required(
    aws: dict[str, Any], vendor: str, name: str
) -> None:
    app, scheme = signed_app(aws), SCHEMES[vendor]
    unsigned = sent_body(f"{vendor}/{name}")
    signed = scheme.signed_body(unsigned, KEYS[vendor])
    assert post(app, vendor, unsigned, TOKEN)[0] == 401  # a token alone is not enough
    wrong = {**KEYS[vendor], "seed": "x", "secret_key": "x" * 32}
    assert post(app, vendor, scheme.signed_body(unsigned, wrong))[0] == 401
    changed = signed.replace(b"99", b"98", 1)
    assert changed != signed
    assert post(app, vendor, changed)[0] == 401
    assert [i for i in scan(aws["dynamodb"]) if i["pk"].startswith("TASK#")] == []
    status, answer = post(app, vendor, signed)
    assert (status, answer["status"], answer["flagged"]) == (200, "stored", True)


def test_a_checksum_in_sm3_verifies_too(aws: dict[str, Any]) -> None:
    app = signed_app(aws)
    content = compact(event_json("aliyun-green/scan-porn"))
    sm3 = "e48dec613671920bdf5837e32dad9e299a829b630b1d8b1c0df656f002d6375c"  # the sheet's
    assert post(app, "aliyun-green", form_body({"checksum": sm3, "content": content}))[0] == 200


@pytest.mark.parametrize(
    ("machine", "review", "review_route"),
    [("aliyun-green/scan-porn", "aliyun-green/review-human-pass", "/callbacks/aliyun-green"),
     ("yidun/machine-porn", "yidun/review-pass", "/callbacks/yidun"),
     ("shumei/machine-reject", "shumei/review-pass", "/callbacks/shumei/review")],
)  # fmt: skip
def test_a_vendor_review_that_clears_a_flagged_result_is_a_revision_get_tasks_shows(
    invoke: Invoke, machine: str, review: str, review_route: str
) -> None:
    vendor = machine.partition("/")[0]
    machine_route = f"/callbacks/{vendor}"
    first = invoke(callback_event(machine_route, sent_body(machine), headers=FORM))[1]
    second = invoke(callback_event(review_route, sent_body(review), headers=FORM))[1]
    assert (first["flagged"], second["status"], second["flagged"]) == (True, "stored", False)
    [current] = tasks(invoke, vendor, first["task_id"])
    assert (current["revision"], current["decided_by"], current["flagged"]) == (
        2, "vendor_review", False,
    )  # fmt: skip
    assert current["moderation"]["suggestion"] == "pass"


def test_a_review_before_its_machine_result_then_the_machine_result_are_both_revisions(
    invoke: Invoke, aws: dict[str, Any]
) -> None:
    review = invoke(
        callback_event("/callbacks/yidun", sent_body("yidun/review-pass"), headers=FORM)
    )
    machine = invoke(
        callback_event("/callbacks/yidun", sent_body("yidun/machine-porn"), headers=FORM)
    )
    assert (review[1]["status"], machine[1]["status"]) == ("stored", "stored")
    [item] = [i for i in scan(aws["dynamodb"]) if i["pk"].startswith("TASK#yidun#")]
    assert (item["revision"], item["decided_by"], item["flagged"]) == (2, "machine", True)
