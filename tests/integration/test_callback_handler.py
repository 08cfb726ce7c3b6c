"""CallbackFunction as API Gateway calls it, on moto's in-process DynamoDB and Secrets Manager."""

from __future__ import annotations

import base64
import io
import json
import threading
from types import ModuleType
from typing import Any

import boto3
import pytest

from harness import TABLE, Invoke, load_app, scan
from helpers import ROOT, TOKEN, callback_event, event_bytes
from inprocess.apigw import proxy_event


def stored_bytes(value: Any, encoding: str | None) -> bytes:
    from media_callbacks.items import stored_bytes as decoded

    return decoded(value, encoding)


def stored(
    aws: dict[str, Any], vendor: str, task_id: str, kind: str, event_type: str | None = None
) -> dict[str, Any]:
    from media_callbacks.items import from_dynamodb
    from media_callbacks.keys import result_key

    key = {k: {"S": v} for k, v in result_key(vendor, task_id, kind, event_type).items()}
    item = aws["dynamodb"].get_item(TableName=TABLE, Key=key).get("Item")
    assert item is not None, f"nothing stored for {vendor} {task_id} {kind}"
    return from_dynamodb(item)


def rejected_items(aws: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in scan(aws["dynamodb"]) if i["pk"].startswith("REJECTED#")]


# --- stored, duplicate, ignored ----------------------------------------------------------------


def test_transcode_callback_is_stored_with_the_contract_fields(invoke: Invoke, aws: Any) -> None:
    body = event_bytes("umedia/transcode")
    status, answer = invoke(callback_event("/callbacks/umedia/transcode", body))
    assert status == 200
    assert answer == {
        "status": "stored",
        "vendor": "umedia",
        "kind": "transcode",
        "task_id": "1",
        "flagged": False,
    }
    item = stored(aws, "umedia", "1", "transcode")
    assert (item["pk"], item["sk"]) == ("TASK#umedia#1", "RESULT#transcode")
    # the raw body, as received (gzip: a third smaller, docs/ARCHITECTURE.md)
    assert item["payload"] == body.decode()  # the raw body as received, as text
    assert "payload_encoding" not in item
    assert item["status"] == "succeeded"
    assert item["message"] == "succ"
    assert item["source_url"] == "http://src.ufile.ucloud.cn/my.mp4"
    assert item["source_key"] == "http://src.ufile.ucloud.cn/my.mp4"
    assert item["received_at"].endswith("Z")
    assert item["revision"] == 1
    assert item["flagged"] is False
    assert "flagged_key" not in item
    assert item["result"]["width"] == 1280
    assert len(item["payload_sha256"]) == 64
    assert "expires_at" not in item  # RetentionDays 0 keeps items


def test_same_payload_again_is_a_duplicate_even_reformatted(invoke: Invoke, aws: Any) -> None:
    first = json.loads(event_bytes("umedia/transcode"))
    invoke(callback_event("/callbacks/umedia/transcode", first))
    reordered = json.dumps(dict(reversed(list(first.items()))), indent=4).encode()
    status, answer = invoke(callback_event("/callbacks/umedia/transcode", reordered))
    assert (status, answer["status"]) == (200, "duplicate")
    assert answer["task_id"] == "1"
    assert stored(aws, "umedia", "1", "transcode")["revision"] == 1


def test_a_then_b_then_a_stores_three_revisions(invoke: Invoke, aws: Any) -> None:
    a = event_bytes("umedia/transcode")
    b = event_bytes("umedia/transcode-sloppy")
    statuses = [
        invoke(callback_event("/callbacks/umedia/transcode", x))[1]["status"] for x in (a, b, a)
    ]
    assert statuses == ["stored", "stored", "stored"]
    item = stored(aws, "umedia", "1", "transcode")
    assert item["revision"] == 3
    assert stored_bytes(item["payload"], item.get("payload_encoding")) == a


def test_failed_after_succeeded_is_ignored_and_the_success_stays(invoke: Invoke, aws: Any) -> None:
    invoke(callback_event("/callbacks/umedia/transcode", event_bytes("umedia/transcode")))
    status, answer = invoke(
        callback_event("/callbacks/umedia/transcode", event_bytes("umedia/transcode-failed"))
    )
    assert (status, answer["status"], answer["kind"]) == (200, "ignored", "transcode")
    item = stored(aws, "umedia", "1", "transcode")
    assert (item["status"], item["revision"]) == ("succeeded", 1)


def test_every_accepted_change_raises_the_revision(invoke: Invoke, aws: Any) -> None:
    fail_1 = {"retcode": 1, "task_id": "r", "message": "first failure"}
    fail_2 = {"retcode": 2, "task_id": "r", "message": "second failure"}
    ok_1 = {"retcode": 0, "task_id": "r", "dest_video_url": "http://h/1.mp4"}
    ok_2 = {"retcode": 0, "task_id": "r", "dest_video_url": "http://h/2.mp4"}
    path = "/callbacks/umedia/transcode"
    answers = [
        invoke(callback_event(path, body))[1]["status"] for body in (fail_1, fail_2, ok_1, ok_2)
    ]
    assert answers == ["stored"] * 4
    item = stored(aws, "umedia", "r", "transcode")
    assert (item["revision"], item["result"]["dest_video_url"]) == (4, "http://h/2.mp4")
    # the same failure twice is a duplicate even when it comes after a success
    assert invoke(callback_event(path, fail_2))[1]["status"] == "ignored"


@pytest.fixture
def atomic_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies a conditional write atomically; in-process moto needs a lock for that."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.Lock()
    original = DynamoDBBackend.update_item

    def update_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "update_item", update_item)


def test_racing_duplicates_store_the_payload_once(
    app_module: ModuleType, aws: Any, atomic_moto: None
) -> None:

    body = event_bytes("umedia/slice")
    answers: list[str] = []
    start = threading.Barrier(8)

    def post() -> None:
        event = callback_event("/callbacks/umedia/slice", body)
        start.wait()
        args, kwargs = _parsed(app_module, event)
        answers.append(app_module.root.get().store.put_result(*args, **kwargs).status)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["duplicate"] * 7 + ["stored"]
    assert stored(aws, "umedia", "1", "slice")["revision"] == 1


def _parsed(app_module: ModuleType, event: dict[str, Any]) -> tuple[tuple[Any], dict[str, Any]]:
    """What the handler hands to the store for one event (the racing threads skip the resolver,
    whose current event is per container, not per thread)."""
    from media_callbacks.body import canonical_sha256
    from media_callbacks.normalise import normalise

    data = json.loads(base64.b64decode(event["body"]))
    result = normalise("umedia", "slice", data, app_module.root.get().config.thresholds)
    return (result,), {
        "body": json.dumps(data).encode(),
        "payload_sha256": canonical_sha256(data),
        "received_at": "2026-01-01T00:00:00.000000Z",
        "request_id": event["requestContext"]["requestId"],
    }


def test_one_conditional_write_per_callback_and_no_read(
    invoke: Invoke, app_module: ModuleType
) -> None:
    calls: list[str] = []
    app_module.root.get().store.client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.append(model.name)
    )
    body = event_bytes("umedia/moderation")
    for _ in range(2):
        invoke(callback_event("/callbacks/umedia/moderation", body))
    invoke(callback_event("/callbacks/umedia/moderation", b"{bad"))
    assert calls == ["UpdateItem", "UpdateItem", "PutItem"]


def test_inferred_route_and_ctyun_route(invoke: Invoke, aws: Any) -> None:
    status, answer = invoke(callback_event("/callbacks/umedia", event_bytes("umedia/moderation")))
    assert (status, answer["kind"], answer["flagged"]) == (200, "moderation", True)
    item = stored(aws, "umedia", "1", "moderation")
    assert item["flagged_key"] == "FLAGGED"
    assert item["moderation"]["suggestion"] == "block"
    assert item["moderation"]["categories"] == ["porn"]
    assert item["moderation"]["thresholds"]["porn"] == {"review": 0.6, "block": 0.9}
    status, answer = invoke(callback_event("/callbacks/ctyun", event_bytes("ctyun/other-event")))
    assert (status, answer["vendor"], answer["kind"]) == (200, "ctyun", "event")
    event = stored(aws, "ctyun", "45caa4a6488844a3aaa2ea1334a7b806", "event", "VideoUploadComplete")
    assert event["result"]["event_type"] == "VideoUploadComplete"


# --- rejected ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "fragment"),
    [
        ("/callbacks/umedia/transcode", b"{not json", "body: not valid JSON"),
        ("/callbacks/umedia/transcode", b"", "body: empty"),
        ("/callbacks/umedia/transcode", b"[1, 2]", "expected a JSON object"),
        ("/callbacks/umedia/preview", b'{"retcode": 0, "task_id": "1"}', "kind: unknown UMedia"),
        ("/callbacks/umedia", event_bytes("umedia/transcode-failed"), "/callbacks/umedia/{kind}"),
        ("/callbacks/umedia/moderation", event_bytes("umedia/moderation-bad-rate"),
         "invalid_image_list.0.rate"),
        ("/callbacks/ctyun", b'{"eventType": "AIContentReviewComplete"}', "status: Field required"),
    ],
)  # fmt: skip
def test_bad_bodies_are_stored_raw_and_answered_400(
    invoke: Invoke, aws: Any, path: str, body: bytes, fragment: str
) -> None:
    status, answer = invoke(callback_event(path, body, headers={"User-Agent": "vendor/1.0"}))
    assert status == 400
    assert answer["status"] == "rejected"
    assert fragment in answer["error"]
    [item] = rejected_items(aws)
    assert item["sk"] == answer["rejection_id"]
    assert item["pk"] == "REJECTED#" + answer["rejection_id"][:10]
    assert item["body"] == body.decode()
    assert item["body_encoding"] == "utf-8"
    assert item["route"] == f"POST {path}"
    assert item["error"] == answer["error"]
    assert item["content_type"] == "application/json"
    assert item["source_ip"] == "127.0.0.1"
    assert item["headers"]["User-Agent"] == "vendor/1.0"
    assert not [i for i in scan(aws["dynamodb"]) if i["pk"].startswith("TASK#")]


def test_a_body_that_is_not_utf8_is_stored_as_base64(invoke: Invoke, aws: Any) -> None:
    body = '{"retcode": 0, "task_id": "1", "message": "成功"}'.encode("gbk")
    status, answer = invoke(callback_event("/callbacks/umedia/transcode", body))
    assert status == 400
    assert "not valid UTF-8" in answer["error"]
    [item] = rejected_items(aws)
    assert item["body_encoding"] == "base64"
    assert base64.b64decode(item["body"]) == body


# --- token, size ---------------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["query", "header"])
def test_token_in_query_or_header_is_accepted(invoke: Invoke, via: str) -> None:
    event = callback_event("/callbacks/umedia/transcode", event_bytes("umedia/transcode"), via=via)
    assert invoke(event)[0] == 200


@pytest.mark.parametrize("token", [None, "", "wrong-token", TOKEN + "x"])
def test_missing_or_wrong_token_is_401_and_nothing_is_stored(
    invoke: Invoke, aws: Any, token: str | None
) -> None:
    event = callback_event("/callbacks/umedia/transcode", b"{not json", token=token)
    assert invoke(event) == (401, {"status": "unauthorized"})
    assert scan(aws["dynamodb"]) == []


def test_the_previous_token_still_works_after_rotation(aws: Any) -> None:
    client = boto3.client("secretsmanager")
    client.put_secret_value(SecretId=aws["secret_arn"], SecretString="rotated-token")
    app = load_app()
    from inprocess.apigw import FakeLambdaContext

    def status(token: str) -> int:
        event = callback_event(
            "/callbacks/umedia/transcode", event_bytes("umedia/transcode"), token=token
        )
        return int(app.lambda_handler(event, FakeLambdaContext())["statusCode"])

    assert status("rotated-token") == 200
    assert status(TOKEN) == 200  # AWSPREVIOUS
    assert status("older-token") == 401


def test_body_over_256_kib_is_413_before_the_token_is_checked(invoke: Invoke, aws: Any) -> None:
    body = b'{"pad": "' + b"x" * (256 * 1024) + b'"}'
    assert invoke(callback_event("/callbacks/umedia/transcode", body, token=None)) == (
        413,
        {"status": "too_large"},
    )
    assert scan(aws["dynamodb"]) == []
    exactly = b" " * (256 * 1024 - 2) + b"{}"
    assert invoke(callback_event("/callbacks/umedia/transcode", exactly))[0] == 400


def test_the_token_never_reaches_an_item_a_response_or_a_log(
    invoke: Invoke, aws: Any, log_lines: io.StringIO
) -> None:
    for via in ("query", "header"):
        for body in (event_bytes("umedia/moderation"), b"{broken"):
            _, answer = invoke(callback_event("/callbacks/umedia/moderation", body, via=via))
            assert TOKEN not in json.dumps(answer)
    invoke(callback_event("/callbacks/umedia/moderation", b"{}", token="wrong-" + TOKEN))
    from media_callbacks.storage import readable

    # payloads as their text, not as gzip bytes a token could hide in
    assert TOKEN not in json.dumps([readable(i) for i in scan(aws["dynamodb"])], default=str)
    logged = log_lines.getvalue()
    assert TOKEN not in logged
    assert '"outcome":"rejected"' in logged  # the logs did see these callbacks
    assert '"outcome":"stored"' in logged


# --- the table fails -------------------------------------------------------------------------


def test_table_and_queue_both_failing_is_503_with_nothing_half_written(
    invoke: Invoke, aws: Any, failing_writes: list[str], failing_queue: list[str]
) -> None:
    event = callback_event("/callbacks/umedia/transcode", event_bytes("umedia/transcode"))
    assert invoke(event) == (503, {"status": "retry"})
    bad = callback_event("/callbacks/umedia/transcode", b"{bad")
    assert invoke(bad) == (503, {"status": "retry"})  # the rejected item cannot be kept either
    assert failing_writes == ["UpdateItem", "PutItem"]
    assert failing_queue == ["SendMessage", "SendMessage"]
    assert scan(aws["dynamodb"]) == []
    assert "Messages" not in aws["sqs"].receive_message(QueueUrl=aws["retry_queue"])


# --- look-ups and health -------------------------------------------------------------------------


def test_a_payload_that_fits_is_kept_as_the_text_received_and_tasks_shows_it(
    invoke: Invoke, aws: Any
) -> None:
    """Given a 960-byte CTyun review (gzip would halve it), when it is stored, then its payload
    is the body as received, as text, in the table and in GET /tasks (the contract's payload;
    compression only when an item would not fit: test_invariant.py)."""
    body = event_bytes("ctyun/ai-content-review")
    assert invoke(callback_event("/callbacks/ctyun", body))[0] == 200
    item = stored(aws, "ctyun", "0003#fgty85118429465b99a794951ffd4310", "moderation")
    assert (item["payload"], item.get("payload_encoding")) == (body.decode(), None)
    status, answer = invoke(
        proxy_event("GET", "/tasks/ctyun/0003%23fgty85118429465b99a794951ffd4310")
    )
    assert status == 200
    [result] = answer["results"]
    assert result["payload"] == body.decode()
    assert "payload_encoding" not in result


def test_tasks_lists_every_result_of_a_task_newest_first(invoke: Invoke) -> None:
    task = "0003#fgty85118429465b99a794951ffd4310"
    review = json.loads(event_bytes("ctyun/ai-content-review"))
    invoke(callback_event("/callbacks/ctyun", review))
    invoke(callback_event("/callbacks/ctyun", {**review, "eventType": "SomethingElse"}))
    status, answer = invoke(
        proxy_event("GET", "/tasks/ctyun/0003%23fgty85118429465b99a794951ffd4310")
    )
    assert status == 200
    assert (answer["vendor"], answer["task_id"]) == ("ctyun", task)
    assert [r["kind"] for r in answer["results"]] == ["event", "moderation"]
    assert answer["results"][1]["moderation"]["findings"][0]["score"] == 0.98


def test_task_ids_with_a_slash_are_url_encoded(invoke: Invoke) -> None:
    invoke(
        callback_event(
            "/callbacks/umedia/slice",
            {"retcode": 0, "task_id": "a/b c", "dest_video_url": "x.m3u8"},
        )
    )
    status, answer = invoke(proxy_event("GET", "/tasks/umedia/a%2Fb%20c"))
    assert (status, answer["task_id"], len(answer["results"])) == (200, "a/b c", 1)


def test_unknown_task_and_unknown_vendor(invoke: Invoke) -> None:
    assert invoke(proxy_event("GET", "/tasks/umedia/nope")) == (
        200,
        {"vendor": "umedia", "task_id": "nope", "results": []},
    )
    status, answer = invoke(proxy_event("GET", "/tasks/aliyun/1"))
    assert (status, answer["status"]) == (404, "not_found")


def test_health(invoke: Invoke) -> None:
    assert invoke(proxy_event("GET", "/health")) == (200, {"status": "ok"})


def test_retention_days_sets_the_ttl_attribute(aws: Any) -> None:
    from inprocess.apigw import FakeLambdaContext

    app = load_app({"RETENTION_DAYS": "30"})
    app.lambda_handler(
        callback_event("/callbacks/umedia/transcode", event_bytes("umedia/transcode")),
        FakeLambdaContext(),
    )
    app.lambda_handler(callback_event("/callbacks/umedia/transcode", b"{bad"), FakeLambdaContext())
    items = scan(aws["dynamodb"])
    assert len(items) == 2
    for item in items:
        from datetime import datetime

        received = datetime.fromisoformat(item["received_at"].replace("Z", "+00:00"))
        assert item["expires_at"] == int(received.timestamp()) + 30 * 86400


def test_a_bad_environment_fails_at_cold_start(aws: Any) -> None:
    from media_callbacks.settings import ConfigError

    with pytest.raises(ConfigError, match="MODERATION_THRESHOLDS"):
        load_app({"MODERATION_THRESHOLDS": '{"porn": {"block": 2}}'})
    load_app()  # leave a working module behind


@pytest.mark.parametrize("path", sorted((ROOT / "events" / "apigw").glob("*.json")), ids=str)
def test_the_sam_local_invoke_events_are_served(aws: Any, path: Any) -> None:
    """events/apigw/ holds ready API Gateway events with the local token, for `sam local invoke`."""
    from inprocess.apigw import FakeLambdaContext

    boto3.client("secretsmanager").put_secret_value(
        SecretId=aws["secret_arn"], SecretString="local-dev-token"
    )
    app = load_app()
    response = app.lambda_handler(json.loads(path.read_text()), FakeLambdaContext())
    assert response["statusCode"] == 200, response["body"]


def test_an_unreachable_token_secret_is_503_and_nothing_is_stored(aws: Any) -> None:
    from inprocess.apigw import FakeLambdaContext

    boto3.client("secretsmanager").delete_secret(
        SecretId=aws["secret_arn"], ForceDeleteWithoutRecovery=True
    )
    app = load_app()
    event = callback_event("/callbacks/umedia/transcode", event_bytes("umedia/transcode"))
    response = app.lambda_handler(event, FakeLambdaContext())
    assert (response["statusCode"], json.loads(response["body"])) == (503, {"status": "retry"})
    assert scan(aws["dynamodb"]) == []
