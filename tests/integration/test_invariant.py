"""Nothing is lost: the bodies a hostile-input run found, each a named regression test.

For an authenticated request the answer is 2xx with the body stored as a result (or queued), or
4xx with the raw body stored as a rejected item; never a 5xx with nothing kept, never a crash.
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest

from harness import Invoke, scan
from helpers import TOKEN, callback_event, event_json
from inprocess.apigw import proxy_event

KIB = 1024


def rejected_bodies(aws: dict[str, Any]) -> list[bytes]:
    from media_callbacks.items import stored_bytes

    return [
        stored_bytes(item["body"], item.get("body_encoding"))
        for item in scan(aws["dynamodb"])
        if item["pk"].startswith("REJECTED#")
    ]


def task(invoke: Invoke, vendor: str, task_id: str) -> list[dict[str, Any]]:
    status, answer = invoke(proxy_event("GET", f"/tasks/{vendor}/{quote(task_id, safe='')}"))
    assert status == 200
    results: list[dict[str, Any]] = answer["results"]
    return results


def assert_kept(invoke: Invoke, aws: dict[str, Any], path: str, body: bytes) -> tuple[int, Any]:
    """The invariant for one request: stored as a result (findable) or rejected (raw body)."""
    status, answer = invoke(callback_event(path, body))
    assert status in (200, 400), (status, answer)
    if status == 400:
        assert answer["status"] == "rejected"
        assert answer["rejection_id"]
        assert body in rejected_bodies(aws)
    else:
        assert answer["status"] in ("stored", "duplicate", "ignored")
        payloads = [r["payload"] for r in task(invoke, answer["vendor"], answer["task_id"])]
        assert body.decode() in payloads
    return status, answer


def ctyun_transcode(streams: str) -> bytes:
    """A CTyun TranscodeComplete whose streamInfo is raw JSON text."""
    return (
        '{"eventType":"TranscodeComplete","taskId":"t-1","status":"SUCCESS",'
        '"transcodeInfo":{"format":"mp4","streamInfo":' + streams + "}}"
    ).encode()


# --- lone surrogates ---------------------------------------------------------------------------


@pytest.mark.parametrize("escape", ["\\ud800", "\\ud83d", "\\udfff"])
def test_a_lone_surrogate_in_the_message_is_stored_with_a_replacement_character(
    invoke: Invoke, aws: Any, escape: str
) -> None:
    body = ('{"retcode": 0, "task_id": "s1", "message": "ok ' + escape + '"}').encode()
    status, answer = assert_kept(invoke, aws, "/callbacks/umedia/transcode", body)
    assert (status, answer["status"]) == (200, "stored")
    [result] = task(invoke, "umedia", "s1")
    assert result["message"] == "ok \ufffd"
    assert result["payload"] == body.decode()  # the raw body keeps the escape as sent


def test_a_lone_surrogate_in_the_task_id_is_stored_and_findable(invoke: Invoke, aws: Any) -> None:
    body = b'{"retcode": 0, "task_id": "v\\ud83d", "dest_video_url": "http://h/a.mp4"}'
    status, answer = assert_kept(invoke, aws, "/callbacks/umedia", body)
    assert (status, answer["task_id"]) == (200, "v\ufffd")


def test_a_valid_surrogate_pair_is_kept_as_the_character(invoke: Invoke, aws: Any) -> None:
    body = b'{"retcode": 0, "task_id": "p1", "message": "\\ud83d\\ude00"}'
    assert_kept(invoke, aws, "/callbacks/umedia/transcode", body)
    assert task(invoke, "umedia", "p1")[0]["message"] == "\U0001f600"


def test_a_lone_surrogate_in_a_key_and_in_ctyun_streams(invoke: Invoke, aws: Any) -> None:
    status, _ = assert_kept(
        invoke, aws, "/callbacks/ctyun", ctyun_transcode('[{"\\udc00": "\\ud800x"}]')
    )
    assert status == 200
    [result] = task(invoke, "ctyun", "t-1")
    assert result["result"]["outputs"][0]["streams"] == [{"\ufffd": "\ufffdx"}]


def test_an_empty_key_in_ctyun_streams_is_stored(invoke: Invoke, aws: Any) -> None:
    """Found by the property test: DynamoDB refuses empty attribute names at any depth."""
    status, _ = assert_kept(invoke, aws, "/callbacks/ctyun", ctyun_transcode('[{"": null}]'))
    assert status == 200
    [result] = task(invoke, "ctyun", "t-1")
    assert result["result"]["outputs"][0]["streams"] == [{"(empty key)": None}]


# --- numbers JSON allows and Python or DynamoDB do not -----------------------------------------


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json_and_are_rejected_raw(
    invoke: Invoke, aws: Any, literal: str
) -> None:
    body = ctyun_transcode('[{"fps": ' + literal + "}]")
    status, answer = assert_kept(invoke, aws, "/callbacks/ctyun", body)
    assert status == 400
    assert literal in answer["error"]


@pytest.mark.parametrize(
    "number", ["1e400", "-1e400", "1e-400", "12345678901234567890123456789012345678901"]
)
def test_numbers_out_of_dynamodb_range_in_raw_sections_are_stored_as_text(
    invoke: Invoke, aws: Any, number: str
) -> None:
    status, _ = assert_kept(
        invoke, aws, "/callbacks/ctyun", ctyun_transcode('[{"n": ' + number + "}]")
    )
    assert status == 200
    [result] = task(invoke, "ctyun", "t-1")
    stored = result["result"]["outputs"][0]["streams"][0]["n"]
    assert isinstance(stored, str)  # DynamoDB cannot hold the number, its text is kept
    assert Decimal(stored) == Decimal(number)


def test_an_integer_of_5000_digits_is_kept(invoke: Invoke, aws: Any) -> None:
    digits = "7" * 5000
    assert_kept(invoke, aws, "/callbacks/ctyun", ctyun_transcode('[{"n": ' + digits + "}]"))
    body = ('{"retcode": 0, "task_id": "big", "file_size": ' + digits + "}").encode()
    status, answer = assert_kept(invoke, aws, "/callbacks/umedia/transcode", body)
    assert status == 400
    assert "file_size" in answer["error"]


def test_a_numeric_task_id_of_60_digits_is_its_text(invoke: Invoke, aws: Any) -> None:
    digits = "1" * 60
    body = ('{"retcode": 0, "task_id": ' + digits + ', "width": 1}').encode()
    status, answer = assert_kept(invoke, aws, "/callbacks/umedia", body)
    assert (status, answer["task_id"]) == (200, digits)


# --- nesting -------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [40, 500, 900])
def test_deep_nesting_inside_ctyun_streams_is_stored(invoke: Invoke, aws: Any, depth: int) -> None:
    streams = "[" * depth + "1" + "]" * depth
    status, _ = assert_kept(
        invoke, aws, "/callbacks/ctyun", ctyun_transcode('[{"s": ' + streams + "}]")
    )
    assert status == 200


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_nesting_deeper_than_json_can_parse_is_rejected_raw(
    invoke: Invoke, aws: Any, depth: int
) -> None:
    body = ("[" * depth + "]" * depth).encode()
    status, answer = assert_kept(invoke, aws, "/callbacks/umedia/transcode", body)
    assert status == 400
    assert "nested" in answer["error"]


# --- size ----------------------------------------------------------------------------------------


def padded_umedia(total: int) -> bytes:
    head = b'{"retcode": 0, "task_id": "big-1", "dest_video_url": "http://h/a.mp4", "message": "'
    tail = b'"}'
    return head + b"x" * (total - len(head) - len(tail)) + tail


def test_a_valid_callback_of_256_kib_is_stored_whole(invoke: Invoke, aws: Any) -> None:
    body = padded_umedia(256 * KIB)
    status, answer = assert_kept(invoke, aws, "/callbacks/umedia/transcode", body)
    assert (status, answer["status"]) == (200, "stored")
    [result] = task(invoke, "umedia", "big-1")
    assert result["payload"].encode() == body
    # the normalised copy is capped, the payload is not
    assert len(result["message"]) < 3 * KIB
    assert result["message"].endswith("characters; see the payload)")
    # and again: a duplicate, not a second revision
    assert invoke(callback_event("/callbacks/umedia/transcode", body))[1]["status"] == "duplicate"


def test_a_large_incompressible_callback_is_stored_compressed(invoke: Invoke, aws: Any) -> None:
    import random

    rng = random.Random(7)
    noise = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(200 * KIB))
    streams = json.dumps([{"blob": noise}, {"again": noise[: 50 * KIB]}])
    body = ctyun_transcode(streams)
    status, _ = assert_kept(invoke, aws, "/callbacks/ctyun", body)
    assert status == 200
    [result] = task(invoke, "ctyun", "t-1")
    assert result["payload"].encode() == body  # kept whole, compressed in the table
    assert result["capped"] == ["result"]  # the normalised copy of the streams is cut
    assert len(result["result"]["outputs"][0]["streams"][0]["blob"]) < 2 * KIB


def test_a_moderation_callback_with_thousands_of_findings_is_stored(
    invoke: Invoke, aws: Any
) -> None:
    images = [{"name": f"http://h/{i}", "rate": 0.9, "label": 0} for i in range(5000)]
    body = json.dumps({"retcode": 0, "task_id": "many", "invalid_image_list": images}).encode()
    assert len(body) < 256 * KIB
    status, answer = assert_kept(invoke, aws, "/callbacks/umedia/moderation", body)
    assert (status, answer["flagged"]) == (200, True)
    [result] = task(invoke, "umedia", "many")
    moderation = result["moderation"]
    assert moderation["suggestion"] == "block"
    assert moderation["finding_count"] == 5000
    assert len(moderation["findings"]) <= 100


def test_a_rejected_body_of_256_kib_that_is_not_utf8_is_kept(invoke: Invoke, aws: Any) -> None:
    import random

    body = random.Random(3).randbytes(256 * KIB)
    status, _ = assert_kept(invoke, aws, "/callbacks/umedia/transcode", body)
    assert status == 400


def test_a_snapshot_pattern_cannot_expand_without_bound(invoke: Invoke, aws: Any) -> None:
    times = ",".join(str(i) for i in range(20_000))
    body = (
        '{"eventType":"SnapshotComplete","taskId":"snap","status":"SUCCESS",'
        '"snapshotInfo":{"snapshotRegular":"http://h/' + "p" * 4000 + '{time}.jpg",'
        '"timeList":[' + times + "]}}"
    ).encode()
    status, _ = assert_kept(invoke, aws, "/callbacks/ctyun", body)
    assert status == 200
    [result] = task(invoke, "ctyun", "snap")
    assert result["result"]["image_count"] == 20_000


# --- events the handler must read without a crash ----------------------------------------------


def test_invalid_base64_with_a_valid_token_is_rejected_and_kept(invoke: Invoke, aws: Any) -> None:
    event = callback_event("/callbacks/umedia/transcode", b"{}")
    event["body"] = "not base64 at all!"
    status, answer = invoke(event)
    assert (status, answer["status"]) == (400, "rejected")
    assert "base64" in answer["error"]
    assert b"not base64 at all!" in rejected_bodies(aws)


@pytest.mark.parametrize("token", ["\ud800", 12345, ["x"], ""])
def test_a_strange_token_is_401(invoke: Invoke, aws: Any, token: Any) -> None:
    event = callback_event("/callbacks/umedia/transcode", b"{}", token=None)
    event["queryStringParameters"] = {"token": token}
    event["headers"]["X-Callback-Token"] = token
    assert invoke(event) == (401, {"status": "unauthorized"})
    assert scan(aws["dynamodb"]) == []


def test_a_request_context_without_identity_is_served(invoke: Invoke, aws: Any) -> None:
    event = callback_event("/callbacks/umedia/transcode", b"{bad")
    del event["requestContext"]["identity"]
    status, answer = invoke(event)
    assert (status, answer["status"]) == (400, "rejected")
    assert b"{bad" in rejected_bodies(aws)


def test_a_http_api_v2_event_is_a_clear_400(invoke: Invoke, aws: Any) -> None:
    event = {
        "version": "2.0",
        "routeKey": "POST /callbacks/umedia",
        "rawPath": "/callbacks/umedia",
        "rawQueryString": f"token={TOKEN}",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": "POST", "path": "/callbacks/umedia"}},
        "body": json.dumps(event_json("umedia/transcode")),
        "isBase64Encoded": False,
    }
    status, answer = invoke(event)
    assert status == 400
    assert answer["status"] == "rejected"
    assert "REST API" in answer["error"]


@pytest.mark.parametrize("event", [{}, {"httpMethod": "POST"}, {"path": "/x"}, {"body": 1}])
def test_events_that_are_not_api_gateway_events_are_a_clear_400(
    invoke: Invoke, event: dict[str, Any]
) -> None:
    status, answer = invoke(event)
    assert status == 400
    assert "event" in answer["error"]


def test_a_body_base64_of_bytes_with_a_bom_is_stored(invoke: Invoke, aws: Any) -> None:
    body = b"\xef\xbb\xbf" + json.dumps(event_json("umedia/transcode")).encode()
    event = callback_event("/callbacks/umedia/transcode", body)
    event["body"] = base64.b64encode(body).decode()
    assert invoke(event)[0] == 200


def test_a_task_look_up_with_an_overlong_id_is_a_clear_400(invoke: Invoke) -> None:
    status, answer = invoke(proxy_event("GET", "/tasks/umedia/" + "%E4%B8%AD" * 700))
    assert (status, answer["status"]) == (400, "rejected")
    assert "task_id" in answer["error"]
