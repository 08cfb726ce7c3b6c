"""Nothing lost when the table fails: the retry queue, its consumer, ordering and dead letters."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

from harness import TABLE, Invoke, function, refuse, scan
from helpers import callback_event, event_bytes, event_json
from inprocess.queue import QueueMapping
from inprocess.template import max_receive_count, queue_mapping
from media_callbacks.retry import backoff_seconds, decode, encode


@pytest.fixture
def retries(app_module: ModuleType, aws: dict[str, Any]) -> QueueMapping:
    """IngestRetryFunction behind the SQS event source mapping, as in AWS."""
    return QueueMapping(
        sqs_client=aws["sqs"],
        queue_url=aws["retry_queue"],
        handler=function("IngestRetryFunction").lambda_handler,
        mapping=queue_mapping(),
    )


def results(aws: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in scan(aws["dynamodb"]) if i["pk"].startswith("TASK#")]


def queued(aws: dict[str, Any], url_key: str = "retry_queue") -> list[dict[str, Any]]:
    response = aws["sqs"].receive_message(
        QueueUrl=aws[url_key], MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return list(response.get("Messages", []))


def test_table_down_queue_up_is_202_and_stored_once_the_table_is_back(
    invoke: Invoke, aws: dict[str, Any], failing_writes: list[str], retries: QueueMapping
) -> None:
    body = event_bytes("umedia/moderation")
    event = callback_event("/callbacks/umedia/moderation", body, headers={"User-Agent": "UMedia"})
    status, answer = invoke(event)
    assert status == 202
    assert answer == {
        "status": "queued",
        "vendor": "umedia",
        "kind": "moderation",
        "request_id": event["requestContext"]["requestId"],
    }
    assert results(aws) == []
    [message] = queued(aws)
    delivery = decode(message["Body"])
    assert delivery.body == body
    assert delivery.route == "POST /callbacks/umedia/moderation"
    assert delivery.headers["User-Agent"] == "UMedia"
    assert "token" not in json.dumps(delivery.query) + json.dumps(delivery.headers).lower()

    # the table is still down: the consumer fails too and the message stays for a later attempt
    assert retries.run_once() == 1
    assert results(aws) == []
    assert len(queued(aws)) == 1
    assert failing_writes.count("UpdateItem") == 2


def test_once_the_table_answers_the_queued_callback_is_stored_exactly_once(
    app_module: ModuleType, aws: dict[str, Any], retries: QueueMapping
) -> None:
    from inprocess.apigw import FakeLambdaContext

    calls, undo = refuse(
        "dynamodb",
        ("UpdateItem", "PutItem"),
        "InternalServerError",
        app_module.root.get().store.client,
    )
    event = callback_event("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    assert app_module.lambda_handler(event, FakeLambdaContext())["statusCode"] == 202
    assert app_module.lambda_handler(event, FakeLambdaContext())["statusCode"] == 202  # resent
    undo()
    while retries.run_once():
        pass
    [item] = results(aws)
    assert (item["task_id"], item["revision"], item["flagged"]) == ("1", 1, True)
    from media_callbacks.storage import readable

    assert readable(item)["payload"] == event_bytes("umedia/moderation").decode()
    assert queued(aws) == []
    assert calls == ["UpdateItem", "UpdateItem"]


def test_a_queued_callback_never_overwrites_a_newer_direct_one(
    app_module: ModuleType, invoke: Invoke, aws: dict[str, Any], retries: QueueMapping
) -> None:
    _, undo = refuse(
        "dynamodb", ("UpdateItem",), "ThrottlingException", app_module.root.get().store.client
    )
    older = event_json("umedia/transcode") | {"dest_video_url": "http://h/old.mp4"}
    assert invoke(callback_event("/callbacks/umedia/transcode", older))[0] == 202
    undo()
    newer = event_json("umedia/transcode") | {"dest_video_url": "http://h/new.mp4"}
    assert invoke(callback_event("/callbacks/umedia/transcode", newer))[1]["status"] == "stored"
    retries.run_once()
    [item] = results(aws)
    assert item["result"]["dest_video_url"] == "http://h/new.mp4"
    assert item["revision"] == 1
    assert queued(aws) == []  # handled (ignored), not retried


def test_a_poison_message_ends_in_the_dead_letter_queue(
    aws: dict[str, Any], retries: QueueMapping
) -> None:
    aws["sqs"].send_message(QueueUrl=aws["retry_queue"], MessageBody='{"not": "a callback"}')
    for _ in range(max_receive_count("IngestRetryQueue") + 2):
        retries.run_once()
    assert queued(aws) == []
    [dead] = queued(aws, "retry_dlq")
    assert dead["Body"] == '{"not": "a callback"}'


def test_retries_back_off_exponentially() -> None:
    assert [backoff_seconds(n, 30) for n in range(1, 8)] == [30, 60, 120, 240, 480, 900, 900]
    assert backoff_seconds(1, 0) == 0


def test_the_queued_message_carries_any_body_compressed() -> None:
    from media_callbacks.delivery import Delivery

    body = "审核".encode("gbk") + b"\x00\xff" * 1000
    delivery = Delivery(route="POST /callbacks/ctyun", vendor="ctyun", kind=None, body=body,
                        received_at="2026-01-01T00:00:00.000000Z", request_id="r")  # fmt: skip
    text = encode(delivery)
    assert len(text) < 600  # compressed
    assert decode(text) == delivery
    with pytest.raises(ValueError, match="not a queued callback"):
        decode('{"format": 1, "route": 3}')


def test_only_one_alert_after_the_outage(
    app_module: ModuleType, aws: dict[str, Any], retries: QueueMapping
) -> None:
    """Flagged result queued, resent by the vendor, stored after the outage: one alert."""
    import boto3

    from inprocess.apigw import FakeLambdaContext
    from inprocess.stream import StreamMapping
    from inprocess.template import stream_mapping

    sns, sqs = boto3.client("sns"), aws["sqs"]
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    inbox = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn["QueueArn"],
                  Attributes={"RawMessageDelivery": "true"})  # fmt: skip
    alert_app = function("AlertFunction", {"ALERT_TOPIC_ARN": topic})
    _, undo = refuse(
        "dynamodb",
        ("UpdateItem", "PutItem"),
        "InternalServerError",
        app_module.root.get().store.client,
    )
    event = callback_event("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    for _ in range(2):
        assert app_module.lambda_handler(event, FakeLambdaContext())["statusCode"] == 202
    undo()
    while retries.run_once():
        pass
    table = aws["dynamodb"].describe_table(TableName=TABLE)["Table"]
    StreamMapping(
        streams_client=boto3.client("dynamodbstreams"),
        sqs_client=sqs,
        stream_arn=table["LatestStreamArn"],
        handler=alert_app.lambda_handler,
        mapping=stream_mapping(),
        on_failure_queue_url=aws["retry_dlq"],
    ).run_once()
    messages = sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10).get("Messages", [])
    assert len(messages) == 1


def test_the_shipped_sqs_event_is_ingested_by_the_retry_function(
    aws: dict[str, Any], retries: QueueMapping
) -> None:
    """events/sqs/: a queued callback as the SQS event source hands it to the retry function."""
    import retry_handler.app as retry_app
    from helpers import EVENTS
    from inprocess.apigw import FakeLambdaContext

    event = json.loads((EVENTS / "sqs" / "queued-ctyun-transcode.json").read_text())
    context: Any = FakeLambdaContext("IngestRetryFunction")
    response = retry_app.lambda_handler(event, context)
    assert response == {"batchItemFailures": []}
    [item] = results(aws)
    assert (item["vendor"], item["kind"], item["request_id"]) == (
        "ctyun",
        "transcode",
        "sam-local-2",
    )


def test_a_body_that_is_not_the_base64_it_claims_is_rejected_alike_with_or_without_the_queue(
    app_module: ModuleType, invoke: Invoke, aws: dict[str, Any], retries: QueueMapping
) -> None:
    """API Gateway's isBase64Encoded with a body that is not base64 (here JSON text): the
    direct path rejects it; the same request queued while the table was down must too."""
    event = callback_event("/callbacks/umedia/transcode", event_bytes("umedia/transcode"))
    event["body"] = event_bytes("umedia/transcode").decode()  # JSON text: not valid base64
    assert event["isBase64Encoded"] is True
    status, direct = invoke(event)
    assert (status, direct["status"]) == (400, "rejected")
    _, undo = refuse(
        "dynamodb",
        ("UpdateItem", "PutItem"),
        "InternalServerError",
        app_module.root.get().store.client,
    )
    assert invoke(event)[0] == 202
    undo()
    while retries.run_once():
        pass
    rejected = [i for i in scan(aws["dynamodb"]) if i["pk"].startswith("REJECTED#")]
    assert [i["error"] for i in rejected] == [direct["error"], direct["error"]]
    assert all(i["body"] == event["body"] for i in rejected)
    assert results(aws) == []
    assert queued(aws) == []
